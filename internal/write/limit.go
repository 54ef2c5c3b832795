package write

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"slices"
	"sync"
	"time"

	"github.com/village-directory/village/internal/auth"
)

// addressLimiter allows each client address at most max events in any
// window (a sliding log of their times). It lives in memory, in one
// process: several processes behind a load balancer each allow max.
//
// Addresses are held only as HMACs under a key drawn at random when the
// limiter is made, so the limiter's memory lists no address, and nothing
// of an address is ever written to the database. An IPv6 address counts
// as its /64, which one subscriber usually holds whole.
type addressLimiter struct {
	max    int
	window time.Duration
	key    [32]byte

	mu        sync.Mutex
	seen      map[[sha256.Size]byte][]time.Time
	lastSweep time.Time
}

func newAddressLimiter(max int, window time.Duration) *addressLimiter {
	l := &addressLimiter{max: max, window: window, seen: map[[sha256.Size]byte][]time.Time{}}
	if _, err := rand.Read(l.key[:]); err != nil {
		panic("write: no randomness for the submission limiter: " + err.Error())
	}
	return l
}

// reserve counts one event for addr at now and returns release, which
// uncounts it (for an event that did not happen after all), or, when addr
// had max events in the window already, how long until the oldest leaves
// it.
func (l *addressLimiter) reserve(addr string, now time.Time) (release func(), wait time.Duration, ok bool) {
	id := l.id(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.window {
		for k, times := range l.seen {
			if len(times) == 0 || now.Sub(times[len(times)-1]) >= l.window {
				delete(l.seen, k)
			}
		}
		l.lastSweep = now
	}
	times := l.seen[id]
	keep := 0
	for keep < len(times) && now.Sub(times[keep]) >= l.window {
		keep++
	}
	times = times[keep:]
	if len(times) >= l.max {
		l.seen[id] = times
		return nil, times[0].Add(l.window).Sub(now), false
	}
	l.seen[id] = append(times, now)
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if t := l.seen[id]; len(t) > 0 {
			if i := slices.Index(t, now); i >= 0 {
				l.seen[id] = slices.Delete(t, i, i+1)
			}
		}
	}, 0, true
}

// id is the keyed hash addr is counted under: auth.AddressForLimits's
// form of it ("" for a caller whose address is not known: they share one
// count).
func (l *addressLimiter) id(addr string) [sha256.Size]byte {
	mac := hmac.New(sha256.New, l.key[:])
	mac.Write([]byte(auth.AddressForLimits(addr)))
	var out [sha256.Size]byte
	copy(out[:], mac.Sum(nil))
	return out
}
