package graph

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteResponseAsEncodingJSON: the transport's writer produces exactly
// what encoding/json makes of a response, for every member combination.
func TestWriteResponseAsEncodingJSON(t *testing.T) {
	yes := true
	cases := map[string]*graphql.Response{
		"data":        {Data: json.RawMessage(`{"a":[1,"x"]}`)},
		"null data":   {},
		"errors":      {Errors: gqlerror.List{{Message: `bad "data":null`, Path: ast.Path{ast.PathName("match")}, Extensions: map[string]any{"code": "BAD_USER_INPUT", "data": nil}}}},
		"everything":  {Errors: gqlerror.List{{Message: "m"}}, Data: json.RawMessage(`{"b":null}`), Label: "l", Path: ast.Path{ast.PathIndex(2)}, HasNext: &yes, Extensions: map[string]any{"cost": 3}},
		"extensions":  {Data: json.RawMessage(`{}`), Extensions: map[string]any{"data": nil}},
		"html escape": {Errors: gqlerror.List{{Message: "<a & b>"}}},
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
