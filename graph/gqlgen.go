//go:build ignore

// gqlgen.go generates the GraphQL executor (graph/generated.go), the models
// and the resolver stubs from gqlgen.yml, as `gqlgen generate` does, and
// then makes the executor resolve a response in order, on the request's
// goroutine (see sequentialObjects and listsInOrder), answers null for an
// optional string nobody recorded (emptyStringsNull), and drops the
// per-field and per-object work that only concurrency or field middleware
// needs (storedFieldsDirect, sequentialObjectsLean), collects each
// selection set's fields once per root field (collectOnce), decodes a
// nested field's arguments once per root field too (sharedFieldArgs),
// writes a search edge's highlights as plain JSON (plainHighlights) and a
// query's data into a buffer that is used again (pooledData). Run through
// `go generate ./...`. Each rewrite touches generated code only, matches an
// exact shape, and stops the generation when gqlgen's output no longer has
// it.
//
// Why: gqlgen starts a goroutine for each element of every list of objects
// or enums, and, in an object with two or more fields that take a context
// (a service showing its organization and its program), one for each such
// field but the first. Village's fields wait on no I/O worth overlapping:
// in queries, ent edges come eager-loaded by entgql's field collection (one
// statement per edge level, before any field resolves) and match results
// come from the matcher's index; a mutation's result, which loads its edges
// as its fields resolve, now loads them one after another. The goroutines
// bought no parallelism, only a start, a stack grown by copying and a wait
// each: in the handler benchmarks on the synthetic directory they were
// about a quarter of the time to show twenty services or a page of match
// results. Query's own fields stay concurrent: each may run statements.
// gqlgen v0.17.98 has no setting for either (upstream: gqlgen issues #3202
// for lists, #4321 for object fields). With no field resolved concurrently,
// gqlgen defers nothing: @defer'd fields come inline, in the one response.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	gqlast "github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"golang.org/x/tools/imports"
)

func main() {
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		log.Fatalf("loading gqlgen.yml: %v", err)
	}
	if err := api.Generate(cfg, api.AddPlugin(sequentialObjects{})); err != nil {
		log.Fatalf("running gqlgen: %v", err)
	}
	if err := rewriteExecutor(cfg.Exec.Filename, cfg.Schema); err != nil {
		log.Fatalf("rewriting the executor: %v", err)
	}
	if err := printSchema(cfg.Schema, "graph/schema.graphql"); err != nil {
		log.Fatalf("printing the schema: %v", err)
	}
}

// printSchema writes the whole schema as clients see it, one SDL file
// sorted by name, for review and for cmd/schemacheck, which compares it
// with the last release's. gqlgen's own directives (@goModel, @goField,
// …) say how Go code binds, nothing a client can see or rely on, so they
// are left out, definitions and uses alike.
func printSchema(schema *gqlast.Schema, filename string) error {
	internal := func(name string) bool { return strings.HasPrefix(name, "go") }
	for name := range schema.Directives {
		if internal(name) {
			delete(schema.Directives, name)
		}
	}
	keep := func(list gqlast.DirectiveList) gqlast.DirectiveList {
		return slices.DeleteFunc(list, func(d *gqlast.Directive) bool { return internal(d.Name) })
	}
	for _, def := range schema.Types {
		def.Directives = keep(def.Directives)
		for _, f := range def.Fields {
			f.Directives = keep(f.Directives)
			for _, a := range f.Arguments {
				a.Directives = keep(a.Directives)
			}
		}
		for _, v := range def.EnumValues {
			v.Directives = keep(v.Directives)
		}
	}
	var out bytes.Buffer
	out.WriteString("# The whole GraphQL schema, printed by `go generate ./...` (graph/gqlgen.go)\n" +
		"# from graph/*.graphqls; do not edit. cmd/schemacheck compares it with the\n" +
		"# last release's (README: Compatibility).\n\n")
	formatter.NewFormatter(&out, formatter.WithIndent("  ")).FormatSchema(schema)
	return os.WriteFile(filename, out.Bytes(), 0o644)
}

