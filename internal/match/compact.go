package match

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/directory"
)

// interner shares the values that many of the index's rows repeat and the
// tables (see layout) do not hold: a national directory's 20,000 services
// carry a few hundred eligibilities, and a few dozen languages, each read
// from the database as a copy of its own. One interner serves one layout
// and is then dropped: the index keeps the one copy of each value.
//
// The index's rows are shared by every request and never modified (graph
// redacts a copy), so sharing a value between rows changes nothing a reader
// sees. Shared slices are clipped (capacity = length), so an append to one
// row's list can never write into another's.
type interner struct {
	blankSvc *ent.Service // see blankService
	strs     map[string]string
	lists    map[string][]string
	elig     map[string]*directory.Eligibility
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, lists: map[string][]string{}, elig: map[string]*directory.Eligibility{}}
}

func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.strs[s]; ok {
		return v
	}
	in.strs[s] = s
	return s
}

func (in *interner) list(l []string) []string {
	if l == nil {
		return nil
	}
	key := strings.Join(l, "\x00")
	if v, ok := in.lists[key]; ok && len(v) == len(l) {
		return v
	}
	for i := range l {
		l[i] = in.str(l[i])
	}
	l = l[:len(l):len(l)]
	in.lists[key] = l
	return l
}

// eligibility returns the one copy of e's value (nil stays nil).
func (in *interner) eligibility(e *directory.Eligibility) *directory.Eligibility {
	if e == nil {
		return nil
	}
	key, err := json.Marshal(e)
	if err != nil { // cannot happen for this struct; keep the row's own
		return e
	}
	if v, ok := in.elig[string(key)]; ok {
		return v
	}
	e.Description = in.str(e.Description)
	e.PriorityPopulations = in.list(e.PriorityPopulations)
	in.elig[string(key)] = e
	return e
}

// blankService is one blank service row (blankRow) shared by the entries
// read with this interner, with s's edges blank but marked loaded as the
// load read them: a page's row, given the index's organization and program
// (Matcher.Rows), shows its other edges as the index's rows used to, and
// never queries for its organization or missing program.
func (in *interner) blankService(s *ent.Service) *ent.Service {
	if in.blankSvc == nil {
		in.blankSvc = blankRow(s)
		in.blankSvc.Edges = *blankRow(&s.Edges)
	}
	return in.blankSvc
}

// tables hold what a snapshot's entries are laid out in: the strings of
// their areas, each once, one after another in one buffer; their areas,
// the areas' centres, their located places and needs, each entry's a range
// of one array; and the blank rows rows are made from. None of the arrays
// holds a pointer, so the collector marks each once and never scans it:
// 100,000 areas and their strings cost it nothing more than a few arrays.
type tables struct {
	strs    []byte
	strAt   []uint32 // string i is strs[strAt[i]:strAt[i+1]]; 0 is ""
	areas   []area
	centres []centre
	locs    []located
	needs   []int32
	// The services' lists, each once, and times (see facts).
	langs [][]string
	modes [][]directory.DeliveryMode
	times []time.Time
	// areaRow is a blank service area row of the index's client, which
	// area rows are made from (see entry.row); serviceRow likewise a
	// blank service row (see HeldRow).
	areaRow    *ent.ServiceArea
	serviceRow *ent.Service
}

// sym is a string of a snapshot's tables (tables.str).
type sym uint32

// str is the string s, read in place (never modified: the tables are
// shared by every request).
func (t *tables) str(s sym) string {
	from, to := t.strAt[s], t.strAt[s+1]
	if from == to {
		return ""
	}
	return unsafe.String(&t.strs[from], int(to-from))
}

// time is the i-th time of facts (1 + its index; 0: none).
func (t *tables) time(i uint32) *time.Time {
	if i == 0 {
		return nil
	}
	return &t.times[i-1]
}

// layout lays out a snapshot's entries: from the rows read (addRow), or
// from an older snapshot's entries (addEntry, when a refresh keeps them),
// into new tables, so that a snapshot never holds what its predecessors
// dropped. Sized first (sizeRow, sizeEntry, then reserve), so that the
// entries' ranges are of arrays that do not move.
type layout struct {
	t       *tables
	in      *interner
	syms    map[string]sym
	lists   map[string]uint32 // see list
	entries []entry
	areas   int
	locs    int
	needs   int
}

func newLayout(entries int) *layout {
	return &layout{t: &tables{strAt: []uint32{0, 0}}, in: newInterner(), syms: map[string]sym{"": 0},
		lists: map[string]uint32{}, entries: make([]entry, 0, entries)}
}

