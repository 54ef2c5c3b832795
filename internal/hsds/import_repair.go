package hsds

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/village-directory/village/ent/service"
)

// The repairs the import makes to rows real exports get wrong, each a
// warning of its own kind (see the Faults comment in import.go). A
// warning's kind groups it in the report; warnings without one of these
// kinds are grouped by their text's pattern.
const (
	WarnStatusBlank         = "status-blank"          // blank service status read as active
	WarnStatusSynonym       = "status-synonym"        // closed, suspended… read as Village's status
	WarnStatusUnknown       = "status-unknown"        // an unknown status read as inactive
	WarnPhoneWithoutNumber  = "phone-without-number"  // phone row dropped
	WarnIDMissing           = "id-missing"            // row given a derived id
	WarnIDDuplicate         = "id-duplicate"          // row given a derived id
	WarnDuplicateMerged     = "duplicate-merged"      // identical copies of a row are one record
	WarnURLSchemeAdded      = "url-scheme-added"      // http:// put before a URL without a scheme
	WarnOrganizationMissing = "organization-missing"  // record kept under a stand-in organization
	WarnNumberUnreadable    = "number-unreadable"     // value dropped
	WarnDateUnreadable      = "date-unreadable"       // value dropped
	WarnTimeUnreadable      = "time-unreadable"       // value dropped
	WarnTime12Hour          = "time-12-hour"          // "9:00am" read as 09:00
	WarnLocationTypeUnknown = "location-type-unknown" // read as physical
	WarnNameMissing         = "name-missing"          // record named after its id, or dropped
	WarnNotImported         = "not-imported"          // a row no record holds, with no warning of its own
	WarnLanguagePhrase      = "language-phrase"       // the languages a phrase names read ("and Spanish")
)

// importRecordTables are the tables whose rows are records other rows
// link to by id: rows sharing an id there must be copies of one record
// (merged), or the package is refused, since no one can tell which a link
// means.
var importRecordTables = map[string]bool{
	"organizations": true, "services": true, "locations": true,
	"programs": true, "taxonomy_terms": true, "taxonomies": true,
}

// importLinkedTables are the other tables HSDS rows link to by id
// (phone_id, contact_id, service_at_location_id): there the first row
// keeps an id several rows share, so the links keep pointing at it. In the
// remaining (leaf) tables, every row of a shared id is given a derived
// one, whatever the rows' order.
var importLinkedTables = map[string]bool{
	"phones": true, "contacts": true, "service_at_location": true,
}

// importRowContent is a row's content as one text: its non-blank columns
// and values, sorted (the id as given included).
func importRowContent(r *importRow) string {
	var parts []string
	r.each(func(c, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, c+"="+v)
		}
	})
	sort.Strings(parts)
	return strings.Join(parts, "\x1f")
}

// importDerivedRowID is the id given to a row that has none, or shares
// one: a UUIDv5 of its table, its content, and how many rows of the same
// table and content come before it. The file is left out (a package's
// tables may be named in the singular or the plural) and so is the row's
// position, so the same package, its rows reordered or not, gives every
// row the same id at every import.
func importDerivedRowID(table, content string, nth int) string {
	return uuid.NewSHA1(Namespace, []byte(fmt.Sprintf("import-row/%s/%d/%s", table, nth, content))).String()
}

// deriveIDs gives each of rows (of table, in package order) a derived id,
// with a warning saying why (reason: the row's warning kind and text).
func (m *importMapper) deriveIDs(table string, rows []*importRow, reason map[*importRow][2]string) {
	seen := map[string]int{}
	contents := make([]string, len(rows))
	for i, r := range rows {
		contents[i] = importRowContent(r)
	}
	for i, r := range rows {
		id := importDerivedRowID(table, contents[i], seen[contents[i]])
		seen[contents[i]]++
		why := reason[r]
		m.repairf(r, why[0], "id", "%s; given the derived id %s", why[1], id)
		r.setRaw("id", id)
		if idx := m.ids[table]; idx != nil { // attributes and metadata: none kept (see indexIDs)
			idx[id] = r
		}
	}
}

