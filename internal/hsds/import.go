package hsds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/records"
)

// DefaultImportSource is the externalSource of imported records unless
// ImportOptions.Source names another.
const DefaultImportSource = "hsds"

// ImportGCPercent is the garbage collector's target `village import` sets
// (runtime/debug.SetGCPercent) when GOMEMLIMIT is set and GOGC is not:
// the heap may grow by half of what the import holds live before a
// collection, not double (Go's default). Without GOMEMLIMIT it keeps a
// soft memory limit (LimitImportMemory) set from the live heap, never
// below it (a limit below what the import holds live spent up to 3.3
// times the CPU), and Go's default target under it (see doc.go, Import
// memory).
const ImportGCPercent = 50

// ImportOptions tunes Import.
type ImportOptions struct {
	// Source is the externalSource given to imported records (default
	// "hsds"); HSDS ids are the external ids. A record a Village export
	// says came from another system keeps that system's source and id, and
	// a record of this directory (its own export) its own.
	Source string
	// DryRun checks and maps the whole package, and reports what would be
	// written, without writing anything.
	DryRun bool
	// Progress, when set, is called as records are written.
	Progress func(done, total int)
	// MaxFileBytes is the largest package file read (default
	// DefaultMaxImportFileBytes); a larger one refuses the package.
	MaxFileBytes int64
	// MaxArchiveBytes bounds a .zip package's files together, uncompressed
	// (default DefaultMaxImportArchiveBytes), and MaxArchiveEntries its
	// entries (default DefaultMaxImportArchiveEntries); past either, the
	// package is refused.
	MaxArchiveBytes   int64
	MaxArchiveEntries int
	// Strict refuses the package on any warning, repairs included:
	// nothing is written unless every row is imported as given.
	Strict bool
	// LimitMemory keeps a soft memory limit from the live heap while the
	// package is mapped and written (LimitImportMemory; see doc.go,
	// Import memory).
	LimitMemory bool
}

// ImportMessage is one warning or error, naming where it arose: the file,
// the CSV row (1 = first data row) or JSON path, and the field. Kind
// groups warnings in the report: one of the Warn… constants for the
// documented repairs, else the message's pattern.
type ImportMessage struct {
	Kind  string `json:"kind,omitempty"`
	File  string `json:"file"`
	Row   int    `json:"row,omitempty"`
	Path  string `json:"path,omitempty"`
	Field string `json:"field,omitempty"`
	Text  string `json:"text"`
}

func (m ImportMessage) String() string {
	var b strings.Builder
	b.WriteString(m.File)
	if m.Row > 0 {
		fmt.Fprintf(&b, " row %d", m.Row)
	}
	if m.Path != "" {
		b.WriteString(" " + m.Path)
	}
	if m.Field != "" {
		b.WriteString(" field " + m.Field)
	}
	b.WriteString(": " + m.Text)
	return b.String()
}

// ImportCounts says what an import did to the records of one Village type.
type ImportCounts = records.Counts

// Report says what an import found and did.
type Report struct {
	Path    string
	Form    string // "csv" (tabular data package) or "json"
	Profile string // "HSDS 3.0", "HSDS 3.1 draft", "UK profile (ORUK)"
	Source  string
	DryRun  bool
	Strict  bool
	// Types counts the records per Village type (Organization, Service…).
	Types map[string]ImportCounts
	// Errors are structural faults; any error means nothing was written.
	Errors []ImportMessage
	// Warnings are data-quality faults that did not block the import:
	// the first ImportWarningsKept of each kind, in package order (a
	// million-row dirty package would otherwise hold a message per row);
	// WarningCount and WarningGroups count them all.
	Warnings []ImportMessage
	// warningCounts counts the warnings by kind, those not kept included.
	warningCounts map[string]int
	// Notes say how the package was read (conventions applied).
	Notes []string
	// Ignored lists tables, columns and fields Village did not store.
	Ignored []string
	// Tables accounts for every source row, per source table.
	Tables []TableAccount
}

