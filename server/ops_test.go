package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/telemetry"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// send makes a request to a and returns the response with its body read.
func (a *api) send(method, path string, body string, header map[string]string) (*http.Response, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// The transport would ask for gzip and decode it unseen: the tests
	// that look at compression ask themselves.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return res, raw
}

func gqlGET(query string) string {
	return "/graphql?query=" + url.QueryEscape(query)
}

// TestMetrics: /metrics says, in Prometheus' format, what was served: HTTP
// requests by route and status, GraphQL operations by name, type and
// outcome, errors by code, the database pool and the match index.
func TestMetrics(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{Metrics: telemetry.NewMetrics(), ServeMetrics: true})
		a.send(http.MethodPost, "/graphql", `{"query":"query Programs { programs { totalCount } }"}`, nil)
		a.send(http.MethodPost, "/graphql", `{"query":"query Broken { nope }"}`, nil)
		a.send(http.MethodGet, "/hsds/services", "", nil)
		a.send("FOO1", "/", "", nil) // made-up methods are one label, not a series each
		a.send("FOO2", "/", "", nil)
		var m struct{ Match struct{ TotalCount int } }
		a.ok(`query($f: FamilyInput!) { match(family: $f) { totalCount } }`,
			map[string]any{"f": map[string]any{"zip": "02121", "childAgeMonths": 24}}, &m)
		res, body := a.send(http.MethodGet, "/metrics", "", nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("/metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		text := string(body)
		if strings.Contains(text, `method="FOO1"`) || !strings.Contains(text, `method="OTHER"`) {
			t.Errorf("made-up methods are not one OTHER label:\n%s", text)
		}
		for _, want := range []string{
			`village_http_requests_total{method="POST",route="/graphql",status="200"} 2`,
			`village_http_requests_total{method="POST",route="/graphql",status="422"} 1`,
			`village_http_requests_total{method="GET",route="/hsds/",status="200"} 1`,
			`village_http_request_duration_seconds_count{method="POST",route="/graphql"} 3`,
			`village_graphql_operations_total{operation="Programs",outcome="ok",type="query"} 1`,
			// A refused document takes no operation-name slot.
			`village_graphql_operations_total{operation="(other)",outcome="error",type="query"} 1`,
			`village_graphql_operations_total{operation="(anonymous)",outcome="ok",type="query"} 1`,
			`village_graphql_operation_duration_seconds_count{operation="Programs",type="query"} 1`,
			`village_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1`,
			`go_sql_max_open_connections{db_name="` + db.Dialect + `"}`,
			`village_match_index_build_seconds `,
			`village_match_index_age_seconds `,
			`village_search_index_records `, // 0: no search was run
			`village_search_index_build_seconds `,
			`village_search_index_bytes `,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		records := regexp.MustCompile(`(?m)^village_match_index_records (\d+)$`).FindStringSubmatch(text)
		if records == nil || records[1] == "0" {
			t.Errorf("the match index's records after a match: %v", records)
		}
		// The index's bytes: each service it holds keeps at least its row
		// (several hundred bytes), and far less than a megabyte.
		size := regexp.MustCompile(`(?m)^village_match_index_bytes (\S+)$`).FindStringSubmatch(text)
		if size == nil || records == nil {
			t.Fatalf("/metrics lacks village_match_index_bytes: %v", size)
		}
		bytes, _ := strconv.ParseFloat(size[1], 64)
		n, _ := strconv.Atoi(records[1])
		if perRecord := bytes / float64(n); perRecord < 300 || perRecord > 1<<20 {
			t.Errorf("village_match_index_bytes %s for %d services: %.0f bytes each", size[1], n, perRecord)
		}
	})
}

