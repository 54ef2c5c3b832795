package hsds

import (
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/hsds/hsdsextra"
)

// importRec is one Village record to write: its type, its HSDS id (the
// external id), the row it came from, its managed fields and its links to
// other records of the package (by HSDS id).
type importRec struct {
	kind  *importKind
	extID string
	row   *importRow
	// body holds the record's managed fields and its links to other
	// records of the package (by HSDS id) until it is packed (see
	// import_pack.go), and again while it is written.
	body *importRecBody
	// What the record keeps verbatim (see attachExtras): columns of its
	// row to keep although the table's are stored (keepCols) or not to
	// keep because this row's are (storedCols), each a bit by the
	// column's place in the table's HSDS columns (importSpecColumns, at
	// most 64), and, in more, the rows folded into it and whole rows
	// attached while mapping. A record takes 112 bytes (TestImportRecSize):
	// a package holds one per record until it is written, and what only
	// some records carry is apart (body, more, late).
	keepCols   uint64
	storedCols uint64
	more       *importRecMore
	extra      *hsdsextra.Extra
	// key is the identity the package gives the record (its Village
	// external_id attribute): nil for the import's source and HSDS id.
	key *importKey
	// late holds a service's needs and the record's change history.
	late *importRecLate
	// packed is where the record's fields and links are in spill, once
	// packed (see import_pack.go); 0 while they are in body.
	packed uint64
	spill  *importSpill
	// standIn marks the stand-in for an organization missing from the
	// package (standInOrganizations): it is created if absent, and
	// leaves a stored record as it is.
	standIn bool
	// finished: mapped, its Village attributes restored and packed
	// (finish).
	finished bool
}

// importRecBody is a record's fields and links, while not packed.
type importRecBody struct {
	fields []importField
	refs   []importRef
}

// importRecLate is what a record is given once mapped: a service's needs
// (the HSDS ids of the taxonomy terms it meets) and the ids of the
// package's change-history entries (a Village export's metadata) of the
// record.
type importRecLate struct {
	needs []string
	// The history's ids are packed into hist (see setHistory), at
	// historyAt; big holds them when they are too many for one place.
	historyAt uint64
	hist      *importSpill
	big       *[]string
}

// fieldList and refList are r's fields and links while not packed.
func (r *importRec) fieldList() []importField {
	if r.body == nil {
		return nil
	}
	return r.body.fields
}

func (r *importRec) refList() []importRef {
	if r.body == nil {
		return nil
	}
	return r.body.refs
}

// addRefs adds links to r.
func (r *importRec) addRefs(refs ...importRef) {
	if r.packed != 0 {
		_ = r.unpacked()
	}
	if r.body == nil {
		r.body = &importRecBody{}
	}
	r.body.refs = append(r.body.refs, refs...)
}

// needs and history are r's (nil when it has none).
func (r *importRec) needs() []string {
	if r.late == nil {
		return nil
	}
	return r.late.needs
}

// history reads r's change-history ids back (see setHistory).
func (r *importRec) history() []string {
	switch {
	case r.late == nil:
		return nil
	case r.late.big != nil:
		return *r.late.big
	case r.late.historyAt == 0:
		return nil
	}
	b := r.late.hist.readPacked(r.late.historyAt)
	if b == nil {
		return nil
	}
	u := importUnpacker{b: b}
	n := u.uvarint()
	if n > uint64(len(u.b)) {
		return nil
	}
	ids := make([]string, 0, n)
	for range n {
		ids = append(ids, u.string())
	}
	if u.err != nil {
		return nil
	}
	return ids
}

// hasHistory reports whether r has change-history ids, without reading
// them.
func (r *importRec) hasHistory() bool {
	return r.late != nil && (r.late.historyAt != 0 || r.late.big != nil)
}

// setHistory gives r its change-history ids, packed into s: a record of
// a Village export has one or more, and a writer reads them only for the
// records that may be this directory's own (importWriter.ownOf).
func (r *importRec) setHistory(ids []string, s *importSpill) {
	if len(ids) == 0 {
		return
	}
	late := r.lateOf()
	b := binary.AppendUvarint(nil, uint64(len(ids)))
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
	}
	if s == nil || len(b) >= importSpillMaxRow {
		late.big = &ids
		return
	}
	late.historyAt, late.hist = s.add(b), s
}

func (r *importRec) lateOf() *importRecLate {
	if r.late == nil {
		r.late = &importRecLate{}
	}
	return r.late
}

// importRecMore is what few records carry, until attachExtras has kept
// it: the rows folded into the record and the whole rows attached while
// mapping, and (keepOther) columns of the record's row outside HSDS 3.0
// that are kept verbatim all the same (a 1.x contact's phone columns that
// form no number).
type importRecMore struct {
	folded    []importExtraRow
	attached  []importExtraRow
	keepOther []string
}

// moreOf is r's importRecMore, made on first use.
func (r *importRec) moreOf() *importRecMore {
	if r.more == nil {
		r.more = &importRecMore{}
	}
	return r.more
}

// importKey is an external source and id: a record's identity in the
// system it came from.
type importKey struct{ source, id string }

// importExtraRow is a row (or what is left of it) kept with a record; src
// is the row it came from.
type importExtraRow struct {
	table string
	row   hsdsextra.Row
	src   *importRow
}

func (r *importRec) keepCol(col string) {
	r.keepCols |= importSpecBit(r.kind.table, col)
}

func (r *importRec) storedCol(col string) {
	r.storedCols |= importSpecBit(r.kind.table, col)
}

// importSpecBit is the bit of col among table's HSDS columns
// (importSpecColumns), 0 for a column outside them: only those are kept
// verbatim (attachExtras).
func importSpecBit(table, col string) uint64 {
	if i := slices.Index(importSpecColumns(table), col); i >= 0 && i < 64 {
		return 1 << i
	}
	return 0
}

type importField = directory.Field

type importRef struct {
	field string
	kind  *importKind
	extID string // "" = no link
}

func (r *importRec) set(name string, v any) {
	if r.packed != 0 {
		_ = r.unpacked()
	}
	if r.body == nil {
		r.body = &importRecBody{}
	}
	r.body.fields = append(r.body.fields, importField{Name: name, Value: v})
}

// importMapper turns the package's rows into Village records, collecting
// structural errors and data-quality warnings in the report.
type importMapper struct {
	pkg  *importPackage
	rep  *Report
	ids  map[string]map[string]*importRow // table → HSDS id → row
	kept map[string]map[string]string     // table → ids that become Village records (each its own)
	used map[string]map[string]bool       // table → columns Village stores
	// Conventions applied, noted once.
	agesConverted bool
	// village holds the Village attributes of the package (see
	// applyVillage), indexed on first use.
	village *importVillageIndex
	// villageValues are the attributes' values read, each once
	// (villageValue).
	villageValues map[string]string
	// skipped are the rows dropped with a warning already (a row stored or
	// kept verbatim is consumed, a flag of its own); keptCols the columns
	// kept verbatim, by table.
	skipped  map[*importRow]bool
	keptCols map[string]map[string]bool
	// keptTables are the tables Village does not model some of whose rows
	// are kept whole.
	keptTables map[string]bool
	// badFormats are the cells dropped for their format, warned about
	// once (a taxonomy row is kept with each of its terms).
	badFormats map[*importRow]map[string]bool
	// warned holds the kind of each row's latest warning; all every row
	// read, with its table, for the accounting (see account).
	warned     map[*importRow]string
	all        []importTableRow
	tableNames []string
	// allStart is where each table's rows begin in all; copies the row
	// standing there for the copies of a file's rows merged without a
	// warning (forgetCopy).
	allStart map[string]int
	copies   map[string]*importRow
	// forgotten are the rows each table's forgetConsumed let go.
	forgotten map[string]*importForgotten
	// converted: some rows of all were made from, or folded into, another
	// source row (HSDS 1.x/2.0), so a CSV file and line may name several
	// (see account).
	converted bool
}