// rewriteExecutor applies listsInOrder, emptyStringsNull, collectOnce,
// sharedFieldArgs, storedFieldsDirect, sequentialObjectsLean,
// plainHighlights and pooledData to the generated executor: one read, one
// parse and one write of the file.
func rewriteExecutor(filename string, schema *gqlast.Schema) error {
	src, err := os.ReadFile(filename)
	if err != nil {
		return err
	}
	if src, err = listsInOrder(filename, src); err != nil {
		return err
	}
	if src, err = emptyStringsNull(filename, src); err != nil {
		return err
	}
	if src, err = collectOnce(filename, src); err != nil {
		return err
	}
	if src, err = sharedFieldArgs(filename, src, schema); err != nil {
		return err
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, filename, src, 0)
	if err != nil {
		return err
	}
	fields, err := storedFieldsDirect(fset, file)
	if err != nil {
		return err
	}
	objects, err := sequentialObjectsLean(fset, file)
	if err != nil {
		return err
	}
	if src, err = applySplices(src, slices.Concat(fields, objects)); err != nil {
		return err
	}
	if src, err = plainHighlights(filename, src); err != nil {
		return err
	}
	if src, err = pooledData(filename, src); err != nil {
		return err
	}
	// The deferred-group guards were the only use of package math: drop
	// what is unused.
	if src, err = imports.Process(filename, src, nil); err != nil {
		return err
	}
	return os.WriteFile(filename, src, 0o644)
}

// objectCollects is the call with which the executor's function for each
// object collects its fields; collectOnce points it at collectFields
// (graph/fieldctx.go), which has the same arguments and result, plus the
// context holding the root field's arena, where the fields of each
// selection set are kept once collected. gqlgen's own cache (upstream:
// gqlgen PR #3874) costs an allocation an object for its key; no upstream
// issue asks for one without yet. A gqlgen that no longer writes the call
// stops the generation.
const objectCollects = "graphql.CollectFields(ec.OperationContext, sel, "

func collectOnce(filename string, src []byte) ([]byte, error) {
	if !bytes.Contains(src, []byte(objectCollects)) {
		return nil, fmt.Errorf("%s: gqlgen no longer calls %s; review collectOnce in graph/gqlgen.go", filename, objectCollects)
	}
	return bytes.ReplaceAll(src, []byte(objectCollects), []byte("collectFields(ctx, ec.OperationContext, sel, ")), nil
}

// fieldArgsDecoded is how the field context of every field with arguments
// decodes them, for each parent object the field is resolved on: the raw
// map, then the decoded one, input objects and their directives
// (@readable) included. sharedFieldArgs makes the field context of every
// field of an object other than the root types take them from
// sharedArgs (graph/fieldctx.go) when an earlier parent below the same
// root field has decoded them, and hand them to shareArgs once decoded,
// so a nested connection's arguments are decoded once per root field
// rather than once per parent (issue 19: the serviceAreas of 69
// services, about a tenth of the nested list's bytes). Until then, and
// whenever decoding fails, the field context runs as gqlgen wrote it, so
// an argument's error is reported for each parent, on its own path, as
// before. A root field is resolved once per operation: its fields are
// left as they are. No upstream issue asks gqlgen to decode arguments
// once per field (gqlgen PR #3874 did so for the collected fields, not
// the arguments). A gqlgen that decodes arguments otherwise, in any field
// context, stops the generation.
var fieldArgsDecoded = regexp.MustCompile(`(\tctx = graphql\.WithFieldContext\(ctx, fc\)\n` +
	`\tif fc\.Args, err = ec\.(field_\w+_args)\(ctx, field\.ArgumentMap\(ec\.Variables\)\); err != nil \{\n` +
	`\t\tec\.Error\(ctx, err\)\n\t\treturn fc, err\n\t\}\n)` +
	`(\treturn fc, nil\n)`)

// argumentMaps is the call every field context with arguments makes.
const argumentMaps = "field.ArgumentMap(ec.Variables)"

func sharedFieldArgs(filename string, src []byte, schema *gqlast.Schema) ([]byte, error) {
	var roots []string
	for _, def := range []*gqlast.Definition{schema.Query, schema.Mutation, schema.Subscription} {
		if def != nil {
			roots = append(roots, "field_"+def.Name+"_")
		}
	}
	isRoot := func(args []byte) bool {
		return slices.ContainsFunc(roots, func(prefix string) bool { return bytes.HasPrefix(args, []byte(prefix)) })
	}
	matched, shared := 0, 0
	src = fieldArgsDecoded.ReplaceAllFunc(src, func(m []byte) []byte {
		matched++
		sub := fieldArgsDecoded.FindSubmatch(m)
		if isRoot(sub[2]) {
			return m
		}
		shared++
		return slices.Concat(
			[]byte("\tif sharedArgs(ctx, fc) {\n\t\treturn fc, nil\n\t}\n"),
			sub[1], []byte("\tshareArgs(ctx, fc)\n"), sub[3])
	})
	if n := bytes.Count(src, []byte(argumentMaps)); n != matched || shared == 0 {
		return nil, fmt.Errorf("%s: %d field contexts decode arguments, %d as sharedFieldArgs expects (%d below the root types); review graph/gqlgen.go",
			filename, n, matched, shared)
	}
	return src, nil
}

