package hsds

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// importRow is one HSDS record as read from a CSV row or a JSON object: its
// values as strings (an absent column and an empty cell are both ""), and
// where it came from, for messages.
type importRow struct {
	file string
	line int32 // CSV row number (1 = first data row); 0 for JSON
	// consumed: the row is stored or kept verbatim (a flag of the row,
	// where a map would take an entry per row of the package).
	consumed bool
	// copyOf: the row, a nested JSON object, is so far a copy of its
	// record's first row (see nestedCopy); a value set on it since says
	// otherwise (setRaw).
	copyOf bool
	// path is the JSON path ($.locations[0]); nil for CSV (a pointer,
	// as a CSV row has none: a row takes 64 bytes, not 80).
	path *string
	// A CSV row is its record's values, by the position its layout gives
	// each column (one per file, not per row: packages run to millions of
	// rows); v holds a JSON object's values, and any value set on a CSV
	// row outside its header or over a value read (v is read first). A
	// CSV row's values are one string (compactValues): the number of
	// values and where each ends (2 bytes apiece, or 4 in a row of 64 KiB
	// or more), then the values, kept by the layout's spill (off the
	// heap; at: the offset << 24 | the length) and read back when asked
	// for.
	lay *importLayout
	at  uint64
	v   map[string]string
	// src is, for a row converted from an HSDS 1.x/2.0 table
	// (import_legacy.go), the source row it was made from (file and line
	// above are that row's); nil for a row read as it is. Several rows
	// made from one source row share it.
	src *importRow
}

func (r *importRow) get(col string) string {
	v := strings.TrimSpace(r.raw(col))
	if col == "id" || strings.HasSuffix(col, "_id") {
		return canonicalID(v)
	}
	return v
}

// canonicalID writes a UUID in lower case, as Village exports every HSDS
// id: an upper-case id would otherwise be a different record when the
// export comes back. Any other id is left as it is.
func canonicalID(v string) string {
	if len(v) != 36 || strings.ToLower(v) == v {
		return v
	}
	if _, err := uuid.Parse(v); err != nil {
		return v
	}
	return strings.ToLower(v)
}

// raw is the value of col as given.
func (r *importRow) raw(col string) string {
	if s, ok := r.v[col]; ok {
		return s
	}
	if r.lay == nil {
		return ""
	}
	if i, ok := r.lay.cols[col]; ok {
		return r.val(i)
	}
	return ""
}

// val is the value of the row's column i, as read: a copy, never part
// of a buffer.
func (r *importRow) val(i int) string {
	if r.lay == nil {
		return ""
	}
	d := r.lay.spill.row(r)
	if len(d) == 0 {
		return ""
	}
	w := int(d[0])
	n := int(rowUint(d, 1, w))
	if i < 0 || i >= n {
		return ""
	}
	start := 0
	if i > 0 {
		start = int(rowUint(d, 1+w*i, w))
	}
	off := 1 + w + w*n
	return string(d[off+start : off+int(rowUint(d, 1+w+w*i, w))])
}

// rowUint is the little-endian unsigned integer of w bytes (2 or 4) at
// s[i:i+w].
func rowUint(s []byte, i, w int) uint32 {
	x := uint32(s[i]) | uint32(s[i+1])<<8
	if w == 4 {
		x |= uint32(s[i+2])<<16 | uint32(s[i+3])<<24
	}
	return x
}

// setRaw sets the value of col.
func (r *importRow) setRaw(col, val string) {
	if r.v == nil {
		r.v = map[string]string{}
	}
	r.v[col] = val
	r.copyOf = false
}

// each calls f with every column of the row and its value.
func (r *importRow) each(f func(col, val string)) {
	if r.lay == nil {
		for c, v := range r.v {
			f(c, v)
		}
		return
	}
	for c, i := range r.lay.cols {
		if _, set := r.v[c]; !set {
			f(c, r.val(i))
		}
	}
	for c, v := range r.v {
		f(c, v)
	}
}

// jsonPath is the row's JSON path, "" for a CSV row. A JSON row's
// values once compacted are followed by its path.
func (r *importRow) jsonPath() string {
	if r.path != nil {
		return *r.path
	}
	if r.lay != nil && r.lay.path {
		return r.val(len(r.lay.cols))
	}
	return ""
}

// pathRef is the row's JSON path for a row made from it (nil for CSV).
func (r *importRow) pathRef() *string {
	if r.path != nil || r.lay == nil || !r.lay.path {
		return r.path
	}
	p := r.jsonPath()
	return &p
}

// msg builds a message about field (may be "") of the row.
func (r *importRow) msg(field, format string, args ...any) ImportMessage {
	return ImportMessage{File: r.file, Row: int(r.line), Path: r.jsonPath(), Field: field, Text: fmt.Sprintf(format, args...)}
}

// importTable is one HSDS table: its rows and the columns it carried.
type importTable struct {
	name    string // canonical HSDS 3.0 name
	file    string
	columns []string
	rows    []*importRow
	// compacted is how many of rows compactRows has been through.
	compacted int
}

// importKnownTables lists the HSDS 3.0 tables (canonical names) and the
// columns of each that the import understands or knowingly sets aside.
// Columns outside these lists are reported as unknown.
var importKnownTables = map[string][]string{
	"organizations":       {"url", "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"},
	"services":            {"id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified"},
	"locations":           {"id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type"},
	"addresses":           {"id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type"},
	"service_at_location": {"id", "service_id", "location_id", "description"},
	"phones":              {"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number", "extension", "type", "description"},
	"contacts":            {"id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title", "department", "email"},
	"service_areas":       {"id", "service_id", "service_at_location_id", "name", "description", "extent", "extent_type", "uri"},
	"schedules":           {"id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes"},
	"languages":           {"id", "service_id", "location_id", "phone_id", "name", "code", "note", "language"},
	"service_capacity":    {"id", "service_id", "unit_id", "available", "maximum", "description", "updated"},
	// The other HSDS 3.0 tables take their columns from the spec's data
	// package (see init).
	"accessibility":            nil,
	"attributes":               nil,
	"cost_options":             nil,
	"funding":                  nil,
	"meta_table_descriptions":  nil,
	"metadata":                 nil,
	"organization_identifiers": nil,
	"programs":                 nil,
	"required_documents":       nil,
	"taxonomies":               nil,
	"taxonomy_terms":           nil,
}

