package match

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
)

// Profile is what a family says about itself apart from its place and its
// needs: what Uncovered judges every county's services against. Nil means
// "not said", as in Family.
type Profile struct {
	ChildAgeMonths  *int
	ChildBirthDate  *time.Time
	Pregnant        *bool
	PregnancyWeek   *int
	DueDate         *time.Time
	FirstTimeParent *bool
	CourtInvolved   *bool
	HouseholdSize   *int
	AnnualIncome    *int
	Language        *string
}

// CountyNeed is one need and the counties where no service covers a family
// of the profile asked about, in FIPS order.
type CountyNeed struct {
	Need     string
	Counties []geo.County
}

// Uncovered answers, for each need (every need of the vocabulary when none
// is given, in code order), the counties where no service covers a family of
// profile prof: the directory's side of a gap report, which needs no calls.
//
// A county is covered for a need when at least one service meeting the need
// is eligible for a family of the profile placed in that county, as Match
// decides it for a family placed by that county (the matcher's own
// evaluate): a CONFIRM or UNSTATED reason does not exclude, so a service
// that may serve the family covers it. Coverage of part of the county
// counts (a ZIP or a RADIUS reaching one of its ZIP centroids: the family
// may live there), and so does a service that states no area but has a
// location, visible to the caller (reveal), in the county. A county is
// listed only when nothing reaches any of it: the list never calls a place
// unserved that a service may serve. Sample services cover nothing (they
// are not real services). A language, when given, is required rather than
// preferred: a service covers the family when it is offered in that
// language or lists no languages (unknown is not "no").
//
// Every county the reference table knows is judged (geo.Counties: both of
// Connecticut's vintages among them, each matching the other's coverage as
// Match does). The work is bounded by the index, not by counties × needs
// queries: the services a whole state shares (nationwide, online and
// statewide) are judged once per state, and each county judges only the
// services with an area in it (a county, ZIP or radius) or located in it.
func (m *Matcher) Uncovered(ctx context.Context, prof Profile, needCodes []string, reveal func(owner int) bool) ([]CountyNeed, error) {
	base, err := prof.resolve(m.now())
	if err != nil {
		return nil, err
	}
	snap, err := m.current(ctx)
	if err != nil {
		return nil, err
	}
	if len(needCodes) == 0 {
		for code := range snap.needs {
			needCodes = append(needCodes, code)
		}
		slices.Sort(needCodes)
	}
	needs, err := resolveNeeds(snap.needs, needCodes)
	if err != nil {
		return nil, renameField(err, "family.", "")
	}
	opts := Options{RevealConfidential: reveal, staleAfterMonths: m.staleAfterMonths}

	// relevant reports whether e could cover any county: not a sample,
	// offered in the language required, meeting a need asked.
	relevant := func(e *entry) bool {
		if e.svc.Sample {
			return false
		}
		if l := base.language; l != "" && len(e.Languages()) > 0 &&
			!slices.ContainsFunc(e.Languages(), func(x string) bool { return sameLanguage(x, l) }) {
			return false
		}
		return slices.ContainsFunc(needs, func(n need) bool { return n.metBy.has(e.pos) })
	}
	// serves reports whether e may serve a family of the profile placed at
	// p: Match's verdict, for a relevant service.
	serves := func(e *entry, p *profile) bool {
		return relevant(e) && evaluate(e, p, nil, opts, false).Eligible
	}
	// radii are the RADIUS areas of relevant services, by latitude.
	var radii []radius
	widest := 0.0
	for _, r := range snap.radii {
		if relevant(&snap.entries[r.pos]) {
			radii = append(radii, r)
			widest = max(widest, r.km)
		}
	}
	// wanted reports whether e meets a need not covered yet: only then is
	// it worth judging.
	wanted := func(e *entry, covered []bool) bool {
		for i, n := range needs {
			if !covered[i] && n.metBy.has(e.pos) {
				return true
			}
		}
		return false
	}
	// meets marks, in covered, the needs e meets.
	meets := func(e *entry, covered []bool) {
		for i, n := range needs {
			if !covered[i] && n.metBy.has(e.pos) {
				covered[i] = true
			}
		}
	}

	// Services with no area are placed in the counties of their visible
	// locations (the nearest ZIP's counties), judged from that ZIP.
	type placed struct {
		e     *entry
		place Place
		from  [3]float64
	}
	var located map[string][]placed
	locate := func() {
		located = map[string][]placed{}
		for _, st := range snap.sites {
			e := &snap.entries[st.pos]
			l := &e.locs[st.loc]
			if !l.visible(reveal) || !relevant(e) {
				continue
			}
			z, _, ok := geo.NearestZIP(st.lat, st.lon)
			if !ok {
				continue
			}
			zp := zipPlace(z)
			for _, c := range z.Counties {
				located[c.FIPS] = append(located[c.FIPS], placed{e: e, place: zp, from: l.v})
			}
		}
	}

	type shared struct {
		judged  bitset // the state's shared services, judged
		covered []bool // per need: a shared service covers it
	}
	states := map[string]*shared{}
	counties := geo.Counties()
	uncovered := make([][]geo.County, len(needs))
	for _, c := range counties {
		p := *base
		p.from = nil
		p.place = countyPlace(c, false)
		sh := states[c.StateCode]
		if sh == nil {
			sh = &shared{judged: newBitset(len(snap.entries)), covered: make([]bool, len(needs))}
			list := slices.Concat(snap.everyone, snap.withCode(rankState, c.StateCode))
			for _, i := range list {
				e := &snap.entries[i]
				if sh.judged.has(e.pos) || !wanted(e, sh.covered) {
					continue
				}
				sh.judged.set(e.pos)
				if serves(e, &p) {
					meets(e, sh.covered)
				}
			}
			states[c.StateCode] = sh
		}
		covered := slices.Clone(sh.covered)
		if !slices.Contains(covered, false) {
			continue // the state's shared services cover every need here
		}
		p.place = countyPlace(c, true)
		if located == nil {
			locate()
		}
		local := newBitset(len(snap.entries))
		for _, code := range p.place.MatchCounties {
			for _, i := range snap.withCode(rankCounty, code) {
				local.set(int(i))
			}
		}
		for _, zip := range p.place.ZIPs {
			for _, i := range snap.withCode(rankZIP, zip) {
				local.set(int(i))
			}
		}
		for _, pt := range p.place.partPoints {
			addRadii(radii, widest, local, pt)
		}
		local.each(func(i int) {
			e := &snap.entries[i]
			if !sh.judged.has(i) && wanted(e, covered) && serves(e, &p) {
				meets(e, covered)
			}
		})
		for _, code := range p.place.MatchCounties {
			for _, pl := range located[code] {
				q := *base
				q.place, q.from = pl.place, &pl.from
				if wanted(pl.e, covered) && serves(pl.e, &q) {
					meets(pl.e, covered)
				}
			}
		}
		for i, ok := range covered {
			if !ok {
				uncovered[i] = append(uncovered[i], c)
			}
		}
	}
	out := make([]CountyNeed, len(needs))
	for i, n := range needs {
		out[i] = CountyNeed{Need: n.code, Counties: uncovered[i]}
		if out[i].Counties == nil {
			out[i].Counties = []geo.County{}
		}
	}
	return out, nil
}

