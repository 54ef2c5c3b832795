// Package write is how Village changes its directory: create, partial update
// and delete of every record type, idempotent upserts by external identifier
// for integrators, the resource library's submit-and-review flow, and the
// rules that make writes safe to sync from:
//
//   - Authorization is not decided here. Every write goes through ent, where
//     the write guard of package auth (installed on every client) allows or
//     refuses it, and the change feed hook logs it in the same transaction.
//     This package only makes sure nothing escapes them: a change to a
//     related record (re-pointing a phone to a service, removing a deleted
//     program from the services that implement it) is made as a write of
//     that record, never as a side effect of another one, so it is
//     authorized and logged like any other.
//   - Optimistic concurrency: update and delete take an optional expected
//     version and apply it in the statement itself (UPDATE … WHERE id = ?
//     AND version = ?), so of two writers holding the same version exactly
//     one wins; the other gets a *ConflictError with the current version.
//   - Every call is one transaction. Called inside a transaction already in
//     ctx (the GraphQL handler runs each mutation operation in one), it
//     joins that transaction and the caller must roll it back on error.
//   - Deletes never leave silent changes behind: records a deleted record
//     owns (a service's phones, areas, schedules …) make the delete a
//     conflict unless cascade is asked for, and are then deleted one type
//     at a time, each logged as a tombstone; records that merely point at
//     it are detached with a logged update.
package write
