package graph

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestFieldContextsAsGqlgenMakesThem checks that the contexts leafField and
// elementField make are found where gqlgen looks for a field's context, with
// the parent, path and values graphql.WithFieldContext would give them, and
// that other values of the context still come through.
func TestFieldContextsAsGqlgenMakesThem(t *testing.T) {
	type other struct{}
	root := context.WithValue(context.Background(), other{}, "kept")
	parentFC := &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "areas"}}}
	parent := graphql.WithFieldContext(root, parentFC)

	elem := elementField(parent, 3)
	field := graphql.CollectedField{Field: &ast.Field{Alias: "code", Name: "code"}}
	leaf := leafField(elem, "ServiceArea", field, false, true)

	fc := graphql.GetFieldContext(leaf)
	if fc == nil || fc.Object != "ServiceArea" || fc.Field.Alias != "code" || fc.IsMethod || !fc.IsResolver {
		t.Fatalf("leaf field context %+v", fc)
	}
	if fc.Parent != graphql.GetFieldContext(elem) || fc.Parent.Parent != parentFC {
		t.Fatal("the leaf's parent is not the element's field context, or the element's not the list's")
	}
	if got, want := graphql.GetPath(leaf), (ast.Path{ast.PathName("areas"), ast.PathIndex(3), ast.PathName("code")}); !slices.Equal(got, want) {
		t.Fatalf("path %v, want %v", got, want)
	}
	if leaf.Value(other{}) != "kept" {
		t.Fatal("a value of the parent context is lost")
	}
	if _, err := fc.Child(leaf, field); err == nil {
		t.Fatal("a leaf's Child must fail, as gqlgen's does")
	}
	// The same field context as gqlgen's own.
	want := graphql.GetFieldContext(graphql.WithFieldContext(elem, &graphql.FieldContext{Object: "ServiceArea", Field: field, IsResolver: true}))
	if fc.Object != want.Object || fc.Parent != want.Parent || fc.Index != want.Index || fc.Args != nil || fc.Result != nil {
		t.Fatalf("leaf field context %+v, gqlgen's %+v", fc, want)
	}
}

// TestObjectFieldsWritesAsFieldsInOrder checks objectFields against
// fieldsInOrder (which objects_test.go compares with gqlgen's FieldSet),
// without an arena and within one, for objects whose values come from the
// arena's blocks (more than one block's worth, so none shares another's)
// and larger ones that have their own.
func TestObjectFieldsWritesAsFieldsInOrder(t *testing.T) {
	var arenaCtx context.Context
	withArena(context.Background(), func(c context.Context) graphql.Marshaler { arenaCtx = c; return graphql.Null })
	for _, ctx := range []context.Context{context.Background(), elementField(arenaCtx, 0)} {
		var objects []*objectFields
		var wants []string
		for round := range 20 {
			for _, n := range []int{0, 1, 8, 9, 20, valuesBlock/4 + 1, valuesBlock + 1} {
				fields := make([]graphql.CollectedField, n)
				for i := range fields {
					fields[i] = graphql.CollectedField{Field: &ast.Field{Alias: string(rune('a' + i%5))}}
				}
				o := newObjectFields(ctx, fields)
				if len(o.Values) != n || cap(o.Values) != n {
					t.Fatalf("%d fields: %d values, room for %d", n, len(o.Values), cap(o.Values))
				}
				for i := range o.Values {
					if o.Values[i] != nil {
						t.Fatalf("%d fields: value %d already set", n, i)
					}
					o.Values[i] = graphql.MarshalInt(round*1000 + i)
				}
				o.Dispatch(context.Background())
				var want writerBuffer
				fieldsInOrder{fields: fields, values: o.Values}.MarshalGQL(&want)
				objects, wants = append(objects, o), append(wants, want.String())
			}
		}
		// Each object still writes its own values once all are set.
		for i, o := range objects {
			var got writerBuffer
			o.MarshalGQL(&got)
			if got.String() != wants[i] {
				t.Fatalf("object %d: wrote %s, want %s", i, got.String(), wants[i])
			}
		}
	}
}

type writerBuffer struct{ b []byte }

func (w *writerBuffer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *writerBuffer) String() string              { return string(w.b) }

