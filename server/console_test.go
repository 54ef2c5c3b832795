package server

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// newPagesServer mounts the page handlers the way New does.
func newPagesServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", homeHandler())
	app := appHandler()
	mux.Handle("/console", app)
	mux.Handle("/console/", app)
	g := graphiqlHandler()
	mux.Handle("/graphiql", g)
	mux.Handle("/static/", g)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func pageDo(t *testing.T, method, url string) (*http.Response, string) {
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

// externalRef finds a src or href that leaves this server.
var externalRef = regexp.MustCompile(`(?i)\b(src|href)\s*=\s*["']?\s*(https?:)?//`)

func checkPageHeaders(t *testing.T, path string, resp *http.Response) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET %s Content-Type = %q", path, ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("GET %s Cache-Control = %q", path, cc)
	}
	for h, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("GET %s %s = %q, want %q", path, h, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("GET %s CSP %q lacks %q", path, csp, want)
		}
	}
	if strings.Contains(csp, "http") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "*") {
		t.Errorf("GET %s CSP too loose: %q", path, csp)
	}
}

// TestHomePage: "/" is a short page, without script, that links the
// console, GraphiQL and the docs.
func TestHomePage(t *testing.T) {
	srv := newPagesServer(t)
	resp, body := pageDo(t, http.MethodGet, srv.URL+"/")
	checkPageHeaders(t, "/", resp)
	for _, want := range []string{`href="/console"`, `href="/graphiql"`, "README.md", "Docs"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	if strings.Contains(body, "<script") || externalRef.MatchString(body) {
		t.Error("home page has a script or an external reference")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("home CSP = %q", csp)
	}
}

// TestConsolePage: the console is served at /console and /console/ under
// the strict CSP, its page has no inline script, style or handler (the CSP
// would block them), and every file it loads is embedded, hashed and long
// cached.
func TestConsolePage(t *testing.T) {
	srv := newPagesServer(t)
	var body string
	for _, p := range []string{"/console", "/console/"} {
		var resp *http.Response
		resp, body = pageDo(t, http.MethodGet, srv.URL+p)
		checkPageHeaders(t, p, resp)
		if csp := resp.Header.Get("Content-Security-Policy"); csp != ConsoleCSP {
			t.Errorf("GET %s CSP = %q", p, csp)
		}
	}
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self';", "connect-src 'self'", "object-src 'none'"} {
		if !strings.Contains(ConsoleCSP, want) {
			t.Errorf("ConsoleCSP lacks %q", want)
		}
	}
	if strings.Contains(ConsoleCSP, "unsafe") {
		t.Errorf("ConsoleCSP allows something unsafe: %q", ConsoleCSP)
	}
	if externalRef.MatchString(body) {
		t.Errorf("console page loads an external resource: %q", externalRef.FindString(body))
	}
	for _, inline := range []*regexp.Regexp{
		regexp.MustCompile(`<script(\s+type="module")?\s*>`), regexp.MustCompile(`<style`),
		regexp.MustCompile(`\sstyle=`), regexp.MustCompile(`\son[a-z]+=`),
	} {
		if inline.MatchString(body) {
			t.Errorf("console page has inline code the CSP blocks: %s", inline.FindString(body))
		}
	}
	refs := regexp.MustCompile(`(?:src|href)="(/console/assets/[^"]+)"`).FindAllStringSubmatch(body, -1)
	var js, css int
	for _, m := range refs {
		resp, asset := pageDo(t, http.MethodGet, srv.URL+m[1])
		if resp.StatusCode != http.StatusOK || len(asset) == 0 {
			t.Errorf("GET %s = %d", m[1], resp.StatusCode)
			continue
		}
		switch ct := resp.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/javascript"):
			js++
		case strings.HasPrefix(ct, "text/css"):
			css++
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s Cache-Control = %q", m[1], cc)
		}
		if strings.Contains(asset, "eval(") || strings.Contains(asset, "new Function(") {
			t.Errorf("%s uses eval, which the CSP refuses", m[1])
		}
	}
	if js == 0 || css == 0 {
		t.Errorf("console page loads %d scripts and %d style sheets from /console/assets/: %v", js, css, refs)
	}
	// Every embedded asset is one the page loads: make console empties the
	// folder, so a stale build's files are not served (nor carried).
	var all strings.Builder
	all.WriteString(body)
	for _, m := range refs {
		_, asset := pageDo(t, http.MethodGet, srv.URL+m[1])
		all.WriteString(asset)
	}
	names, err := fs.Glob(consoleUIFiles, "consoleui/assets/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.Contains(all.String(), strings.TrimPrefix(n, "consoleui/")) {
			t.Errorf("%s is embedded but nothing loads it: run make console", n)
		}
	}
	resp, counties := pageDo(t, http.MethodGet, srv.URL+"/console/counties.json")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" ||
		!strings.Contains(counties, `"25025":`) || !strings.Contains(counties, "us-atlas") {
		t.Errorf("GET /console/counties.json = %d %s (Suffolk County, MA and the credit expected)", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestGraphiQLPage(t *testing.T) {
	srv := newPagesServer(t)
	resp, body := pageDo(t, http.MethodGet, srv.URL+"/graphiql")
	checkPageHeaders(t, "/graphiql", resp)
	if !strings.Contains(body, "GraphiQL.createFetcher({ url: '/graphql' })") {
		t.Error("page does not create the /graphql fetcher")
	}
	// Offline: nothing may be loaded from another origin.
	if m := externalRef.FindString(body); m != "" {
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

	// HEAD works and revalidation by ETag gives 304.
	if resp, _ := pageDo(t, http.MethodHead, srv.URL+"/graphiql"); resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD /graphiql = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphiql", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET /graphiql = %d, want 304", r2.StatusCode)
	}
}

func TestGraphiQLCSPHashMatchesInlineScript(t *testing.T) {
	html, err := graphiqlFiles.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	csp, err := graphiqlCSP(html)
	if err != nil {
		t.Fatal(err)
	}
	// Changing the inline script must change the hash.
	other, err := graphiqlCSP([]byte(strings.Replace(string(html), "defaultQuery", "defaultQuery2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if csp == other {
		t.Error("CSP hash does not depend on the inline script")
	}
	if _, err := graphiqlCSP([]byte("<script>a</script><script>b</script>")); err == nil {
		t.Error("two inline scripts accepted")
	}
}

func TestGraphiQLAssets(t *testing.T) {
	srv := newPagesServer(t)
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
		resp, body := pageDo(t, http.MethodGet, srv.URL+tc.path)
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

func TestPagesNotFoundAndMethods(t *testing.T) {
	srv := newPagesServer(t)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/nope", http.StatusNotFound},
		{http.MethodGet, "/index.html", http.StatusNotFound},
		{http.MethodGet, "/graphiql/", http.StatusNotFound},
		{http.MethodGet, "/static/", http.StatusNotFound},
		{http.MethodGet, "/static/LICENSES", http.StatusNotFound},
		{http.MethodGet, "/static/index.html", http.StatusNotFound},
		{http.MethodGet, "/static/nope.js", http.StatusNotFound},
		{http.MethodGet, "/console/index.html", http.StatusNotFound},
		{http.MethodGet, "/console/assets/", http.StatusNotFound},
		{http.MethodGet, "/console/nope", http.StatusNotFound},
		{http.MethodGet, "/consolex", http.StatusNotFound},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodPost, "/graphiql", http.StatusMethodNotAllowed},
		{http.MethodPost, "/console", http.StatusMethodNotAllowed},
		{http.MethodPut, "/static/graphiql.min.js", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/console/counties.json", http.StatusMethodNotAllowed},
	} {
		resp, _ := pageDo(t, tc.method, srv.URL+tc.path)
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s Allow = %q", tc.method, tc.path, resp.Header.Get("Allow"))
		}
	}
}
