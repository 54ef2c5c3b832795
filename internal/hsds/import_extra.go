package hsds

import (
	"fmt"
	"sort"
	"strings"

	"github.com/village-directory/village/internal/hsds/hsdsextra"
)

// What Village does not model is kept verbatim with the record it belongs
// to (see package hsdsextra), so an export gives it back:
//
//   - a record's own HSDS 3.0 columns Village has no field for (a
//     service's fees and licenses, a location's transportation, an
//     organization's tax_id, a term's language and term_uri, ...);
//   - whole rows of tables Village does not model, under the record they
//     link to: accessibility (location_id), cost_options and
//     required_documents (service_id), organization_identifiers
//     (organization_id), languages of a location or phone, a location's
//     further addresses, unfoldable funding, the taxonomy of a term, and
//     attributes (link_id) and metadata (resource_id) linked to any record
//     or to a row kept this way;
//   - what rows Village folds into a record carried beyond Village's
//     fields: a location's address (its id, attention, address_type, the
//     region when state_province is used), a service's languages (id,
//     name, note, other links), the attributes that became its needs.
//
// Only HSDS 3.0 columns are kept (those of the spec's data package): the
// export writes the 3.0 tables, so other columns stay listed as not
// imported; the exception is a 1.x column the legacy mapping reads whose
// value it could not use (a contact's phone columns that form no number,
// importRec.keepOther), kept as given. Values Village refuses (impossible coordinates, invalid emails,
// kept text that breaks its column's format in the spec: a uri that is not
// an absolute URI, an email that is no address) and links to records
// absent from the package are dropped with a warning, not kept. A row that links to no record of the package is not imported
// and is warned about.

// importSpecTables (canonical table → its 3.0 columns, in order),
// importSpecTypes (canonical table → column → data package type) and
// importSpecFormats (→ its format, where it has one) come from the
// embedded data package, read once.
var importSpecTables, importSpecTypes, importSpecFormats = importLoadSpec()

func importLoadSpec() (map[string][]string, map[string]map[string]string, map[string]map[string]string) {
	importSpecTables, importSpecTypes, importSpecFormats := map[string][]string{}, map[string]map[string]string{}, map[string]map[string]string{}
	tables, err := DataPackageTables()
	if err != nil {
		panic(err) // the descriptor is embedded: a broken one is a build fault
	}
	for _, t := range tables {
		name := strings.TrimSuffix(t.Path, ".csv")
		types, formats := map[string]string{}, map[string]string{}
		for _, f := range t.Schema.Fields {
			importSpecTables[name] = append(importSpecTables[name], f.Name)
			types[f.Name] = f.Type
			if f.Format != "" {
				formats[f.Name] = f.Format
			}
		}
		importSpecTypes[name], importSpecFormats[name] = types, formats
	}
	return importSpecTables, importSpecTypes, importSpecFormats
}

// keptFormatError says why text kept for column col of table breaks the
// format the spec gives the column (a uri, an email), or "". Such text is
// neither kept nor served: a response must validate against the spec's
// schemas. Ids and links (format uuid) are checked as structure elsewhere.
func keptFormatError(table, col, v string) string {
	switch f := importSpecFormats[table][col]; f {
	case "uri", "email":
		if msg := formatError(f, v); msg != "" {
			return msg + " (the spec's format " + f + ")"
		}
	}
	return ""
}

// keptWithScheme reads kept text of a uri column written as a host name
// and path without a scheme ("www.example.org/logo.png", which the spec's
// format would take for a relative reference) as an http URL, with a
// warning (once per row and column); false when v needs no repair or has
// none.
func (m *importMapper) keptWithScheme(table string, src *importRow, col, v string) (string, bool) {
	if importSpecFormats[table][col] != "uri" {
		return "", false
	}
	fixed, ok := importWithScheme(strings.TrimSpace(v))
	if !ok || keptFormatError(table, col, fixed) != "" {
		return "", false
	}
	if src != nil && !m.badFormats[src][col] {
		if m.badFormats[src] == nil {
			m.badFormats[src] = map[string]bool{}
		}
		m.badFormats[src][col] = true
		m.repairf(src, WarnURLSchemeAdded, col, "%q has no scheme; kept as %q", v, fixed)
	}
	return fixed, true
}

