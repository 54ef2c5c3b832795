package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// call posts a GraphQL document with the given Authorization header
// values (none: no header) and returns the decoded response and headers.
func (a *api) call(authorization []string, query string, vars map[string]any) (gqlResponse, http.Header) {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, v := range authorization {
		req.Header.Add("Authorization", v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("decode response (%d): %v\n%s", res.StatusCode, err, raw)
	}
	out.Status = res.StatusCode
	return out, res.Header
}

// keyed is the API as one client sees it: with an API key's secret, or
// anonymous when the secret is empty.
type keyed struct {
	a      *api
	secret string
}

func (a *api) as(secret string) keyed { return keyed{a, secret} }

func (k keyed) query(query string, vars map[string]any) gqlResponse {
	k.a.t.Helper()
	var h []string
	if k.secret != "" {
		h = []string{"Bearer " + k.secret}
	}
	res, _ := k.a.call(h, query, vars)
	return res
}

// ok runs a query that must succeed and decodes its data into dst.
func (k keyed) ok(query string, vars map[string]any, dst any) {
	k.a.t.Helper()
	res := k.query(query, vars)
	if res.Status != http.StatusOK || len(res.Errors) > 0 {
		k.a.t.Fatalf("query failed (%d): %+v\nquery: %s", res.Status, res.Errors, query)
	}
	if err := json.Unmarshal(res.Data, dst); err != nil {
		k.a.t.Fatalf("decode data: %v\n%s", err, res.Data)
	}
}

func mustKey(t *testing.T, db *store.DB, name string, role auth.Role, orgs ...int) string {
	t.Helper()
	secret, _, err := auth.CreateKey(context.Background(), db.Client, name, role, orgs)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// expectUnauthenticated checks a refused request: 401, a GraphQL-shaped
// UNAUTHENTICATED error, a Bearer challenge, no data.
func expectUnauthenticated(t *testing.T, what string, res gqlResponse, h http.Header) {
	t.Helper()
	if res.Status != http.StatusUnauthorized {
		t.Errorf("%s: status %d, want 401", what, res.Status)
	}
	if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || res.Errors[0].Message == "" {
		t.Errorf("%s: errors %+v, want one UNAUTHENTICATED", what, res.Errors)
	}
	if len(res.Data) > 0 && string(res.Data) != "null" {
		t.Errorf("%s: data %s with a 401", what, res.Data)
	}
	if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("%s: WWW-Authenticate %q, want a Bearer challenge", what, h.Get("WWW-Authenticate"))
	}
}

func TestAuthentication(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reader := mustKey(t, db, "Partner app", auth.Reader)
		revoked := mustKey(t, db, "Old app", auth.Staff)
		keys, err := auth.ListKeys(ctx, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if k.Name == "Old app" {
				if err := auth.RevokeKey(ctx, db.Client, k.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		a := newAPI(t, db, server.Config{})
		const q = `{ programs { totalCount } }`

		// No key: the public.
		if res, _ := a.call(nil, q, nil); res.Status != http.StatusOK || len(res.Errors) > 0 {
			t.Fatalf("anonymous read: %d %+v", res.Status, res.Errors)
		}
		// A good key, with the scheme in any case.
		for _, h := range []string{"Bearer " + reader, "bearer " + reader, "BEARER  " + reader + " "} {
			if res, _ := a.call([]string{h}, q, nil); res.Status != http.StatusOK || len(res.Errors) > 0 {
				t.Errorf("%q: %d %+v", h[:8], res.Status, res.Errors)
			}
		}
		// Anything else is refused, never served as anonymous.
		unknown := "vlg_" + strings.Repeat("a", 52)
		for what, h := range map[string][]string{
			"unknown key":          {"Bearer " + unknown},
			"malformed key":        {"Bearer hello"},
			"truncated key":        {"Bearer " + reader[:12]},
			"key with extra":       {"Bearer " + reader + "x"},
			"revoked key":          {"Bearer " + revoked},
			"basic scheme":         {"Basic dXNlcjpwYXNz"},
			"bare secret":          {reader},
			"scheme without key":   {"Bearer"},
			"scheme with blanks":   {"Bearer    "},
			"empty header":         {""},
			"two headers":          {"Bearer " + reader, "Bearer " + reader},
			"token scheme":         {"Token " + reader},
			"bearer in the secret": {"Bearer Bearer " + reader},
		} {
			res, hdr := a.call(h, q, nil)
			expectUnauthenticated(t, what, res, hdr)
			if strings.Contains(res.Errors[0].Message, reader) {
				t.Errorf("%s: the error repeats the secret", what)
			}
		}
		// GET is authenticated the same way.
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/graphql?query="+strings.ReplaceAll(q, " ", "+"), nil)
		req.Header.Set("Authorization", "Bearer "+unknown)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET with an unknown key: %d", res.StatusCode)
		}
	})
}

// TestRevocationTakesEffectAtOnce revokes a key between two requests of
// one client: the second is refused.
func TestRevocationTakesEffectAtOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret, key, err := auth.CreateKey(ctx, db.Client, "Call center", auth.Staff, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := newAPI(t, db, server.Config{})
		const q = `{ programs { totalCount } }`
		for range 3 {
			if res, _ := a.call([]string{"Bearer " + secret}, q, nil); res.Status != http.StatusOK || len(res.Errors) > 0 {
				t.Fatalf("before revocation: %d %+v", res.Status, res.Errors)
			}
		}
		if err := auth.RevokeKey(ctx, db.Client, key.ID); err != nil {
			t.Fatal(err)
		}
		res, h := a.call([]string{"Bearer " + secret}, q, nil)
		expectUnauthenticated(t, "right after revocation", res, h)
		if !strings.Contains(res.Errors[0].Message, "revoked") {
			t.Errorf("message %q does not say the key was revoked", res.Errors[0].Message)
		}
	})
}