// optionalString is the marshaler gqlgen writes for every nullable String
// the schema reads from a Go string (not a *string): ent's optional string
// fields, which ent reads as "" where the column is NULL, and the strings
// of Village's own models. emptyStringsNull makes it answer null for "",
// so a value nobody recorded is null as the schema declares (issue 18:
// Service.url came back ""). It covers every such field by construction,
// a field added later included; a non-null String keeps its "" (none is
// stored: internal/store's emptyStringsAreNull hook stores "" as NULL).
const optionalString = `func (ec *executionContext) marshalOString2string(ctx context.Context, sel ast.SelectionSet, v string) graphql.Marshaler {
	_ = sel
	_ = ctx
	res := graphql.MarshalString(v)
	return res
}`

// optionalEnum: the same holds for ent's optional enums that are not Nillable (a
// program's approach, a schedule's freq): ent reads NULL as "", which is
// no value of the enum, and gqlgen wrote it out as "". Their marshalers
// (the type is in one of ent's packages, and ent's enums are strings)
// answer null for "" too.
var optionalEnum = regexp.MustCompile(`(func \(ec \*executionContext\) marshalO\w+2github\S*ᚋvillageᚋentᚋ[a-z]+ᚐ\w+\(ctx context\.Context, sel ast\.SelectionSet, v [a-z]+\.\w+\) graphql\.Marshaler \{\n)(\treturn v\n\})`)

func emptyStringsNull(filename string, src []byte) ([]byte, error) {
	if bytes.Count(src, []byte(optionalString)) != 1 {
		return nil, fmt.Errorf("%s: gqlgen no longer writes marshalOString2string as emptyStringsNull expects; review graph/gqlgen.go", filename)
	}
	src = bytes.Replace(src, []byte(optionalString), []byte(strings.Replace(optionalString, "\tres := ",
		"\tif v == \"\" {\n\t\treturn graphql.Null // nothing recorded\n\t}\n\tres := ", 1)), 1)
	if !optionalEnum.Match(src) {
		return nil, fmt.Errorf("%s: no optional ent enum has the marshaler emptyStringsNull expects; review graph/gqlgen.go", filename)
	}
	return optionalEnum.ReplaceAll(src, []byte("${1}\tif v == \"\" {\n\t\treturn graphql.Null // nothing recorded\n\t}\n${2}")), nil
}

// splice replaces src[from:to] with text.
type splice struct {
	from, to int
	text     string
}

// at is the splice replacing the source between from and to.
func at(fset *token.FileSet, from, to token.Pos, text string) splice {
	return splice{from: fset.Position(from).Offset, to: fset.Position(to).Offset, text: text}
}

// applySplices applies splices that do not overlap, in any order.
func applySplices(src []byte, splices []splice) ([]byte, error) {
	slices.SortFunc(splices, func(a, b splice) int { return a.from - b.from })
	for i := 1; i < len(splices); i++ {
		if splices[i].from < splices[i-1].to {
			return nil, fmt.Errorf("two rewrites overlap at byte %d; review graph/gqlgen.go", splices[i].from)
		}
	}
	for _, s := range slices.Backward(splices) {
		src = slices.Concat(src[:s.from], []byte(s.text), src[s.to:])
	}
	return src, nil
}

// sequentialObjects resolves the fields of every object but Query one after
// another, through the setting gqlgen's executor template already has for
// Mutation.
type sequentialObjects struct{}

func (sequentialObjects) Name() string { return "village-sequential-objects" }

func (sequentialObjects) GenerateCode(data *codegen.Data) error {
	for _, obj := range data.Objects {
		if obj.Definition != data.Schema.Query {
			obj.DisableConcurrency = true
		}
	}
	return nil
}

// concurrentLists is the call the executor template writes for every list
// of objects or enums; listsInOrder points it at marshalListInOrder
// (graph/lists.go), which has the same signature and meaning but for the
// goroutines (a test compares the two). The template offers no hook for
// it, so the generated call is rewritten. A gqlgen that no longer writes
// it, or that starts goroutines below Query's fields some other way, stops
// the generation rather than silently going back to them.
const concurrentLists = "graphql.MarshalSliceConcurrently("

