package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Page sizes and query cost, enforced once for every connection field (root
// lists, nested edges, match results) instead of in each resolver.
//
// A connection asked for with neither first nor last gets first: default
// written into the parsed document when the document enters the query cache,
// so every path that reads arguments (resolvers, entgql's eager loading of
// nested edges, the cost calculation) sees the same page size. The cache
// entry is written once per distinct query, before any request uses it, so
// no request mutates a document another request is reading.

// isConnection reports whether a field returns a Relay connection paged by
// a first argument.
func isConnection(def *ast.FieldDefinition) bool {
	return def != nil && def.Type != nil &&
		strings.HasSuffix(def.Type.Name(), "Connection") &&
		def.Arguments.ForName("first") != nil
}

// pageDefaultingCache wraps the query cache to write default page sizes into
// each newly parsed and validated document.
type pageDefaultingCache struct {
	inner  graphql.Cache[*ast.QueryDocument]
	limits Limits
}

func (c pageDefaultingCache) Get(ctx context.Context, key string) (*ast.QueryDocument, bool) {
	return c.inner.Get(ctx, key)
}

func (c pageDefaultingCache) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	forEachField(doc, func(f *ast.Field) {
		coerceListLiterals(f)
		if isConnection(f.Definition) && f.Arguments.ForName("first") == nil && f.Arguments.ForName("last") == nil {
			f.Arguments = append(f.Arguments, &ast.Argument{
				Name:     "first",
				Value:    &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(c.limits.DefaultPageSize)},
				Position: f.Position,
			})
		}
	})
	c.inner.Add(ctx, key, doc)
}

// coerceListLiterals wraps a single literal given for a list argument (as
// GraphQL allows: orderBy: {field: NAME} means [{field: NAME}]) in a list.
// entgql reads nested connections' arguments uncoerced and would otherwise
// ignore such an orderBy.
func coerceListLiterals(f *ast.Field) {
	if f.Definition == nil {
		return
	}
	for _, arg := range f.Arguments {
		def := f.Definition.Arguments.ForName(arg.Name)
		if def == nil || def.Type.Elem == nil || arg.Value == nil ||
			arg.Value.Kind == ast.ListValue || arg.Value.Kind == ast.Variable || arg.Value.Kind == ast.NullValue {
			continue
		}
		item := arg.Value
		arg.Value = &ast.Value{
			Kind:         ast.ListValue,
			Children:     ast.ChildValueList{{Value: item, Position: item.Position}},
			Position:     item.Position,
			Definition:   item.Definition,
			ExpectedType: def.Type,
		}
	}
}

// coerceListVariables does the same for variables: a single value sent for
// a list-typed variable becomes a one-item list.
func coerceListVariables(f *ast.Field, vars map[string]any) {
	if f.Definition == nil {
		return
	}
	for _, arg := range f.Arguments {
		def := f.Definition.Arguments.ForName(arg.Name)
		if def == nil || def.Type.Elem == nil || arg.Value == nil || arg.Value.Kind != ast.Variable {
			continue
		}
		if v, ok := vars[arg.Value.Raw]; ok && v != nil {
			if _, isList := v.([]any); !isList {
				vars[arg.Value.Raw] = []any{v}
			}
		}
	}
}

// forEachField visits every field of every operation and fragment once.
func forEachField(doc *ast.QueryDocument, fn func(*ast.Field)) {
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				fn(s)
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
}

// pageSizeCheck rejects page sizes out of range, and cursors of another
// ordering (checkCursor), once variables are known, and gives first:
// default to a connection whose first and last are both variables left
// null: one pass over each connection's arguments.
type pageSizeCheck struct{ limits Limits }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = pageSizeCheck{}

func (pageSizeCheck) ExtensionName() string                   { return "PageSize" }
func (pageSizeCheck) Validate(graphql.ExecutableSchema) error { return nil }
func (p pageSizeCheck) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	var failure *gqlerror.Error
	forEachField(oc.Doc, func(f *ast.Field) {
		if failure != nil {
			return
		}
		coerceListVariables(f, oc.Variables)
		if f.Definition != nil && f.Name == "nodes" {
			if ids, ok := f.ArgumentMap(oc.Variables)["ids"].([]any); ok && len(ids) > p.limits.MaxPageSize {
				failure = badInput(f, "ids", fmt.Sprintf("at most %d IDs can be fetched at once (asked for %d)", p.limits.MaxPageSize, len(ids)))
			}
			return
		}
		if !isConnection(f.Definition) {
			return
		}
		args := f.ArgumentMap(oc.Variables)
		first, hasFirst := pageArg(args["first"])
		last, hasLast := pageArg(args["last"])
		for _, a := range []struct {
			name string
			n    int
			has  bool
		}{{"first", first, hasFirst}, {"last", last, hasLast}} {
			switch {
			case !a.has:
			case a.n < 0:
				failure = badInput(f, a.name, fmt.Sprintf("%s must not be negative (got %d)", a.name, a.n))
			case a.n > p.limits.MaxPageSize:
				failure = badInput(f, a.name, fmt.Sprintf("%s may ask for at most %d records per page (got %d); page through the rest with after", a.name, p.limits.MaxPageSize, a.n))
			}
		}
		if failure == nil && hasFirst && hasLast {
			failure = badInput(f, "last", "give first or last, not both: page forward with first and after, or back with last and before")
		}
		if failure == nil {
			failure = checkCursor(f, args)
		}
		if failure != nil || hasFirst || hasLast {
			return
		}
		// Both null: default first through its variable, or refuse a
		// literal null (a page of everything is what the limit forbids).
		if arg := f.Arguments.ForName("first"); arg != nil && arg.Value.Kind == ast.Variable {
			oc.Variables[arg.Value.Raw] = p.limits.DefaultPageSize
			return
		}
		failure = badInput(f, "first", "first or last must be a number of records, not null")
	})
	return failure
}

// pageArg reads an Int argument as it arrives from a literal or a variable.
func pageArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return clampInt(n), true
	case float64:
		return int(math.Max(math.Min(n, math.MaxInt32), math.MinInt32)), true
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return math.MaxInt32, true
		}
		return clampInt(i), true
	}
	return 0, false
}

func clampInt(n int64) int {
	return int(max(min(n, math.MaxInt32), math.MinInt32))
}

func badInput(f *ast.Field, arg, msg string) *gqlerror.Error {
	err := &gqlerror.Error{
		Message: msg,
		Extensions: map[string]any{
			"code":  CodeBadUserInput,
			"field": arg,
		},
	}
	if f.Position != nil {
		err.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	return err
}

// pageSizeOf reads the size of a page request from its arguments: the larger
// of first and last, or the number of IDs asked for.
func pageSizeOf(args map[string]any) (int, bool) {
	first, hasFirst := pageArg(args["first"])
	last, hasLast := pageArg(args["last"])
	if hasFirst || hasLast {
		return max(first, last, 0), true
	}
	if ids, ok := args["ids"].([]any); ok {
		return len(ids), true
	}
	return 0, false
}