// TestTracing: a request yields an HTTP span (continuing the caller's W3C
// trace), a GraphQL operation span under it and SQL spans under that; no
// span records the operation's variables.
func TestTracing(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			db := testdb.Open(t, backend, store.Options{TracerProvider: tp})
			loadSeed(t, db)
			exp.Reset()
			a := newAPI(t, db, server.Config{TracerProvider: tp})
			const secret = "Secret-Variable-Value-4711"
			const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
			res, body := a.send(http.MethodPost, "/graphql",
				`{"query":"query Named($q: String) { programs(where: {nameContains: $q}) { totalCount } }","variables":{"q":"`+secret+`"}}`,
				map[string]string{"traceparent": parent})
			if res.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)) {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
			spans := exp.GetSpans()
			byID := map[trace.SpanID]tracetest.SpanStub{}
			for _, s := range spans {
				byID[s.SpanContext.SpanID()] = s
				if s.SpanContext.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" {
					t.Errorf("span %q is not in the caller's trace: %s", s.Name, s.SpanContext.TraceID())
				}
				for _, kv := range append(append([]attribute.KeyValue{}, s.Attributes...), s.Resource.Attributes()...) {
					if strings.Contains(kv.Value.Emit(), secret) {
						t.Errorf("span %q records the variable in %s", s.Name, kv.Key)
					}
				}
			}
			find := func(name string) *tracetest.SpanStub {
				for _, s := range spans {
					if s.Name == name {
						return &s
					}
				}
				return nil
			}
			httpSpan, opSpan := find("POST /graphql"), find("query Named")
			if httpSpan == nil || opSpan == nil {
				t.Fatalf("spans %v: want POST /graphql and query Named", spanNames(spans))
			}
			if httpSpan.Parent.SpanID().String() != "b7ad6b7169203331" {
				t.Errorf("the HTTP span's parent is %s, want the caller's", httpSpan.Parent.SpanID())
			}
			if opSpan.Parent.SpanID() != httpSpan.SpanContext.SpanID() {
				t.Errorf("the operation span's parent is not the HTTP span")
			}
			sqlUnderOp := 0
			for _, s := range spans {
				if s.Name != "SELECT" {
					continue
				}
				for p := s.Parent.SpanID(); p.IsValid(); p = byID[p].Parent.SpanID() {
					if p == opSpan.SpanContext.SpanID() {
						sqlUnderOp++
						break
					}
				}
			}
			if sqlUnderOp == 0 {
				t.Errorf("no SQL span under the operation's: %v", spanNames(spans))
			}
		})
	}
}

