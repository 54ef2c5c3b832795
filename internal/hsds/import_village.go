package hsds

import (
	"cmp"
	"encoding/json"

	"fmt"
	"github.com/google/uuid"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
)

// override sets a field, replacing any value set before.
func (r *importRec) override(name string, v any) {
	if r.packed != 0 {
		_ = r.unpacked()
	}
	for i, f := range r.fieldList() {
		if f.Name == name {
			r.body.fields[i].Value = v
			return
		}
	}
	r.set(name, v)
}

// value is the value of a field set on r (nil when not set).
func (r *importRec) value(name string) any {
	fields, _, _ := r.unpack()
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return nil
}

// villageAttributes indexes the package's Village attributes by the
// table and id of the record they name (table "" when the attribute's
// link_entity names no table), with their term codes. The values are read
// in the attributes' order, as the index is made, and kept end to end in
// chunks (at most importVillageChunk bytes; a short value given again is
// kept once) until a record asks for them (villageOf): a Village export
// gives most of its records some, and an index holding a string, and a
// map, per value was the import's largest holder; reading each record's
// values from its rows when asked read the spill out of order, a read per
// value. A record is found by its UUID (16 bytes), or by its id when that
// is no UUID; its attributes are a chain in its table's list (16 bytes
// each), the latest first; a table's index goes once its records are
// mapped (importVillageIndex.done). The national package's 400,000
// attributes took 46 MB as one map of strings to lists.
//
// The Village attribute rows, once read into the index, are stored (the
// export writes them again) and need nothing more: the accounting counts
// them as imported from their file (forgetConsumed) and they go.
func (m *importMapper) villageAttributes() *importVillageIndex {
	x := &importVillageIndex{tables: map[string]*importVillageTable{}}
	// The code of each term an attribute names ("" when no Village term).
	codes := map[string]string{}
	for _, a := range m.rows("attributes") {
		termID := a.get("taxonomy_term_id")
		code, ok := codes[termID]
		if !ok {
			code = m.villageTermCode(termID)
			codes[termID] = code
		}
		if code == "" {
			continue
		}
		a.consumed = true // Village's own encoding: the export writes it again
		x.add(linkedTable(a, "link_id"), a.get("link_id"), code, a.raw("value"))
	}
	m.forgetConsumed("attributes")
	m.compactAll()
	return x
}

// importVillageIndex is the package's Village attributes, by the table
// of the records they name ("" when they name none), each table's let go
// once its records are mapped (done).
type importVillageIndex struct {
	tables map[string]*importVillageTable
	codes  []string
	n      int // attributes indexed
}

// importVillageTable is the Village attributes of the records of one
// table: a record's latest attribute (1 + its place in attrs) by its
// UUID, or by its id when that is no UUID; its attributes are a chain,
// the latest first.
type importVillageTable struct {
	byUUID map[uuid.UUID]int32
	byText map[string]int32
	attrs  []importVillageAttr
	chunks [][]byte
	// values are where the short values are, each kept once.
	values map[string]importVillageAttr
}

// importVillageShared is the longest value kept once however many
// attributes give it.
const importVillageShared = 64

// importVillageAttr is a Village attribute of a record: the one of the
// same record before it (1 + its place; 0 when none), its term's code
// (by its place in codes) and where its value is in the chunks.
type importVillageAttr struct {
	prev  int32
	code  uint16
	chunk uint16
	off   uint32
	size  uint32
}

// importVillageChunk is the largest chunk attributes' values are kept in
// (a larger value has one of its own): a single buffer grown by doubling
// would hold up to twice the values.
const importVillageChunk = 1 << 20

// len is how many attributes the index held.
func (x *importVillageIndex) len() int {
	if x == nil {
		return 0
	}
	return x.n
}

// done lets the attributes of table's records go: they are mapped.
func (x *importVillageIndex) done(table string) {
	if x != nil {
		delete(x.tables, table)
	}
}

// canonicalUUID is id as a UUID when it is one written canonically
// (another spelling of the same UUID is another id).
func canonicalUUID(id string) (uuid.UUID, bool) {
	if len(id) != 36 {
		return uuid.UUID{}, false
	}
	u, err := uuid.Parse(id)
	return u, err == nil && u.String() == id
}

