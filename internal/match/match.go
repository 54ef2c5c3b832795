package match

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/hours"
)

// Matcher matches families against the directory in one ent client.
type Matcher struct {
	client *ent.Client
	now    func() time.Time
	// staleAfterMonths: a listing last verified longer ago is stale.
	staleAfterMonths int
	matcherState
}

// DefaultStaleAfterMonths is how long after its last verification a listing
// is called stale unless configured (village serve --stale-after).
const DefaultStaleAfterMonths = 12

// New returns a Matcher over client. now is the clock ages are counted at
// (nil: time.Now).
func New(client *ent.Client, now func() time.Time) *Matcher {
	if now == nil {
		now = time.Now
	}
	return &Matcher{client: client, now: now, staleAfterMonths: DefaultStaleAfterMonths}
}

// SetStaleAfterMonths sets how many months after its last verification a
// listing is stale (ranked after fresher ones, with a reason naming the
// month); months < 1 restores the default.
func (m *Matcher) SetStaleAfterMonths(months int) {
	if months < 1 {
		months = DefaultStaleAfterMonths
	}
	m.staleAfterMonths = months
}

// Options tune one match.
type Options struct {
	// IncludeIneligible adds near misses after the eligible results: the
	// services with an area in the family's state, or covering the family,
	// that fail at least one criterion.
	IncludeIneligible bool
	// RevealConfidential says whether the viewer may see the position of a
	// confidential location owned by the given organization (0: none), so
	// a distance may be measured to it, or it may place a service that
	// records no area; nil reveals none. For the public they are ignored,
	// so repeated queries from different places cannot triangulate them.
	RevealConfidential func(owner int) bool
	// OpeningsOnly leaves out (as near misses) the services that report no
	// openings (capacity available 0). A service that does not report its
	// capacity stays: silence is not a full waiting room.
	OpeningsOnly bool
	// VerifiedWithinMonths, when set, leaves out (as near misses) the
	// services not verified within that many months, never-verified ones
	// too.
	VerifiedWithinMonths *int
	// LeaveOut, when set, is asked once with the ids of every result
	// (eligible or not), and the results whose ids it returns are left
	// out entirely, before ranking and counting: match's openAt leaves
	// out the services known to be closed then.
	LeaveOut func(ids []int) (map[int]bool, error)

	// staleAfterMonths is the matcher's --stale-after, set by Match.
	staleAfterMonths int
}

// Result is one service matched to a family.
type Result struct {
	// Service is the service's row, nil until read for the page (see
	// Matcher.Rows): the index keeps only what matching tests of it.
	Service  *ent.Service
	Eligible bool
	// DistanceKm is to the service's nearest location with a known (and
	// visible) point; nil when either side has none.
	DistanceKm *float64
	// DistanceApproximate says DistanceKm is measured to the centre of the
	// nearest location's ZIP code: its address has no coordinates.
	DistanceApproximate bool
	// Coverage is the most specific area covering the family; nil for an
	// out-of-area near miss. Filled in with the reasons (Outcome.Page,
	// ExplainAll), as a row of the fields the index holds (see area).
	Coverage *ent.ServiceArea
	coverage *area
	Reasons  []Reason
	Unmet    []Reason
	// Open is the service's open state, set by the caller for the results
	// it shows (see package hours); nil until then.
	Open *hours.State
	// Score is the result's relative rank in (0, 1]; higher ranks first.
	Score float64
	key   rankKey
	// approx: the distance is measured to a ZIP's centre.
	approx bool

	// What evaluate needs to explain the result later.
	entry     *entry
	profile   *profile
	needs     []need
	opts      Options
	explained bool
}

// ServiceID is the result's service.
func (r *Result) ServiceID() int { return r.entry.svc.ID }

// Sample reports whether the result's service is sample data.
func (r *Result) Sample() bool { return r.entry.svc.Sample }

// explain fills in the result's reasons, once.
func (r *Result) explain() {
	if r.explained {
		return
	}
	full := evaluate(r.entry, r.profile, r.needs, r.opts, true)
	r.Reasons, r.Unmet, r.explained = full.Reasons, full.Unmet, true
	if r.coverage != nil {
		r.Coverage = r.entry.row(r.coverage)
	}
}

