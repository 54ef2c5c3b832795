package server

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/auth"
)

// RateLimit bounds how fast one caller may send requests: an API key, or,
// without one, a client address. A token bucket: Burst requests at once,
// refilled at PerSecond. The zero value sets no limit.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// limiter holds each caller's token bucket; a nil *limiter limits nothing.
type limiter struct {
	limit   RateLimit
	callers *callerLimiters
}

// newLimiter returns the limiter for limit, or nil when it sets none.
func newLimiter(limit RateLimit) *limiter {
	if limit.PerSecond <= 0 || limit.Burst <= 0 {
		return nil
	}
	return &limiter{limit: limit, callers: &callerLimiters{limit: limit, byCaller: map[string]*callerLimiter{}}}
}

// middleware answers 429 RATE_LIMITED, with Retry-After, to a caller over
// its limit. It runs after authentication, so a key is limited as itself
// wherever it calls from, and the public by address. Health checks are
// never limited.
func (l *limiter) middleware(next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.refused(w, r, callerOf(r)) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refused takes a token from caller's bucket, or, when it has none, answers
// 429 RATE_LIMITED with Retry-After and reports true. authenticate calls it
// for a failed key, with the request's address as the caller.
func (l *limiter) refused(w http.ResponseWriter, r *http.Request, caller string) bool {
	if l == nil || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
		return false
	}
	wait, ok := l.callers.allow(caller, time.Now())
	if ok {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeGraphQLError(w, http.StatusTooManyRequests,
		fmt.Sprintf("too many requests: at most %g a second (bursts of %d) per API key, or per address for requests without a valid key; retry after %s",
			l.limit.PerSecond, l.limit.Burst, wait.Round(time.Millisecond)), graph.CodeRateLimited)
	return true
}

// callerOf names who is limited: the API key, else the client's address.
func callerOf(r *http.Request) string {
	if v, ok := auth.FromContext(r.Context()); ok && v.KeyID > 0 {
		return "key:" + strconv.Itoa(v.KeyID)
	}
	return addressOf(r)
}

// addressOf names the client's address as a caller, as the limits count
// addresses (an IPv6 address by its /64).
func addressOf(r *http.Request) string { return "addr:" + auth.AddressForLimits(hostOf(r)) }

// hostOf is the address the request's connection comes from (behind a
// reverse proxy, the proxy's: no forwarding header is trusted).
func hostOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host
}

type callerLimiter struct {
	bucket   *rate.Limiter
	lastSeen time.Time
}

// callerLimiters holds a bucket per caller seen lately. A caller idle long
// enough for its bucket to be full again is forgotten (a new bucket is the
// same), so the map holds only recent callers.
type callerLimiters struct {
	limit     RateLimit
	mu        sync.Mutex
	byCaller  map[string]*callerLimiter
	lastSweep time.Time
}

// allow takes a token for caller at now, or says how long until one frees.
func (c *callerLimiters) allow(caller string, now time.Time) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	refill := time.Duration(float64(c.limit.Burst) / c.limit.PerSecond * float64(time.Second))
	if now.Sub(c.lastSweep) > max(refill, time.Minute) {
		for k, l := range c.byCaller {
			if now.Sub(l.lastSeen) > refill {
				delete(c.byCaller, k)
			}
		}
		c.lastSweep = now
	}
	l, ok := c.byCaller[caller]
	if !ok {
		l = &callerLimiter{bucket: rate.NewLimiter(rate.Limit(c.limit.PerSecond), c.limit.Burst)}
		c.byCaller[caller] = l
	}
	l.lastSeen = now
	res := l.bucket.ReserveN(now, 1)
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now) // the request is refused, not queued: give the token back
		return wait, false
	}
	return 0, true
}
