package graph

import (
	"context"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/village-directory/village/internal/telemetry"
)

// observe is Village's gqlgen tracer: each operation's span (a child of the
// HTTP request's, the parent of its SQL statements'), its metrics, and what
// the request's log line and caching need to know of it. It is the
// outermost response interceptor, so it sees every error, a failed
// commit's among them. The span records the operation's name and type and
// its errors' codes, never its variables nor its document (whose literals
// can be as private as variables). It intercepts no fields (see
// useExtension).
type observe struct {
	metrics *telemetry.Metrics
	tracer  trace.Tracer
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = observe{}

func (observe) ExtensionName() string                   { return "Observe" }
func (observe) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext tells the request what it runs, once parsed and
// validated (so also when a later check refuses it).
func (observe) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	name, typ := operationOf(oc)
	clock := clockDependent(oc)
	telemetry.RequestFrom(ctx).SetOperation(func(op *telemetry.Operation) {
		op.Name, op.Type, op.ClockDependent = name, typ, clock
	})
	return nil
}

func (o observe) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
	}
	name, typ := operationOf(oc)
	// A refused document never reached MutateOperationContext.
	telemetry.RequestFrom(ctx).SetOperation(func(op *telemetry.Operation) {
		if op.Name == "" && op.Type == "" {
			op.Name, op.Type = name, typ
		}
	})
	spanName := "GraphQL Operation"
	if typ != "" {
		spanName = typ
		if name != "" {
			spanName += " " + name
		}
	}
	attrs := []attribute.KeyValue{attribute.String("graphql.operation.type", typ)}
	if name != "" {
		attrs = append(attrs, attribute.String("graphql.operation.name", name))
	}
	ctx, span := o.tracer.Start(ctx, spanName, trace.WithAttributes(attrs...))
	defer span.End()

	resp := next(ctx)

	var errCodes []string
	hasData := false
	if resp != nil {
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			errCodes = append(errCodes, code)
		}
		hasData = len(resp.Data) > 0 && string(resp.Data) != "null"
	}
	if len(errCodes) > 0 {
		span.SetAttributes(attribute.StringSlice("graphql.error.codes", errCodes))
		if !hasData {
			span.SetStatus(codes.Error, "the operation answered errors only")
		}
	}
	start := time.Now()
	if oc != nil && !oc.Stats.OperationStart.IsZero() {
		start = oc.Stats.OperationStart
	}
	o.metrics.ObserveOperation(name, typ, oc != nil && oc.Operation != nil, hasData, errCodes, time.Since(start))
	return resp
}

// operationOf names oc's operation and its type. A document refused by
// validation has no operation in oc: it is parsed again (without
// validation) to say which it was, when it is short enough for that to be
// cheap; else, or when it does not parse, they are empty.
func operationOf(oc *graphql.OperationContext) (name, typ string) {
	if oc == nil {
		return "", ""
	}
	name = oc.OperationName
	op := oc.Operation
	if op == nil && oc.RawQuery != "" && len(oc.RawQuery) <= maxReparsedBytes {
		if doc, err := parser.ParseQuery(&ast.Source{Input: oc.RawQuery}); err == nil {
			if name != "" {
				op = doc.Operations.ForName(name)
			} else if len(doc.Operations) == 1 {
				op = doc.Operations[0]
			}
		}
	}
	if op != nil {
		typ = string(op.Operation)
		if name == "" {
			name = op.Name
		}
	}
	return name, typ
}

// maxReparsedBytes bounds the refused documents operationOf parses again.
const maxReparsedBytes = 16 << 10

// clockFields are the fields and arguments whose answer depends on the
// time of day (match edges' openNow and openState, match's openAt): a
// document asking for one is cached a minute at most.
var clockFields = map[string]bool{"openNow": true, "openAt": true, "openState": true}

// clockDependent reports whether oc's operation selects a clock field or
// passes a clock argument anywhere, fragments included.
func clockDependent(oc *graphql.OperationContext) bool {
	if oc == nil || oc.Operation == nil {
		return false
	}
	dependent := false
	forEachOperationField(oc.Operation, func(f *ast.Field) {
		dependent = dependent || clockFields[f.Name] ||
			slices.ContainsFunc(f.Arguments, func(a *ast.Argument) bool { return clockFields[a.Name] })
	})
	return dependent
}

// RequestIDHeader carries a request's ID in and out (package server sets
// it on the response before GraphQL runs).
const RequestIDHeader = "X-Request-ID"

// tagRequestID adds the request's ID to every error's extensions, as
// requestId, so that a client's report of an error finds its log line. It
// runs where every GraphQL answer is written (writeResponse), the
// executor's errors and the transport's own alike, and reads the ID from
// the response header the server set.
func tagRequestID(w io.Writer, errs gqlerror.List) {
	rw, ok := w.(http.ResponseWriter)
	if !ok || len(errs) == 0 {
		return
	}
	id := rw.Header().Get(RequestIDHeader)
	if id == "" {
		return
	}
	for _, e := range errs {
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["requestId"] = id
	}
}