// TestCORSWithoutKey: a browser's preflight carries no key and is answered;
// a refused request still carries the CORS headers, so the page can read
// why.
func TestCORSWithoutKey(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	req, _ := http.NewRequest(http.MethodOptions, a.srv.URL+"/graphql", nil)
	req.Header.Set("Origin", "https://app.example.org")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 || res.Header.Get("Access-Control-Allow-Origin") == "" ||
		!strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Fatalf("preflight: %d %v", res.StatusCode, res.Header)
	}

	req, _ = http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(`{"query":"{ programs { totalCount } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://app.example.org")
	req.Header.Set("Authorization", "Bearer vlg_nope")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatalf("cross-origin refusal: %d %v", res.StatusCode, res.Header)
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRequestLogNamesTheKey: the request log line says which key (by name)
// a request used, never its secret.
func TestRequestLogNamesTheKey(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	secret := mustKey(t, db, "Partner app", auth.Reader)
	var logs syncBuffer
	h := server.New(db, server.Config{}, slog.New(slog.NewTextHandler(&logs, nil)))
	serve := func(authorization string) string {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ programs { totalCount } }"}`))
		req.Header.Set("Content-Type", "application/json")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		before := len(logs.String())
		h.ServeHTTP(httptest.NewRecorder(), req)
		return logs.String()[before:]
	}
	line := serve("Bearer " + secret)
	if !strings.Contains(line, `key="Partner app"`) || !strings.Contains(line, "role=READER") || strings.Contains(line, secret) {
		t.Errorf("log line with a key: %s", line)
	}
	if line := serve(""); !strings.Contains(line, "role=ANONYMOUS") || !strings.Contains(line, `key=""`) {
		t.Errorf("anonymous log line: %s", line)
	}
	if line := serve("Bearer " + secret + "x"); !strings.Contains(line, "status=401") || strings.Contains(line, secret) {
		t.Errorf("refused log line: %s", line)
	}
}
