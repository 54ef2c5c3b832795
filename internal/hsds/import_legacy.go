package hsds

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
)

// HSDS 1.x and 2.0 → 3.0, on the package as read, before it is mapped.
//
// The tables and columns of HSDS 1.0, 1.1 and 2.0 that 3.0 does not have
// become the 3.0 rows that say the same, so the mapper (import_map.go) and
// what keeps the rest verbatim (import_extra.go) see one HSDS:
//
//	regular_schedules    → schedules: freq WEEKLY, byday from weekday (an
//	                       integer, read as ISO 8601: 1 Monday … 7 Sunday, 0
//	                       Sunday too; or a day's name), opens_at, closes_at
//	holiday_schedules    → schedules: valid_from/valid_to from start_date/
//	                       end_date; closed as Schedule.closed; a closure
//	                       (closed true, or no opens_at) has no hours and
//	                       the description "Closed", other holiday hours
//	                       "Holiday hours"
//	taxonomy.csv (1.x)   → taxonomy_terms: name, parent_id, taxonomy from
//	                       vocabulary, code = id (1.x terms have no code); a
//	                       parent named by parent_id and parent_name but absent
//	                       from the file becomes a term of its own
//	taxonomy_terms.term  → name (2.0)
//	services_taxonomy, services.taxonomy_ids (1.x), service_attributes (2.0)
//	                     → attributes linking the service to the term (its
//	                       needs, as 3.0 attributes are read); taxonomy_detail
//	                       → the attribute's value
//	other_attributes (2.0) → attributes (link_type → link_entity)
//	eligibility          → the service's eligibility_description (the texts
//	                       joined with "; "), and the ages a text states (see
//	                       parseEligibilityAges; never a bound it does not
//	                       state) and whether it accepts pregnant women
//	payments_accepted, fees.csv (1.0), services.fees
//	                     → the service's fees_description ("Payment
//	                       accepted: cash, check")
//	accessibility_for_disabilities → accessibility (accessibility →
//	                       description, details)
//	service_areas.service_area, services.service_area
//	                     → service_areas: a text naming ZIP codes, counties
//	                       ("Miami-Dade County", "Broward, Miami-Dade
//	                       counties": a county named without its state when
//	                       one county has that name, or one in the package's
//	                       states) or states, every part of it, becomes one
//	                       area per place (the first keeps the row's id);
//	                       anything else one TEXT area named by the text
//	phones.language      → languages of the phone, one per name ("en, es")
//	phones.department    → the phone's description ("Department: Intake",
//	                       after the description the row has, "; ")
//	languages.language, interpretation_services.csv (1.0)
//	                     → languages (name; the mapper codes it, languages.go;
//	                       a phrase, "and Spanish", "Creole translator
//	                       provided", gives the languages it names, the phrase
//	                       kept as the note when it says more)
//	addresses.address_3/address_4 → joined to address_2
//	a postal address of an organization (organization_id, no location_id)
//	                     → a postal location of the organization (of its
//	                       stand-in when the package lacks it)
//	services.location_id (1.0) → a service_at_location
//	contacts.phone_areacode, phone_number, phone_extension (1.x)
//	                     → a phone of the contact, when the area code and
//	                       number form a whole number ("305", "253-4841");
//	                       else the columns are kept verbatim with the
//	                       contact (hsds_extra), as given
//
// A converted row carries the file and row of its source row (messages
// name them) and that row as src; a source row folded into another row
// (an eligibility text into its service) is listed in legacyFolded. Ids:
// a converted row keeps its source row's id, unless the 3.0 table already
// has that id (1.1 regular and holiday schedules may share one), when it
// and any further row made from the same source row get an id derived
// from it (UUIDv5 of Namespace and "legacy/TABLE/ID/N"), the same at
// every import.

// importLegacyTables are the HSDS 1.x/2.0 tables with no 3.0 counterpart,
// by file name (plural and singular) → the name convertLegacy knows.
var importLegacyTables = map[string]string{
	"regular_schedules": "regular_schedules", "regular_schedule": "regular_schedules",
	"holiday_schedules": "holiday_schedules", "holiday_schedule": "holiday_schedules",
	"eligibility": "eligibility", "eligibilities": "eligibility",
	"payments_accepted": "payments_accepted", "payment_accepted": "payments_accepted",
	"services_taxonomy": "services_taxonomy", "service_taxonomy": "services_taxonomy",
	"accessibility_for_disabilities": "accessibility_for_disabilities",
	"service_attributes":             "service_attributes", "service_attribute": "service_attributes",
	"other_attributes": "other_attributes", "other_attribute": "other_attributes",
	"fees": "fees", "interpretation_services": "interpretation_services",
}

