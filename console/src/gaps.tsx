import { useEffect, useMemo, useState } from 'preact/hooks';
import { gql, GraphQLError } from './gql';
import { GAPS, gapRows, type GapRow, type GapsData } from './gapsquery';
import type { Need } from './types';

interface CountyMap {
  credit: string;
  width: number;
  height: number;
  stateBorders: string;
  nation: string;
  counties: Record<string, string>;
  names: Record<string, string>;
  states: Record<string, string>;
}

let mapPromise: Promise<CountyMap> | null = null;
// The county map is fetched only when this page opens: it is not part of the
// console's first load.
function loadMap(): Promise<CountyMap> {
  mapPromise ??= fetch(import.meta.env.BASE_URL + 'counties.json').then((r) => {
    if (!r.ok) throw new Error('map ' + r.status);
    return r.json();
  });
  return mapPromise;
}

type View = 'calls' | 'uncovered';
type SortKey = keyof GapRow;

const SHADES = 5;
const TABLE_ROWS = 500;

function csvCell(v: unknown): string {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function toCSV(rows: GapRow[], view: View): string {
  const head = view === 'calls'
    ? ['county_fips', 'county', 'need', 'calls', 'calls_without_eligible_service', 'share_without_service']
    : ['county_fips', 'county', 'need'];
  const lines = [head.join(',')];
  for (const r of rows) {
    const cells = view === 'calls'
      ? [r.fips, r.county, r.need, r.calls, r.unserved, r.share == null ? '' : r.share.toFixed(4)]
      : [r.fips, r.county, r.need];
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function GapsPage({ apiKey, needs }: { apiKey: string; needs: Need[] }) {
  const [view, setView] = useState<View>('calls');
  const [need, setNeed] = useState('');
  const [from, setFrom] = useState('');
  const [ageMonths, setAgeMonths] = useState('');
  const [firstTime, setFirstTime] = useState('');
  const [to, setTo] = useState('');
  const [data, setData] = useState<GapsData | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [map, setMap] = useState<CountyMap | null>(null);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'unserved', desc: true });
  const [csvUrl, setCsvUrl] = useState('');
  const [metric, setMetric] = useState<'unserved' | 'calls'>('unserved');

  useEffect(() => {
    loadMap().then(setMap).catch(() => setError('The county map could not be loaded.'));
  }, []);

  async function run(e?: Event) {
    e?.preventDefault();
    setBusy(true);
    setError('');
    const vars: Record<string, unknown> = {};
    if (need) vars.needs = [need];
    if (from) vars.from = from;
    if (to) vars.to = to;
    const profile: Record<string, unknown> = {};
    if (ageMonths.trim() && Number.isFinite(Number(ageMonths))) profile.childAgeMonths = Number(ageMonths);
    if (firstTime) profile.firstTimeParent = firstTime === 'yes';
    if (Object.keys(profile).length) vars.profile = profile;
    try {
      setData(await gql<GapsData>(apiKey, GAPS(view), vars));
    } catch (err) {
      const g = err as GraphQLError;
      setError(g.code === 'FORBIDDEN' && view === 'calls' ? 'Call figures are for admin keys; the directory view (counties no service covers) works with any key.' : g.message);
      setData(null);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => { run(); }, [view]);

  const rows = useMemo(() => {
    const rs = data ? gapRows(data, view, (c) => needs.find((n) => n.code === c)?.name ?? c) : [];
    const k = sort.key;
    return [...rs].sort((a, b) => {
      const x = a[k] ?? -1, y = b[k] ?? -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -c : c;
    });
  }, [data, view, sort, needs]);

  // One value per county for the map: calls, or calls without an eligible
  // service (calls view), or how many needs go uncovered (directory view).
  const byCounty = useMemo(() => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(r.fips, (m.get(r.fips) ?? 0) + (view === 'calls' ? (metric === 'calls' ? r.calls : r.unserved) ?? 0 : 1));
    return m;
  }, [rows, view, metric]);
  const max = Math.max(0, ...byCounty.values());

  useEffect(() => {
    const url = URL.createObjectURL(new Blob([toCSV(rows, view)], { type: 'text/csv;charset=utf-8' }));
    setCsvUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [rows, view]);

  const shade = (v: number | undefined) => (v == null || v === 0 || max === 0 ? 0 : Math.max(1, Math.ceil((v / max) * SHADES)));
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key !== 'county' && key !== 'need' })}>{label}</button>
    </th>
  );

  return (
    <div class="gaps">
      <h2 tabIndex={-1}>Gaps</h2>
      <form class="row no-print" onSubmit={run}>
        <fieldset class="inline">
          <legend>Show</legend>
          <label><input type="radio" name="gap-view" checked={view === 'calls'} onChange={() => setView('calls')} /> Calls with no eligible service</label>
          <label><input type="radio" name="gap-view" checked={view === 'uncovered'} onChange={() => setView('uncovered')} /> Counties no service covers</label>
        </fieldset>
        <label>Need
          <select value={need} onChange={(e) => setNeed(e.currentTarget.value)}>
            <option value="">Every need</option>
            {needs.map((n) => <option key={n.code} value={n.code}>{n.name}</option>)}
          </select>
        </label>
        {view === 'calls' && <>
          <label>From <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} /></label>
          <label>To <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} /></label>
        </>}
        <label>Child's age (months) <input class="short" inputMode="numeric" value={ageMonths} onInput={(e) => setAgeMonths(e.currentTarget.value)} /></label>
        <label>First-time parent
          <select value={firstTime} onChange={(e) => setFirstTime(e.currentTarget.value)}>
            <option value="">Any</option><option value="yes">Yes</option><option value="no">No</option>
          </select>
        </label>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Loading…' : 'Show'}</button>
      </form>
      <p role="alert" class="error">{error}</p>
      {view === 'calls' && (
        <fieldset class="inline no-print">
          <legend>Shade the map by</legend>
          <label><input type="radio" name="gap-metric" checked={metric === 'unserved'} onChange={() => setMetric('unserved')} /> Calls with no eligible service</label>
          <label><input type="radio" name="gap-metric" checked={metric === 'calls'} onChange={() => setMetric('calls')} /> Calls</label>
        </fieldset>
      )}
      <figure class="map">
        {map ? (
          <svg viewBox={`0 0 ${map.width} ${map.height}`} role="img" aria-labelledby="map-title map-desc">
            <title id="map-title">County map</title>
            <desc id="map-desc">{view === 'calls' ? (metric === 'calls' ? 'Counties shaded by calls' : 'Counties shaded by calls with no eligible service') : 'Counties shaded by how many needs no service covers'}; {byCounty.size} counties shown. The table below lists the same figures.</desc>
            <path d={map.nation} class="nation" />
            {Object.entries(map.counties).map(([fips, d]) => {
              const v = byCounty.get(fips);
              return (
                <path key={fips} d={d} class={'county s' + shade(v)} data-fips={fips} data-value={v ?? 0}>
                  <title>{map.names[fips]}{map.states[fips.slice(0, 2)] ? ', ' + map.states[fips.slice(0, 2)] : ''}: {v ?? 0}</title>
                </path>
              );
            })}
            <path d={map.stateBorders} class="borders" />
          </svg>
        ) : <p>Loading the map…</p>}
        <figcaption>{map?.credit}</figcaption>
      </figure>
      <p class="row no-print">
        <a class="button" href={csvUrl} download={`village-gaps-${view}.csv`}>Download CSV</a>
        <span class="hint">{rows.length} rows{rows.length > TABLE_ROWS ? `; the table shows the first ${TABLE_ROWS} in this order, the CSV has them all` : ''}</span>
      </p>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Gap table">
      <table class="gap-table">
        <caption>{view === 'calls' ? 'Calls by county and need' : 'Needs no service covers, by county'}</caption>
        <thead>
          <tr>
            {header('county', 'County')}
            {header('need', 'Need')}
            {view === 'calls' && header('calls', 'Calls')}
            {view === 'calls' && header('unserved', 'No eligible service')}
            {view === 'calls' && header('share', 'Share')}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, TABLE_ROWS).map((r) => (
            <tr key={r.fips + '/' + r.need}>
              <td>{r.county} <span class="hint">{r.fips}</span></td>
              <td>{r.need}</td>
              {view === 'calls' && <td class="num">{r.calls}</td>}
              {view === 'calls' && <td class="num">{r.unserved}</td>}
              {view === 'calls' && <td class="num">{r.share == null ? '—' : Math.round(r.share * 100) + '%'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </div>
  );
}
