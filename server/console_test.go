package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// newConsoleServer mounts the handler the way the real server does.
func newConsoleServer(t *testing.T) *httptest.Server {
	t.Helper()
	h := consoleHandler()
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.Handle("/static/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func consoleDo(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestConsoleIndex(t *testing.T) {
	srv := newConsoleServer(t)
	resp, body := consoleDo(t, http.MethodGet, srv.URL+"/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if !strings.Contains(strings.ToLower(body), "graphiql") {
		t.Error("page does not mention graphiql")
	}
	if !strings.Contains(body, "GraphiQL.createFetcher({ url: '/graphql' })") {
		t.Error("page does not create the /graphql fetcher")
	}
	// Offline: nothing may be loaded from another origin.
	ref := regexp.MustCompile(`(?i)\b(src|href)\s*=\s*["']?\s*(https?:)?//`)
	if m := ref.FindString(body); m != "" {
		t.Errorf("page loads an external resource: %q", m)
	}
	for _, asset := range []string{
		"/static/react.production.min.js",
		"/static/react-dom.production.min.js",
		"/static/graphiql.min.js",
		"/static/graphiql.min.css",
	} {
		if !strings.Contains(body, `"`+asset+`"`) {
			t.Errorf("page does not load %s", asset)
		}
	}

	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'sha256-", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "http") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP too loose: %q", csp)
	}

	// HEAD works and revalidation by ETag gives 304.
	if resp, _ := consoleDo(t, http.MethodHead, srv.URL+"/"); resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD / = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET / = %d, want 304", r2.StatusCode)
	}
}

func TestConsoleCSPHashMatchesInlineScript(t *testing.T) {
	html, err := consoleFiles.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	csp, err := consoleCSP(html)
	if err != nil {
		t.Fatal(err)
	}
	// Changing the inline script must change the hash.
	other, err := consoleCSP([]byte(strings.Replace(string(html), "defaultQuery", "defaultQuery2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if csp == other {
		t.Error("CSP hash does not depend on the inline script")
	}
	if _, err := consoleCSP([]byte("<script>a</script><script>b</script>")); err == nil {
		t.Error("two inline scripts accepted")
	}
}

func TestConsoleAssets(t *testing.T) {
	srv := newConsoleServer(t)
	for _, tc := range []struct {
		path, ctype string
		minSize     int
	}{
		{"/static/react.production.min.js", "text/javascript", 5_000},
		{"/static/react-dom.production.min.js", "text/javascript", 100_000},
		{"/static/graphiql.min.js", "text/javascript", 500_000},
		{"/static/graphiql.min.css", "text/css", 50_000},
		{"/static/LICENSES/graphiql-LICENSE", "text/plain", 500},
	} {
		resp, body := consoleDo(t, http.MethodGet, srv.URL+tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", tc.path, resp.StatusCode)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
			t.Errorf("GET %s Content-Type = %q, want %s", tc.path, ct, tc.ctype)
		}
		if len(body) < tc.minSize {
			t.Errorf("GET %s: %d bytes, want at least %d", tc.path, len(body), tc.minSize)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Errorf("GET %s Cache-Control = %q", tc.path, cc)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s lacks nosniff", tc.path)
		}
	}
}

func TestConsoleNotFoundAndMethods(t *testing.T) {
	srv := newConsoleServer(t)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/nope", http.StatusNotFound},
		{http.MethodGet, "/index.html", http.StatusNotFound},
		{http.MethodGet, "/static/", http.StatusNotFound},
		{http.MethodGet, "/static/LICENSES", http.StatusNotFound},
		{http.MethodGet, "/static/index.html", http.StatusNotFound},
		{http.MethodGet, "/static/nope.js", http.StatusNotFound},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodPut, "/static/graphiql.min.js", http.StatusMethodNotAllowed},
	} {
		resp, _ := consoleDo(t, tc.method, srv.URL+tc.path)
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s Allow = %q", tc.method, tc.path, resp.Header.Get("Allow"))
		}
	}
}