// TestArenaContextsAsGqlgenMakesThem checks that below a root field with an
// arena (withArena), leaf, element and object field contexts and objects
// come from it and are what they are without one: the same parents, paths
// and values, each context its own.
func TestArenaContextsAsGqlgenMakesThem(t *testing.T) {
	type other struct{}
	root := context.WithValue(context.Background(), other{}, "kept")
	var ctx context.Context
	withArena(root, func(c context.Context) graphql.Marshaler { ctx = c; return graphql.Null })
	a, _ := ctx.Value(arenaKey{}).(*arena)
	if a == nil {
		t.Fatal("withArena gave the root field no arena")
	}
	areas := graphql.CollectedField{Field: &ast.Field{Alias: "areas", Name: "serviceAreas"}}
	list := graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Service", Field: areas, IsMethod: true})
	code := graphql.CollectedField{Field: &ast.Field{Alias: "code", Name: "code"}}
	node := graphql.CollectedField{Field: &ast.Field{Alias: "node", Name: "node"}}
	var leaves []context.Context
	for i := range 200 { // more than one block
		elem := elementField(list, i)
		obj := withFieldContext(elem, &graphql.FieldContext{Object: "ServiceAreaEdge", Field: node, Args: map[string]any{"x": 1}})
		leaves = append(leaves, leafField(obj, "ServiceArea", code, false, true))
		if o := newObjectFields(obj, make([]graphql.CollectedField, 3)); len(o.Values) != 3 || o.Invalids != 0 {
			t.Fatalf("object %d: %d values, %d invalid", i, len(o.Values), o.Invalids)
		}
	}
	if a.ctxs.n < 600 || a.objs.n < 200 {
		t.Fatalf("the arena handed out %d contexts and %d objects, want 600 and 200", a.ctxs.n, a.objs.n)
	}
	for i, leaf := range leaves {
		fc := graphql.GetFieldContext(leaf)
		want := ast.Path{ast.PathName("areas"), ast.PathIndex(i), ast.PathName("node"), ast.PathName("code")}
		if got := graphql.GetPath(leaf); !slices.Equal(got, want) {
			t.Fatalf("leaf %d: path %v, want %v", i, got, want)
		}
		if fc.Object != "ServiceArea" || !fc.IsResolver || fc.Parent.Object != "ServiceAreaEdge" || fc.Parent.Args["x"] != 1 ||
			fc.Parent.Parent.Parent != graphql.GetFieldContext(list) {
			t.Fatalf("leaf %d: field context %+v, parent %+v", i, fc, fc.Parent)
		}
		if leaf.Value(other{}) != "kept" || leaf.Value(arenaKey{}) != a {
			t.Fatalf("leaf %d: a value of the parent context is lost", i)
		}
	}
}

// TestCollectFieldsAsGqlgenDoes checks that collectFields, within an arena
// and without one, collects what graphql.CollectFields does, for each type
// an object may satisfy, and that within an arena it keeps the fields of a
// selection set once collected.
func TestCollectFieldsAsGqlgenDoes(t *testing.T) {
	oc := &graphql.OperationContext{Doc: &ast.QueryDocument{}, Variables: map[string]any{}}
	sel := ast.SelectionSet{
		&ast.Field{Alias: "id", Name: "id"},
		&ast.InlineFragment{TypeCondition: "Service", SelectionSet: ast.SelectionSet{&ast.Field{Alias: "status", Name: "status"}}},
		&ast.InlineFragment{TypeCondition: "Organization", SelectionSet: ast.SelectionSet{&ast.Field{Alias: "name", Name: "name"}}},
	}
	service, organization := []string{"Service", "Node"}, []string{"Organization", "Node"}
	names := func(fields []graphql.CollectedField) (s []string) {
		for _, f := range fields {
			s = append(s, f.Alias)
		}
		return s
	}
	var arenaCtx context.Context
	withArena(context.Background(), func(c context.Context) graphql.Marshaler { arenaCtx = c; return graphql.Null })
	for _, ctx := range []context.Context{context.Background(), elementField(arenaCtx, 0)} {
		for _, satisfies := range [][]string{service, organization, service} {
			got, want := collectFields(ctx, oc, sel, satisfies), graphql.CollectFields(oc, sel, satisfies)
			if !slices.Equal(names(got), names(want)) {
				t.Fatalf("collected %v, gqlgen %v", names(got), names(want))
			}
		}
	}
	first := collectFields(elementField(arenaCtx, 1), oc, sel, service)
	if again := collectFields(elementField(arenaCtx, 2), oc, sel, service); &again[0] != &first[0] {
		t.Fatal("the arena did not keep the fields collected")
	}
	if len(arenaCtx.Value(arenaKey{}).(*arena).collected) != 2 {
		t.Fatal("the arena keeps one entry per selection set and type")
	}
}

// TestTransientLeafFieldAsLeafField checks that the context
// transientLeafField gives a leaf is the one leafField would, with its
// path, for the invalid null a marshaler may report through it, and
// that below a root field it is the arena's one, allocating nothing.
func TestTransientLeafFieldAsLeafField(t *testing.T) {
	var ctx context.Context
	withArena(context.Background(), func(c context.Context) graphql.Marshaler { ctx = c; return graphql.Null })
	ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, nil)
	areas := graphql.CollectedField{Field: &ast.Field{Alias: "areas", Name: "serviceAreas"}}
	list := graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Service", Field: areas, IsMethod: true})
	code := graphql.CollectedField{Field: &ast.Field{Alias: "code", Name: "code"}}
	for _, parent := range []context.Context{list, elementField(list, 2), context.Background()} {
		got, want := transientLeafField(parent, "ServiceArea", code, false, true), leafField(parent, "ServiceArea", code, false, true)
		gfc, wfc := graphql.GetFieldContext(got), graphql.GetFieldContext(want)
		if gfc.Object != wfc.Object || gfc.Field.Field != wfc.Field.Field || gfc.IsMethod != wfc.IsMethod ||
			gfc.IsResolver != wfc.IsResolver || gfc.Parent != wfc.Parent || gfc.Index != nil || gfc.Child == nil {
			t.Fatalf("transient leaf field context %+v, leafField's %+v", gfc, wfc)
		}
		if !slices.Equal(graphql.GetPath(got), graphql.GetPath(want)) {
			t.Fatalf("path %v, leafField's %v", graphql.GetPath(got), graphql.GetPath(want))
		}
	}
	graphql.AddInvalidNullFromMarshaler(transientLeafField(elementField(list, 4), "ServiceArea", code, false, false), "String!")
	errs := graphql.GetErrors(ctx)
	if want := (ast.Path{ast.PathName("areas"), ast.PathIndex(4), ast.PathName("code")}); len(errs) != 1 || !slices.Equal(errs[0].Path, want) {
		t.Fatalf("errors %v, want one at %v", errs, want)
	}
	if n := testing.AllocsPerRun(100, func() { transientLeafField(list, "ServiceArea", code, false, false) }); n != 0 {
		t.Fatalf("transientLeafField allocated %v times in an arena", n)
	}
}

