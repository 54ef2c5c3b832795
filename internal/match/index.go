package match

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
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

	// entries are every service, in ID order (entry.pos), in one array;
	// their areas, located places and needs lie in tab's arrays.
	entries []entry
	tab     *tables

	programs []programEntry // every program, in ID order

	// byCode lists the codes of STATE, COUNTY and ZIP areas, sorted by
	// rank and code (see withCode), each with the positions of its
	// services: a range of coded.
	byCode   []codeList
	coded    []int32
	byState  map[string][]int32 // any area lying in a state (near misses), by position
	everyone []int32            // NATIONWIDE and ONLINE, by position
	radii    []radius           // RADIUS areas, by the latitude of their centre
	widest   float64            // the largest radius, in km
	// sites are the located places of the services that record no area
	// that can place them (see entry.byLocation), by latitude: matched by
	// distance from the family (see nearby.go).
	sites []site
}

// entry is one service as matching reads it: the fields of its row that
// matching tests (facts; the page's rows are read again to show, see Rows),
// its organization and program rows, and, laid out flat so evaluating
// hundreds of candidates stays cheap, its areas, located places and needs:
// each a range of one of its snapshot's arrays (tab), which hold no
// pointer for the collector to follow.
type entry struct {
	svc     facts
	org     *ent.Organization // shared by the entries of one load
	program *ent.Program      // nil when none
	// elig is what the service is judged by (directory.Effective); nil
	// when neither it nor its program has one.
	elig     *directory.Eligibility
	tab      *tables   // the snapshot's: its strings and blank rows
	areas    []area    // in tab.areas, most specific first (by rank, then ID)
	locs     []located // in tab.locs
	needs    []int32   // in tab.needs: taxonomy term IDs
	pos      int       // in snapshot.entries
	national bool      // has a NATIONWIDE or ONLINE area
	// byLocation: the service records no area that can place it (none, or
	// only TEXT areas), so its locations place it (see nearby.go).
	byLocation bool
}

// facts are the fields of a service's row that matching tests, held in
// the entry with no pointer: its strings, lists and times are numbers of
// the snapshot's tables, read through the entry's methods named as the
// row names them (Status, Languages, DeliveryModes, CapacityAvailable,
// CapacityUpdatedAt, WaitDays, WaitTime, VerifiedAt).
type facts struct {
	ID, OrganizationID int
	capacity, waitDays int // when has says so (hasCapacity, hasWaitDays)
	// capacityAt and verifiedAt are 1 + their index in tables.times; 0:
	// the row has none. languages and modes likewise in tables.langs and
	// tables.modes (0: a nil list).
	capacityAt, verifiedAt uint32
	languages, modes       uint32
	status, waitTime       sym
	Sample                 bool
	has                    uint8
}

const (
	hasCapacity = 1 << iota
	hasWaitDays
)

// The entry's facts, as its row gives them (the lists and values are the
// index's: never modify them).
func (e *entry) Status() service.Status { return service.Status(e.tab.str(e.svc.status)) }
func (e *entry) WaitTime() string       { return e.tab.str(e.svc.waitTime) }
func (e *entry) Languages() []string {
	if i := e.svc.languages; i != 0 {
		return e.tab.langs[i-1]
	}
	return nil
}
func (e *entry) DeliveryModes() []directory.DeliveryMode {
	if i := e.svc.modes; i != 0 {
		return e.tab.modes[i-1]
	}
	return nil
}
func (e *entry) CapacityAvailable() *int {
	if e.svc.has&hasCapacity == 0 {
		return nil
	}
	return &e.svc.capacity
}
func (e *entry) WaitDays() *int {
	if e.svc.has&hasWaitDays == 0 {
		return nil
	}
	return &e.svc.waitDays
}
func (e *entry) CapacityUpdatedAt() *time.Time { return e.tab.time(e.svc.capacityAt) }
func (e *entry) VerifiedAt() *time.Time        { return e.tab.time(e.svc.verifiedAt) }

// factColumns are the columns facts are read from (with the program's, for
// its edge, and the eligibility, for entry.elig).
var factColumns = []string{service.FieldOrganizationID, service.FieldProgramID, service.FieldStatus, service.FieldSample,
	service.FieldLanguages, service.FieldDeliveryModes, service.FieldCapacityAvailable, service.FieldCapacityUpdatedAt,
	service.FieldWaitDays, service.FieldWaitTime, service.FieldVerifiedAt, service.FieldEligibility}