// importLegacyColumns are the 1.x/2.0 columns of 3.0 tables that
// convertLegacy reads.
var importLegacyColumns = map[string][]string{
	"services":       {"taxonomy_ids", "service_area", "location_id"},
	"service_areas":  {"service_area"},
	"phones":         {"language", "department"},
	"contacts":       legacyContactPhoneColumns,
	"addresses":      {"address_3", "address_4", "organization_id"},
	"taxonomy_terms": {"term"},
}

// readLegacyCSV reads a 1.x/2.0 table for convertLegacy.
func (p *importPackage) readLegacyCSV(files *importFiles, file, name string) error {
	t := &importTable{name: name, file: file}
	if err := p.readCSVRows(files, file, t); err != nil {
		return err
	}
	if p.legacyTables == nil {
		p.legacyTables = map[string]*importTable{}
	}
	if prev := p.legacyTables[name]; prev != nil {
		p.ignored = append(p.ignored, fmt.Sprintf("%s: not read: %s holds the same table", file, prev.file))
		return nil
	}
	p.legacyTables[name] = t
	p.legacy = true
	return nil
}

// readLegacyTaxonomy reads taxonomy.csv: HSDS 1.x terms (it has
// parent_id, parent_name or vocabulary) for convertLegacy, or else the UK
// profile's taxonomies. done is false when the file is left to the alias
// rules.
func (p *importPackage) readLegacyTaxonomy(files *importFiles, file string) (done bool, err error) {
	t := &importTable{name: "taxonomy", file: file}
	if err := p.readCSVRows(files, file, t); err != nil {
		return true, err
	}
	legacy := false
	for _, c := range t.columns {
		if c == "parent_id" || c == "parent_name" || c == "vocabulary" {
			legacy = true
		}
	}
	if !legacy {
		t.name = "taxonomies"
		p.tables["taxonomies"] = t
		p.checkColumns(t, file, "taxonomies")
		p.notes = append(p.notes, fmt.Sprintf("%s read as the HSDS 3.0 table taxonomies", file))
		return true, nil
	}
	if p.legacyTables == nil {
		p.legacyTables = map[string]*importTable{}
	}
	p.legacyTables["taxonomy"] = t
	p.legacy = true
	return true, nil
}

// legacyConverter builds the 3.0 rows of one package.
type legacyConverter struct {
	p   *importPackage
	ids map[string]map[string]bool // 3.0 table → ids used
	// services by id, for what folds into them.
	services map[string]*importRow
}

// convertLegacy makes the 3.0 rows of the package's 1.x/2.0 tables and
// columns (see above).
func (p *importPackage) convertLegacy() {
	c := &legacyConverter{p: p, ids: map[string]map[string]bool{}, services: map[string]*importRow{}}
	for name, t := range p.tables {
		for _, r := range t.rows {
			c.use(name, r.get("id"))
		}
	}
	for _, r := range p.rows("services") {
		if _, dup := c.services[r.get("id")]; !dup {
			c.services[r.get("id")] = r
		}
	}
	lt := func(name string) []*importRow {
		if t := p.legacyTables[name]; t != nil {
			return t.rows
		}
		return nil
	}
	c.addresses()
	c.taxonomy(lt("taxonomy"))
	for _, r := range p.rows("taxonomy_terms") {
		if r.get("name") == "" && r.get("term") != "" {
			r.setRaw("name", r.raw("term")) // HSDS 2.0
		}
	}
	c.serviceTerms(lt("services_taxonomy"), lt("service_attributes"), lt("other_attributes"))
	c.schedules(lt("regular_schedules"), lt("holiday_schedules"))
	c.fees(lt("fees"), lt("payments_accepted"))
	c.eligibility(lt("eligibility"))
	for _, r := range lt("accessibility_for_disabilities") {
		c.add("accessibility", r, 0, map[string]string{"location_id": r.get("location_id"),
			"description": r.get("accessibility"), "details": r.get("details")})
	}
	c.languages(lt("interpretation_services"))
	c.phoneDepartments()
	c.serviceAreas()
	c.serviceLocations()
	c.contactPhones()
}

func (p *importPackage) rows(table string) []*importRow {
	if t := p.tables[table]; t != nil {
		return t.rows
	}
	return nil
}

func (c *legacyConverter) use(table, id string) {
	if id == "" {
		return
	}
	if c.ids[table] == nil {
		c.ids[table] = map[string]bool{}
	}
	c.ids[table][id] = true
}

