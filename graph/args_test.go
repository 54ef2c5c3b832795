package graph

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/village-directory/village/ent"
)

// argsQuery is a nested connection whose arguments take a variable, a
// cursor (after %q: the cursor of ID 7 unless changed) and a where input,
// decoded through @readable.
const argsQuery = `query($first: Int) { services(first: 3) { edges { node {
  serviceAreas(first: $first, after: %q, where: {codeHasPrefix: "5", or: [{kind: STATE}, {kind: ZIP}]}) { totalCount }
} } } }`

// cursor7 is the cursor of ID 7.
const cursor7 = "gaFpBw"

// serviceAreasField is the serviceAreas field of argsQuery, validated
// against the schema, with the operation holding it.
func serviceAreasField(t *testing.T, after string) (*graphql.OperationContext, graphql.CollectedField) {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(parsedSchema, fmt.Sprintf(argsQuery, after))
	if errs != nil {
		t.Fatal(errs)
	}
	var field *ast.Field
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			if f, ok := sel.(*ast.Field); ok {
				if f.Name == "serviceAreas" {
					field = f
				}
				walk(f.SelectionSet)
			}
		}
	}
	walk(doc.Operations[0].SelectionSet)
	oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{"first": int64(5)}}
	return oc, graphql.CollectedField{Field: field, Selections: field.SelectionSet}
}

// decodeForParents runs the serviceAreas field context for three services
// of one list, as the executor does (below root, with or without an
// arena), with the cursor after and readable as the @readable directive.
// It returns the field contexts made and the errors reported.
func decodeForParents(t *testing.T, withArenas bool, after string, readable func(context.Context, any, graphql.Resolver) (any, error)) ([]*graphql.FieldContext, gqlerror.List) {
	t.Helper()
	oc, field := serviceAreasField(t, after)
	es, ok := NewExecutableSchema(Config{Resolvers: NewResolver(nil), Directives: DirectiveRoot{Readable: readable}}).(*executableSchema)
	if !ok {
		t.Fatal("NewExecutableSchema did not return the generated schema")
	}
	ec := newExecutionContext(oc, es, nil)
	ctx := graphql.WithOperationContext(listContext(), oc)
	if withArenas {
		withArena(ctx, func(c context.Context) graphql.Marshaler { ctx = c; return graphql.Null })
	}
	edges := graphql.CollectedField{Field: &ast.Field{Alias: "edges", Name: "edges"}}
	node := graphql.CollectedField{Field: &ast.Field{Alias: "node", Name: "node"}}
	list := graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "ServiceConnection", Field: edges, IsMethod: true})
	var fcs []*graphql.FieldContext
	for i := range 3 {
		parent := withFieldContext(elementField(list, i), &graphql.FieldContext{Object: "ServiceEdge", Field: node})
		fc, err := ec.fieldContext_Service_serviceAreas(parent, field)
		if (err == nil) != (fc.Args != nil) {
			t.Fatalf("parent %d: error %v with arguments %v", i, err, fc.Args)
		}
		fcs = append(fcs, fc)
	}
	return fcs, graphql.GetErrors(ctx)
}

// TestNestedArgumentsDecodedOncePerRootField: below a root field (with its
// arena), a nested field's arguments are decoded for its first parent
// only, and every parent has the same arguments gqlgen would have decoded
// for it (without an arena, gqlgen's code runs unchanged: once a parent).
func TestNestedArgumentsDecodedOncePerRootField(t *testing.T) {
	decodes := 0
	counting := func(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
		decodes++
		return readable(ctx, obj, next)
	}
	shared, errs := decodeForParents(t, true, cursor7, counting)
	if len(errs) != 0 || decodes != 3 { // the where input and its two or's
		t.Fatalf("below a root field: %d decodes of where inputs (want 3, one where), errors %v", decodes, errs)
	}
	decodes = 0
	own, errs := decodeForParents(t, false, cursor7, counting)
	if len(errs) != 0 || decodes != 9 {
		t.Fatalf("without an arena: %d decodes of where inputs (want 9, one where a parent), errors %v", decodes, errs)
	}
	for i := range shared {
		if !reflect.DeepEqual(shared[i].Args, own[i].Args) {
			t.Errorf("parent %d: shared arguments %v, decoded alone %v", i, shared[i].Args, own[i].Args)
		}
		if reflect.ValueOf(shared[i].Args).UnsafePointer() != reflect.ValueOf(shared[0].Args).UnsafePointer() {
			t.Errorf("parent %d: arguments decoded again below the same root field", i)
		}
		if shared[i].Object != own[i].Object || shared[i].Field.Alias != own[i].Field.Alias || shared[i].IsMethod != own[i].IsMethod ||
			shared[i].Parent == nil || shared[i].Parent.Object != "ServiceEdge" || shared[i].Parent.Parent.Index == nil || *shared[i].Parent.Parent.Index != i {
			t.Errorf("parent %d: field context %+v, gqlgen's %+v", i, shared[i], own[i])
		}
	}
	first, _ := shared[0].Args["first"].(*int)
	after, _ := shared[0].Args["after"].(*entgql.Cursor[int])
	where, _ := shared[0].Args["where"].(*ent.ServiceAreaWhereInput)
	if first == nil || *first != 5 || after == nil || after.ID != 7 || where == nil || len(where.Or) != 2 {
		t.Errorf("arguments %v: not those of the query", shared[0].Args)
	}
}

// TestNestedArgumentErrorsAsGqlgenReportsThem: arguments that fail to
// decode (a cursor that is none, a where input its directive refuses) are
// never shared: each parent decodes them again and reports the error on
// its own path, the same errors as without an arena.
func TestNestedArgumentErrorsAsGqlgenReportsThem(t *testing.T) {
	decodes := 0
	refusing := func(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
		decodes++
		if _, err := next(ctx); err != nil {
			return nil, err
		}
		return nil, &gqlerror.Error{Message: "refused", Extensions: map[string]any{"code": CodeBadUserInput}}
	}
	for _, c := range []struct {
		name, after string
		readable    func(context.Context, any, graphql.Resolver) (any, error)
	}{
		{"bad cursor", "not-a-cursor", readable},
		{"refused where", cursor7, refusing},
	} {
		decodes = 0
		_, shared := decodeForParents(t, true, c.after, c.readable)
		sharedDecodes := decodes
		decodes = 0
		_, own := decodeForParents(t, false, c.after, c.readable)
		if sharedDecodes != decodes || len(shared) != 3 || len(own) != 3 {
			t.Fatalf("%s: %d decodes and errors %v below a root field, %d and %v without: want one error a parent, alike",
				c.name, sharedDecodes, shared, decodes, own)
		}
		for i := range shared {
			if shared[i].Error() != own[i].Error() || !reflect.DeepEqual(shared[i].Extensions, own[i].Extensions) ||
				shared[i].Path.String() != own[i].Path.String() {
				t.Errorf("%s: error %d: %q at %s %v, gqlgen's %q at %s %v", c.name, i, shared[i].Message, shared[i].Path, shared[i].Extensions,
					own[i].Message, own[i].Path, own[i].Extensions)
			}
			if want := fmt.Sprintf("edges[%d].node.serviceAreas", i); !strings.HasPrefix(shared[i].Path.String(), want) {
				t.Errorf("%s: error %d at %s, want it below %s", c.name, i, shared[i].Path, want)
			}
		}
	}
}
