// Package store opens Village's database, either an embedded SQLite file (the
// default, pure Go) or PostgreSQL (lib/pq) from a postgres:// URL, and
// migrates its schema. It is the one place that knows about drivers, pool
// sizes and connection settings.
//
// It is also the one place that decides when a failed query means the
// database is unavailable (Unavailable), which the API answers as a
// temporary condition (503 UNAVAILABLE with Retry-After) instead of an
// internal error. What counts is a PostgreSQL server that cannot be reached
// or is refusing connections: a dial, read or write failing on the network
// (net.OpError, connection refused or reset, a broken pipe, a host that does
// not resolve); a connection lib/pq has given up on (driver.ErrBadConn,
// which is how it reports an EOF on a dead connection and any FATAL server
// error); and the SQLSTATEs of a server shutting down or starting up (57P01,
// 57P02, 57P03), full (53300) or failing the connection (class 08). A bare
// io.EOF is not counted: lib/pq never returns one for a query, and the
// decoders of client input (a truncated page cursor) do. database/sql
// replaces dead connections by itself, so the API recovers on its own when
// the server is back.
//
// SQLite has no such state: the database is a file in the process, which
// cannot go away and come back while it runs. "database is locked"
// (SQLITE_BUSY, once the 10-second busy timeout has been waited out) is
// write contention, not an outage, and an I/O error or a missing file needs
// an operator, not a retry: both stay INTERNAL.
//
// # Null is null
//
// A value nobody recorded is NULL in the database and null in the API, never
// "" (issue 18). ent's optional string fields are not Nillable: their Go
// fields are strings, ent reads NULL as "", and a write of "" stored "".
// Making them Nillable would turn some eighty Go fields into *string and
// every reader and writer of them (HSDS mapping, import, matching, seed,
// resolvers) with them, for no difference a client could see. Instead,
// the least invasive correct approach, three pieces derived from the schema
// rather than from a list of fields:
//
//   - writes: emptyStringsAreNull, a hook every client Open makes runs
//     first, clears an optional string field written as "" (ClearField
//     accepts exactly the Optional fields), so it is stored as NULL whichever
//     path wrote it (GraphQL create, update or upsert, HSDS import, seed);
//   - stored rows: Migrate (nullEmptyStrings) sets every "" in a nullable
//     string column of ent's schema to NULL, by SQL, so without change
//     events: both meant "not recorded";
//   - reads: graph/gqlgen.go (emptyStringsNull) makes the executor answer
//     null for "" in every nullable String and optional ent enum, which is
//     how ent hands a NULL to Go. The HSDS API leaves such values out
//     (omitempty), but for the strings HSDS itself requires.
//
// In Go, "" keeps meaning "not recorded" for these fields, as it did.
package store
