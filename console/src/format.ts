import type { Location, Phone, Schedule, Service } from './types';
import { familyWords, type Lang } from './i18n';

const DAY_ORDER = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

export function scheduleText(s: Schedule, days: Record<string, string>): string {
  if (s.description) return s.description;
  const parts: string[] = [];
  if (s.byday) {
    const ds = s.byday
      .split(',')
      .map((d) => d.trim().toUpperCase())
      .filter(Boolean)
      .sort((a, b) => DAY_ORDER.indexOf(a.slice(-2)) - DAY_ORDER.indexOf(b.slice(-2)));
    parts.push(ds.map((d) => days[d.slice(-2)] ?? d).join(', '));
  }
  if (s.opensAt && s.closesAt) parts.push(`${s.opensAt}–${s.closesAt}`);
  else if (s.opensAt) parts.push(`${s.opensAt}–`);
  return parts.join(' ');
}

// Hours for the service: its own, else each location's, else none.
export function serviceHours(svc: Service, days: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const s of svc.schedules ?? []) out.add(scheduleText(s, days));
  for (const { node } of svc.serviceAtLocations.edges) {
    for (const s of node.schedules ?? []) out.add(scheduleText(s, days));
    if (!node.schedules?.length) for (const s of node.location.schedules ?? []) out.add(scheduleText(s, days));
  }
  out.delete('');
  return [...out];
}

export function addressLines(l: Location): string {
  const cityLine = [l.city, [l.region, l.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [l.address1, l.address2, cityLine].filter(Boolean).join(', ');
}

export function phoneText(p: Phone, ext = 'ext.'): string {
  return p.extension ? `${p.number} ${ext} ${p.extension}` : p.number;
}

// Every phone of the service, each once, in the order a worker would try
// them: the service at its locations, the service, the locations, the
// organization. staffOnly ones only when includeStaff.
export function servicePhones(svc: Service, includeStaff: boolean): Phone[] {
  const all: Phone[] = [];
  for (const { node } of svc.serviceAtLocations.edges) all.push(...(node.phones ?? []));
  all.push(...(svc.phones ?? []));
  for (const { node } of svc.serviceAtLocations.edges) all.push(...(node.location.phones ?? []));
  all.push(...(svc.organization.phones ?? []));
  const seen = new Set<string>();
  return all.filter((p) => {
    if (p.staffOnly && !includeStaff) return false;
    const k = p.number + '/' + (p.extension ?? '');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function costText(svc: Service, lang: Lang): string {
  const w = familyWords[lang];
  if (svc.free === true) return svc.feesDescription ? `${w.free}. ${svc.feesDescription}` : w.free;
  if (svc.feesDescription) return svc.feesDescription;
  return w.costUnknown; // unknown is not "free" and not "paid"
}

export function km(d: number | null, approx: boolean): string {
  if (d == null) return 'distance unknown';
  const mi = d / 1.609344;
  return `${approx ? 'about ' : ''}${d.toFixed(1)} km (${mi.toFixed(1)} mi)`;
}
