package write

import (
	"testing"
	"time"
)

// TestAddressLimiterWindow: max events per address in any window; the
// oldest leaving the window makes room, at the time the refusal named; a
// released event makes room at once; addresses are told apart as the
// limit means them (IPv4-mapped IPv6 is its IPv4, IPv6 counts by /64).
func TestAddressLimiterWindow(t *testing.T) {
	l := newAddressLimiter(3, time.Hour)
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if _, _, ok := l.reserve("192.0.2.1", t0.Add(time.Duration(i)*time.Minute)); !ok {
			t.Fatalf("event %d refused", i+1)
		}
	}
	now := t0.Add(10 * time.Minute)
	_, wait, ok := l.reserve("192.0.2.1", now)
	if ok || wait != 50*time.Minute {
		t.Fatalf("fourth event: ok %v, wait %s; want refused, 50m", ok, wait)
	}
	if _, _, ok := l.reserve("::ffff:192.0.2.1", now); ok {
		t.Fatal("the IPv4-mapped form of a limited address is another address")
	}
	if _, _, ok := l.reserve("192.0.2.2", now); !ok {
		t.Fatal("another address refused")
	}
	if _, _, ok := l.reserve("192.0.2.1", t0.Add(time.Hour-time.Second)); ok {
		t.Fatal("room before the oldest event left the window")
	}
	release, _, ok := l.reserve("192.0.2.1", t0.Add(time.Hour))
	if !ok {
		t.Fatal("no room once the oldest event left the window")
	}
	if _, _, ok := l.reserve("192.0.2.1", t0.Add(time.Hour)); ok {
		t.Fatal("room beyond max")
	}
	release()
	if _, _, ok := l.reserve("192.0.2.1", t0.Add(time.Hour)); !ok {
		t.Fatal("a released event still counts")
	}

	v6 := newAddressLimiter(1, time.Hour)
	if _, _, ok := v6.reserve("2001:db8:a:b::1", t0); !ok {
		t.Fatal("first IPv6 event refused")
	}
	if _, _, ok := v6.reserve("2001:db8:a:b:ffff::2", t0); ok {
		t.Fatal("another address of the same /64 counted apart")
	}
	if _, _, ok := v6.reserve("2001:db8:a:c::1", t0); !ok {
		t.Fatal("the next /64 refused")
	}
	// A sweep forgets addresses whose events all left the window.
	v6.reserve("2001:db8:a:d::1", t0.Add(3*time.Hour))
	if len(v6.seen) != 1 {
		t.Fatalf("%d addresses held after the window, want 1", len(v6.seen))
	}
}