// add appends to table a 3.0 row made from src (part n of it), with vals.
func (c *legacyConverter) add(table string, src *importRow, n int, vals map[string]string) *importRow {
	id := src.get("id")
	if id == "" || n > 0 || c.ids[table][id] {
		if id != "" {
			id = legacyID(table, id, n)
		}
	}
	c.used(src)
	row := &importRow{file: src.file, line: src.line, path: src.pathRef(), v: map[string]string{}, src: src}
	for k, v := range vals {
		if v != "" {
			row.v[k] = v
		}
	}
	if id != "" {
		row.v["id"] = id
		c.use(table, id)
	}
	t := c.p.table(table)
	if t.file == table && len(t.rows) == 0 {
		t.file = src.file
	}
	t.rows = append(t.rows, row)
	return row
}

// legacyID is the id of part n of a source row of id whose own id cannot
// be kept in table.
func legacyID(table, id string, n int) string {
	return uuid.NewSHA1(Namespace, []byte(fmt.Sprintf("legacy/%s/%s/%d", table, id, n))).String()
}

// fold records that src was folded into row.
func (c *legacyConverter) fold(src, into *importRow) {
	if c.p.legacyFolded == nil {
		c.p.legacyFolded = map[*importRow]*importRow{}
	}
	c.p.legacyFolded[src] = into
	c.used(src)
}

// used records that src became (part of) a 3.0 row.
func (c *legacyConverter) used(src *importRow) {
	if c.p.legacyUsed == nil {
		c.p.legacyUsed = map[*importRow]bool{}
	}
	c.p.legacyUsed[src] = true
}

func (c *legacyConverter) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, x := range c.p.notes {
		if x == n {
			return
		}
	}
	c.p.notes = append(c.p.notes, n)
}

func (c *legacyConverter) warn(r *importRow, field, format string, args ...any) {
	msg := r.msg(field, format, args...)
	msg.Kind = importKindOf(format)
	c.p.legacyWarnings.addWarning(msg)
	if c.p.legacyWarned == nil {
		c.p.legacyWarned = map[*importRow]string{}
	}
	if _, ok := c.p.legacyWarned[r]; !ok {
		c.p.legacyWarned[r] = msg.Kind
	}
}

// addresses joins address_3 and address_4 to address_2, and gives an
// organization's postal address (no location) a postal location.
func (c *legacyConverter) addresses() {
	orgs := map[string]*importRow{}
	for _, o := range c.p.rows("organizations") {
		orgs[o.get("id")] = o
	}
	for _, a := range c.p.rows("addresses") {
		var parts []string
		for _, col := range []string{"address_2", "address_3", "address_4"} {
			if v := a.get(col); v != "" {
				parts = append(parts, v)
			}
		}
		if a.get("address_3") != "" || a.get("address_4") != "" {
			a.setRaw("address_2", strings.Join(parts, ", "))
			a.setRaw("address_3", "")
			a.setRaw("address_4", "")
			c.note("addresses' address_3 and address_4 (HSDS 1.x) joined to address_2")
		}
		org := a.get("organization_id")
		if a.get("location_id") != "" || org == "" {
			continue
		}
		// An organization missing from the package gets its stand-in
		// (standInOrganizations), which this location then belongs to.
		name := a.get("address_1")
		if name == "" && orgs[org] != nil {
			name = orgs[org].get("name")
		}
		if name == "" {
			name = importStandInName(org)
		}
		loc := c.add("locations", a, 1, map[string]string{"organization_id": org, "location_type": "postal", "name": name})
		a.setRaw("location_id", loc.raw("id"))
		c.note("an organization's address with no location became a postal location of the organization")
	}
}

// taxonomy makes 1.x terms 3.0 terms, and a term of each parent named
// only by parent_id and parent_name.
func (c *legacyConverter) taxonomy(rows []*importRow) {
	if len(rows) == 0 {
		return
	}
	have := map[string]bool{}
	for _, r := range rows {
		have[r.get("id")] = true
	}
	for _, r := range rows {
		vals := map[string]string{"name": r.get("name"), "parent_id": r.get("parent_id"),
			"taxonomy": r.get("vocabulary"), "code": r.get("id")}
		c.add("taxonomy_terms", r, 0, vals)
	}
	for _, r := range rows {
		pid := r.get("parent_id")
		if pid == "" || have[pid] || c.ids["taxonomy_terms"][pid] || r.get("parent_name") == "" {
			continue
		}
		have[pid] = true
		parent := &importRow{file: r.file, line: r.line, path: r.pathRef(), v: map[string]string{"id": pid}}
		c.add("taxonomy_terms", parent, 0, map[string]string{"name": r.get("parent_name"), "taxonomy": r.get("vocabulary"), "code": pid}).src = r
		c.note("a taxonomy.csv term's parent absent from the file, named by parent_id and parent_name, became a term of its own")
	}
	c.note("taxonomy.csv (HSDS 1.x) read as taxonomy terms: vocabulary → taxonomy, parent_id → parent, id → code")
}

