package store

import (
	"context"
	stdsql "database/sql"
	"strings"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracingDriver gives every SQL statement ent runs a client span, a child
// of the request's (HTTP → GraphQL → SQL). The span holds the statement's
// text, which ent always parameterizes: the values are bound apart and
// never recorded. No maintained otelsql is served to this module, and
// wrapping ent's driver sees every statement, raw ones (feed.Position)
// included, as testdb.Counter does.
type tracingDriver struct {
	dialect.Driver
	tracer trace.Tracer
	system string
}

func newTracingDriver(d dialect.Driver, tp trace.TracerProvider) dialect.Driver {
	system := "sqlite"
	if d.Dialect() == dialect.Postgres {
		system = "postgresql"
	}
	return &tracingDriver{Driver: d, tracer: tp.Tracer("github.com/village-directory/village/internal/store"), system: system}
}

// statementSpan starts a span named after the statement's verb, as the
// OpenTelemetry database conventions name spans without a table.
func (d *tracingDriver) statementSpan(ctx context.Context, query string) (context.Context, trace.Span) {
	verb, _, _ := strings.Cut(strings.TrimSpace(query), " ")
	return d.tracer.Start(ctx, strings.ToUpper(verb), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", d.system), attribute.String("db.query.text", query)))
}

func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "statement failed")
	}
	span.End()
}

func (d *tracingDriver) Exec(ctx context.Context, query string, args, v any) error {
	ctx, span := d.statementSpan(ctx, query)
	err := d.Driver.Exec(ctx, query, args, v)
	endSpan(span, err)
	return err
}

func (d *tracingDriver) Query(ctx context.Context, query string, args, v any) error {
	ctx, span := d.statementSpan(ctx, query)
	err := d.Driver.Query(ctx, query, args, v)
	endSpan(span, err)
	return err
}

func (d *tracingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &tracingTx{Tx: tx, d: d}, nil
}

// BeginTx keeps ent's transactions with options (entgql's, the write
// layer's) traced too.
func (d *tracingDriver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tracingTx{Tx: tx, d: d}, nil
}

// ExecContext and QueryContext pass raw statements through (ent's
// client.ExecContext and QueryContext need them), traced too.
func (d *tracingDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	ctx, span := d.statementSpan(ctx, query)
	res, err := d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	}).ExecContext(ctx, query, args...)
	endSpan(span, err)
	return res, err
}

func (d *tracingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	ctx, span := d.statementSpan(ctx, query)
	rows, err := d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	}).QueryContext(ctx, query, args...)
	endSpan(span, err)
	return rows, err
}

type tracingTx struct {
	dialect.Tx
	d *tracingDriver
}

func (t *tracingTx) Exec(ctx context.Context, query string, args, v any) error {
	ctx, span := t.d.statementSpan(ctx, query)
	err := t.Tx.Exec(ctx, query, args, v)
	endSpan(span, err)
	return err
}

func (t *tracingTx) Query(ctx context.Context, query string, args, v any) error {
	ctx, span := t.d.statementSpan(ctx, query)
	err := t.Tx.Query(ctx, query, args, v)
	endSpan(span, err)
	return err
}

func (t *tracingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	ctx, span := t.d.statementSpan(ctx, query)
	res, err := t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	}).ExecContext(ctx, query, args...)
	endSpan(span, err)
	return res, err
}

func (t *tracingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	ctx, span := t.d.statementSpan(ctx, query)
	rows, err := t.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	}).QueryContext(ctx, query, args...)
	endSpan(span, err)
	return rows, err
}