// importKnownColumns is importKnownTables as sets, by table.
var importKnownColumns = map[string]map[string]bool{}

func init() {
	for name, cols := range importKnownTables {
		if cols == nil {
			importKnownTables[name] = importSpecColumns(name)
		}
		set := map[string]bool{}
		for _, c := range importKnownTables[name] {
			set[c] = true
		}
		importKnownColumns[name] = set
	}
}

// importMappedTables are the tables whose records Village stores; the other
// known tables are read (and checked for duplicate ids) but not stored.
var importMappedTables = map[string]bool{
	"organizations": true, "services": true, "locations": true, "addresses": true,
	"service_at_location": true, "phones": true, "contacts": true, "service_areas": true,
	"languages": true, "service_capacity": true, "schedules": true,
	"programs": true, "funding": true, "taxonomy_terms": true,
}

// importTableAliases maps other spellings (the UK profile's singular names, the
// plural of service_at_location) to the canonical HSDS 3.0 table name.
var importTableAliases = map[string]string{
	"organization": "organizations", "service": "services", "location": "locations",
	"address": "addresses", "service_at_locations": "service_at_location",
	"phone": "phones", "contact": "contacts", "service_area": "service_areas",
	"schedule": "schedules", "language": "languages", "attribute": "attributes",
	"taxonomy": "taxonomies", "taxonomy_term": "taxonomy_terms",
	"organization_identifier": "organization_identifiers",
	"program":                 "programs", "required_document": "required_documents",
	"cost_option": "cost_options", "fundings": "funding",
	"service_capacities": "service_capacity",
	// HSDS 1.1 (legacy mapping)
	"physical_addresses": "addresses", "postal_addresses": "addresses",
	"services_at_location": "service_at_location",
}

// importPackage is a whole package, read but not yet checked.
type importPackage struct {
	form   string // "csv" or "json"
	tables map[string]*importTable
	// layouts are the column indexes of the rows compactRows stored, one
	// per set of columns.
	layouts map[string]*importLayout
	// spill holds the rows' values (see importSpill).
	spill   *importSpill
	notes   []string
	ignored []string
	errors  []ImportMessage
	legacy  bool // an HSDS 1.x/2.0 package, read through the legacy mapping
	// legacyTables are the HSDS 1.x/2.0 tables with no 3.0 counterpart,
	// as read; convertLegacy makes 3.0 rows of them (import_legacy.go).
	legacyTables map[string]*importTable
	// legacyFolded are the source rows folded into a 3.0 row rather than
	// made one (an eligibility text into its service), by that row.
	legacyFolded map[*importRow]*importRow
	// legacyUsed are the 1.x/2.0 source rows made into or folded into a
	// 3.0 row; legacyWarned the kind of the warning about each of the
	// others that says why (the accounting drops them for it).
	legacyUsed   map[*importRow]bool
	legacyWarned map[*importRow]string
	// legacyAges are the ages a service's HSDS 1.x eligibility text
	// states, by service id (see legacyEligibility).
	legacyAges map[string]legacyAges
	// legacyWarnings holds the faults met converting 1.x/2.0 rows (its
	// Warnings, as a Report keeps and counts them).
	legacyWarnings Report
	seen           map[string]*importRow // table, file and id of nested JSON objects filed
	// nested holds, by table and id, what the first nested JSON object
	// read of each leaf record (one nesting no object, such as a taxonomy
	// term in an attribute) said; copies names, by that object's row, the
	// number of copies of it other documents nest, identical to it, that
	// were counted rather than read as rows of their own, and
	// copyFiles the documents holding them, by table, as bits by the
	// document's number in docs (see nestedCopy).
	nested      map[uint64]importNested
	nestedSeeds [3]maphash.Seed
	copies      map[*importRow]uint32
	copyFiles   map[string][]uint64
	docs        []string // the JSON documents read, in order
	// pendingCopies are the rows of the document being read that are
	// copies (nestedCopy); docStart where its rows begin in each table.
	pendingCopies []importPendingCopy
	docStart      map[string]int
	readBuf       []byte // the last JSON document's bytes (readJSONDoc)
}

// importCountNestedCopies is off only in the test that checks that
// counting copies (nestedCopy) changes nothing an import reports or
// stores.
var importCountNestedCopies = true

// importNested is what firstOf notes of a record's first row: a hash of
// its table and values, and the row, when a nested object.
type importNested struct {
	sum [2]uint64
	row *importRow
}

func (p *importPackage) table(name string) *importTable {
	t, ok := p.tables[name]
	if !ok {
		t = &importTable{name: name, file: name}
		p.tables[name] = t
	}
	return t
}

