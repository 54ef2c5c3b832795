package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// consoleFiles holds the GraphiQL console: index.html plus the vendored
// GraphiQL/React builds (see static/README.md), so the console works offline.
//
//go:embed static
var consoleFiles embed.FS

// consoleAsset is one embedded file, ready to serve.
type consoleAsset struct {
	data        []byte
	contentType string
	etag        string
}

// consoleTypes maps extensions explicitly rather than via mime.TypeByExtension,
// whose answer depends on the host's mime tables.
var consoleTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".md":   "text/markdown; charset=utf-8",
	"":      "text/plain; charset=utf-8", // LICENSES/*
}

// consoleAssetMaxAge: the vendored file names carry no version, so keep the
// lifetime to a day; the ETag makes revalidation after that cheap.
const consoleAssetMaxAge = 24 * time.Hour

// consoleHandler serves the GraphiQL page at exactly "/" and the embedded
// assets under "/static/". It dispatches on r.URL.Path, so it can be mounted
// as both mux.Handle("/", h) and mux.Handle("/static/", h).
func consoleHandler() http.Handler {
	assets := map[string]consoleAsset{}
	err := fs.WalkDir(consoleFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := consoleFiles.ReadFile(p)
		if err != nil {
			return err
		}
		ct, ok := consoleTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("console: no content type for %s", p)
		}
		sum := sha256.Sum256(data)
		assets[strings.TrimPrefix(p, "static/")] = consoleAsset{
			data:        data,
			contentType: ct,
			etag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
		}
		return nil
	})
	if err != nil {
		panic(err) // embedded at build time: only a broken build gets here
	}
	index, ok := assets["index.html"]
	if !ok {
		panic("console: static/index.html not embedded")
	}
	// index.html is only served at "/", with its CSP.
	delete(assets, "index.html")
	csp, err := consoleCSP(index.data)
	if err != nil {
		panic(err)
	}
	assetCache := fmt.Sprintf("public, max-age=%d", int(consoleAssetMaxAge.Seconds()))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var (
			a     consoleAsset
			cache string
		)
		switch p := r.URL.Path; {
		case p == "/":
			a, cache = index, "no-cache"
			w.Header().Set("Content-Security-Policy", csp)
			w.Header().Set("Referrer-Policy", "no-referrer")
			w.Header().Set("X-Frame-Options", "DENY")
		case strings.HasPrefix(p, "/static/"):
			var found bool
			if a, found = assets[strings.TrimPrefix(p, "/static/")]; !found {
				http.NotFound(w, r)
				return
			}
			cache = assetCache
		default:
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", cache)
		h.Set("ETag", a.etag)
		h.Set("X-Content-Type-Options", "nosniff")
		// Zero modtime: conditional requests go by ETag only.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
	})
}

// consoleCSP builds the page's Content-Security-Policy. Scripts are limited
// to our own files plus the hash of the single inline bootstrap script, so
// editing index.html can never leave a stale hash. Styles need
// 'unsafe-inline': GraphiQL's dialogs inject <style> elements at run time.
// Fonts and a few images are data: URLs inside graphiql.min.css.
func consoleCSP(html []byte) (string, error) {
	const open, end = "<script>", "</script>"
	i := bytes.Index(html, []byte(open))
	if i < 0 {
		return "", fmt.Errorf("console: index.html has no inline <script>")
	}
	body := html[i+len(open):]
	j := bytes.Index(body, []byte(end))
	if j < 0 {
		return "", fmt.Errorf("console: index.html inline <script> is not closed")
	}
	if bytes.Contains(body[j+len(end):], []byte(open)) {
		return "", fmt.Errorf("console: index.html has more than one inline <script>")
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