// serviceTerms makes attributes of the links between services (or other
// records) and terms.
func (c *legacyConverter) serviceTerms(servicesTaxonomy, serviceAttributes, otherAttributes []*importRow) {
	linked := map[[2]string]bool{}
	link := func(src *importRow, n int, svc, term, value, entity string) {
		if svc == "" || term == "" {
			c.warn(src, "taxonomy_id", "links no record to a term; not imported")
			return
		}
		linked[[2]string{svc, term}] = true
		vals := map[string]string{"link_id": svc, "link_entity": entity, "taxonomy_term_id": term, "value": value}
		row := c.add("attributes", src, n, vals)
		if n > 0 && entity == KindService {
			row.v["id"] = needAttributeID(svc, term) // what an export derives: nothing more to keep
		}
	}
	for _, r := range servicesTaxonomy {
		link(r, 0, r.get("service_id"), r.get("taxonomy_id"), r.get("taxonomy_detail"), KindService)
	}
	for _, r := range serviceAttributes {
		link(r, 0, r.get("service_id"), r.get("taxonomy_term_id"), "", KindService)
	}
	for _, r := range otherAttributes {
		link(r, 0, r.get("link_id"), r.get("taxonomy_term_id"), "", r.get("link_type"))
	}
	for _, s := range c.p.rows("services") {
		for i, term := range strings.Split(s.get("taxonomy_ids"), ",") {
			term = canonicalID(strings.TrimSpace(term))
			if term == "" || linked[[2]string{s.get("id"), term}] {
				continue
			}
			link(s, i+1, s.get("id"), term, "", KindService)
			c.note("services.taxonomy_ids (HSDS 1.x) read as the services' terms")
		}
		s.setRaw("taxonomy_ids", "")
	}
}

var legacyWeekdays = map[string]string{
	"1": "MO", "2": "TU", "3": "WE", "4": "TH", "5": "FR", "6": "SA", "7": "SU", "0": "SU",
	"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR", "saturday": "SA", "sunday": "SU",
	"mon": "MO", "tue": "TU", "tues": "TU", "wed": "WE", "thu": "TH", "thur": "TH", "thurs": "TH", "fri": "FR", "sat": "SA", "sun": "SU",
	"mo": "MO", "tu": "TU", "we": "WE", "th": "TH", "fr": "FR", "sa": "SA", "su": "SU",
}

// links are the columns a schedule takes from its source row.
func scheduleLinks(r *importRow) map[string]string {
	return map[string]string{"service_id": r.get("service_id"), "location_id": r.get("location_id"),
		"service_at_location_id": r.get("service_at_location_id")}
}

func (c *legacyConverter) schedules(regular, holiday []*importRow) {
	for _, r := range regular {
		vals := scheduleLinks(r)
		vals["opens_at"], vals["closes_at"] = r.get("opens_at"), r.get("closes_at")
		wd := strings.ToLower(r.get("weekday"))
		if day, ok := legacyWeekdays[wd]; ok {
			vals["freq"], vals["byday"] = "WEEKLY", day
		} else {
			// Kept in words rather than lost.
			vals["description"] = strings.TrimSpace("weekday " + r.get("weekday"))
			c.warn(r, "weekday", "%q is no day of the week; the schedule keeps it as its description", r.get("weekday"))
		}
		c.add("schedules", r, 0, vals)
		c.note("regular_schedules (HSDS 1.x) read as weekly schedules; weekday numbers as ISO 8601 (1 = Monday … 7 = Sunday, 0 = Sunday)")
	}
	for _, r := range holiday {
		vals := scheduleLinks(r)
		from, to := r.get("start_date"), r.get("end_date")
		if to == "" {
			to = from
		}
		vals["valid_from"], vals["valid_to"] = from, to
		closed := r.get("opens_at") == ""
		if v := r.get("closed"); v != "" {
			b, err := strconv.ParseBool(strings.ToLower(v))
			if err != nil {
				c.warn(r, "closed", "%q is not true or false; read as %v (by its hours)", v, closed)
			} else {
				closed = b
			}
		}
		vals["closed"] = strconv.FormatBool(closed)
		if closed {
			vals["description"] = "Closed"
		} else {
			vals["description"] = "Holiday hours"
			vals["opens_at"], vals["closes_at"] = r.get("opens_at"), r.get("closes_at")
		}
		c.add("schedules", r, 0, vals)
		c.note("holiday_schedules (HSDS 1.x) read as schedules valid from start_date to end_date: closed (Schedule.closed true, described \"Closed\"), or open at other hours (closed false, \"Holiday hours\")")
	}
}

// appendText adds text to col of row, "; "-separated, unless it is there.
func appendText(row *importRow, col, text string) {
	old := row.get(col)
	switch {
	case text == "" || strings.Contains(old, text):
	case old == "":
		row.setRaw(col, text)
	default:
		row.setRaw(col, old+"; "+text)
	}
}

