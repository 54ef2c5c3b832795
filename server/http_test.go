package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/telemetry"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/internal/write"
	"github.com/village-directory/village/server"
)

func TestHealthEndpoints(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, server.Config{})
		for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
			res := mustGet(t, a.srv.URL+path)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != want {
				t.Fatalf("%s: %d %q", path, res.StatusCode, body)
			}
		}
		// With the database gone, the process is alive but not ready.
		db.SQL.Close()
		res := mustGet(t, a.srv.URL+"/readyz")
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("/readyz with a closed database: %d", res.StatusCode)
		}
		res = mustGet(t, a.srv.URL+"/healthz")
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/healthz with a closed database: %d", res.StatusCode)
		}
	})
}

func TestCORS(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	preflight := func(a *api, origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, a.srv.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	open := newAPI(t, db, server.Config{})
	res := preflight(open, "https://family-app.example")
	if res.StatusCode != http.StatusNoContent && res.StatusCode != http.StatusOK {
		t.Fatalf("preflight status %d", res.StatusCode)
	}
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Fatalf("default policy: Allow-Origin %q, want *", got)
	}
	if got := res.Header.Get("Access-Control-Allow-Credentials"); got != "" {
		t.Fatalf("credentials must not be allowed cross-origin, got %q", got)
	}
	if got := strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "content-type") {
		t.Fatalf("Allow-Headers %q", got)
	}

	listed := newAPI(t, db, server.Config{AllowedOrigins: []string{"https://clinic.example"}})
	if got := preflight(listed, "https://clinic.example").Header.Get("Access-Control-Allow-Origin"); got != "https://clinic.example" {
		t.Fatalf("allowlisted origin: Allow-Origin %q", got)
	}
	if got := preflight(listed, "https://evil.example").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("origin outside the allowlist was allowed: %q", got)
	}
}

func TestGraphQLOverGET(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	res := mustGet(t, a.srv.URL+"/graphql?query="+strings.ReplaceAll("{ programs { totalCount } }", " ", "%20"))
	defer res.Body.Close()
	var out struct {
		Data struct{ Programs struct{ TotalCount int } }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /graphql: %d %v", res.StatusCode, err)
	}
}

func TestRequestBodyLimit(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{MaxBodyBytes: 1024})
	big := `{"query":"{ programs { totalCount } }","variables":{"pad":"` + strings.Repeat("x", 2048) + `"}}`
	res, err := http.Post(a.srv.URL+"/graphql", "application/json", bytes.NewReader([]byte(big)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out gqlResponse
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != http.StatusRequestEntityTooLarge || len(out.Errors) == 0 || out.Errors[0].Extensions["code"] != "REQUEST_TOO_LARGE" {
		t.Fatalf("oversized body: %d %+v", res.StatusCode, out.Errors)
	}
	// A chunked body of unknown length is cut off too.
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode < 400 {
		t.Fatalf("chunked oversized body accepted: %d", res2.StatusCode)
	}
}

func TestConsoleIsServed(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	for path, want := range map[string]string{"/": `href="/console"`, "/graphiql": "/static/graphiql.min.js", "/console": "/console/assets/"} {
		res := mustGet(t, a.srv.URL+path)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, want a page with %s", path, res.StatusCode, want)
		}
	}
}

// TestDeferIsDeliveredInline: @defer is a hint (the incremental delivery
// proposal lets a server deliver deferred fields inline); Village answers
// every request in one response, so deferred fields come in it, complete.
func TestDeferIsDeliveredInline(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeed(t, db)
		a := newAPI(t, db, server.Config{})
		body, _ := json.Marshal(map[string]any{"query": `{ services(first: 3) { edges { node {
			id ... @defer(label: "owner") { organization { name } } } } } }`})
		res, err := http.Post(a.srv.URL+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var out struct {
			Data struct {
				Services struct {
					Edges []struct {
						Node struct {
							ID           string
							Organization *struct{ Name string }
						}
					}
				}
			}
			Errors  []gqlError
			HasNext *bool
		}
		if err := json.Unmarshal(raw, &out); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%d %v\n%s", res.StatusCode, err, raw)
		}
		if len(out.Errors) > 0 || out.HasNext != nil {
			t.Fatalf("errors %v, hasNext %v: want one complete response\n%s", out.Errors, out.HasNext, raw)
		}
		if len(out.Data.Services.Edges) != 3 {
			t.Fatalf("want 3 services, got %s", raw)
		}
		for _, e := range out.Data.Services.Edges {
			if e.Node.Organization == nil || e.Node.Organization.Name == "" {
				t.Errorf("service %s: deferred organization missing: %s", e.Node.ID, raw)
			}
		}
	})
}