func (x *importVillageIndex) add(table, id, code, value string) {
	t := x.tables[table]
	if t == nil {
		t = &importVillageTable{byUUID: map[uuid.UUID]int32{}}
		x.tables[table] = t
	}
	u, isUUID := canonicalUUID(id)
	var head int32
	if isUUID {
		head = t.byUUID[u]
	} else {
		head = t.byText[id]
	}
	ci := slices.Index(x.codes, code)
	if ci < 0 {
		ci = len(x.codes)
		x.codes = append(x.codes, code)
	}
	at, seen := t.values[value]
	if !seen {
		n := len(t.chunks)
		if n == 0 || len(t.chunks[n-1])+len(value) > cap(t.chunks[n-1]) {
			size := 64 << 10
			if n > 0 {
				size = min(2*cap(t.chunks[n-1]), importVillageChunk)
			}
			t.chunks = append(t.chunks, make([]byte, 0, max(size, len(value))))
			n++
		}
		c := t.chunks[n-1]
		at = importVillageAttr{chunk: uint16(n - 1), off: uint32(len(c)), size: uint32(len(value))}
		t.chunks[n-1] = append(c, value...)
		if code != "external_id" && len(value) <= importVillageShared {
			// The same provenance, sample flag, verifier… of thousands
			// of records: kept once.
			if t.values == nil {
				t.values = map[string]importVillageAttr{}
			}
			t.values[value] = at
		}
	}
	at.prev, at.code = head, uint16(ci)
	t.attrs = append(t.attrs, at)
	x.n++
	head = int32(len(t.attrs))
	if isUUID {
		t.byUUID[u] = head
	} else {
		if t.byText == nil {
			t.byText = map[string]int32{}
		}
		t.byText[id] = head
	}
}

// find gives the table holding the record's attributes and its latest
// attribute (1 + its place), 0 when it has none.
func (x *importVillageIndex) find(table, id string) (*importVillageTable, int32) {
	t := x.tables[table]
	if t == nil {
		return nil, 0
	}
	if u, ok := canonicalUUID(id); ok {
		return t, t.byUUID[u]
	}
	return t, t.byText[id]
}

// villageTermCode is the Village code of the term with id termID, "" when
// it is no Village term.
func (m *importMapper) villageTermCode(termID string) string {
	term := m.ids["taxonomy_terms"][termID]
	if term == nil {
		// A package that left the Village terms out: their ids are fixed.
		code, _ := VillageTermCode(termID)
		return code
	}
	tax := term.get("taxonomy")
	if tax == "" {
		if t := m.ids["taxonomies"][term.get("taxonomy_id")]; t != nil {
			tax = t.get("name")
		}
	}
	if tax != VillageTaxonomy {
		return ""
	}
	return term.get("code")
}

// villageOf returns the Village attributes of the record with HSDS id id
// in table (term code → value; of several with one code, the last): those
// naming its table, or those naming none when no other table of the
// package has that id.
func (m *importMapper) villageOf(table, id string) map[string]string {
	if m.village == nil {
		m.village = m.villageAttributes()
	}
	x := m.village
	t, head := x.find(table, id)
	if head == 0 && m.tablesWithID(id) <= 1 {
		t, head = x.find("", id)
	}
	if head == 0 {
		return nil
	}
	out := map[string]string{}
	for i := head; i != 0; i = t.attrs[i-1].prev {
		a := t.attrs[i-1]
		code := x.codes[a.code]
		if _, later := out[code]; later {
			continue // the chain runs from the last
		}
		b := t.chunks[a.chunk][a.off : a.off+a.size]
		if code == "external_id" { // one per record: no use sharing
			out[code] = string(b)
			continue
		}
		out[code] = m.villageValue(b)
	}
	return out
}

// villageValue is b as a string, the same string as the same value read
// before: the records an attribute's value goes to (a service's
// provenance to each of its areas, the same provenance on thousands of
// records) share one.
func (m *importMapper) villageValue(b []byte) string {
	if len(b) > 256 {
		return string(b)
	}
	if s, ok := m.villageValues[string(b)]; ok {
		return s
	}
	if m.villageValues == nil {
		m.villageValues = map[string]string{}
	}
	v := string(b)
	m.villageValues[v] = v
	return v
}

// tablesWithID counts the package's tables holding a row with HSDS id id
// that a link may point at (not the attributes and metadata that link).
func (m *importMapper) tablesWithID(id string) int {
	n := 0
	for table, rows := range m.ids {
		if rows[id] != nil && table != "attributes" && table != "metadata" {
			n++
		}
	}
	return n
}

// The readers of Village attributes' values, for applyVillage's restore:
// each gives the value the field takes, of the field's Go type.

func asText(v string) (any, error)  { return v, nil }
func asBool(v string) (any, error)  { return strconv.ParseBool(v) }
func asInt(v string) (any, error)   { return strconv.Atoi(v) }
func asInt64(v string) (any, error) { return strconv.ParseInt(v, 10, 64) }

