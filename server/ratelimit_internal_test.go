package server

import (
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
