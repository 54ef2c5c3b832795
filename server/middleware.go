package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/telemetry"
)

// logRequests logs one line per request with log/slog, and counts it in
// metrics: it is the outermost handler but tracing's, and makes the
// request's telemetry.Request. The request's ID is the client's
// X-Request-ID when usable, else a new one; it is sent back in the same
// header (and so in every GraphQL error's extensions.requestId).
func logRequests(log *slog.Logger, metrics *telemetry.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &telemetry.Request{ID: telemetry.RequestIDFrom(r.Header.Get(graph.RequestIDHeader))}
		w.Header().Set(graph.RequestIDHeader, info.ID)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		ctx := telemetry.WithRequest(r.Context(), info)
		finished := false
		// Deferred, so a response cut off on purpose (a stream aborted
		// with http.ErrAbortHandler, which passes on up) is logged too.
		defer func() {
			d := time.Since(start)
			op := info.Operation()
			attrs := []any{
				"request_id", info.ID,
				"method", r.Method,
				"path", r.URL.Path,
				"route", info.Route,
				"status", rec.status,
				"bytes", rec.bytes,
				"duration_ms", float64(d.Microseconds()) / 1000,
				"remote", r.RemoteAddr,
				"role", info.Role, // empty when the request was refused before authentication
				"key", info.KeyName, // the API key's name, never its secret
			}
			if op.Type != "" || op.Name != "" {
				attrs = append(attrs, "operation", op.Name, "operation_type", op.Type)
			}
			if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
				attrs = append(attrs, "trace_id", sc.TraceID().String())
			}
			attrs = append(attrs, "aborted", !finished)
			log.InfoContext(r.Context(), "http request", attrs...)
			metrics.ObserveHTTP(info.Route, methodLabel(r.Method), rec.status, d)
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
		finished = true
	})
}

// routed tells the request's log line, metrics and span which route took
// it: pattern, without its method.
func routed(pattern string, next http.Handler) http.Handler {
	route := pattern
	if _, path, ok := strings.Cut(pattern, " "); ok {
		route = path
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := telemetry.RequestFrom(r.Context()); info != nil {
			info.Route = route
		}
		span := trace.SpanFromContext(r.Context())
		span.SetName(r.Method + " " + route)
		span.SetAttributes(attribute.String("http.route", route))
		next.ServeHTTP(w, r)
	})
}

// compress compresses answers a client accepts compressed (zstd or gzip:
// see the package documentation), a stream's flushed batches included.
func compress(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // the options are constant
	}
	return wrap(next)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// recoverPanics answers 500 with an INTERNAL error for a panic outside the
// GraphQL executor (which recovers its own), logging the stack.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "http handler panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				writeGraphQLError(w, http.StatusInternalServerError, "internal error", "INTERNAL")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses bodies over max with 413: at once when Content-Length
// says so, and otherwise (a chunked body) after reading at most max+1 bytes.
func limitBody(max int64, next http.Handler) http.Handler {
	tooLarge := func(w http.ResponseWriter, size string) {
		writeGraphQLError(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("request body is %s bytes; the limit is %d", size, max), "REQUEST_TOO_LARGE")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.ContentLength > max:
			tooLarge(w, fmt.Sprint(r.ContentLength))
			return
		case r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody:
			body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
			if err != nil {
				writeGraphQLError(w, http.StatusBadRequest, "could not read the request body", "BAD_REQUEST")
				return
			}
			if int64(len(body)) > max {
				tooLarge(w, "more than "+fmt.Sprint(max))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		default:
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		next.ServeHTTP(w, r)
	})
}

// writeSlack is how long past its deadline a response may still be
// written, so a request that ran out of time can send its error.
const writeSlack = 5 * time.Second

// withDeadline bounds the work of one request: d, or streamD for the
// requests isStream recognises, whose connection may also keep writing
// that long (past the server's WriteTimeout).
func withDeadline(d, streamD time.Duration, isStream func(*http.Request) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := d
		if isStream(r) {
			limit = streamD
			// Not every ResponseWriter has a deadline to move (test
			// recorders): then there is none to outlive.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(streamD + writeSlack))
		}
		ctx, cancel := context.WithTimeout(r.Context(), limit)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeGraphQLError answers in the GraphQL response shape, so clients parse
// every failure the same way, with the request's ID (set by logRequests) as
// every GraphQL error has it.
func writeGraphQLError(w http.ResponseWriter, status int, msg, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	extensions := map[string]any{"code": code}
	if id := w.Header().Get(graph.RequestIDHeader); id != "" {
		extensions["requestId"] = id
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": extensions}},
	})
}

// methodLabel is a request's method as a metrics label: any method outside
// HTTP's usual ones is OTHER, so a caller cannot make a series per made-up
// method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
