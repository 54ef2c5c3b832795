// Package calls is Help Me Grow's data collection: the anonymous log of the
// calls a call center takes (ent type CallRecord), what it says about where
// families find nothing (the gap report's calls side), and its retention.
//
// # What a call record holds, and why so little
//
// A call center hears a family's ZIP, a child's birth date, a pregnancy,
// needs, and more; Log keeps bands of them and discards the rest, on the
// server, so no client can keep more by mistake:
//
//   - the county: the first county of the caller's ZIP (HUD's first, as
//     package geo orders them), the county itself, a city's county holding
//     most of its ZIPs, or the nearest ZIP's for coordinates; null for a
//     caller placed by state only. The ZIP and coordinates are discarded:
//     many ZIPs hold a few thousand households, some a single building;
//   - the state;
//   - the needs asked (codes of the needs vocabulary);
//   - the child's age band (PRENATAL, 0–11, 12–35, 36–59, 60+ months),
//     counted on the day of the call from the age or birth date given; the
//     birth date is discarded. A family expecting with no child's age given
//     is PRENATAL; with a child, the child's band; null when neither is said;
//   - whether this is a first child (null when not said);
//   - the services referred to, by ID: a list of IDs, not an edge, so
//     deleting a service never touches the call log (the write layer's
//     cascades and the guard know nothing of call records) and a call keeps
//     the referral it made; CallRecord.referredServices shows the ones that
//     still exist;
//   - whether an eligible service was found: worked out by the server,
//     which runs the matcher on the family as given (one statement: the
//     feed position; the index is in memory), never taken from the client.
//     It counts eligible non-sample services (CONFIRM and UNSTATED
//     reasons do not exclude, as in match), meeting one of the needs asked
//     (any service, when none was asked);
//   - the day, at UTC midnight: no time of day, so a record cannot be lined
//     up with a phone system's log of who called when.
//
// No name, contact, birth date, ZIP, coordinates or free text: a test walks
// the ent schema and holds every field to that.
//
// # Who
//
// Staff and admin keys log calls (the write guard: editors, readers and
// anonymous callers get FORBIDDEN, before the family is even resolved);
// admins read them (auth's read rules hide every call record from anyone
// else by every path: callRecords, node, nodes, and their change events in
// the feed). Call records are never part of an HSDS export: hsds reads
// only directory types.
//
// # Retention
//
// Sweep deletes the records older than the retention (village serve
// --call-retention, DefaultRetentionMonths when not set): a record of day
// D is kept while D is on or after the day the retention reaches back to.
// The server sweeps on start and then every SweepInterval. Deletes go
// through ent, in transactions of at most sweepBatch records, so the feed
// logs a tombstone for each (shown to admins only).
//
// # Gaps: the calls side
//
// ByCounty counts, per county and need, the calls and the calls with no
// eligible service found, over the records in a range of days (admins
// only). A call about several needs counts once for each; a call with no
// county (placed by state) or no need is in no row. The rows are read in
// bounded statements (keyset pages of the primary key) and summed in
// memory: the report holds one counter per county and need, never the
// records.
package calls