// importReadPackage detects the package's form by its files and reads it,
// each file through importFiles (no file over maxFileBytes, nothing outside
// the package, nothing but regular files). Input that is no HSDS package
// is refused (an *importRefusal) saying what it looks like.
func importReadPackage(path string, maxFileBytes int64) (_ *importPackage, err error) {
	st, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &importRefusal{file: path, reason: "cannot be read: " + err.Error()}
	}
	if !st.IsDir() && strings.EqualFold(filepath.Base(path), "datapackage.json") {
		// The descriptor names the package: its folder.
		return importReadPackage(filepath.Dir(path), maxFileBytes)
	}
	p := &importPackage{tables: map[string]*importTable{}, spill: newImportSpill()}
	defer func() {
		if err != nil {
			p.spill.Close()
		}
		p.nested, p.readBuf = nil, nil // read: the copies are counted (nestedCopy)
	}()
	if !st.IsDir() {
		name := filepath.Base(path)
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json":
			files, real, err := openImportFile(path, maxFileBytes)
			if err != nil {
				return nil, err
			}
			defer files.Close()
			p.form = "json"
			if err := p.readJSONDoc(files, real, name, ""); err != nil {
				return nil, err
			}
			return p, p.checkReadSomething([]string{name})
		case ".csv":
			return nil, &importRefusal{file: name, reason: "a single CSV file, not an HSDS package: give the folder (or .zip) holding the tables"}
		}
		return nil, &importRefusal{file: name, reason: "not an HSDS package: expected a folder of CSV tables or JSON documents, a .zip of one, a datapackage.json or a .json file"}
	}
	files, err := openImportDir(path, maxFileBytes)
	if err != nil {
		return nil, err
	}
	defer files.Close()
	entries, err := files.list(".")
	if err != nil {
		return nil, err
	}
	var csvs, jsons, subdirs, found []string
	hasDataPackage := false
	for _, e := range entries {
		if e.dir {
			subdirs = append(subdirs, e.name)
			found = append(found, e.name+"/")
			continue
		}
		found = append(found, e.name)
		switch strings.ToLower(filepath.Ext(e.name)) {
		case ".csv":
			csvs = append(csvs, e.name)
		case ".json":
			if e.name == "datapackage.json" {
				hasDataPackage = true
			} else {
				jsons = append(jsons, e.name)
			}
		}
	}
	if hasDataPackage {
		resources, notes, movedTo, err := files.dataPackageResources(subdirs)
		if err != nil {
			return nil, err
		}
		if movedTo != "" {
			where := movedTo + "/"
			if movedTo == "." {
				where = "the package's top folder"
			}
			p.notes = append(p.notes, fmt.Sprintf("datapackage.json's resources are not where it says but in %s: read there", where))
		}
		p.ignored = append(p.ignored, notes...)
		csvs = p.withResources(csvs, resources)
	}
	hasTable := func(names []string) bool {
		for _, n := range names {
			switch importFileTable(n) {
			case "organizations", "services", "organization", "service":
				return true
			}
		}
		return false
	}
	switch {
	case hasTable(csvs):
		p.form = "csv"
		if err := p.readCSVDir(files, csvs); err != nil {
			return nil, err
		}
		return p, p.checkOhanaCSV()
	case len(csvs) > 0:
		return nil, &importRefusal{file: filepath.Base(path), reason: "a CSV folder with no organizations or services table, not an HSDS package; found: " + importListNames(csvs)}
	}
	// The JSON form: documents at the top, and in subdirectories named
	// after their table (a Village export's services/ and organizations/);
	// deeper documents are not part of the package.
	docs := map[string][]string{}
	for _, dir := range subdirs {
		sub, err := files.list(dir)
		if err != nil {
			return nil, err
		}
		for _, e := range sub {
			if !e.dir && strings.EqualFold(filepath.Ext(e.name), ".json") && e.name != "datapackage.json" {
				docs[dir] = append(docs[dir], e.name)
			}
		}
	}
	if len(jsons) == 0 && len(docs["services"]) == 0 && len(docs["organizations"]) == 0 {
		what := "an empty folder"
		if len(found) > 0 {
			what = "found: " + importListNames(found)
		}
		return nil, &importRefusal{file: filepath.Base(path), reason: "no CSV tables or JSON documents, not an HSDS package; " + what}
	}
	p.form = "json"
	// In name order, subdirectories among the documents, as a walk of the
	// directory visits them.
	var read []string
	for _, e := range entries {
		if !e.dir {
			if strings.EqualFold(filepath.Ext(e.name), ".json") && e.name != "datapackage.json" {
				if err := p.readJSONDoc(files, e.name, e.name, ""); err != nil {
					return p, err
				}
				read = append(read, e.name)
			}
			continue
		}
		for _, d := range docs[e.name] {
			rel := e.name + "/" + d
			if err := p.readJSONDoc(files, rel, rel, strings.ToLower(e.name)); err != nil {
				return p, err
			}
			read = append(read, rel)
		}
	}
	return p, p.checkReadSomething(read)
}

// importFileTable is the table name a CSV file's name gives (its base name
// without extension, in lower case).
func importFileTable(file string) string {
	base := path.Base(file)
	return strings.ToLower(strings.TrimSuffix(base, path.Ext(base)))
}

// importListNames lists file names for a message, the first ten of them.
func importListNames(names []string) string {
	const most = 10
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:most], ", "), len(names)-most)
}

// withResources gives the CSV tables of a package described by a
// datapackage.json: the CSV files its resources name, in whatever folder,
// then the CSV files at the top that name a table no resource gives (read
// as a folder's tables are; a top file whose table a resource also gives is
// reported and not read).
func (p *importPackage) withResources(top, resources []string) []string {
	var out []string
	taken := map[string]string{}
	for _, r := range resources {
		if !strings.EqualFold(path.Ext(r), ".csv") {
			if !strings.EqualFold(path.Ext(r), ".json") {
				p.ignored = append(p.ignored, fmt.Sprintf("datapackage.json: resource %s is not a CSV table; not read", r))
			}
			continue
		}
		t := importResourceTable(r)
		if prev, dup := taken[t]; dup {
			if prev != r {
				p.ignored = append(p.ignored, fmt.Sprintf("datapackage.json: resource %s: not read: %s is table %s too", r, prev, t))
			}
			continue
		}
		taken[t] = r
		out = append(out, r)
	}
	if len(out) == 0 {
		return top
	}
	if len(out) > 0 && path.Dir(out[0]) != "." {
		p.notes = append(p.notes, "tables read where datapackage.json's resources name them (in "+path.Dir(out[0])+"/)")
	}
	for _, f := range top {
		t := importResourceTable(f)
		if prev, ok := taken[t]; ok {
			if prev != f {
				p.ignored = append(p.ignored, fmt.Sprintf("%s: not read: datapackage.json names %s for table %s", f, prev, t))
			}
			continue
		}
		taken[t] = f
		out = append(out, f)
	}
	return out
}

// importResourceTable is the table a package's file gives, for telling
// two files of one table apart: its canonical name, except that HSDS
// 1.1's physical_addresses and postal_addresses are both read (as 3.0
// addresses of either type).
func importResourceTable(file string) string {
	switch t := importFileTable(file); t {
	case "physical_addresses", "postal_addresses":
		return t
	default:
		return importCanonicalTable(t)
	}
}

