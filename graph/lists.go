package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalListInOrder marshals a list's elements one after another on the
// calling goroutine. The generated executor calls it where gqlgen's
// template writes graphql.MarshalSliceConcurrently (see gqlgen.go for why);
// it keeps that function's signature and meaning: each element gets a field
// context holding its index, and an element that panics becomes null with
// an error on its path, unless the executor was generated without panic
// handlers. There is no concurrency, so the worker limit has no use. Each
// element's context is made in one allocation (elementField) instead of
// three.
func marshalListInOrder(
	ctx context.Context,
	length int,
	_ int64,
	omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		elemCtx := elementField(ctx, i)
		if omitPanicHandler {
			ret[i] = marshalElement(elemCtx, i)
		} else {
			ret[i] = marshalRecovering(elemCtx, i, marshalElement)
		}
	}
	return ret
}

// marshalRecovering marshals element i, turning a panic into null and an
// error as the executor does for a field.
func marshalRecovering(ctx context.Context, i int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshalElement(ctx, i)
}
