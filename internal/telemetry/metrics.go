package telemetry

import (
	"database/sql"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the series Village exports, in a registry of their own. A nil
// *Metrics records nothing, so layers can be built without one.
type Metrics struct {
	// Registry gathers every series below, the Go runtime's and the
	// process'; package server serves it at /metrics.
	Registry *prometheus.Registry

	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	operations    *prometheus.CounterVec
	opDuration    *prometheus.HistogramVec
	graphqlErrors *prometheus.CounterVec
	cacheLookups  *prometheus.CounterVec

	mu             sync.Mutex
	operationNames map[string]bool // operation names seen, at most maxOperationNames
}

// maxOperationNames bounds the operation label's values: clients choose
// operation names, and each new one would be a new series.
const maxOperationNames = 200

// Label values for operations without a name of their own.
const (
	AnonymousOperation = "(anonymous)"
	OtherOperation     = "(other)"
)

// durationBuckets span a cached read (a millisecond) to the request
// timeout's order (15 s) and a long import.
var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// NewMetrics returns Village's metrics in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry:       prometheus.NewRegistry(),
		operationNames: map[string]bool{},
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "village_http_requests_total",
			Help: "HTTP requests answered, by route (the server's pattern) and status code.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "village_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route, until its handler returned (a stream: until its end).",
			Buckets: durationBuckets,
		}, []string{"route", "method"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "village_graphql_operations_total",
			Help: "GraphQL operations answered, by operation name, type (query, mutation, subscription; empty when the document did not parse) and outcome (ok, partial: data and errors, error: no data).",
		}, []string{"operation", "type", "outcome"}),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "village_graphql_operation_duration_seconds",
			Help:    "Time to answer a GraphQL operation, from reading the request to the response, by operation name and type.",
			Buckets: durationBuckets,
		}, []string{"operation", "type"}),
		graphqlErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "village_graphql_errors_total",
			Help: "GraphQL errors answered, by extensions.code.",
		}, []string{"code"}),
		cacheLookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "village_response_cache_lookups_total",
			Help: "Anonymous GraphQL requests looked up in the response cache, by result (hit, miss).",
		}, []string{"result"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.operations, m.opDuration, m.graphqlErrors,
		m.cacheLookups,
	)
	return m
}

// ObserveHTTP records one answered HTTP request.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "(none)"
	}
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// ObserveOperation records one answered GraphQL operation and its errors'
// codes (an error without one counts as "NONE").
//
// valid says the document passed validation: only such a document's name
// takes one of the label's slots, so refused documents, which anyone can
// send by the thousand, cannot fill them and turn every real operation into
// OtherOperation.
func (m *Metrics) ObserveOperation(name, typ string, valid, hasData bool, codes []string, d time.Duration) {
	if m == nil {
		return
	}
	name = m.operationName(name, valid)
	outcome := "ok"
	switch {
	case len(codes) > 0 && hasData:
		outcome = "partial"
	case len(codes) > 0:
		outcome = "error"
	}
	m.operations.WithLabelValues(name, typ, outcome).Inc()
	m.opDuration.WithLabelValues(name, typ).Observe(d.Seconds())
	for _, c := range codes {
		if c == "" {
			c = "NONE"
		}
		m.graphqlErrors.WithLabelValues(c).Inc()
	}
}

// operationName is the label value for a client's operation name: the name
// once it holds a slot (given to a valid document's name while fewer than
// maxOperationNames are taken), OtherOperation otherwise.
func (m *Metrics) operationName(name string, valid bool) string {
	if name == "" {
		return AnonymousOperation
	}
	if len(name) > 100 {
		return OtherOperation
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.operationNames[name] {
		return name
	}
	if !valid || len(m.operationNames) >= maxOperationNames {
		return OtherOperation
	}
	m.operationNames[name] = true
	return name
}

// WatchDB exports db's connection pool (database/sql's statistics: open,
// in use, idle, waits) as go_sql_*{db_name=name}.
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	if m == nil {
		return
	}
	m.Registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// WatchSearchIndex exports the search index's size, age and build time,
// read from stats at every scrape.
func (m *Metrics) WatchSearchIndex(stats func() IndexStats) {
	if m == nil {
		return
	}
	gauge := func(name, help string, value func(IndexStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return value(stats()) })
	}
	m.Registry.MustRegister(
		gauge("village_search_index_records", "Records (services, programs, organizations, resources) the search index holds (0 until first built: village serve builds it at start, else the first search does).",
			func(s IndexStats) float64 { return float64(s.Records) }),
		gauge("village_search_index_age_seconds", "Seconds since the search index was last rebuilt (the first search after a write does it); 0 until first built.",
			func(s IndexStats) float64 {
				if s.BuiltAt.IsZero() {
					return 0
				}
				return time.Since(s.BuiltAt).Seconds()
			}),
		gauge("village_search_index_build_seconds", "How long the search index's last update took (a whole build, or a refresh reading only the records a write touched).",
			func(s IndexStats) float64 { return s.Build.Seconds() }),
		gauge("village_search_index_bytes", "An estimate of the memory the search index holds of its own (its arrays, maps and strings); 0 until first built.",
			func(s IndexStats) float64 { return float64(s.Bytes) }),
	)
}

