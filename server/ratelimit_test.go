package server_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestRateLimitPerCaller: with a limit set, each caller (an API key, or an
// address without one) gets its own bucket: past its burst a caller is
// answered 429 RATE_LIMITED with Retry-After, while another key, and
// health checks, still pass.
func TestRateLimitPerCaller(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		// A refill slow enough that no token comes back during the test.
		a := newAPI(t, db, server.Config{RateLimit: server.RateLimit{PerSecond: 0.001, Burst: 3}})
		reader, _, err := auth.CreateKey(t.Context(), db.Client, "limited partner", auth.Reader, nil)
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := auth.CreateKey(t.Context(), db.Client, "other partner", auth.Reader, nil)
		if err != nil {
			t.Fatal(err)
		}
		post := func(secret string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			if secret != "" {
				req.Header.Set("Authorization", "Bearer "+secret)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		for _, caller := range []struct{ name, secret string }{{"anonymous", ""}, {"reader key", reader}} {
			for i := range 3 {
				res := post(caller.secret)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s, request %d of its burst: %d", caller.name, i+1, res.StatusCode)
				}
			}
			res := post(caller.secret)
			var out gqlResponse
			_ = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
			if res.StatusCode != http.StatusTooManyRequests || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "RATE_LIMITED" || retry < 1 {
				t.Errorf("%s past its burst: %d Retry-After %q %+v, want 429 RATE_LIMITED with Retry-After", caller.name, res.StatusCode, res.Header.Get("Retry-After"), out.Errors)
			}
		}
		res := post(other)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("another key, after the first was limited: %d, want 200", res.StatusCode)
		}
		for range 5 {
			res := mustGet(t, a.srv.URL+"/healthz")
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("health check of a limited address: %d", res.StatusCode)
			}
		}
	})
}