// TestArenasHandedBackUnlessWatched checks that an operation's arenas go
// back cleared for later responses, except one whose contexts something
// asked for Done, Err or Deadline (directly, or by deriving a cancelable
// context below one, as a driver watching a statement's context does).
func TestArenasHandedBackUnlessWatched(t *testing.T) {
	field := graphql.CollectedField{Field: &ast.Field{Alias: "code", Name: "code"}}
	for _, watch := range []struct {
		name string
		do   func(ctx context.Context)
	}{
		{"none", nil},
		{"Done", func(ctx context.Context) { ctx.Done() }},
		{"Err", func(ctx context.Context) { _ = ctx.Err() }},
		{"Deadline", func(ctx context.Context) { ctx.Deadline() }},
		{"a context below", func(ctx context.Context) {
			_, cancel := context.WithCancel(context.WithValue(ctx, struct{}{}, 1))
			cancel()
		}},
	} {
		ctx, ops := withOperationArenas(context.Background())
		var used *arena
		withArena(ctx, func(ctx context.Context) graphql.Marshaler {
			for i := range 300 { // more than one block of each
				elem := elementField(ctx, i)
				leaf := leafField(elem, "ServiceArea", field, false, false)
				newObjectFields(leaf, []graphql.CollectedField{field, field})
				if i == 150 && watch.do != nil {
					watch.do(leaf)
				}
			}
			used = arenaOf(ctx, nil)
			return graphql.Null
		})
		handedBack := ops.release()
		if want := map[bool]int{true: 1, false: 0}[watch.do == nil]; handedBack != want {
			t.Fatalf("%s: %d arenas handed back, want %d", watch.name, handedBack, want)
		}
		if watch.do != nil {
			continue
		}
		for _, block := range used.ctxs.all {
			for i := range block {
				if c := &block[i]; c.Context != nil || c.arena != nil || c.fc.Parent != nil || c.fc.Field.Field != nil || c.fc.Index != nil || c.fc.Object != "" {
					t.Fatalf("a context handed back holds %+v", block[i])
				}
			}
		}
		for _, block := range used.values.all {
			if slices.ContainsFunc(block, func(m graphql.Marshaler) bool { return m != nil }) {
				t.Fatal("an object's value handed back is kept")
			}
		}
		if len(used.ctxs.free) != 0 || used.ctxs.used != 0 || len(used.collected) != 0 {
			t.Fatal("an arena handed back has contexts in use")
		}
	}
	// Without an operation that hands them back (a subscription's events,
	// a test's executor), arenas are new and not kept.
	withArena(context.Background(), func(ctx context.Context) graphql.Marshaler {
		if a := arenaOf(ctx, nil); a == nil || a.ctxs.used != 0 {
			t.Fatal("no fresh arena")
		}
		return graphql.Null
	})
}

// TestNothingDetachesAFieldContext guards what operationArenas cannot
// see: a holder of a field's context that never asks it for Done, Err or
// Deadline (context.WithoutCancel of it, or a goroutine left running that
// only reads its values) would read a cleared context, or a later
// response's, once the arena is handed back. No code of the module may
// call context.WithoutCancel but on a request's own context (named here,
// with why), and no resolver in graph may start a goroutine but the
// operation's own (withinDeadline).
func TestNothingDetachesAFieldContext(t *testing.T) {
	allowed := map[string]string{
		"internal/store/replica.go": "ReadAfter: the request's context, after the operation, in the server's middleware",
	}
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "console", "bench", "tools":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "context.WithoutCancel(") && allowed[rel] == "" {
			t.Errorf("%s calls context.WithoutCancel: a field's context detached so would outlive its arena (graph/fieldctx.go, operationArenas)", rel)
		}
		if strings.HasPrefix(rel, "graph/") && rel != "graph/transport.go" && rel != "graph/gqlgen.go" {
			if strings.Contains(string(src), "go func(") || strings.Contains(string(src), "\tgo ") {
				t.Errorf("%s starts a goroutine: one that outlives its resolver must not hold the field's context (graph/fieldctx.go, operationArenas)", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
