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

	"github.com/village-directory/village/internal/write"
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
			// before alone pages backward: the page nearest the cursor.
			size := "first"
			if f.Arguments.ForName("before") != nil && f.Arguments.ForName("after") == nil && f.Definition.Arguments.ForName("last") != nil {
				size = "last"
			}
			f.Arguments = append(f.Arguments, &ast.Argument{
				Name:     size,
				Value:    &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(c.limits.DefaultPageSize)},
				Position: f.Position,
			})
		}
	})
	c.inner.Add(ctx, key, doc)
}

// pageSizeCheck rejects page sizes out of range, and cursors of another
// ordering (checkCursor), once variables are known, and gives first:
// default to a connection whose first and last are both variables left
// null: one pass over each connection's arguments.
type pageSizeCheck struct{ limits Limits }

func (p pageSizeCheck) check(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	var failure *gqlerror.Error
	forEachOperationField(oc.Operation, func(f *ast.Field) {
		if failure != nil {
			return
		}
		if f.Definition != nil && f.Name == "nodes" {
			return // operationCaps
		}
		if failure = unaliasedPageField(f); failure != nil {
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
			case a.n == 0:
				// entgql answers a page of none with a pageInfo that
				// ignores the cursors (hasNextPage: any record at all) or,
				// on a nested connection, says false: refused rather than
				// answered wrong (issue 18). totalCount needs no page size.
				failure = badInput(f, a.name, fmt.Sprintf("%s must be at least 1 (got 0); to count records alone, select totalCount with %s: 1", a.name, a.name))
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
		if failure == nil {
			failure = pageDirection(f, args, hasFirst, hasLast)
		}
		if failure != nil || hasFirst || hasLast {
			return
		}
		// Both null: default first (last when paging back from before)
		// through its variable, or refuse a literal null (a page of
		// everything is what the limit forbids).
		size := "first"
		if _, back := args["before"].(string); back {
			size = "last"
		}
		if arg := f.Arguments.ForName(size); arg != nil && arg.Value.Kind == ast.Variable {
			oc.Variables[arg.Value.Raw] = p.limits.DefaultPageSize
			return
		}
		failure = badInput(f, size, "first or last must be a number of records, not null")
	})
	if failure == nil {
		failure = p.operationCaps(oc)
	}
	return failure
}

// pageDirection refuses the combinations of first, last, after and before
// that do not page in one direction: first with before, last with after,
// and after with before. The Relay spec defines them (cut the list at both
// cursors, then take first or last), but entgql's paging does not do that
// (entgo.io/contrib v0.7.0: its cursor predicate takes before like after,
// in the direction the page is read, so first:3, before:c6 answered the
// three records after c6, and after:c1, before:c6 everything after c1).
// No Relay client sends them (Relay pages forward with first/after and
// back with last/before), so they are refused, on the argument that does
// not fit, rather than answered with a wrong page; TestRelayPagination
// (server) holds every other combination to the spec's algorithm. With
// neither first nor last, before alone is paged back from (the default
// page size goes to last).
func pageDirection(f *ast.Field, args map[string]any, hasFirst, hasLast bool) *gqlerror.Error {
	_, hasAfter := args["after"].(string)
	_, hasBefore := args["before"].(string)
	switch {
	case hasAfter && hasBefore:
		return badInput(f, "before", "give after or before, not both: page forward with first and after, or back with last and before")
	case hasBefore && hasFirst:
		return badInput(f, "before", "before pages backward: give last with before (first pages forward, with after)")
	case hasAfter && hasLast:
		return badInput(f, "after", "after pages forward: give first with after (last pages backward, with before)")
	case hasBefore && !hasLast && f.Arguments.ForName("last") == nil:
		return badInput(f, "before", "before pages backward: give last with before")
	}
	return nil
}

// operationCaps holds caps that aliases must not multiply to the whole
// operation: the IDs all its fields taking ids ask for together (MaxPageSize),
// and the records all its batch mutations (every mutation field taking a
// list as input) save together (write.MaxBatch). A fragment counts each
// time it is spread.
func (p pageSizeCheck) operationCaps(oc *graphql.OperationContext) *gqlerror.Error {
	ids, records := 0, 0
	var failure *gqlerror.Error
	forEachExecutedField(oc.Operation, func(f *ast.Field) {
		if failure != nil || f.Definition == nil {
			return
		}
		if f.Definition.Arguments.ForName("ids") != nil {
			list, _ := f.ArgumentMap(oc.Variables)["ids"].([]any)
			if ids += len(list); ids > p.limits.MaxPageSize {
				failure = badInput(f, "ids", fmt.Sprintf("an operation may fetch at most %d IDs, in all its nodes fields together (asked for %d)", p.limits.MaxPageSize, ids))
			}
		}
		if in := f.Definition.Arguments.ForName("input"); in != nil && in.Type.Elem != nil && oc.Operation.Operation == ast.Mutation {
			list, _ := f.ArgumentMap(oc.Variables)["input"].([]any)
			if records += len(list); records > write.MaxBatch {
				failure = badInput(f, "input", fmt.Sprintf("an operation may save at most %d records, in all its mutations together (got %d); send the rest in another request", write.MaxBatch, records))
			}
		}
	})
	return failure
}

// unaliasedPageField refuses an alias on a connection's edges, pageInfo or
// totalCount, or on an edge's node: entgql's generated eager loading finds
// them by response name (ent/gql_pagination.go, collectedField; the
// limitation of ent/ent#2755), so an aliased node was loaded without its
// columns (a name read as "") or failed. Aliasing the connection field
// itself is supported.
func unaliasedPageField(f *ast.Field) *gqlerror.Error {
	if f.ObjectDefinition == nil || f.Alias == "" || f.Alias == f.Name {
		return nil
	}
	parent := f.ObjectDefinition.Name
	inConnection := strings.HasSuffix(parent, "Connection") && (f.Name == "edges" || f.Name == "pageInfo" || f.Name == "totalCount")
	inEdge := strings.HasSuffix(parent, "Edge") && f.Name == "node"
	if !inConnection && !inEdge {
		return nil
	}
	return badInput(f, f.Alias, fmt.Sprintf("%s.%s cannot be aliased (%s): select it once under its own name, or alias the connection field instead", parent, f.Name, f.Alias))
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