// checkOhanaCSV refuses the Ohana API's CSV layout, whose services hang
// off locations (services.location_id, no organization_id): it is not
// HSDS, and no legacy mapping reads it.
func (p *importPackage) checkOhanaCSV() error {
	t, ok := p.tables["services"]
	if !ok {
		return nil
	}
	has := map[string]bool{}
	for _, c := range t.columns {
		has[c] = true
	}
	if has["location_id"] && !has["organization_id"] {
		return &importRefusal{file: t.file, field: "organization_id", reason: "looks like Ohana API CSV layout (services hang off locations: location_id and no organization_id), not HSDS; Village reads HSDS 3.0 and 1.1"}
	}
	return nil
}

// checkReadSomething refuses a JSON package in which no document held an
// HSDS record: nothing would be imported, and the import must say why.
func (p *importPackage) checkReadSomething(files []string) error {
	if len(p.errors) > 0 {
		return nil
	}
	for _, t := range p.tables {
		if len(t.rows) > 0 {
			return nil
		}
	}
	file := "the package"
	if len(files) == 1 {
		file = files[0]
	}
	why := "no HSDS record found"
	if len(p.ignored) > 0 {
		why += " (" + strings.Join(p.ignored[:min(len(p.ignored), 3)], "; ") + ")"
	}
	return &importRefusal{file: file, reason: why + ": nothing to import"}
}

func (p *importPackage) readCSVDir(files *importFiles, names []string) error {
	// Resolve aliases: where both the canonical name and an alias are
	// present, the canonical (HSDS 3.0) one wins and the other is reported.
	chosen := map[string]string{}
	var aliasFiles []string
	for _, f := range names {
		base := importFileTable(f)
		if legacy, ok := importLegacyTables[base]; ok {
			if err := p.readLegacyCSV(files, f, legacy); err != nil {
				return err
			}
			continue
		}
		if _, ok := importTableAliases[base]; ok {
			aliasFiles = append(aliasFiles, f)
			continue
		}
		chosen[base] = f
	}
	for _, f := range aliasFiles {
		base := importFileTable(f)
		canon := importTableAliases[base]
		if base == "physical_addresses" || base == "postal_addresses" {
			if _, ok := chosen["addresses"]; !ok {
				// HSDS 1.1: two address tables, merged into addresses.
				n := len(p.table("addresses").rows)
				if err := p.readCSV(files, f, "addresses"); err != nil {
					return err
				}
				for _, r := range p.table("addresses").rows[n:] {
					r.setRaw("address_type", strings.TrimSuffix(base, "_addresses"))
				}
				p.legacy = true
				p.notes = append(p.notes, fmt.Sprintf("%s read as HSDS 3.0 addresses (HSDS 1.1 legacy mapping)", f))
				continue
			}
		}
		if base == "services_at_location" {
			p.legacy = true
		}
		if base == "taxonomy" && chosen["taxonomies"] == "" {
			// HSDS 1.x's taxonomy.csv holds terms; the UK profile's, taxonomies.
			if done, err := p.readLegacyTaxonomy(files, f); err != nil {
				return err
			} else if done {
				continue
			}
		}
		if other, ok := chosen[canon]; ok {
			p.ignored = append(p.ignored, fmt.Sprintf("%s: not read: %s is the HSDS 3.0 table and wins", f, other))
			continue
		}
		chosen[canon] = f
		p.notes = append(p.notes, fmt.Sprintf("%s read as the HSDS 3.0 table %s", f, canon))
	}
	tables := make([]string, 0, len(chosen))
	for n := range chosen {
		tables = append(tables, n)
	}
	sort.Strings(tables)
	for _, name := range tables {
		f := chosen[name]
		if _, ok := importKnownTables[name]; !ok {
			p.ignored = append(p.ignored, fmt.Sprintf("%s: unknown table %s, ignored", f, name))
			continue
		}
		if err := p.readCSV(files, f, name); err != nil {
			return err
		}
	}
	p.convertLegacy()
	return nil
}

func (p *importPackage) readCSV(files *importFiles, file, name string) error {
	t := p.table(name)
	if err := p.readCSVRows(files, file, t); err != nil {
		return err
	}
	p.checkColumns(t, file, name)
	return nil
}

// checkColumns lists the columns of file (read into t) that the import
// does not know for table name.
func (p *importPackage) checkColumns(t *importTable, file, name string) {
	known := map[string]bool{}
	for _, c := range importKnownTables[name] {
		known[c] = true
	}
	for _, c := range importLegacyColumns[name] {
		known[c] = true // read by convertLegacy
	}
	if importKnownTables[name] != nil && t.columns != nil {
		for _, c := range t.columns {
			if !known[c] {
				p.ignored = append(p.ignored, fmt.Sprintf("%s: unknown column %s, ignored", file, c))
			}
		}
	}
}

// readCSVRows reads file's rows into t.
func (p *importPackage) readCSVRows(files *importFiles, file string, t *importTable) error {
	// Read as a stream: a whole file in memory (the national package's
	// attributes.csv is 67 MB) was the largest thing the import held
	// while reading.
	h, err := files.open(file, file)
	if err != nil {
		return err
	}
	defer h.Close()
	in := bufio.NewReaderSize(h, 256<<10)
	if bom, err := in.Peek(3); err == nil && string(bom) == "\xef\xbb\xbf" {
		_, _ = in.Discard(3)
	}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true // each row's values are copied (compactCSVRow)
	header, err := r.Read()
	if err == io.EOF {
		p.notes = append(p.notes, file+": empty file")
		return nil
	}
	if err != nil {
		p.errors = append(p.errors, ImportMessage{File: file, Text: "unreadable header: " + err.Error()})
		return nil
	}
	header = slices.Clone(header)
	seenCol := map[string]bool{}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
		if seenCol[header[i]] {
			p.errors = append(p.errors, ImportMessage{File: file, Field: header[i], Text: "column appears twice in the header"})
		}
		seenCol[header[i]] = true
	}
	t.file, t.columns = file, header
	lay := &importLayout{cols: make(map[string]int, len(header)), spill: p.spill}
	for i, c := range header {
		if _, dup := lay.cols[c]; !dup {
			lay.cols[c] = i
		}
	}
	for n := 1; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.errors = append(p.errors, ImportMessage{File: file, Row: n, Text: "malformed CSV: " + pe.Err.Error()})
				return nil
			}
			return err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			p.errors = append(p.errors, ImportMessage{File: file, Row: n, Text: fmt.Sprintf("%d columns, the header has %d", len(rec), len(header))})
			continue
		}
		valid := true
		for i, v := range rec {
			if !utf8.ValidString(v) {
				// Stored as is by SQLite, refused by PostgreSQL: named here.
				p.errors = append(p.errors, ImportMessage{File: file, Row: n, Field: header[i],
					Text: "not UTF-8 text (save the file as UTF-8)"})
				valid = false
			}
		}
		if valid {
			t.rows = append(t.rows, compactCSVRow(file, n, lay, rec))
		}
	}
	return nil
}