// Changed reports whether the import created or updated anything.
func (r *Report) Changed() bool {
	t := records.Total(r.Types)
	return t.Created+t.Updated > 0
}

// String prints the report for people.
func (r *Report) String() string {
	var b strings.Builder
	mode := ""
	if r.DryRun {
		mode = " (dry run: nothing written)"
	}
	kind := "" // unknown when the package was refused unread
	if r.Form != "" {
		kind = fmt.Sprintf(" %s %s package,", r.Profile, r.Form)
	}
	fmt.Fprintf(&b, "import %s:%s source %q%s\n", r.Path, kind, r.Source, mode)
	names := make([]string, 0, len(r.Types))
	for n := range r.Types {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return importKindRank(names[i]) < importKindRank(names[j]) })
	for _, n := range names {
		c := r.Types[n]
		fmt.Fprintf(&b, "  %-18s %d created, %d updated, %d unchanged\n", n+":", c.Created, c.Updated, c.Unchanged)
	}
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d):\n", title, len(lines))
		for _, l := range lines {
			b.WriteString("  " + l + "\n")
		}
	}
	msgs := func(ms []ImportMessage) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.String()
		}
		return out
	}
	section("errors (nothing written)", msgs(r.Errors))
	r.writeWarnings(&b)
	r.writeTables(&b)
	section("notes", r.Notes)
	section("not imported", r.Ignored)
	return b.String()
}

// ImportError is returned when the package has structural faults; the
// report lists them.
type ImportError struct{ Report *Report }

func (e *ImportError) Error() string {
	n := len(e.Report.Errors)
	first := ""
	if n > 0 {
		first = ": " + e.Report.Errors[0].String()
	}
	return fmt.Sprintf("HSDS package refused, %d structural error(s), nothing written%s", n, first)
}

