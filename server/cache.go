package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/telemetry"
)

// clockMaxAge bounds how long an answer that depends on the time of day
// (openNow, openAt) may be cached, and its ETag changes every minute.
const clockMaxAge = time.Minute

// httpCache lets shared caches (a CDN, a proxy) keep public reads:
//
//   - a request with a key (any Authorization header) is answered
//     "private, no-store": what a key may see is its own;
//   - an anonymous GET (or HEAD), persisted queries sent by GET among them,
//     answered 200 without errors, is "public, max-age=N" with a weak
//     ETag; an If-None-Match naming the current ETag is answered 304
//     without running anything;
//   - anything else (a POST, a mutation, an error) is "no-store".
//
// The ETag hashes the change feed's position (every committed write moves
// it, from any process), the UTC date, and the request (path, query string,
// Accept): it changes when the directory or the day does. An answer that
// depends on the clock also hashes the minute, and is kept a minute at
// most. The ETag is weak, so the same one serves every content coding.
type httpCache struct {
	client *ent.Client
	maxAge time.Duration
	now    func() time.Time
}

func (c httpCache) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The answer's content type follows Accept (application/json or
		// application/graphql-response+json), so a shared cache keys on it.
		// A read-after token asks for a write's effect: a shared cache
		// must not answer it with an older copy.
		h.Add("Vary", "Authorization, Accept, "+store.ReadAfterHeader)
		if len(r.Header.Values("Authorization")) > 0 {
			h.Set("Cache-Control", "private, no-store")
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r)
			return
		}
		position, err := feed.Position(r.Context(), c.client)
		if err != nil {
			// The handler meets the same failure and answers it.
			h.Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r)
			return
		}
		now := c.now().UTC()
		daily, minutely := c.etag(r, position, now, false), c.etag(r, position, now, true)
		switch inm := r.Header.Get("If-None-Match"); {
		case etagListed(inm, daily):
			c.public(h, daily, false)
			w.WriteHeader(http.StatusNotModified)
			return
		case etagListed(inm, minutely):
			c.public(h, minutely, true)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		// The answer is for the position the ETag names: readers below
		// (the match index, the HSDS resolver) take it rather than read it
		// again.
		r = r.WithContext(feed.WithPosition(r.Context(), position))
		next.ServeHTTP(&cachingWriter{ResponseWriter: w, decide: func(status int) {
			op := telemetry.RequestFrom(r.Context()).Operation()
			if status != http.StatusOK || op.Errors || (op.Type != "" && op.Type != "query") {
				h.Del("ETag")
				h.Set("Cache-Control", "no-store")
				return
			}
			if op.ClockDependent {
				c.public(h, minutely, true)
			} else {
				c.public(h, daily, false)
			}
		}}, r)
	})
}

func (c httpCache) public(h http.Header, etag string, clock bool) {
	age := c.maxAge
	if clock && age > clockMaxAge {
		age = clockMaxAge
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(age.Seconds())))
}

func (c httpCache) etag(r *http.Request, position int, now time.Time, clock bool) string {
	period := now.Format(time.DateOnly)
	if clock {
		period = now.Format("2006-01-02T15:04")
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s\x00%s\x00%s\x00%s", position, period, r.URL.Path, r.URL.RawQuery, r.Header.Get("Accept")))
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

// etagListed reports whether an If-None-Match header names etag (weak
// comparison: W/ is ignored on both sides). "*" is not taken: it would
// answer 304 for a URL whose answer was never sent (a 404, an error).
func etagListed(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if strings.TrimPrefix(part, "W/") == want {
			return true
		}
	}
	return false
}

// cachingWriter sets the caching headers once the status is known, before
// it is sent (the GraphQL layer has run by then, and said what it ran).
type cachingWriter struct {
	http.ResponseWriter
	decide  func(status int)
	decided bool
}

func (w *cachingWriter) WriteHeader(status int) {
	if !w.decided && status >= 200 {
		w.decided = true
		w.decide(status)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *cachingWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer below (a stream's
// flushes, its write deadline).
func (w *cachingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