// compactCSVRow is the row of record rec, line n of file, its values
// stored by lay (see importRow.lay).
func compactCSVRow(file string, n int, lay *importLayout, rec []string) *importRow {
	r := lay.newRow(rec)
	r.file, r.line = file, int32(n)
	return r
}

// compactValues is the data string of a row of values vals: the width w
// of its numbers (one byte: 2, or 4 when the row holds 64 KiB or more),
// the number of values and where each ends (w bytes apiece,
// little-endian), then the values.
//
// It appends them to dst: the spill writes each row's values from one
// reused buffer, not a string a row.
func compactValues(dst []byte, vals []string) []byte {
	total := 0
	for _, v := range vals {
		total += len(v)
	}
	w := 2
	if total >= 1<<16 || len(vals) >= 1<<16 {
		w = 4
	}
	dst = slices.Grow(dst, 1+w+w*len(vals)+total)
	dst = append(dst, byte(w))
	put := func(x int) {
		for k := 0; k < w; k++ {
			dst = append(dst, byte(x>>(8*k)))
		}
	}
	put(len(vals))
	end := 0
	for _, v := range vals {
		end += len(v)
		put(end)
	}
	for _, v := range vals {
		dst = append(dst, v...)
	}
	return dst
}

// compactRows stores the values of the rows read as maps (JSON objects,
// rows converted from HSDS 1.x) as CSV rows are stored: one string and its
// offsets, the rows with the same columns sharing one column index. A map
// a row takes several times the room of its values, and a JSON package
// nests a copy of a record wherever it is named (an organization in each
// of its services' documents, a taxonomy term in each attribute): its
// rows run to millions. Called once the package is read, before it is
// mapped, and after each JSON file (no row is changed through its map once
// its file is read); values set after go to the row's map as before.
func (p *importPackage) compactRows() {
	if p.layouts == nil {
		p.layouts = map[string]*importLayout{}
	}
	layouts := p.layouts
	var keys, vals []string
	var sig []byte // the row's columns, each ended by a 0 byte
	for _, t := range p.tables {
		from := min(t.compacted, len(t.rows))
		t.compacted = len(t.rows)
		for _, r := range t.rows[from:] {
			if r.lay != nil || len(r.v) == 0 {
				continue
			}
			keys = keys[:0]
			for k := range r.v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			sig = sig[:0]
			for _, k := range keys {
				sig = append(sig, k...)
				sig = append(sig, 0)
			}
			if r.path != nil {
				sig = append(sig, 1) // the path follows the values
			}
			lay, ok := layouts[string(sig)]
			if !ok {
				lay = &importLayout{cols: make(map[string]int, len(keys)), spill: p.spill, path: r.path != nil}
				for i, k := range keys {
					lay.cols[k] = i
				}
				layouts[string(sig)] = lay
			}
			vals = vals[:0]
			for _, k := range keys {
				vals = append(vals, r.v[k])
			}
			if r.path != nil {
				vals = append(vals, *r.path)
			}
			data := p.spill.values(vals)
			if len(data) >= importSpillMaxRow {
				continue // kept as it is (see importSpillMaxRow)
			}
			r.lay, r.v, r.at, r.path = lay, nil, p.spill.add(data), nil
		}
	}
}

// importJSONChildren says, for a nested JSON array or object, which table its
// objects belong in and which column carries the parent's id.
var importJSONChildren = map[string]struct{ table, fk string }{
	"organization":             {"organizations", ""},
	"organizations":            {"organizations", ""},
	"services":                 {"services", ""},
	"service":                  {"services", ""},
	"location":                 {"locations", ""},
	"locations":                {"locations", ""},
	"service_at_locations":     {"service_at_location", ""},
	"addresses":                {"addresses", "location_id"},
	"phones":                   {"phones", ""},
	"contacts":                 {"contacts", ""},
	"service_areas":            {"service_areas", ""},
	"schedules":                {"schedules", ""},
	"languages":                {"languages", ""},
	"service_capacity":         {"service_capacity", "service_id"},
	"capacities":               {"service_capacity", "service_id"},
	"accessibility":            {"accessibility", "location_id"},
	"attributes":               {"attributes", "link_id"},
	"cost_options":             {"cost_options", "service_id"},
	"funding":                  {"funding", ""},
	"metadata":                 {"metadata", "resource_id"},
	"organization_identifiers": {"organization_identifiers", "organization_id"},
	"program":                  {"programs", ""},
	"programs":                 {"programs", ""},
	"required_documents":       {"required_documents", "service_id"},
	"taxonomy_term":            {"taxonomy_terms", ""},
	"taxonomy":                 {"taxonomies", ""},
	"taxonomy_detail":          {"taxonomies", ""},
}

// importFKColumn is the column of a child table naming a parent of the given
// table.
var importFKColumn = map[string]string{
	"organizations": "organization_id", "services": "service_id", "locations": "location_id",
	"service_at_location": "service_at_location_id", "contacts": "contact_id",
	"taxonomy_terms": "taxonomy_term_id", "taxonomies": "taxonomy_id", "programs": "program_id",
	"phones": "phone_id",
}