func spanNames(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

// TestRequestIDAndJSONLog: a request's ID is the client's X-Request-ID or
// a new one, echoed in the response header and in every GraphQL error's
// extensions; the JSON log line holds it with the operation, the role
// (never the key's secret), the status and the duration.
func TestRequestIDAndJSONLog(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	secret := mustKey(t, db, "Partner app", auth.Reader)
	var logs syncBuffer
	srv := server.New(db, server.Config{}, slog.New(slog.NewJSONHandler(&logs, nil)))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	a := &api{t: t, srv: ts}

	res, body := a.send(http.MethodPost, "/graphql", `{"query":"query Broken { nope }"}`,
		map[string]string{"X-Request-ID": "client-id-1", "Authorization": "Bearer " + secret})
	if got := res.Header.Get("X-Request-ID"); got != "client-id-1" {
		t.Errorf("X-Request-ID echoed %q", got)
	}
	var out gqlResponse
	if err := json.Unmarshal(body, &out); err != nil || len(out.Errors) == 0 || out.Errors[0].Extensions["requestId"] != "client-id-1" {
		t.Errorf("error without the request id: %s", body)
	}
	// Errors the transport answers itself carry it too.
	_, body = a.send(http.MethodPost, "/graphql", `not json`, map[string]string{"X-Request-ID": "client-id-2"})
	if !strings.Contains(string(body), `"requestId":"client-id-2"`) {
		t.Errorf("a BAD_REQUEST without the request id: %s", body)
	}
	// So do the server's own refusals (a wrong key here).
	res, body = a.send(http.MethodPost, "/graphql", `{"query":"{ __typename }"}`,
		map[string]string{"X-Request-ID": "client-id-3", "Authorization": "Bearer wrong"})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"requestId":"client-id-3"`) {
		t.Errorf("a 401 without the request id: %d %s", res.StatusCode, body)
	}
	// Without one (or with one unusable), the server makes one.
	res, body = a.send(http.MethodGet, gqlGET("{ nope }"), "", map[string]string{"X-Request-ID": "has spaces"})
	made := res.Header.Get("X-Request-ID")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(made) || !strings.Contains(string(body), `"requestId":"`+made+`"`) {
		t.Errorf("made request id %q, body %s", made, body)
	}

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("a log line that is not JSON: %s", l)
		}
		if m["msg"] == "http request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 4 {
		t.Fatalf("%d request lines: %s", len(lines), logs.String())
	}
	first := lines[0]
	for k, want := range map[string]any{"request_id": "client-id-1", "operation": "Broken", "operation_type": "query",
		"role": "READER", "key": "Partner app", "status": 422.0, "route": "/graphql"} {
		if first[k] != want {
			t.Errorf("log %s = %v, want %v", k, first[k], want)
		}
	}
	if _, ok := first["duration_ms"].(float64); !ok {
		t.Errorf("log line without duration_ms: %v", first)
	}
	if strings.Contains(logs.String(), secret) {
		t.Error("the log holds a key's secret")
	}
	if lines[3]["request_id"] != made {
		t.Errorf("log line's id %v, response's %s", lines[2]["request_id"], made)
	}
}

// TestCompression: GraphQL, HSDS and console answers are compressed for a
// client that accepts it, and decode to what was asked.
func TestCompression(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{StreamBatch: 3})
		gz := map[string]string{"Accept-Encoding": "gzip"}
		for _, c := range []struct{ method, path, body, want string }{
			{http.MethodPost, "/graphql", `{"query":"{ __schema { types { name } } }"}`, `"__schema"`},
			{http.MethodGet, gqlGET("{ programs(first: 50) { edges { node { name description } } } }"), "", `"programs"`},
			{http.MethodGet, "/hsds/services", "", `"contents"`},
			{http.MethodGet, "/hsds/services?format=ndjson", "", "\n"},
			{http.MethodGet, "/graphiql", "", "<html"},
			{http.MethodGet, "/console/counties.json", "", `"counties"`},
		} {
			res, body := a.send(c.method, c.path, c.body, gz)
			if res.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("%s %s: Content-Encoding %q", c.method, c.path, res.Header.Get("Content-Encoding"))
				continue
			}
			if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s %s: Vary %q", c.method, c.path, res.Header.Values("Vary"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || !strings.Contains(string(plain), c.want) {
				t.Errorf("%s %s: decoded %v %.200s", c.method, c.path, err, plain)
			}
		}
	})
}

// TestHTTPCaching: an anonymous GET is public with an ETag that holds
// until the change feed moves, and If-None-Match answers 304; a key's
// requests are private, POSTs and errors not stored.
func TestHTTPCaching(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeed(t, db)
		secret := mustKey(t, db, "Partner app", auth.Reader)
		a := newAPI(t, db, server.Config{CacheMaxAge: 300e9, AllowedOrigins: []string{"https://app.example"}})
		origin := map[string]string{"Origin": "https://app.example"}
		path := gqlGET("{ programs { totalCount } }")
		res, _ := a.send(http.MethodGet, path, "", origin)
		etag := res.Header.Get("ETag")
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=300" || !strings.HasPrefix(etag, `W/"`) {
			t.Fatalf("anonymous GET: %d %q %q", res.StatusCode, res.Header.Get("Cache-Control"), etag)
		}
		vary := strings.Join(res.Header.Values("Vary"), ",")
		for _, h := range []string{"Authorization", "Accept", "Accept-Encoding", "Origin"} {
			if !strings.Contains(vary, h) {
				t.Errorf("Vary %q lacks %s", vary, h)
			}
		}
		// "*" is no validator of an answer: it never turns into a 304.
		if res, _ := a.send(http.MethodGet, path, "", map[string]string{"If-None-Match": "*"}); res.StatusCode != http.StatusOK {
			t.Errorf("If-None-Match: * answered %d", res.StatusCode)
		}
		res, body := a.send(http.MethodGet, path, "", map[string]string{"If-None-Match": etag})
		if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match of the current ETag: %d %q", res.StatusCode, body)
		}
		// HSDS reads too.
		res, _ = a.send(http.MethodGet, "/hsds/services", "", nil)
		hsdsTag := res.Header.Get("ETag")
		if res.Header.Get("Cache-Control") != "public, max-age=300" || hsdsTag == "" {
			t.Errorf("HSDS GET: %q %q", res.Header.Get("Cache-Control"), hsdsTag)
		}
		// A write moves the feed: the ETags change.
		p, err := db.Client.Program.Query().Order(program.ByID()).First(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Client.Program.UpdateOne(p).SetDescription(p.Description + " (updated)").Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		res, _ = a.send(http.MethodGet, path, "", map[string]string{"If-None-Match": etag})
		if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == etag || res.Header.Get("ETag") == "" {
			t.Errorf("after a write: %d, ETag %q (was %q)", res.StatusCode, res.Header.Get("ETag"), etag)
		}
		if res, _ = a.send(http.MethodGet, "/hsds/services", "", map[string]string{"If-None-Match": hsdsTag}); res.StatusCode != http.StatusOK {
			t.Errorf("HSDS after a write: %d", res.StatusCode)
		}
		// Persisted queries sent by GET are public too.
		const doc = "{ programs { totalCount } }"
		sum := sha256.Sum256([]byte(doc))
		ext := url.QueryEscape(`{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`)
		a.send(http.MethodGet, "/graphql?query="+url.QueryEscape(doc)+"&extensions="+ext, "", nil) // registers it
		res, body = a.send(http.MethodGet, "/graphql?extensions="+ext, "", nil)
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=300" || !strings.Contains(string(body), "totalCount") {
			t.Errorf("persisted GET: %d %q %s", res.StatusCode, res.Header.Get("Cache-Control"), body)
		}
		for _, c := range []struct {
			name, method, path, body string
			header                   map[string]string
			want                     string
		}{
			{"with a key", http.MethodGet, path, "", map[string]string{"Authorization": "Bearer " + secret}, "private, no-store"},
			{"a POST", http.MethodPost, "/graphql", `{"query":"{ programs { totalCount } }"}`, nil, "no-store"},
			{"an error", http.MethodGet, gqlGET("{ nope }"), "", nil, "no-store"},
			{"an HSDS error", http.MethodGet, "/hsds/services/nope", "", nil, "no-store"},
		} {
			res, _ := a.send(c.method, c.path, c.body, c.header)
			if res.Header.Get("Cache-Control") != c.want || res.Header.Get("ETag") != "" {
				t.Errorf("%s: Cache-Control %q, ETag %q; want %q and none", c.name, res.Header.Get("Cache-Control"), res.Header.Get("ETag"), c.want)
			}
		}
	})
}

