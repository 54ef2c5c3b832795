package graph

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteResponseAsEncodingJSON: the transport's writer produces exactly
// what encoding/json makes of a response, for every member combination.
func TestWriteResponseAsEncodingJSON(t *testing.T) {
	yes := true
	cases := map[string]*graphql.Response{
		"data":       {Data: json.RawMessage(`{"a":[1,"x"]}`)},
		"null data":  {},
		"errors":     {Errors: gqlerror.List{{Message: `bad "data":null`, Path: ast.Path{ast.PathName("match")}, Extensions: map[string]any{"code": "BAD_USER_INPUT", "data": nil}}}},
		"everything": {Errors: gqlerror.List{{Message: "m"}}, Data: json.RawMessage(`{"b":null}`), Label: "l", Path: ast.Path{ast.PathIndex(2)}, HasNext: &yes, Extensions: map[string]any{"cost": 3}},
		"extensions": {Data: json.RawMessage(`{}`), Extensions: map[string]any{"data": nil}},
		"none":       nil,
	}
	for name, resp := range cases {
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		writeResponse(&got, resp)
		if got.String() != string(want) {
			t.Errorf("%s:\n got  %s\n want %s", name, got.String(), want)
		}
	}
}

// TestPostTransportAsGqlgens: through the whole handler, the POST
// transport answers every kind of request exactly as gqlgen's own does:
// status, content type and body (a query, a parse error, a validation
// error, the GraphQL response media type, and a request whose context is
// already done). A body that is not a JSON request is the one deliberate
// difference (gqlgen's becomes INTERNAL; server's TestMalformedRequests).
func TestPostTransportAsGqlgens(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ours := newHandler(HandlerConfig{Client: db.Client, Logger: quiet}, postJSON{})
	theirs := newHandler(HandlerConfig{Client: db.Client, Logger: quiet}, transport.POST{})
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for name, c := range map[string]struct {
		body, accept string
		ctx          context.Context
	}{
		"query":            {body: `{"query":"{ organizations(first: 2) { totalCount edges { node { id name } } } }"}`},
		"variables":        {body: `{"query":"query($n: Int) { services(first: $n) { totalCount } }","variables":{"n":3}}`},
		"parse error":      {body: `{"query":"{ organizations("}`},
		"validation error": {body: `{"query":"{ nothing }"}`},
		"response type":    {body: `{"query":"{ nothing }"}`, accept: "application/graphql-response+json"},
		"done context":     {body: `{"query":"{ __typename }"}`, ctx: done},
	} {
		answer := func(h http.Handler) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			if c.ctx != nil {
				req = req.WithContext(c.ctx)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		got, want := answer(ours), answer(theirs)
		if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") || got.Body.String() != want.Body.String() {
			t.Errorf("%s:\n got  %d %s %s\n want %d %s %s", name, got.Code, got.Header().Get("Content-Type"), got.Body,
				want.Code, want.Header().Get("Content-Type"), want.Body)
		}
	}
}
