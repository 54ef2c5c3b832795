package server

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestCompressedStreamFlushesEachBatch: through the middleware a stream
// passes (the request log, compression, the caching writer), a batch the
// handler flushes reaches the client compressed while the handler is still
// running, as the HSDS API's format=ndjson flushes each batch.
func TestCompressedStreamFlushesEachBatch(t *testing.T) {
	release := make(chan struct{})
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		rc := http.NewResponseController(w)
		fmt.Fprintln(w, `{"batch":1}`)
		if err := rc.Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		<-release
		fmt.Fprintln(w, `{"batch":2}`)
	})
	inner := h
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(&cachingWriter{ResponseWriter: w, decide: func(int) {}}, r)
	})
	h = logRequests(slog.New(slog.DiscardHandler), nil, recoverPanics(slog.New(slog.DiscardHandler), compress(h)))
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer close(release)

	// The whole exchange runs aside, so that a stream held back (headers
	// included, until enough is written) fails the test instead of
	// hanging it.
	got := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
		if err != nil {
			got <- err.Error()
			return
		}
		defer res.Body.Close()
		if ce := res.Header.Get("Content-Encoding"); ce != "gzip" {
			got <- "Content-Encoding " + ce
			return
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			got <- err.Error()
			return
		}
		line, _ := bufio.NewReader(zr).ReadString('\n')
		got <- line
	}()
	select {
	case line := <-got:
		if line != "{\"batch\":1}\n" {
			t.Errorf("first batch read as %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first batch did not reach the client before the stream ended")
	}
}

// TestETagChangesWithTheDate: the same request at the same feed position
// has another ETag on another UTC day; an answer that depends on the clock
// another one every minute.
func TestETagChangesWithTheDate(t *testing.T) {
	c := httpCache{maxAge: time.Hour}
	r := httptest.NewRequest(http.MethodGet, "/graphql?query=%7B__typename%7D", nil)
	day := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
	if c.etag(r, 7, day, false) == c.etag(r, 7, day.Add(2*time.Minute), false) {
		t.Error("the ETag outlived the UTC date")
	}
	if c.etag(r, 7, day, false) != c.etag(r, 7, day.Add(-time.Hour), false) {
		t.Error("the ETag changed within a day")
	}
	if c.etag(r, 7, day, true) == c.etag(r, 7, day.Add(-time.Minute), true) {
		t.Error("a clock-dependent ETag outlived its minute")
	}
	if c.etag(r, 7, day, false) == c.etag(r, 8, day, false) {
		t.Error("the ETag did not follow the feed")
	}
	h := http.Header{}
	c.public(h, `W/"x"`, true)
	if h.Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("clock-dependent Cache-Control %q", h.Get("Cache-Control"))
	}
}
