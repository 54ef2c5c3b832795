package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// listContext is the context a generated list marshaller runs in: a
// response collecting errors with Village's presenter and recovery, and the
// list field's own field context.
func listContext() context.Context {
	quiet := slog.New(slog.DiscardHandler)
	ctx := graphql.WithResponseContext(context.Background(), errorPresenter(quiet), recoverFunc(quiet))
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{})
}

func TestMarshalListInOrderMarshalsEachElementInOrderWithItsIndex(t *testing.T) {
	ctx := listContext()
	var seen []int // unguarded: any concurrent marshalling is a race under -race
	list := marshalListInOrder(ctx, 4, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		if idx := graphql.GetFieldContext(ctx).Index; idx == nil || *idx != i {
			t.Errorf("element %d: field context index %v", i, idx)
		}
		seen = append(seen, i)
		return graphql.MarshalString("e" + strconv.Itoa(i))
	})
	var out bytes.Buffer
	list.MarshalGQL(&out)
	if got, want := out.String(), `["e0","e1","e2","e3"]`; got != want {
		t.Errorf("list = %s, want %s", got, want)
	}
	if len(seen) != 4 || seen[0] != 0 || seen[3] != 3 {
		t.Errorf("marshalled in order %v, want 0..3", seen)
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 0 {
		t.Errorf("errors: %v", errs)
	}
}

func TestMarshalListInOrderTurnsAPanickingElementIntoNullAndAnInternalError(t *testing.T) {
	ctx := listContext()
	list := marshalListInOrder(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		if i == 1 {
			panic("broken element")
		}
		return graphql.MarshalInt(i)
	})
	var out bytes.Buffer
	list.MarshalGQL(&out)
	if got, want := out.String(), `[0,null,2]`; got != want {
		t.Errorf("list = %s, want %s (the others still marshalled)", got, want)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 {
		t.Fatalf("errors = %v, want one", errs)
	}
	if errs[0].Extensions["code"] != CodeInternal || errs[0].Message != "internal error" {
		t.Errorf("error = %q %v, want INTERNAL without the panic's text", errs[0].Message, errs[0].Extensions)
	}
	if path := errs[0].Path.String(); path != "[1]" {
		t.Errorf("error path = %q, want the element's index [1]", path)
	}
}

func TestMarshalListInOrderWithoutPanicHandlerLetsThePanicThrough(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("the panic was swallowed although the executor has no panic handlers")
		}
	}()
	marshalListInOrder(listContext(), 2, 0, true, func(ctx context.Context, i int) graphql.Marshaler {
		panic("broken element")
	})
}

// TestMarshalListInOrderAgreesWithGqlgen runs gqlgen's own list marshaller
// and marshalListInOrder on the same elements, one of them panicking: the
// list and the error must be the same, so a gqlgen upgrade that changes
// what a list means shows here.
func TestMarshalListInOrderAgreesWithGqlgen(t *testing.T) {
	type marshalList func(context.Context, int, int64, bool, func(context.Context, int) graphql.Marshaler) graphql.Array
	run := func(marshal marshalList) (string, string) {
		ctx := listContext()
		list := marshal(ctx, 5, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			fc := graphql.GetFieldContext(ctx)
			fc.Result = i // as the generated closures do
			if i == 3 {
				panic("broken element")
			}
			return graphql.MarshalString("e" + strconv.Itoa(*fc.Index))
		})
		var out bytes.Buffer
		list.MarshalGQL(&out)
		errs, _ := json.Marshal(graphql.GetErrors(ctx))
		return out.String(), string(errs)
	}
	gotList, gotErrs := run(marshalListInOrder)
	wantList, wantErrs := run(graphql.MarshalSliceConcurrently)
	if gotList != wantList || gotErrs != wantErrs {
		t.Errorf("in order: %s %s\ngqlgen:   %s %s", gotList, gotErrs, wantList, wantErrs)
	}
}
