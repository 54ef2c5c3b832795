import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { gql, GraphQLError } from './gql';
import { MATCH } from './queries';
import type { MatchConnection, MatchEdge, Need, OpenState, Reason } from './types';
import { addressLines, km, phoneText, serviceHours, servicePhones } from './format';
import { languageName } from './i18n';
import { FamilyList } from './family';
import { LogCall, type Logged } from './logcall';

export interface CallForm {
  zip: string;
  city: string;
  state: string;
  child: '' | 'birth' | 'age' | 'pregnant';
  birthDate: string;
  ageYears: string;
  ageMonths: string;
  pregnancy: 'due' | 'week';
  dueDate: string;
  week: string;
  firstTime: '' | 'yes' | 'no';
  court: '' | 'yes' | 'no';
  household: string;
  income: string;
  needs: string[];
  language: string;
  delivery: string[];
}

export const emptyForm: CallForm = {
  zip: '', city: '', state: '', child: '', birthDate: '', ageYears: '', ageMonths: '', pregnancy: 'due',
  dueDate: '', week: '', firstTime: '', court: '', household: '', income: '', needs: [], language: '', delivery: [],
};

const LANGUAGES = ['en', 'es', 'pt', 'ht', 'zh', 'vi', 'ar', 'so', 'ru', 'fr', 'ko', 'cv', 'ase'];
const DELIVERY: [string, string][] = [
  ['IN_HOME', 'In the home'], ['IN_CLINIC', 'At a clinic or office'], ['IN_GROUP', 'In a group'],
  ['BY_PHONE', 'By phone'], ['ONLINE', 'Online'],
];
const ABOUT: Record<string, string> = {
  AGE: "The child's age", PREGNANCY: 'Pregnancy', PREGNANT_ONLY: 'Pregnancy', PREGNANCY_WEEK: 'Week of pregnancy',
  FIRST_TIME_PARENT_ONLY: 'First-time parent', INCOME: 'Household income', COURT_INVOLVEMENT: 'Court involvement',
  LANGUAGE: 'Language', DELIVERY_MODE: 'How they are served', IN_AREA: 'Where they live', DISTANCE: 'Travel',
  NEED_MET: 'Needs', REFERRAL_REQUIRED: 'Referral',
};

function int(s: string): number | undefined {
  const t = s.trim();
  if (!t) return undefined;
  const n = Number(t.replace(/[$,\s]/g, ''));
  return Number.isFinite(n) ? Math.round(n) : NaN;
}

// The FamilyInput the form describes; only what the caller said is sent.
export function familyInput(f: CallForm): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  if (f.zip.trim()) v.zip = f.zip.trim();
  else {
    if (f.city.trim()) v.city = f.city.trim();
    if (f.state.trim()) v.state = f.state.trim().toUpperCase();
  }
  if (f.child === 'birth' && f.birthDate) v.childBirthDate = f.birthDate;
  if (f.child === 'age') {
    const y = int(f.ageYears) ?? 0, m = int(f.ageMonths) ?? 0;
    if (f.ageYears.trim() || f.ageMonths.trim()) v.childAgeMonths = y * 12 + m;
  }
  if (f.child === 'pregnant') {
    v.pregnant = true;
    if (f.pregnancy === 'due' && f.dueDate) v.dueDate = f.dueDate;
    if (f.pregnancy === 'week' && f.week.trim()) v.pregnancyWeek = int(f.week);
  }
  if (f.firstTime) v.firstTimeParent = f.firstTime === 'yes';
  if (f.court) v.courtInvolved = f.court === 'yes';
  if (f.household.trim()) v.householdSize = int(f.household);
  if (f.income.trim()) v.annualIncome = int(f.income);
  if (f.needs.length) v.needs = f.needs;
  if (f.language) v.language = f.language;
  if (f.delivery.length) v.deliveryModes = f.delivery;
  return v;
}

const isAsk = (r: Reason) => r.criterion === 'CONFIRM' || r.criterion === 'UNSTATED';

function Badge({ sample }: { sample: boolean }) {
  return sample ? <span class="badge sample" title="An illustrative record, not a real listing: never present it to a family as real">Sample record</span> : null;
}

