package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// postJSON is gqlgen's POST transport (transport.POST with its defaults: the
// same requests, content types and status codes) except in how it writes a
// response:
// gqlgen encodes the response's data itself, and transport.POST then hands
// it to encoding/json, which scans and compacts every byte of that
// already-compact json.RawMessage again (golang/go#33422). For a page of
// twenty explained matches that rescan was a fifth of the request; here
// the data is copied as it is.
type postJSON struct{}

var _ graphql.Transport = postJSON{}

// Supports is transport.POST's: a POST of application/json, no upgrade.
func (postJSON) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && r.Method == http.MethodPost && mediaType == "application/json"
}

func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %+v", err)}))
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("json request body could not be decoded: %+v body:%s", err, body)}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
			if contentType == graphqlResponseJSON {
				status = http.StatusBadRequest
			}
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	writeResponse(w, responses(ctx))
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
	var buf bytes.Buffer
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
	_, _ = w.Write(out)
}