func newImportMapper(p *importPackage, rep *Report) *importMapper {
	m := &importMapper{pkg: p, rep: rep, ids: map[string]map[string]*importRow{}, kept: map[string]map[string]string{}, used: map[string]map[string]bool{},
		skipped: map[*importRow]bool{}, keptCols: map[string]map[string]bool{}, keptTables: map[string]bool{},
		badFormats: map[*importRow]map[string]bool{}, warned: map[*importRow]string{}}
	for t, cols := range importStoredColumns {
		m.use(t, cols...)
	}
	return m
}

// finish completes a mapped record, its Village attributes restored
// (applyVillage), and packs its fields and links into the spill (see
// import_pack.go), to be read back when it is written.
func (m *importMapper) finish(r *importRec) {
	if r.finished {
		return
	}
	r.finished = true
	m.applyVillage(r)
	if r.kind == importAreaKind {
		areaExtentStored(r)
	}
	r.pack(m.pkg.spill)
}

func (m *importMapper) errorf(r *importRow, field, format string, args ...any) {
	m.rep.Errors = append(m.rep.Errors, r.msg(field, format, args...))
}

func (m *importMapper) warnf(r *importRow, field, format string, args ...any) {
	m.repairf(r, importKindOf(format), field, format, args...)
}

func (m *importMapper) rows(table string) []*importRow {
	if t, ok := m.pkg.tables[table]; ok {
		return t.rows
	}
	return nil
}

// use marks columns of a table as stored by Village.
func (m *importMapper) use(table string, cols ...string) {
	u := m.used[table]
	if u == nil {
		u = map[string]bool{}
		m.used[table] = u
	}
	for _, c := range cols {
		u[c] = true
	}
}

