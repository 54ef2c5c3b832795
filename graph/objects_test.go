package graph

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/apollotracing"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/match"
)

// collected is a field collected under the response name alias.
func collected(name, alias string) graphql.CollectedField {
	return graphql.CollectedField{Field: &ast.Field{Name: name, Alias: alias}}
}

// TestFieldsInOrderAgreesWithGqlgen writes the same fields and values with
// fieldsInOrder and with gqlgen's FieldSet, so a gqlgen upgrade that
// changes how an object is written shows here: the order collected, a
// nested object and list, and a response name collected twice (from two
// fragments on different types), written once with its first value.
func TestFieldsInOrderAgreesWithGqlgen(t *testing.T) {
	fields := []graphql.CollectedField{
		collected("id", "id"), collected("name", "title"), collected("name", "name"),
		collected("tags", "tags"), collected("name", "title"), collected("ok", "ok"),
	}
	inner := fieldsInOrder{fields: []graphql.CollectedField{collected("n", "n")}, values: []graphql.Marshaler{graphql.MarshalInt(7)}}
	values := func() []graphql.Marshaler {
		return []graphql.Marshaler{
			graphql.MarshalString("s-1"), graphql.MarshalString(`first "title"`), inner,
			graphql.Array{graphql.MarshalString("a"), graphql.Null}, graphql.MarshalString("second title"),
			graphql.MarshalBoolean(true),
		}
	}
	var got, want bytes.Buffer
	fieldsInOrder{fields: fields, values: values()}.MarshalGQL(&got)
	gqlgen := graphql.NewFieldSet(fields)
	copy(gqlgen.Values, values())
	gqlgen.MarshalGQL(&want)
	if got.String() != want.String() {
		t.Errorf("fieldsInOrder: %s\ngqlgen:        %s", got.String(), want.String())
	}
	if !json.Valid(got.Bytes()) || !strings.Contains(got.String(), `"title":"first \"title\""`) {
		t.Errorf("object %s is not the JSON expected", got.String())
	}

	var empty, emptyWant bytes.Buffer
	fieldsInOrder{}.MarshalGQL(&empty)
	graphql.NewFieldSet(nil).MarshalGQL(&emptyWant)
	if empty.String() != emptyWant.String() {
		t.Errorf("empty object: %s, gqlgen %s", empty.String(), emptyWant.String())
	}
}

// TestStoredFieldKeepsItsPathOnErrors runs the executor's function for a
// stored field (MatchEdge.distanceKm reads match.Result.DistanceKm, see
// storedFieldsDirect in gqlgen.go) on a value JSON cannot hold: the error
// must name the field's own path, as it did through graphql.ResolveField.
func TestStoredFieldKeepsItsPathOnErrors(t *testing.T) {
	es, ok := NewExecutableSchema(Config{Resolvers: NewResolver(nil)}).(*executableSchema)
	if !ok {
		t.Fatal("NewExecutableSchema did not return the generated schema")
	}
	oc := &graphql.OperationContext{}
	ec := newExecutionContext(oc, es, nil)
	ctx := graphql.WithOperationContext(listContext(), oc)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "MatchConnection", Field: collected("edges", "edges")})
	nan := math.NaN()

	value := ec._MatchEdge_distanceKm(ctx, collected("distanceKm", "km"), &match.Result{DistanceKm: &nan})
	var out bytes.Buffer
	value.MarshalGQL(&out)

	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 {
		t.Fatalf("errors = %v, want one for the NaN distance", errs)
	}
	if path := errs[0].Path.String(); path != "edges.km" {
		t.Errorf("error path = %q, want edges.km (the stored field's own response name)", path)
	}
}

// TestStoredObjectFieldRecoversAPanicBelowIt: marshalling a stored object
// field (MatchEdge.node) runs the whole child object, where gqlgen itself
// can panic (here on a field the object does not have). As through
// graphql.ResolveField, the panic is recovered at the stored field: it
// becomes null, with one INTERNAL error on its own path.
func TestStoredObjectFieldRecoversAPanicBelowIt(t *testing.T) {
	es, ok := NewExecutableSchema(Config{Resolvers: NewResolver(nil)}).(*executableSchema)
	if !ok {
		t.Fatal("NewExecutableSchema did not return the generated schema")
	}
	oc := &graphql.OperationContext{RecoverFunc: recoverFunc(slog.New(slog.DiscardHandler))}
	ec := newExecutionContext(oc, es, nil)
	ctx := graphql.WithOperationContext(listContext(), oc)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "MatchConnection", Field: collected("edges", "edges")})
	bogus := ast.SelectionSet{&ast.Field{Name: "bogus", Alias: "bogus", ObjectDefinition: parsedSchema.Types["Service"]}}
	node := collected("node", "node")
	node.Selections = bogus

	value := ec._MatchEdge_node(ctx, node, &match.Result{Service: &ent.Service{ID: 1}})
	if value != graphql.Null {
		t.Errorf("node = %v, want null after the panic below it", value)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 {
		t.Fatalf("errors = %v, want one", errs)
	}
	if path := errs[0].Path.String(); path != "edges.node" || errs[0].Extensions["code"] != CodeInternal {
		t.Errorf("error %q at %q, want INTERNAL at edges.node", errs[0].Extensions["code"], path)
	}
}

// TestHandlerRefusesFieldInterceptors: stored fields bypass the field
// middleware chain, so an extension that would intercept fields is refused
// when the handler is built, never silently half-applied.
func TestHandlerRefusesFieldInterceptors(t *testing.T) {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: NewResolver(nil)}))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "intercepts fields") {
			t.Errorf("recovered %v, want a refusal of the field interceptor", r)
		}
	}()
	useExtension(srv, apollotracing.Tracer{})
}