// area is a service area as matching tests it and a result shows it: its
// ID, kind, code, state, name, sample flag and centre, not its whole row,
// in 32 bytes and no pointer: its strings are numbers of the snapshot's
// (tables.str), its centre a number of tables.centres. A result's coverage
// row is made from it (entry.row); graph reads the row again when a query
// asks for more of it.
type area struct {
	id                int
	code, state, name sym    // state: StateCode
	centre            uint32 // 1 + its centre's index in tables.centres; 0: the row gives none
	rank              areaRank
	circle            bool // a RADIUS with its centre and radius set
	sample            bool
}

// centre is an area's centre and radius, as its row gives them: has says
// which are set (hasLat, hasLon, hasKm).
type centre struct {
	lat, lon, km float64
	has          uint8
}

const (
	hasLat = 1 << iota
	hasLon
	hasKm
)

// centre is a's centre (a must have one).
func (e *entry) centre(a *area) *centre { return &e.tab.centres[a.centre-1] }

// kind is the area's kind (rank is one to one with it).
func (a *area) kind() servicearea.Kind { return kindOf[a.rank] }

var kindOf = [...]servicearea.Kind{rankZIP: servicearea.KindZIP, rankRadius: servicearea.KindRADIUS, rankCounty: servicearea.KindCOUNTY,
	rankState: servicearea.KindSTATE, rankNationwide: servicearea.KindNATIONWIDE, rankOnline: servicearea.KindONLINE, rankText: servicearea.KindTEXT}

// row makes a's service area row, with what the index holds of it: the
// fields area keeps; its times, version, provenance and external
// identifiers are left empty (graph reads the row again for them). The
// row is the caller's own; its strings and centre are the index's.
func (e *entry) row(a *area) *ent.ServiceArea {
	// Small enough to be inlined, so that a row a sentence reads and drops
	// stays on the stack.
	r := new(ent.ServiceArea)
	e.fillRow(r, a)
	return r
}

