package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// discardLog is the logger of servers under test: it writes nowhere.
func discardLog() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// loadSeed loads the seed directory into db.
func loadSeed(tb testing.TB, db *store.DB) {
	tb.Helper()
	if _, err := seed.Load(context.Background(), db.Client); err != nil {
		tb.Fatal(err)
	}
}

// loadSeedAndSamples loads the seed directory and its illustrative samples
// into db.
func loadSeedAndSamples(tb testing.TB, db *store.DB) {
	tb.Helper()
	loadSeed(tb, db)
	if _, err := seed.LoadSamples(context.Background(), db.Client); err != nil {
		tb.Fatal(err)
	}
}

// openCountingDB opens a fresh database on backend, with the counter of the
// SQL statements it runs.
func openCountingDB(tb testing.TB, backend string) (*store.DB, *testdb.Counter) {
	tb.Helper()
	counter, wrap := testdb.CountingDriver()
	return testdb.Open(tb, backend, store.Options{WrapDriver: wrap}), counter
}

// generateSynthetic adds a synthetic directory of size to db.
func generateSynthetic(tb testing.TB, db *store.DB, size synthetic.Size) synthetic.Report {
	tb.Helper()
	report, err := synthetic.Generate(context.Background(), db.Client, size, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return report
}

// mustGet sends a GET to url; only a failure to get any response fails the
// test.
func mustGet(t *testing.T, url string) *http.Response {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// gqlResponse is a GraphQL response as a client sees it.
type gqlResponse struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// api is a running Village HTTP server over a test database.
type api struct {
	t   *testing.T
	srv *httptest.Server
}

func newAPI(t *testing.T, db *store.DB, cfg server.Config) *api {
	t.Helper()
	srv := httptest.NewServer(server.New(db, cfg, discardLog()))
	t.Cleanup(srv.Close)
	return &api{t: t, srv: srv}
}

// query posts a GraphQL document and decodes the response.
func (a *api) query(query string, vars map[string]any) gqlResponse {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(a.srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		a.t.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	var out gqlResponse
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("decode response (%d): %v\n%s", res.StatusCode, err, raw)
	}
	out.Status = res.StatusCode
	return out
}

// ok runs a query that must succeed and decodes its data into dst.
func (a *api) ok(query string, vars map[string]any, dst any) {
	a.t.Helper()
	res := a.query(query, vars)
	if len(res.Errors) > 0 {
		a.t.Fatalf("query failed: %+v\nquery: %s", res.Errors, query)
	}
	if err := json.Unmarshal(res.Data, dst); err != nil {
		a.t.Fatalf("decode data: %v\n%s", err, res.Data)
	}
}

// fail runs a query that must fail with code and returns the first error.
func (a *api) fail(query string, vars map[string]any, code string) gqlError {
	a.t.Helper()
	res := a.query(query, vars)
	if len(res.Errors) == 0 {
		a.t.Fatalf("expected error %s, got data %s\nquery: %s", code, res.Data, query)
	}
	e := res.Errors[0]
	if e.Extensions["code"] != code {
		a.t.Fatalf("expected error code %s, got %+v\nquery: %s", code, res.Errors, query)
	}
	return e
}
