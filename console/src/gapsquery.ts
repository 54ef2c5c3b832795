// The gaps query (issue 17, part 5). The field names follow the GapReport
// type: byCounty (calls, admins only) and uncovered (directory, any key).
export interface GapRow {
  fips: string;
  county: string;
  need: string;
  calls?: number;
  unserved?: number;
  share?: number | null;
}

export type GapsData = { gaps: { byCounty?: RawCountyGap[]; uncovered?: RawCountyNeed[] } };
interface RawCountyGap { county: { fips: string; fullName: string }; need: { code: string; name: string }; calls: number; callsWithoutService: number; shareWithoutService: number | null }
interface RawCountyNeed { county: { fips: string; fullName: string }; need: { code: string; name: string } }

export function GAPS(view: 'calls' | 'uncovered'): string {
  const part = view === 'calls'
    ? 'byCounty { county { fips fullName } need { code name } calls callsWithoutService shareWithoutService }'
    : 'uncovered { county { fips fullName } need { code name } }';
  return `query ConsoleGaps($needs: [String!], $from: Date, $to: Date) { gaps(needs: $needs, from: $from, to: $to) { ${part} } }`;
}

export function gapRows(d: GapsData, view: 'calls' | 'uncovered'): GapRow[] {
  if (view === 'calls') return (d.gaps.byCounty ?? []).map((g) => ({ fips: g.county.fips, county: g.county.fullName, need: g.need.name, calls: g.calls, unserved: g.callsWithoutService, share: g.shareWithoutService }));
  return (d.gaps.uncovered ?? []).map((g) => ({ fips: g.county.fips, county: g.county.fullName, need: g.need.name }));
}