// concurrentCalls would start goroutines below Query's fields: none may be
// left in the executor.
var concurrentCalls = []string{"MarshalSliceConcurrently", ".ResolveConcurrently(", "go func("}

func listsInOrder(filename string, src []byte) ([]byte, error) {
	if !bytes.Contains(src, []byte(concurrentLists)) {
		return nil, fmt.Errorf("%s: gqlgen no longer calls %s; review listsInOrder in graph/gqlgen.go", filename, concurrentLists)
	}
	src = bytes.ReplaceAll(src, []byte(concurrentLists), []byte("marshalListInOrder("))
	for _, call := range concurrentCalls {
		if bytes.Contains(src, []byte(call)) {
			return nil, fmt.Errorf("%s: the executor still calls %s; review graph/gqlgen.go", filename, call)
		}
	}
	return src, nil
}

// storedFieldsDirect rewrites the executor's function for each stored field
// (one gqlgen resolves by reading a struct field of its object: no
// resolver, method, arguments or directive) to build its field context and
// marshal the value, which is all graphql.ResolveField does for such a field
// when no field middleware intercepts it (graph/handler.go refuses an
// extension that would; entgql's Transactioner only serialises resolvers in
// a mutation, and a stored field reads no database). What goes is
// per-field machinery that has nothing to do: three closures, a value boxed
// and unboxed, and an empty middleware chain. A page of match results is
// some 700 fields, most of them stored, so this is a sizeable share of its
// time. The field context is kept, so errors and children still carry the
// field's path.
//
// A leaf (a scalar or enum, or a list of them) also loses its deferred
// recover: reading a struct field and wrapping a scalar cannot panic. A
// stored object or list of objects keeps it, since marshalling it runs the
// whole child object, where gqlgen itself can panic (as CollectFields does
// on some directive arguments): the field still becomes null with an error
// on its own path, and its siblings keep their values.
//
// A function is rewritten only when it has exactly the shape below; the
// generation fails if none has, so a gqlgen that writes fields differently
// is reviewed rather than silently left slower.
//
//	func (ec *executionContext) _T_f(ctx context.Context, field graphql.CollectedField, obj *T) (ret graphql.Marshaler) {
//		return graphql.ResolveField(ctx, ec.OperationContext, field,
//			func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
//				return ec.fieldContext_T_f(ctx, field)
//			},
//			func(ctx context.Context) (any, error) { return obj.F, nil },
//			nil,
//			func(ctx context.Context, selections ast.SelectionSet, v V) graphql.Marshaler {
//				return ec.marshalV(ctx, selections, v)
//			},
//			true, nonNull)
//	}
//
// becomes, for a leaf (whose field context gqlgen makes with
// graphql.NewScalarFieldContext("T", field, isMethod, isResolver, ...)),
//
//	func (ec *executionContext) _T_f(ctx context.Context, field graphql.CollectedField, obj *T) (ret graphql.Marshaler) {
//		return ec.marshalV(leafField(ctx, "T", field, isMethod, isResolver), field.Selections, obj.F)
//	}
//
// where leafField (graph/fieldctx.go) makes the same field context in one
// allocation instead of three (issue 19; upstream, gqlgen issue #4294 and
// PR #4293 cut one of the three, the Child closure's error). Where the
// marshaler reads no context (an enum's, an optional string's: ctxUnused,
// see marshalerUses) the leaf is given ctx itself, and where it reads it
// only to report a null it must not return (a non-null String's, ID's,
// Boolean's: ctxForErrors) transientLeafField, the same context without
// an allocation of its own, since nothing keeps it; and otherwise
//
//	fc, err := ec.fieldContext_T_f(ctx, field)
//	if err != nil {
//		return graphql.Null
//	}
//
// with, before the return, ResolveField's recover (withFieldContext,
// graph/fieldctx.go, is graphql.WithFieldContext from an arena):
//
//	ctx = withFieldContext(ctx, fc)
//	defer func() {
//		if r := recover(); r != nil {
//			ec.OperationContext.Error(ctx, ec.OperationContext.Recover(ctx, r))
//			ret = graphql.Null
//		}
//	}()
//	return ec.marshalV(ctx, field.Selections, obj.F)
func storedFieldsDirect(fset *token.FileSet, file *ast.File) ([]splice, error) {
	leaves := leafFieldContexts(file)
	uses := marshalerContexts(file)
	var splices []splice
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || !strings.HasPrefix(fn.Name.Name, "_") {
			continue
		}
		fieldContext, storedField, marshal, ok := storedFieldShape(fn)
		if !ok {
			continue
		}
		if leaf, ok := leaves[fieldContext]; ok {
			var fieldCtx string
			switch uses.of(marshal) {
			case ctxUnused:
				fieldCtx = "ctx"
			case ctxForErrors:
				fieldCtx = fmt.Sprintf("transientLeafField(ctx, %s, field, %s, %s)", leaf.object, leaf.isMethod, leaf.isResolver)
			default:
				fieldCtx = fmt.Sprintf("leafField(ctx, %s, field, %s, %s)", leaf.object, leaf.isMethod, leaf.isResolver)
			}
			body := fmt.Sprintf("{\n\treturn ec.%s(%s, field.Selections, obj.%s)\n}", marshal, fieldCtx, storedField)
			splices = append(splices, at(fset, fn.Body.Lbrace, fn.Body.Rbrace+1, body))
			continue
		}
		body := fmt.Sprintf("{\n\tfc, err := ec.%s(ctx, field)\n\tif err != nil {\n\t\treturn graphql.Null\n\t}\n", fieldContext) +
			"\tctx = withFieldContext(ctx, fc)\n" +
			"\tdefer func() {\n\t\tif r := recover(); r != nil {\n" +
			"\t\t\tec.OperationContext.Error(ctx, ec.OperationContext.Recover(ctx, r))\n" +
			"\t\t\tret = graphql.Null\n\t\t}\n\t}()\n" +
			fmt.Sprintf("\treturn ec.%s(ctx, field.Selections, obj.%s)\n}", marshal, storedField)
		splices = append(splices, at(fset, fn.Body.Lbrace, fn.Body.Rbrace+1, body))
	}
	if len(splices) == 0 {
		return nil, fmt.Errorf("%s: no stored field has the shape storedFieldsDirect expects; review graph/gqlgen.go", fset.File(file.Pos()).Name())
	}
	return splices, nil
}