// TestCORSForGraphQLClients: a browser client sending trace context, a
// request ID and Apollo's headers passes the preflight, and may read the
// request ID.
func TestCORSForGraphQLClients(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{AllowedOrigins: []string{"https://app.example"}})
	// Browsers send the list lowercase and sorted (Fetch).
	asked := "apollo-require-preflight,apollographql-client-name,apollographql-client-version,authorization,baggage,content-type,traceparent,tracestate,village-read-after,x-request-id"
	res, _ := a.send(http.MethodOptions, "/graphql", "", map[string]string{
		"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": asked,
	})
	allowed := strings.ToLower(res.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range strings.Split(asked, ",") {
		if !strings.Contains(allowed, h) {
			t.Errorf("preflight does not allow %s: %q (status %d)", h, allowed, res.StatusCode)
		}
	}
	res, _ = a.send(http.MethodPost, "/graphql", `{"query":"{ __typename }"}`, map[string]string{"Origin": "https://app.example"})
	for _, h := range []string{"x-request-id", "village-read-after"} {
		if !strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Expose-Headers")), h) {
			t.Errorf("Access-Control-Expose-Headers %q lacks %s", res.Header.Get("Access-Control-Expose-Headers"), h)
		}
	}
}

// TestReadAfterTokenRefused: a Village-Read-After header that is no
// token is refused by name, with or without read
// replicas; a token is accepted (without replicas, the primary, the only
// server, serves it).
func TestReadAfterTokenRefused(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	for _, token := range []string{"yesterday", "16/", "1/2/3"} {
		res, body := a.send(http.MethodPost, "/graphql", `{"query":"{ __typename }"}`, map[string]string{store.ReadAfterHeader: token})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), store.ReadAfterHeader) || !strings.Contains(string(body), `"BAD_REQUEST"`) {
			t.Errorf("token %q: %d %s", token, res.StatusCode, body)
		}
	}
	res, body := a.send(http.MethodPost, "/graphql", `{"query":"{ __typename }"}`, map[string]string{store.ReadAfterHeader: "0/16B3748"})
	if res.StatusCode != http.StatusOK || strings.Contains(string(body), "errors") {
		t.Errorf("a token: %d %s", res.StatusCode, body)
	}
}

// TestIntrospectionSwitch: with introspection off, __schema and __type are
// refused; __typename still answers.
func TestIntrospectionSwitch(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{DisableIntrospection: true})
	for _, q := range []string{`{ __schema { types { name } } }`, `{ __type(name: "Service") { name } }`} {
		if res := a.query(q, nil); len(res.Errors) == 0 {
			t.Errorf("%s answered with introspection off: %s", q, res.Data)
		}
	}
	var d struct {
		Typename string `json:"__typename"`
	}
	a.ok(`{ __typename }`, nil, &d)
	on := newAPI(t, db, server.Config{})
	var s struct {
		Schema struct{ Types []any } `json:"__schema"`
	}
	on.ok(`{ __schema { types { name } } }`, nil, &s)
	if len(s.Schema.Types) == 0 {
		t.Error("introspection on answered no types")
	}
}