// keepValid drops from row (of table, read from src when known) the text
// that breaks its column's format, with a warning.
func (m *importMapper) keepValid(table string, src *importRow, row hsdsextra.Row) hsdsextra.Row {
	cols := make([]string, 0, len(row))
	for c := range row {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		if fixed, ok := m.keptWithScheme(table, src, c, row[c]); ok {
			row[c] = fixed
			continue
		}
		if msg := keptFormatError(table, c, row[c]); msg != "" {
			if src != nil && !m.badFormats[src][c] {
				if m.badFormats[src] == nil {
					m.badFormats[src] = map[string]bool{}
				}
				m.badFormats[src][c] = true
				m.warnf(src, c, "%s; dropped", msg)
			}
			delete(row, c)
		}
	}
	return row
}

// importSpecColumns are the HSDS 3.0 columns of a table (canonical name).
func importSpecColumns(table string) []string {
	return importSpecTables[table]
}

// specType is the data package type of a column (string when unknown).
func specType(table, col string) string {
	if t := importSpecTypes[table][col]; t != "" {
		return t
	}
	return "string"
}

// verbatim is the value of col in r as given, or "" for a blank cell.
func verbatim(r *importRow, col string) string {
	v := r.raw(col)
	if strings.TrimSpace(v) == "" {
		return ""
	}
	return v
}