// ctxUse is what a marshaler does with its context.
type ctxUse int

const (
	ctxUnused    ctxUse = iota // nothing: the marshaler never reads it
	ctxForErrors               // reports a null it must not return, and keeps nothing
	ctxOther                   // anything else, or not known
)

// marshalerUses classifies the executor's marshalers (methods
// marshal…(ctx context.Context, sel ast.SelectionSet, v V)) by what they
// do with ctx, read from their bodies: nothing but `_ = ctx` (an enum's,
// an optional string's) is ctxUnused; besides that, nothing but reporting
// an invalid null through graphql.AddInvalidNullFromMarshaler or
// graphql.AddInvalidNullError, which read the field context's path and
// the response's errors at once and keep neither (a non-null String's,
// ID's, Boolean's), or passing ctx to a marshaler that is one of the two,
// is ctxForErrors; any other use of the name (a call, a new ctx), and any
// function literal (which may run once the marshaler has returned), is
// ctxOther.
type marshalerUses struct {
	decls map[string]*ast.FuncDecl
	uses  map[string]ctxUse
}

func marshalerContexts(file *ast.File) *marshalerUses {
	m := &marshalerUses{decls: map[string]*ast.FuncDecl{}, uses: map[string]ctxUse{}}
	for _, decl := range file.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv != nil && strings.HasPrefix(fn.Name.Name, "marshal") {
			m.decls[fn.Name.Name] = fn
		}
	}
	return m
}

// errorReports are the calls that take a marshaler's context only to
// record an invalid null on its path.
var errorReports = map[string]bool{"graphql.AddInvalidNullFromMarshaler": true, "graphql.AddInvalidNullError": true}

