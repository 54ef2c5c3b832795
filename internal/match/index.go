package match

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/route"
)

// snapshot is the part of the directory matching reads, held in memory and
// indexed by place, so that a match costs one small statement (the feed
// position) instead of loading hundreds of candidates with their areas,
// needs and locations on every call.
//
// It is rebuilt when the change feed has moved past it: every committed
// write, from this process or any other, appends a ChangeEvent, so the
// newest event ID is an exact freshness token across replicas.
type snapshot struct {
	position int // newest ChangeEvent ID when the snapshot was read
	// incremental: brought up to position from an older snapshot by
	// reading only the services the writes since touched (see refresh).
	incremental bool
	// size is bytes(), worked out once when first asked (a metrics
	// scrape), not while a match waits for the snapshot.
	size struct {
		once  sync.Once
		bytes int64
	}

	needs map[string]need // the needs vocabulary by code, expanded

	entries []*entry // every service, in ID order (entry.pos)

	programs []programEntry // every program, in ID order

	byCode   map[areaKey][]*entry // STATE, COUNTY and ZIP areas by code
	byState  map[string][]*entry  // any area lying in a state (near misses)
	everyone []*entry             // NATIONWIDE and ONLINE
	radii    []radius             // RADIUS areas, by the latitude of their centre
	widest   float64              // the largest radius, in km
	// sites are the located places of the services that record no area
	// that can place them (see entry.byLocation), by latitude: matched by
	// distance from the family (see nearby.go).
	sites []site
}

// entry is one service as matching reads it: the fields of its row that
// matching tests (facts; the page's rows are read again to show, see Rows),
// its organization and program rows, and, laid out flat so evaluating
// hundreds of candidates stays cheap, its areas, located places and needs.
type entry struct {
	svc     *facts
	org     *ent.Organization // shared by the entries of one load
	program *ent.Program      // nil when none
	// elig is what the service is judged by (directory.Effective); nil
	// when neither it nor its program has one.
	elig     *directory.Eligibility
	pos      int    // in snapshot.entries
	areas    []area // most specific first (by rank, then ID)
	locs     []located
	needs    []int32 // taxonomy term IDs
	national bool    // has a NATIONWIDE or ONLINE area
	// byLocation: the service records no area that can place it (none, or
	// only TEXT areas), so its locations place it (see nearby.go).
	byLocation bool
	// areaRow is a blank service area row of the index's client, which
	// area rows are made from (see row); serviceRow likewise a blank
	// service row (see HeldRow). Both shared by the entries of one load.
	areaRow    *ent.ServiceArea
	serviceRow *ent.Service
}

// facts are the fields of a service's row that matching tests, named as
// the row names them (the strings and lists interned).
type facts struct {
	ID, OrganizationID int
	Status             service.Status
	Sample             bool
	Languages          []string
	DeliveryModes      []directory.DeliveryMode
	CapacityAvailable  *int
	CapacityUpdatedAt  *time.Time
	WaitDays           *int
	WaitTime           string
	VerifiedAt         *time.Time
}

// factColumns are the columns facts are read from (with the program's, for
// its edge, and the eligibility, for entry.elig).
var factColumns = []string{service.FieldOrganizationID, service.FieldProgramID, service.FieldStatus, service.FieldSample,
	service.FieldLanguages, service.FieldDeliveryModes, service.FieldCapacityAvailable, service.FieldCapacityUpdatedAt,
	service.FieldWaitDays, service.FieldWaitTime, service.FieldVerifiedAt, service.FieldEligibility}

// area is a service area as matching tests it and a result shows it: its
// ID, kind, code, state, name, sample flag and centre (interned strings),
// not its whole row. A result's coverage row is made from it (entry.row);
// graph reads the row again when a query asks for more of it.
type area struct {
	id     int
	code   string
	state  string // StateCode
	name   string
	centre *centre // nil when the row gives no centre or radius
	rank   areaRank
	circle bool // a RADIUS with its centre and radius set
	sample bool
}