// fees fills services' fees_description from fees (services.fees, 1.0's
// fees.csv) and payments_accepted.
func (c *legacyConverter) fees(fees, payments []*importRow) {
	for _, s := range c.p.rows("services") {
		if f := s.get("fees"); f != "" && s.get("fees_description") == "" && c.p.legacy {
			s.setRaw("fees_description", f)
			s.setRaw("fees", "")
			c.note("services.fees (HSDS 1.x/2.0) read as fees_description")
		}
	}
	for _, r := range fees {
		if svc := c.service(r, "fee"); svc != nil {
			appendText(svc, "fees_description", r.get("fee"))
			c.fold(r, svc)
		}
	}
	accepted := map[*importRow][]string{}
	var order []*importRow
	for _, r := range payments {
		svc := c.service(r, "payment")
		if svc == nil {
			continue
		}
		if accepted[svc] == nil {
			order = append(order, svc)
		}
		if p := r.get("payment"); p != "" && !containsString(accepted[svc], p) {
			accepted[svc] = append(accepted[svc], p)
		}
		c.fold(r, svc)
	}
	for _, svc := range order {
		if len(accepted[svc]) > 0 {
			appendText(svc, "fees_description", "Payment accepted: "+strings.Join(accepted[svc], ", "))
		}
		c.note("payments_accepted (HSDS 1.x) added to the services' fees_description (\"Payment accepted: …\")")
	}
}

// service is the service a 1.x row names, or nil with a warning.
func (c *legacyConverter) service(r *importRow, field string) *importRow {
	sid := r.get("service_id")
	svc := c.services[sid]
	if svc == nil {
		if sid == "" {
			c.warn(r, "service_id", "names no service; its %s is not imported", field)
		} else {
			c.warn(r, "service_id", "no services with id %s in the package; its %s is not imported", sid, field)
		}
	}
	return svc
}

// legacyAges are the ages and pregnancy an eligibility text states.
type legacyAges struct {
	minMonths, maxMonths *int
	pregnant             bool
	conflict             bool // texts that state different ages: none kept
}

func (c *legacyConverter) eligibility(rows []*importRow) {
	for _, r := range rows {
		text := r.get("eligibility")
		if text == "" {
			// HSDS 2.0's eligibility rows carry no text (attributes do).
			c.warn(r, "eligibility", "eligibility row without text; nothing to import")
			continue
		}
		svc := c.service(r, "eligibility")
		if svc == nil {
			continue
		}
		appendText(svc, "eligibility_description", text)
		c.fold(r, svc)
		c.note("eligibility (HSDS 1.x) added to the services' eligibility_description; ages read where a text states them")
		lo, hi, pregnant := parseEligibilityAges(text)
		if c.p.legacyAges == nil {
			c.p.legacyAges = map[string]legacyAges{}
		}
		a := c.p.legacyAges[svc.get("id")]
		a.pregnant = a.pregnant || pregnant
		merge := func(have **int, v *int) {
			switch {
			case v == nil:
			case *have == nil:
				*have = v
			case **have != *v:
				a.conflict = true
			}
		}
		merge(&a.minMonths, lo)
		merge(&a.maxMonths, hi)
		c.p.legacyAges[svc.get("id")] = a
	}
}

// legacyEligibility adds to e the ages and pregnancy the service's 1.x
// eligibility texts state, where the service's own columns give no age.
func (m *importMapper) legacyEligibility(r *importRow, e *directory.Eligibility) bool {
	a, ok := m.pkg.legacyAges[r.get("id")]
	if !ok || e.MinAgeMonths != nil || e.MaxAgeMonths != nil {
		return false
	}
	if a.conflict {
		m.warnf(r, "eligibility_description", "eligibility texts state different ages; no age kept (the texts are)")
		return false
	}
	if a.minMonths != nil && a.maxMonths != nil && *a.minMonths > *a.maxMonths {
		m.warnf(r, "eligibility_description", "eligibility text's minimum age is above its maximum; no age kept")
		return false
	}
	e.MinAgeMonths, e.MaxAgeMonths = a.minMonths, a.maxMonths
	if a.pregnant {
		t := true
		e.AcceptsPregnant = &t
	}
	return a.minMonths != nil || a.maxMonths != nil || a.pregnant
}