func (l *layout) sizeRow(svc *ent.Service) {
	l.areas += len(svc.Edges.ServiceAreas)
	l.locs += len(svc.Edges.ServiceAtLocations)
	l.needs += len(svc.Edges.Needs)
}

func (l *layout) sizeEntry(e *entry) {
	l.areas += len(e.areas)
	l.locs += len(e.locs)
	l.needs += len(e.needs)
}

func (l *layout) reserve() {
	l.t.areas = make([]area, 0, l.areas)
	l.t.locs = make([]located, 0, l.locs)
	l.t.needs = make([]int32, 0, l.needs)
}

// sym is the number of s in the tables, added when new.
func (l *layout) sym(s string) sym {
	if n, ok := l.syms[s]; ok {
		return n
	}
	n := sym(len(l.t.strAt) - 1)
	l.t.strs = append(l.t.strs, s...)
	l.t.strAt = append(l.t.strAt, uint32(len(l.t.strs)))
	l.syms[s] = n
	return n
}

// langs and modes are the number of a list of languages or delivery
// modes in the tables (1 + its index; 0: nil), added when new.
func (l *layout) langs(list []string) uint32 {
	if list == nil {
		return 0
	}
	key := "l" + strconv.Itoa(len(list)) + "\x00" + strings.Join(list, "\x00")
	if n, ok := l.lists[key]; ok {
		return n
	}
	shared := make([]string, len(list))
	for i, s := range list {
		shared[i] = l.in.str(s)
	}
	l.t.langs = append(l.t.langs, shared)
	l.lists[key] = uint32(len(l.t.langs))
	return uint32(len(l.t.langs))
}

func (l *layout) modes(list []directory.DeliveryMode) uint32 {
	if list == nil {
		return 0
	}
	var b strings.Builder
	b.WriteString("m" + strconv.Itoa(len(list)))
	for _, m := range list {
		b.WriteByte(0)
		b.WriteString(string(m))
	}
	key := b.String()
	if n, ok := l.lists[key]; ok {
		return n
	}
	l.t.modes = append(l.t.modes, slices.Clone(list))
	l.lists[key] = uint32(len(l.t.modes))
	return uint32(len(l.t.modes))
}

// time is the number of a time in the tables (1 + its index; 0: none).
func (l *layout) time(t *time.Time) uint32 {
	if t == nil {
		return 0
	}
	l.t.times = append(l.t.times, *t)
	return uint32(len(l.t.times))
}

// facts lays out what matching tests of s.
func (l *layout) facts(s *ent.Service) facts {
	f := facts{ID: s.ID, OrganizationID: s.OrganizationID, Sample: s.Sample,
		status: l.sym(string(s.Status)), waitTime: l.sym(s.WaitTime),
		languages: l.langs(s.Languages), modes: l.modes(s.DeliveryModes),
		capacityAt: l.time(s.CapacityUpdatedAt), verifiedAt: l.time(s.VerifiedAt)}
	if s.CapacityAvailable != nil {
		f.capacity, f.has = *s.CapacityAvailable, f.has|hasCapacity
	}
	if s.WaitDays != nil {
		f.waitDays, f.has = *s.WaitDays, f.has|hasWaitDays
	}
	return f
}

// addRow lays a loaded service out for matching, sharing through the
// interner the values its rows repeat. The rows read are dropped: the
// index keeps no service or area row (a page's are read again, see Rows).
func (l *layout) addRow(svc *ent.Service) {
	t, in := l.t, l.in
	e := entry{svc: l.facts(svc), org: svc.Edges.Organization, program: svc.Edges.Program, tab: t}
	if t.serviceRow == nil {
		t.serviceRow = in.blankService(svc)
	}
	var model *directory.Eligibility
	if e.program != nil {
		model = e.program.Eligibility
	}
	e.elig = in.eligibility(directory.Effective(svc.Eligibility, model))
	first := len(t.areas)
	for _, a := range svc.Edges.ServiceAreas {
		if t.areaRow == nil {
			t.areaRow = blankRow(a)
		}
		fa := area{id: a.ID, rank: rankOf(a.Kind), code: l.sym(a.Code), state: l.sym(a.StateCode), name: l.sym(a.Name), sample: a.Sample}
		if a.CenterLatitude != nil || a.CenterLongitude != nil || a.RadiusKm != nil {
			var c centre
			if a.CenterLatitude != nil {
				c.lat, c.has = *a.CenterLatitude, c.has|hasLat
			}
			if a.CenterLongitude != nil {
				c.lon, c.has = *a.CenterLongitude, c.has|hasLon
			}
			if a.RadiusKm != nil {
				c.km, c.has = *a.RadiusKm, c.has|hasKm
			}
			t.centres = append(t.centres, c)
			fa.centre = uint32(len(t.centres))
		}
		fa.circle = a.CenterLatitude != nil && a.CenterLongitude != nil && a.RadiusKm != nil
		t.areas = append(t.areas, fa)
		e.national = e.national || fa.rank == rankNationwide || fa.rank == rankOnline
	}
	e.areas = t.areas[first:len(t.areas):len(t.areas)]
	slices.SortFunc(e.areas, func(a, b area) int { return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.id, b.id)) })
	e.byLocation = !slices.ContainsFunc(e.areas, func(a area) bool { return a.rank != rankText })
	first = len(t.locs)
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
		t.locs = append(t.locs, located{v: point, owner: owner, confidential: loc.Confidential, approx: approx, location: loc.ID, link: sal.ID})
	}
	e.locs = t.locs[first:len(t.locs):len(t.locs)]
	first = len(t.needs)
	for _, term := range svc.Edges.Needs {
		t.needs = append(t.needs, int32(term.ID))
	}
	e.needs = t.needs[first:len(t.needs):len(t.needs)]
	l.entries = append(l.entries, e)
}

