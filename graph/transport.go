package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/village-directory/village/internal/telemetry"
)

// postJSON is gqlgen's POST transport (transport.POST with its defaults: the
// same requests, content types and status codes) except in two ways. A body
// that is not a JSON request is a 400 BAD_REQUEST, answered here (gqlgen
// dispatches it without an operation, which entgql's transactioner cannot
// take). And a response is written without encoding its data again: gqlgen
// encodes the data itself, and transport.POST then hands it to
// encoding/json, which scans and compacts every byte of that
// already-compact json.RawMessage again (golang/go#33422). For a page of
// twenty explained matches that rescan was a fifth of the request; here
// the data is copied as it is.
type postJSON struct{ maxResponseBytes int }

var _ graphql.Transport = postJSON{}

// Supports is transport.POST's: a POST of application/json, no upgrade.
func (postJSON) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && r.Method == http.MethodPost && mediaType == "application/json"
}

func (p postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)
	start := graphql.Now()
	// A body that is not a request is answered here: no operation exists
	// for the executor to report it through.
	var body struct {
		graphql.RawParams
		// Relay's persisted-query form, and GraphQL over HTTP's draft's.
		DocID      string `json:"doc_id"`
		DocumentID string `json:"documentId"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	err := dec.Decode(&body)
	params := body.RawParams
	if err == nil {
		setDocID(&params, body.DocID, body.DocumentID)
	}
	if err != nil {
		writeRequestError(w, http.StatusBadRequest, "the body is not a GraphQL request (a JSON object with a query string, "+
			"and variables as an object): "+err.Error())
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, &params, contentType, false, p.maxResponseBytes)
}

// execute runs a request's operation and writes its response, or the
// executor's refusal with its status (for GET, queryOnly: a mutation is
// refused with 405 and Allow: POST, as GraphQL over HTTP asks).
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, contentType string, queryOnly bool, maxResponseBytes int) {
	ctx := r.Context()
	rc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		markErrors(ctx)
		w.WriteHeader(statusFor(opErr, contentType))
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
		return
	}
	if op := rc.Doc.Operations.ForName(rc.OperationName); queryOnly && (op == nil || op.Operation != ast.Query) {
		w.Header().Set("Allow", "POST")
		writeRequestError(w, http.StatusMethodNotAllowed, "GET runs queries only: send a mutation as a POST")
		return
	}
	ctx, data := withDataBuffer(ctx)
	ctx, arenas := withOperationArenas(ctx)
	defer func() { // after the response is written
		if data.finished.Load() {
			arenas.release()
		}
		data.release()
	}()
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := withinDeadline(ctx, exec, func() *graphql.Response {
		resp := responses(ctx)
		data.finished.Store(true)
		return resp
	})
	resp = capResponse(resp, maxResponseBytes)
	if resp == nil || len(resp.Errors) > 0 {
		markErrors(r.Context())
	}
	if unavailable(resp) {
		w.Header().Set("Retry-After", strconv.Itoa(UnavailableRetryAfter))
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	writeResponse(w, resp)
}

// deadlineGrace is how long past the request's deadline execution may run
// before the request is answered TIMEOUT without it.
const deadlineGrace = time.Second

// withinDeadline runs an operation and returns its response, or a TIMEOUT
// error once the context's deadline has passed by deadlineGrace, whatever
// the operation is doing: resolvers stop at the deadline (every database
// call takes the context), but building and marshalling a large answer in
// memory, or a wait that does not watch the context, would not. The
// operation is left to end on its own; its context is done, so its
// statements fail and a mutation's transaction is rolled back, never
// committed after the client was told it timed out.
func withinDeadline(ctx context.Context, exec graphql.GraphExecutor, run func() *graphql.Response) *graphql.Response {
	deadline, ok := ctx.Deadline()
	if !ok {
		return run()
	}
	done := make(chan *graphql.Response, 1)
	go func() {
		growStack()
		defer func() {
			// Off the request's goroutine, net/http's recovery does not
			// reach: a panic here would end the process.
			if p := recover(); p != nil {
				err := graphql.GetOperationContext(ctx).Recover(ctx, p)
				done <- exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapIfUnwrapped(err)})
			}
		}()
		done <- run()
	}()
	timer := time.NewTimer(time.Until(deadline) + deadlineGrace)
	defer timer.Stop()
	timeout := func() *graphql.Response {
		err := &gqlerror.Error{Message: "the request took too long and was stopped"}
		errcode.Set(err, CodeTimeout)
		return &graphql.Response{Errors: gqlerror.List{err}}
	}
	select {
	case resp := <-done:
		// A read that ran past its deadline is a timeout however far it
		// got: what it returns is partial, or only as complete as the
		// resolvers that never looked at the clock (marshalling a large
		// answer does not). A mutation's answer stands: its transaction
		// committed before the deadline or was rolled back at it, and
		// its errors say which.
		if ctx.Err() == context.DeadlineExceeded && readOnly(ctx) {
			return timeout()
		}
		return resp
	case <-timer.C:
		return timeout()
	}
}

// readOnly reports whether the operation of ctx is a query.
func readOnly(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Query
}

// capResponse replaces a response larger than limit bytes with one
// RESPONSE_TOO_LARGE error naming the cap.
func capResponse(resp *graphql.Response, limit int) *graphql.Response {
	if resp == nil || limit <= 0 {
		return resp
	}
	size := len(resp.Data)
	for _, e := range resp.Errors {
		size += len(e.Message) + 64
	}
	if size <= limit {
		return resp
	}
	return &graphql.Response{Errors: gqlerror.List{limitError(CodeResponseTooLarge, LimitResponse, limit, size,
		fmt.Sprintf("the answer would be %d bytes; at most %d are sent: ask for fewer records or fields, or page through them", size, limit))}}
}

// unavailable reports a response that answers nothing because the database
// could not be reached: an UNAVAILABLE error and no data (data null, or
// null for every field asked for). It is sent as 503 with Retry-After, so
// clients and proxies that look only at the status know to retry; a
// partial answer stays 200 with its errors, as any other.
func unavailable(resp *graphql.Response) bool {
	if resp == nil || !slices.ContainsFunc(resp.Errors, func(e *gqlerror.Error) bool {
		return e.Extensions["code"] == CodeUnavailable
	}) {
		return false
	}
	if len(resp.Data) == 0 || string(resp.Data) == "null" {
		return true
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(resp.Data, &fields); err != nil {
		return false
	}
	for _, v := range fields {
		if string(v) != "null" {
			return false
		}
	}
	return true
}

const graphqlResponseJSON = "application/graphql-response+json"

// responseContentType negotiates as transport.POST does by default:
// application/json unless the client asks for the GraphQL response type.
func responseContentType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case graphqlResponseJSON:
			return graphqlResponseJSON
		}
	}
	return graphqlResponseJSON
}

// writeResponse writes resp as encoding/json would (the same members, in
// the same order, omitted when empty), with its data copied rather than
// re-encoded: the one difference is that <, > and & in the data's strings
// stay as they are instead of becoming \u003c, \u003e and \u0026 (the
// same JSON).
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp == nil {
		// No response: the request ended before it ran (gqlgen's handler
		// gives none for a context already done); encoding/json says null.
		_, _ = io.WriteString(w, "null")
		return
	}
	tagRequestID(w, resp.Errors)
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer putResponseBuffer(buf) // w copies what it is given
	buf.Grow(len(resp.Data) + 64)
	buf.WriteByte('{')
	member := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err) // gqlgen's own types always encode
		}
		buf.WriteString(`"` + name + `":`)
		buf.Write(b)
		buf.WriteByte(',')
	}
	if len(resp.Errors) > 0 {
		member("errors", resp.Errors)
	}
	buf.WriteString(`"data":`)
	if len(resp.Data) == 0 {
		buf.WriteString("null")
	} else {
		buf.Write(resp.Data)
	}
	buf.WriteByte(',')
	if resp.Label != "" {
		member("label", resp.Label)
	}
	if len(resp.Path) > 0 {
		member("path", resp.Path)
	}
	if resp.HasNext != nil {
		member("hasNext", resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		member("extensions", resp.Extensions)
	}
	out := buf.Bytes()
	out[len(out)-1] = '}' // the last member's comma
	if rw, ok := w.(http.ResponseWriter); ok {
		// Known in full before a byte is written: no chunked framing (one
		// write fewer), and clients can size what they read. Where the
		// status is already sent this changes nothing; a compressing
		// writer drops it (gzhttp does).
		rw.Header().Set("Content-Length", strconv.Itoa(len(out)))
	}
	_, _ = w.Write(out)
}

// writeRequestError answers a request that never became an operation with
// one BAD_REQUEST error.
func writeRequestError(w http.ResponseWriter, status int, message string) {
	w.WriteHeader(status)
	err := &gqlerror.Error{Message: message}
	errcode.Set(err, CodeBadRequest)
	writeResponse(w, &graphql.Response{Errors: gqlerror.List{err}})
}

// unsupportedRequest answers what no other transport takes (another method,
// a body that is not application/json) with a coded error, where gqlgen
// would answer with none.
type unsupportedRequest struct{}

func (unsupportedRequest) Supports(*http.Request) bool { return true }

func (unsupportedRequest) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		writeRequestError(w, http.StatusMethodNotAllowed, "GraphQL takes GET (queries) or POST (application/json), not "+r.Method)
		return
	}
	writeRequestError(w, http.StatusUnsupportedMediaType, "a POST must be application/json, not "+strconv.Quote(r.Header.Get("Content-Type")))
}

// getQuery is transport.GET with coded errors: a query string that does
// not parse, variables or extensions that are not JSON, and a mutation sent
// by GET are BAD_REQUEST (the mutation with 405 and Allow: POST, as
// GraphQL over HTTP asks), where gqlgen's GET answers with no code.
type getQuery struct{ maxResponseBytes int }

var _ graphql.Transport = getQuery{}

func (getQuery) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && r.Method == http.MethodGet
}

func (g getQuery) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeRequestError(w, http.StatusBadRequest, "the query string does not parse: "+err.Error())
		return
	}
	params := &graphql.RawParams{Query: query.Get("query"), OperationName: query.Get("operationName"), Headers: r.Header}
	params.ReadTime.Start = graphql.Now()
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		name, dst := p.name, p.dst
		if v := query.Get(name); v != "" {
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(dst); err != nil {
				writeRequestError(w, http.StatusBadRequest, name+" must be a JSON object: "+err.Error())
				return
			}
		}
	}
	setDocID(params, query.Get("doc_id"), query.Get("documentId"))
	params.ReadTime.End = graphql.Now()
	execute(w, r, exec, params, contentType, true, g.maxResponseBytes)
}

// statusFor is the HTTP status of a request the executor refused: 200 for
// errors about the operation, 422 for protocol errors (400 when the client
// asked for the GraphQL response type), as gqlgen's transports answer.
func statusFor(errs gqlerror.List, contentType string) int {
	if errcode.GetErrorKind(errs) != errcode.KindProtocol {
		return http.StatusOK
	}
	if contentType == graphqlResponseJSON {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// setDocID moves a request's document id (doc_id, or documentId) among its
// extensions, where trustedDocuments looks for it.
func setDocID(params *graphql.RawParams, ids ...string) {
	for _, id := range ids {
		if id != "" {
			if params.Extensions == nil {
				params.Extensions = map[string]any{}
			}
			params.Extensions[DocIDExtension] = id
			return
		}
	}
}

// markErrors tells the request (its caching) that its answer carries
// errors: such an answer is never cached.
func markErrors(ctx context.Context) {
	telemetry.RequestFrom(ctx).SetOperation(func(op *telemetry.Operation) { op.Errors = true })
}

// growStack grows the stack of the goroutine withinDeadline starts to 64
// KiB in one step. A new goroutine starts with a small stack, and an
// operation's execution goes deep (gqlgen's generated frames are large: an
// input object's unmarshaller holds every filter field), so without it the
// stack was grown, copied and grown again on every request: 2-4% of the
// server's CPU on a nested list (pprof, runtime.newstack). One frame this
// size at the start makes the runtime double the stack until it fits, once,
// while it is still empty; zeroing it costs a few microseconds.
//
//go:noinline
func growStack() byte {
	var frame [56 << 10]byte
	return lastByte(frame[:])
}

//go:noinline
func lastByte(b []byte) byte { return b[len(b)-1] }