// specRow is the HSDS 3.0 columns of r that carry a value, except skip.
func specRow(table string, r *importRow, skip ...string) hsdsextra.Row {
	out := hsdsextra.Row{}
	for _, c := range importSpecColumns(table) {
		if v := verbatim(r, c); v != "" && !containsString(skip, c) {
			out[c] = v
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// attachExtras gives each record what its package carried that Village
// does not store (see above) and marks every row so used; rows that could
// not be placed are warned about and reported.
func (m *importMapper) attachExtras(recs []*importRec) {
	// Where rows linking to an HSDS id are kept: the record of that id, or
	// the record holding the row of that id, by table (ids need only be
	// unique within a table).
	owners := ownerIndex{}
	for _, r := range recs {
		owners.add(r.kind.table, r.extID, r)
	}
	for _, rec := range recs {
		rec.extra = &hsdsextra.Extra{}
		rec.row.consumed = true
		table := rec.kind.table
		for i, c := range importSpecColumns(table) {
			bit := uint64(0)
			if i < 64 {
				bit = 1 << i
			}
			v := verbatim(rec.row, c)
			if v == "" || (m.used[table][c] && rec.keepCols&bit == 0) || rec.storedCols&bit != 0 {
				continue
			}
			if fixed, ok := m.keptWithScheme(table, rec.row, c, v); ok {
				v = fixed
			} else if msg := keptFormatError(table, c, v); msg != "" {
				m.warnf(rec.row, c, "%s; dropped", msg)
				continue
			}
			rec.extra.SetField(c, v)
			m.keptColumn(table, c)
		}
		more := rec.more
		rec.more = nil // kept now: what is left of it goes
		if more == nil {
			more = &importRecMore{} // on the stack
		}
		for _, c := range more.keepOther {
			rec.extra.SetField(c, verbatim(rec.row, c))
			m.keptColumn(table, c)
		}
		for _, a := range more.attached {
			rec.extra.AddRow(a.table, m.keepValid(a.table, a.src, a.row))
			m.keptTables[a.table] = true
			a.src.consumed = true
			owners.add(a.table, a.src.get("id"), rec)
		}
		for _, f := range more.folded {
			rec.extra.AddFolded(f.table, m.keepValid(f.table, f.src, f.row))
			if f.src != nil {
				f.src.consumed = true
				owners.add(f.table, f.src.get("id"), rec)
			}
		}
	}
	// Whole rows, by the column that links them to their record; rows
	// linking to rows placed before them (attributes and metadata of an
	// accessibility row) follow them.
	place := func(table string, r *importRow, links ...string) bool {
		for _, col := range links {
			id := r.get(col)
			if id == "" {
				continue
			}
			o := owners.find(linkedTable(r, col), id)
			if o == nil {
				continue
			}
			o.extra.AddRow(table, m.keepValid(table, r, specRow(table, r)))
			r.consumed = true
			m.keptTables[table] = true
			owners.add(table, r.get("id"), o)
			return true
		}
		return false
	}
	for _, t := range []struct {
		table string
		links []string
	}{
		{"addresses", []string{"location_id"}},
		{"accessibility", []string{"location_id"}},
		{"cost_options", []string{"service_id"}},
		{"required_documents", []string{"service_id"}},
		{"organization_identifiers", []string{"organization_id"}},
		{"funding", []string{"service_id", "organization_id"}},
		{"languages", []string{"location_id", "phone_id", "service_id"}},
		{"attributes", []string{"link_id"}},
		{"metadata", []string{"resource_id"}},
	} {
		for _, r := range m.rows(t.table) {
			if r.consumed || m.skipped[r] {
				continue
			}
			if t.table == "metadata" && r.get("field_name") == MetadataVersionField {
				// A Village export's change history: it describes the
				// exporting directory, whose own feed logs this import.
				r.consumed = true
				continue
			}
			if !place(t.table, r, t.links...) {
				m.warnUnplaced(t.table, r, t.links)
			}
		}
	}
	for _, rec := range recs {
		rec.extra = rec.extra.Normalize()
	}
}

// areaExtentStored marks a service area's extent and extent_type stored
// when Village writes its own for the area (a place or a circle, as read
// or as the coverage attribute restored it): a kept column fills only what
// Village leaves empty, so keeping them would give nothing back and would
// make a re-import of the export differ from the import it came from.
func areaExtentStored(rec *importRec) {
	code, _ := rec.value("code").(string)
	float := func(name string) *float64 {
		if v, ok := rec.value(name).(float64); ok {
			return &v
		}
		return nil
	}
	kind := fmt.Sprint(rec.value("kind"))
	extent, extentType := areaExtent(kind, code, float("center_latitude"), float("center_longitude"), float("radius_km"))
	if extent != "" {
		rec.storedCol("extent")
	}
	if extentType != "" {
		rec.storedCol("extent_type")
	}
}

// ownerIndex finds the record a row is kept with: by table and HSDS id,
// since a package's ids need only be unique within a table.
type ownerIndex map[ownerKey]*importRec

type ownerKey struct{ table, id string }

func (o ownerIndex) add(table, id string, rec *importRec) {
	if id == "" {
		return
	}
	k := ownerKey{table, id}
	if _, dup := o[k]; !dup {
		o[k] = rec
	}
}

// find returns the owner of id in table; with no table known (a link that
// does not say what it links to), the one owner of id in any table, and
// nil when several tables hold that id.
func (o ownerIndex) find(table, id string) *importRec {
	if table != "" {
		return o[ownerKey{table, id}]
	}
	var found *importRec
	for k, rec := range o {
		if k.id != id {
			continue
		}
		if found != nil && found != rec {
			return nil // ambiguous: keep it nowhere rather than with the wrong record
		}
		found = rec
	}
	return found
}

// linkedTable is the table a row's link column points into, "" when the
// row does not say (an attribute's link_entity or a metadata entry's
// resource_type that names no HSDS table).
func linkedTable(r *importRow, col string) string {
	switch col {
	case "link_id":
		return entityTable(r.get("link_entity"))
	case "resource_id":
		return entityTable(r.get("resource_type"))
	}
	return linkColumnTables[col]
}

// linkColumnTables are the tables HSDS's link columns point into.
var linkColumnTables = map[string]string{
	"organization_id":        "organizations",
	"service_id":             "services",
	"location_id":            "locations",
	"phone_id":               "phones",
	"contact_id":             "contacts",
	"program_id":             "programs",
	"service_at_location_id": "service_at_location",
	"taxonomy_term_id":       "taxonomy_terms",
	"taxonomy_id":            "taxonomies",
}

// entityTable reads a link_entity or resource_type: the HSDS table, named
// as Village writes it (the singular record kind, "service") or as the
// table ("services"); "" when it names none.
func entityTable(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if t, ok := linkColumnTables[name+"_id"]; ok {
		return t
	}
	if t, ok := linkColumnTables[strings.TrimSuffix(name, "s")+"_id"]; ok { // "service_at_locations"
		return t
	}
	for _, t := range linkColumnTables {
		if t == name {
			return t
		}
	}
	switch name {
	case "address", "addresses":
		return "addresses"
	case "accessibility", "funding", "languages", "attributes", "metadata":
		return name
	case "language", "attribute":
		return name + "s"
	case "service_area", "service_areas", "schedule", "schedules", "cost_option", "cost_options",
		"required_document", "required_documents", "organization_identifier", "organization_identifiers":
		return strings.TrimSuffix(name, "s") + "s"
	}
	return ""
}

// warnUnplaced warns about a row whose record is not in the package.
func (m *importMapper) warnUnplaced(table string, r *importRow, links []string) {
	var named []string
	for _, col := range links {
		if id := r.get(col); id != "" {
			named = append(named, col+" "+id)
		}
	}
	if len(named) == 0 {
		m.warnf(r, strings.Join(links, ", "), "links to no record; %s row not imported", table)
		return
	}
	m.warnf(r, strings.Join(links, ", "), "no record with %s in the package (or it was not imported); %s row not imported", strings.Join(named, " or "), table)
}

// keptColumn notes that a column of a table is kept verbatim.
func (m *importMapper) keptColumn(table, col string) {
	if m.keptCols[table] == nil {
		m.keptCols[table] = map[string]bool{}
	}
	m.keptCols[table][col] = true
}

// reportUnused lists, per table, the rows Village neither stored nor kept,
// and the columns that carry data it neither stores nor keeps (columns
// outside HSDS 3.0).
func (m *importMapper) reportUnused() {
	names := make([]string, 0, len(m.pkg.tables))
	for n := range m.pkg.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	var keptTables []string
	for _, n := range names {
		t := m.pkg.tables[n]
		total := len(t.rows)
		files := map[string]bool{}
		if f := m.forgotten[n]; f != nil {
			total += f.rows
			for file := range f.files {
				files[file] = true
			}
		}
		if total == 0 {
			continue
		}
		left := 0
		for _, r := range t.rows {
			files[r.file] = true
			if !r.consumed {
				left++
			}
		}
		fl := make([]string, 0, len(files))
		for f := range files {
			fl = append(fl, f)
		}
		sort.Strings(fl)
		label := strings.Join(fl, ", ")
		if m.pkg.form == "json" {
			label = n + " objects in " + label
		}
		if left > 0 {
			why := "see the warnings"
			switch n {
			case "meta_table_descriptions":
				why = "they describe the package, and Village keeps no package"
			case "service_capacity":
				why = "not an HSDS 3.0 table; see the notes"
			}
			m.rep.Ignored = append(m.rep.Ignored, fmt.Sprintf("%s: %d of %d %s row(s) not imported (%s)", label, left, total, n, why))
		}
		if !importMappedTables[n] && m.keptTables[n] {
			keptTables = append(keptTables, n)
		}
		cols := map[string]bool{}
		for _, r := range t.rows {
			r.each(func(c, v string) {
				if strings.TrimSpace(v) != "" && !m.used[n][c] && !m.keptCols[n][c] && !containsString(importSpecColumns(n), c) {
					cols[c] = true
				}
			})
		}
		if len(cols) == 0 {
			continue
		}
		cl := make([]string, 0, len(cols))
		for c := range cols {
			cl = append(cl, c)
		}
		sort.Strings(cl)
		m.rep.Ignored = append(m.rep.Ignored, fmt.Sprintf("%s: fields not stored (Village has no field for them): %s", label, strings.Join(cl, ", ")))
	}
	if len(keptTables) > 0 {
		m.rep.notef("rows of tables Village does not model (%s) and columns it has no field for are kept verbatim with their records and exported back", strings.Join(keptTables, ", "))
	}
}
