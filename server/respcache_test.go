package server_test

import (
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	dto "github.com/prometheus/client_model/go"

	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/telemetry"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// cacheLookups reads village_response_cache_lookups_total{result}.
func cacheLookups(t *testing.T, m *telemetry.Metrics, result string) float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "village_response_cache_lookups_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			if labelIs(s, "result", result) {
				return s.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func labelIs(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

// TestResponseCacheAnswersAnonymousReadsUntilAWrite: a repeated anonymous
// query is answered from memory (one statement: the feed position), a
// committed write makes the next one run again and see it, and keyed
// requests, mutations and errors are never answered from it.
func TestResponseCacheAnswersAnonymousReadsUntilAWrite(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			d := newVDir(t, db.Client)
			metrics := telemetry.NewMetrics()
			a := newAPI(t, db, server.Config{ResponseCacheBytes: 1 << 20, Metrics: metrics})
			const q = `query($id: ID!) { node(id: $id) { ... on Service { name description } } }`
			vars := map[string]any{"id": relay.Encode(d.harborVisits)}
			var first, second struct {
				Node struct{ Name, Description string }
			}

			counter.Reset()
			a.ok(q, vars, &first)
			ran := counter.Count()
			counter.Reset()
			a.ok(q, vars, &second)
			if got := counter.Count(); got != 1 || ran <= 1 {
				t.Errorf("the repeated query ran %d statements (the first %d); want 1, the feed position", got, ran)
			}
			if first != second {
				t.Errorf("the cached answer %+v differs from the first %+v", second, first)
			}
			if hits := cacheLookups(t, metrics, "hit"); hits != 1 {
				t.Errorf("hits = %v, want 1", hits)
			}

			// A write, from a key: the next anonymous read runs and sees it.
			admin := a.as(mustKey(t, db, "admin", auth.Admin))
			admin.ok(`mutation($id: ID!) { updateService(id: $id, input: {description: "changed by a write"}) { id } }`, vars, &struct{}{})
			var after struct {
				Node struct{ Name, Description string }
			}
			a.ok(q, vars, &after)
			if after.Node.Description != "changed by a write" {
				t.Errorf("after a write the anonymous read answered %q", after.Node.Description)
			}

			// A keyed request is never answered from the cache, nor kept.
			counter.Reset()
			admin.ok(q, vars, &struct{}{})
			admin.ok(q, vars, &struct{}{})
			if got := counter.Count(); got < 4 {
				t.Errorf("two keyed requests ran %d statements: one was answered from the cache", got)
			}

			// An answer with errors is not kept.
			counter.Reset()
			for range 2 {
				res := a.query(`{ node(id: "not-an-id") { id } }`, nil)
				if len(res.Errors) == 0 {
					t.Fatal("a bad ID was answered without an error")
				}
			}
			hitsBefore := cacheLookups(t, metrics, "hit")
			a.query(`{ node(id: "not-an-id") { id } }`, nil)
			if cacheLookups(t, metrics, "hit") != hitsBefore {
				t.Error("an answer with errors was answered from the cache")
			}
			if misses := cacheLookups(t, metrics, "miss"); misses < 3 {
				t.Errorf("misses = %v, want at least 3", misses)
			}
		})
	}
}

// TestResponseCacheIsOffByDefaultInConfig: a zero Config keeps no answers
// (tests and embedders choose); village serve keeps DefaultConfig's.
func TestResponseCacheIsOffByDefaultInConfig(t *testing.T) {
	if server.DefaultConfig.ResponseCacheBytes <= 0 {
		t.Error("DefaultConfig keeps no response cache")
	}
	db, counter := openCountingDB(t, dialect.SQLite)
	d := newVDir(t, db.Client)
	a := newAPI(t, db, server.Config{})
	q := `{ node(id: "` + relay.Encode(d.harborVisits) + `") { id } }`
	a.ok(q, nil, &struct{}{})
	counter.Reset()
	a.ok(q, nil, &struct{}{})
	ranService := false
	for _, stmt := range counter.Reset() {
		ranService = ranService || strings.Contains(stmt, "services")
	}
	if !ranService {
		t.Error("without a response cache the repeated query did not read the service again")
	}
}
