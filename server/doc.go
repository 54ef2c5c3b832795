// Package server is Village's HTTP layer: one constructor builds the whole
// http.Handler from explicit dependencies (the database, configuration, a
// logger), with every route in one place and middleware as plain wrappers.
// GraphQL itself lives in package graph.
//
// # Rate limits and failed keys
//
// Each caller has a token bucket: an API key wherever it calls from, and a
// request without a valid key by its address. The limit runs after
// authentication, so a key is limited as itself. A failed key (wrong,
// revoked, malformed, another scheme) is a request without a valid key: it
// spends a token of its address's bucket, the one the address's anonymous
// requests spend, and once that is empty it is answered 429 RATE_LIMITED
// with Retry-After instead of 401. A key-guessing run from one address is
// therefore limited at the anonymous rate.
//
// The key is looked up before the address's bucket is charged, and a valid
// key never touches that bucket. The other order (refuse every key from an
// address whose bucket is empty, before looking it up) would let a guesser
// lock out every partner behind the same address (an office's NAT, a
// shared proxy). The price is that a request from an exhausted address
// still costs one indexed look-up of a hash, and a guess that happened to
// be right would still be served; with 256 random bits in a key, the
// guessing itself is hopeless, and the limit is there to stop such a run
// being answered at full speed, as if nothing were wrong.
//
// authenticate also hands every request's address down in its context
// (auth.WithClientAddress), for the one rule below HTTP that needs it: the
// library's submissions without a key, limited per address by package
// write. The address is the connection's; no forwarding header is trusted.
//
// # The database going away
//
// A request that fails because the database cannot be reached
// (store.Unavailable: PostgreSQL restarting, down, or refusing connections)
// is answered 503 with Retry-After, never as an internal error: the key
// check and GraphQL with UNAVAILABLE, the HSDS API in its own error shape,
// and /readyz in plain text. Nothing has to be reset when the database is
// back: database/sql replaces dead connections on its own.
//
// # Operating: logs, metrics, traces, compression, caching
//
// Middleware runs, outermost first: otelhttp (the request's span, continuing
// the caller's W3C trace), logRequests (the request's ID, its log line and
// HTTP metrics: see internal/telemetry), recoverPanics, compress, CORS, the
// deadline, the database routing (bindReads: with read replicas, where a
// request's reads go, and the Village-Read-After header; see package
// store), authentication, the rate limit, the body limit; then the route
// (routed names it for the log, the metrics and the span), and for /graphql
// and /hsds/ httpCache.
//
// Compression is klauspost/compress's gzhttp: gzip, and zstd, which it
// serves as well and prefers when a client accepts both. It negotiates
// Accept-Encoding, adds Vary, leaves small answers (under 1 KiB) and
// already-compressed types alone, and compresses a flushed batch at once,
// so a streamed listing stays streamed. Brotli is left out: andybalholm/brotli
// is a compressor only, and no maintained handler around it does that
// negotiation and flushing, so serving it would mean writing and keeping
// one, for a few percent over gzip on JSON.
//
// Caching headers are set by httpCache (see its comment): public for an
// anonymous GET without errors, with a weak ETag from the change feed's
// position and the UTC date, private for a key, none stored otherwise.
//
// # Memory
//
// What a serving process holds is mostly the match and search indexes and
// the geography (see their packages), the response cache and the binary's
// own pages. Once the indexes are built (warmIndexes), the build's garbage
// is collected and its pages returned to the OS (debug.FreeOSMemory), and a
// soft memory limit is set a little above what is then held (memoryLimit:
// plus the response cache's bound, plus a headroom or a quarter, in village
// serve), so the heap does not grow to twice what is live. The limit trades
// throughput for resident size, since the collector runs more often the
// less room it leaves above the live heap, and the requests in flight are
// part of that live heap. village serve's headroom is 48 MiB on PostgreSQL
// and 32 MiB on SQLite, whose driver allocates outside the Go runtime (its
// C heap and page caches: 10 MB at rest, more under load) within the same
// resident size. Measured on 2 busy cores with 16 nested lists of issue 19
// at a time (PostgreSQL, interleaved rounds): a 32 MiB headroom (an 80 MB
// limit) cost 2.4 ms of CPU a request, 48 MiB (96 MB) 1.9 ms, 56 MiB 1.7
// ms, at 118, 131–141 and 132–136 MB resident; on SQLite 32 MiB left the
// process at 146 MB under that load and 48 MiB at 166. Both indexes are
// laid out without pointers (the match index's package doc, "Layout"; the
// search index's, "Memory"), so the collector has little to follow in
// what the server holds: it is the requests' own allocations that make it
// run. The response cache keeps answers S2-compressed
// (respcache.go), about a sixth of a listing page, so its 4 MiB default
// holds some 250 listing pages of 100 services.
//
// Beside the Go runtime's memory, the resident size counts the pages of
// the executable mapped in (file-backed: its code, constants and function
// tables), and on SQLite the driver's own allocations (modernc's C heap,
// outside the Go runtime: about 10 MB after the builds; a page cache of
// 256 KiB instead of 2 MB a connection, or closing the idle connections
// after the builds, each took only 3 MB of it off). The executable is
// 85 MB, and starting touches much of it: every package's initialisation
// (ent's generators, gqlgen's and atlas's, which the schema's annotations
// and migrations link in), the migrations, the indexes' builds: 42–45 MB
// of its pages are resident once serving. Unmapping its read-only pages
// once the indexes are built (madvise MADV_DONTNEED) took that to 28–32
// MB under the same requests; tried and not kept, since it moves the
// reading rather than what serving needs (the pages come back as they are
// touched, and the kernel reclaims untouched file pages under pressure
// anyway).
//
// tools/bench/resident.sh measures it (RESIDENT_BIN serves another build
// on the same databases). Serving the synthetic national directory with
// the match and search indexes and a full 4 MiB response cache: see the
// README's Memory section for the figures. The pointer-free match index
// is 11.4 MB instead of 18.0, so the soft limit is about 95 MB instead of
// 112, and the CPU the process spent serving resident.sh's requests after
// ready fell with fewer objects for the collector to mark (SQLite 3.9 s →
// 3.4 s, PostgreSQL 3.2 s → 2.5 s, side by side). The search index (16
// MB) is the largest part of the heap left; the build's peak (205–265 MB,
// before the garbage is collected and returned) is not bounded by any of
// this.
//
// # Pages
//
// Three pages are embedded (console.go): "/" a short page with no script,
// "/console" the call-center console (built from console/ at the
// repository's root into consoleui/ by `make console`, committed so that a
// Go build needs no Node.js), and "/graphiql" with its vendored assets under
// "/static/". Each page carries its own CSP. The console's is the strictest
// (ConsoleCSP: only this origin, no inline code, no eval), which the build
// allows because Vite emits no inline script or style and the console sets
// styles through classes only. GraphiQL needs an inline bootstrap script,
// allowed by its hash, and inline styles. The console's hashed files are
// cached for a year, the rest revalidated by ETag.
//
// The console talks to /graphql by POST only, so nothing a caller tells a
// worker reaches a URL or the request log; what a trace or log may record
// of a GraphQL request (its operation's name and type, never variables) is
// graph's and telemetry's rule, tested for a console call in
// console_privacy_test.go.
//
// # Draining
//
// Config.Draining, once closed, makes /readyz answer 503 while everything
// else is still served: `village serve` closes it on SIGTERM, serves on for
// --drain-period, then shuts the listener down and lets requests in flight
// finish.
package server
