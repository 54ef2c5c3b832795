// Package feed writes the change feed integrators sync from: every committed
// change to a directory record appends a ChangeEvent (sequence, type, ID,
// operation, actor, time, version) in the same transaction, and a rolled-back
// change leaves none. A DELETE event (a tombstone) carries the deleted
// record's last version.
//
// Visibility. Each event also records whether its record was restricted (a
// staff-only phone, a resource not PUBLISHED, a funding of one) both before
// and after the change: after it for a CREATE, before it for a DELETE. The
// feed's read rule (auth.VisibleChangeEvents) hides restricted events from
// keys that may not read such records and shows them the rest, so they
// get the change that hides a record and the tombstone of one they could
// read, and nothing of a record that was hidden throughout. The states are
// read in the statements the feed runs anyway where it can: an update or
// delete of those types reads its rows' state before the write (locked on
// PostgreSQL, with a delete's versions); a create or single update takes
// the state after from the saved record (one statement for a funding, whose
// resource is another row); a bulk update reads it with the versions after.
// Events written before the field existed count as unrestricted.
//
// Call records (Help Me Grow's anonymous call log) are not directory
// records but are tracked like them: their CREATE events and the
// retention sweep's DELETE tombstones are in the feed, always restricted,
// and auth.VisibleChangeEvents shows them to admins only (the records
// themselves are read by admins only). They carry no version.
//
// Ordering. A consumer polls changes(after: lastSeen) and must never skip an
// event, even when writers commit concurrently. Sequence numbers from a
// PostgreSQL sequence are handed out at insert time, so event 11 could commit
// before event 10 and a consumer that read 11 would never see 10. The feed
// therefore writes a transaction's events at commit time under a
// transaction-scoped advisory lock (pg_advisory_xact_lock), held until the
// commit: sequence order is commit order, and every number below a visible
// one is either visible or gone for good (a rolled-back insert). SQLite has
// one writer at a time, so its order is commit order already.
//
// Writes made outside a transaction (internal code and tests) get their
// events in a short transaction of their own right after the write; every
// production path (GraphQL mutations, the CLI, imports) writes in a
// transaction, so its events commit with its changes.
package feed