// addEntry lays out again an entry of an older snapshot, as it is.
func (l *layout) addEntry(old *entry) {
	t, from := l.t, old.tab
	if t.areaRow == nil {
		t.areaRow = from.areaRow
	}
	if t.serviceRow == nil {
		t.serviceRow = from.serviceRow
	}
	e := *old
	e.tab = t
	f := &e.svc
	f.status, f.waitTime = l.sym(from.str(f.status)), l.sym(from.str(f.waitTime))
	f.languages, f.modes = l.langs(old.Languages()), l.modes(old.DeliveryModes())
	f.capacityAt, f.verifiedAt = l.time(old.CapacityUpdatedAt()), l.time(old.VerifiedAt())
	first := len(t.areas)
	for _, a := range old.areas {
		a.code, a.state, a.name = l.sym(from.str(a.code)), l.sym(from.str(a.state)), l.sym(from.str(a.name))
		if a.centre != 0 {
			t.centres = append(t.centres, from.centres[a.centre-1])
			a.centre = uint32(len(t.centres))
		}
		t.areas = append(t.areas, a)
	}
	e.areas = t.areas[first:len(t.areas):len(t.areas)]
	first = len(t.locs)
	t.locs = append(t.locs, old.locs...)
	e.locs = t.locs[first:len(t.locs):len(t.locs)]
	first = len(t.needs)
	t.needs = append(t.needs, old.needs...)
	e.needs = t.needs[first:len(t.needs):len(t.needs)]
	l.entries = append(l.entries, e)
}

// finish returns the entries laid out, their tables trimmed to their
// length.
func (l *layout) finish() []entry {
	t := l.t
	t.strs, t.strAt, t.centres, t.times = slices.Clone(t.strs), slices.Clone(t.strAt), slices.Clone(t.centres), slices.Clone(t.times)
	l.syms, l.lists = nil, nil
	return l.entries
}

// bytes estimates the memory the snapshot holds: its own arrays, maps and
// bitsets, the tables its entries are laid out in, the services' facts,
// and the rows it keeps (organizations and programs), each row, string and
// list counted once however many entries share it. Map overhead is
// estimated (a word a slot beside the key and value), so the figure is an
// estimate to within a few per cent, for /metrics
// (village_match_index_bytes), not an exact count.
func (s *snapshot) bytes() int64 {
	var m sizer
	m.seen = map[unsafe.Pointer]bool{}
	n := int64(unsafe.Sizeof(*s))
	for code, nd := range s.needs {
		n += mapSlot(int64(len(code))+int64(unsafe.Sizeof(nd))) + m.str(nd.name)
		n += int64(len(nd.terms)) * mapSlot(int64(unsafe.Sizeof(0)+1))
		n += int64(cap(nd.metBy)) * 8
	}
	n += int64(cap(s.entries)) * int64(unsafe.Sizeof(entry{}))
	for i := range s.entries {
		e := &s.entries[i]
		n += m.organization(e.org) + m.program(e.program) + m.eligibility(e.elig)
	}
	if t := s.tab; t != nil {
		for _, l := range t.langs {
			n += m.strs(l)
		}
		for _, l := range t.modes {
			n += int64(cap(l)) * int64(unsafe.Sizeof(directory.DeliveryMode("")))
		}
		n += int64(unsafe.Sizeof(*t)) + int64(cap(t.strs)) + int64(cap(t.strAt))*4 +
			int64(cap(t.areas))*int64(unsafe.Sizeof(area{})) + int64(cap(t.centres))*int64(unsafe.Sizeof(centre{})) +
			int64(cap(t.locs))*int64(unsafe.Sizeof(located{})) + int64(cap(t.needs))*4 +
			int64(cap(t.times))*int64(unsafe.Sizeof(time.Time{})) + int64(cap(t.langs)+cap(t.modes))*int64(unsafe.Sizeof([]string{})) +
			ptrBytes(&m, t.areaRow) + ptrBytes(&m, t.serviceRow)
	}
	n += int64(cap(s.programs)) * int64(unsafe.Sizeof(programEntry{}))
	for _, p := range s.programs {
		n += int64(cap(p.services))*int64(unsafe.Sizeof(0)) + m.program(p.program)
	}
	n += int64(cap(s.byCode))*int64(unsafe.Sizeof(codeList{})) + int64(cap(s.coded))*4
	for k, list := range s.byState {
		n += mapSlot(int64(unsafe.Sizeof(k))+int64(unsafe.Sizeof(list))) + int64(cap(list))*4
	}
	n += int64(cap(s.everyone))*4 + int64(cap(s.radii))*int64(unsafe.Sizeof(radius{})) + int64(cap(s.sites))*int64(unsafe.Sizeof(site{}))
	return n
}