// readJSONDoc reads the JSON document name of the package; file names it
// in messages, and hint, when set, is the table its objects belong to (its
// directory's name). The file may hold one JSON value or several (NDJSON,
// or values one after another): every value is read, each an object, an
// array of objects or a paged list; a fault after the first value is named
// with the value's number, never a silent end.
func (p *importPackage) readJSONDoc(files *importFiles, name, file, hint string) error {
	if p.docStart == nil {
		p.docStart = map[string]int{}
	}
	clear(p.docStart)
	for name, t := range p.tables {
		p.docStart[name] = len(t.rows)
	}
	defer func() {
		// A nested object is merged only with its copies in its own file
		// (see walkJSONChild): the next file starts afresh.
		p.seen = nil
		p.dropCopies()
		p.compactRows()
	}()
	p.docs = append(p.docs, file)
	data, err := files.readInto(p.readBuf, name, file)
	if err != nil {
		return err
	}
	// What is read from data is copied, never kept: the next document
	// reuses it, unless it is large (a Village export's metadata.json).
	p.readBuf = nil
	if cap(data) <= 1<<20 {
		p.readBuf = data
	}
	// First the values' bounds, checking the syntax of each (one buffer,
	// reused); then each value is read, an array one element at a time:
	// a file of hundreds of thousands of objects (a Village export's
	// metadata.json) is never held as one tree.
	type span struct{ start, end int64 }
	var spans []span
	one := json.Valid(data)
	if one {
		// One value, the usual file: its bounds are the file's, found
		// without copying it.
		spans = append(spans, span{0, int64(len(data))})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	for !one {
		start := dec.InputOffset()
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		if err != nil {
			where := "$"
			if len(spans) > 0 {
				where = fmt.Sprintf("value %d (after %d complete values, byte %d)", len(spans)+1, len(spans), dec.InputOffset())
			}
			p.errors = append(p.errors, ImportMessage{File: file, Path: where, Text: "malformed JSON: " + err.Error()})
			return nil
		}
		spans = append(spans, span{start, dec.InputOffset()})
	}
	raw = nil
	if len(spans) == 0 {
		p.errors = append(p.errors, ImportMessage{File: file, Path: "$", Text: "no JSON value in the file"})
		return nil
	}
	if len(spans) > 1 {
		p.notes = append(p.notes, fmt.Sprintf("%s: %d JSON values (NDJSON or values one after another), each read", file, len(spans)))
	}
	for i, sp := range spans {
		root := "$"
		if len(spans) > 1 {
			root = fmt.Sprintf("value %d $", i+1)
		}
		value := bytes.TrimLeft(data[sp.start:sp.end], " \t\r\n")
		if len(value) > 0 && value[0] == '[' {
			if err := p.readJSONArray(file, root, hint, value); err != nil {
				return err
			}
			continue
		}
		var doc any
		d := json.NewDecoder(bytes.NewReader(value))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			return fmt.Errorf("%s %s: %w", file, root, err)
		}
		if err := p.readJSONValue(file, root, hint, doc); err != nil {
			return err
		}
	}
	return nil
}

// readJSONArray files the top-level JSON array value of file, whose path
// is root, one element at a time, as readJSONValue files an array read
// whole (the first element says what the array holds); the rows read are
// compacted as it goes.
func (p *importPackage) readJSONArray(file, root, hint string, value []byte) error {
	d := json.NewDecoder(bytes.NewReader(value))
	d.UseNumber()
	if _, err := d.Token(); err != nil { // [
		return fmt.Errorf("%s %s: %w", file, root, err)
	}
	table := ""
	for i := 0; d.More(); i++ {
		var x any
		if err := d.Decode(&x); err != nil {
			return fmt.Errorf("%s %s[%d]: %w", file, root, i, err)
		}
		if i == 0 {
			first := []any{x}
			if why, ok := importOhanaJSON(first); ok {
				return &importRefusal{file: file, path: root, reason: "looks like Ohana API JSON (" + why + "), not HSDS; Village reads HSDS 3.0 documents"}
			}
			table = importGuessJSONTable(file, first)
			if hint != "" {
				table = importCanonicalTable(hint)
			}
		}
		p.walkJSON(file, fmt.Sprintf("%s[%d]", root, i), table, x, "", "", "")
		if i%1000 == 999 {
			p.compactRows()
		}
	}
	return nil
}

// readJSONValue files one top-level JSON value of file, whose path is root.
func (p *importPackage) readJSONValue(file, root, hint string, doc any) error {
	if why, ok := importOhanaJSON(doc); ok {
		return &importRefusal{file: file, path: root, reason: "looks like Ohana API JSON (" + why + "), not HSDS; Village reads HSDS 3.0 documents"}
	}
	if obj, ok := doc.(map[string]any); ok {
		if _, list := obj["contents"]; !list && obj["id"] == nil {
			what := file
			if root != "$" {
				what += " " + strings.TrimSuffix(root, " $")
			}
			p.ignored = append(p.ignored, fmt.Sprintf("%s: not an HSDS object (no id); not read", what))
			return nil
		}
	}
	table := importGuessJSONTable(file, doc)
	if hint != "" {
		table = importCanonicalTable(hint)
	}
	switch d := doc.(type) {
	case []any:
		for i, x := range d {
			p.walkJSON(file, fmt.Sprintf("%s[%d]", root, i), table, x, "", "", "")
		}
	case map[string]any:
		if contents, ok := d["contents"].([]any); ok { // a paged API list
			for i, x := range contents {
				p.walkJSON(file, fmt.Sprintf("%s.contents[%d]", root, i), table, x, "", "", "")
			}
			return nil
		}
		p.walkJSON(file, root, table, d, "", "", "")
	default:
		p.errors = append(p.errors, ImportMessage{File: file, Path: root, Text: "expected an object or an array of objects"})
	}
	return nil
}