// TestTrustedDocuments: with a manifest (Apollo's or Relay's), only listed
// documents run, named by doc_id or sha256Hash, by POST or GET, or sent as
// their exact text; nothing else runs, and automatic persisted queries
// register nothing.
func TestTrustedDocuments(t *testing.T) {
	const listed = "query Count { programs { totalCount } }"
	const unlisted = "{ programs { totalCount } }"
	sum := sha256.Sum256([]byte(listed))
	hash := hex.EncodeToString(sum[:])
	dir := t.TempDir()
	apollo := filepath.Join(dir, "apollo.json")
	relay := filepath.Join(dir, "relay.json")
	os.WriteFile(apollo, []byte(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"`+hash+`","name":"Count","type":"query","body":`+strconv.Quote(listed)+`}]}`), 0o644)
	os.WriteFile(relay, []byte(`{"relay-count-1":`+strconv.Quote(listed)+`}`), 0o644)
	db := testdb.Open(t, "sqlite3", store.Options{})
	loadSeed(t, db)
	for _, manifest := range []string{apollo, relay} {
		t.Run(filepath.Base(manifest), func(t *testing.T) {
			docs, err := graph.LoadTrustedDocuments(manifest)
			if err != nil {
				t.Fatal(err)
			}
			a := newAPI(t, db, server.Config{TrustedDocuments: docs})
			apq := func(h string) string {
				return `{"persistedQuery":{"version":1,"sha256Hash":"` + h + `"}}`
			}
			okCases := []struct{ method, path, body string }{
				{http.MethodPost, "/graphql", `{"extensions":` + apq(hash) + `}`},
				{http.MethodGet, "/graphql?extensions=" + url.QueryEscape(apq(hash)), ""},
				{http.MethodPost, "/graphql", `{"query":` + strconv.Quote(listed) + `}`},
			}
			if manifest == relay {
				okCases = append(okCases,
					struct{ method, path, body string }{http.MethodPost, "/graphql", `{"doc_id":"relay-count-1","variables":{}}`},
					struct{ method, path, body string }{http.MethodGet, "/graphql?doc_id=relay-count-1", ""})
			}
			for _, c := range okCases {
				res, body := a.send(c.method, c.path, c.body, nil)
				if res.StatusCode != 200 || !strings.Contains(string(body), `"totalCount":7`) {
					t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, res.StatusCode, body)
				}
			}
			unlistedSum := sha256.Sum256([]byte(unlisted))
			unlistedHash := hex.EncodeToString(unlistedSum[:])
			for _, c := range []struct{ body, code string }{
				{`{"query":` + strconv.Quote(unlisted) + `}`, graph.CodePersistedQueryNotInList},
				{`{"query":"{ __schema { types { name } } }"}`, graph.CodePersistedQueryNotInList},
				{`{"doc_id":"nope"}`, graph.CodePersistedQueryNotFound},
				// An automatic persisted query's registration is refused,
				// and registers nothing.
				{`{"query":` + strconv.Quote(unlisted) + `,"extensions":` + apq(unlistedHash) + `}`, graph.CodePersistedQueryNotFound},
				{`{"extensions":` + apq(unlistedHash) + `}`, graph.CodePersistedQueryNotFound},
			} {
				_, body := a.send(http.MethodPost, "/graphql", c.body, nil)
				var out gqlResponse
				if err := json.Unmarshal(body, &out); err != nil || len(out.Errors) == 0 || out.Errors[0].Extensions["code"] != c.code {
					t.Errorf("%s: %s, want %s", c.body, body, c.code)
				}
			}
		})
	}
	// Without the mode, a doc_id is refused by name; APQ works as before.
	a := newAPI(t, db, server.Config{})
	_, body := a.send(http.MethodPost, "/graphql", `{"doc_id":"relay-count-1"}`, nil)
	if !strings.Contains(string(body), graph.CodePersistedQueryNotFound) {
		t.Errorf("doc_id without trusted documents: %s", body)
	}
	for _, bad := range []string{`[]`, `{}`, `{"operations":[{"id":"x"}]}`, `{"a":1}`} {
		if _, err := graph.ParseTrustedDocuments([]byte(bad)); err == nil {
			t.Errorf("manifest %s accepted", bad)
		}
	}
}