// asUTC reads a time (RFC 3339) as UTC.
func asUTC(v string) (any, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	return t.UTC(), err
}

// asApproach reads a program's approach, and checks it.
func asApproach(v string) (any, error) {
	a := program.Approach(v)
	return a, program.ApproachValidator(a)
}

// asJSON reads a Village attribute holding a JSON value of type T.
func asJSON[T any](v string) (any, error) {
	var x T
	err := json.Unmarshal([]byte(v), &x)
	return x, err
}

// asEligibility reads a Village eligibility attribute, and checks it.
func asEligibility(v string) (any, error) {
	var e directory.Eligibility
	if err := json.Unmarshal([]byte(v), &e); err != nil {
		return nil, err
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return &e, nil
}

// applyVillage restores the Village fields an export carried as attributes
// of the record.
func (m *importMapper) applyVillage(rec *importRec) {
	if m.village == nil {
		m.village = m.villageAttributes()
	}
	if rec.kind == importSvcKind && m.village.len() > 0 {
		// A Village export (it carries Village attributes) gives a service
		// its own eligibility as an attribute, restored below, and one
		// that inherits its program's none, only the program's ages
		// beside it for other tools.
		rec.override("eligibility", nil)
	}
	attrs := m.villageOf(rec.kind.table, rec.extID)
	if rec.kind == importAreaKind && m.village.len() > 0 {
		// An area without its own provenance or sample flag has its
		// service's (see areaInherits).
		svc := m.villageOf(importSvcKind.table, rec.row.get("service_id"))
		if _, own := attrs["provenance"]; !own {
			if p, ok := svc["provenance"]; ok {
				rec.override("provenance", p)
			}
		}
		if _, own := attrs["sample"]; !own && svc["sample"] == "true" {
			rec.override("sample", true)
		}
		if _, ok := attrs["coverage"]; !ok {
			areaFromExtent(rec)
		}
	}
	if len(attrs) == 0 {
		return
	}
	m.rep.notef("Village attributes (taxonomy %q) restored Village's own fields", VillageTaxonomy)
	bad := func(code string, err error) {
		m.warnf(rec.row, "attributes."+code, "Village attribute not readable (%v); ignored", err)
	}
	// restore overrides field with attribute code, when the record has it,
	// as parse reads it; a value parse refuses is warned about and ignored.
	restore := func(code, field string, parse func(string) (any, error)) {
		v, ok := attrs[code]
		if !ok {
			return
		}
		x, err := parse(v)
		if err != nil {
			bad(code, err)
			return
		}
		rec.override(field, x)
	}
	restore("sample", "sample", asBool)
	restore("provenance", "provenance", asText)
	if v, ok := attrs["external_id"]; ok {
		// SOURCE:ID, split at the first colon as the CLI reads one: a
		// source is a short name, an id may hold colons.
		source, id, found := strings.Cut(v, ":")
		if !found || strings.TrimSpace(source) == "" || strings.TrimSpace(id) == "" {
			bad("external_id", fmt.Errorf("%q is not SOURCE:ID", v))
		} else {
			rec.key = &importKey{source: source, id: id}
		}
	}
	switch rec.kind {
	case importSvcKind:
		restore("eligibility", "eligibility", asEligibility)
		restore("free", "free", asBool)
		restore("capacity_available", "capacity_available", asInt)
		restore("capacity_maximum", "capacity_maximum", asInt)
		restore("capacity_updated_at", "capacity_updated_at", asUTC)
		restore("verified_at", "verified_at", asUTC)
		restore("verified_by", "verified_by", asText)
		restore("internal_notes", "internal_notes", asText)
		restore("delivery_modes", "delivery_modes", asJSON[[]directory.DeliveryMode])
	case importProgramKind:
		restore("eligibility", "eligibility", asEligibility)
		restore("approach", "approach", asApproach)
		restore("settings", "settings", asJSON[[]directory.Setting])
		restore("audiences", "audiences", asJSON[[]directory.Audience])
		restore("evidence", "evidence", asJSON[[]directory.Evidence])
		restore("serves_through_months", "serves_through_months", asInt)
		restore("url", "url", asText)
		restore("site_finder_url", "site_finder_url", asText)
	case importFundingKind:
		restore("funding_description", "description", asText)
		restore("amount_usd", "amount_usd", asInt64)
		for _, link := range []struct {
			code, field, table string
			kind               *importKind
		}{{"funder_id", "funder_id", "organizations", importOrgKind}, {"program_id", "program_id", "programs", importProgramKind}} {
			v, ok := attrs[link.code]
			if !ok || v == "" {
				continue
			}
			if m.kept[link.table][v] == "" {
				m.warnf(rec.row, "attributes."+link.code, "no %s with id %s in the package; link dropped", link.table, v)
				continue
			}
			rec.addRefs(importRef{link.field, link.kind, v})
		}
	case importLocKind:
		restore("confidential", "confidential", asBool)
	case importAreaKind:
		if v, ok := attrs["coverage"]; ok {
			var c struct {
				Kind            string   `json:"kind"`
				Code            string   `json:"code"`
				CenterLatitude  *float64 `json:"centerLatitude"`
				CenterLongitude *float64 `json:"centerLongitude"`
				RadiusKm        *float64 `json:"radiusKm"`
			}
			if err := json.Unmarshal([]byte(v), &c); err != nil {
				bad("coverage", err)
			} else if err := servicearea.KindValidator(servicearea.Kind(strings.ToUpper(c.Kind))); err != nil {
				bad("coverage", err)
			} else {
				rec.override("kind", servicearea.Kind(strings.ToUpper(c.Kind)))
				rec.override("code", importNonEmpty(c.Code))
				deref := func(f *float64) any {
					if f == nil {
						return nil
					}
					return *f
				}
				rec.override("center_latitude", deref(c.CenterLatitude))
				rec.override("center_longitude", deref(c.CenterLongitude))
				rec.override("radius_km", deref(c.RadiusKm))
			}
		}
	case importPhoneKind:
		restore("staff_only", "staff_only", asBool)
		restore("extension", "extension", asText)
	case importScheduleKind:
		restore("timezone", "timezone", asText)
		restore("closed", "closed", asBool)
	}
}

// areaFromExtent sets the coverage of an area of a Village export that
// carries no coverage attribute from its extent and extent_type, which
// then hold all of it (see extentSaysAll); a circle was read as one
// already (serviceAreas).
func areaFromExtent(rec *importRec) {
	ext := rec.row.get("extent")
	var kind servicearea.Kind
	code := any(ext)
	switch strings.ToLower(rec.row.get("extent_type")) {
	case ExtentTypeZIP:
		kind = servicearea.KindZIP
	case ExtentTypeCounty:
		kind = servicearea.KindCOUNTY
	case ExtentTypeState:
		kind = servicearea.KindSTATE
	case ExtentTypeText:
		switch ext {
		case ExtentNationwide:
			kind = servicearea.KindNATIONWIDE
		case ExtentOnline:
			kind = servicearea.KindONLINE
		}
		code = nil
	}
	if kind == "" || ext == "" {
		return
	}
	rec.override("kind", kind)
	rec.override("code", code)
	rec.override("center_latitude", nil)
	rec.override("center_longitude", nil)
	rec.override("radius_km", nil)
}

// attachHistory gives each record the ids of the package's change-history
// entries about it (a Village export's metadata), by which the writer
// tells an export of its own directory (see importWriter.ownOf). The
// entries themselves are not kept (attachExtras).
func (m *importMapper) attachHistory(recs []*importRec) {
	// Each entry's row with its record's place in recs, sorted by that
	// place (stable: a record's entries stay in the package's order),
	// rather than the entries' ids in a map of lists: a Village export
	// gives most records one, and their ids held at once took tens of MB.
	at := make(map[ownerKey]int32, len(recs)) // as ownerIndex.add
	for i, r := range recs {
		if k := (ownerKey{r.kind.table, r.extID}); r.extID != "" {
			if _, dup := at[k]; !dup {
				at[k] = int32(i)
			}
		}
	}
	type entry struct {
		at int32
		md *importRow
	}
	var entries []entry
	for _, md := range m.rows("metadata") {
		if md.get("field_name") != MetadataVersionField {
			continue
		}
		table := linkedTable(md, "resource_id")
		if table == "" {
			continue
		}
		if i, ok := at[ownerKey{table, md.get("resource_id")}]; ok && md.get("id") != "" {
			entries = append(entries, entry{i, md})
		}
	}
	at = nil
	slices.SortStableFunc(entries, func(a, b entry) int { return cmp.Compare(a.at, b.at) })
	// Held until written, and read only for records that may be this
	// directory's own: packed into the spill, as the records' fields, in
	// the records' order.
	for i := 0; i < len(entries); {
		var ids []string
		j := i
		for ; j < len(entries) && entries[j].at == entries[i].at; j++ {
			if id := entries[j].md.get("id"); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		recs[entries[i].at].setHistory(ids, m.pkg.spill)
		i = j
	}
}