var (
	agesRange = regexp.MustCompile(`(?i)\b(?:ages?d?\s+|from\s+)?(birth|newborn|\d{1,3})\s*(months?|mos?|years?|yrs?)?\s*(?:-|–|to|through|thru)\s*(\d{1,3})\s*(months?|mos?|years?|yrs?)?`)
	agesUnder = regexp.MustCompile(`(?i)\b(?:under|younger than|less than)\s+(?:the\s+)?(?:age\s+(?:of\s+)?)?(\d{1,3})\s*(months?|mos?|years?|yrs?)?`)
	agesUpTo  = regexp.MustCompile(`(?i)\bup to (?:the\s+)?(?:age\s+(?:of\s+)?)?(\d{1,3})\s*(months?|mos?|years?|yrs?)?`)
	agesAndUp = regexp.MustCompile(`(?i)\b(\d{1,3})\s*(months?|mos?|years?|yrs?)?(?:\s+old)?\s*(?:\+|and (?:older|over|up|above)|or (?:older|over|above))`)
	agesAndUn = regexp.MustCompile(`(?i)\b(\d{1,3})\s*(months?|mos?|years?|yrs?)?(?:\s+old)?\s+(?:and|or) (?:under|younger|below)`)
	pregnant  = regexp.MustCompile(`(?i)\bpregnan`)
)

// parseEligibilityAges reads the ages an eligibility text states, in
// months (inclusive bounds): "ages 0-5", "birth to 3", "6 months to 3
// years", "18 and older", "18+", "children under 3", "up to age 5", "5
// and under"; and whether it names pregnant women. A range whose numbers
// carry no unit needs the word age, old or years nearby ("grades 1-5" is
// no age); a number is years unless months are said. Nothing is guessed:
// a text that states no age gives none.
func parseEligibilityAges(text string) (lo, hi *int, isPregnant bool) {
	isPregnant = pregnant.MatchString(text)
	months := func(n int, unit string) int {
		if strings.HasPrefix(strings.ToLower(unit), "m") {
			return n
		}
		return n * 12
	}
	num := func(s string) int {
		n, _ := strconv.Atoi(s) // birth, newborn: 0
		return n
	}
	ptr := func(n int) *int { return &n }
	if loc := agesRange.FindStringSubmatchIndex(text); loc != nil {
		m := agesRange.FindStringSubmatch(text)
		unitLo, unitHi := m[2], m[4]
		if unitLo == "" {
			unitLo = unitHi
		}
		said := strings.ToLower(m[0])
		after := strings.ToLower(strings.TrimSpace(text[loc[1]:]))
		if unitHi != "" || strings.Contains(said, "age") || strings.Contains(said, "from") ||
			num(m[1]) == 0 && !isDigit(m[1]) || strings.HasPrefix(after, "old") {
			lo, hi = ptr(months(num(m[1]), unitLo)), ptr(upTo(num(m[3]), unitHi))
			if *lo > *hi {
				return nil, nil, isPregnant
			}
			return lo, hi, isPregnant
		}
	}
	if m := agesAndUp.FindStringSubmatch(text); m != nil {
		lo = ptr(months(num(m[1]), m[2]))
	}
	if m := agesUnder.FindStringSubmatch(text); m != nil {
		if n := months(num(m[1]), m[2]); n > 0 {
			hi = ptr(n - 1)
		}
	} else if m := agesUpTo.FindStringSubmatch(text); m != nil {
		hi = ptr(upTo(num(m[1]), m[2]))
	} else if m := agesAndUn.FindStringSubmatch(text); m != nil {
		hi = ptr(upTo(num(m[1]), m[2]))
	}
	if lo != nil && hi != nil && *lo > *hi {
		return nil, nil, isPregnant
	}
	if lo != nil && *lo > maxPlausibleAgeYears*12 || hi != nil && *hi > maxPlausibleAgeYears*12 {
		return nil, nil, isPregnant
	}
	return lo, hi, isPregnant
}