// centre is an area's centre and radius, as its row gives them (any may be
// nil).
type centre struct{ lat, lon, km *float64 }

func (a *area) lat() float64 { return *a.centre.lat }
func (a *area) lon() float64 { return *a.centre.lon }
func (a *area) km() float64  { return *a.centre.km }

// kind is the area's kind (rank is one to one with it).
func (a *area) kind() servicearea.Kind { return kindOf[a.rank] }

var kindOf = [...]servicearea.Kind{rankZIP: servicearea.KindZIP, rankRadius: servicearea.KindRADIUS, rankCounty: servicearea.KindCOUNTY,
	rankState: servicearea.KindSTATE, rankNationwide: servicearea.KindNATIONWIDE, rankOnline: servicearea.KindONLINE, rankText: servicearea.KindTEXT}

// row makes a's service area row, with what the index holds of it: the
// fields area keeps; its times, version, provenance and external
// identifiers are left empty (graph reads the row again for them). The
// row is the caller's own; its strings and centre are the index's.
func (e *entry) row(a *area) *ent.ServiceArea {
	r := new(ent.ServiceArea)
	*r = *e.areaRow // the client's configuration, so its edges can be queried
	r.ID, r.ServiceID, r.Sample = a.id, e.svc.ID, a.sample
	r.Kind, r.Code, r.StateCode, r.Name = a.kind(), a.code, a.state, a.name
	if c := a.centre; c != nil {
		r.CenterLatitude, r.CenterLongitude, r.RadiusKm = c.lat, c.lon, c.km
	}
	return r
}

// blankRow is a copy of row with every exported field zero: it keeps only
// the client's configuration ent holds unexported.
func blankRow[T any](row *T) *T {
	b := *row
	v := reflect.ValueOf(&b).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.CanSet() {
			f.SetZero()
		}
	}
	return &b
}

// located is a place a service is delivered at: its unit vector, whether
// that is only its ZIP's centre (an address without coordinates), and what
// decides whether a viewer may measure to it, and the records it comes from.
type located struct {
	v            [3]float64
	owner        int
	confidential bool
	approx       bool // placed at its ZIP's centroid
	// location and link (its ServiceAtLocation) name it, so that a change
	// to either finds the services to read again (see refresh).
	location, link int
}

// radius is a RADIUS area with its service, flat so the scan is cheap.
type radius struct {
	lat, lon, km float64
	entry        *entry
}

type areaKey struct {
	rank areaRank
	code string
}

// current returns a snapshot no older than the feed: it reads the feed
// position (one indexed statement, feed.Position) and, when writes came
// after, brings the snapshot up to it (see refresh).
//
// With read replicas, both the check and the update read the primary
// (route.Primary): the index is shared by every request, whichever replica
// serves it, and must never go back to an older state.
func (m *Matcher) current(ctx context.Context) (*snapshot, error) {
	position, err := feed.Position(route.Primary(ctx), m.client)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap != nil && m.snap.position == position {
		return m.snap, nil
	}
	// The snapshot is shared by every viewer, so it is read as trusted
	// internal code (no viewer: nothing redacted) and on a context of its
	// own, so one request's cancellation cannot abort a rebuild others wait
	// for. Visibility is applied per request when results are evaluated.
	loadCtx, cancel := context.WithTimeout(route.Primary(context.Background()), 5*time.Minute)
	defer cancel()
	started := time.Now()
	var snap *snapshot
	if m.snap != nil {
		snap, err = refresh(loadCtx, m.client, m.snap, position, cmp.Or(m.maxRefreshEvents, maxRefreshEvents))
	}
	if snap == nil && err == nil {
		snap, err = load(loadCtx, m.client, position)
	}
	if err != nil {
		return nil, fmt.Errorf("load the matching index: %w", err)
	}
	m.snap = snap
	m.stats.Store(&indexStats{IndexStats: IndexStats{Records: len(snap.entries), BuiltAt: time.Now(), Build: time.Since(started)}, snap: snap})
	return snap, nil
}

