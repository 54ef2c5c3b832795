package match

import (
	"encoding/json"
	"strings"
	"unsafe"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/directory"
)

// interner shares the values that many of the index's rows repeat: a
// national directory's 20,000 services and 100,000 areas carry a handful of
// provenances, sources, statuses, kinds, fees and wait texts, a few dozen
// language and delivery-mode lists and a few hundred eligibilities, each
// read from the database as a copy of its own. One interner serves one load
// (or one refresh's reread rows) and is then dropped: the rows keep the one
// copy of each value they share.
//
// The index's rows are shared by every request and never modified (graph
// redacts a copy), so sharing a value between rows changes nothing a reader
// sees. Shared slices are clipped (capacity = length), so an append to one
// row's list can never write into another's.
type interner struct {
	blank    *ent.ServiceArea // see blankArea
	blankSvc *ent.Service     // see blankService
	strs     map[string]string
	lists    map[string][]string
	modes    map[string][]directory.DeliveryMode
	elig     map[string]*directory.Eligibility
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, lists: map[string][]string{},
		modes: map[string][]directory.DeliveryMode{}, elig: map[string]*directory.Eligibility{}}
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

// typed interns a string-typed value (a status, a kind).
func typed[S ~string](in *interner, s S) S { return S(in.str(string(s))) }

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

func (in *interner) modeList(l []directory.DeliveryMode) []directory.DeliveryMode {
	if l == nil {
		return nil
	}
	var b strings.Builder
	for _, m := range l {
		b.WriteString(string(m))
		b.WriteByte(0)
	}
	key := b.String()
	if v, ok := in.modes[key]; ok && len(v) == len(l) {
		return v
	}
	l = l[:len(l):len(l)]
	in.modes[key] = l
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

// facts lays out what matching tests of s, sharing the values it repeats
// with other rows.
func (in *interner) facts(s *ent.Service) *facts {
	return &facts{ID: s.ID, OrganizationID: s.OrganizationID, Status: typed(in, s.Status), Sample: s.Sample,
		Languages: in.list(s.Languages), DeliveryModes: in.modeList(s.DeliveryModes),
		CapacityAvailable: s.CapacityAvailable, CapacityUpdatedAt: s.CapacityUpdatedAt,
		WaitDays: s.WaitDays, WaitTime: in.str(s.WaitTime), VerifiedAt: s.VerifiedAt}
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

// area shares the values a repeats with other rows.
func (in *interner) area(a *ent.ServiceArea) {
	a.ExternalSource = in.str(a.ExternalSource)
	a.Provenance = in.str(a.Provenance)
	a.Kind = typed(in, a.Kind)
	a.Code = in.str(a.Code)
	a.StateCode = in.str(a.StateCode)
	a.Name = in.str(a.Name)
}

// blankArea is one blank row (blankRow) shared by the entries read with
// this interner.
func (in *interner) blankArea(a *ent.ServiceArea) *ent.ServiceArea {
	if in.blank == nil {
		in.blank = blankRow(a)
	}
	return in.blank
}

// bytes estimates the memory the snapshot holds: its own arrays, maps and
// bitsets, the services' facts and areas, and the rows it keeps
// (organizations and programs), each row, string and list counted once however many entries
// share it. Map overhead is estimated (a word a slot beside the key and
// value), so the figure is an estimate to within a few per cent, for
// /metrics (village_match_index_bytes), not an exact count.
func (s *snapshot) bytes() int64 {
	var m sizer
	m.seen = map[unsafe.Pointer]bool{}
	n := int64(unsafe.Sizeof(*s))
	for code, nd := range s.needs {
		n += mapSlot(int64(len(code))+int64(unsafe.Sizeof(nd))) + m.str(nd.name)
		n += int64(len(nd.terms)) * mapSlot(int64(unsafe.Sizeof(0)+1))
		n += int64(cap(nd.metBy)) * 8
	}
	n += int64(cap(s.entries)) * ptrSize
	for _, e := range s.entries {
		n += int64(unsafe.Sizeof(*e))
		n += int64(cap(e.areas))*int64(unsafe.Sizeof(area{})) + int64(cap(e.locs))*int64(unsafe.Sizeof(located{})) + int64(cap(e.needs))*4
		n += m.facts(e.svc) + m.organization(e.org) + m.program(e.program) + m.eligibility(e.elig)
		for _, a := range e.areas {
			n += m.area(&a)
		}
		n += ptrBytes(&m, e.areaRow) + ptrBytes(&m, e.serviceRow)
	}
	n += int64(cap(s.programs)) * int64(unsafe.Sizeof(programEntry{}))
	for _, p := range s.programs {
		n += int64(cap(p.services))*int64(unsafe.Sizeof(0)) + m.program(p.program)
	}
	for k, list := range s.byCode {
		n += mapSlot(int64(unsafe.Sizeof(k))+int64(unsafe.Sizeof(list))) + int64(cap(list))*ptrSize
	}
	for k, list := range s.byState {
		n += mapSlot(int64(unsafe.Sizeof(k))+int64(unsafe.Sizeof(list))) + int64(cap(list))*ptrSize
	}
	n += int64(cap(s.everyone))*ptrSize + int64(cap(s.radii))*int64(unsafe.Sizeof(radius{})) + int64(cap(s.sites))*int64(unsafe.Sizeof(site{}))
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

func (m *sizer) facts(s *facts) int64 {
	if !m.once(unsafe.Pointer(s)) {
		return 0
	}
	n := int64(unsafe.Sizeof(*s)) + m.str(string(s.Status)) + m.str(s.WaitTime) + m.strs(s.Languages)
	if len(s.DeliveryModes) > 0 && m.once(unsafe.Pointer(unsafe.SliceData(s.DeliveryModes))) {
		n += int64(cap(s.DeliveryModes)) * int64(unsafe.Sizeof(directory.DeliveryMode("")))
	}
	return n + ptrBytes(m, s.CapacityAvailable) + ptrBytes(m, s.CapacityUpdatedAt) + ptrBytes(m, s.WaitDays) + ptrBytes(m, s.VerifiedAt)
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

// area counts what an area holds beyond its place in the entry's array.
func (m *sizer) area(a *area) int64 {
	n := m.str(a.code) + m.str(a.state) + m.str(a.name)
	if c := a.centre; c != nil {
		n += int64(unsafe.Sizeof(*c)) + ptrBytes(m, c.lat) + ptrBytes(m, c.lon) + ptrBytes(m, c.km)
	}
	return n
}