// importOhanaJSON says why a JSON value looks like the Ohana API's rather
// than HSDS: a location nesting its organization and its services (the
// API's /locations), an organization whose locations nest services (its
// import format, with services_attributes and the like), or Ohana's own
// field names. Only the first object of an array or a paged list is
// looked at: a file is one API's output.
func importOhanaJSON(doc any) (string, bool) {
	obj, _ := doc.(map[string]any)
	if list, ok := doc.([]any); ok && len(list) > 0 {
		obj, _ = list[0].(map[string]any)
	}
	if c, ok := obj["contents"].([]any); ok && len(c) > 0 {
		obj, _ = c[0].(map[string]any)
	}
	if obj == nil {
		return "", false
	}
	_, org := obj["organization"].(map[string]any)
	_, services := obj["services"].([]any)
	if org && services {
		return "a location nesting its organization and its services", true
	}
	for _, k := range []string{"services_attributes", "locations_attributes", "address_attributes", "mail_address_attributes", "phones_attributes"} {
		if obj[k] != nil {
			return "field " + k, true
		}
	}
	if locs, ok := obj["locations"].([]any); ok {
		for _, l := range locs {
			loc, _ := l.(map[string]any)
			if loc["services"] != nil || loc["services_attributes"] != nil {
				return "an organization whose locations nest their services", true
			}
		}
	}
	return "", false
}