// Warm builds the index now (village serve does, before it answers ready),
// so that no family's match waits for the first build.
func (m *Matcher) Warm(ctx context.Context) error {
	_, err := m.current(ctx)
	return err
}

// servicesQuery reads services as matching needs them: the columns of
// facts, with their organization, program, areas, needs and located
// places.
func servicesQuery(client *ent.Client) *ent.ServiceQuery {
	return client.Service.Query().
		Where(service.StatusNotIn(service.StatusINACTIVE, service.StatusDEFUNCT)).
		Select(factColumns...).
		// Whole organization and program rows, shared by their services, so
		// a page's rows, read again, need no statement for them (see Rows).
		WithOrganization().
		WithProgram().
		WithServiceAreas().
		WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) }).
		WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) {
			q.Select(serviceatlocation.FieldServiceID, serviceatlocation.FieldLocationID).
				WithLocation(func(q *ent.LocationQuery) {
					q.Select(location.FieldLatitude, location.FieldLongitude, location.FieldConfidential, location.FieldOrganizationID,
						location.FieldLocationType, location.FieldPostalCode, location.FieldCountry)
				})
		})
}

// load reads what matching needs: a fixed number of statements.
func load(ctx context.Context, client *ent.Client, position int) (*snapshot, error) {
	services, err := servicesQuery(client).All(ctx)
	if err != nil {
		return nil, err
	}
	terms, err := needTerms(ctx, client)
	if err != nil {
		return nil, err
	}
	programs, err := client.Program.Query().Order(ent.Asc(program.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	entries := make([]*entry, len(services))
	in := newInterner()
	for i, svc := range services {
		entries[i] = newEntry(svc, in)
	}
	return assemble(position, vocabulary(terms), entries, programs), nil
}

// needTerms are the needs vocabulary, and the terms of other vocabularies a
// crosswalk maps to a need (see vocabulary).
func needTerms(ctx context.Context, client *ent.Client) ([]*ent.TaxonomyTerm, error) {
	return client.TaxonomyTerm.Query().
		Where(taxonomyterm.Or(taxonomyterm.VocabularyEQ(schema.NeedsVocabulary), taxonomyterm.NeedIDNotNil())).
		Select(taxonomyterm.FieldCode, taxonomyterm.FieldName, taxonomyterm.FieldParentID, taxonomyterm.FieldVocabulary, taxonomyterm.FieldNeedID).
		All(ctx)
}

// assemble indexes entries (which it owns: it numbers them) by place, need
// and program. vocab's needs are copied: their bitsets are the snapshot's own.
func assemble(position int, vocab map[string]need, entries []*entry, programs []*ent.Program) *snapshot {
	s := &snapshot{
		position: position,
		needs:    make(map[string]need, len(vocab)),
		byCode:   map[areaKey][]*entry{},
		byState:  map[string][]*entry{},
	}
	for code, n := range vocab {
		n.metBy = nil
		s.needs[code] = n
	}
	slices.SortFunc(entries, func(a, b *entry) int { return a.svc.ID - b.svc.ID })
	s.entries = entries
	for i, e := range entries {
		e.pos = i
		states := map[string]bool{}
		for _, a := range e.areas {
			switch a.rank {
			case rankState, rankCounty, rankZIP:
				k := areaKey{a.rank, a.code}
				if list := s.byCode[k]; len(list) == 0 || list[len(list)-1] != e {
					s.byCode[k] = append(list, e)
				}
			case rankRadius:
				if a.circle {
					s.radii = append(s.radii, radius{a.lat(), a.lon(), a.km(), e})
				}
			}
			if st := a.state; st != "" && !states[st] {
				states[st] = true
				s.byState[st] = append(s.byState[st], e)
			}
		}
		if e.national {
			s.everyone = append(s.everyone, e)
		}
		if e.byLocation {
			for j := range e.locs {
				lat, lon := e.locs[j].latLon()
				s.sites = append(s.sites, site{lat: lat, lon: lon, entry: e, loc: int32(j)})
			}
		}
	}
	slices.SortFunc(s.sites, func(a, b site) int { return cmp.Compare(a.lat, b.lat) })
	byProgram := map[int][]int{}
	for _, e := range s.entries {
		if e.program != nil {
			byProgram[e.program.ID] = append(byProgram[e.program.ID], e.pos)
		}
	}
	for _, prog := range programs {
		s.programs = append(s.programs, programEntry{program: prog, services: byProgram[prog.ID]})
	}
	slices.SortFunc(s.radii, func(a, b radius) int { return cmp.Compare(a.lat, b.lat) })
	for _, r := range s.radii {
		s.widest = max(s.widest, r.km)
	}
	s.markNeedsMet()
	return s
}

// markNeedsMet records, for every need of the vocabulary, the services
// meeting it (offering the term or a narrower one).
func (s *snapshot) markNeedsMet() {
	codesOf := map[int32][]string{} // term ID → the needs it meets
	for code, n := range s.needs {
		n.metBy = newBitset(len(s.entries))
		s.needs[code] = n
		for t := range n.terms {
			codesOf[int32(t)] = append(codesOf[int32(t)], code)
		}
	}
	for _, e := range s.entries {
		for _, t := range e.needs {
			for _, code := range codesOf[t] {
				s.needs[code].metBy.set(e.pos)
			}
		}
	}
}

// newEntry lays a loaded service out for matching, sharing through in the
// values its rows repeat.
func newEntry(svc *ent.Service, in *interner) *entry {
	e := &entry{svc: in.facts(svc), org: svc.Edges.Organization, program: svc.Edges.Program, serviceRow: in.blankService(svc)}
	var model *directory.Eligibility
	if e.program != nil {
		model = e.program.Eligibility
	}
	e.elig = in.eligibility(directory.Effective(svc.Eligibility, model))
	e.areas = make([]area, 0, len(svc.Edges.ServiceAreas))
	for _, a := range svc.Edges.ServiceAreas {
		in.area(a)
		if e.areaRow == nil {
			e.areaRow = in.blankArea(a)
		}
		fa := area{id: a.ID, rank: rankOf(a.Kind), code: a.Code, state: a.StateCode, name: a.Name, sample: a.Sample}
		if a.CenterLatitude != nil || a.CenterLongitude != nil || a.RadiusKm != nil {
			fa.centre = &centre{a.CenterLatitude, a.CenterLongitude, a.RadiusKm}
		}
		fa.circle = a.CenterLatitude != nil && a.CenterLongitude != nil && a.RadiusKm != nil
		e.areas = append(e.areas, fa)
		e.national = e.national || fa.rank == rankNationwide || fa.rank == rankOnline
	}
	slices.SortFunc(e.areas, func(a, b area) int { return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.id, b.id)) })
	e.byLocation = !slices.ContainsFunc(e.areas, func(a area) bool { return a.rank != rankText })
	for _, sal := range svc.Edges.ServiceAtLocations {
		loc := sal.Edges.Location
		if loc == nil {
			continue
		}
		point, approx, ok := PlaceOf(loc)
		if !ok {
			continue
		}
		// The location's own organization decides who sees where it is, as
		// the read rules decide (auth.Visible); one with none (0) is seen by
		// staff only, never by the editors of a service placed there.
		owner := 0
		if loc.OrganizationID != nil {
			owner = *loc.OrganizationID
		}
		e.locs = append(e.locs, located{v: point, owner: owner, confidential: loc.Confidential, approx: approx, location: loc.ID, link: sal.ID})
	}
	e.needs = make([]int32, len(svc.Edges.Needs))
	for i, t := range svc.Edges.Needs {
		e.needs[i] = int32(t.ID)
	}
	// The rows read are laid out above and dropped: the index keeps no
	// service row (a page's are read again, see Rows).
	return e
}

