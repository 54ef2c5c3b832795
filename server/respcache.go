package server

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/telemetry"
)

// responseCache keeps anonymous GraphQL answers in memory, so that a popular
// read (a partner page's listing, a front page's match) is answered without
// running again:
//
//   - only requests without an Authorization header, GET or POST, whose
//     answer is a query's, 200, without errors, are kept;
//   - the key hashes the change feed's position (so any committed write, from
//     any process, makes every older entry unreachable), the UTC date (ages
//     and staleness move with the calendar), the request's method-free
//     content (the query string of a GET, the body and Content-Type of a
//     POST) and Accept;
//   - an answer that depends on the time of day (openNow, openAt: see
//     telemetry.Operation.ClockDependent) is kept at most clockMaxAge;
//   - answers are kept compressed (S2, klauspost/compress's Snappy
//     successor: about a sixth of a listing page's JSON, at some 100 µs a
//     100 KB page each way), so the bound holds about six times the answers
//     it would hold as they are sent;
//   - the whole is bounded in bytes, compressed (least recently used out
//     first), and an answer whose compressed form is larger than an eighth
//     of the bound is not kept (nor one over the bound before compression).
//
// A hit replays what the GraphQL layer recorded of the operation, so the
// log line, the metrics and httpCache's headers are what a run would give.
// The cache is per process: stateless servers behind a load balancer each
// keep their own, all keyed by the one feed position.
type responseCache struct {
	client   *ent.Client
	maxBytes int64
	now      func() time.Time
	metrics  *telemetry.Metrics

	mu       sync.Mutex
	order    *list.List // of *cachedAnswer, most recently used first
	entries  map[[32]byte]*list.Element
	bytes    int64
	position int // the newest feed position seen: entries under older ones are dropped
}

type cachedAnswer struct {
	key      [32]byte
	position int
	expires  time.Time
	header   http.Header
	body     []byte // the answer's body, S2-compressed (see answerBody)
	op       telemetry.Operation
}

// size is what an answer counts against the bound: its compressed body, its
// headers and a fixed overhead for the entry itself.
func (a *cachedAnswer) size() int64 {
	n := int64(cap(a.body)) + 128
	for k, vs := range a.header {
		n += int64(len(k))
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	return n
}

func newResponseCache(client *ent.Client, maxBytes int64, metrics *telemetry.Metrics) *responseCache {
	c := &responseCache{client: client, maxBytes: maxBytes, now: time.Now, metrics: metrics,
		order: list.New(), entries: map[[32]byte]*list.Element{}}
	metrics.WatchResponseCache(c.stats)
	return c
}

func (c *responseCache) stats() telemetry.CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return telemetry.CacheStats{Entries: len(c.entries), Bytes: c.bytes, MaxBytes: c.maxBytes}
}

// replayedHeaders are the answer's headers a hit sends again; the rest
// (X-Request-ID, Vary, CORS) are the request's own, set around the cache.
var replayedHeaders = []string{"Content-Type", "Cache-Control", "ETag"}

