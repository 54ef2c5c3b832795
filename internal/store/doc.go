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
//
// # Prepared statements
//
// lib/pq runs a statement with arguments as an unnamed prepared statement:
// one round trip to parse and describe it, one to bind and execute it, and
// the server parses and plans it every time. A request of Village's runs
// the same few texts over and over (ent writes them from the query's
// shape), so each PostgreSQL connection keeps the texts it runs a second
// time prepared (statements.go: a wrapper of lib/pq's connector, at most
// 64 a connection, least recently used let go): one round trip each, and
// no parse or plan. Reads without arguments are kept too (ent writes a
// page's LIMIT into the text, so a page of organizations has none): lib/pq
// sends them in one round trip already, but the server plans them every
// time, half its work on such a read. Writes without arguments (the
// migrations') are not. It is done below database/sql, so transactions, the replica
// router and ent see the same connections. A schema change that alters
// what a kept statement returns makes the server refuse it once; it is then
// let go and run unprepared. A pooler in transaction mode cannot carry
// prepared statements between transactions, hence Options.Unprepared
// (`village serve --keep-prepared=false`, VILLAGE_KEEP_PREPARED=false for
// every command). Statements in a transaction run unprepared: a kept one
// the server refuses there would abort the transaction.
//
// # Read replicas
//
// With Options.ReadReplicas (`village serve --read-replica`), the ent
// driver under Client is a router (replica.go) over the primary's driver
// and one per streaming replica. Routing is a dialect.Driver rather than a
// second client because every statement, whatever package builds it (ent's
// queries, raw SQL such as feed.Position, hooks and read rules), reaches
// the driver with its context, and the context is where a request's
// routing lives (package route):
//
//   - Exec, Tx and BeginTx go to the primary, always; a Query that is not
//     a SELECT (ent's INSERT … RETURNING) too.
//   - A SELECT goes to the replica its request was bound to (DB.Bind, called
//     by the server's middleware once per request, so that one request
//     reads one copy and the ETag's feed position names what it read), or
//     to the primary when there is no binding (the CLI, imports, background
//     work: the safe default), when the context is marked route.Primary, or
//     when the bound replica has left rotation.
//   - route.Primary marks what must see every committed write: a GraphQL
//     mutation, whole (its reads, and the records it answers with); the
//     change feed; API keys' look-ups; and the freshness checks and
//     rebuilds of the shared in-memory indexes (the match index, the HSDS id
//     tables), which serve every request and must never go back to an older
//     state. feed.Position's per-request cache (WithPosition) remembers
//     whether it was read on a replica, so such a check never takes a
//     replica's position for the primary's.
//
// Read your writes. A request that commits a write (a transaction's
// Commit, an Exec) is marked in its binding; its answer carries the
// primary's pg_current_wal_lsn() read after the commit (DB.ReadAfter) as
// the token: every record of the committed transaction ends at or before
// it. A request that sends a token back is bound to a replica whose replay
// position, as last checked, is at or past it, else to the primary. The
// checked position is at most one check interval old, so a token fresher
// than that is served by the primary: correct, and cheaper than asking a
// replica on every such request.
//
// Health. Every second (DefaultReplicaCheckInterval) the primary's WAL
// position is sampled and each replica's pg_last_wal_replay_lsn() read. A
// replica's lag is the age of the oldest sample it has not replayed: the
// time since the primary made the oldest write the replica is missing. It
// is not now() - pg_last_xact_replay_timestamp(), which grows without end
// on an idle primary and would take a caught-up replica out of rotation.
// A replica leaves rotation past ReplicaMaxLag, when it cannot be reached,
// or when it is no longer a standby (promoted, its writes would diverge),
// and comes back at the first check that finds it well; /readyz looks at
// the primary only, so losing replicas never makes a server unready.
//
// No failed read. A read a replica fails, whatever the error, is retried on
// the primary unless the request is over: a SELECT is safe to run twice,
// and what fails on the primary too fails the same way there. A failure of
// the connection also takes the replica out of rotation at once, without
// waiting for the next check, and the rest of the request reads the
// primary. ent reads rows through an interface (entsql.ColumnScanner), so
// a replica that dies after answering the query but before the first row
// is read (lib/pq reads rows as they are asked for) is retried too
// (failoverRows). A failure after rows were handed over cannot be undone
// without reading every result into memory first; PostgreSQL sends a small
// result in one go, so that window is the time a large result takes to
// stream. Raw statements (client.QueryContext, *sql.Rows) are retried when
// the query itself fails.
package store
