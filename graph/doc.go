// Package graph is Village's GraphQL layer: the schema (*.graphqls, partly
// generated from ent), gqlgen's executor (generated, then adjusted by
// gqlgen.go to resolve in order and skip per-field work nothing needs; its
// runtime helpers are lists.go, objects.go and fieldctx.go, which hand out
// field contexts and objects' outputs from each root field's arena), thin
// resolvers that translate GraphQL calls into ent and domain-package calls,
// and the GraphQL-specific safety rails: page sizes, query cost, directive
// arguments, where filters evaluated over readable records (filters.go),
// and error codes.
//
// # Bounding a request
//
// Every request is bounded before it runs, in the order gqlgen takes it:
//
//   - documentBounds (bounds.go), before gqlgen parses and validates: the
//     token limit, then fields, aliases and depth counted with fragments
//     expanded (each fragment measured once, so fragments that double each
//     other cost linear time to measure). Validation is quadratic in fields
//     that must merge; running it only on documents within MaxFields, with
//     a conflict of one response name refused in one pass and at most 20
//     errors kept, bounds it.
//   - listCoercion and textLengthCheck (coerce.go), once variables are
//     known: lists coerced as the spec says at every depth (gqlparser's
//     typed slices made gqlgen's unmarshalers panic), and filter text held
//     to MaxTextLength.
//   - pageSizeCheck (limits.go): page sizes, cursors, and the caps that
//     aliases must not multiply (records saved, IDs fetched), per
//     operation.
//   - costLimit (cost.go): a cost for every field of the schema by rule,
//     not by list, so a new field is costed without anyone remembering.
//   - the transport (transport.go): the answer is given at the context's
//     deadline plus a second whatever the operation is doing, and an answer
//     past MaxResponseBytes is replaced by one error.
//
// # Observing and locking down
//
// observe (observe.go), the first extension, is the outermost response
// interceptor: each operation's span (child of the HTTP request's, parent
// of its SQL statements'), its metrics, and what the request's log line and
// caching learn of it (telemetry.Request: name, type, whether it asks for
// the clock, whether it answered errors). Spans and metrics record names,
// types and error codes, never variables or the document. Every error
// written (writeResponse) carries the request's ID as
// extensions.requestId.
//
// HandlerConfig.DisableIntrospection leaves gqlgen's introspection
// extension out. HandlerConfig.TrustedDocuments (trusted.go) replaces
// automatic persisted queries: a request names a listed document by
// doc_id or extensions.persistedQuery.sha256Hash, or sends a listed text;
// nothing else runs, and nothing can be registered.//
// # Allocations
//
// A nested list (organizations → services → serviceAreas, 10/69/239 rows)
// allocated 22,009 times a request before fieldctx.go and relay's
// MarshalID, 16,364 after, and 10,347 on SQLite (10,695 on PostgreSQL)
// since field contexts and objects come from an arena per root field, each
// selection set's fields are collected once per arena (collectOnce in
// gqlgen.go), ent scans a query's rows into the same values
// (ent/scanreuse.go) and the lookahead boxes no partition key
// (BenchmarkDirectory/*/nested). The rest, from pprof
// -sample_index=alloc_objects, a request (approximate): the SQLite driver's
// rows.Next and column values (~1,570); for each of the 79 connection
// fields with a resolver, gqlgen's ResolveField, its arguments (since
// decoded once per root field) and ent's per-parent paging (~20 each); the
// field context and Child closure fieldContext_* makes for each of the ~480
// stored object fields (edges, node, pageInfo: two each); MarshalString's
// closure per string and an enum boxed per value (~800); relay's MarshalID,
// its ID boxed and its bytes escaping through the io.Writer (~430); ent's
// nodes, connections, edges and named-edge slices (~1,100). The next steps
// are a stored object field's context made without fieldContext_* (its
// Child closure kept per arena), MarshalID writing without escaping, and
// ent's named edges appended into slices sized once.
//
// In bytes (1.25 MB a request before), the field contexts were the largest
// part, some 2,300 of 144 bytes each, then the response's buffers and the
// objects' outputs. A leaf's context is now made only where its marshaler
// may keep it (storedFieldsDirect in gqlgen.go; transientLeafField): of
// the nested list's 1,260 leaves, 790 are given their parent's context and
// 480 the arena's transient one. The data is marshalled into a buffer used again
// and the response written from another (respbuf.go), where each was new
// and the data's grown by doubling; and an object's values are cut from
// the arena's blocks, as many as it has fields, instead of room for eight
// in each (objectFields). With entgql's counts left out where only
// pageInfo is asked for (ent/pagecount.go: three statements instead of
// six), the nested list allocates about 0.79 MB and 9,000 times a request
// (BenchmarkDirectory/*/nested). What remains is mostly the contexts of
// list elements and object fields (~930) and ent's nodes (a service's is
// 900 bytes). A nested connection's arguments (a map, the where input
// through @readable, ~900 bytes) were decoded again for every parent; they
// are now decoded once per root field (sharedFieldArgs in gqlgen.go): 0.73
// MB and 8,460 allocations a request.
//
// Arenas are kept for later responses (operationArenas in fieldctx.go),
// cleared once the operation has returned and its response is written,
// unless something asked one of their contexts for Done, Err or Deadline:
// a field context is the context of the statements its resolver runs, and
// the database drivers watch that context from a goroutine of their own
// that can run after the response is written (modernc's interruptOnDone,
// lib/pq's watchCancel), so an arena handed back whatever it had done
// crashed the process (TestMatchAnswersEveryFieldAsNodes found it; with
// -race it reports the race). Every driver asks for Done on the
// statement's goroutine first (database/sql does, before any statement),
// so an arena whose contexts ran a statement is left to the collector. The
// nested list's fields all read eager-loaded records, so its arena comes
// back: 0.70 → 0.47 MB a request (BenchmarkDirectory/postgres/nested),
// p50 7–20% lower in side-by-side runs of the benchmark's binaries.
//
// A search's highlights (some sixty a page of twenty services, with 120
// matched ranges) are written by marshalHighlights (highlights.go) rather
// than as objects with a field context for each of their fields: about
// 700 allocations a request fewer (BenchmarkSearch/*/search), since every
// field of SearchHighlight and TextRange is a stored leaf that cannot fail.
package graph
