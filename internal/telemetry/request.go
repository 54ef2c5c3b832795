package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
)

// Request is what one request's layers tell each other, for its log line,
// its metrics and its caching. The outermost middleware makes it; inner
// layers fill it in as they learn (the viewer's role once authenticated,
// the GraphQL operation once parsed). Only the request's own goroutine
// writes it, before the response is written.
type Request struct {
	// ID identifies the request in logs, in the X-Request-ID response
	// header and in every GraphQL error's extensions.requestId.
	ID string
	// Route is the server's pattern the request was routed to ("" until
	// routed, or when no route took it).
	Route string
	// Role is the viewer's role (empty when refused before
	// authentication), and KeyName the API key's name: never its secret.
	Role, KeyName string

	mu sync.Mutex
	op Operation
}

// Operation is what the GraphQL layer learnt of a request's operation.
type Operation struct {
	// Name and Type are the operation run (Name "" for an anonymous
	// operation; Type "" when none was parsed).
	Name, Type string
	// ClockDependent is set when the document asks for something that
	// depends on the time of day (openNow, openAt), so that a cached
	// answer must not outlive a minute.
	ClockDependent bool
	// Errors is set when the answer carries errors: it is not cached.
	Errors bool
}

// SetOperation records what the GraphQL layer learnt (r may be nil).
func (r *Request) SetOperation(update func(*Operation)) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	update(&r.op)
}

// Operation returns what the GraphQL layer recorded.
func (r *Request) Operation() Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.op
}

type requestKey struct{}

// WithRequest returns ctx carrying r.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns ctx's Request, or nil when none was made (code
// called outside an HTTP request, tests of a single layer).
func RequestFrom(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// RequestID returns ctx's request ID, or "".
func RequestID(ctx context.Context) string {
	if r := RequestFrom(ctx); r != nil {
		return r.ID
	}
	return ""
}

// maxRequestIDLength bounds a client's X-Request-ID: it goes into every
// log line and error.
const maxRequestIDLength = 128

// RequestIDFrom returns the client's request ID when it is usable (short,
// printable ASCII without spaces or quotes), else a new random one.
func RequestIDFrom(header string) string {
	header = strings.TrimSpace(header)
	if header != "" && len(header) <= maxRequestIDLength && strings.IndexFunc(header, func(r rune) bool {
		return r <= ' ' || r > '~' || r == '"' || r == '\\'
	}) < 0 {
		return header
	}
	return NewRequestID()
}

// NewRequestID returns 16 random bytes in hex.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