// ExplainAll fills in the reasons of every result (Page explains only the
// page it cuts).
func (o *Outcome) ExplainAll() {
	for _, r := range o.Results {
		r.explain()
	}
}

// ProgramSummary is a program among the results.
type ProgramSummary struct {
	Program         *ent.Program
	MatchedServices int
	// Nearest is the program's nearest result, or its best ranked when no
	// distance is known; nil for an unserved program, and until read
	// with the page (Matcher.Rows).
	Nearest *ent.Service
	nearest *Result
	// Reasons judge the family against the program's own rules (not its
	// services'): met, to confirm, or left open (UNSTATED).
	Reasons []Reason
}

// Outcome is a whole ranked answer; pages are cut from it.
type Outcome struct {
	// Results are every result, best first: the eligible ones and, with
	// IncludeIneligible, the near misses after them.
	Results  []*Result
	Programs []*ProgramSummary
	// Unserved are the programs that fit the family, as far as their own
	// rules tell, with no eligible non-sample result here (see
	// unservedPrograms).
	Unserved []*ProgramSummary
	Place    Place
	// AgeMonths is the child's age in completed months on the day of the
	// match, when the family gave an age or a birth date; Pregnant says
	// the family is expecting (said, or implied by a week or due date).
	// The call log keeps only their band (package calls).
	AgeMonths *int
	Pregnant  bool
}

// Match ranks the services that can serve f.
func (m *Matcher) Match(ctx context.Context, f Family, opts Options) (*Outcome, error) {
	// Today is the UTC date, as the HTTP cache's ETag counts days: ages and
	// staleness move at the same midnight wherever the server runs.
	today := civilDate(m.now().UTC())
	p, err := f.resolve(today)
	if err != nil {
		return nil, err
	}
	snap, err := m.current(ctx)
	if err != nil {
		return nil, err
	}
	needs, err := resolveNeeds(snap.needs, f.Needs)
	if err != nil {
		return nil, err
	}
	if w := opts.VerifiedWithinMonths; w != nil && (*w < 1 || *w > 1200) {
		return nil, &directory.FieldError{Field: "verifiedWithinMonths", Message: fmt.Sprintf("give a number of months from 1 to 1200 (got %d)", *w)}
	}
	opts.staleAfterMonths = m.staleAfterMonths
	// Services placed by location are found within the family's travel
	// limit; near misses look as far as the default too, so a service just
	// past the family's own limit shows as a DISTANCE near miss.
	reach := p.locationReach()
	if opts.IncludeIneligible {
		reach = max(reach, DefaultLocationReachKm)
	}
	entries := snap.candidates(p.place, opts.IncludeIneligible, needs, reach, opts.RevealConfidential)
	out := &Outcome{Place: p.place, AgeMonths: p.ageMonths, Pregnant: p.pregnant != nil && *p.pregnant}
	// Decided on the stack; the results kept share one array.
	kept := make([]Result, 0, len(entries))
	for _, e := range entries {
		if r := evaluate(e, p, needs, opts, false); r.Eligible || opts.IncludeIneligible {
			kept = append(kept, r)
		}
	}
	if opts.LeaveOut != nil {
		ids := make([]int, len(kept))
		for i := range kept {
			ids[i] = kept[i].ServiceID()
		}
		drop, err := opts.LeaveOut(ids)
		if err != nil {
			return nil, err
		}
		kept = slices.DeleteFunc(kept, func(r Result) bool { return drop[r.ServiceID()] })
	}
	out.Results = make([]*Result, len(kept))
	for i := range kept {
		r := &kept[i]
		if r.key.located {
			r.DistanceKm = &r.key.distance
		}
		r.DistanceApproximate = r.key.located && r.approx
		out.Results[i] = r
	}
	slices.SortFunc(out.Results, func(a, b *Result) int { return a.key.compare(b.key) })
	for i, r := range out.Results {
		r.Score = float64(len(out.Results)-i) / float64(len(out.Results))
	}
	out.Programs = summarisePrograms(out.Results)
	for _, sum := range out.Programs {
		sum.Reasons = programVerdict(sum.Program, p).reasons
	}
	out.Unserved = unservedPrograms(snap.programs, out.Results, p, needs)
	return out, nil
}