func (m *marshalerUses) of(name string) ctxUse {
	if use, ok := m.uses[name]; ok {
		return use
	}
	m.uses[name] = ctxOther // while being read: a marshaler calling itself is not known
	fn := m.decls[name]
	if fn == nil || len(fn.Type.Params.List) != 3 || len(fn.Type.Params.List[0].Names) != 1 ||
		fn.Type.Params.List[0].Names[0].Name != "ctx" {
		return ctxOther
	}
	use := ctxUnused
	allowed := map[*ast.Ident]bool{} // the uses of ctx accounted for
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt: // _ = ctx
			if len(n.Lhs) == 1 && exprString(n.Lhs[0]) == "_" && len(n.Rhs) == 1 {
				if id, ok := n.Rhs[0].(*ast.Ident); ok && id.Name == "ctx" {
					allowed[id] = true
				}
			}
		case *ast.CallExpr:
			if len(n.Args) == 0 {
				break
			}
			id, ok := n.Args[0].(*ast.Ident)
			if !ok || id.Name != "ctx" {
				break
			}
			callee := exprString(n.Fun)
			switch {
			case errorReports[callee]:
				allowed[id], use = true, max(use, ctxForErrors)
			case strings.HasPrefix(callee, "ec.marshal"):
				if u := m.of(strings.TrimPrefix(callee, "ec.")); u != ctxOther {
					allowed[id], use = true, max(use, u)
				}
			}
		}
		return true
	})
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit: // may run later, or elsewhere
			use = ctxOther
		case *ast.Ident:
			if n.Name == "ctx" && !allowed[n] {
				use = ctxOther
			}
		}
		return use != ctxOther
	})
	m.uses[name] = use
	return use
}

// leafContext is what a leaf field's context holds besides the field: the
// arguments gqlgen passes graphql.NewScalarFieldContext, as written.
type leafContext struct{ object, isMethod, isResolver string }

// leafFieldContexts names the field-context functions of leaf fields: those
// gqlgen writes as a single call of graphql.NewScalarFieldContext (an
// object's has a Child function to resolve what is below it instead), with
// that call's arguments: the object's name (a string literal), the field,
// and whether it is a method and has a resolver (true or false).
func leafFieldContexts(file *ast.File) map[string]leafContext {
	leaves := map[string]leafContext{}
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || !strings.HasPrefix(fn.Name.Name, "fieldContext_") || len(fn.Body.List) != 1 {
			continue
		}
		ret, isReturn := fn.Body.List[0].(*ast.ReturnStmt)
		if !isReturn || len(ret.Results) != 1 {
			continue
		}
		call, isCall := ret.Results[0].(*ast.CallExpr)
		if !isCall || exprString(call.Fun) != "graphql.NewScalarFieldContext" || len(call.Args) != 5 {
			continue
		}
		object, isLit := call.Args[0].(*ast.BasicLit)
		boolean := func(e ast.Expr) bool { s := exprString(e); return s == "true" || s == "false" }
		if !isLit || object.Kind != token.STRING || exprString(call.Args[1]) != "field" || !boolean(call.Args[2]) || !boolean(call.Args[3]) {
			continue
		}
		leaves[fn.Name.Name] = leafContext{object.Value, exprString(call.Args[2]), exprString(call.Args[3])}
	}
	return leaves
}

// storedFieldShape reports whether fn is a stored field's executor function
// (see storedFieldsDirect) and, if so, names its field-context function, the
// struct field it reads and its marshaler.
func storedFieldShape(fn *ast.FuncDecl) (fieldContext, storedField, marshal string, ok bool) {
	if len(fn.Body.List) != 1 || len(fn.Type.Params.List) != 3 || fn.Type.Params.List[2].Names[0].Name != "obj" {
		return "", "", "", false
	}
	ret, isReturn := fn.Body.List[0].(*ast.ReturnStmt)
	if !isReturn || len(ret.Results) != 1 {
		return "", "", "", false
	}
	call, isCall := ret.Results[0].(*ast.CallExpr)
	if !isCall || exprString(call.Fun) != "graphql.ResolveField" || len(call.Args) != 9 ||
		exprString(call.Args[0]) != "ctx" || exprString(call.Args[1]) != "ec.OperationContext" ||
		exprString(call.Args[2]) != "field" || exprString(call.Args[5]) != "nil" || exprString(call.Args[7]) != "true" {
		return "", "", "", false
	}
	// The field context: return ec.fieldContext_T_f(ctx, field).
	initCall, ok := onlyReturnedCall(call.Args[3])
	if !ok || !strings.HasPrefix(exprString(initCall.Fun), "ec.fieldContext_") || !argsAre(initCall, "ctx", "field") {
		return "", "", "", false
	}
	// The resolver: return obj.F, nil.
	resolver, isFunc := call.Args[4].(*ast.FuncLit)
	if !isFunc || len(resolver.Body.List) != 1 {
		return "", "", "", false
	}
	read, isReturn := resolver.Body.List[0].(*ast.ReturnStmt)
	if !isReturn || len(read.Results) != 2 || exprString(read.Results[1]) != "nil" {
		return "", "", "", false
	}
	sel, isSel := read.Results[0].(*ast.SelectorExpr)
	if !isSel || exprString(sel.X) != "obj" {
		return "", "", "", false
	}
	// The marshaler: return ec.marshalV(ctx, selections, v).
	marshalCall, ok := onlyReturnedCall(call.Args[6])
	if !ok || !strings.HasPrefix(exprString(marshalCall.Fun), "ec.marshal") || !argsAre(marshalCall, "ctx", "selections", "v") {
		return "", "", "", false
	}
	return strings.TrimPrefix(exprString(initCall.Fun), "ec."), sel.Sel.Name,
		strings.TrimPrefix(exprString(marshalCall.Fun), "ec."), true
}