func (e *entry) fillRow(r *ent.ServiceArea, a *area) {
	*r = *e.tab.areaRow // the client's configuration, so its edges can be queried
	t := e.tab
	r.ID, r.ServiceID, r.Sample = a.id, e.svc.ID, a.sample
	r.Kind, r.Code, r.StateCode, r.Name = a.kind(), t.str(a.code), t.str(a.state), t.str(a.name)
	if a.centre != 0 {
		c := e.centre(a)
		if c.has&hasLat != 0 {
			r.CenterLatitude = &c.lat
		}
		if c.has&hasLon != 0 {
			r.CenterLongitude = &c.lon
		}
		if c.has&hasKm != 0 {
			r.RadiusKm = &c.km
		}
	}
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

// radius is a RADIUS area with its service's position, flat so the scan
// is cheap.
type radius struct {
	lat, lon, km float64
	pos          int32
}

// codeList is one code of STATE, COUNTY or ZIP areas, and the positions of
// the services with such an area: snapshot.coded[from:to].
type codeList struct {
	code     sym
	rank     areaRank
	from, to uint32
}

// withCode is the positions of the services with an area of rank and
// code: a binary search of byCode.
func (s *snapshot) withCode(rank areaRank, code string) []int32 {
	i, ok := slices.BinarySearchFunc(s.byCode, codeKey{rank, code}, func(l codeList, k codeKey) int {
		return cmp.Or(cmp.Compare(l.rank, k.rank), strings.Compare(s.tab.str(l.code), k.code))
	})
	if !ok {
		return nil
	}
	return s.coded[s.byCode[i].from:s.byCode[i].to]
}

type codeKey struct {
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
	l := newLayout(len(services))
	for _, svc := range services {
		l.sizeRow(svc)
	}
	l.reserve()
	for _, svc := range services {
		l.addRow(svc)
	}
	return assemble(position, vocabulary(terms), l.finish(), programs), nil
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
func assemble(position int, vocab map[string]need, entries []entry, programs []*ent.Program) *snapshot {
	s := &snapshot{
		position: position,
		needs:    make(map[string]need, len(vocab)),
		byState:  map[string][]int32{},
	}
	for code, n := range vocab {
		n.metBy = nil
		s.needs[code] = n
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.svc.ID - b.svc.ID })
	s.entries = entries
	if len(entries) > 0 {
		s.tab = entries[0].tab
	}
	// byCode in two passes: count each code's services, then place them.
	type key struct {
		rank areaRank
		code sym
	}
	lists := map[key]int{}
	var last []int // per code list: 1 + the last position counted
	var states []sym
	each := func(e *entry, f func(i int)) {
		for _, a := range e.areas {
			switch a.rank {
			case rankState, rankCounty, rankZIP:
				k := key{a.rank, a.code}
				i, ok := lists[k]
				if !ok {
					i = len(s.byCode)
					lists[k] = i
					s.byCode = append(s.byCode, codeList{code: a.code, rank: a.rank})
					last = append(last, 0)
				}
				if last[i] != e.pos+1 {
					last[i] = e.pos + 1
					f(i)
				}
			}
		}
	}
	for i := range entries {
		e := &entries[i]
		e.pos = i
		each(e, func(i int) { s.byCode[i].to++ })
		states = states[:0]
		for _, a := range e.areas {
			if a.rank == rankRadius && a.circle {
				c := e.centre(&a)
				s.radii = append(s.radii, radius{c.lat, c.lon, c.km, int32(i)})
			}
			if st := a.state; st != 0 && !slices.Contains(states, st) {
				states = append(states, st)
				name := s.tab.str(st)
				s.byState[name] = append(s.byState[name], int32(i))
			}
		}
		if e.national {
			s.everyone = append(s.everyone, int32(i))
		}
		if e.byLocation {
			for j := range e.locs {
				lat, lon := e.locs[j].latLon()
				s.sites = append(s.sites, site{lat: lat, lon: lon, pos: int32(i), loc: int32(j)})
			}
		}
	}
	n := uint32(0)
	for i := range s.byCode {
		c := &s.byCode[i]
		c.from, c.to, n = n, n, n+c.to
		last[i] = 0
	}
	s.coded = make([]int32, n)
	for i := range entries {
		each(&entries[i], func(j int) {
			c := &s.byCode[j]
			s.coded[c.to] = int32(i)
			c.to++
		})
	}
	slices.SortFunc(s.byCode, func(a, b codeList) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), strings.Compare(s.tab.str(a.code), s.tab.str(b.code)))
	})
	slices.SortFunc(s.sites, func(a, b site) int { return cmp.Compare(a.lat, b.lat) })
	byProgram := map[int][]int{}
	for i := range s.entries {
		if e := &s.entries[i]; e.program != nil {
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
	for i := range s.entries {
		e := &s.entries[i]
		for _, t := range e.needs {
			for _, code := range codesOf[t] {
				s.needs[code].metBy.set(e.pos)
			}
		}
	}
}

// candidates are the services with an area that may cover the place (and,
// for near misses, any area in its state), and the services placed by
// location with a location the viewer may see within reachKm of the
// family's point, in ID order. Unless near misses are wanted, services
// meeting none of the needs asked for are left out here: they could only be
// near misses.
func (s *snapshot) candidates(at Place, nearMisses bool, needs []need, reachKm float64, reveal func(owner int) bool) []*entry {
	in := newBitset(len(s.entries))
	add := func(list []int32) {
		for _, i := range list {
			in.set(int(i))
		}
	}
	add(s.everyone)
	if at.State != "" {
		add(s.withCode(rankState, at.State))
		// A family placed by state alone is covered in part by every area
		// lying in the state.
		if nearMisses || (at.ZIP == "" && len(at.ZIPs) == 0) {
			add(s.byState[at.State])
		}
	}
	for _, c := range at.MatchCounties {
		add(s.withCode(rankCounty, c))
	}
	for _, c := range at.partCounties {
		add(s.withCode(rankCounty, c))
	}
	for _, zip := range at.ZIPs { // the ZIP, or a city's or county's ZIPs
		add(s.withCode(rankZIP, zip))
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
	in.each(func(i int) { out = append(out, &s.entries[i]) })
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
		if math.Abs(r.lat-pt.Lat)*111.19 > r.km || in.has(int(r.pos)) {
			continue
		}
		if geo.DistanceKm(pt.Lat, pt.Lon, r.lat, r.lon) <= r.km {
			in.set(int(r.pos))
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
