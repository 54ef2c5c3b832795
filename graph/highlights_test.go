package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/village-directory/village/internal/search"
)

// TestMarshalHighlightsAgreesWithGqlgen writes highlights with
// marshalHighlights (plainHighlights in gqlgen.go points
// SearchEdge.highlights at it) and with gqlgen's generated marshaller, for
// selections with aliases, __typename, a fragment, a field skipped, a
// matches field asked twice under two names and a response name collected
// twice, over texts JSON must escape: the same bytes, valid JSON, and no
// error. A list holding nil fails as gqlgen's does.
func TestMarshalHighlightsAgreesWithGqlgen(t *testing.T) {
	es, ok := NewExecutableSchema(Config{Resolvers: NewResolver(nil)}).(*executableSchema)
	if !ok {
		t.Fatal("NewExecutableSchema did not return the generated schema")
	}
	list := []*search.Highlight{
		{Field: "name", Text: "Home visiting", Matches: []search.Range{{Start: 0, End: 4}, {Start: 5, End: 13}}},
		{Field: "description", Text: "…a \"quoted\" \\ back\tslash\nline\x01 ctrl, visitas en casa, niños…", Matches: []search.Range{{Start: 131, End: 138}}},
		{Field: "needs.name", Text: "", Matches: []search.Range{}},
		{Field: "organization.name", Text: "Nurse visits", Matches: nil},
	}
	selections := []string{
		`field text matches { start end }`,
		`__typename f: field t: text matches { __typename s: start end }`,
		`matches { end } m2: matches { start } text`,
		`... on SearchHighlight { field text } field matches { start start }`,
		`text @skip(if: true) field matches { end @include(if: false) start }`,
		`matches { ... on TextRange { end } start }`,
		`__typename`,
	}
	for _, s := range selections {
		sel := highlightsSelection(t, s)
		write := func(marshal func(*executionContext, context.Context, ast.SelectionSet, []*search.Highlight) graphql.Marshaler, v []*search.Highlight) (string, graphql.Marshaler, int) {
			oc := &graphql.OperationContext{}
			ec := newExecutionContext(oc, es, nil)
			ctx := graphql.WithOperationContext(listContext(), oc)
			ctx = context.WithValue(ctx, arenaKey{}, &arena{})
			m := marshal(ec, ctx, sel, v)
			var out bytes.Buffer
			m.MarshalGQL(&out)
			return out.String(), m, len(graphql.GetErrors(ctx))
		}
		ours := func(ec *executionContext, ctx context.Context, sel ast.SelectionSet, v []*search.Highlight) graphql.Marshaler {
			return ec.marshalHighlights(ctx, sel, v)
		}
		gqlgens := func(ec *executionContext, ctx context.Context, sel ast.SelectionSet, v []*search.Highlight) graphql.Marshaler {
			return ec.marshalNSearchHighlight2ᚕᚖgithubᚗcomᚋvillageᚑdirectoryᚋvillageᚋinternalᚋsearchᚐHighlightᚄ(ctx, sel, v)
		}
		for _, v := range [][]*search.Highlight{list, {}, list[:1]} {
			got, _, gotErrs := write(ours, v)
			want, _, wantErrs := write(gqlgens, v)
			if got != want || gotErrs != 0 || wantErrs != 0 {
				t.Errorf("%s: marshalHighlights %s (%d errors)\ngqlgen            %s (%d errors)", s, got, gotErrs, want, wantErrs)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("%s: %s is not JSON", s, got)
			}
		}
		withNil := []*search.Highlight{list[0], nil}
		_, got, gotErrs := write(ours, withNil)
		_, want, wantErrs := write(gqlgens, withNil)
		if got != graphql.Null || want != graphql.Null || gotErrs != 1 || gotErrs != wantErrs {
			t.Errorf("%s: a nil highlight gives %v with %d errors, gqlgen %v with %d", s, got, gotErrs, want, wantErrs)
		}
	}
}

// highlightsSelection is the selection set below highlights in a search
// query selecting fields of each highlight.
func highlightsSelection(t *testing.T, fields string) ast.SelectionSet {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(parsedSchema, `{ search(text: "x") { edges { highlights { `+fields+` } } } }`)
	if errs != nil {
		t.Fatalf("%s: %v", fields, errs)
	}
	search := doc.Operations[0].SelectionSet[0].(*ast.Field)
	edges := search.SelectionSet[0].(*ast.Field)
	return edges.SelectionSet[0].(*ast.Field).SelectionSet
}