// onlyReturnedCall returns the call a function literal's single return
// statement makes.
func onlyReturnedCall(e ast.Expr) (*ast.CallExpr, bool) {
	lit, ok := e.(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return nil, false
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil, false
	}
	call, ok := ret.Results[0].(*ast.CallExpr)
	return call, ok
}

func argsAre(call *ast.CallExpr, names ...string) bool {
	if len(call.Args) != len(names) {
		return false
	}
	for i, a := range call.Args {
		if exprString(a) != names[i] {
			return false
		}
	}
	return true
}

// exprString spells an identifier or a selector chain (a.b.c); anything
// else is "".
func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x := exprString(e.X); x != "" {
			return x + "." + e.Sel.Name
		}
	}
	return ""
}

// sequentialObjectsLean trims, in the executor's function for each object
// that resolves its fields in order (every object but Query, see
// sequentialObjects), what only concurrent fields use, and writes the
// object through fieldsInOrder (graph/objects.go):
//
//   - the object's deferred group: only a field resolved concurrently ever
//     adds to it, so in these objects it stays empty, yet making it builds
//     the object's whole path, a field set and a map;
//   - the guard that hands that empty group on;
//   - graphql.FieldSet, whose writer copies every field it writes to the
//     heap and keeps a map of the names written: objectFields
//     (graph/fieldctx.go) holds the same Values and Invalids and writes
//     them through fieldsInOrder, the same bytes (a test compares the two)
//     without either, in one allocation for an object of up to eight
//     fields where FieldSet took three (issue 19; gqlgen has no setting
//     for it, and no upstream issue asks for one yet).
//
// An object function is rewritten only when its group is used by nothing but
// that guard, it makes its output with graphql.NewFieldSet and uses nothing
// of it but what objectFields has, and it ends in `return out`; the generation fails if no object
// is, so a gqlgen that writes objects differently is reviewed rather than
// silently left slower.
func sequentialObjectsLean(fset *token.FileSet, file *ast.File) ([]splice, error) {
	var splices []splice
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || !strings.HasPrefix(fn.Name.Name, "_") {
			continue
		}
		group, guard, _, ok := deferredGroupShape(fn)
		if !ok {
			continue
		}
		out, ok := fieldSetShape(fn)
		if !ok {
			continue
		}
		splices = append(splices,
			at(fset, group.Pos(), group.End(), ""),
			at(fset, guard.Pos(), guard.End(), ""),
			at(fset, out.Pos(), out.End(), "out := newObjectFields(ctx, fields)"))
	}
	if len(splices) == 0 {
		return nil, fmt.Errorf("%s: no object has the shape sequentialObjectsLean expects; review graph/gqlgen.go", fset.File(file.Pos()).Name())
	}
	return splices, nil
}

// fieldSetShape finds, in an object's executor function, the statement
// making its output, `out := graphql.NewFieldSet(fields)`; ok is false
// unless out is used for nothing but its Values, its Invalids, Dispatch
// and the final `return out`, all of which objectFields has.
func fieldSetShape(fn *ast.FuncDecl) (out ast.Stmt, ok bool) {
	for _, stmt := range fn.Body.List {
		if assign, isAssign := stmt.(*ast.AssignStmt); isAssign && len(assign.Lhs) == 1 && exprString(assign.Lhs[0]) == "out" && len(assign.Rhs) == 1 {
			if call, isCall := assign.Rhs[0].(*ast.CallExpr); isCall && exprString(call.Fun) == "graphql.NewFieldSet" &&
				len(call.Args) == 1 && exprString(call.Args[0]) == "fields" {
				out = stmt
			}
		}
	}
	if out == nil {
		return nil, false
	}
	ok = true
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if sel, isSel := n.(*ast.SelectorExpr); isSel && exprString(sel.X) == "out" {
			switch sel.Sel.Name {
			case "Values", "Invalids", "Dispatch":
			default:
				ok = false
			}
		}
		return ok
	})
	return out, ok
}

