package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// The browser pages, all embedded so that they work with no network access
// beyond this server:
//
//	/           home.html: a short page linking the two below and the docs
//	/console    the call-center console (console/ at the repository's root,
//	            built by `make console` into consoleui/)
//	/graphiql   GraphiQL, vendored in static/ (see static/README.md)

//go:embed static
var graphiqlFiles embed.FS

//go:embed all:consoleui
var consoleUIFiles embed.FS

//go:embed home.html
var homeFiles embed.FS

// pageAsset is one embedded file, ready to serve. It names the file rather
// than holding a copy (embed.FS.ReadFile copies): served from the binary's
// own read-only pages, the assets (some 2 MB) take no heap while nobody asks
// for them.
type pageAsset struct {
	fsys        fs.FS
	name        string
	contentType string
	etag        string
}

// pageTypes maps extensions explicitly rather than via mime.TypeByExtension,
// whose answer depends on the host's mime tables.
var pageTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".md":   "text/markdown; charset=utf-8",
	"":      "text/plain; charset=utf-8", // LICENSES/*
}

// graphiqlAssetMaxAge: the vendored file names carry no version, so keep
// the lifetime to a day; the ETag makes revalidation after that cheap. The
// console's own files under assets/ carry a content hash in their names and
// are kept for a year.
const (
	graphiqlAssetMaxAge = 24 * time.Hour
	hashedAssetMaxAge   = 365 * 24 * time.Hour
)

func newAsset(fsys fs.FS, name string) (pageAsset, error) {
	ct, ok := pageTypes[path.Ext(name)]
	if !ok {
		return pageAsset{}, fmt.Errorf("pages: no content type for %s", name)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return pageAsset{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return pageAsset{}, err
	}
	sum := h.Sum(nil)
	return pageAsset{fsys: fsys, name: name, contentType: ct, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// loadAssets reads every file under root in fsys, keyed by its path below root.
func loadAssets(fsys embed.FS, root string) map[string]pageAsset {
	assets := map[string]pageAsset{}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		a, err := newAsset(fsys, p)
		if err != nil {
			return err
		}
		assets[strings.TrimPrefix(p, root+"/")] = a
		return nil
	})
	if err != nil {
		panic(err) // embedded at build time: only a broken build gets here
	}
	return assets
}

// serveAsset answers GET and HEAD with a, revalidated by its ETag.
func serveAsset(w http.ResponseWriter, r *http.Request, a pageAsset, cache string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	f, err := a.fsys.Open(a.name)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	content, ok := f.(io.ReadSeeker) // embed.FS's files are
	if !ok {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", cache)
	h.Set("ETag", a.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	// Zero modtime: conditional requests go by ETag only.
	http.ServeContent(w, r, "", time.Time{}, content)
}

// pageHeaders are set on every HTML page: its CSP, no referrer (a page's
// address never leaves with a link), never framed.
func pageHeaders(w http.ResponseWriter, csp string) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// homeCSP: the home page is plain HTML, with no script, style or image.
const homeCSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// homeHandler serves the short page at exactly "/" (the mux sends every
// unrouted path here, so anything else is a 404).
func homeHandler() http.Handler {
	home, err := newAsset(homeFiles, "home.html")
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		pageHeaders(w, homeCSP)
		serveAsset(w, r, home, "no-cache")
	})
}

// ConsoleCSP is the call-center console's Content-Security-Policy: its
// scripts, styles, map data and GraphQL calls all come from this server,
// with no inline script or style (the build emits none: see
// console/vite.config.ts) and no eval.
const ConsoleCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// appHandler serves the console: its page at /console and /console/, its
// built files below /console/. Mount it as mux.Handle("/console", h) and
// mux.Handle("/console/", h).
func appHandler() http.Handler {
	assets := loadAssets(consoleUIFiles, "consoleui")
	index, ok := assets["index.html"]
	if !ok {
		panic("console: consoleui/index.html not embedded: run make console")
	}
	delete(assets, "index.html")
	hashed := fmt.Sprintf("public, max-age=%d, immutable", int(hashedAssetMaxAge.Seconds()))
	daily := fmt.Sprintf("public, max-age=%d", int(graphiqlAssetMaxAge.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/console" || p == "/console/" {
			pageHeaders(w, ConsoleCSP)
			serveAsset(w, r, index, "no-cache")
			return
		}
		name := strings.TrimPrefix(p, "/console/")
		a, found := assets[name]
		if !found {
			http.NotFound(w, r)
			return
		}
		cache := daily
		if strings.HasPrefix(name, "assets/") {
			cache = hashed
		}
		serveAsset(w, r, a, cache)
	})
}

// graphiqlHandler serves the GraphiQL page at exactly "/graphiql" and the
// vendored assets under "/static/". Mount it as mux.Handle("/graphiql", h)
// and mux.Handle("/static/", h).
func graphiqlHandler() http.Handler {
	assets := loadAssets(graphiqlFiles, "static")
	index, ok := assets["index.html"]
	if !ok {
		panic("graphiql: static/index.html not embedded")
	}
	// index.html is only served at "/graphiql", with its CSP.
	delete(assets, "index.html")
	html, err := fs.ReadFile(index.fsys, index.name)
	if err != nil {
		panic(err)
	}
	csp, err := graphiqlCSP(html)
	if err != nil {
		panic(err)
	}
	assetCache := fmt.Sprintf("public, max-age=%d", int(graphiqlAssetMaxAge.Seconds()))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/graphiql":
			pageHeaders(w, csp)
			serveAsset(w, r, index, "no-cache")
		case strings.HasPrefix(p, "/static/"):
			a, found := assets[strings.TrimPrefix(p, "/static/")]
			if !found {
				http.NotFound(w, r)
				return
			}
			serveAsset(w, r, a, assetCache)
		default:
			http.NotFound(w, r)
		}
	})
}

// graphiqlCSP builds GraphiQL's Content-Security-Policy. Scripts are limited
// to our own files plus the hash of the single inline bootstrap script, so
// editing index.html can never leave a stale hash. Styles need
// 'unsafe-inline': GraphiQL's dialogs inject <style> elements at run time.
// Fonts and a few images are data: URLs inside graphiql.min.css.
func graphiqlCSP(html []byte) (string, error) {
	const open, end = "<script>", "</script>"
	i := bytes.Index(html, []byte(open))
	if i < 0 {
		return "", fmt.Errorf("graphiql: index.html has no inline <script>")
	}
	body := html[i+len(open):]
	j := bytes.Index(body, []byte(end))
	if j < 0 {
		return "", fmt.Errorf("graphiql: index.html inline <script> is not closed")
	}
	if bytes.Contains(body[j+len(end):], []byte(open)) {
		return "", fmt.Errorf("graphiql: index.html has more than one inline <script>")
	}
	sum := sha256.Sum256(body[:j])
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'",
		"style-src 'self' 'unsafe-inline'",
		"font-src 'self' data:",
		"img-src 'self' data:",
		"connect-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; "), nil
}