func isDigit(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// upTo is the last month of "up to N" (years: until the next birthday).
func upTo(n int, unit string) int {
	if strings.HasPrefix(strings.ToLower(unit), "m") {
		return n
	}
	return n*12 + 11
}

// languages reads 1.x language names as 3.0 rows (name), phones'
// language column as languages of the phone, and 1.0's
// interpretation_services as languages of the service.
func (c *legacyConverter) languages(interpretation []*importRow) {
	for _, l := range c.p.rows("languages") {
		if l.get("name") == "" && l.get("language") != "" {
			l.setRaw("name", l.raw("language"))
			l.setRaw("language", "")
		}
	}
	for _, r := range interpretation {
		c.add("languages", r, 0, map[string]string{"service_id": r.get("service_id"), "name": r.get("language")})
	}
	for _, ph := range c.p.rows("phones") {
		names := splitLanguageNames(ph.get("language"))
		for i, name := range names {
			vals := map[string]string{"phone_id": ph.get("id"), "name": name}
			if code, ok := LanguageCode(name); ok {
				vals["code"] = code
			}
			row := c.add("languages", ph, i+1, vals)
			if code := vals["code"]; code != "" {
				row.v["id"] = languageID("phone", ph.get("id"), code) // what an export derives
			}
		}
		if len(names) > 0 {
			ph.setRaw("language", "")
			c.note("phones.language (HSDS 1.x/2.0) read as the phones' languages")
		}
	}
}

// phoneDepartments adds 1.x's phones.department to the phone's
// description ("Department: Admissions"): Village's phone has no
// department, and a family reading the number needs to know whom it
// reaches.
func (c *legacyConverter) phoneDepartments() {
	for _, ph := range c.p.rows("phones") {
		if d := strings.TrimSpace(ph.get("department")); d != "" {
			appendText(ph, "description", "Department: "+d)
			ph.setRaw("department", "")
			c.note("phones.department (HSDS 1.x) added to the phones' description (\"Department: …\")")
		}
	}
}

// serviceAreas reads 1.x service_area texts (service_areas.service_area,
// services.service_area) as areas.
func (c *legacyConverter) serviceAreas() {
	states := c.packageStates()
	t := c.p.tables["service_areas"]
	var rows []*importRow
	if t != nil {
		rows = t.rows
		t.rows = nil
	}
	for _, r := range rows {
		text := r.get("service_area")
		if text == "" || r.get("name") != "" || r.get("extent") != "" {
			t.rows = append(t.rows, r) // a 3.0 row
			continue
		}
		r.setRaw("service_area", "")
		c.area(r, r.get("service_id"), text, r.get("description"), true, states)
	}
	for _, s := range c.p.rows("services") {
		if text := s.get("service_area"); text != "" {
			s.setRaw("service_area", "")
			c.area(s, s.get("id"), text, "", false, states)
		}
	}
}

// area makes the areas of one service_area text; own says r is a
// service_areas row (whose id the first area keeps).
func (c *legacyConverter) area(r *importRow, service, text, description string, own bool, states map[string]bool) {
	places := legacyPlaces(text, states)
	first := 0
	if !own {
		first = 1
	}
	if places == nil {
		c.add("service_areas", r, first, map[string]string{"service_id": service, "name": text, "description": description})
		return
	}
	for i, pl := range places {
		c.add("service_areas", r, first+i, map[string]string{"service_id": service, "name": pl.label,
			"description": description, "extent": pl.code, "extent_type": pl.extentType})
	}
	c.note("service_area texts (HSDS 1.x) naming ZIP codes, counties or states read as those places; other texts kept as text areas")
}

type legacyPlace struct{ label, code, extentType string }

var legacySplit = regexp.MustCompile(`\s*(?:;|,|/|&|\band\b)\s*`)

// legacyPlaces reads a text naming places, every part of it, or nil.
func legacyPlaces(text string, states map[string]bool) []legacyPlace {
	if p, ok := legacyPlace1(text, states); ok {
		return []legacyPlace{p}
	}
	s := strings.TrimSpace(text)
	suffix := ""
	low := strings.ToLower(s)
	for _, w := range []string{" counties", " parishes"} {
		if strings.HasSuffix(low, w) {
			s = s[:len(s)-len(w)]
			suffix = " County"
			if w == " parishes" {
				suffix = " Parish"
			}
		}
	}
	parts := legacySplit.Split(s, -1)
	if len(parts) < 2 && suffix == "" {
		return nil
	}
	var out []legacyPlace
	for _, part := range parts {
		if part == "" {
			continue
		}
		name := part
		if suffix != "" && !strings.HasSuffix(strings.ToLower(part), strings.ToLower(suffix)) {
			name = part + suffix
		}
		p, ok := legacyPlace1(name, states)
		if !ok {
			return nil
		}
		out = append(out, p)
	}
	return out
}

// legacyPlace1 reads one place: what importPlaceOf reads, or a county
// named without its state.
func legacyPlace1(s string, states map[string]bool) (legacyPlace, bool) {
	s = strings.TrimSpace(s)
	if kind, code, ok := importPlaceOf(s, ""); ok {
		switch kind {
		case servicearea.KindZIP:
			return legacyPlace{s, code, ExtentTypeZIP}, true
		case servicearea.KindSTATE:
			return legacyPlace{s, code, ExtentTypeState}, true
		case servicearea.KindCOUNTY:
			return legacyPlace{s, code, ExtentTypeCounty}, true
		}
		return legacyPlace{}, false // nationwide, online: the mapper reads the text itself
	}
	if fips, ok := legacyCounty(s, states); ok {
		return legacyPlace{s, fips, ExtentTypeCounty}, true
	}
	return legacyPlace{}, false
}

var (
	legacyCountiesOnce sync.Once
	legacyCounties     map[string][]geo.County // "miami-dade county" → counties of that name
)

// legacyCounty finds a county written "X County" (or Parish, ...) without
// its state: the one county of that name, or the one in the package's
// states.
func legacyCounty(s string, states map[string]bool) (string, bool) {
	low := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if !strings.HasSuffix(low, " county") && !strings.HasSuffix(low, " parish") && !strings.HasSuffix(low, " borough") {
		return "", false // a bare name could be a city as well
	}
	legacyCountiesOnce.Do(func() {
		legacyCounties = map[string][]geo.County{}
		for _, co := range geo.Counties() {
			k := strings.ToLower(co.FullName())
			legacyCounties[k] = append(legacyCounties[k], co)
		}
	})
	found := legacyCounties[low]
	if len(found) > 1 {
		var in []geo.County
		for _, co := range found {
			if states[co.StateCode] {
				in = append(in, co)
			}
		}
		found = in
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0].FIPS, true
}

// packageStates are the states of the package's addresses.
func (c *legacyConverter) packageStates() map[string]bool {
	out := map[string]bool{}
	importPlaceNamesOnce.Do(importLoadPlaceNames)
	for _, a := range c.p.rows("addresses") {
		for _, col := range []string{"state_province", "region"} {
			v := strings.TrimSpace(a.get(col))
			if geo.ValidStateCode(strings.ToUpper(v)) && len(v) == 2 {
				out[strings.ToUpper(v)] = true
			} else if code, ok := importStateNames[strings.ToLower(v)]; ok {
				out[code] = true
			}
		}
	}
	return out
}

// serviceLocations makes a service_at_location of 1.0's
// services.location_id, unless one links the two already.
func (c *legacyConverter) serviceLocations() {
	have := map[[2]string]bool{}
	for _, r := range c.p.rows("service_at_location") {
		have[[2]string{r.get("service_id"), r.get("location_id")}] = true
	}
	for _, s := range c.p.rows("services") {
		loc := s.get("location_id")
		if loc == "" {
			continue
		}
		s.setRaw("location_id", "")
		if have[[2]string{s.get("id"), loc}] {
			continue
		}
		have[[2]string{s.get("id"), loc}] = true
		c.add("service_at_location", s, 1, map[string]string{"service_id": s.get("id"), "location_id": loc})
		c.note("services.location_id (HSDS 1.0) read as a service_at_location")
	}
}

// legacyContactPhoneColumns are the phone columns of a 1.x contact.
var legacyContactPhoneColumns = []string{"phone_areacode", "phone_number", "phone_extension"}

// contactPhones makes a 1.x contact's phone columns a phone of the
// contact, when they form a whole number and the package does not give
// the contact that number already. Columns that form no number (Open211
// Miami's give the last four digits only) stay on the contact: the
// mapper keeps them verbatim (contacts).
func (c *legacyConverter) contactPhones() {
	have := map[[2]string]bool{} // contact id, number's digits
	for _, ph := range c.p.rows("phones") {
		if id := ph.get("contact_id"); id != "" {
			have[[2]string{id, legacyDigits(ph.get("number"))}] = true
		}
	}
	for _, r := range c.p.rows("contacts") {
		id := r.get("id")
		number, ok := legacyPhoneNumber(r.get("phone_areacode"), r.get("phone_number"))
		if id == "" || !ok {
			continue
		}
		ext := r.get("phone_extension")
		for _, col := range legacyContactPhoneColumns {
			r.setRaw(col, "")
		}
		if have[[2]string{id, legacyDigits(number)}] {
			c.note("contacts' phone_areacode and phone_number (HSDS 1.x) read as a phone of the contact (or found among its phones)")
			continue
		}
		have[[2]string{id, legacyDigits(number)}] = true
		c.add("phones", r, 1, map[string]string{"contact_id": id, "number": number, "extension": ext})
		c.note("contacts' phone_areacode and phone_number (HSDS 1.x) read as a phone of the contact (or found among its phones)")
	}
}

// legacyPhoneNumber joins a 1.x area code and number into a whole number:
// a 3-digit area code and a 7-digit number, or a 10-digit number (with
// its area code, or none given; 11 with a leading 1); false otherwise.
func legacyPhoneNumber(area, number string) (string, bool) {
	if strings.IndexFunc(number, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) >= 0 {
		return "", false // a vanity number or a remark: kept as given
	}
	da, dn := legacyDigits(area), legacyDigits(number)
	switch {
	case len(dn) == 11 && dn[0] == '1':
		dn = dn[1:]
		fallthrough
	case len(dn) == 10:
		if da == "" || dn[:3] == da {
			return strings.TrimSpace(number), true
		}
	case len(dn) == 7 && len(da) == 3:
		return fmt.Sprintf("%s-%s-%s", da, dn[:3], dn[3:]), true
	}
	return "", false
}

// legacyDigits is the digits of s.
func legacyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