// need is one need the family asked for, with every term that meets it
// (the term and its narrower terms).
type need struct {
	code, name string
	terms      map[int]bool
	metBy      bitset // the services meeting it, by entry position
}

// vocabulary expands the needs vocabulary once per snapshot (ExpandNeeds).
func vocabulary(terms []*ent.TaxonomyTerm) map[string]need {
	names := make(map[string]string, len(terms))
	for _, t := range terms {
		if t.Vocabulary == schema.NeedsVocabulary {
			names[t.Code] = t.Name
		}
	}
	expanded := ExpandNeeds(terms)
	out := make(map[string]need, len(expanded))
	for code, met := range expanded {
		out[code] = need{code: code, name: names[code], terms: met}
	}
	return out
}

// ExpandNeeds returns each code of the needs vocabulary with every term
// that meets it (the term and its narrower terms). A term of another
// vocabulary that a crosswalk maps to a need (its need_id) counts as a
// narrower term of that need. Search expands its needs filter the same way.
func ExpandNeeds(terms []*ent.TaxonomyTerm) map[string]map[int]bool {
	children := map[int][]int{}
	for _, t := range terms {
		switch {
		case t.Vocabulary != schema.NeedsVocabulary:
			if t.NeedID != nil {
				children[*t.NeedID] = append(children[*t.NeedID], t.ID)
			}
		case t.ParentID != nil:
			children[*t.ParentID] = append(children[*t.ParentID], t.ID)
		}
	}
	out := make(map[string]map[int]bool, len(terms))
	for _, t := range terms {
		if t.Vocabulary != schema.NeedsVocabulary {
			continue
		}
		met := map[int]bool{}
		for queue := []int{t.ID}; len(queue) > 0; queue = queue[1:] {
			if !met[queue[0]] {
				met[queue[0]] = true
				queue = append(queue, children[queue[0]]...)
			}
		}
		out[t.Code] = met
	}
	return out
}

// resolveNeeds looks the family's need codes up in the vocabulary; an
// unknown or repeated code is bad input.
func resolveNeeds(vocab map[string]need, codes []string) ([]need, error) {
	var out []need
	for i, code := range codes {
		n, ok := vocab[code]
		if !ok {
			return nil, inputError(fmt.Sprintf("needs[%d]", i), "%q is not a need in the %s vocabulary", code, schema.NeedsVocabulary)
		}
		if slices.Index(codes, code) != i {
			return nil, inputError(fmt.Sprintf("needs[%d]", i), "%q is listed twice", code)
		}
		out = append(out, n)
	}
	return out, nil
}

// areaRank orders the kinds of coverage, most specific first: ZIP,
// RADIUS, COUNTY, STATE, NATIONWIDE, ONLINE. The result shows the most
// specific area covering the family, and ranking prefers specific coverage.
type areaRank uint8

const (
	rankZIP areaRank = iota
	rankRadius
	rankCounty
	rankState
	rankNationwide
	rankOnline
	rankText // covers no place: text areas never match by area
)

func rankOf(k servicearea.Kind) areaRank {
	switch k {
	case servicearea.KindZIP:
		return rankZIP
	case servicearea.KindRADIUS:
		return rankRadius
	case servicearea.KindCOUNTY:
		return rankCounty
	case servicearea.KindSTATE:
		return rankState
	case servicearea.KindNATIONWIDE:
		return rankNationwide
	case servicearea.KindONLINE:
		return rankOnline
	}
	return rankText
}

// specificity is the tier ranking compares (lower is more specific): ZIP,
// RADIUS and COUNTY alike, then STATE, then NATIONWIDE and ONLINE. Coverage
// of part of the family's place (specPartial) ranks after coverage of all
// of it by a state, before nationwide services; uncovered is last.
func (r areaRank) specificity() int {
	switch {
	case r <= rankCounty:
		return 0
	case r == rankState:
		return 1
	}
	return 3
}

// Coverage tiers after the areas' own: part of the family's place; then,
// after every stated area (nationwide and online among them), a service
// placed by a location near the family (it states no area); then a near
// miss out of the area.
const (
	specPartial    = 2
	specByLocation = 4
	specOutOfArea  = 5
)

// covering returns the most specific of the service's areas that covers
// the place (the first: an entry's areas are in rank order), or nil.
func covering(e *entry, place Place) *area {
	for i := range e.areas {
		if e.covers(&e.areas[i], place) {
			return &e.areas[i]
		}
	}
	return nil
}