// candidates are the services with an area that may cover the place (and,
// for near misses, any area in its state), and the services placed by
// location with a location the viewer may see within reachKm of the
// family's point, in ID order. Unless near misses are wanted, services
// meeting none of the needs asked for are left out here: they could only be
// near misses.
func (s *snapshot) candidates(at Place, nearMisses bool, needs []need, reachKm float64, reveal func(owner int) bool) []*entry {
	in := newBitset(len(s.entries))
	add := func(list []*entry) {
		for _, e := range list {
			in.set(e.pos)
		}
	}
	add(s.everyone)
	if at.State != "" {
		add(s.byCode[areaKey{rankState, at.State}])
		// A family placed by state alone is covered in part by every area
		// lying in the state.
		if nearMisses || (at.ZIP == "" && len(at.ZIPs) == 0) {
			add(s.byState[at.State])
		}
	}
	for _, c := range at.MatchCounties {
		add(s.byCode[areaKey{rankCounty, c}])
	}
	for _, c := range at.partCounties {
		add(s.byCode[areaKey{rankCounty, c}])
	}
	for _, zip := range at.ZIPs { // the ZIP, or a city's or county's ZIPs
		add(s.byCode[areaKey{rankZIP, zip}])
	}
	for _, pt := range at.partPoints {
		s.addRadii(in, pt)
	}
	if pt := at.Point; pt != nil {
		s.addRadii(in, *pt)
		s.addNearby(in, *pt, reachKm, reveal)
	}
	if len(needs) > 0 && !nearMisses {
		met := newBitset(len(s.entries))
		for _, n := range needs {
			met.or(n.metBy)
		}
		in.and(met)
	}
	out := make([]*entry, 0, in.count())
	in.each(func(i int) { out = append(out, s.entries[i]) })
	return out
}

