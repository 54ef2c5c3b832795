// Package seed loads Village's starting data: the true facts of the seed
// documents (the evidence-based models, the organizations behind them, their
// publications and funders, a few services any family can use, and the
// family-needs taxonomy), and, separately, illustrative sample services in
// Boston's Roxbury, Mattapan and Dorchester for demonstrations and tests.
//
// Every fact comes from one of the seed documents kept with the project
// (seeds/*.txt) and every record says which in its provenance. Where a
// document gives no fact (an age range, a URL, a phone number, a rating), the
// field is left empty rather than guessed. Sample records are always marked
// sample, are named "… (sample)", run only by sample organizations, and carry
// no real street address or phone number.
//
// Load and LoadSamples each run in one transaction and are idempotent. Every
// record carries externalSource "village-seed" and a stable externalId
// (program:nurse-family-partnership); a run looks each record up by that
// pair, creates it if missing, updates in place only the fields that differ,
// and leaves an equal record untouched, so a second run changes nothing — no
// version bump, no new updatedAt. The data is declared once,
// as slices of small structs (facts.go, samples.go); the loading code
// (load.go, kinds.go, on the shared table of internal/records) is generic
// over record types.
//
// The fields a seed record declares are the seed's: a run restores them if
// someone edited them. Fields the seed does not manage (verification,
// capacity, and so on) are never touched. Records dropped from the data are
// not deleted. What a run cannot write as declared because of the schema
// (today: Resource.programs, which is generated one-to-many) is skipped and
// listed in the Report's notes.
package seed