// partly returns the most specific of the service's areas that covers part
// of a place larger than a ZIP (a city, county or state), or nil. A family
// placed so cannot be told the service reaches it until it gives its ZIP.
func partly(e *entry, place Place) *area {
	if place.ZIP != "" {
		return nil
	}
	for i := range e.areas {
		if e.coversPart(&e.areas[i], place) {
			return &e.areas[i]
		}
	}
	return nil
}

func (e *entry) coversPart(a *area, place Place) bool {
	if len(place.ZIPs) == 0 { // a state: any area lying in it
		switch a.rank {
		case rankZIP, rankCounty, rankRadius:
			return place.State != "" && e.tab.str(a.state) == place.State
		}
		return false
	}
	switch a.rank {
	case rankZIP:
		_, ok := slices.BinarySearch(place.ZIPs, e.tab.str(a.code))
		return ok
	case rankCounty:
		return slices.Contains(place.partCounties, e.tab.str(a.code))
	case rankRadius:
		if !a.circle {
			return false
		}
		c := e.centre(a)
		return slices.ContainsFunc(place.partPoints, func(pt LatLon) bool {
			return geo.DistanceKm(pt.Lat, pt.Lon, c.lat, c.lon) <= c.km
		})
	}
	return false
}

func (e *entry) covers(a *area, place Place) bool {
	switch a.rank {
	case rankNationwide, rankOnline:
		return true
	case rankState:
		return place.State != "" && e.tab.str(a.code) == place.State
	case rankCounty:
		return slices.Contains(place.MatchCounties, e.tab.str(a.code))
	case rankZIP:
		return place.ZIP != "" && e.tab.str(a.code) == place.ZIP
	case rankRadius:
		if place.Point == nil || !a.circle {
			return false
		}
		c := e.centre(a)
		return geo.DistanceKm(place.Point.Lat, place.Point.Lon, c.lat, c.lon) <= c.km
	}
	return false
}

// nearestDistance is the distance from the family to the service's nearest
// location with a point the caller may see. Locations are compared by the
// chord between unit vectors (monotone with the great-circle distance and
// computed when the index is read); only the nearest is turned into
// kilometres.
//
// approx says the nearest is placed at its ZIP's centre (an address without
// coordinates); of two equally near, the exact one is taken.
func nearestDistance(e *entry, from *[3]float64, reveal func(owner int) bool) (km float64, ok, approx bool) {
	if from == nil {
		return 0, false, false
	}
	best := math.Inf(1)
	for i := range e.locs {
		l := &e.locs[i]
		if !l.visible(reveal) {
			continue
		}
		dx, dy, dz := from[0]-l.v[0], from[1]-l.v[1], from[2]-l.v[2]
		if d := dx*dx + dy*dy + dz*dz; d < best || (d == best && approx && !l.approx) {
			best, approx = d, l.approx
		}
	}
	if math.IsInf(best, 1) {
		return 0, false, false
	}
	return 2 * geo.EarthRadiusKm * math.Asin(min(math.Sqrt(best)/2, 1)), true, approx
}

// summarisePrograms groups the results by program, in the order of each
// program's best result. A program's nearest is its nearest eligible
// result (its nearest near miss only when none is eligible), or its best
// ranked when no distance is known.
func summarisePrograms(results []*Result) []*ProgramSummary {
	var out []*ProgramSummary
	index := map[int]*ProgramSummary{}
	nearest := map[int]*Result{}
	for _, r := range results {
		prog := r.entry.program
		if prog == nil {
			continue
		}
		id := prog.ID
		sum, ok := index[id]
		if !ok {
			sum = &ProgramSummary{Program: prog}
			index[id] = sum
			out = append(out, sum)
		}
		sum.MatchedServices++
		if best := nearest[id]; best == nil || (r.Eligible == best.Eligible && r.DistanceKm != nil &&
			(best.DistanceKm == nil || *r.DistanceKm < *best.DistanceKm)) {
			nearest[id] = r
		}
	}
	for id, sum := range index {
		sum.nearest = nearest[id]
	}
	return out
}

// listNames joins names for a sentence: "a, b and c".
func listNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
