package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHSDSStreamsAreBounded: with every stream slot taken, a new streamed
// listing is answered 503 with Retry-After at once; a stream that ends
// gives its slot back.
func TestHSDSStreamsAreBounded(t *testing.T) {
	h := &hsdsAPI{log: slog.New(slog.NewTextHandler(io.Discard, nil)), streams: make(chan struct{}, 1)}
	req := httptest.NewRequest(http.MethodGet, "/hsds/services?format=ndjson", nil)
	tail := recordSet{tail: []any{map[string]string{"id": "x"}}}

	rec := httptest.NewRecorder()
	h.stream(rec, req, tail)
	if rec.Code != http.StatusOK || rec.Body.String() != "{\"id\":\"x\"}\n" || len(h.streams) != 0 {
		t.Fatalf("free slot: %d %q, %d slots held after", rec.Code, rec.Body, len(h.streams))
	}

	h.streams <- struct{}{} // another stream in progress
	rec = httptest.NewRecorder()
	h.stream(rec, req, tail)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("no free slot: %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}
