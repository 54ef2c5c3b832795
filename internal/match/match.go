package match

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/predicate"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/geo"
)

// Matcher matches families against the directory in one ent client.
type Matcher struct {
	client *ent.Client
	now    func() time.Time
}

// New returns a Matcher over client. now is the clock ages are counted at
// (nil: time.Now).
func New(client *ent.Client, now func() time.Time) *Matcher {
	if now == nil {
		now = time.Now
	}
	return &Matcher{client: client, now: now}
}

// Options tune one match.
type Options struct {
	// IncludeIneligible adds near misses after the eligible results: the
	// services with an area in the family's state, or covering the family,
	// that fail at least one criterion.
	IncludeIneligible bool
	// RevealConfidential lets distances be measured to confidential
	// locations (staff only). For the public they are ignored, so repeated
	// queries from different places cannot triangulate them.
	RevealConfidential bool
}

// Result is one service matched to a family.
type Result struct {
	// Service is the service, loaded with the columns matching needs; the
	// caller reloads what it shows.
	Service  *ent.Service
	Eligible bool
	// DistanceKm is to the service's nearest location with a known (and
	// visible) point; nil when either side has none.
	DistanceKm *float64
	// Coverage is the most specific area covering the family; nil for an
	// out-of-area near miss.
	Coverage *ent.ServiceArea
	Reasons  []Reason
	Unmet    []Reason
	// Score is the result's relative rank in (0, 1]; higher ranks first.
	Score float64
	key   rankKey
}

// ProgramSummary is a program among the results.
type ProgramSummary struct {
	Program         *ent.Program
	MatchedServices int
	// Nearest is the program's nearest result, or its best ranked when no
	// distance is known.
	Nearest *ent.Service
}

// Outcome is a whole ranked answer; pages are cut from it.
type Outcome struct {
	// Results are every result, best first: the eligible ones and, with
	// IncludeIneligible, the near misses after them.
	Results  []*Result
	Programs []*ProgramSummary
	Place    Place
}

// Match ranks the services that can serve f.
func (m *Matcher) Match(ctx context.Context, f Family, opts Options) (*Outcome, error) {
	today := civilDate(m.now())
	p, err := f.resolve(today)
	if err != nil {
		return nil, err
	}
	needs, err := m.resolveNeeds(ctx, f.Needs)
	if err != nil {
		return nil, err
	}
	services, err := m.candidates(ctx, p.place, opts.IncludeIneligible)
	if err != nil {
		return nil, err
	}
	programs, err := m.programs(ctx, services)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Place: p.place}
	for _, s := range services {
		r := evaluate(s, programs[programID(s)], p, needs, opts)
		if r.Eligible || opts.IncludeIneligible {
			out.Results = append(out.Results, r)
		}
	}
	slices.SortFunc(out.Results, func(a, b *Result) int { return a.key.compare(b.key) })
	for i, r := range out.Results {
		r.Score = float64(len(out.Results)-i) / float64(len(out.Results))
	}
	out.Programs = summarisePrograms(out.Results, programs)
	return out, nil
}

func programID(s *ent.Service) int {
	if s.ProgramID == nil {
		return 0
	}
	return *s.ProgramID
}

// candidates loads the active services with an area that may cover the
// place (and, for near misses, any area in its state), with what the rules
// need: areas, needs, and located places. A fixed number of statements,
// whatever the size of the directory.
func (m *Matcher) candidates(ctx context.Context, place Place, nearMisses bool) ([]*ent.Service, error) {
	areas := []predicate.ServiceArea{servicearea.KindIn(servicearea.KindNATIONWIDE, servicearea.KindONLINE)}
	if place.State != "" {
		areas = append(areas, servicearea.And(servicearea.KindEQ(servicearea.KindSTATE), servicearea.CodeEQ(place.State)))
		if nearMisses {
			areas = append(areas, servicearea.StateCodeEQ(place.State))
		}
	}
	if len(place.MatchCounties) > 0 {
		areas = append(areas, servicearea.And(servicearea.KindEQ(servicearea.KindCOUNTY), servicearea.CodeIn(place.MatchCounties...)))
	}
	if place.ZIP != "" {
		areas = append(areas, servicearea.And(servicearea.KindEQ(servicearea.KindZIP), servicearea.CodeEQ(place.ZIP)))
	}
	if pt := place.Point; pt != nil {
		// A cheap bound narrows RADIUS areas in SQL: a great circle is at
		// least as long as its latitude difference, 111.195 km a degree;
		// rounded down (111.19) so the bound never drops a circle the exact
		// great-circle test in Go would keep.
		// (Built with Arg, not ExprP and "?", so that PostgreSQL gets its
		// own $n placeholder.)
		areas = append(areas, servicearea.And(servicearea.KindEQ(servicearea.KindRADIUS), func(s *sql.Selector) {
			s.Where(sql.P(func(b *sql.Builder) {
				b.WriteString("ABS(").WriteString(s.C(servicearea.FieldCenterLatitude)).WriteString(" - ").Arg(pt.Lat).
					WriteString(") * 111.19 <= ").WriteString(s.C(servicearea.FieldRadiusKm))
			}))
		}))
	}
	return m.client.Service.Query().
		Where(
			service.StatusNotIn(service.StatusINACTIVE, service.StatusDEFUNCT),
			service.HasServiceAreasWith(servicearea.Or(areas...)),
		).
		Select(service.FieldName, service.FieldStatus, service.FieldProgramID, service.FieldOrganizationID,
			service.FieldLanguages, service.FieldDeliveryModes, service.FieldVerifiedAt, service.FieldEligibility,
			service.FieldSample).
		WithServiceAreas().
		WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) }).
		WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) {
			q.Select(serviceatlocation.FieldServiceID, serviceatlocation.FieldLocationID).
				WithLocation(func(q *ent.LocationQuery) {
					q.Select(location.FieldLatitude, location.FieldLongitude, location.FieldConfidential)
				})
		}).
		All(ctx)
}

