package graph

import (
	"context"
	"reflect"

	"github.com/99designs/gqlgen/graphql"

	"github.com/village-directory/village/internal/auth"
)

// readable implements @readable, which every where input carries (see
// filterOverReadableRecords in ent/entc.go): gqlgen calls it with each where
// input it has just read, nested ones included, from a list's argument, a
// nested connection's or entgql's eager loading of one, and the filter it
// returns is evaluated over the records the caller may read
// (auth.ReadableFilter).
func readable(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	where, err := next(ctx)
	if err != nil || where == nil {
		return where, err
	}
	// gqlgen hands the input over by value; auth rewrites it in place.
	p := reflect.New(reflect.TypeOf(where))
	p.Elem().Set(reflect.ValueOf(where))
	if err := auth.ReadableFilter(ctx, p.Interface()); err != nil {
		return nil, err
	}
	return p.Elem().Interface(), nil
}