// importStoredColumns are the columns of each table Village stores.
var importStoredColumns = map[string][]string{
	// last_modified is the time Village last changed the record: an export
	// writes Village's own.
	"services": {"id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status",
		"interpretation_services", "application_process", "fees_description", "wait_time", "eligibility_description",
		"minimum_age", "maximum_age", "assured_date", "assurer_email", "last_modified"},
	"schedules":           {"id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "timezone", "freq", "interval", "byday", "bymonthday", "description", "opens_at", "closes_at", "closed"},
	"organizations":       {"id", "name", "alternate_name", "description", "email", "website", "url", "legal_status", "year_incorporated", "parent_organization_id"},
	"locations":           {"id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "latitude", "longitude"},
	"addresses":           {"id", "location_id", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type"},
	"languages":           {"id", "service_id", "code", "language"},
	"service_capacity":    {"id", "service_id", "available", "maximum", "updated"},
	"service_areas":       {"id", "service_id", "name", "description", "extent", "extent_type"},
	"service_at_location": {"id", "service_id", "location_id", "description"},
	"contacts":            {"id", "organization_id", "service_id", "service_at_location_id", "name", "title", "department", "email"},
	"phones":              {"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number", "extension", "type", "description"},
	"programs":            {"id", "organization_id", "name", "alternate_name", "description"},
	"funding":             {"id", "organization_id", "service_id", "source"},
	// A term's taxonomy column is stored when it names the vocabulary (see
	// terms); its taxonomy_id is always kept verbatim.
	"taxonomy_terms": {"id", "code", "name", "description", "parent_id"},
}

// run maps the package, in load order (a record after those it points
// at).
func (m *importMapper) run() []*importRec {
	m.checkRequiredColumns()
	m.snapshotRows()
	m.indexIDs()
	importStage("indexed")
	if len(m.rep.Errors) > 0 {
		return nil
	}
	// Each kind's records are finished (their Village attributes
	// restored) and packed as soon as they are mapped, so the package's
	// mapped records are never all held on the heap with their fields
	// (see finish).
	var out []*importRec
	add := func(recs []*importRec) []*importRec {
		for _, r := range recs {
			m.finish(r)
		}
		out = append(out, recs...)
		return recs
	}
	// The Village attributes of a table's records go once they are
	// mapped; a service's stay until its areas, which inherit some.
	done := func(tables ...string) {
		for _, t := range tables {
			m.village.done(t)
		}
	}
	add(m.organizations())
	add(m.standInOrganizations())
	done("organizations")
	add(m.programs())
	done("programs")
	add(m.locations())
	done("locations")
	terms := add(m.terms())
	done("taxonomy_terms")
	services := add(m.services())
	add(m.serviceAreas())
	done("service_areas", "services")
	add(m.serviceAtLocations())
	done("service_at_location")
	add(m.contacts())
	done("contacts")
	add(m.phones())
	done("phones")
	add(m.schedules())
	done("schedules")
	add(m.fundings())
	done("funding")
	importStage("recs")
	m.serviceNeeds(services, terms)
	// Every record has its Village attributes: their index goes (a Village
	// export gives most records some, and the index is large).
	m.village, m.villageValues = &importVillageIndex{}, nil
	importStage("village")
	m.attachHistory(out)
	importStage("history")
	m.attachExtras(out)
	importStage("extras")
	m.reportUnused()
	m.account()
	if m.agesConverted {
		m.rep.Notes = append(m.rep.Notes, "HSDS minimum_age/maximum_age carry no unit: read as years and converted to months (minimum_age×12; maximum_age×12+11, i.e. up to the day before the next birthday)")
	}
	return out
}

// importRequiredColumns are the columns a mapped table must carry: the
// ids of the records others link to, and the links and values without
// which no row of the table means anything. A child table without ids
// gets derived ones (see indexIDs).
var importRequiredColumns = map[string][]string{
	"organizations":       {"id", "name"},
	"services":            {"id", "organization_id", "name"},
	"locations":           {"id"},
	"addresses":           {"location_id"},
	"service_at_location": {"service_id", "location_id"},
	"phones":              {"number"},
	"service_areas":       {"service_id"},
	"service_capacity":    {"service_id"},
}

func (m *importMapper) checkRequiredColumns() {
	if m.pkg.form != "csv" {
		return
	}
	for table, cols := range importRequiredColumns {
		t, ok := m.pkg.tables[table]
		if !ok || t.columns == nil {
			continue
		}
		has := map[string]bool{}
		for _, c := range t.columns {
			has[c] = true
		}
		for _, c := range cols {
			if !has[c] {
				hint := ""
				if table == "services" && c == "organization_id" && has["location_id"] {
					hint = " (this looks like the Ohana API CSV layout, where services hang off locations; it is not HSDS and has no legacy mapping)"
				}
				m.rep.Errors = append(m.rep.Errors, ImportMessage{File: t.file, Field: c, Text: "required column missing" + hint})
			}
		}
	}
}

// indexIDs indexes every table's rows by id. Rows sharing an id that
// agree on everything are copies of one record, merged (the same object
// given in several JSON documents need only agree on what Village
// stores); in the tables of records others link to (importRecordTables)
// rows sharing an id but differing refuse the package, since no one can
// tell which a link means. Any other row without an id, or sharing one,
// is given a derived id (deriveIDs): in the tables rows link to
// (importLinkedTables) the first row keeps the shared id, elsewhere every
// row sharing it is given one, so their order does not matter.
func (m *importMapper) indexIDs() {
	names := make([]string, 0, len(m.pkg.tables))
	for n := range m.pkg.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		idx := &importIDIndex{text: map[string]*importRow{}}
		if n == "attributes" || n == "metadata" {
			// Indexed only to find duplicates (see below): by UUID, in a
			// third of the room, where the ids are UUIDs.
			idx.uuids = map[uuid.UUID]*importRow{}
		} else {
			m.ids[n] = idx.text
		}
		record := importRecordTables[n]
		var derive []*importRow
		reason := map[*importRow][2]string{}
		shared := map[string]int{} // id → rows given a derived id for sharing it
		merged := map[*importRow]bool{}
		for j, r := range m.pkg.tables[n].rows {
			id := r.get("id")
			if id == "" {
				derive = append(derive, r)
				reason[r] = [2]string{WarnIDMissing, "no id"}
				continue
			}
			prev, dup := idx.get(id)
			if !dup {
				idx.set(id, r)
				continue
			}
			jsonCopy := m.pkg.form == "json" && prev.file != r.file
			stored, other := m.differences(n, prev, r)
			if len(stored) == 0 && (len(other) == 0 || record || jsonCopy) {
				// Copies of one record: it takes what any copy says (a
				// copy nested elsewhere carries other links).
				r.each(func(k, v string) {
					if prev.get(k) == "" {
						prev.setRaw(k, v)
					}
				})
				merged[r] = true
				r.consumed = true
				switch {
				case len(other) > 0:
					m.warnf(r, strings.Join(other, ", "), "%s %s also at %s with other values in fields Village does not store; first copy kept", n, id, importWhere(prev))
				case !jsonCopy:
					m.repairf(r, WarnDuplicateMerged, "id", "%s %s also at %s, the same in every field; one record", n, id, importWhere(prev))
				default:
					m.forgetCopy(n, j, r)
				}
				continue
			}
			if record {
				if jsonCopy {
					m.errorf(r, strings.Join(stored, ", "), "%s %s also at %s with different values", n, id, importWhere(prev))
				} else {
					m.errorf(r, "id", "duplicate id %s (also at %s) with different values; Village cannot tell which record a link to it means", id, importWhere(prev))
				}
				continue
			}
			derive = append(derive, r)
			reason[r] = [2]string{WarnIDDuplicate, fmt.Sprintf("id %s also at %s", id, importWhere(prev))}
			shared[id]++
		}
		if !importLinkedTables[n] && len(shared) > 0 {
			// In a leaf table the first row of a shared id gives it up
			// too, so the rows' order says nothing of their ids.
			var firsts []*importRow
			for _, r := range m.pkg.tables[n].rows {
				if id := r.get("id"); shared[id] > 0 && idx.is(id, r) {
					firsts = append(firsts, r)
					reason[r] = [2]string{WarnIDDuplicate, fmt.Sprintf("id %s shared by %d rows of %s", id, shared[id]+1, n)}
					idx.del(id)
				}
			}
			derive = append(firsts, derive...)
		}
		if len(derive) > 0 {
			m.deriveIDs(n, derive, reason)
		}
		if len(merged) > 0 {
			all := m.pkg.tables[n].rows
			rows := all[:0]
			for _, r := range all {
				if !merged[r] {
					rows = append(rows, r)
				}
			}
			clear(all[len(rows):]) // the copies go (see forgetCopy)
			m.pkg.tables[n].rows = rows
		}
	}
}

// importIDIndex is a table's rows by id (see indexIDs): where uuids is
// set (the tables nothing links to, whose index goes once checked), a
// canonical UUID is a 16-byte key, not a string.
type importIDIndex struct {
	text  map[string]*importRow
	uuids map[uuid.UUID]*importRow
}

// uuidOf is id as a UUID, when it is one written canonically (another
// spelling of the same UUID is another id).
func (x *importIDIndex) uuidOf(id string) (uuid.UUID, bool) {
	if x.uuids == nil {
		return uuid.UUID{}, false
	}
	return canonicalUUID(id)
}

func (x *importIDIndex) get(id string) (*importRow, bool) {
	if u, ok := x.uuidOf(id); ok {
		r, found := x.uuids[u]
		return r, found
	}
	r, found := x.text[id]
	return r, found
}

func (x *importIDIndex) set(id string, r *importRow) {
	if u, ok := x.uuidOf(id); ok {
		x.uuids[u] = r
		return
	}
	x.text[id] = r
}

func (x *importIDIndex) is(id string, r *importRow) bool {
	got, ok := x.get(id)
	return ok && got == r
}

func (x *importIDIndex) del(id string) {
	if u, ok := x.uuidOf(id); ok {
		delete(x.uuids, u)
		return
	}
	delete(x.text, id)
}

// forgetCopy lets the row r, the j-th of table n and a copy merged into
// another without a warning, go: the accounting counts it as imported
// from its file, which a row standing for every such copy of that file
// says as well (a JSON package repeats each nested record in every
// document that nests it: most of its rows are such copies).
func (m *importMapper) forgetCopy(n string, j int, r *importRow) {
	i := m.allStart[n] + j
	if i >= len(m.all) || m.all[i].row != r || r.src != nil || (r.line > 0 && m.converted) {
		return
	}
	if _, warned := m.warned[r]; warned {
		return
	}
	m.all[i].row = m.standIn(r.file)
}

// standIn is the one row that stands, in the accounting, for every row of
// file let go (forgetCopy, forgetConsumed).
func (m *importMapper) standIn(file string) *importRow {
	c := m.copies[file]
	if c == nil {
		if m.copies == nil {
			m.copies = map[string]*importRow{}
		}
		c = &importRow{file: file, consumed: true}
		m.copies[file] = c
	}
	return c
}

// forgetConsumed lets the rows of table n that are consumed (stored or
// kept verbatim) and need nothing more go, as forgetCopy does for copies:
// a row no warning names, read as it is (no 1.x row converted from it),
// and whose columns Village stores or HSDS names (so reportUnused has
// nothing to say of it). The accounting counts it as imported from its
// file, which a row standing for every such row of that file says as
// well; reportUnused counts it among the table's rows (forgotten).
func (m *importMapper) forgetConsumed(n string) {
	t := m.pkg.tables[n]
	if t == nil || len(t.rows) == 0 || m.converted {
		return
	}
	known := map[*importLayout]bool{}
	forgettable := func(r *importRow) bool {
		if !r.consumed || r.src != nil || r.v != nil || r.lay == nil || m.skipped[r] {
			return false
		}
		if _, warned := m.warned[r]; warned {
			return false
		}
		ok, seen := known[r.lay]
		if !seen {
			ok = true
			for c := range r.lay.cols {
				if !m.used[n][c] && !containsString(importSpecColumns(n), c) {
					ok = false
				}
			}
			known[r.lay] = ok
		}
		return ok
	}
	no, found := -1, false
	for i, name := range m.tableNames {
		if name == n {
			no, found = i, true
		}
	}
	if !found {
		return
	}
	forgot := map[*importRow]bool{}
	for i := range m.all {
		tr := &m.all[i]
		if int(tr.table) != no || !forgettable(tr.row) {
			continue
		}
		r := tr.row
		tr.row = m.standIn(r.file)
		forgot[r] = true
	}
	if len(forgot) == 0 {
		return
	}
	if m.forgotten == nil {
		m.forgotten = map[string]*importForgotten{}
	}
	f := m.forgotten[n]
	if f == nil {
		f = &importForgotten{files: map[string]bool{}}
		m.forgotten[n] = f
	}
	rows := t.rows[:0]
	for _, r := range t.rows {
		if forgot[r] {
			f.rows++
			f.files[r.file] = true
			continue
		}
		rows = append(rows, r)
	}
	clear(t.rows[len(rows):])
	t.rows = slices.Clip(rows)
}

// compactAll lists the row standing for a file's copies or forgotten
// rows once per table, counting the rows it stands for (importTableRow's
// more), in a list of the rows' length: the accounting then holds 16
// bytes per row kept, not per row read. After indexIDs (forgetCopy finds
// its rows by their place in the list).
func (m *importMapper) compactAll() {
	if len(m.copies) == 0 {
		return
	}
	type key struct {
		table uint16
		row   *importRow
	}
	first := map[key]int{}
	n := 0
	for _, tr := range m.all {
		if m.copies[tr.row.file] == tr.row {
			k := key{tr.table, tr.row}
			if i, ok := first[k]; ok {
				m.all[i].more += 1 + tr.more
				continue
			}
			first[k] = n
		}
		m.all[n] = tr
		n++
	}
	m.all = slices.Clone(m.all[:n])
	m.allStart = nil
}

// importForgotten counts the rows of a table forgotten (forgetConsumed),
// and their files.
type importForgotten struct {
	rows  int
	files map[string]bool
}

// differences lists the fields two copies of a record disagree on (a
// field one copy leaves out is no disagreement), split into those Village
// stores and the others.
func (m *importMapper) differences(table string, a, b *importRow) (stored, other []string) {
	keys := map[string]bool{}
	a.each(func(k, _ string) { keys[k] = true })
	b.each(func(k, _ string) { keys[k] = true })
	for k := range keys {
		x, y := a.get(k), b.get(k)
		if x == "" || y == "" || importEquivalent(x, y) {
			continue
		}
		if importMappedTables[table] && m.used[table][k] {
			stored = append(stored, k)
		} else {
			other = append(other, k)
		}
	}
	sort.Strings(stored)
	sort.Strings(other)
	return stored, other
}

func importWhere(r *importRow) string {
	if r.line > 0 {
		return fmt.Sprintf("%s row %d", r.file, r.line)
	}
	return r.file + " " + r.jsonPath()
}

func (m *importMapper) keep(table, id string) {
	if m.kept[table] == nil {
		m.kept[table] = map[string]string{}
	}
	m.kept[table][id] = id
}

// ref resolves an optional link: "" when blank, or (with a warning) when
// the package has no such record.
func (m *importMapper) ref(r *importRow, col, table string) string {
	id := r.get(col)
	if id == "" {
		return ""
	}
	kept := m.kept[table][id]
	if kept == "" {
		if _, inPkg := m.ids[table][id]; inPkg {
			m.warnf(r, col, "%s %s was not imported (see its own warnings); link dropped", strings.TrimSuffix(table, "s"), id)
		} else {
			m.warnf(r, col, "no %s with id %s in the package; link dropped", table, id)
		}
		return ""
	}
	return kept // the record's own id string, not one more copy per link
}

// parentsFirst calls emit once for each of rows (records of table, byID
// indexing them), with the row's parent id from column col, after emitting
// that parent, so a record is written after the record it points at. A row
// that is its own parent (noun names it: "an organization") or whose parent
// link would close a cycle loses the link, with a warning.
func (m *importMapper) parentsFirst(rows []*importRow, byID map[string]*importRow, col, table, noun string, emit func(r *importRow, parent string)) {
	const visiting, done = 1, 2
	state := map[string]int{}
	var visit func(r *importRow)
	visit = func(r *importRow) {
		id := r.get("id")
		if state[id] != 0 {
			return
		}
		state[id] = visiting
		parent := m.ref(r, col, table)
		if parent == id {
			m.warnf(r, col, "%s cannot be its own parent; link dropped", noun)
			parent = ""
		}
		if parent != "" {
			if state[parent] == visiting {
				m.warnf(r, col, "parent links form a cycle; link dropped")
				parent = ""
			} else {
				visit(byID[parent])
			}
		}
		state[id] = done
		emit(r, parent)
	}
	for _, r := range rows {
		visit(r)
	}
}

// text validates an optional string field with an ent validator; a value
// it refuses is dropped with a warning.
func (m *importMapper) text(r *importRow, col string, valid func(string) error) any {
	v := r.get(col)
	if v == "" {
		return nil
	}
	if valid != nil {
		if err := valid(v); err != nil {
			m.warnf(r, col, "%q dropped: %v", v, err)
			return nil
		}
	}
	return v
}

func (m *importMapper) number(r *importRow, col string) (float64, bool) {
	v := r.get(col)
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		m.repairf(r, WarnNumberUnreadable, col, "not a number: %q; dropped", v)
		return 0, false
	}
	return f, true
}

func (m *importMapper) integer(r *importRow, col string) (int, bool) {
	f, ok := m.number(r, col)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) {
		m.repairf(r, WarnNumberUnreadable, col, "not a whole number: %q; dropped", r.get(col))
		return 0, false
	}
	return int(f), true
}

var importDateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// parseTime reads a date or date-time column as written (with its offset);
// false when it is empty or, with a warning, unreadable (the value is
// dropped).
func (m *importMapper) parseTime(r *importRow, col string) (time.Time, bool) {
	v := r.get(col)
	if v == "" {
		return time.Time{}, false
	}
	for _, l := range importDateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	m.repairf(r, WarnDateUnreadable, col, "not a date or date-time: %q; dropped", v)
	return time.Time{}, false
}

// date reads a date-time column as an instant.
func (m *importMapper) date(r *importRow, col string) any {
	t, ok := m.parseTime(r, col)
	if !ok {
		return nil
	}
	// PostgreSQL keeps microseconds: finer input would differ from what is
	// stored at every re-import.
	return t.UTC().Truncate(time.Microsecond)
}

// calendarDate reads an HSDS date field: the day as written, even when it
// is written as a date-time with an offset (2005-01-01T00:00:00+02:00 is
// 1 January, though it is still 31 December in UTC).
func (m *importMapper) calendarDate(r *importRow, col string) any {
	t, ok := m.parseTime(r, col)
	if !ok {
		return nil
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (m *importMapper) organizations() []*importRec {
	rows := m.rows("organizations")
	byID := map[string]*importRow{}
	for _, r := range rows {
		byID[r.get("id")] = r
		m.keep("organizations", r.get("id"))
	}
	var out []*importRec
	var kept []*importRow // the row byID keeps for each id
	for _, r := range rows {
		if byID[r.get("id")] == r {
			kept = append(kept, r)
		}
	}
	m.parentsFirst(kept, byID, "parent_organization_id", "organizations", "an organization", func(r *importRow, parent string) {
		id := r.get("id")
		rec := &importRec{kind: importOrgKind, extID: id, row: r}
		name := r.get("name")
		if name == "" {
			// Its services, locations and contacts keep their
			// organization; the name says it is unknown.
			name = fmt.Sprintf("Unnamed organization (id %s in source)", importTruncate(id, 80))
			m.repairf(r, WarnNameMissing, "name", "organization has no name; named %q", name)
		}
		rec.set("name", name)
		rec.set("alternate_name", r.get("alternate_name"))
		rec.set("description", r.get("description"))
		rec.set("email", m.text(r, "email", organization.EmailValidator))
		website := "website"
		if r.get("website") == "" && r.get("url") != "" {
			website = "url" // HSDS 1.1
		}
		rec.set("website", m.url(r, website, organization.WebsiteValidator))
		rec.set("legal_status", r.get("legal_status"))
		var year any
		if y, ok := m.integer(r, "year_incorporated"); ok {
			if err := organization.YearIncorporatedValidator(y); err != nil {
				m.warnf(r, "year_incorporated", "%d dropped: %v", y, err)
			} else {
				year = y
			}
		}
		rec.set("year_incorporated", year)
		rec.addRefs(importRef{"parent_id", importOrgKind, parent})
		out = append(out, rec)
	})
	return out
}

func (m *importMapper) locations() []*importRec {
	// One address per Village location: the physical one, else the first.
	addr := map[string]*importRow{}
	for _, a := range m.rows("addresses") {
		lid := a.get("location_id")
		if _, ok := m.ids["locations"][lid]; !ok {
			if lid == "" {
				m.warnf(a, "location_id", "address belongs to no location; dropped")
			} else {
				m.warnf(a, "location_id", "no locations with id %s in the package; address dropped", lid)
			}
			m.skipped[a] = true
			continue
		}
		prev, ok := addr[lid]
		switch {
		case !ok:
			addr[lid] = a
		case prev.get("address_type") != "physical" && a.get("address_type") == "physical":
			addr[lid] = a
		}
		if ok {
			m.rep.notef("where a location has several addresses, Village stores one (the physical one, else the first) and keeps the others verbatim with the location")
		}
	}
	var out []*importRec
	for _, r := range m.rows("locations") {
		id := r.get("id")
		rec := &importRec{kind: importLocKind, extID: id, row: r}
		var lt location.LocationType
		switch strings.ToLower(r.get("location_type")) {
		case "", "physical":
			lt = location.LocationTypePHYSICAL
		case "virtual":
			lt = location.LocationTypeVIRTUAL
		case "postal":
			lt = location.LocationTypePOSTAL
		default:
			lt = location.LocationTypePHYSICAL
			m.repairf(r, WarnLocationTypeUnknown, "location_type", "unknown location type %q (physical, postal or virtual); read as physical", r.get("location_type"))
		}
		a := addr[id]
		name := r.get("name")
		if name == "" {
			switch {
			case a != nil && a.get("address_1") != "":
				name = a.get("address_1")
			default:
				name = "Location " + id
			}
			m.warnf(r, "name", "location has no name; named %q", name)
		}
		rec.set("name", name)
		rec.set("alternate_name", r.get("alternate_name"))
		rec.set("description", r.get("description"))
		rec.set("location_type", lt)
		rec.set("url", m.url(r, "url", location.URLValidator))
		var lat, lon any
		la, okA := m.number(r, "latitude")
		lo, okO := m.number(r, "longitude")
		switch {
		case okA && okO:
			if location.LatitudeValidator(la) != nil || location.LongitudeValidator(lo) != nil {
				m.warnf(r, "latitude", "impossible coordinates (latitude %v, longitude %v) dropped", la, lo)
			} else {
				lat, lon = la, lo
			}
		case okA || okO:
			m.warnf(r, "latitude", "a latitude without a longitude (or the reverse) dropped")
		}
		rec.set("latitude", lat)
		rec.set("longitude", lon)
		var a1, a2, city, region, postal, country any
		if a != nil {
			a1, a2, city = importNonEmpty(a.get("address_1")), importNonEmpty(a.get("address_2")), importNonEmpty(a.get("city"))
			regionCol := "state_province"
			region = importNonEmpty(a.get("state_province"))
			if region == nil {
				regionCol = "region"
				region = importNonEmpty(a.get("region"))
			}
			// What the address carried beyond Village's fields (its id,
			// attention, type, the other of region and state_province);
			// not the id and type Village writes itself (an export's).
			folded := specRow("addresses", a, "location_id", "address_1", "address_2", "city", regionCol, "postal_code", "country")
			if canonicalID(folded["id"]) == addressID(id) {
				delete(folded, "id")
			}
			if folded["address_type"] == addressType(string(lt)) {
				delete(folded, "address_type")
			}
			rec.moreOf().folded = append(rec.moreOf().folded, importExtraRow{"addresses", folded, a})
			country = m.text(a, "country", location.CountryValidator)
			postal = importNonEmpty(a.get("postal_code"))
			if pc := a.get("postal_code"); pc != "" && (country == nil || country == "US") && !geo.ValidZIP(importZIP5(pc)) {
				m.warnf(a, "postal_code", "%q is not a US ZIP code; kept as given", pc)
			}
		}
		rec.set("address_1", a1)
		rec.set("address_2", a2)
		rec.set("city", city)
		rec.set("region", region)
		rec.set("postal_code", postal)
		rec.set("country", country)
		m.keep("locations", id)
		rec.addRefs(importRef{"organization_id", importOrgKind, m.orgRef(r, "location")})
		out = append(out, rec)
	}
	return out
}

func importZIP5(pc string) string {
	if len(pc) == 10 && pc[5] == '-' {
		return pc[:5]
	}
	return pc
}

func importNonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// importStatusName is a status as HSDS writes it.
func importStatusName(st service.Status) string {
	return strings.ReplaceAll(strings.ToLower(string(st)), "_", " ")
}

// language reads a language row of a service's or phone's (its link
// column): its code, in lower case, or from an English name. It returns
// the owner's languages with the code added, and the row folded into the
// owner's record; a row with no readable code, or one the owner already
// has, is dropped with a warning (nil row).
func (m *importMapper) language(l *importRow, have []string, owner, link string) ([]string, *importExtraRow) {
	code := strings.ToLower(l.get("code"))
	if code == "" {
		name := l.get("name")
		if name == "" {
			name = l.get("language") // HSDS 1.1
		}
		c, ok := LanguageCode(name) // languages.go
		if !ok {
			if codes, names, more := languagePhrase(name); len(codes) > 0 {
				return m.languagePhrase(l, name, codes, names, more, have, owner, link)
			}
			// Kept whole with its record (attachExtras), never dropped.
			m.warnf(l, "code", "language %q has no ISO 639 code; kept as text, not among the %s's languages", name, owner)
			return have, nil
		}
		code = c
		m.rep.notef("languages given by name only were coded ISO 639 (English → en, Creole → ht; see languages.go)")
	}
	if err := directory.ValidateLanguage(code); err != nil {
		m.warnf(l, "code", "%q dropped: %v", code, err)
		m.skipped[l] = true
		return have, nil
	}
	if slices.Contains(have, code) {
		m.warnf(l, "code", "the %s already has language %q (codes are compared in lower case); this row dropped", owner, code)
		m.skipped[l] = true
		return have, nil
	}
	// The code joins the row to the language Village exports. The id
	// Village derives for it (an export's) is not kept: a row left with
	// only its code is what the export writes anyway.
	folded := specRow("languages", l, link)
	folded["code"] = code
	if canonicalID(folded["id"]) == languageID(owner, l.get(link), code) {
		delete(folded, "id")
	}
	if len(folded) == 1 {
		l.consumed = true
		return append(have, code), nil
	}
	return append(have, code), &importExtraRow{"languages", folded, l}
}

// languagePhrase reads a language row whose name is a phrase naming
// languages (codes, names: languages.go's languagePhrase): the codes the
// owner lacks join its languages, and the row is folded into the first
// of them, named as the phrase names it, the phrase its note when it says
// more ("Creole translator provided"). A phrase naming only languages the
// owner has is kept whole as text when it says more, else dropped as a
// repeat.
func (m *importMapper) languagePhrase(l *importRow, phrase string, codes, names []string, more bool, have []string, owner, link string) ([]string, *importExtraRow) {
	var added, addedNames []string
	for i, c := range codes {
		if !slices.Contains(have, c) && directory.ValidateLanguage(c) == nil {
			added, addedNames = append(added, c), append(addedNames, names[i])
		}
	}
	if len(added) == 0 {
		if !more {
			m.warnf(l, "code", "the %s already has the languages %q names; this row dropped", owner, phrase)
			m.skipped[l] = true
			return have, nil
		}
		// Kept whole with its record (attachExtras).
		m.repairf(l, WarnLanguagePhrase, "code", "language %q names only languages the %s has (%s); kept as text", phrase, owner, strings.Join(codes, ", "))
		return have, nil
	}
	kept := ""
	if more {
		kept = "; the phrase kept as its note"
	}
	m.repairf(l, WarnLanguagePhrase, "code", "language %q read as %s%s", phrase, strings.Join(added, ", "), kept)
	folded := specRow("languages", l, link)
	folded["code"], folded["name"] = added[0], addedNames[0]
	if more {
		if n := folded["note"]; n != "" && n != phrase {
			folded["note"] = n + " (" + phrase + ")"
		} else {
			folded["note"] = phrase
		}
	}
	if canonicalID(folded["id"]) == languageID(owner, l.get(link), added[0]) {
		delete(folded, "id")
	}
	return append(have, added...), &importExtraRow{"languages", folded, l}
}

func (m *importMapper) services() []*importRec {
	langs := map[string][]string{}
	langRows := map[string][]importExtraRow{}
	for _, l := range m.rows("languages") {
		sid := l.get("service_id")
		if sid == "" {
			continue // a phone's language (see phones) or a location's (not modelled)
		}
		if _, ok := m.ids["services"][sid]; !ok {
			m.warnf(l, "service_id", "no services with id %s in the package; language dropped", sid)
			m.skipped[l] = true
			continue
		}
		var row *importExtraRow
		if langs[sid], row = m.language(l, langs[sid], "service", "service_id"); row != nil {
			langRows[sid] = append(langRows[sid], *row)
		}
	}
	capacity := map[string]*importRow{}
	for _, c := range m.rows("service_capacity") {
		sid := c.get("service_id")
		if _, ok := m.ids["services"][sid]; !ok {
			m.warnf(c, "service_id", "no services with id %s in the package; capacity dropped", sid)
			m.skipped[c] = true
			continue
		}
		if prev, ok := capacity[sid]; ok {
			m.warnf(c, "", "service %s has several capacities (units); Village keeps one (%s); this one not imported", sid, importWhere(prev))
			continue
		}
		capacity[sid] = c
	}
	var out []*importRec
	for _, r := range m.rows("services") {
		id := r.get("id")
		org := r.get("organization_id")
		if m.kept["organizations"][org] == "" {
			m.warnf(r, "organization_id", "a Village service needs an organization; service not imported")
			continue
		}
		rec := &importRec{kind: importSvcKind, extID: id, row: r}
		if r.get("name") == "" {
			m.repairf(r, WarnNameMissing, "name", "a service needs a name; service not imported")
			continue
		}
		org = m.orgRef(r, "service")
		st, kind := importServiceStatus(r.get("status"))
		switch kind {
		case WarnStatusBlank:
			m.repairf(r, kind, "status", "no status; read as active (HSDS's default)")
		case WarnStatusSynonym:
			m.repairf(r, kind, "status", "status %q read as %s", r.get("status"), importStatusName(st))
		case WarnStatusUnknown:
			m.repairf(r, kind, "status", "unknown status %q (active, inactive, defunct or temporarily closed); read as inactive, never shown as open", r.get("status"))
		}
		rec.set("name", r.get("name"))
		rec.set("alternate_name", r.get("alternate_name"))
		rec.set("description", r.get("description"))
		rec.set("status", st)
		rec.set("url", m.url(r, "url", service.URLValidator))
		rec.set("email", m.text(r, "email", service.EmailValidator))
		rec.set("interpretation_services", r.get("interpretation_services"))
		rec.set("application_process", r.get("application_process"))
		rec.set("fees_description", r.get("fees_description"))
		rec.set("wait_time", r.get("wait_time"))
		// waitDays is read from the text where it is one length of time, so
		// that matching can compare a wait with the family's window to enrol.
		var waitDays any
		if w := r.get("wait_time"); w != "" {
			if days, ok := waitDaysFromText(w); ok {
				waitDays = days
			} else {
				m.rep.notef("wait_time texts that are not one length of time (\"2 weeks\", \"6-8 weeks\") are kept as text only, without waitDays")
			}
		}
		rec.set("wait_days", waitDays)
		rec.set("verified_at", m.calendarDate(r, "assured_date"))
		rec.set("verified_by", r.get("assurer_email"))
		rec.set("languages", langs[id])
		rec.set("eligibility", m.eligibility(r))
		var avail, max, updated any
		if c := capacity[id]; c != nil {
			a, okA := m.integer(c, "available")
			x, okX := m.integer(c, "maximum")
			if okA && a >= 0 {
				avail = a
			} else if okA {
				m.warnf(c, "available", "negative capacity %d dropped", a)
			}
			if okX && x >= 0 {
				max = x
			} else if okX {
				m.warnf(c, "maximum", "negative capacity %d dropped", x)
			}
			if avail != nil && max != nil && a > x {
				m.warnf(c, "available", "available (%d) exceeds maximum (%d); available dropped", a, x)
				avail = nil
			}
			updated = m.date(c, "updated")
			if avail != nil || max != nil {
				m.rep.notef("service_capacity mapped to Village capacity (available, maximum, updated); its unit and description are not kept")
			}
		}
		rec.set("capacity_available", avail)
		rec.set("capacity_maximum", max)
		rec.set("capacity_updated_at", updated)
		if c := capacity[id]; c != nil {
			c.consumed = true
		}
		if len(langRows[id]) > 0 {
			rec.moreOf().folded = append(rec.moreOf().folded, langRows[id]...)
		}
		rec.addRefs(importRef{"organization_id", importOrgKind, org},
			importRef{"program_id", importProgramKind, m.ref(r, "program_id", "programs")})
		m.keep("services", id)
		// Finished at once, as service areas are: a service's texts
		// are the largest fields a package has.
		m.finish(rec)
		out = append(out, rec)
	}
	return out
}

func (rep *Report) notef(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, x := range rep.Notes {
		if x == n {
			return
		}
	}
	rep.Notes = append(rep.Notes, n)
}

// maxPlausibleAgeYears bounds the HSDS ages read: a larger one is an error
// in the data (and one large enough would overflow the months it becomes).
const maxPlausibleAgeYears = 150

// eligibility builds a service's Village eligibility from its HSDS ages
// (years, converted to months) and eligibility description. HSDS cannot
// say "no limit", so an imported service states only the rules it gives a
// value for (statedRules empty): the others are left open, and matching
// asks about them (UNSTATED) rather than reading silence as eligible. A
// service with nothing to import keeps that empty statement, so that its
// program's stated rules still apply to it rule by rule.
func (m *importMapper) eligibility(r *importRow) any {
	e := directory.Eligibility{StatedRules: []directory.Rule{}}
	set := false
	if f, ok := m.number(r, "minimum_age"); ok {
		switch {
		case f < 0:
			m.warnf(r, "minimum_age", "negative age %v dropped", f)
		case f > maxPlausibleAgeYears:
			m.warnf(r, "minimum_age", "age %v years is not a person's age; dropped", f)
		default:
			v := int(math.Round(f * 12))
			e.MinAgeMonths, set, m.agesConverted = &v, true, true
		}
	}
	if f, ok := m.number(r, "maximum_age"); ok {
		switch {
		case f < 0:
			m.warnf(r, "maximum_age", "negative age %v dropped", f)
		case f > maxPlausibleAgeYears:
			m.warnf(r, "maximum_age", "age %v years is not a person's age; dropped", f)
		default:
			v := int(math.Floor(f * 12))
			if f == math.Trunc(f) {
				v = int(f)*12 + 11
			}
			e.MaxAgeMonths, set, m.agesConverted = &v, true, true
		}
	}
	if e.MinAgeMonths != nil && e.MaxAgeMonths != nil && *e.MinAgeMonths > *e.MaxAgeMonths {
		m.warnf(r, "minimum_age", "minimum age above the maximum; both dropped")
		e.MinAgeMonths, e.MaxAgeMonths = nil, nil
	}
	if d := r.get("eligibility_description"); d != "" {
		e.Description, set = d, true
	}
	if m.legacyEligibility(r, &e) { // import_legacy.go: ages a 1.x eligibility text states
		set = true
	}
	if !set || (e.MinAgeMonths == nil && e.MaxAgeMonths == nil && e.Description == "") {
		return &directory.Eligibility{StatedRules: []directory.Rule{}}
	}
	if err := e.Validate(); err != nil {
		m.warnf(r, "eligibility_description", "eligibility dropped: %v", err)
		return &directory.Eligibility{StatedRules: []directory.Rule{}}
	}
	return &e
}

func (m *importMapper) serviceAreas() []*importRec {
	var out []*importRec
	for _, r := range m.rows("service_areas") {
		sid := m.ref(r, "service_id", "services")
		if sid == "" {
			if r.get("service_id") == "" {
				m.warnf(r, "service_id", "a Village service area needs a service; area not imported")
			}
			continue
		}
		rec := &importRec{kind: importAreaKind, extID: r.get("id"), row: r}
		if strings.EqualFold(r.get("extent_type"), ExtentTypeRadius) {
			// A circle as Village exports it: LAT,LON,KM.
			if lat, lon, km, ok := importRadius(r.get("extent")); ok {
				rec.set("kind", servicearea.KindRADIUS)
				rec.set("center_latitude", lat)
				rec.set("center_longitude", lon)
				rec.set("radius_km", km)
				rec.set("name", importNonEmpty(r.get("name")))
				rec.addRefs(importRef{"service_id", importSvcKind, sid})
				m.finish(rec)
				out = append(out, rec)
				continue
			}
			m.warnf(r, "extent", "%q is not LAT,LON,KM with a possible centre and a positive radius", importTruncate(r.get("extent"), 40))
		}
		kind, code, label := m.classifyArea(r)
		// What the area's name and structure do not hold is kept verbatim:
		// an extent Village did not read (a GeoJSON shape, words), its
		// type, and a description not used as the name.
		if label != r.get("description") {
			rec.keepCol("description")
		}
		if ext := r.get("extent"); ext != "" && ext != label && (kind == servicearea.KindTEXT || !importSameCode(ext, code)) {
			rec.keepCol("extent")
		}
		rec.keepCol("extent_type")
		rec.set("kind", kind)
		rec.set("code", importNonEmpty(code))
		rec.set("name", importNonEmpty(label))
		rec.addRefs(importRef{"service_id", importSvcKind, sid})
		// Finished at once: a package's areas are its most numerous
		// records, and their fields need not wait for the rest.
		m.finish(rec)
		out = append(out, rec)
	}
	return out
}

// classifyArea decides whether an HSDS service area names a place Village
// can match on (a ZIP code, a county, a state, the whole US) or is kept as
// text.
func (m *importMapper) classifyArea(r *importRow) (servicearea.Kind, string, string) {
	name, desc, extent := r.get("name"), r.get("description"), r.get("extent")
	et := strings.ToLower(r.get("extent_type"))
	textual := et == "" || et == "text" || et == "zip" || et == "postcode" || et == "county" || et == "state" || et == "fips" || et == "county_fips"
	if et == ExtentTypeRadius { // not a circle (see serviceAreas): the area is kept by its name
		textual = false
		extent = ""
	}
	candidates := []string{name}
	if textual {
		candidates = append([]string{extent}, candidates...)
	} else if extent != "" && !strings.HasPrefix(extent, "{") && !strings.HasPrefix(extent, "<") {
		m.warnf(r, "extent", "extent %q is not %s; not used", importTruncate(extent, 40), et)
	} else if extent != "" {
		m.warnf(r, "extent", "%s extents are not modelled (Village needs a place or a text); area kept by its name", et)
	}
	for _, c := range candidates {
		if k, code, ok := importPlaceOf(c, et); ok {
			label := name
			if label == c {
				label = ""
			}
			return k, code, label
		}
	}
	label := name
	if label == "" {
		label = desc
	}
	if label == "" && textual {
		label = extent
	}
	if label == "" {
		label = "Service area " + r.get("id")
		m.warnf(r, "name", "service area has no name or description; named %q", label)
	}
	return servicearea.KindTEXT, "", label
}

// importSameCode reports whether an extent is the place code Village read
// from it.
func importSameCode(extent, code string) bool {
	return code != "" && strings.EqualFold(strings.TrimSpace(extent), code)
}

func importTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

var (
	importPlaceNamesOnce sync.Once
	importStateNames     map[string]string // lower-case name → code
	importCountyNames    map[string]string // "suffolk county, ma" → FIPS
)

func importLoadPlaceNames() {
	importStateNames, importCountyNames = map[string]string{}, map[string]string{}
	for _, s := range geo.States() {
		importStateNames[strings.ToLower(s.Name)] = s.Code
	}
	for _, co := range geo.Counties() {
		s, ok := geo.StateByFIPS(co.FIPS[:2])
		if !ok {
			continue
		}
		n := strings.ToLower(co.Name)
		for _, st := range []string{s.Code, s.Name} {
			key := n + ", " + strings.ToLower(st)
			if _, dup := importCountyNames[key]; !dup {
				importCountyNames[key] = co.FIPS
			}
			if !strings.Contains(n, "county") && !strings.Contains(n, "parish") {
				importCountyNames[n+" county, "+strings.ToLower(st)] = co.FIPS
			}
		}
	}
}

// importPlaceOf reads a place from a short text: a 5-digit ZIP code (or, when
// extent_type says so, a county FIPS code), a state's code or name, "X
// County, ST", or "nationwide".
func importPlaceOf(s, extentType string) (servicearea.Kind, string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 60 {
		return "", "", false
	}
	importPlaceNamesOnce.Do(importLoadPlaceNames)
	low := strings.ToLower(s)
	switch {
	case geo.ValidZIP(s):
		if extentType == "county" || extentType == "fips" || extentType == "county_fips" {
			if _, ok := geo.LookupCounty(s); ok {
				return servicearea.KindCOUNTY, s, true
			}
			return "", "", false
		}
		if _, ok := geo.LookupZIP(s); ok {
			return servicearea.KindZIP, s, true
		}
	case low == "nationwide" || low == "united states" || low == "usa":
		return servicearea.KindNATIONWIDE, "", true
	case low == ExtentOnline: // as Village exports an ONLINE area
		return servicearea.KindONLINE, "", true
	case len(s) == 2 && strings.ToUpper(s) == s && geo.ValidStateCode(s):
		if _, ok := geo.LookupState(s); ok {
			return servicearea.KindSTATE, s, true
		}
	}
	if code, ok := importStateNames[low]; ok {
		return servicearea.KindSTATE, code, true
	}
	if fips, ok := importCountyNames[low]; ok {
		return servicearea.KindCOUNTY, fips, true
	}
	return "", "", false
}

func (m *importMapper) serviceAtLocations() []*importRec {
	var out []*importRec
	for _, r := range m.rows("service_at_location") {
		sid := m.ref(r, "service_id", "services")
		lid := m.ref(r, "location_id", "locations")
		if sid == "" || lid == "" {
			m.warnf(r, "", "a service at a location needs both; not imported")
			continue
		}
		rec := &importRec{kind: importSALKind, extID: r.get("id"), row: r}
		rec.set("description", r.get("description"))
		rec.addRefs(importRef{"service_id", importSvcKind, sid}, importRef{"location_id", importLocKind, lid})
		m.keep("service_at_location", rec.extID)
		out = append(out, rec)
	}
	return out
}

func (m *importMapper) contacts() []*importRec {
	var out []*importRec
	for _, r := range m.rows("contacts") {
		rec := &importRec{kind: importContactKind, extID: r.get("id"), row: r}
		rec.set("name", r.get("name"))
		rec.set("title", r.get("title"))
		rec.set("department", r.get("department"))
		rec.set("email", m.text(r, "email", contact.EmailValidator))
		for _, c := range legacyContactPhoneColumns {
			if r.get(c) != "" {
				// 1.x phone columns that form no number (see
				// contactPhones): kept verbatim, as given.
				rec.moreOf().keepOther = append(rec.moreOf().keepOther, c)
			}
		}
		rec.addRefs(
			importRef{"organization_id", importOrgKind, m.orgRef(r, "contact")},
			importRef{"service_id", importSvcKind, m.ref(r, "service_id", "services")},
			importRef{"service_at_location_id", importSALKind, m.ref(r, "service_at_location_id", "service_at_location")})
		m.keep("contacts", rec.extID)
		out = append(out, rec)
	}
	return out
}

var importPhoneTypes = map[string]phone.Type{
	"voice": phone.TypeVOICE, "fax": phone.TypeFAX, "text": phone.TypeTEXT, "cell": phone.TypeCELL,
	"video": phone.TypeVIDEO, "pager": phone.TypePAGER, "textphone": phone.TypeTEXTPHONE,
}

func (m *importMapper) phones() []*importRec {
	// A phone's languages: the language rows that name it (and no service).
	langRows := map[string][]*importRow{}
	for _, l := range m.rows("languages") {
		if pid := l.get("phone_id"); pid != "" && l.get("service_id") == "" {
			langRows[pid] = append(langRows[pid], l)
		}
	}
	var out []*importRec
	for _, r := range m.rows("phones") {
		number := strings.TrimSpace(strings.Trim(r.get("number"), `"`))
		if number == "" {
			m.repairf(r, WarnPhoneWithoutNumber, "number", "phone without a number; dropped")
			m.skipped[r] = true
			continue
		}
		if number != r.get("number") {
			m.warnf(r, "number", "quotes around the number removed")
		}
		t := phone.TypeVOICE
		if s := strings.ToLower(r.get("type")); s != "" {
			var ok bool
			if t, ok = importPhoneTypes[s]; !ok {
				m.warnf(r, "type", "unknown phone type %q; imported as voice", r.get("type"))
				t = phone.TypeVOICE
			}
		}
		rec := &importRec{kind: importPhoneKind, extID: r.get("id"), row: r}
		rec.set("number", number)
		rec.set("extension", r.get("extension"))
		rec.set("type", t)
		rec.set("description", r.get("description"))
		var langs []string
		for _, l := range langRows[r.get("id")] {
			var row *importExtraRow
			if langs, row = m.language(l, langs, "phone", "phone_id"); row != nil {
				rec.moreOf().folded = append(rec.moreOf().folded, *row)
			}
		}
		if langs != nil {
			rec.set("languages", langs)
		}
		rec.addRefs(
			importRef{"organization_id", importOrgKind, m.orgRef(r, "phone")},
			importRef{"service_id", importSvcKind, m.ref(r, "service_id", "services")},
			importRef{"location_id", importLocKind, m.ref(r, "location_id", "locations")},
			importRef{"service_at_location_id", importSALKind, m.ref(r, "service_at_location_id", "service_at_location")},
			importRef{"contact_id", importContactKind, m.ref(r, "contact_id", "contacts")})
		out = append(out, rec)
	}
	return out
}

func (m *importMapper) schedules() []*importRec {
	var out []*importRec
	for _, r := range m.rows("schedules") {
		rec := &importRec{kind: importScheduleKind, extID: r.get("id"), row: r}
		rec.set("valid_from", m.calendarDate(r, "valid_from"))
		rec.set("valid_to", m.calendarDate(r, "valid_to"))
		var freq any
		switch f := strings.ToUpper(r.get("freq")); f {
		case "":
		case "WEEKLY":
			freq = schedule.FreqWEEKLY
		case "MONTHLY":
			freq = schedule.FreqMONTHLY
		default:
			m.warnf(r, "freq", "Village schedules repeat weekly or monthly; %q dropped (the description is kept)", r.get("freq"))
		}
		rec.set("freq", freq)
		var interval any
		if n, ok := m.integer(r, "interval"); ok {
			if n > 0 {
				interval = n
			} else {
				m.warnf(r, "interval", "interval %d dropped (must be positive)", n)
			}
		}
		rec.set("interval", interval)
		rec.set("byday", strings.ToUpper(r.get("byday")))
		rec.set("bymonthday", r.get("bymonthday"))
		rec.set("opens_at", m.clock(r, "opens_at"))
		rec.set("closes_at", m.clock(r, "closes_at"))
		var tz any
		if v := r.get("timezone"); v != "" {
			if _, err := strconv.ParseFloat(v, 64); err == nil {
				// HSDS's timezone is a UTC offset; Village's an IANA zone.
				rec.keepCol("timezone")
				m.rep.notef("schedules' timezone, a UTC offset in HSDS, is not Village's IANA time zone: kept verbatim for export, not used")
			} else {
				tz = m.text(r, "timezone", schedule.TimezoneValidator)
			}
		}
		rec.set("timezone", tz)
		rec.set("description", r.get("description"))
		// closed: HSDS 1.x holiday_schedules (the legacy converter writes
		// it); HSDS 3.0 has no such column.
		var closed any
		if v := r.get("closed"); v != "" {
			if b, err := strconv.ParseBool(strings.ToLower(v)); err == nil {
				closed = b
			} else {
				m.warnf(r, "closed", "%q is not true or false; dropped", v)
			}
		}
		rec.set("closed", closed)
		rec.addRefs(
			importRef{"service_id", importSvcKind, m.ref(r, "service_id", "services")},
			importRef{"location_id", importLocKind, m.ref(r, "location_id", "locations")},
			importRef{"service_at_location_id", importSALKind, m.ref(r, "service_at_location_id", "service_at_location")})
		out = append(out, rec)
	}
	return out
}

// clock reads an HSDS time (HH:MM or HH:MM:SS, perhaps with a zone) as
// Village's HH:MM.
func (m *importMapper) clock(r *importRow, col string) any {
	v := r.get(col)
	if v == "" {
		return nil
	}
	for _, l := range []string{"15:04:05Z07:00", "15:04Z07:00", "15:04:05", "15:04"} {
		if t, err := time.Parse(l, v); err == nil {
			if _, offset := t.Zone(); offset != 0 {
				m.warnf(r, col, "the UTC offset of %q is not kept: %s is read as the schedule's local time (give its timezone)", v, t.Format("15:04"))
			}
			return t.Format("15:04")
		}
	}
	if hm, ok := importClock12(v); ok {
		m.repairf(r, WarnTime12Hour, col, "%q is a 12-hour time; read as %s", v, hm)
		return hm
	}
	m.repairf(r, WarnTimeUnreadable, col, "not a time of day: %q; dropped", v)
	return nil
}

// importClock12Pattern matches a 12-hour time as 211 exports write it:
// "9:00am", "9 AM", "12:30 p.m.", "5:00:00 PM", "9:00a".
var importClock12Pattern = regexp.MustCompile(`(?i)^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s*(?:m\.?)?$`)

// importClock12 reads a 12-hour time as HH:MM (12 am is 00, 12 pm 12).
func importClock12(v string) (string, bool) {
	g := importClock12Pattern.FindStringSubmatch(strings.TrimSpace(v))
	if g == nil {
		return "", false
	}
	h, _ := strconv.Atoi(g[1])
	mins := 0
	if g[2] != "" {
		mins, _ = strconv.Atoi(g[2])
	}
	if h < 1 || h > 12 || mins > 59 {
		return "", false
	}
	h %= 12
	if strings.EqualFold(g[4], "p") {
		h += 12
	}
	return fmt.Sprintf("%02d:%02d", h, mins), true
}

// importEquivalent reports whether two HSDS values mean the same: equal text,
// equal numbers (100 and 100.0) or equal times of day (10:00, 10:00:00).
func importEquivalent(x, y string) bool {
	if x == y {
		return true
	}
	if a, err := strconv.ParseFloat(x, 64); err == nil {
		b, err := strconv.ParseFloat(y, 64)
		return err == nil && a == b
	}
	parse := func(s string) (time.Time, bool) {
		for _, l := range []string{"15:04:05", "15:04"} {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	a, okA := parse(x)
	b, okB := parse(y)
	return okA && okB && a.Equal(b)
}
