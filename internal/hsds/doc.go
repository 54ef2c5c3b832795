// Package hsds maps Village's directory to Open Referral's Human Services
// Data Specification (HSDS) 3.0 and back.
//
//   - model.go: the HSDS objects as Go types, json tags as in the spec's
//     schema/*.json, shared by both directions.
//   - mapping.go: ent records → HSDS objects ([Mapper]), HSDS ids, and the
//     Village attribute vocabulary.
//   - load.go: loaders that read records through the ent client with the
//     caller's context and map them (full service, organization and
//     service_at_location documents; taxonomies).
//   - resolve.go: [Resolver], HSDS id → Village ID in memory, kept current
//     from the change feed (what the /hsds/ API looks ids up with).
//   - export.go: `village export`: the JSON form ([ExportJSON]) and the
//     tabular data package ([ExportCSV]), whose columns come from the spec's
//     datapackage.json, embedded as datapackage-3.0.json (copied from the
//     Open Referral specification, CC BY-SA 4.0, Open Referral). Its cells
//     are in the formats Frictionless table schemas read by default: times
//     HH:MM:SS, datetimes in UTC and whole seconds (YYYY-MM-DDTHH:MM:SSZ).
//   - export_stream.go: how [Export] streams: services, organizations and
//     the change history a batch at a time; the CSV form's rows spilled to
//     a temporary file per table, each table sorted alone when written.
//   - validate.go: a validator for the spec's per-object JSON schemas and
//     one for CSV tables against the data package's table schemas
//     ([ValidateTable]: types in their default formats, required, unique,
//     enum), for tests and import checks. `make test-validator` also runs
//     Open Referral's own validator logic (tools/hsds-validator) on an export.
//   - needs_map.go: the needs crosswalk (`village import --needs-map`):
//     terms of an imported vocabulary mapped to Village's needs.
//   - export_dir.go: where an export may write: a new or empty directory,
//     or an earlier export (listed in its manifest, ExportManifest), which
//     it replaces; nothing else is overwritten or deleted.
//   - modified.go: a service's last_modified and the modified_after
//     filters: the latest change of the service or of what its document
//     shows, computed in SQL.
//   - village_filter.go: the taxonomy_term_id and taxonomy_id filters on
//     the Village attribute vocabulary (a service's own attributes).
//   - import*.go: HSDS packages → Village records (`village import`).
//   - import_files.go: the one way the import reads a file of a package,
//     through an os.Root on its directory (see Import input below).
//   - import_zip.go: a .zip package, extracted safely into a temporary
//     folder that is then read as a package directory.
//   - import_legacy.go: HSDS 1.x and 2.0 packages, converted to 3.0 rows
//     before they are mapped (see HSDS 1.x and 2.0 below).
//   - languages.go: language names → ISO 639 codes ([LanguageCode]; see
//     Languages below).
//   - import_repair.go: the repairs of row faults real exports carry
//     (blank statuses, rows without ids, URLs without a scheme,
//     organizations missing from the package…), and import_report.go the
//     report: warnings grouped by kind, every source row accounted for,
//     its JSON form (see Faults in import.go, and Row faults below).
//   - internal/dirtypkg: writes packages carrying every such fault, for
//     tests.
//   - export_extra.go, import_extra.go and package hsdsextra: what Village
//     does not model, kept verbatim with its record and exported back.
//
// # Identifiers
//
// Every HSDS id is a UUID. A record imported from HSDS (external_source set,
// external_id a UUID) keeps that id, read in lower case as Village writes
// it (an upper-case id would be another record when the export returns).
// A record with any other external identity (SOURCE, ID) gets the UUIDv5
// of "external/type/SOURCE/ID" in [Namespace] ([ExternalRecordID]): the
// same in every directory that holds that identity, so an import of
// "1234" or "svc-9" keeps "1234" as the record's external id and exports
// one stable UUID for it (the type is part of it: a source's ids are
// unique only within their table). Any other record gets the UUIDv5 of
// "type/ID" (for example "service/42") in the namespace of the directory's
// own id ([DerivedID]): a random UUID that the first `village migrate`
// makes and stores (table village_directory; store.DirectoryID), so two
// directories, which number their records alike, never give one id to
// different records. Taxonomies get UUIDv5("taxonomy/NAME"),
// taxonomy terms of the Village attribute vocabulary UUIDv5("term/village/CODE").
//
// Until this release a derived id was the UUIDv5 of "type/ID" in
// [Namespace] alone ([LegacyDerivedID]), the same in every directory. For
// one release the import still recognises those ids in an export of this
// directory (by its change history, as below), so an export made before
// the upgrade imported back changes nothing.
//
// Every link in an export names a record of the export. What a record
// keeps verbatim from its source (rows of tables Village does not model,
// columns it has no field for) is stored with every id and link that is
// no UUID replaced, at import, by the ExternalRecordID of the import's
// source (or the record's own) and that id: the id the export gives the
// row, or the record linked to when it came from the same source.
// The rows Village writes beside a record take ids derived from the
// record's HSDS id: its address UUIDv5("address/ID"), its languages
// UUIDv5("language/KIND/ID/CODE"), a service's needs
// UUIDv5("attribute/ID/need/TERM"); the import keeps only ids that differ.
//
// A derived id names a record of the directory that exported it only. So
// an import finds the record
// a package's record is by, in turn: the identity its external_id
// attribute gives it, in any source (the record came from another system:
// it keeps that identity, the one integrators upsert it by, whatever the
// import's source); the import's source and its HSDS id; and, for a
// package holding this directory's change history (an export by a trusted
// caller or staff), the record whose HSDS id it is, when an entry of that
// history names one of the record's own change events (the entry's id
// hashes the event's number and instant, which no other directory
// shares), under its derived id or its legacy one. So an export imported
// back into its directory changes nothing, while another directory's
// export creates its own records. A public export carries no history: its
// records without an identity of their own are new records here.
//
// # Visibility
//
// Records are always loaded through the ent client with the caller's
// context, so the read rules installed by internal/store apply exactly as in
// GraphQL: the public sees confidential locations without street address,
// postal code or coordinates, and no staff-only phones. The CLI runs as
// trusted code and exports everything.
//
// # The Village attribute vocabulary
//
// What HSDS has no column for travels as HSDS attributes whose taxonomy
// term belongs to the taxonomy named "village" (see [VillageTaxonomy]); the
// attribute's value holds the field, as text or JSON (Village's own JSON
// encodings, field names as in GraphQL). Attributes are attached to the
// record they describe (link_entity = the HSDS table, link_id = its id).
// Terms (code: record kinds, value):
//
//	sample                  any        "true" for illustrative records (absent when false; a service area: absent when its service's, "false" when it differs)
//	provenance              any        where the record's facts come from (text; a service area: absent when its service's, possibly empty when it differs)
//	external_id             any        "SOURCE:ID" when the record came from another system, unless SOURCE is hsds and ID the record's HSDS id; the import restores it (split at the first colon)
//	eligibility             service, program   directory.Eligibility as JSON (months-based ages, pregnancy, income, ...)
//	free                    service    "true" or "false"
//	capacity_available      service    integer
//	capacity_maximum        service    integer
//	capacity_updated_at     service    RFC 3339 time
//	delivery_modes          service    JSON array of DeliveryMode (HOME_VISIT, ...)
//	verified_at             service    RFC 3339 time
//	verified_by             service    text
//	internal_notes          service    text (staff only: blank for the public)
//	approach                program    Program approach enum (HOME_VISITING, ...)
//	settings                program    JSON array of Setting
//	audiences               program    JSON array of Audience
//	serves_through_months   program    integer
//	evidence                program    JSON array of directory.Evidence
//	url                     program    the program's web page
//	site_finder_url         program    the model's own page for finding a local site
//	coverage                service_area  [Coverage] as JSON {"kind","code","centerLatitude","centerLongitude","radiusKm"}, only where extent and extent_type do not hold it all (a text area)
//	confidential            location   "true" when the address is withheld from the public
//	timezone                schedule   IANA time zone (HSDS's timezone is a number)
//	closed                  schedule   "true" for a closure on the schedule's days (a holiday), "false" for stated open hours; absent when not said (HSDS 3.0 schedules have no such column)
//	staff_only              phone      "true" for staff-only numbers (only staff ever see them)
//	extension               phone      the extension when it is not a plain number
//	funding_description     funding    text
//	amount_usd              funding    integer
//	funder_id               funding    HSDS id of the funding organization
//	program_id              funding    HSDS id of the funded program (HSDS funding links only organizations and services)
//
// Eligibility: the eligibility attribute is authoritative and present only
// when the record carries its own; a service without one inherits its
// program's. The attribute's statedRules (absent on records that predate
// it: every rule stated) travels with it. HSDS's eligibility_description,
// minimum_age and maximum_age are written for other HSDS tools from the
// effective eligibility (directory.Effective: the service's own, its
// program's for the rules it leaves open) and say nothing about
// inheritance. HSDS cannot say "no limit", so a service imported from a
// package without Village attributes states only the rules it gives a
// value for: its eligibility always has statedRules, empty when the row
// gives no ages, so matching asks (UNSTATED) instead of reading silence as
// eligible, and its program's stated rules still apply.
// HSDS ages carry no unit; by convention they are years, written as
// months/12 rounded to two decimals, except that a maximum in the last month
// of a year of age (N×12+11 months) is the whole N (HSDS's "up to age N", as
// the import reads it); the exact months are in the attribute. On import,
// a package that carries Village attributes is a Village export throughout:
// a service there with no eligibility attribute inherits, whatever ages
// stand beside it; an age over 150 years is dropped with a warning.
//
// Dates (valid_from, valid_to, assured_date) keep the day written, even
// when written as a date-time with an offset; a time of day with an offset
// is read as the schedule's local time, with a warning.
//
// Not exported: library resources (HSDS has no such object, so funding of
// a resource is left out too), records' created_at and version, and the
// sample flag and provenance of taxonomy terms (HSDS taxonomy terms carry no
// attributes).
//
// Service areas also carry extent and extent_type for other HSDS tools (see
// [ExtentTypeZIP]); the coverage attribute is authoritative where present.
// A ZIP code, county, state, the whole US, online or a circle is said all
// by its extent, so it carries none and a Village export's area without
// one is read from its extent. Village's attribute rows are written only
// where HSDS's own columns cannot say what they carry: an empty or default
// value is no attribute, and a service area's provenance and sample flag
// are left out when they are its service's.
//
// Service needs (taxonomy terms) are HSDS attributes too, as the spec links
// services to terms: one attribute per term, with no value.
//
// # What Village does not model
//
// Each record type an HSDS record becomes has an hsds_extra field (not in
// GraphQL) holding, verbatim as text, what its package carried that
// Village has no field for: the record's own HSDS 3.0 columns (a service's
// fees, accreditations, licenses and alert; a location's transportation and
// external identifier; an organization's tax_id and logo; a term's language
// and term_uri; a schedule's dtstart, until, count, byweekno, notes and its
// timezone, a UTC offset where Village wants an IANA zone); whole rows of
// the tables Village does not model, under the record they link to
// (accessibility under its location, cost_options and required_documents
// under their service, organization_identifiers under their organization,
// the languages of a location or phone, a location's further addresses,
// funding without a source, a term's taxonomy, and attributes and metadata
// under the record or kept row they name); and what the rows Village folds
// into a record carried beyond its fields (the address's id, attention and
// type, the service languages' ids, names and notes, a need attribute's id
// and value, filed under its term's vocabulary and code, Village's identity
// of the term: the id an export writes for a term whose source id is no
// UUID is not that id, and a row filed under either would be lost on
// export or rewritten when that export is imported back). The export puts
// it all back where it came from, in both
// forms: kept columns fill what Village leaves empty (never what it writes
// from its own fields, which say what the record is now), folded rows'
// ids and types replace Village's derived ones, rows go in their table.
// Kept text is typed by the spec's data package (numbers as numbers in
// JSON); text that breaks its column's format there (a uri, an email) is
// dropped at import with a warning, and left out of the documents if an
// earlier import kept it, so every document validates. A re-import of the same package stores the same JSON (maps sorted,
// rows sorted by id), so it changes nothing.
//
// A confidential location's extras are left out for every viewer who may
// not read its address: a second address, directions, accessibility
// details or metadata holding an old address would say where it is.
//
// # HSDS 1.x and 2.0
//
// A package of HSDS 1.0, 1.1 or 2.0 (1.1's physical_addresses.csv and
// services_at_location.csv, a taxonomy.csv of terms, or any table or
// column 3.0 does not have) is read as the 3.0 rows that say the same, then
// mapped as any 3.0 package; the report names the profile "HSDS 1.1
// (legacy mapping)" and notes each conversion it made. import_legacy.go
// lists them; in short:
//
//	regular_schedules, holiday_schedules → schedules (weekday 1 Monday … 7
//	    Sunday, 0 Sunday too, or a day's name; a holiday closure with its
//	    dates, Schedule.closed true and described "Closed"; holiday hours
//	    closed false)
//	taxonomy.csv (terms), services_taxonomy, services.taxonomy_ids,
//	    service_attributes, other_attributes → terms with their parents and
//	    the services' needs (the term's 1.x id is its code)
//	eligibility → the service's eligibility text, and the ages and
//	    pregnancy a text states (never an age it does not state)
//	fees, payments_accepted → fees_description ("Payment accepted: …")
//	accessibility_for_disabilities → accessibility (kept verbatim)
//	service_area text → ZIP, county ("Miami-Dade County", "Broward,
//	    Monroe counties") or state areas where every part names one, else
//	    one text area
//	phones.language, languages.language, interpretation_services →
//	    languages (coded as below)
//	phones.department → the phone's description ("Department: Intake")
//	addresses.address_3/4 → address_2; an organization's postal address
//	    → a postal location of the organization; services.location_id →
//	    a service_at_location
//
// A converted row keeps its source row's id where the 3.0 table does not
// already have it, else a UUIDv5 derived from it, the same at every
// import, so re-importing a 1.x package changes nothing; and its export,
// imported back, changes nothing either (TestImportLegacyAllTables).
//
// # Languages
//
// Village stores a language as its ISO 639 code. A package that names a
// language instead (HSDS 1.x's languages.language, phones.language, a 3.0
// row with a name and no code) has it coded by [LanguageCode]: in any case
// and with or without accents, first the short alias table of languages.go
// (the names US directories write that CLDR does not give, or gives to
// another code: Creole, Haitian Creole, Kreyol → ht; Farsi → fa; Mandarin,
// Cantonese → zh; Tagalog → tl; ASL → ase; Hmong → hmn; …), then the
// English name or the language's own name as golang.org/x/text's CLDR data
// gives it (a two-letter code wins over a three-letter one), then an ISO
// 639 code as written; "Portuguese (Brazil)" reads as its part before the
// parenthesis. A phones.language cell naming several ("English, Spanish",
// "English and Spanish") is one language each. A name that reads as no language is kept
// as text with its record (exported back) and warned about: it is never
// dropped, and never among the record's languages.
// # Row faults
//
// A package is refused only when Village cannot tell what its rows mean
// (unreadable text or header, a required table or column missing, records
// others link to sharing an id but differing). Any other fault of a row
// is repaired, or the row dropped, with a warning saying which (the
// Faults comment in import.go lists every repair); --strict
// (ImportOptions.Strict) refuses on any warning instead. A row without
// an id, or sharing one, gets one derived from its table and content, so
// a re-import of the same package, its rows in any order, changes
// nothing. A service naming an organization the package lacks is kept
// under a stand-in organization with that organization's id, one per id,
// which a later import bringing the organization adopts; locations,
// programs, contacts and phones naming that id join it (an organization
// no service names is not invented for them: they lose the link). The report accounts for
// every source row: read = imported + repaired + dropped.
//
// # Import input
//
// A package is its directory (or the one JSON document named, or the
// directory of the datapackage.json named), and the import reads nothing
// else: every file is opened through an os.Root on that directory, which
// refuses a symbolic link or ".." leading out of it; a link met in a
// directory the import lists refuses the package even if it names no
// table, since telling a link to a directory from a link to a file would
// mean following it out. Only regular files are read: the mode is checked
// before opening, so a FIFO or a device is never opened, and the open is
// non-blocking and checked again, in case one was swapped in meanwhile. A
// file is read whole (the CSV and JSON readers want it in memory), so each
// is bounded by ImportOptions.MaxFileBytes, checked on its size and again
// on the bytes read. A data package's CSV resources are the tables read,
// in whatever sub-folder they are (a CSV at the top that no resource names
// is read too, unless a resource gives its table); a resource naming a file
// outside the package, or one the import would refuse, refuses the package
// rather than leave those rows silently out, and a resource that is not
// there is reported. A .json file may hold several JSON values (NDJSON,
// or values one after another): each is read, and a fault in any refuses
// the package naming the value's number.
//
// A .zip package is extracted into a new temporary folder (removed when the
// import ends) through an os.Root on it, and that folder, or the archive's
// one top folder when that is all it holds, is the package. An entry whose
// name leads out (an absolute path, "..", a backslash), a symbolic link or
// any entry but a file or a folder, a name given twice, more entries than
// ImportOptions.MaxArchiveEntries, a file over MaxFileBytes or all files
// over MaxArchiveBytes, counted on the bytes extracted rather than on the
// sizes the archive claims, refuses the package (import_zip.go).
//
// Input that is no HSDS package is refused (an ImportError: the command
// exits 1) saying what it looks like: a CSV folder without an organizations
// or services table (listing its files), a folder without tables or
// documents, a lone CSV or other file, JSON holding no HSDS record, and
// the Ohana API's layouts: its CSV (services hanging off locations) and
// its JSON (a location nesting its organization and services, or its
// import format's services_attributes and the like). Every such refusal
// comes before the package is mapped, so before the write's transaction
// begins.
//
// # Round trip of the official examples
//
// The official 3.0 examples (CSV, service_full.json, and every JSON example
// together) import and export back in the same form with every table, row
// and column equal except these normalisations (TestOfficialExamplesRoundTrip
// holds the same list and fails on any other difference):
//
//   - impossible coordinates (latitude 100, longitude 101) are dropped, with
//     a warning;
//   - a link to a record absent from the package is dropped, with a warning
//     (the organization's parent, the location's and the contact's
//     organization, the contact's service_at_location, the term's parent);
//   - the quotes around a phone number are removed, with a warning;
//   - times of day are Village's HH:MM in JSON (10:00:00 is written 10:00;
//     the CSV form writes HH:MM:SS, the table schema's time format);
//   - last_modified is the time Village last changed the service or what its
//     document shows (see modified.go);
//   - text is trimmed of leading and trailing spaces;
//   - rows that link to no record of the package (an attribute's link_id,
//     a metadata entry's resource_id), a taxonomy no term of the package
//     belongs to, and the package-level meta_table_descriptions are not
//     imported; the report lists them;
//   - the Village attribute vocabulary is added (its taxonomy, its terms, the
//     attributes carrying Village's own fields);
//   - Village's change history is added as metadata (see below);
//   - a vocabulary named only by its terms' taxonomy column gets a taxonomy
//     row, and a term's taxonomy_id that names no taxonomy of the package
//     (the import warns) becomes that row's id: a term's taxonomy_id
//     always names a taxonomy the export and the API serve.
//
// # Change history
//
// The export writes Village's change feed as HSDS metadata (a change-audit
// table, never used to carry fields): one entry per event of an HSDS
// record, with resource_id and resource_type, last_action_date and
// last_action_type (create, update, delete), updated_by (the actor), and
// field_name "village.version" with the record's version before and after
// (the feed records no field values; HSDS requires both, so "0" stands for
// no record: before a create, after a delete). Only a trusted caller or staff get
// it. The importer does not keep these entries: they describe the exporting
// directory, and the importing one logs the import in its own feed; it
// reads them only to recognise an export of its own directory (see
// Identifiers).
//
// # Import memory
//
// An import reads the whole package, maps it, then writes it in one
// transaction (import.go), so it holds a record of every row and, until
// each is written, the mapped records. The rows' values are not on the
// heap: each row's values (compactValues: a byte saying how wide its
// numbers are, the number of values and where each ends, 2 bytes apiece
// or 4 in a row of 64 KiB or more, then the values) are appended to a
// temporary file, unlinked as soon as it is made, and read back by offset
// (ReadAt) when the mapper asks for a value (importSpill,
// import_spill.go): what the kernel caches of the file is page cache, not
// the process's resident memory, as a mapping of the file would be. A
// value read is a copy, so a mapped record holds the values it keeps, not
// its row. The mapper reads a row's values one after another and walks a
// table in order: a row read right after the one before it, or a little
// past the window last read (a JSON package's tables are spilled a
// document at a time, each table's rows between the others'), reads ahead
// a 256 KiB window of the file; a row read out of order is read alone
// into one of 4 slots, the oldest replaced, so a mapper reading two or
// three rows in turn (a row and its copy, a record and the row it links
// to) reads each once. So a pass over a table costs a read per window;
// without the window, a read per row, the CSV import cost half as much
// CPU again, and with one slot and no reading past gaps the JSON import
// spent 5.7 of its 55 CPU-seconds in pread (0.8 of 47 with them). A row in memory is 64 bytes
// (TestImportRowSize): its file, line, flags, its layout (the column
// positions its file, or the JSON objects with its fields, share, and the
// spill) and its place in the spill, offset and length in one word; a
// JSON object's path is spilled after its values.
//
// A mapped record's fields and links go to the same spill as soon as the
// record is complete (importMapper.finish: its Village attributes
// restored), packed end to end (import_pack.go: each value tagged with
// its Go type, ent's enum types by number; a value of another type, an
// eligibility or a list of delivery modes, stays on the heap in the
// spill's others), and are read back, in the order they were packed,
// through a window of their own, when the record is written; so are its
// change-history ids once attached (setHistory), read back only for the
// records that may be this directory's own (ownOf). A record is then 112
// bytes (TestImportRecSize): its kind, id, row, identity, the columns it
// keeps verbatim or not as bits of a word each, and pointers to what only
// some records carry (its unpacked fields, rows folded into it, a
// service's needs); TestImportPackRoundTrip pins that every value comes
// back as it was given, of its own type.
//
// For the synthetic national package in CSV (777,560 rows, 116 MB of
// files) the live heap after a collection at each stage (a build with
// -tags importprof and VILLAGE_IMPORT_HEAPDIR set prints it and writes
// heap profiles; VILLAGE_IMPORT_CPUPROFILE writes a CPU profile;
// import_stage_prof.go; run with GOMEMLIMIT=off to see the heap without
// the limit below) is 75 MB once read (the rows 50 MB), 105 MB once ids
// are indexed, about 147 MB at the peak, once the services and their areas
// are mapped (the rows, the Village attributes' index of the tables not
// yet mapped, the id indexes, the records), 131 MB once every record is
// mapped, 138 MB with the change history attached, 131 MB once the rows
// kept verbatim are attached, 81 MB once the mapper is gone, and 109 MB
// while writing (the change feed's events for the transaction, the
// records' ids, a re-import's snapshots of the stored records); the JSON
// package is within a few MB of it at each stage, 64 MB once read and
// about 160 MB at its peak (95 and 198 MB before its copies were counted,
// below). Before
// this design the peak held 320 MB live (333 MB for JSON) while
// restoring Village's attributes, 234 MB of it once every record was
// mapped, and the process peaked at 520 MB (CSV) and 640 MB (JSON). What
// keeps it down:
//
//   - mapped records are packed into the spill as they are completed
//     (above), each kind's records as soon as they are mapped, so the
//     package's records never hold their fields on the heap all at once
//     (they held 90 MB of fields and values: a 32-byte field, a boxed
//     value and a string per value);
//   - the Village attributes are indexed per table of the records they
//     name, compactly (villageAttributes: 16 bytes an attribute, a UUID
//     key per record, values in chunks, a short value given again kept
//     once), and a table's index goes once its records are mapped (a
//     service's after its areas, which inherit its provenance and sample
//     flag): the index of the whole package took 46 MB as a map of
//     strings to lists, held until every record was mapped;
//   - the Village attribute rows, once indexed, go (forgetConsumed): the
//     accounting counts them as imported from their file through one row
//     standing for them all, listed once with their number (compactAll:
//     importTableRow.more), as a JSON package's merged copies are; and
//     the ids of attributes and metadata rows, indexed only to find
//     duplicates, are keyed by UUID (16 bytes, not a string) and go once
//     their table is checked;
//   - a CSV file is read as a stream (the national package's
//     attributes.csv is 67 MB), not whole;
//   - whether a row is stored or kept verbatim is a flag of the row
//     (importRow.consumed), not a map entry per row, and the accounting
//     lists each row read with its table's number (16 bytes a row) and
//     counts a row read as it is without a map entry (a map of source
//     lines is kept only for HSDS 1.x/2.0 packages, whose converted rows
//     share their source row's line);
//   - a JSON package repeats each nested record (an organization, its
//     attributes and their terms) in every document that nests it: a
//     nested object whose record's first row was read from an object
//     nested in another document, with the same values, its own links
//     included, and given no value of its own later in its document (a
//     record nested twice there is merged into one row, which may gain a
//     link), is counted with that row once its document is read, and its
//     row goes (importPackage.nestedCopy, dropCopies: 500,000 of the
//     national package's 1.28 million JSON rows, 40 MB of rows and
//     accounting that lived until indexIDs merged them, and left pages
//     half empty once they went).
//     The first row of each record is remembered while the package is
//     read by hashes of its table and id and of its values (maphash,
//     seeded per import, 128 bits for the values, each string after its
//     length), dropped once read. A
//     copy of a record whose first row is a top-level object, or that
//     differs in any value, is a row as before, and indexIDs merges it
//     (or warns) and lets it go (forgetCopy); a copy counted leaves the
//     report as it was (TestImportNestedCopiesChangeNothing);
//   - a service area (a package's most numerous record) and a service
//     (its largest fields) are packed as soon as mapped, not once all of
//     their kind are (importMapper.finish);
//   - the change-history entries are attached (attachHistory) from a list
//     of (record, entry row) sorted by record, not a map of each record's
//     id strings (30 MB at the national package's peak); and the change
//     feed writes a transaction's events slot by slot, not gathered into
//     one list first (a copy of 300,000 events at the commit);
//   - a link to a record holds that record's id string, not a copy of its
//     own (importMapper.kept); a value read for several records (a
//     service's provenance, which its areas inherit) is one string;
//   - a JSON file is checked value by value into one reused buffer, or,
//     holding one value (the usual file), by json.Valid without a copy,
//     and a top-level array (a Village export's metadata.json, hundreds of
//     thousands of entries) is read an element at a time, never held as
//     one tree; the objects' values go to the spill after each thousand
//     (compactRows);
//   - once a record is written (or handed to its batch), what it writes
//     goes: its fields read back, links, needs and kept extras
//     (importWriteOnce with release); its kind, id, row, identity and
//     packed history stay. Should Village refuse a batch, the package is
//     read and mapped again, the same records, to write them one at a
//     time and name the one at fault (importWriteAll's remap): only a
//     refused import pays for it;
//   - the stored records a re-import compares with are held as their
//     encoded JSON, read into fields only when compared (importSnap), each
//     let go once compared, and the records read to make them go as each
//     is encoded;
//   - Report.Warnings keeps the first ImportWarningsKept (100) warnings
//     of each kind and counts the rest (WarningCount, WarningGroups): a
//     million-row dirty package gives a message per row
//     (TestImportWarningsBounded);
//   - `village import`, unless GOMEMLIMIT is set, keeps a soft memory
//     limit of ImportMemoryFloor (200 MiB), or an eighth above the live
//     heap once that is more (LimitImportMemory, measured ten times a
//     second), from the start of the import to its end
//     (ImportOptions.LimitMemory), under which the collector keeps Go's
//     default pace; with GOMEMLIMIT set (GOMEMLIMIT=off: no limit) the
//     heap is collected when it has grown by half, not doubled
//     (ImportGCPercent). With GOGC=50 alone the CSV import peaked at about
//     385 MB resident (the heap growing half again over the 147 MB live),
//     with the limit at 265–290 MB. The limit costs CPU where the heap
//     nears it: on the CSV package 20–45% more user time than
//     GOMEMLIMIT=off. The JSON package was left out of it until its
//     copies were counted (above): its heap's pages then held some 270 MB
//     resident while 120–170 MB was live, so the limit cost 75% more CPU
//     for 320 MB; without the copies' rows its peak is about 160 MB live,
//     and the limit holds it under 300 MB once it allows for what the
//     runtime holds beyond the heap's objects (importMemoryLimit: some 55
//     MB of unused span room and metadata at that peak; a limit under it
//     took twice the CPU). Measured with an A/B of both
//     binaries on the packages of tools/bench/hsds-scale.sh (see the
//     README's figures).
//
// What is left: a larger package needs more than 300 MB, as it holds a
// row (64 bytes) and an accounting entry (16) per source row and the
// records until written. A two-pass design would hold far less: the
// first streaming each table and keeping only id → spill-offset indexes,
// per-table counts, a compact id → hash-of-row map (duplicate ids far
// apart still refused or merged) and the small tables; the second mapping
// and writing a batch of services at a time with their child rows read
// back by parent id (from the spill, or a temporary file sorted by parent
// as the CSV export does), attributes grouped by link_id; for JSON, a
// batch of service documents at a time after a first pass collecting the
// ids links are checked against. The accounting (read = imported +
// repaired + dropped) and the per-row warning kinds would then be kept per
// batch, not per row of the package. What stands in the way is that the
// mapper works table by table over the whole package (indexIDs,
// attachHistory, attachExtras, account and the stand-ins each look at
// every row of several tables), so it has to be reorganised around the
// service rather than the table.
//
// Export streams (export_stream.go): its peak on the same directory is
// 292 MB for CSV and 149 MB for JSON (`/usr/bin/time` of `village
// export`; see the README).
package hsds