// How Import maps HSDS onto Village
//
// Forms. A directory holding organizations.csv or services.csv (or their
// singular names), at the top or where its datapackage.json's resources
// name them (data/services.csv; resources that are not where it says but
// all in one sub-folder are read there, as Open211 Miami's package needs),
// is a tabular package; a .json file, or a
// directory of .json documents (datapackage.json aside), is the JSON form:
// single objects (service_full.json), arrays, the API's paged lists
// ({"contents": [...]}), and several of these in one file (NDJSON, or
// values one after another), every one read. A .zip is the directory it
// holds (its one top folder, if that is all), and a datapackage.json named
// is its directory. Nested objects are filed in their own tables and
// linked to the object they are nested in; the same object given in several
// documents is one record when the copies agree on what Village stores.
// Input that is none of these is refused saying what it looks like, and so
// are the Ohana API's CSV and JSON layouts ("looks like Ohana API …, not
// HSDS"); an import that could read nothing never succeeds.
//
// Profiles. HSDS 3.0; the 3.1 draft (service_capacity → capacityAvailable,
// capacityMaximum, capacityUpdatedAt; units, url and other unknown tables and
// columns are listed as not imported); the UK profile (absent optional
// columns are empty; where a singular and a plural table are both present,
// the HSDS 3.0 name wins and the other file is reported as not read).
//
// Legacy mapping (HSDS 1.0, 1.1, 2.0): physical_addresses.csv and
// postal_addresses.csv are read as addresses (address_type physical/postal),
// services_at_location as service_at_location, organizations.url as
// website; every other 1.x/2.0 table and column becomes the 3.0 rows that
// say the same before mapping (import_legacy.go lists them: regular and
// holiday schedules → schedules, taxonomy.csv → terms with parents,
// services_taxonomy → needs, eligibility → eligibility text and ages,
// accessibility_for_disabilities → accessibility, service_area text →
// ZIP/county/state or text areas, phones.language → phone languages,
// phones.department → the phone's description,
// payments_accepted and fees → fees_description). Language names are
// coded by languages.go; an unknown one is kept as text with a warning.
// The Ohana API CSV layout (services hanging off
// locations, no services.organization_id) is not HSDS and is refused.
//
// Dry run. DryRun maps and writes the package in a transaction rolled back;
// the command (village import --dry-run) creates and migrates no database
// for it: a database that does not exist yet, or lacks the current schema,
// is replaced by an empty one in memory.
//
// Records. organizations → Organization (parent_organization_id → parent);
// programs → Program (organization_id; HSDS has no approach, settings or
// audiences: they stay empty, Village's approach being optional with no
// "other" value); locations + their addresses → Location (one address per
// location, the physical one first; state_province, else region, →
// region); taxonomy_terms → TaxonomyTerm (vocabulary = the name of its
// taxonomy_id's taxonomy, else its taxonomy column, else the source; parent_id
// → parent; no code: its id; a term already in Village with the same
// vocabulary and code is that term, left as it is); services → Service (status: active, inactive,
// defunct, temporarily closed, see Faults; program_id → program; assured_date/assurer_email → verifiedAt/verifiedBy;
// languages.code of the service's languages → languages; minimum_age/maximum_age, unit-less in
// HSDS, read as years: min×12 and max×12+11 months; eligibility_description
// → eligibility.description; every service's eligibility states only
// the rules given a value (statedRules: the ages when given; see doc.go);
// attributes linking the service to a term of
// the package → needs, as Village exports needs); service_areas →
// ServiceArea (a ZIP code, a
// county as "X County, ST" or a FIPS code with extent_type county/fips, a
// state's code or name, or "nationwide", found in a textual extent or the
// area's name, become structured coverage; "LAT,LON,KM" with extent_type
// radius_km a RADIUS circle; anything else a TEXT area named by
// its name or description); service_at_location, contacts, phones,
// schedules → their Village types (schedules: WEEKLY/MONTHLY freq,
// interval, byday, bymonthday, opens_at/closes_at as HH:MM, IANA timezone);
// funding → Funding (source required; organization_id, service_id).
// Every record gets externalSource (hsds or ImportOptions.Source),
// externalId (its HSDS id) and a fixed provenance, except where a Village
// export says otherwise: a record's own provenance; its identity in the
// system it came from (the external_id attribute "SOURCE:ID", restored as
// externalSource and externalId, by which any later import finds it,
// whatever its source; a record an earlier import holds under its source
// and HSDS id moves to that identity); a record of this very directory,
// which keeps its own (see doc.go, Identifiers). The import's provenance
// is kept all the same: the record's provenance says it was imported
// unless the package gives it one of its own, and the change feed logs
// the import. The package's id of a record restored to another identity
// is either that identity's id (a UUID), the UUID derived from it
// (ExternalRecordID), or derived from the exporting directory's own id and
// row number (DerivedID; LegacyDerivedID before directory ids, still
// recognised in this directory's own export for one release): nothing is
// lost by not keeping it. What Village has no field for is kept verbatim
// with the record (import_extra.go), its ids and links that are no UUID
// replaced by the UUIDs the export gives them (keptUUIDs), and
// exported back; what cannot be kept (columns outside HSDS 3.0, rows that
// link to no record of the package) is listed in Report.Ignored.
//
// Faults. A package is refused (nothing is written, an *ImportError) only
// when Village cannot tell what its rows mean: malformed CSV or JSON, text
// that is not UTF-8, a header it cannot read, a required table or column
// missing (importRequiredColumns), and rows of a table others link to by id
// (organizations, services, locations, programs, taxonomy terms and
// taxonomies) that share an id but differ in what Village stores; a
// record Village's own validation refuses refuses the package too. Every
// other fault is a row fault: a warning naming file, row and field, of a
// kind (the Warn… constants; other warnings are grouped by their text's
// pattern), with a documented repair, and never a silent drop:
//
//   - a blank service status is active (HSDS's default); Village's four
//     statuses are read in any case and spacing (Active, temporarily_closed);
//     closed (and the like) is inactive, suspended temporarily closed; any
//     other status is inactive, never shown to a family as open;
//   - a phone without a number is dropped;
//   - rows sharing an id that agree on every field are one record (a
//     package giving a row twice); a JSON object given in several documents
//     need only agree on what Village stores;
//   - a row without an id, and a row of any other table sharing one, gets
//     a derived id, UUIDv5 of its table, its content and how many rows of
//     the same content precede it (importDerivedRowID): the same package
//     gives the same ids, whatever the order of its rows. Where rows link
//     to the table (phones, contacts, service_at_location), the first row
//     of a shared id keeps it, so the links keep pointing at it; elsewhere
//     (languages reusing their service's id…) every row sharing it gets one;
//   - a URL without a scheme ("www.example.org") gets http://;
//   - a service naming an organization missing from the package is kept
//     under one stand-in organization per missing id (locations,
//     programs, contacts, phones and an organization's 1.x postal address
//     naming that id join it; naming an organization no service names,
//     they are kept without the link, with a warning), named "Unknown
//     organization (id X in source)", whose HSDS id (its external id) is
//     the missing one: an import that brings the organization (same source
//     and id) updates the stand-in into it, and a stand-in never changes an
//     organization already stored. Other links to it then attach to it;
//     nothing else is invented, and a service naming no organization is
//     dropped;
//   - an organization without a name is named after its id; a service,
//     program or term without one is dropped;
//   - a 12-hour time of day ("9:00am", "5 PM") is read as HH:MM;
//   - an unreadable number, date or time of day is dropped (the row is
//     kept); an unknown location type is read as physical;
//   - impossible coordinates are dropped; a link to a record absent from
//     the package is dropped (an area or a service-at-location without its
//     service is not imported); invalid emails, URLs, country, language and
//     time-zone codes are dropped; foreign postal codes are kept as given.
//
// ImportOptions.Strict refuses the package on any warning. The report
// (Report.WarningGroups, Report.Tables, Report.WriteJSON) groups the
// warnings by kind, with a count and the first three examples, and
// accounts for every source row, per source table (a CSV file; the
// objects of one table in one JSON file): read = imported (as given) +
// repaired (a warning names the row) + dropped (the row became no record
// and is kept with none; the kind of its first warning says why, and a
// row dropped without one gets a not-imported warning). Records that
// disappear from a package are not deleted by a later import.
//
// Files. Only the package's own regular files are read, each of at most
// ImportOptions.MaxFileBytes: a link or a data package resource leading out
// of the package, a device, a FIFO or a larger file refuses the package
// (import_files.go). A .zip is extracted into a temporary folder, removed
// afterwards: an entry leading out of it, a symbolic link, a name given
// twice, more than MaxArchiveEntries entries, or more than MaxFileBytes in
// a file or MaxArchiveBytes in all once uncompressed refuses the package
// (import_zip.go).

