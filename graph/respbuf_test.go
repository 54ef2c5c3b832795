package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestDataBufferHandedBackOnlyOnceFinished checks that an operation's data
// is marshalled into the buffer withDataBuffer gives it, a second response
// of the same operation into its own, and that release hands the buffer
// back only once the operation has returned.
func TestDataBufferHandedBackOnlyOnceFinished(t *testing.T) {
	ctx, d := withDataBuffer(context.Background())
	first := marshalResponse(ctx, graphql.MarshalString("first"))
	second := marshalResponse(ctx, graphql.MarshalString("second"))
	if string(first) != `"first"` || string(second) != `"second"` {
		t.Fatalf("marshalled %s and %s", first, second)
	}
	if d.buf == nil || &d.buf.Bytes()[0] != &first[0] {
		t.Fatal("the first response's data is not in the operation's buffer")
	}
	d.release() // still running: nothing is handed back
	if d.buf == nil || string(first) != `"first"` {
		t.Fatal("a buffer was handed back before the operation returned")
	}
	d.finished.Store(true)
	d.release()
	if d.buf != nil {
		t.Fatal("the buffer was not handed back once the operation returned")
	}
	// Without a buffer from the transport, as gqlgen marshals.
	if got := marshalResponse(context.Background(), graphql.MarshalInt(7)); string(got) != "7" {
		t.Fatalf("marshalled %s", got)
	}
}