func (c *responseCache) wrap(next http.Handler) http.Handler {
	if c == nil || c.maxBytes <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.Header.Values("Authorization")) > 0 || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
			next.ServeHTTP(w, r)
			return
		}
		var body []byte
		if r.Method == http.MethodPost {
			// The body is bounded already (limitBody runs before routes).
			b, err := io.ReadAll(r.Body)
			if err != nil {
				next.ServeHTTP(w, r) // the handler meets the same failure and answers it
				return
			}
			body = b
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		position, err := feed.Position(r.Context(), c.client)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		// The readers below (the match and search indexes) take this
		// position rather than read it again, and the answer is for it.
		r = r.WithContext(feed.WithPosition(r.Context(), position))
		now := c.now()
		key := c.key(r, body, position, now)
		if a := c.get(key, position, now); a != nil {
			buf := answerBuffers.Get().(*[]byte)
			defer answerBuffers.Put(buf)
			body, err := s2.Decode((*buf)[:cap(*buf)], a.body)
			if err != nil {
				next.ServeHTTP(w, r) // never kept so: answered as a miss, uncounted
				return
			}
			*buf = body[:0]
			c.metrics.ObserveResponseCache(true)
			telemetry.RequestFrom(r.Context()).SetOperation(func(op *telemetry.Operation) { *op = a.op })
			h := w.Header()
			for _, name := range replayedHeaders {
				if v, ok := a.header[name]; ok {
					h[name] = v
				}
			}
			h.Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body)
			return
		}
		c.metrics.ObserveResponseCache(false)
		rec := &recordingWriter{ResponseWriter: w, limit: c.maxBytes}
		next.ServeHTTP(rec, r)
		op := telemetry.RequestFrom(r.Context()).Operation()
		if rec.status != http.StatusOK || rec.overflow || op.Errors || op.Type != "query" {
			return
		}
		expires := endOfUTCDay(now)
		if op.ClockDependent {
			expires = now.Add(clockMaxAge)
		}
		header := http.Header{}
		for _, name := range replayedHeaders {
			if v, ok := w.Header()[name]; ok {
				header[name] = append([]string(nil), v...)
			}
		}
		c.put(&cachedAnswer{key: key, position: position, expires: expires, header: header, body: answerBody(rec.buf.Bytes()), op: op})
	})
}

// answerBody is an answer as the cache keeps it: S2-compressed (block
// format), in a slice of its own size.
func answerBody(answer []byte) []byte {
	body := s2.Encode(make([]byte, s2.MaxEncodedLen(len(answer))), answer)
	return bytes.Clone(body) // the encoder's buffer is sized for the worst case
}

// answerBuffers are the buffers hits decompress answers into, each kept at
// the size of the largest answer it held.
var answerBuffers = sync.Pool{New: func() any { return new([]byte) }}

func endOfUTCDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func (c *responseCache) key(r *http.Request, body []byte, position int, now time.Time) [32]byte {
	h := sha256.New()
	write := func(s string) { _, _ = io.WriteString(h, s); _, _ = h.Write([]byte{0}) }
	write(strconv.Itoa(position))
	write(now.UTC().Format(time.DateOnly))
	write(r.URL.Path)
	write(r.Header.Get("Accept"))
	if r.Method == http.MethodPost {
		write(r.Header.Get("Content-Type"))
		write("") // separates a POST's parts from a GET's query string
		_, _ = h.Write(body)
	} else {
		write(r.URL.RawQuery)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *responseCache) get(key [32]byte, position int, now time.Time) *cachedAnswer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(position)
	e, ok := c.entries[key]
	if !ok {
		return nil
	}
	a := e.Value.(*cachedAnswer)
	if !now.Before(a.expires) {
		c.remove(e)
		return nil
	}
	c.order.MoveToFront(e)
	return a
}

func (c *responseCache) put(a *cachedAnswer) {
	size := a.size()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(a.position)
	if a.position < c.position || size > c.maxBytes/8 {
		return // a write committed while it ran: nobody will ask for it
	}
	if e, ok := c.entries[a.key]; ok {
		c.remove(e)
	}
	c.entries[a.key] = c.order.PushFront(a)
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

// advance drops every entry kept under a position older than position: no
// request will ask for them again, and they would otherwise hold memory
// until pushed out.
func (c *responseCache) advance(position int) {
	if position <= c.position {
		return
	}
	c.position = position
	for e := c.order.Front(); e != nil; {
		next := e.Next()
		if e.Value.(*cachedAnswer).position < position {
			c.remove(e)
		}
		e = next
	}
}

func (c *responseCache) remove(e *list.Element) {
	a := c.order.Remove(e).(*cachedAnswer)
	delete(c.entries, a.key)
	c.bytes -= a.size()
}

// recordingWriter passes an answer through and keeps a copy of it, up to
// limit bytes (beyond that it is not kept).
type recordingWriter struct {
	http.ResponseWriter
	limit    int64
	status   int
	buf      bytes.Buffer
	overflow bool
}

func (w *recordingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.overflow {
		if int64(w.buf.Len()+len(b)) > w.limit {
			w.overflow = true
			w.buf = bytes.Buffer{}
		} else {
			w.buf.Write(b)
		}
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer below.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