const ptrSize = int64(unsafe.Sizeof(uintptr(0)))

// mapSlot is a map entry of kv bytes of key and value, with the map's own
// overhead (a control byte and some empty slots) estimated at a word.
func mapSlot(kv int64) int64 { return kv + ptrSize }

// sizer counts each row, string and list once.
type sizer struct{ seen map[unsafe.Pointer]bool }

func (m *sizer) once(p unsafe.Pointer) bool {
	if p == nil || m.seen[p] {
		return false
	}
	m.seen[p] = true
	return true
}

func (m *sizer) str(s string) int64 {
	if !m.once(unsafe.Pointer(unsafe.StringData(s))) {
		return 0
	}
	return int64(len(s))
}

func (m *sizer) strs(l []string) int64 {
	if len(l) == 0 || !m.once(unsafe.Pointer(unsafe.SliceData(l))) {
		return 0
	}
	n := int64(cap(l)) * int64(unsafe.Sizeof(""))
	for _, s := range l {
		n += m.str(s)
	}
	return n
}

func ptrBytes[T any](m *sizer, p *T) int64 {
	if !m.once(unsafe.Pointer(p)) {
		return 0
	}
	return int64(unsafe.Sizeof(*p))
}

func (m *sizer) eligibility(e *directory.Eligibility) int64 {
	if !m.once(unsafe.Pointer(e)) {
		return 0
	}
	n := int64(unsafe.Sizeof(*e)) + int64(cap(e.StatedRules))*int64(unsafe.Sizeof(directory.Rule(""))) + m.strs(e.PriorityPopulations) + m.str(e.Description)
	for _, p := range []*int{e.MinAgeMonths, e.MaxAgeMonths, e.EnrollByPregnancyWeek, e.MaxIncomePercentFPL} {
		n += ptrBytes(m, p)
	}
	for _, p := range []*bool{e.AcceptsPregnant, e.PregnantOnly, e.FirstTimeParentsOnly, e.ReferralRequired, e.CourtInvolvementRequired} {
		n += ptrBytes(m, p)
	}
	return n
}

func (m *sizer) organization(o *ent.Organization) int64 {
	if o == nil || !m.once(unsafe.Pointer(o)) {
		return 0
	}
	n := int64(unsafe.Sizeof(*o)) + ptrBytes(m, o.ParentID) + ptrBytes(m, o.YearIncorporated) + ptrBytes(m, o.HsdsExtra)
	for _, str := range []string{o.ExternalSource, o.ExternalID, o.Provenance, o.Name, o.AlternateName, o.Description, o.Email, o.Website, o.LegalStatus} {
		n += m.str(str)
	}
	return n
}

func (m *sizer) program(p *ent.Program) int64 {
	if !m.once(unsafe.Pointer(p)) {
		return 0
	}
	n := int64(unsafe.Sizeof(*p)) + m.eligibility(p.Eligibility)
	for _, str := range []string{p.ExternalSource, p.ExternalID, p.Provenance, p.Name, p.AlternateName, p.Description, p.URL, string(p.Approach)} {
		n += m.str(str)
	}
	// Settings, audiences and evidence: a few small lists per program.
	n += int64(cap(p.Settings)+cap(p.Audiences))*16 + int64(cap(p.Evidence))*int64(unsafe.Sizeof(directory.Evidence{}))
	return n
}