// countyPlace is the place of a family placed by county, as resolvePlace
// makes it, with (points) the county's ZIP centroids as the points a
// RADIUS area may reach part of it by.
func countyPlace(c geo.County, points bool) Place {
	p := Place{State: c.StateCode, Counties: []geo.County{c}, MatchCounties: geo.EquivalentCounties(c.FIPS), ZIPs: geo.CountyZIPs(c.FIPS)}
	for _, zip := range p.ZIPs {
		if !points {
			break
		}
		if z, ok := geo.LookupZIP(zip); ok && z.HasCentroid {
			p.partPoints = append(p.partPoints, LatLon{z.Latitude, z.Longitude})
		}
	}
	return p
}

// renameField moves a field error's path from one prefix to another.
func renameField(err error, from, to string) error {
	if fe, ok := err.(*directory.FieldError); ok && strings.HasPrefix(fe.Field, from) {
		return &directory.FieldError{Field: to + strings.TrimPrefix(fe.Field, from), Message: fe.Message}
	}
	return err
}

// CheckNeeds reports whether every code is a need of the vocabulary, each
// once: bad input at needs[i] otherwise.
func (m *Matcher) CheckNeeds(ctx context.Context, codes []string) error {
	snap, err := m.current(ctx)
	if err != nil {
		return err
	}
	_, err = resolveNeeds(snap.needs, codes)
	return renameField(err, "family.", "")
}

// Facts are a profile's age and pregnancy on a day, as Match counts them:
// the child's age in completed months (nil when neither an age nor a birth
// date is given) and whether the family is expecting (said, or implied by a
// week or due date).
func (p Profile) Facts(now time.Time) (ageMonths *int, pregnant bool, err error) {
	r, err := p.resolve(now)
	if err != nil {
		return nil, false, err
	}
	return r.ageMonths, r.pregnant != nil && *r.pregnant, nil
}

// resolve validates the profile as Family.resolve does, but its place
// (the caller places it), with errors at profile.<field>.
func (p Profile) resolve(now time.Time) (*profile, error) {
	f := Family{ChildAgeMonths: p.ChildAgeMonths, ChildBirthDate: p.ChildBirthDate,
		Pregnant: p.Pregnant, PregnancyWeek: p.PregnancyWeek, DueDate: p.DueDate,
		FirstTimeParent: p.FirstTimeParent, CourtInvolved: p.CourtInvolved,
		HouseholdSize: p.HouseholdSize, AnnualIncome: p.AnnualIncome, Language: p.Language}
	r, err := f.resolveFacts(civilDate(now.UTC()))
	if err != nil {
		return nil, renameField(err, "family.", "profile.")
	}
	return r, nil
}
