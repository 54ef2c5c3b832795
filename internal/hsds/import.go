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
}

// ImportMessage is one warning or error, naming where it arose: the file,
// the CSV row (1 = first data row) or JSON path, and the field.
type ImportMessage struct {
	File  string
	Row   int
	Path  string
	Field string
	Text  string
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
	// Types counts the records per Village type (Organization, Service…).
	Types map[string]ImportCounts
	// Errors are structural faults; any error means nothing was written.
	Errors []ImportMessage
	// Warnings are data-quality faults that did not block the import.
	Warnings []ImportMessage
	// Notes say how the package was read (conventions applied).
	Notes []string
	// Ignored lists tables, columns and fields Village did not store.
	Ignored []string
}

// Changed reports whether the import created or updated anything.
func (r *Report) Changed() bool {
	for _, c := range r.Types {
		if c.Created+c.Updated > 0 {
			return true
		}
	}
	return false
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
	section("warnings", msgs(r.Warnings))
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
// name them (data/services.csv), is a tabular package; a .json file, or a
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
// vocabulary and code is that term, left as it is); services → Service (status required: active, inactive,
// defunct, temporarily closed; program_id → program; assured_date/assurer_email → verifiedAt/verifiedBy;
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
// is either that identity's id (a UUID) or derived from the exporting
// directory's row number, an id of that directory only: nothing is lost
// by not keeping it. What Village has no
// field for is kept verbatim with the record (import_extra.go) and
// exported back; what cannot be kept (columns outside HSDS 3.0, rows that
// link to no record of the package) is listed in Report.Ignored.
//
// Faults. Structural faults refuse the whole package (nothing is written):
// malformed CSV, wrong column counts, missing required columns, missing or
// duplicate ids, unparsable numbers, dates and times, unknown service status
// or location type, a record Village's own validation refuses. Data-quality
// faults are warnings: impossible coordinates dropped, links to records absent
// from the package dropped (a service without its organization, an area or a
// service-at-location without its service, is not imported), invalid
// emails, URLs, country, language and time-zone codes dropped, foreign postal
// codes kept as given. Records that disappear from a package are not
// deleted by a later import.
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
// nothing. Structural faults refuse the whole package (an *ImportError,
// with the report); data-quality faults are warnings in the report.
func Import(ctx context.Context, client *ent.Client, path string, opts ImportOptions) (*Report, error) {
	src := opts.Source
	if src == "" {
		src = DefaultImportSource
	}
	rep := &Report{Path: path, Source: src, DryRun: opts.DryRun, Types: map[string]ImportCounts{}}
	maxFileBytes := opts.MaxFileBytes
	if maxFileBytes <= 0 {
		maxFileBytes = DefaultMaxImportFileBytes
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
	rep.Form = pkg.form
	rep.Notes = append(rep.Notes, pkg.notes...)
	rep.Ignored = append(rep.Ignored, pkg.ignored...)
	rep.Errors = append(rep.Errors, pkg.errors...)
	rep.Warnings = append(rep.Warnings, pkg.legacyWarnings...)
	rep.Profile = importDetectProfile(pkg)
	m := newImportMapper(pkg, rep)
	recs := m.run()
	if len(rep.Errors) > 0 {
		return rep, &ImportError{Report: rep}
	}
	if err := importWriteAll(ctx, client, src, recs, rep, opts); err != nil {
		return rep, err
	}
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