// deferredGroupShape finds, in an object's executor function, the
// statement making its deferred group, the guard handing the group on and
// the final `return out`; ok is false unless the group is used by nothing
// else (no field of the object resolves concurrently).
func deferredGroupShape(fn *ast.FuncDecl) (group, guard ast.Stmt, ret *ast.ReturnStmt, ok bool) {
	body := fn.Body.List
	if len(body) == 0 {
		return nil, nil, nil, false
	}
	ret, isReturn := body[len(body)-1].(*ast.ReturnStmt)
	if !isReturn || len(ret.Results) != 1 || exprString(ret.Results[0]) != "out" {
		return nil, nil, nil, false
	}
	for _, stmt := range body {
		switch stmt := stmt.(type) {
		case *ast.AssignStmt:
			if len(stmt.Lhs) == 1 && exprString(stmt.Lhs[0]) == "deferred" {
				if call, isCall := stmt.Rhs[0].(*ast.CallExpr); isCall && exprString(call.Fun) == "graphql.NewDeferredGroup" {
					group = stmt
				}
			}
		case *ast.IfStmt:
			if init, isAssign := stmt.Init.(*ast.AssignStmt); isAssign && len(init.Rhs) == 1 {
				if call, isCall := init.Rhs[0].(*ast.CallExpr); isCall && exprString(call.Fun) == "len" &&
					len(call.Args) == 1 && exprString(call.Args[0]) == "deferred.Defers" {
					guard = stmt
				}
			}
		}
	}
	if group == nil || guard == nil {
		return nil, nil, nil, false
	}
	// The group may be named only in those two statements.
	for _, stmt := range body {
		if stmt == group || stmt == guard {
			continue
		}
		named := false
		ast.Inspect(stmt, func(n ast.Node) bool {
			if id, isIdent := n.(*ast.Ident); isIdent && id.Name == "deferred" {
				named = true
			}
			return !named
		})
		if named {
			return nil, nil, nil, false
		}
	}
	return group, guard, ret, true
}

// highlightsCall is how SearchEdge.highlights marshals its list once
// storedFieldsDirect has rewritten it; plainHighlights points it at
// marshalHighlights (graph/highlights.go), which writes the same bytes
// without a field context, object and closure for every highlight, range
// and scalar (upstream: gqlgen issue #520; see marshalHighlights for why
// it may). gqlgen's marshaller stays, for a list holding nil. A gqlgen
// that no longer writes the call stops the generation.
const highlightsCall = "return ec.marshalNSearchHighlight2ᚕᚖgithubᚗcomᚋvillageᚑdirectoryᚋvillageᚋinternalᚋsearchᚐHighlightᚄ(ctx, field.Selections, obj.Highlights)"

func plainHighlights(filename string, src []byte) ([]byte, error) {
	if bytes.Count(src, []byte(highlightsCall)) != 1 {
		return nil, fmt.Errorf("%s: SearchEdge.highlights no longer marshals as plainHighlights expects; review graph/gqlgen.go", filename)
	}
	return bytes.Replace(src, []byte(highlightsCall), []byte("return ec.marshalHighlights(ctx, field.Selections, obj.Highlights)"), 1), nil
}

// queryData is how the executor marshals a query's data; pooledData points
// it at marshalResponse (graph/respbuf.go), which marshals into a buffer
// the transport hands back once the response is written, where gqlgen
// grows a new one for every response (no upstream issue asks for a pooled
// one yet). A mutation's data is marshalled as gqlgen does. A gqlgen that
// no longer writes the statements stops the generation.
const queryData = "\t\t\tvar buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n\t\t\tresponse.Data = buf.Bytes()\n"

func pooledData(filename string, src []byte) ([]byte, error) {
	if bytes.Count(src, []byte(queryData)) != 1 {
		return nil, fmt.Errorf("%s: a query's data is no longer marshalled as pooledData expects; review graph/gqlgen.go", filename)
	}
	return bytes.Replace(src, []byte(queryData), []byte("\t\t\tresponse.Data = marshalResponse(ctx, data)\n"), 1), nil
}