function NeedsPicker({ needs, value, onChange }: { needs: Need[]; value: string[]; onChange: (v: string[]) => void }) {
  const [q, setQ] = useState('');
  const shown = needs.filter((n) => !q.trim() || (n.name + ' ' + n.code + ' ' + (n.description ?? '')).toLowerCase().includes(q.trim().toLowerCase()));
  const toggle = (code: string, on: boolean) => onChange(on ? [...value, code] : value.filter((c) => c !== code));
  return (
    <fieldset class="needs">
      <legend>Needs</legend>
      <label for="need-filter">Find a need</label>
      <input id="need-filter" type="search" value={q} autoComplete="off" onInput={(e) => setQ(e.currentTarget.value)} aria-describedby="need-count" />
      <p id="need-count" class="hint" aria-live="polite">{shown.length} of {needs.length} needs shown; {value.length} chosen</p>
      <ul class="need-list">
        {shown.map((n) => (
          <li key={n.code}>
            <label title={n.description ?? ''}>
              <input type="checkbox" value={n.code} checked={value.includes(n.code)} onChange={(e) => toggle(n.code, e.currentTarget.checked)} />
              {' '}{n.name}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

// When the open state next changes, in the service's own time zone.
function when(iso: string, tz: string | null): string {
  try {
    return new Intl.DateTimeFormat('en-US', { weekday: 'short', hour: 'numeric', minute: '2-digit', timeZone: tz ?? undefined, timeZoneName: 'short' }).format(new Date(iso));
  } catch {
    return iso;
  }
}

// Open now, closed now, or not known: unknown hours are never "closed".
function OpenNow({ s }: { s: OpenState }) {
  if (s.status === 'OPEN') return <span class="badge open">Open now{s.until ? `, until ${when(s.until, s.timeZone)}` : ''}</span>;
  if (s.status === 'CLOSED') return <span class="badge closed">Closed now{s.until ? `, opens ${when(s.until, s.timeZone)}` : ''}</span>;
  return <span class="badge unknown">Open now: not known</span>;
}

function ServiceCard({ edge, ticked, onTick, rank }: { edge: MatchEdge; ticked: boolean; onTick: (on: boolean) => void; rank: number }) {
  const s = edge.node;
  const phones = servicePhones(s, true);
  const hours = serviceHours(s, { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' });
  const id = 'svc-' + rank;
  return (
    <li class={'card' + (s.sample ? ' is-sample' : '')}>
      <div class="card-head">
        <h4 id={id}>{rank}. {s.name} <Badge sample={s.sample} /></h4>
        <label class="tick">
          <input type="checkbox" checked={ticked} onChange={(e) => onTick(e.currentTarget.checked)} aria-describedby={id} /> Send to family
        </label>
      </div>
      <p class="meta">
        {s.organization.name}
        {s.program && <> · {s.program.name}</>}
        {' · '}{km(edge.distanceKm, edge.distanceApproximate)}
      </p>
      {edge.reasons.length > 0 && (
        <>
          <h5>Read out</h5>
          <ul class="reasons">
            {edge.reasons.map((r, i) => (
              <li key={i} class={isAsk(r) ? 'ask' : 'ok'}>
                {isAsk(r) && <span class="tag">Ask</span>} {r.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {edge.unmet.length > 0 && (
        <>
          <h5>Not as preferred</h5>
          <ul class="reasons">{edge.unmet.map((r, i) => <li key={i}>{r.message}</li>)}</ul>
        </>
      )}
      <dl class="facts">
        <dt>Phones</dt>
        <dd>
          {phones.length ? phones.map((p, i) => (
            <span key={i} class="phone">{phoneText(p)}{p.description ? ` (${p.description})` : ''}{p.staffOnly && <span class="badge staff">Staff only: do not give out</span>}</span>
          )) : 'None listed'}
        </dd>
        <dt>Where</dt>
        <dd>
          {s.serviceAtLocations.edges.length ? s.serviceAtLocations.edges.map(({ node }, i) => (
            <span key={i} class="place">
              {node.location.name}{addressLines(node.location) ? ': ' + addressLines(node.location) : ''}
              {node.location.confidential && <span class="badge staff">Confidential address: do not give out</span>}
            </span>
          )) : 'No location listed'}
        </dd>
        <dt>Hours</dt>
        <dd><OpenNow s={edge.openState} /> {hours.length ? hours.join(' · ') : 'Not listed'}</dd>
        <dt>Languages</dt>
        <dd>{s.languages?.length ? s.languages.map((c) => languageName(c, 'en')).join(', ') : 'Not listed'}</dd>
        <dt>Cost</dt>
        <dd>{s.free === true ? 'Free' : s.feesDescription ?? 'Not listed'}</dd>
        {s.internalNotes && (<><dt>Staff notes</dt><dd>{s.internalNotes}</dd></>)}
      </dl>
    </li>
  );
}

export function CallPage({ apiKey, needs, form, setForm, onUnauthorized }: {
  apiKey: string;
  needs: Need[];
  form: CallForm;
  setForm: (f: CallForm) => void;
  onUnauthorized: () => void;
}) {
  const [result, setResult] = useState<MatchConnection | null>(null);
  const [family, setFamily] = useState<Record<string, unknown>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [ticked, setTicked] = useState<string[]>([]);
  const [showList, setShowList] = useState(false);
  const [drawnMs, setDrawnMs] = useState<number | null>(null);
  const [logged, setLogged] = useState<Logged | null>(null);
  const resultsHeading = useRef<HTMLHeadingElement>(null);
  const startedAt = useRef(0);
  const set = (patch: Partial<CallForm>) => setForm({ ...form, ...patch });

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    setBusy(true);
    startedAt.current = performance.now();
    const fam = familyInput(form);
    try {
      const data = await gql<{ match: MatchConnection }>(apiKey, MATCH, { family: fam, first: 25 });
      setResult(data.match);
      setFamily(fam);
      setTicked([]);
      setShowList(false);
      setLogged(null);
    } catch (err) {
      const g = err as GraphQLError;
      if (g.status === 401) onUnauthorized();
      setError(g.field ? `${g.message} (${g.field})` : g.message);
      setResult(null);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (result && resultsHeading.current) {
      resultsHeading.current.focus();
      // Drawn: the browser has laid out the results (next frame).
      requestAnimationFrame(() => {
        const ms = performance.now() - startedAt.current;
        setDrawnMs(ms);
        performance.mark('village-match-drawn', { detail: ms });
      });
    }
  }, [result]);

  const eligible = useMemo(() => result?.edges.filter((e) => e.eligible) ?? [], [result]);
  const near = useMemo(() => result?.edges.filter((e) => !e.eligible) ?? [], [result]);
  const asks = useMemo(() => {
    const groups = new Map<string, { service: string; message: string }[]>();
    for (const e of eligible) for (const r of e.reasons.filter(isAsk)) {
      const k = ABOUT[r.about ?? ''] ?? (r.about ? r.about.toLowerCase().replace(/_/g, ' ') : 'Other');
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push({ service: e.node.name, message: r.message });
    }
    return [...groups.entries()];
  }, [eligible]);
  const tickedServices = (result?.edges ?? []).map((e) => e.node).filter((s) => ticked.includes(s.id));

  const logCall = <LogCall apiKey={apiKey} family={family} referred={tickedServices.map((s) => s.id)} logged={logged} setLogged={setLogged} />;
  if (showList && tickedServices.length) {
    return <FamilyList services={tickedServices} onClose={() => setShowList(false)} extra={logCall} />;
  }

  return (
    <div class="call">
      <form class="call-form no-print" onSubmit={submit} aria-labelledby="call-title" noValidate>
        <h2 id="call-title">A call</h2>
        <fieldset>
          <legend>Where the family lives</legend>
          <div class="row">
            <label>ZIP code <input name="zip" inputMode="numeric" autoComplete="off" value={form.zip} onInput={(e) => set({ zip: e.currentTarget.value })} /></label>
            <span class="or">or</span>
            <label>City <input name="city" autoComplete="off" value={form.city} onInput={(e) => set({ city: e.currentTarget.value })} /></label>
            <label>State <input name="state" class="short" maxLength={2} autoComplete="off" value={form.state} onInput={(e) => set({ state: e.currentTarget.value })} /></label>
          </div>
        </fieldset>
        <fieldset>
          <legend>The child</legend>
          <div class="row">
            {([['', 'Not said'], ['birth', 'Birth date'], ['age', 'Age'], ['pregnant', 'Expecting']] as const).map(([v, l]) => (
              <label key={v}><input type="radio" name="child" value={v} checked={form.child === v} onChange={() => set({ child: v })} /> {l}</label>
            ))}
          </div>
          {form.child === 'birth' && <label>Birth date <input type="date" name="birthDate" value={form.birthDate} onInput={(e) => set({ birthDate: e.currentTarget.value })} /></label>}
          {form.child === 'age' && (
            <div class="row">
              <label>Years <input name="ageYears" class="short" inputMode="numeric" value={form.ageYears} onInput={(e) => set({ ageYears: e.currentTarget.value })} /></label>
              <label>Months <input name="ageMonths" class="short" inputMode="numeric" value={form.ageMonths} onInput={(e) => set({ ageMonths: e.currentTarget.value })} /></label>
            </div>
          )}
          {form.child === 'pregnant' && (
            <div class="row">
              <label><input type="radio" name="pregnancy" checked={form.pregnancy === 'due'} onChange={() => set({ pregnancy: 'due' })} /> Due date</label>
              <label><input type="radio" name="pregnancy" checked={form.pregnancy === 'week'} onChange={() => set({ pregnancy: 'week' })} /> Week</label>
              {form.pregnancy === 'due'
                ? <label>Due date <input type="date" name="dueDate" value={form.dueDate} onInput={(e) => set({ dueDate: e.currentTarget.value })} /></label>
                : <label>Week of pregnancy <input name="week" class="short" inputMode="numeric" value={form.week} onInput={(e) => set({ week: e.currentTarget.value })} /></label>}
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>The family</legend>
          <div class="row">
            <label>First-time parent
              <select name="firstTime" value={form.firstTime} onChange={(e) => set({ firstTime: e.currentTarget.value as CallForm['firstTime'] })}>
                <option value="">Not said</option><option value="yes">Yes</option><option value="no">No</option>
              </select>
            </label>
            <label>Court involvement
              <select name="court" value={form.court} onChange={(e) => set({ court: e.currentTarget.value as CallForm['court'] })}>
                <option value="">Not said</option><option value="yes">Yes</option><option value="no">No</option>
              </select>
            </label>
            <label>Household size <input name="household" class="short" inputMode="numeric" value={form.household} onInput={(e) => set({ household: e.currentTarget.value })} /></label>
            <label>Yearly income ($) <input name="income" inputMode="numeric" value={form.income} onInput={(e) => set({ income: e.currentTarget.value })} /></label>
          </div>
        </fieldset>
        <NeedsPicker needs={needs} value={form.needs} onChange={(v) => set({ needs: v })} />
        <fieldset>
          <legend>Preferences</legend>
          <label>Language
            <select name="language" value={form.language} onChange={(e) => set({ language: e.currentTarget.value })}>
              <option value="">Not said</option>
              {LANGUAGES.map((c) => <option key={c} value={c}>{languageName(c, 'en')}</option>)}
            </select>
          </label>
          <div class="row" role="group" aria-label="How they would like to be served">
            {DELIVERY.map(([v, l]) => (
              <label key={v}><input type="checkbox" checked={form.delivery.includes(v)} onChange={(e) => set({ delivery: e.currentTarget.checked ? [...form.delivery, v] : form.delivery.filter((d) => d !== v) })} /> {l}</label>
            ))}
          </div>
        </fieldset>
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Finding…' : 'Find services'}</button>
          <button type="button" onClick={() => { setForm(emptyForm); setResult(null); setError(''); }}>New call</button>
        </div>
        <p role="alert" class="error">{error}</p>
      </form>

      {result && (
        <section class="results" aria-labelledby="results-title">
          <h2 id="results-title" ref={resultsHeading} tabIndex={-1}>
            {eligible.length} {eligible.length === 1 ? 'service fits' : 'services fit'}
          </h2>
          <p class="hint" data-drawn-ms={drawnMs == null ? '' : drawnMs.toFixed(0)}>
            {near.length} near {near.length === 1 ? 'miss' : 'misses'} · {result.unservedPrograms.length} programs with no local site
          </p>
          <div class="send no-print">
            <button type="button" class="primary" disabled={!tickedServices.length} onClick={() => setShowList(true)}>
              Family list ({tickedServices.length})
            </button>
            {logCall}
          </div>

          {asks.length > 0 && (
            <section class="ask-box" aria-labelledby="ask-title">
              <h3 id="ask-title">Ask the caller</h3>
              <ul>
                {asks.map(([k, items]) => (
                  <li key={k}>
                    <strong>{k}</strong>
                    <ul>{items.map((it, i) => <li key={i}>{it.message} <span class="hint">({it.service})</span></li>)}</ul>
                  </li>
                ))}
              </ul>
            </section>
          )}

          <h3>Services, best first</h3>
          {eligible.length === 0 && <p>No service fits what the caller said. Check the near misses and the programs below.</p>}
          <ol class="cards">
            {eligible.map((e, i) => (
              <ServiceCard key={e.node.id} edge={e} rank={i + 1} ticked={ticked.includes(e.node.id)}
                onTick={(on) => setTicked(on ? [...ticked, e.node.id] : ticked.filter((t) => t !== e.node.id))} />
            ))}
          </ol>

          {near.length > 0 && (
            <details class="near">
              <summary>Near misses ({near.length}): services that do not fit, and why</summary>
              <ul>
                {near.map((e) => (
                  <li key={e.node.id}>
                    <strong>{e.node.name}</strong> <Badge sample={e.node.sample} /> <span class="hint">{e.node.organization.name}</span>
                    <ul class="reasons">{e.unmet.map((r, i) => <li key={i}>{r.message}</li>)}</ul>
                  </li>
                ))}
              </ul>
            </details>
          )}

          {result.unservedPrograms.length > 0 && (
            <section aria-labelledby="unserved-title">
              <h3 id="unserved-title">Programs that fit, with no local site listed</h3>
              <ul class="unserved">
                {result.unservedPrograms.map((p) => (
                  <li key={p.program.id}>
                    <strong>{p.program.name}</strong> <Badge sample={p.program.sample} />
                    {p.program.siteFinderUrl && <> · site finder: <span class="url">{p.program.siteFinderUrl}</span></>}
                    <ul class="reasons">{p.reasons.map((r, i) => <li key={i} class={isAsk(r) ? 'ask' : 'ok'}>{isAsk(r) && <span class="tag">Ask</span>} {r.message}</li>)}</ul>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </section>
      )}
    </div>
  );
}
