import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Service } from './types';
import { familyWords, languageName, type Lang } from './i18n';
import { addressLines, costText, phoneText, serviceHours, servicePhones } from './format';

interface Item {
  name: string;
  sample: boolean;
  reach: string[];
  where: string[];
  hours: string[];
  languages: string[];
  cost: string;
}

// What the family gets about one service: no reasons, no internal notes, no
// staff-only phone, no confidential address.
function item(svc: Service, lang: Lang): Item {
  const w = familyWords[lang];
  const reach = servicePhones(svc, false).map((p) => phoneText(p, w.ext));
  if (svc.url) reach.push(svc.url);
  if (svc.email) reach.push(svc.email);
  const where: string[] = [];
  for (const { node } of svc.serviceAtLocations.edges) {
    const l = node.location;
    if (l.confidential) where.push(w.addressOnRequest);
    else if (l.locationType === 'VIRTUAL') where.push(l.url ? `${w.online}: ${l.url}` : w.online);
    else {
      const a = addressLines(l);
      where.push(a ? `${l.name}: ${a}` : l.name);
    }
  }
  if (!where.length && svc.deliveryModes?.includes('ONLINE')) where.push(w.online);
  if (!where.length && svc.deliveryModes?.includes('BY_PHONE')) where.push(w.byPhone);
  return {
    name: svc.name,
    sample: svc.sample,
    reach: reach.length ? [...new Set(reach)] : [w.reachUnknown],
    where: where.length ? [...new Set(where)] : [w.whereUnknown],
    hours: serviceHours(svc, w.days).length ? serviceHours(svc, w.days) : [w.hoursUnknown],
    languages: svc.languages?.length ? svc.languages.map((c) => languageName(c, lang)) : [w.languagesUnknown],
    cost: costText(svc, lang),
  };
}

export function familyText(services: Service[], lang: Lang): string {
  const w = familyWords[lang];
  const lines = [w.title, '', w.intro, ''];
  for (const s of services.map((s) => item(s, lang))) {
    lines.push(s.name + (s.sample ? ` (${w.sample})` : ''));
    lines.push(`  ${w.reach}: ${s.reach.join('; ')}`);
    lines.push(`  ${w.where}: ${s.where.join('; ')}`);
    lines.push(`  ${w.hours}: ${s.hours.join('; ')}`);
    lines.push(`  ${w.languages}: ${s.languages.join(', ')}`);
    lines.push(`  ${w.cost}: ${s.cost}`);
    lines.push('');
  }
  lines.push(w.footer);
  return lines.join('\n');
}

export function FamilyList({ services, onClose, extra }: { services: Service[]; onClose: () => void; extra?: ComponentChildren }) {
  const [lang, setLang] = useState<Lang>('en');
  const [copied, setCopied] = useState('');
  const text = useMemo(() => familyText(services, lang), [services, lang]);
  const area = useRef<HTMLTextAreaElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const w = familyWords[lang];
  const items = services.map((s) => item(s, lang));

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied. Paste it into a text message or email.');
    } catch {
      area.current?.select();
      setCopied('Selected: press Ctrl+C (or ⌘C) to copy.');
    }
  }

  return (
    <section class="family" aria-labelledby="family-title">
      <div class="no-print toolbar">
        <fieldset class="inline">
          <legend>Family's language</legend>
          <label>
            <input type="radio" name="family-lang" value="en" checked={lang === 'en'} onChange={() => setLang('en')} /> English
          </label>
          <label>
            <input type="radio" name="family-lang" value="es" checked={lang === 'es'} onChange={() => setLang('es')} /> Español
          </label>
        </fieldset>
        <button type="button" onClick={() => window.print()}>Print</button>
        <button type="button" onClick={copy}>Copy as text</button>
        <button type="button" onClick={onClose}>Back to results</button>
        {extra}
        <p role="status" class="status">{copied}</p>
      </div>
      <article class="family-sheet" lang={lang}>
        <h2 id="family-title" ref={heading} tabIndex={-1}>{w.title}</h2>
        <p>{w.intro}</p>
        <ol class="family-items">
          {items.map((s) => (
            <li key={s.name}>
              <h3>{s.name}</h3>
              {s.sample && <p class="badge sample">{w.sample}</p>}
              <dl>
                <dt>{w.reach}</dt>
                <dd>{s.reach.join(' · ')}</dd>
                <dt>{w.where}</dt>
                <dd>{s.where.join(' · ')}</dd>
                <dt>{w.hours}</dt>
                <dd>{s.hours.join(' · ')}</dd>
                <dt>{w.languages}</dt>
                <dd>{s.languages.join(', ')}</dd>
                <dt>{w.cost}</dt>
                <dd>{s.cost}</dd>
              </dl>
            </li>
          ))}
        </ol>
        <p class="footer-note">{w.footer}</p>
      </article>
      <div class="no-print">
        <label for="family-text">Text to copy into a message</label>
        <textarea id="family-text" ref={area} readOnly rows={12} value={text} />
      </div>
    </section>
  );
}
