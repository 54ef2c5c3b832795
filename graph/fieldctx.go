package graph

import (
	"context"
	"errors"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// The per-field and per-object allocations of the executor, cut where the
// generated code calls into code of ours (see storedFieldsDirect and
// sequentialObjectsLean in gqlgen.go, and marshalListInOrder). gqlgen makes
// a field's context in three allocations: the graphql.FieldContext, a
// closure for its Child (a leaf's, which nothing calls) and the
// context.WithValue holding it; and an object's output in three: a
// graphql.FieldSet, its values and the fieldsInOrder writing them. On the
// nested list of issue 19 (10 organizations, 69 services, 239 areas) those
// were most of the request's allocations.

// fieldContextKey is the key under which gqlgen keeps a field's context
// (graphql.GetFieldContext reads it): learnt by asking for it, so no
// reflection or copy of gqlgen's unexported key is needed. A test checks
// that GetFieldContext finds a fieldCtx's context.
var fieldContextKey = func() any {
	p := &keyProbe{Context: context.Background()}
	graphql.GetFieldContext(p)
	return p.key
}()

// keyProbe records the key it is asked for.
type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any {
	p.key = key
	return nil
}

// fieldCtx is a context holding a field's context: what
// graphql.WithFieldContext makes, in one allocation instead of two (three
// with a list element's index).
type fieldCtx struct {
	context.Context
	fc    graphql.FieldContext
	index int
}

func (c *fieldCtx) Value(key any) any {
	if key == fieldContextKey {
		return &c.fc
	}
	return c.Context.Value(key)
}

// leafField is the context of a leaf field (a scalar or enum, or a list of
// them) of object, as graphql.NewScalarFieldContext and
// graphql.WithFieldContext make it, in one allocation. Its Child fails, as
// gqlgen's does: validation refuses a selection below a leaf.
func leafField(ctx context.Context, object string, field graphql.CollectedField, isMethod, isResolver bool) context.Context {
	return &fieldCtx{Context: ctx, fc: graphql.FieldContext{
		Parent:     graphql.GetFieldContext(ctx),
		Object:     object,
		Field:      field,
		IsMethod:   isMethod,
		IsResolver: isResolver,
		Child:      leafChild,
	}}
}

func leafChild(context.Context, graphql.CollectedField) (*graphql.FieldContext, error) {
	return nil, errors.New("a field of a scalar or enum type has no child fields")
}

// elementField is the context of the i-th element of a list, as the
// executor makes it (a field context holding the index), in one
// allocation.
func elementField(ctx context.Context, i int) context.Context {
	c := &fieldCtx{Context: ctx, index: i}
	c.fc.Parent = graphql.GetFieldContext(ctx)
	c.fc.Index = &c.index
	return c
}

// objectFields is an object's output where the generated executor made a
// graphql.FieldSet (see sequentialObjectsLean in gqlgen.go): the same
// Values and Invalids, written as fieldsInOrder writes them, with room for
// the values of an object of up to eight fields in the same allocation.
type objectFields struct {
	fields   []graphql.CollectedField
	Values   []graphql.Marshaler
	Invalids uint32
	inline   [8]graphql.Marshaler
}

func newObjectFields(fields []graphql.CollectedField) *objectFields {
	o := &objectFields{fields: fields}
	if len(fields) <= len(o.inline) {
		o.Values = o.inline[:len(fields)]
	} else {
		o.Values = make([]graphql.Marshaler, len(fields))
	}
	return o
}

// Dispatch is FieldSet's: it runs the fields resolved concurrently, and an
// object written through objectFields has none.
func (o *objectFields) Dispatch(context.Context) {}

func (o *objectFields) MarshalGQL(w io.Writer) {
	fieldsInOrder{fields: o.fields, values: o.Values}.MarshalGQL(w)
}
