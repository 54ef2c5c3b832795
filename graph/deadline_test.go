package graph

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// TestWithinDeadlineAnswersWithoutTheOperation: work that does not watch
// its context (building or marshalling an answer in memory) is answered
// TIMEOUT once the deadline has passed by the grace period.
func TestWithinDeadlineAnswersWithoutTheOperation(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	resp := withinDeadline(ctx, nil, func() *graphql.Response {
		<-release // ignores ctx
		return &graphql.Response{Data: []byte(`{"late":true}`)}
	})
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != CodeTimeout || resp.Data != nil {
		t.Fatalf("want one TIMEOUT and no data, got %+v", resp)
	}

	// An operation that ends in time is answered as it is.
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	resp = withinDeadline(ctx2, nil, func() *graphql.Response { return &graphql.Response{Data: []byte(`{}`)} })
	if len(resp.Errors) != 0 || string(resp.Data) != `{}` {
		t.Fatalf("in time: %+v", resp)
	}
}

func TestCapResponse(t *testing.T) {
	resp := capResponse(&graphql.Response{Data: make([]byte, 2048)}, 1024)
	if len(resp.Errors) != 1 || resp.Data != nil {
		t.Fatalf("%+v", resp)
	}
	ext := resp.Errors[0].Extensions
	if ext["code"] != CodeResponseTooLarge || ext["limit"] != LimitResponse || ext["max"] != 1024 || ext["value"] != 2048 {
		t.Fatalf("extensions %+v", ext)
	}
	small := &graphql.Response{Data: make([]byte, 100)}
	if capResponse(small, 1024) != small {
		t.Fatal("a response under the cap was replaced")
	}
}
