// The gaps query (issue 17, part 5): byCounty (calls, admin keys only) and
// uncovered (the directory's side, any key).
export interface GapRow {
  fips: string;
  county: string;
  need: string;
  calls?: number;
  unserved?: number;
  share?: number | null;
}

interface County { fips: string; fullName: string }
export type GapsData = {
  gaps: {
    byCounty?: { county: County; need: string; calls: number; unmet: number; unmetShare: number }[];
    uncovered?: { need: string; counties: County[] }[];
  };
};

export function GAPS(view: 'calls' | 'uncovered'): string {
  const part = view === 'calls'
    ? 'byCounty { county { fips fullName } need calls unmet unmetShare }'
    : 'uncovered { need counties { fips fullName } }';
  return `query ConsoleGaps($needs: [String!], $from: Date, $to: Date, $profile: FamilyProfileInput) {
  gaps(needs: $needs, from: $from, to: $to, profile: $profile) { ${part} }
}`;
}

export function gapRows(d: GapsData, view: 'calls' | 'uncovered', needName: (code: string) => string): GapRow[] {
  if (view === 'calls') {
    return (d.gaps.byCounty ?? []).map((g) => ({
      fips: g.county.fips, county: g.county.fullName, need: needName(g.need), calls: g.calls, unserved: g.unmet, share: g.unmetShare,
    }));
  }
  return (d.gaps.uncovered ?? []).flatMap((n) => n.counties.map((c) => ({ fips: c.fips, county: c.fullName, need: needName(n.need) })));
}
