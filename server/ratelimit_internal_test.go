package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestCallerLimitersForgetIdleCallers: a caller idle long enough for its
// bucket to refill is dropped, so the table holds recent callers only; a
// caller's refused request does not cost it a token.
func TestCallerLimitersForgetIdleCallers(t *testing.T) {
	c := &callerLimiters{limit: RateLimit{PerSecond: 1, Burst: 2}, byCaller: map[string]*callerLimiter{}}
	start := time.Unix(1_700_000_000, 0)
	for _, caller := range []string{"addr:a", "addr:b", "key:1"} {
		if _, ok := c.allow(caller, start); !ok {
			t.Fatalf("%s refused on its first request", caller)
		}
	}
	c.allow("key:1", start)
	if wait, ok := c.allow("key:1", start); ok || wait <= 0 {
		t.Errorf("key:1 past its burst: allowed %v, wait %v", ok, wait)
	}
	if _, ok := c.allow("key:1", start.Add(time.Second)); !ok {
		t.Error("key:1 one second later (one token refilled, none taken by the refusal): refused")
	}
	later := start.Add(2 * time.Minute)
	c.allow("addr:c", later)
	if len(c.byCaller) != 1 {
		t.Errorf("%d callers kept after two idle minutes, want only the new one", len(c.byCaller))
	}
}

// TestRateLimitCountsAddressesAsLimitsDo: anonymous requests from two
// addresses of one IPv6 /64 share a budget (one subscriber holds the whole
// /64), as do an IPv4 address and its IPv4-mapped form; another /64 and
// another IPv4 address have budgets of their own.
func TestRateLimitCountsAddressesAsLimitsDo(t *testing.T) {
	l := newLimiter(RateLimit{PerSecond: 0.001, Burst: 1})
	refused := func(remote string) bool {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = remote
		return l.refused(httptest.NewRecorder(), r, callerOf(r))
	}
	for _, c := range []struct {
		remote  string
		refused bool
	}{
		{"[2001:db8:a:b::1]:40000", false},
		{"[2001:db8:a:b:ffff::2]:40001", true}, // the same /64
		{"[2001:db8:a:c::1]:40002", false},     // the next /64
		{"192.0.2.1:40003", false},
		{"[::ffff:192.0.2.1]:40004", true}, // the same IPv4 address, mapped
		{"192.0.2.2:40005", false},
	} {
		if got := refused(c.remote); got != c.refused {
			t.Errorf("request from %s: refused %v, want %v", c.remote, got, c.refused)
		}
	}
}
