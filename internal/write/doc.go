// Package write is how Village changes its directory: create, partial update
// and delete of every record type, idempotent upserts by external identifier
// for integrators, the resource library's submit-and-review flow (open to
// submitters without a key), and the
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
//
// The resource library takes submissions from anyone (SubmitResource): the
// NOW Innovation Forum invites its visitors to submit tools, key or not.
// The rules that keep that safe are all in SubmitResource, the one path a
// viewer who may not write the directory can create a resource by (the
// write guard lets such a create through only when SubmitResource marks
// it, so createResource cannot walk around them):
//
//   - Held for review: a submission is SUBMITTED, which the read rules hide
//     from all but admins; only an admin's ReviewResource (or an admin's
//     own update) makes it PUBLISHED.
//   - Plain text, refused rather than cleaned: a text holding markup, control
//     characters or bidirectional overrides is a FieldError naming it.
//     Stripping would publish something the submitter did not write, and a
//     refusal tells them what to fix; the reviewer then reads exactly what
//     will be shown.
//   - A token instead of an account: the submitter gets 256 random bits,
//     shown once; only their SHA-256 is stored (a random secret that long
//     needs no slow hash), and SubmissionStatus answers the token's holder
//     with the review state alone. An unknown token is ErrNoSubmission,
//     whatever its shape, so nothing can be learnt by probing.
//   - Without a key, SubmissionsPerHour per address and
//     MaxPendingSubmissions waiting in all. The hourly count lives in this
//     Writer's memory (one per server process), keyed by an HMAC of the
//     address under a per-process random key, so no address is stored or
//     even held in clear; an IPv6 address counts as its /64. The pending
//     cap is a count in the transaction that inserts: on PostgreSQL under
//     a transaction-scoped advisory lock taken before the count, so two
//     submitters cannot both take the last place; SQLite's write
//     transactions are serial already. A key's submissions are limited by
//     the server's request rate only: a key is accountable and revocable,
//     and an anonymous flood filling the queue does not stop partners.
package write
