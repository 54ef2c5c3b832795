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
//	coverage                service_area  [Coverage] as JSON {"kind","code","centerLatitude","centerLongitude","radiusKm"}, only where extent and extent_type do not hold it all (a text area)
//	confidential            location   "true" when the address is withheld from the public
//	timezone                schedule   IANA time zone (HSDS's timezone is a number)
//	staff_only              phone      "true" for staff-only numbers (only staff ever see them)
//	extension               phone      the extension when it is not a plain number
//	funding_description     funding    text
//	amount_usd              funding    integer
//	funder_id               funding    HSDS id of the funding organization
//	program_id              funding    HSDS id of the funded program (HSDS funding links only organizations and services)
//
// Eligibility: the eligibility attribute is authoritative and present only
// when the record carries its own; a service without one inherits its
// program's. HSDS's eligibility_description, minimum_age and maximum_age are
// written for other HSDS tools from the effective eligibility (the
// service's own, else its program's) and say nothing about inheritance.
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
// and value). The export puts it all back where it came from, in both
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
// # Import input
//
// A package is its directory (or the one JSON document named), and the
// import reads nothing else: every file is opened through an os.Root on
// that directory, which refuses a symbolic link or ".." leading out of it;
// a link met in a directory the import lists refuses the package even if
// it names no table, since telling a link to a directory from a link to a
// file would mean following it out. Only regular files are read: the mode
// is checked before opening, so a FIFO or a device is never opened, and
// the open is non-blocking and checked again, in case one was swapped in
// meanwhile. A file is read whole (the CSV and JSON readers want it in
// memory), so each is bounded by ImportOptions.MaxFileBytes, checked on
// its size and again on the bytes read. The data package's resources are
// not what the import reads (it reads the tables in the directory), but a
// resource naming a file outside the package, or one the import would
// refuse, refuses the package rather than leave those rows silently out.
// Every such refusal comes before the package is mapped, so before the
// write's transaction begins. Archives are not read at all, so there is
// no expansion to bound.
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
package hsds