// IndexStats are what an in-memory index says about itself.
type IndexStats struct {
	Records int           // records it holds
	BuiltAt time.Time     // when it was last (re)built; zero before the first build
	Build   time.Duration // how long that build took
	Bytes   int64         // an estimate of its own memory (0: not measured)
}

// WatchMatchIndex exports the match index's size, age and build time,
// read from stats at every scrape.
func (m *Metrics) WatchMatchIndex(stats func() IndexStats) {
	if m == nil {
		return
	}
	gauge := func(name, help string, value func(IndexStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return value(stats()) })
	}
	m.Registry.MustRegister(
		gauge("village_match_index_records", "Services the match index holds (0 until first built: village serve builds it at start, else the first match does).",
			func(s IndexStats) float64 { return float64(s.Records) }),
		gauge("village_match_index_age_seconds", "Seconds since the match index was last brought up to date (the first match after a write does it); 0 until first built.",
			func(s IndexStats) float64 {
				if s.BuiltAt.IsZero() {
					return 0
				}
				return time.Since(s.BuiltAt).Seconds()
			}),
		gauge("village_match_index_build_seconds", "How long the match index's last update (whole or incremental) took.",
			func(s IndexStats) float64 { return s.Build.Seconds() }),
		gauge("village_match_index_bytes", "Bytes the match index holds (its estimate: arrays, maps, bitsets and the rows it keeps, shared values once); 0 until first built.",
			func(s IndexStats) float64 { return float64(s.Bytes) }),
	)
}

// ObserveResponseCache counts one response cache look-up.
func (m *Metrics) ObserveResponseCache(hit bool) {
	if m == nil {
		return
	}
	result := "miss"
	if hit {
		result = "hit"
	}
	m.cacheLookups.WithLabelValues(result).Inc()
}

// CacheStats are what a bounded cache says about itself.
type CacheStats struct {
	Entries         int
	Bytes, MaxBytes int64
}

// WatchResponseCache exports the response cache's size, read from stats at
// every scrape.
func (m *Metrics) WatchResponseCache(stats func() CacheStats) {
	if m == nil {
		return
	}
	gauge := func(name, help string, value func(CacheStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return value(stats()) })
	}
	m.Registry.MustRegister(
		gauge("village_response_cache_entries", "Answers the response cache holds.",
			func(s CacheStats) float64 { return float64(s.Entries) }),
		gauge("village_response_cache_bytes", "Bytes the response cache's answers take (bodies, headers and a fixed overhead each).",
			func(s CacheStats) float64 { return float64(s.Bytes) }),
		gauge("village_response_cache_max_bytes", "The response cache's bound in bytes (village serve --response-cache-bytes).",
			func(s CacheStats) float64 { return float64(s.MaxBytes) }),
	)
}

// Replicas are the read replicas' states, as the store reports them.
type Replicas struct {
	// PrimaryReads counts the reads the primary answered.
	PrimaryReads uint64
	List         []ReplicaStats
}

// ReplicaStats is one read replica's state.
type ReplicaStats struct {
	Name string
	Up   bool          // in rotation
	Lag  time.Duration // behind the primary, as last checked
	// Reads it answered, and reads it failed that the primary answered.
	Reads, Retried uint64
}

// WatchReplicas exports the read replicas' rotation, lag and reads, read
// from stats at every scrape.
func (m *Metrics) WatchReplicas(stats func() Replicas) {
	if m == nil {
		return
	}
	m.Registry.MustRegister(replicaCollector{stats})
}

var (
	replicaUp = prometheus.NewDesc("village_db_replica_up",
		"1 when the read replica is in rotation (reachable, a standby, within --replica-max-lag), else 0: its reads go to the primary.",
		[]string{"replica"}, nil)
	replicaLag = prometheus.NewDesc("village_db_replica_lag_seconds",
		"How long ago the primary made the oldest write the replica has not replayed, as last checked (to the check interval).",
		[]string{"replica"}, nil)
	replicaReads = prometheus.NewDesc("village_db_replica_reads_total",
		"Reads the read replica answered.", []string{"replica"}, nil)
	replicaRetried = prometheus.NewDesc("village_db_replica_retried_reads_total",
		"Reads the read replica failed (unreachable, or a recovery conflict) that the primary answered instead.", []string{"replica"}, nil)
	primaryReads = prometheus.NewDesc("village_db_primary_reads_total",
		"Reads the primary answered while read replicas are configured (a request bound to none, a token no replica has replayed, the change feed, the indexes, API keys).",
		nil, nil)
)

type replicaCollector struct{ stats func() Replicas }

func (c replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{replicaUp, replicaLag, replicaReads, replicaRetried, primaryReads} {
		ch <- d
	}
}

func (c replicaCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(primaryReads, prometheus.CounterValue, float64(s.PrimaryReads))
	for _, r := range s.List {
		up := 0.0
		if r.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(replicaUp, prometheus.GaugeValue, up, r.Name)
		ch <- prometheus.MustNewConstMetric(replicaLag, prometheus.GaugeValue, r.Lag.Seconds(), r.Name)
		ch <- prometheus.MustNewConstMetric(replicaReads, prometheus.CounterValue, float64(r.Reads), r.Name)
		ch <- prometheus.MustNewConstMetric(replicaRetried, prometheus.CounterValue, float64(r.Retried), r.Name)
	}
}