// TestFullUpsertBatchFitsTheBodyLimit: the default body limit takes a full
// upsert batch (write.MaxBatch services) whose records carry the long text
// real directories have, about 1.5 KB each; the limit was 1 MiB, which
// refused such a batch with 413 although the API invites it.
func TestFullUpsertBatchFitsTheBodyLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		org := relay.Encode(m.org())
		batch := make([]map[string]any, write.MaxBatch)
		for i := range batch {
			batch[i] = map[string]any{
				"externalSource": "bulk", "externalID": fmt.Sprintf("svc-%04d", i), "organizationID": org,
				"name":               fmt.Sprintf("Home visiting team %d", i),
				"description":        strings.Repeat("Nurses visit families at home from pregnancy until the child turns two. ", 14),
				"applicationProcess": strings.Repeat("Call the intake line or ask your clinic for a referral. ", 5),
				"languages":          []string{"en", "es"},
				"eligibility":        map[string]any{"minAgeMonths": 0, "maxAgeMonths": 24, "acceptsPregnant": true},
			}
		}
		body, _ := json.Marshal(map[string]any{"variables": map[string]any{"in": batch}})
		if len(body) <= 1<<20 {
			t.Fatalf("batch of %d bytes does not exercise the old limit", len(body))
		}
		var out struct {
			UpsertServices []struct{ Outcome string }
		}
		m.ok(m.admin, `mutation($in: [UpsertServiceInput!]!) { upsertServices(input: $in) { outcome } }`,
			map[string]any{"in": batch}, &out)
		if len(out.UpsertServices) != write.MaxBatch || out.UpsertServices[0].Outcome != "CREATED" {
			t.Errorf("%d outcomes, first %+v; want %d CREATED", len(out.UpsertServices), out.UpsertServices[:min(1, len(out.UpsertServices))], write.MaxBatch)
		}
	})
}

// TestReadyOnceTheMatchIndexIsBuilt: with WarmIndexes (village serve), the
// match and search indexes are built as the server starts, and /readyz
// answers ready only once they are, so no family's first match (nor a
// worker's first search) waits for them.
func TestReadyOnceTheMatchIndexIsBuilt(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		metrics := telemetry.NewMetrics()
		a := newAPI(t, db, server.Config{WarmIndexes: true, Metrics: metrics})
		deadline := time.Now().Add(time.Minute)
		for {
			res := mustGet(t, a.srv.URL+"/readyz")
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
			if !strings.HasPrefix(string(body), "starting") || time.Now().After(deadline) {
				t.Fatalf("/readyz while starting: %d %q", res.StatusCode, body)
			}
			time.Sleep(10 * time.Millisecond)
		}
		for _, gauge := range []string{"village_match_index_records", "village_search_index_records"} {
			if records := gaugeValue(t, metrics, gauge); records == 0 {
				t.Errorf("/readyz answered ready before %s was built", gauge)
			}
		}
	})
}

// TestMemoryLimitOnceIndexesAreBuilt: with MemoryHeadroom (village serve's
// default), the soft memory limit is set once the indexes are built: above
// what the process holds by at least the response cache and the headroom.
func TestMemoryLimitOnceIndexesAreBuilt(t *testing.T) {
	before := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		const cache, headroom = 16 << 20, 32 << 20
		a := newAPI(t, db, server.Config{WarmIndexes: true, ResponseCacheBytes: cache, MemoryHeadroom: headroom})
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
			res := mustGet(t, a.srv.URL+"/readyz")
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("never ready")
			}
		}
		limit := debug.SetMemoryLimit(-1)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if limit == math.MaxInt64 || limit < cache+headroom || limit > int64(ms.Sys)+cache+headroom+int64(ms.Sys)/4 {
			t.Errorf("memory limit %d once ready (the runtime holds %d)", limit, ms.Sys-ms.HeapReleased)
		}
	})
}

// gaugeValue reads an unlabelled gauge.
func gaugeValue(t *testing.T, m *telemetry.Metrics, name string) float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no gauge %s", name)
	return 0
}