// addRadii marks the services with a RADIUS area whose circle holds pt.
func (s *snapshot) addRadii(in bitset, pt LatLon) { addRadii(s.radii, s.widest, in, pt) }

// addRadii marks the services of radii (sorted by latitude, none wider than
// widest km) whose circle holds pt.
func addRadii(radii []radius, widest float64, in bitset, pt LatLon) {
	// A great circle is at least its latitude difference long (111.19 km a
	// degree, rounded down): only centres within the widest radius's
	// latitudes can cover the point, and each is bounded the same way
	// before its distance is measured.
	reach := widest / 111.19
	first, _ := slices.BinarySearchFunc(radii, pt.Lat-reach, func(r radius, lat float64) int { return cmp.Compare(r.lat, lat) })
	for _, r := range radii[first:] {
		if r.lat > pt.Lat+reach {
			break
		}
		if math.Abs(r.lat-pt.Lat)*111.19 > r.km || in.has(r.entry.pos) {
			continue
		}
		if geo.DistanceKm(pt.Lat, pt.Lon, r.lat, r.lon) <= r.km {
			in.set(r.entry.pos)
		}
	}
}

// visible reports whether the viewer may measure to l.
func (l *located) visible(reveal func(owner int) bool) bool {
	return !l.confidential || (reveal != nil && reveal(l.owner))
}

// RevealAll reveals every confidential location (internal use and tests).
func RevealAll(int) bool { return true }

// matcherState is embedded in Matcher: the current snapshot.
type matcherState struct {
	mu   sync.Mutex
	snap *snapshot
	// maxRefreshEvents: past it a refresh loads everything (0: the
	// constant; tests set fewer).
	maxRefreshEvents int
	// stats are snap's numbers for IndexStats, read without mu: a rebuild
	// holds mu for as long as it takes, and a metrics scrape must not wait.
	stats atomic.Pointer[indexStats]
}