// importGuessJSONTable decides what a top-level JSON document holds, by its
// file name, then by its fields.
func importGuessJSONTable(file string, doc any) string {
	base := strings.ToLower(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
	if t := importCanonicalTable(base); importKnownTables[t] != nil || t == "taxonomies" || t == "programs" || t == "funding" {
		if _, known := importKnownTables[t]; known {
			return t
		}
	}
	for _, pre := range [][2]string{{"service_at_location", "service_at_location"}, {"organization", "organizations"}, {"service", "services"}, {"location", "locations"}, {"taxonomy_term", "taxonomy_terms"}, {"taxonomy", "taxonomies"}} {
		if strings.HasPrefix(base, pre[0]) {
			return pre[1]
		}
	}
	obj, _ := doc.(map[string]any)
	if c, ok := obj["contents"].([]any); ok && len(c) > 0 {
		obj, _ = c[0].(map[string]any)
	}
	switch {
	case obj["service"] != nil && obj["location"] != nil:
		return "service_at_location"
	case obj["organization_id"] != nil || obj["service_areas"] != nil:
		return "services"
	case obj["services"] != nil || obj["website"] != nil:
		return "organizations"
	}
	return "services"
}

// walkJSON files a JSON object under table, flattening its nested
// objects into their own tables; parentTable/parentID is the object it was
// nested in, whose id fills the child's foreign key.
func (p *importPackage) walkJSON(file, path, table string, x any, parentTable, parentID, childFK string) {
	p.walkJSONObject(file, path, table, x, parentTable, parentID, childFK, "")
}

// walkJSONObject is walkJSON for an object filed as seenKey (when not "").
func (p *importPackage) walkJSONObject(file, path, table string, x any, parentTable, parentID, childFK, seenKey string) {
	obj, ok := x.(map[string]any)
	if !ok {
		p.errors = append(p.errors, ImportMessage{File: file, Path: path, Text: "expected an object"})
		return
	}
	row := &importRow{file: file, path: &path, v: make(map[string]string, len(obj))}
	known := importKnownColumns[table] // read only
	type child struct {
		key string
		val any
	}
	var children []child
	for k, v := range obj {
		switch v := v.(type) {
		case map[string]any, []any:
			if _, ok := importJSONChildren[k]; ok {
				children = append(children, child{k, v})
			} else if importKnownTables[table] != nil {
				p.ignored = append(p.ignored, fmt.Sprintf("%s %s.%s: unknown nested field, ignored", file, path, k))
			}
		case nil:
		case json.Number:
			row.v[k] = v.String()
		case string:
			row.v[k] = v
		case bool:
			row.v[k] = strconv.FormatBool(v)
		}
		if _, isChild := importJSONChildren[k]; !isChild && importKnownTables[table] != nil && !known[k] {
			if _, nested := v.(map[string]any); !nested {
				if _, arr := v.([]any); !arr {
					p.ignored = append(p.ignored, fmt.Sprintf("%s %s.%s: unknown field, ignored", file, path, k))
				}
			}
		}
	}
	if parentID != "" {
		if fk := importFKColumn[parentTable]; fk != "" && known[fk] && row.v[fk] == "" {
			row.v[fk] = parentID
		}
		// addresses, capacities and the like name their parent by a
		// column of their own.
		if childFK != "" && row.v[childFK] == "" {
			row.v[childFK] = parentID
		}
	}
	t := p.table(table)
	if seenKey == "" {
		p.firstOf(table, row, false)
	}
	t.rows = append(t.rows, row)
	if seenKey != "" {
		if p.seen == nil {
			p.seen = map[string]*importRow{}
		}
		p.seen[seenKey] = row
	}
	sort.Slice(children, func(i, j int) bool { return children[i].key < children[j].key })
	id := row.v["id"]
	for _, c := range children {
		jc := importJSONChildren[c.key]
		switch v := c.val.(type) {
		case map[string]any:
			p.walkJSONChild(file, path+"."+c.key, jc.table, jc.fk, v, table, id, row)
		case []any:
			for i, e := range v {
				p.walkJSONChild(file, fmt.Sprintf("%s.%s[%d]", path, c.key, i), jc.table, jc.fk, e, table, id, row)
			}
		}
	}
	if seenKey != "" {
		// Once what it nests has set its links on it.
		p.nestedCopy(table, row)
	}
}

// walkJSONChild files a nested object, linking it to its parent: the
// child gets the parent's id in its foreign key, and a parent pointing to
// a single nested object (service.organization) gets the child's id.
func (p *importPackage) walkJSONChild(file, path, table, fk string, x any, parentTable, parentID string, parent *importRow) {
	obj, ok := x.(map[string]any)
	if !ok {
		p.errors = append(p.errors, ImportMessage{File: file, Path: path, Text: "expected an object"})
		return
	}
	childID, _ := obj["id"].(string)
	// A nested parent-side object (a service's organization, a
	// service_at_location's service and location): the parent points at it.
	if col := importFKColumn[table]; col != "" && childID != "" {
		if parent.raw(col) == "" {
			for _, c := range importKnownTables[parentTable] {
				if c == col {
					parent.setRaw(col, childID)
				}
			}
		}
	}
	// Avoid filing the same record twice when it is nested in several
	// places (a service's organization also listing the service); the
	// record filed takes the links of every place it is nested in (a
	// language of a service, its location and its phone), as its row in
	// the tabular form would carry them.
	key := table + "\x00" + file + "\x00" + childID
	if prev := p.seen[key]; childID != "" && prev != nil {
		known := map[string]bool{}
		for _, c := range importKnownTables[table] {
			known[c] = true
		}
		if col := importFKColumn[parentTable]; col != "" && known[col] && prev.raw(col) == "" {
			prev.setRaw(col, parentID)
		}
		if fk != "" && prev.raw(fk) == "" {
			prev.setRaw(fk, parentID)
		}
		return
	}
	if childID == "" {
		key = ""
	}
	p.walkJSONObject(file, path, table, obj, parentTable, parentID, fk, key)
}

// nestedCopy marks row, a nested object read whole (what it nests read
// too), as a copy of its record's first row when that row was read from
// an object nested in another document and row has the same values, its
// own links included. A JSON package repeats a record in every document
// that nests it (an organization, its attributes and their terms in each
// of its services' documents: 500,000 of the national package's 1.28
// million JSON rows), and indexIDs would merge each such copy into the
// first row without a word (forgetCopy): so, once its document is read,
// a row still a copy is counted (dropCopies, snapshotRows) rather than
// held as a row until then. A copy stays a row of its document until then
// because the document may nest the record again and give this row a
// link the first row lacks or contradicts (walkJSONChild merges it into
// this row): a value set on it makes it a row as any other (setRaw). What
// the first row gains later only fills its blanks, so a copy of what it
// was merges into what it is with nothing to add. A copy of a nested
// object whose record's first row is a top-level object, or that differs
// from the first in any value, is a row as before, for indexIDs to
// compare.
func (p *importPackage) nestedCopy(table string, row *importRow) {
	first, sum, ok := p.firstOf(table, row, true)
	if !ok || first.row == nil || first.sum != sum || first.row.file == row.file {
		return
	}
	row.copyOf = true
	p.pendingCopies = append(p.pendingCopies, importPendingCopy{row, first.row, table})
}

// importPendingCopy is a row of the document being read that is a copy of
// first, the first row of its record (nestedCopy).
type importPendingCopy struct {
	row, first *importRow
	table      string
}

// dropCopies counts the rows of the document just read that are still
// copies of their record's first row with it, and lets them go from their
// tables.
func (p *importPackage) dropCopies() {
	if len(p.pendingCopies) == 0 {
		return
	}
	drop := map[*importRow]bool{}
	tables := map[string]bool{}
	doc := len(p.docs) - 1
	for _, c := range p.pendingCopies {
		if !c.row.copyOf {
			continue
		}
		drop[c.row] = true
		tables[c.table] = true
		if p.copies == nil {
			p.copies = map[*importRow]uint32{}
			p.copyFiles = map[string][]uint64{}
		}
		p.copies[c.first]++
		files := p.copyFiles[c.table]
		if need := doc/64 + 1; len(files) < need {
			files = append(files, make([]uint64, need-len(files))...)
			p.copyFiles[c.table] = files
		}
		files[doc/64] |= 1 << (doc % 64)
	}
	clear(p.pendingCopies)
	p.pendingCopies = p.pendingCopies[:0]
	for name := range tables {
		t := p.tables[name]
		start := p.docStart[name] // the document's rows come after
		rows := t.rows[:start]
		for _, r := range t.rows[start:] {
			if !drop[r] {
				rows = append(rows, r)
			}
		}
		clear(t.rows[len(rows):])
		t.rows = rows
		t.compacted = min(t.compacted, start) // compactRows passes over rows compacted already
	}
}

// firstOf notes row, about to be filed, as its record's first row unless
// one was (its table and id, as indexIDs reads them), and returns what
// was noted of that one (ok) and the hash of row's values. A record's
// first row is remembered, while the package is read, by a hash of its
// table and id, with a 128-bit hash of its values (hash/maphash, seeded
// per import, so that no package can be made to collide) when it is a
// nested object (nested), without (row nil) when a top-level one.
func (p *importPackage) firstOf(table string, row *importRow, nested bool) (first importNested, sum [2]uint64, ok bool) {
	id := canonicalID(strings.TrimSpace(row.v["id"]))
	if id == "" || !importCountNestedCopies {
		return first, sum, false
	}
	if p.nested == nil {
		p.nested = map[uint64]importNested{}
		p.nestedSeeds = [3]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed(), maphash.MakeSeed()}
	}
	var h maphash.Hash
	// Each string after its length, so that no two lists of strings
	// write the same bytes.
	var n [8]byte
	write := func(v string) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
		h.Write(n[:])
		h.WriteString(v)
	}
	h.SetSeed(p.nestedSeeds[0])
	write(table)
	write(id)
	key := h.Sum64()
	if nested {
		keys := make([]string, 0, len(row.v))
		for k := range row.v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i := range sum {
			h.SetSeed(p.nestedSeeds[1+i])
			write(table)
			for _, k := range keys {
				write(k)
				write(row.v[k])
			}
			sum[i] = h.Sum64()
		}
	}
	if first, ok = p.nested[key]; ok {
		// A record whose key collides with another's is compared with
		// that one: its values' hash, which covers its id, differs.
		return first, sum, true
	}
	if nested {
		p.nested[key] = importNested{sum, row}
	} else {
		p.nested[key] = importNested{}
	}
	return first, sum, false
}

// importCanonicalTable is the HSDS 3.0 name of a table name or alias.
func importCanonicalTable(name string) string {
	if c, ok := importTableAliases[name]; ok {
		return c
	}
	return name
}