// Import reads the HSDS package at path (a directory of CSV tables or of
// JSON documents, a .zip of one, a datapackage.json, or a JSON file) and
// writes it into the
// directory in one transaction. Re-importing the same package changes
// nothing. A package whose rows cannot be read refuses the whole import
// (an *ImportError, with the report), and so does any warning under
// opts.Strict; row faults are otherwise repaired or their rows dropped,
// each with a warning in the report (see Faults above).
func Import(ctx context.Context, client *ent.Client, path string, opts ImportOptions) (*Report, error) {
	src := opts.Source
	if src == "" {
		src = DefaultImportSource
	}
	rep := &Report{Path: path, Source: src, DryRun: opts.DryRun, Strict: opts.Strict, Types: map[string]ImportCounts{}}
	maxFileBytes := opts.MaxFileBytes
	if maxFileBytes <= 0 {
		maxFileBytes = DefaultMaxImportFileBytes
	}
	if opts.LimitMemory {
		// From the start: reading, JSON above all, makes garbage at a
		// pace that ImportGCPercent collects far more often.
		defer LimitImportMemory()()
	}
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() && strings.EqualFold(filepath.Ext(path), ".zip") {
		lim := importArchiveLimits{fileBytes: maxFileBytes, totalBytes: opts.MaxArchiveBytes, entries: opts.MaxArchiveEntries}
		if lim.totalBytes <= 0 {
			lim.totalBytes = DefaultMaxImportArchiveBytes
		}
		if lim.entries <= 0 {
			lim.entries = DefaultMaxImportArchiveEntries
		}
		extracted, cleanup, err := importUnzip(path, lim)
		if err == nil {
			defer cleanup()
			dir = extracted
		} else {
			return importReadRefused(rep, err)
		}
	}
	pkg, err := importReadPackage(dir, maxFileBytes)
	if err != nil {
		// The extracted folder's name means nothing to people: the
		// archive's does.
		var refused *importRefusal
		if dir != path && errors.As(err, &refused) && refused.file == filepath.Base(dir) {
			refused.file = filepath.Base(path)
		}
		return importReadRefused(rep, err)
	}
	spill := pkg.spill
	spills := []*importSpill{spill}
	defer func() {
		for _, s := range spills {
			s.Close()
		}
	}()
	pkg.compactRows()
	importStage("read")
	rep.Form = pkg.form
	rep.Notes = append(rep.Notes, pkg.notes...)
	rep.Ignored = append(rep.Ignored, pkg.ignored...)
	rep.Errors = append(rep.Errors, pkg.errors...)
	rep.Warnings = pkg.legacyWarnings.Warnings
	rep.warningCounts = pkg.legacyWarnings.warningCounts
	pkg.legacyWarnings = Report{}
	rep.Profile = importDetectProfile(pkg)
	m := newImportMapper(pkg, rep)
	recs := m.run()
	importStage("mapped")
	if err := spill.err; err != nil {
		return rep, err
	}
	if opts.Strict && rep.WarningCount() > 0 && len(rep.Errors) == 0 {
		rep.Errors = append(rep.Errors, ImportMessage{File: path, Text: fmt.Sprintf(
			"--strict: %d warning(s) refuse the package (see the warnings; without --strict each is repaired or its row dropped as it says)", rep.WarningCount())})
	}
	if len(rep.Errors) > 0 {
		return rep, &ImportError{Report: rep}
	}
	// Should Village refuse a batch of records, the package is read and
	// mapped again (the same records), to write them one at a time: so
	// what a record writes can go once written (see importWriteAll).
	remap := func() ([]*importRec, error) {
		pkg, err := importReadPackage(dir, maxFileBytes)
		if err != nil {
			return nil, err
		}
		spill := pkg.spill
		defer func() {
			// The records' rows read their values from it while written.
			spills = append(spills, spill)
		}()
		pkg.compactRows()
		again := &Report{Types: map[string]ImportCounts{}}
		recs := newImportMapper(pkg, again).run()
		if err := spill.err; err != nil {
			return nil, err
		}
		if len(again.Errors) > 0 {
			return nil, fmt.Errorf("mapping the package again: %s", again.Errors[0])
		}
		return recs, nil
	}
	if err := importWriteAll(ctx, client, src, recs, rep, opts, remap); err != nil {
		return rep, err
	}
	importStage("done")
	return rep, nil
}

// importReadRefused returns the report of a package refused unread: an
// *ImportError naming why, when err is a refusal, else err itself.
func importReadRefused(rep *Report, err error) (*Report, error) {
	var refused *importRefusal
	if errors.As(err, &refused) {
		rep.Errors = append(rep.Errors, refused.message())
		return rep, &ImportError{Report: rep}
	}
	return rep, err
}

// importDetectProfile names the package's flavour by its tables and columns.
func importDetectProfile(p *importPackage) string {
	if p.legacy {
		return "HSDS 1.1 (legacy mapping)"
	}
	if _, ok := p.tables["service_capacity"]; ok {
		return "HSDS 3.1 draft"
	}
	if t, ok := p.tables["services"]; ok && p.form == "csv" {
		has := map[string]bool{}
		for _, c := range t.columns {
			has[c] = true
		}
		if !has["alternate_name"] && !has["interpretation_services"] {
			return "HSDS 3.0 UK profile"
		}
	}
	return "HSDS 3.0"
}
