package server

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/telemetry"
)

// Config is the HTTP server's configuration.
type Config struct {
	// AllowedOrigins lists the origins browsers may call the API from;
	// empty or ["*"] allows any origin (public reads need no credentials,
	// so none are allowed cross-origin).
	AllowedOrigins []string
	// RequestTimeout bounds one request's work (its context deadline).
	RequestTimeout time.Duration
	// StreamTimeout bounds a streamed listing (the HSDS API's
	// format=ndjson), which grows with the directory: its context deadline
	// and its connection's write deadline.
	StreamTimeout time.Duration
	// MaxStreams bounds how many streamed listings run at once; more are
	// answered 503 with Retry-After.
	MaxStreams int
	// StreamBatch is how many records a streamed listing reads and writes
	// at a time: its memory is bounded by a batch, whatever the
	// directory's size.
	StreamBatch int
	// MaxBodyBytes bounds a request body. The default fits a full upsert
	// batch (write.MaxBatch records) with long descriptions.
	MaxBodyBytes int64
	// Limits are the GraphQL page-size and cost limits.
	Limits graph.Limits
	// StaleAfterMonths: matching calls a listing last verified longer ago
	// stale (0: 12).
	StaleAfterMonths int
	// RateLimit bounds each caller's request rate; the zero value (the
	// default here: tests and embedders choose) sets none. `village serve`
	// sets one (see its flags).
	RateLimit RateLimit
	// CacheMaxAge is how long shared caches may keep an anonymous GET's
	// answer (Cache-Control: public, max-age); a minute at most for an
	// answer that depends on the clock (see httpCache).
	CacheMaxAge time.Duration
	// WarmIndexes builds the in-memory indexes (the match index) as the
	// handler is made, in the background; /readyz answers 503 until they
	// are built, so a load balancer sends no family's match to wait for
	// them. village serve sets it; tests and embedders choose.
	WarmIndexes bool
	// MemoryHeadroom, when positive (with WarmIndexes), sets the process's
	// soft memory limit once the indexes are built (see memoryLimit): what
	// the Go runtime then holds, plus ResponseCacheBytes, plus this
	// headroom or a quarter of what it holds, whichever is more. village
	// serve sets it unless --memory-limit or GOMEMLIMIT sets a limit.
	MemoryHeadroom int64
	// ResponseCacheBytes bounds the in-memory cache of anonymous GraphQL
	// answers (see responseCache), counted compressed; 0 keeps none.
	// DefaultConfig keeps 4 MiB: about 250 listing pages of 100 services.
	ResponseCacheBytes int64
	// DisableIntrospection refuses GraphQL introspection (__schema, __type).
	DisableIntrospection bool
	// TrustedDocuments, when set, are the only GraphQL documents run (see
	// graph.TrustedDocuments).
	TrustedDocuments *graph.TrustedDocuments
	// Metrics, when set, count requests, operations, the database pool and
	// the match index; ServeMetrics also serves them at /metrics (else the
	// caller serves MetricsHandler on an address of its own).
	Metrics      *telemetry.Metrics
	ServeMetrics bool
	// TracerProvider traces requests (nil: the global provider, which
	// records nothing unless telemetry.Tracing set one up).
	TracerProvider trace.TracerProvider
	// Draining, once closed, makes /readyz answer 503 so that load
	// balancers stop sending traffic while the server still serves it
	// (see `village serve --drain-period`).
	Draining <-chan struct{}
}

// DefaultConfig is what Village serves with unless configured.
var DefaultConfig = Config{
	AllowedOrigins: []string{"*"},
	RequestTimeout: 15 * time.Second,
	StreamTimeout:  10 * time.Minute,
	MaxStreams:     8,
	StreamBatch:    500,
	MaxBodyBytes:   8 << 20,
	Limits:         graph.DefaultLimits,
	CacheMaxAge:    time.Minute,

	ResponseCacheBytes: 4 << 20,
}

func (c Config) withDefaults() Config {
	if len(c.AllowedOrigins) == 0 {
		c.AllowedOrigins = DefaultConfig.AllowedOrigins
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultConfig.RequestTimeout
	}
	if c.StreamTimeout <= 0 {
		c.StreamTimeout = DefaultConfig.StreamTimeout
	}
	if c.MaxStreams <= 0 {
		c.MaxStreams = DefaultConfig.MaxStreams
	}
	if c.StreamBatch <= 0 {
		c.StreamBatch = DefaultConfig.StreamBatch
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultConfig.MaxBodyBytes
	}
	if c.CacheMaxAge <= 0 {
		c.CacheMaxAge = DefaultConfig.CacheMaxAge
	}
	c.Limits = c.Limits.WithDefaults()
	return c
}