// programs loads the programs the candidates implement, by ID.
func (m *Matcher) programs(ctx context.Context, services []*ent.Service) (map[int]*ent.Program, error) {
	var ids []int
	for _, s := range services {
		if id := programID(s); id != 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	out := map[int]*ent.Program{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := m.client.Program.Query().Where(program.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// need is one need the family asked for, with every term that meets it
// (the term and its narrower terms).
type need struct {
	code, name string
	terms      map[int]bool
}

// resolveNeeds turns the family's need codes into term sets; an unknown
// code is bad input.
func (m *Matcher) resolveNeeds(ctx context.Context, codes []string) ([]need, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	terms, err := m.client.TaxonomyTerm.Query().
		Where(taxonomyterm.VocabularyEQ(schema.NeedsVocabulary)).
		Select(taxonomyterm.FieldCode, taxonomyterm.FieldName, taxonomyterm.FieldParentID).
		All(ctx)
	if err != nil {
		return nil, err
	}
	byCode := map[string]*ent.TaxonomyTerm{}
	children := map[int][]int{}
	for _, t := range terms {
		byCode[t.Code] = t
		if t.ParentID != nil {
			children[*t.ParentID] = append(children[*t.ParentID], t.ID)
		}
	}
	var out []need
	for i, code := range codes {
		t, ok := byCode[code]
		if !ok {
			return nil, inputError(fmt.Sprintf("needs[%d]", i), "%q is not a need in the %s vocabulary", code, schema.NeedsVocabulary)
		}
		if slices.Index(codes, code) != i {
			return nil, inputError(fmt.Sprintf("needs[%d]", i), "%q is listed twice", code)
		}
		n := need{code: code, name: t.Name, terms: map[int]bool{}}
		for queue := []int{t.ID}; len(queue) > 0; queue = queue[1:] {
			if !n.terms[queue[0]] {
				n.terms[queue[0]] = true
				queue = append(queue, children[queue[0]]...)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// specificity tiers of coverage: lower is more specific.
func specificity(k servicearea.Kind) int {
	switch k {
	case servicearea.KindZIP, servicearea.KindRADIUS, servicearea.KindCOUNTY:
		return 0
	case servicearea.KindSTATE:
		return 1
	}
	return 2
}

// within-tier preference for the coverage shown: ZIP, RADIUS, COUNTY, ...
var coverageOrder = []servicearea.Kind{servicearea.KindZIP, servicearea.KindRADIUS, servicearea.KindCOUNTY,
	servicearea.KindSTATE, servicearea.KindNATIONWIDE, servicearea.KindONLINE}

// covering returns the most specific of the service's areas that covers
// the place, or nil.
func covering(areas []*ent.ServiceArea, place Place) *ent.ServiceArea {
	var best *ent.ServiceArea
	for _, a := range areas {
		if !covers(a, place) {
			continue
		}
		if best == nil || slices.Index(coverageOrder, a.Kind) < slices.Index(coverageOrder, best.Kind) ||
			(a.Kind == best.Kind && a.ID < best.ID) {
			best = a
		}
	}
	return best
}

func covers(a *ent.ServiceArea, place Place) bool {
	switch a.Kind {
	case servicearea.KindNATIONWIDE, servicearea.KindONLINE:
		return true
	case servicearea.KindSTATE:
		return place.State != "" && a.Code == place.State
	case servicearea.KindCOUNTY:
		return slices.Contains(place.MatchCounties, a.Code)
	case servicearea.KindZIP:
		return place.ZIP != "" && a.Code == place.ZIP
	case servicearea.KindRADIUS:
		return place.Point != nil && a.CenterLatitude != nil && a.CenterLongitude != nil && a.RadiusKm != nil &&
			geo.DistanceKm(place.Point.Lat, place.Point.Lon, *a.CenterLatitude, *a.CenterLongitude) <= *a.RadiusKm
	}
	return false // TEXT areas never match by area
}

// nearestDistance is the distance from the family to the service's nearest
// location with a point the caller may see.
func nearestDistance(s *ent.Service, place Place, revealConfidential bool) *float64 {
	if place.Point == nil {
		return nil
	}
	var best *float64
	for _, sal := range s.Edges.ServiceAtLocations {
		loc := sal.Edges.Location
		if loc == nil || loc.Latitude == nil || loc.Longitude == nil || (loc.Confidential && !revealConfidential) {
			continue
		}
		d := geo.DistanceKm(place.Point.Lat, place.Point.Lon, *loc.Latitude, *loc.Longitude)
		if best == nil || d < *best {
			best = &d
		}
	}
	return best
}

// summarisePrograms groups the results by program, in the order of each
// program's best result. A program's nearest is its nearest eligible
// result (its nearest near miss only when none is eligible), or its best
// ranked when no distance is known.
func summarisePrograms(results []*Result, programs map[int]*ent.Program) []*ProgramSummary {
	var out []*ProgramSummary
	index := map[int]*ProgramSummary{}
	nearest := map[int]*Result{}
	for _, r := range results {
		id := programID(r.Service)
		if id == 0 || programs[id] == nil {
			continue
		}
		sum, ok := index[id]
		if !ok {
			sum = &ProgramSummary{Program: programs[id]}
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
		sum.Nearest = nearest[id].Service
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
