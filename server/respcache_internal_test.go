package server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/telemetry"
)

// TestResponseCacheBoundsAndExpiry: the cache stays within its bytes,
// drops what an older feed position keyed, keeps an answer that depends on
// the clock a minute at most, and keys on the UTC date.
func TestResponseCacheBoundsAndExpiry(t *testing.T) {
	c := newResponseCache(nil, 64<<10, nil)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := bytes.Repeat([]byte("x"), 4<<10)
	for i := range 100 {
		c.put(&cachedAnswer{key: [32]byte{byte(i)}, position: 5, expires: now.Add(time.Hour), body: body, op: telemetry.Operation{Type: "query"}})
		if c.bytes > c.maxBytes {
			t.Fatalf("after %d answers the cache holds %d bytes, over its %d", i+1, c.bytes, c.maxBytes)
		}
	}
	if c.get([32]byte{99}, 5, now) == nil {
		t.Error("the newest answer was pushed out")
	}
	if c.get([32]byte{0}, 5, now) != nil {
		t.Error("the oldest answer outlived the bound")
	}
	if len(c.entries) != c.order.Len() {
		t.Errorf("%d keys for %d entries", len(c.entries), c.order.Len())
	}

	// Too large for an eighth of the bound: not kept.
	c.put(&cachedAnswer{key: [32]byte{200}, position: 5, expires: now.Add(time.Hour), body: make([]byte, 9<<10)})
	if c.get([32]byte{200}, 5, now) != nil {
		t.Error("an answer over an eighth of the bound was kept")
	}

	// A newer position drops every older entry at once.
	c.get([32]byte{1}, 6, now)
	if len(c.entries) != 0 || c.bytes != 0 {
		t.Errorf("after the feed moved, %d entries (%d bytes) remain", len(c.entries), c.bytes)
	}
	// An answer computed at an older position than one already seen is not kept.
	c.put(&cachedAnswer{key: [32]byte{7}, position: 5, expires: now.Add(time.Hour), body: body})
	if len(c.entries) != 0 {
		t.Error("an answer for an old position was kept")
	}

	// Expiry: a clock-dependent answer's a minute.
	c.put(&cachedAnswer{key: [32]byte{8}, position: 6, expires: now.Add(clockMaxAge), body: body})
	if c.get([32]byte{8}, 6, now.Add(59*time.Second)) == nil {
		t.Error("the answer expired early")
	}
	if c.get([32]byte{8}, 6, now.Add(61*time.Second)) != nil {
		t.Error("a clock-dependent answer outlived its minute")
	}
	if got := endOfUTCDay(time.Date(2026, 3, 1, 23, 59, 0, 0, time.FixedZone("EST", -5*3600))); !got.Equal(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("end of the UTC day %v", got)
	}

	// The key: the date, the position, the document, Accept.
	get := func(q, accept string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/graphql?query="+q, nil)
		r.Header.Set("Accept", accept)
		return r
	}
	base := c.key(get("a", "application/json"), nil, 6, now)
	for name, k := range map[string][32]byte{
		"next day":      c.key(get("a", "application/json"), nil, 6, now.Add(12*time.Hour)),
		"next position": c.key(get("a", "application/json"), nil, 7, now),
		"other query":   c.key(get("b", "application/json"), nil, 6, now),
		"other Accept":  c.key(get("a", "application/graphql-response+json"), nil, 6, now),
	} {
		if k == base {
			t.Errorf("%s: same key", name)
		}
	}
	if c.key(get("a", "application/json"), nil, 6, now.Add(time.Hour)) != base {
		t.Error("the key changed within a day")
	}
}

// TestResponseCacheKeepsAnswersCompressed: a kept answer counts its
// compressed bytes against the bound, and a hit sends the answer as it was.
func TestResponseCacheKeepsAnswersCompressed(t *testing.T) {
	c := newResponseCache(nil, 1<<20, nil)
	var answer []byte
	for i := range 400 {
		answer = fmt.Appendf(answer, `{"node":{"id":"U2VydmljZTo%d","name":"Harbor Home Visits %d","status":"ACTIVE"}},`, i, i%7)
	}
	answer = append([]byte(`{"data":{"services":{"edges":[`), append(answer[:len(answer)-1], `]}}}`...)...)
	h := c.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		telemetry.RequestFrom(r.Context()).SetOperation(func(op *telemetry.Operation) { op.Type = "query" })
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	for i := range 2 {
		req := httptest.NewRequest(http.MethodGet, "/graphql?query={services{edges{node{id}}}}", nil)
		// The feed position as the HTTP cache puts it: no database to read.
		req = req.WithContext(feed.WithPosition(telemetry.WithRequest(req.Context(), &telemetry.Request{}), 3))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !bytes.Equal(rec.Body.Bytes(), answer) || rec.Header().Get("Content-Length") != "" && rec.Header().Get("Content-Length") != strconv.Itoa(len(answer)) {
			t.Fatalf("request %d: the answer (%d bytes, Content-Length %q) is not the handler's (%d bytes)", i+1, rec.Body.Len(), rec.Header().Get("Content-Length"), len(answer))
		}
	}
	if len(c.entries) != 1 {
		t.Fatalf("%d answers kept, want 1", len(c.entries))
	}
	if c.bytes >= int64(len(answer))/3 {
		t.Errorf("a %d-byte answer counts %d bytes: not kept compressed", len(answer), c.bytes)
	}
}