// New returns Village's HTTP handler:
//
//	/graphql   the GraphQL API (POST and GET); send an API key as
//	           "Authorization: Bearer <key>", or none to read as the public
//	/          a short page linking the console, GraphiQL and the docs
//	/console   the call-center console (console/ at the repository's root,
//	           built and embedded; its own strict CSP: ConsoleCSP)
//	/graphiql  GraphiQL (assets embedded, works offline)
//	/static/   GraphiQL's assets
//	/healthz   the process is alive
//	/readyz    the database (the primary) answers; replicas do not count
//	           (a request goes to the primary when none is in rotation)
//	/hsds/     the HSDS 3.0 API's read endpoints (Open Referral), same visibility as GraphQL
//	/metrics   Prometheus metrics, when cfg.Metrics is set and cfg.ServeMetrics
//
// GraphQL and HSDS answers carry caching headers (httpCache); every answer
// an X-Request-ID, and may be compressed (compress).
func New(db *store.DB, cfg Config, log *slog.Logger) http.Handler {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	tp := telemetry.TracerProvider(cfg.TracerProvider)
	matcher := match.New(db.Client, nil)
	searcher := search.New(db.Client) // GraphQL's search and the HSDS API's search parameter
	if cfg.Metrics != nil {
		cfg.Metrics.WatchDB(db.Dialect, db.SQL)
		if db.Replicas != nil {
			for name, pool := range db.Replicas.Pools() {
				cfg.Metrics.WatchDB("replica "+name, pool)
			}
			cfg.Metrics.WatchReplicas(func() telemetry.Replicas {
				out := telemetry.Replicas{PrimaryReads: db.Replicas.PrimaryReads()}
				for _, s := range db.Replicas.States() {
					out.List = append(out.List, telemetry.ReplicaStats{Name: s.Name, Up: s.Up, Lag: s.Lag, Reads: s.Reads, Retried: s.Retried})
				}
				return out
			})
		}
		cfg.Metrics.WatchMatchIndex(func() telemetry.IndexStats {
			s := matcher.IndexStats()
			return telemetry.IndexStats{Records: s.Records, BuiltAt: s.BuiltAt, Build: s.Build, Bytes: s.Bytes}
		})
		cfg.Metrics.WatchSearchIndex(func() telemetry.IndexStats {
			if s := searcher.IndexStats(); s != nil {
				return telemetry.IndexStats{Records: s.Records, BuiltAt: s.BuiltAt, Build: s.Build, Bytes: s.Bytes}
			}
			return telemetry.IndexStats{}
		})
	}
	var afterWarm func()
	if cfg.MemoryHeadroom > 0 {
		afterWarm = func() {
			limit := memoryLimit(max(cfg.ResponseCacheBytes, 0), cfg.MemoryHeadroom)
			log.Info("memory limit set", "bytes", limit)
		}
	}
	warming := warmIndexes(cfg.WarmIndexes, log, afterWarm, matcher.Warm, searcher.Warm)
	cache := httpCache{client: db.Client, maxAge: cfg.CacheMaxAge, now: time.Now}
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) { mux.Handle(pattern, routed(pattern, h)) }
	answers := newResponseCache(db.Client, cfg.ResponseCacheBytes, cfg.Metrics)
	handle("/graphql", cache.wrap(answers.wrap(graph.NewHandler(graph.HandlerConfig{
		Client: db.Client, Limits: cfg.Limits, Logger: log, Matcher: matcher, Searcher: searcher,
		DisableIntrospection: cfg.DisableIntrospection, TrustedDocuments: cfg.TrustedDocuments,
		Metrics: cfg.Metrics, TracerProvider: tp, StaleAfterMonths: cfg.StaleAfterMonths,
		ReadAfter: readAfterOf(db),
	}))))
	handle("/hsds/", cache.wrap(hsdsHandler(db.Client, searcher, log, cfg)))
	handle("/", homeHandler())
	app := appHandler()
	handle("/console", app)
	handle("/console/", app)
	graphiql := graphiqlHandler()
	handle("/graphiql", graphiql)
	handle("/static/", graphiql)
	handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writePlain(w, http.StatusOK, "ok")
	}))
	handle("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining(cfg.Draining) {
			writePlain(w, http.StatusServiceUnavailable, "draining: shutting down")
			return
		}
		if !draining(warming) {
			w.Header().Set("Retry-After", "1")
			writePlain(w, http.StatusServiceUnavailable, "starting: building the match and search indexes")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.SQL.PingContext(ctx); err != nil {
			log.WarnContext(ctx, "readiness check failed", "error", err)
			w.Header().Set("Retry-After", strconv.Itoa(graph.UnavailableRetryAfter))
			writePlain(w, http.StatusServiceUnavailable, "database unavailable")
			return
		}
		writePlain(w, http.StatusOK, "ready")
	}))
	if cfg.Metrics != nil && cfg.ServeMetrics {
		handle("GET /metrics", MetricsHandler(cfg.Metrics))
	}

	var h http.Handler = mux
	h = limitBody(cfg.MaxBodyBytes, h)
	limits := newLimiter(cfg.RateLimit)
	h = limits.middleware(h) // inside authenticate: keys are limited as themselves
	// Every request acts as a viewer (anonymous without a key); CORS
	// preflights are answered outside, without one. A failed key spends
	// its address's budget (see the package documentation).
	h = authenticate(db.Client, log, limits, h)
	// Before the key's look-up: with read replicas, each request's reads
	// go where its routing says.
	h = bindReads(db, h)
	h = withDeadline(cfg.RequestTimeout, cfg.StreamTimeout, hsdsStreams, h)
	h = corsPolicy(cfg.AllowedOrigins).Handler(h)
	h = compress(h)
	h = recoverPanics(log, h)
	h = logRequests(log, cfg.Metrics, h)
	// Outermost: the request's span covers everything, and continues the
	// caller's trace (W3C traceparent).
	h = otelhttp.NewHandler(h, "http request", otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(telemetry.Propagator),
		otelhttp.WithMeterProvider(noopmetric.NewMeterProvider()))
	return h
}

