package graph

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
)

// A response's data is marshalled into one buffer and the response written
// from a second (writeResponse), and both were made for each request: the
// first grown from nothing by doubling, so the nested list of issue 19 (a
// 60 KB answer) left some 150 KB of garbage for the collector, an eighth
// of the bytes it allocates. Both now come from responseBuffers and go
// back once written. A buffer is handed back only by the request that took
// it, once nothing can still write into it or read from it: the data once
// the operation has returned (not when it ran past its deadline and
// answered TIMEOUT without it) and the response has been written (net/http
// and every writer wrapping it copy what they are given, as io.Writer
// requires).
var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer bounds the buffers kept: a rare large answer is left to
// the collector rather than held.
const maxPooledBuffer = 1 << 20

func putResponseBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		b.Reset()
		responseBuffers.Put(b)
	}
}

// dataBuffer is the buffer of one operation's data (see marshalResponse).
type dataBuffer struct {
	buf      *bytes.Buffer
	taken    bool        // marshalResponse has given buf out; a later response (deferred) gets its own
	finished atomic.Bool // the operation has returned: nothing writes into buf any more
}

type dataBufferKey struct{}

// withDataBuffer gives the operation run under ctx a buffer for its data;
// release hands it back.
func withDataBuffer(ctx context.Context) (context.Context, *dataBuffer) {
	d := &dataBuffer{}
	return context.WithValue(ctx, dataBufferKey{}, d), d
}

// release hands the data's buffer back, if the operation has returned;
// its response must have been written.
func (d *dataBuffer) release() {
	if d.finished.Load() && d.buf != nil {
		putResponseBuffer(d.buf)
		d.buf = nil
	}
}

// marshalResponse is the executor's marshalling of a query's data (the
// generated Exec; see pooledData in gqlgen.go): into the buffer of
// withDataBuffer, where the transport gave one, else into a new one as
// gqlgen does.
func marshalResponse(ctx context.Context, data graphql.Marshaler) []byte {
	if d, _ := ctx.Value(dataBufferKey{}).(*dataBuffer); d != nil && !d.taken {
		d.taken = true
		d.buf = responseBuffers.Get().(*bytes.Buffer)
		data.MarshalGQL(d.buf)
		return d.buf.Bytes()
	}
	var buf bytes.Buffer
	data.MarshalGQL(&buf)
	return buf.Bytes()
}
