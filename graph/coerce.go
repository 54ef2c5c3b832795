package graph

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// listCoercion applies the GraphQL spec's input coercion of lists to an
// operation's variables, at every depth: a single value given for a list
// type becomes a one-item list. gqlparser coerces a top-level variable
// into a typed slice ([]map[string]any), which gqlgen's generated
// unmarshalers take for one item and panic on; here every list becomes the
// []any gqlgen expects, walked along the variables' declared types and the
// schema's input objects.
type listCoercion struct{ schema *ast.Schema }

func (c listCoercion) check(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	for _, def := range oc.Operation.VariableDefinitions {
		if v, ok := oc.Variables[def.Variable]; ok {
			oc.Variables[def.Variable] = c.coerce(def.Type, v)
		}
	}
	return readableArguments(oc)
}

// readableArguments refuses an argument whose literal cannot be read as a
// value: a custom scalar (Cursor, Time) accepts any literal in validation,
// and gqlparser's ArgumentMap panics on a number out of float64's range
// (1e400) wherever the arguments are read, by this package's checks and by
// the executor. Found by the fuzzer.
func readableArguments(oc *graphql.OperationContext) *gqlerror.Error {
	var failure *gqlerror.Error
	read := func(f *ast.Field, name string, v *ast.Value) {
		defer func() {
			if recover() != nil {
				failure = badInput(f, name, name+": the value cannot be read (a number out of range?)")
			}
		}()
		if _, err := v.Value(oc.Variables); err != nil {
			failure = badInput(f, name, name+": the value cannot be read (a number out of range?)")
		}
	}
	forEachOperationField(oc.Operation, func(f *ast.Field) {
		for _, arg := range f.Arguments {
			if failure == nil && arg.Value != nil {
				read(f, arg.Name, arg.Value)
			}
		}
		for _, d := range f.Directives {
			for _, arg := range d.Arguments {
				if failure == nil && arg.Value != nil {
					read(f, arg.Name, arg.Value)
				}
			}
		}
	})
	return failure
}

func (c listCoercion) coerce(t *ast.Type, v any) any {
	if v == nil || t == nil {
		return v
	}
	if t.Elem != nil {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice {
			return []any{c.coerce(t.Elem, v)}
		}
		items := make([]any, rv.Len())
		for i := range items {
			items[i] = c.coerce(t.Elem, rv.Index(i).Interface())
		}
		return items
	}
	def := c.schema.Types[t.NamedType]
	obj, ok := v.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || !ok {
		return v
	}
	for _, f := range def.Fields {
		if fv, ok := obj[f.Name]; ok {
			obj[f.Name] = c.coerce(f.Type, fv)
		}
	}
	return obj
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

// textLengthCheck refuses text longer than MaxTextLength in what a reader
// filters or searches by: every String and ID argument of a query, and of
// a mutation every where filter (a mutation's own input, such as a long
// description, is not a filter). Page cursors are checked by decoding.
type textLengthCheck struct {
	limits Limits
	schema *ast.Schema
}

func (c textLengthCheck) check(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	query := oc.Operation.Operation == ast.Query
	var failure *gqlerror.Error
	forEachOperationField(oc.Operation, func(f *ast.Field) {
		if failure != nil || f.Definition == nil || len(f.Arguments) == 0 {
			return
		}
		args := f.ArgumentMap(oc.Variables)
		for _, def := range f.Definition.Arguments {
			filter := query || strings.HasSuffix(def.Type.Name(), "WhereInput")
			if v, ok := args[def.Name]; ok && filter {
				if path := c.tooLong(oc, def.Type, v, def.Name); path != "" {
					failure = badInput(f, path, fmt.Sprintf("%s: text to filter or search by may be at most %d characters long", path, c.limits.MaxTextLength))
					return
				}
			}
		}
	})
	return failure
}

// tooLong returns the path of the first text value in v longer than the
// limit, or "".
func (c textLengthCheck) tooLong(oc *graphql.OperationContext, t *ast.Type, v any, path string) string {
	switch val := v.(type) {
	case string:
		if (t.NamedType == "String" || t.NamedType == "ID") && utf8.RuneCountInString(val) > c.limits.MaxTextLength {
			return path
		}
	case []any:
		elem := t
		if t.Elem != nil {
			elem = t.Elem
		}
		for i, item := range val {
			if p := c.tooLong(oc, elem, item, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case map[string]any:
		def := c.schema.Types[t.Name()]
		if def == nil {
			return ""
		}
		for _, fd := range def.Fields {
			if fv, ok := val[fd.Name]; ok {
				if p := c.tooLong(oc, fd.Type, fv, path+"."+fd.Name); p != "" {
					return p
				}
			}
		}
	}
	return ""
}