// warmIndexes runs each build in the background when warm is set, and
// returns a channel closed once all have finished (at once when not set).
// A build that fails is logged: the first request that needs the index
// builds it again and answers the failure itself.
func warmIndexes(warm bool, log *slog.Logger, after func(), builds ...func(context.Context) error) <-chan struct{} {
	done := make(chan struct{})
	if !warm {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		started := time.Now()
		for _, build := range builds {
			if err := build(ctx); err != nil {
				log.Error("building an index at start failed", "error", err)
			}
		}
		// Building read the whole directory through rows and buffers that
		// are garbage now: collect them and give their pages back to the
		// OS, so the process's resident size is what it holds, not what the
		// build passed through (the runtime would return them only slowly).
		debug.FreeOSMemory()
		log.Info("indexes built", "took", time.Since(started).Round(time.Millisecond))
		if after != nil {
			after()
		}
	}()
	return done
}

// memoryLimit sets the process's soft memory limit (debug.SetMemoryLimit)
// to what the Go runtime holds now, plus cacheBytes, plus headroom or a
// quarter of what it holds, whichever is more, and returns it. Called once
// the indexes are built and their garbage returned: the server then holds
// nearly all it will (the indexes, the geography), and the response cache
// fills up to its bound. Without a limit the collector lets the heap grow
// to twice what is live (GOGC=100) and the pages stay resident; with it,
// the collector works harder as the heap nears the limit instead. The
// limit is soft: a server that comes to hold more (a directory that grew)
// is collected more often, never stopped, and its limit is set anew at
// the next start.
func memoryLimit(cacheBytes, headroom int64) int64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	held := int64(ms.Sys - ms.HeapReleased)
	limit := held + cacheBytes + max(headroom, held/4)
	debug.SetMemoryLimit(limit)
	return limit
}

// readAfterOf is GraphQL's read-after token with read replicas, nil
// without.
func readAfterOf(db *store.DB) func(context.Context) string {
	if db.Replicas == nil {
		return nil
	}
	return db.ReadAfter
}

// MetricsHandler serves m in Prometheus' text format.
func MetricsHandler(m *telemetry.Metrics) http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// draining reports whether c is closed (nil: never).
func draining(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// NewHTTPServer wraps h in an http.Server with timeouts that bound slow
// clients: headers, whole reads, and writes a little beyond the request
// deadline so a timed-out request can still send its error (streams move
// their own write deadline: see withDeadline).
func NewHTTPServer(addr string, h http.Handler, cfg Config) *http.Server {
	cfg = cfg.withDefaults()
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + writeSlack,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

func corsPolicy(origins []string) *cors.Cors {
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		// What browser GraphQL clients send: trace context (traceparent,
		// tracestate, baggage), a request ID, Apollo Client's
		// client-awareness and CSRF-prevention headers.
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept",
			"Traceparent", "Tracestate", "Baggage", "X-Request-Id",
			"Apollographql-Client-Name", "Apollographql-Client-Version", "Apollo-Require-Preflight",
			"If-None-Match", store.ReadAfterHeader},
		ExposedHeaders:   []string{"X-Request-Id", "ETag", store.ReadAfterHeader},
		AllowCredentials: false,
		MaxAge:           600,
	})
}

func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body + "\n"))
}