// importServiceStatus reads a service status: Village's four in any case
// or spacing, the usual synonyms, blank (active: HSDS's default), and
// anything else as inactive, never shown to a family as open. kind is
// the warning's kind, "" when the value was Village's own.
func importServiceStatus(raw string) (st service.Status, kind string) {
	s := strings.ToLower(strings.TrimSpace(raw))
	s = strings.Join(strings.FieldsFunc(s, func(c rune) bool { return c == ' ' || c == '_' || c == '-' }), " ")
	switch s {
	case "":
		return service.StatusACTIVE, WarnStatusBlank
	case "active":
		return service.StatusACTIVE, ""
	case "inactive":
		return service.StatusINACTIVE, ""
	case "defunct":
		return service.StatusDEFUNCT, ""
	case "temporarily closed":
		return service.StatusTEMPORARILY_CLOSED, ""
	case "closed", "permanently closed", "not active", "discontinued":
		return service.StatusINACTIVE, WarnStatusSynonym
	case "suspended", "temporarily suspended", "temp closed", "temporarily unavailable", "on hold", "paused":
		return service.StatusTEMPORARILY_CLOSED, WarnStatusSynonym
	}
	return service.StatusINACTIVE, WarnStatusUnknown
}

// importWithScheme puts http:// before a web address written without a
// scheme ("www.example.org/help"), as browsers read it; false when v has
// a scheme already or does not look like a host name.
func importWithScheme(v string) (string, bool) {
	if v == "" || strings.Contains(v, "://") || strings.ContainsAny(v, " \t@") {
		return "", false
	}
	host := v
	if strings.HasPrefix(host, "//") {
		host = host[2:]
		v = host
	}
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	dot := strings.LastIndexByte(host, '.')
	if dot <= 0 || !importTopLevelDomain(host[dot+1:]) {
		return "", false
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "", false
		}
	}
	return "http://" + v, true
}

// importTopLevelDomain reports whether s may end a host name: letters
// only, and not a file's extension ("logo.png" is a file, not a host).
func importTopLevelDomain(s string) bool {
	if len(s) < 2 || len(s) > 24 {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "png", "jpg", "jpeg", "gif", "svg", "webp", "pdf", "htm", "html", "php", "asp", "aspx", "jsp", "csv", "json", "xml", "txt", "doc", "docx":
		return false
	}
	return true
}

// url validates a web address column, first putting http:// before one
// written without a scheme (with a warning); a value still refused is
// dropped with a warning.
func (m *importMapper) url(r *importRow, col string, valid func(string) error) any {
	v := r.get(col)
	if v == "" {
		return nil
	}
	if valid(v) != nil {
		if fixed, ok := importWithScheme(v); ok && valid(fixed) == nil {
			m.repairf(r, WarnURLSchemeAdded, col, "%q has no scheme; read as %q", v, fixed)
			return fixed
		}
	}
	return m.text(r, col, valid)
}

// standInOrganizations gives each organization that services name but
// the package lacks one stand-in record, named as unknown, whose HSDS id
// (its external id) is the missing one: a service cannot be without its
// organization, so the services are kept, linked to it (orgRef), and an
// import that brings the organization (same source and id) updates the
// stand-in into it. A stand-in never overwrites a record already stored
// (see importWriter.upsert). Other records whose organization link is
// optional (locations, programs, contacts, phones) join a stand-in its
// services made; naming a missing organization no service names, they are
// kept without the link, with a warning, rather than have an organization
// invented for them (a 211 export that fills locations' organization_id
// with the location's own id would otherwise make thousands).
func (m *importMapper) standInOrganizations() []*importRec {
	var out []*importRec
	for _, r := range m.rows("services") {
		org := r.get("organization_id")
		if org == "" || m.ids["organizations"][org] != nil || m.kept["organizations"][org] != "" {
			continue
		}
		if r.get("name") == "" {
			continue // dropped for it: nothing to keep
		}
		row := &importRow{file: r.file, line: r.line, path: r.pathRef(), v: map[string]string{"id": org}}
		rec := &importRec{kind: importOrgKind, extID: org, row: row, standIn: true}
		rec.set("name", importStandInName(org))
		m.keep("organizations", org)
		out = append(out, rec)
	}
	if len(out) > 0 {
		m.rep.notef("services naming an organization missing from the package are kept under one stand-in organization per missing id, named \"Unknown organization (id … in source)\" (locations, programs, contacts and phones naming it join it); an import that brings the organization adopts it")
	}
	return out
}

// orgRef resolves the organization link of a row (noun names the row's
// record: "location"): a missing organization services name is its
// stand-in, with a warning; otherwise as ref (a missing one dropped, with
// a warning).
func (m *importMapper) orgRef(r *importRow, noun string) string {
	org := r.get("organization_id")
	if org != "" && m.ids["organizations"][org] == nil && m.kept["organizations"][org] != "" {
		m.repairf(r, WarnOrganizationMissing, "organization_id", "no organizations with id %s in the package; %s kept under the stand-in %q", org, noun, importStandInName(org))
		return org
	}
	return m.ref(r, "organization_id", "organizations")
}

// importStandInName names the stand-in for a missing organization.
func importStandInName(id string) string {
	return fmt.Sprintf("Unknown organization (id %s in source)", importTruncate(id, 80))
}
