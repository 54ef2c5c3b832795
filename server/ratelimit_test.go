package server_test

import (
	"encoding/json"
	"fmt"
	"net"
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

// TestRateLimitFailedKeys: a request whose key is refused spends its
// address's budget, the one anonymous requests from there spend, so a
// key-guessing run from one address is answered 429 RATE_LIMITED with
// Retry-After past the burst, while valid keys, even from the same
// address, and other addresses keep their own budgets.
func TestRateLimitFailedKeys(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		const burst = 10
		a := newAPI(t, db, server.Config{RateLimit: server.RateLimit{PerSecond: 0.001, Burst: burst}})
		valid, _, err := auth.CreateKey(t.Context(), db.Client, "partner", auth.Reader, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The test server listens on 127.0.0.1; a client bound to
		// 127.0.0.2 (loopback too) calls from another address.
		otherAddress := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
			LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")},
		}).DialContext}}
		post := func(client *http.Client, authorization string) (int, string, string) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(`{"query":"{ programs { totalCount } }"}`))
			req.Header.Set("Content-Type", "application/json")
			if authorization != "" {
				req.Header.Set("Authorization", authorization)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out gqlResponse
			_ = json.NewDecoder(res.Body).Decode(&out)
			code := ""
			if len(out.Errors) > 0 {
				code, _ = out.Errors[0].Extensions["code"].(string)
			}
			return res.StatusCode, code, res.Header.Get("Retry-After")
		}
		// Well-formed secrets, so each is looked up as a real guess would be.
		guess := func(i int) string { return fmt.Sprintf("Bearer vlg_%052d", i) }
		for i := range 100 {
			status, code, retryAfter := post(http.DefaultClient, guess(i))
			retry, _ := strconv.Atoi(retryAfter)
			switch {
			case i < burst && (status != http.StatusUnauthorized || code != "UNAUTHENTICATED"):
				t.Fatalf("guess %d, within the address's burst: %d %s, want 401 UNAUTHENTICATED", i+1, status, code)
			case i >= burst && (status != http.StatusTooManyRequests || code != "RATE_LIMITED" || retry < 1):
				t.Fatalf("guess %d, past the address's burst: %d %s Retry-After %q, want 429 RATE_LIMITED with Retry-After", i+1, status, code, retryAfter)
			}
		}
		for _, c := range []struct {
			name          string
			client        *http.Client
			authorization string
			status        int
			code          string
		}{
			{"another scheme from the guessing address", http.DefaultClient, "Basic dXNlcjpwYXNz", http.StatusTooManyRequests, "RATE_LIMITED"},
			{"anonymous from the guessing address", http.DefaultClient, "", http.StatusTooManyRequests, "RATE_LIMITED"},
			{"a valid key from the guessing address", http.DefaultClient, "Bearer " + valid, http.StatusOK, ""},
			{"a valid key from another address", otherAddress, "Bearer " + valid, http.StatusOK, ""},
			{"anonymous from another address", otherAddress, "", http.StatusOK, ""},
			{"a wrong key from another address", otherAddress, guess(0), http.StatusUnauthorized, "UNAUTHENTICATED"},
		} {
			if status, code, _ := post(c.client, c.authorization); status != c.status || code != c.code {
				t.Errorf("%s: %d %q, want %d %q", c.name, status, code, c.status, c.code)
			}
		}
	})
}
