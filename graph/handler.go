package graph

import (
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/route"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/telemetry"
)

// Limits are the GraphQL safety rails. A zero field takes its value from
// DefaultLimits.
type Limits struct {
	// DefaultPageSize applies to a connection asked for with neither first
	// nor last, and is the size a list without paging is costed at.
	DefaultPageSize int
	// MaxPageSize is the most first or last may ask for; more is an error,
	// never a silent clamp. It also bounds the IDs one operation's nodes
	// fields ask for, together.
	MaxPageSize int
	// MaxComplexity is the most an operation may cost (see costLimit).
	MaxComplexity int
	// MaxTokens bounds a document's length in GraphQL tokens.
	MaxTokens int
	// MaxFields bounds the fields an operation selects, fragments expanded.
	MaxFields int
	// MaxAliases bounds the aliases an operation uses, fragments expanded.
	MaxAliases int
	// MaxDepth bounds how deep an operation nests fields.
	MaxDepth int
	// MaxResponseBytes bounds an answer's size; a larger one is replaced by
	// a RESPONSE_TOO_LARGE error.
	MaxResponseBytes int
	// MaxTextLength bounds, in characters, each text a query filters or
	// searches by (see textLengthCheck).
	MaxTextLength int
}

// DefaultLimits are the limits Village serves with unless configured. They
// admit graphql-js's full introspection query, GraphiQL's and the README's
// documents with room to spare (a test holds them to it).
var DefaultLimits = Limits{
	DefaultPageSize: 20,
	MaxPageSize:     100,
	MaxComplexity:   100000,
	MaxTokens:       15000,
	MaxFields:       1000,
	MaxAliases:      200,
	MaxDepth:        20,
	MaxTextLength:   1000,

	MaxResponseBytes: 16 << 20,
}

// WithDefaults fills each zero limit from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.DefaultPageSize, DefaultLimits.DefaultPageSize)
	set(&l.MaxPageSize, DefaultLimits.MaxPageSize)
	set(&l.MaxComplexity, DefaultLimits.MaxComplexity)
	set(&l.MaxTokens, DefaultLimits.MaxTokens)
	set(&l.MaxFields, DefaultLimits.MaxFields)
	set(&l.MaxAliases, DefaultLimits.MaxAliases)
	set(&l.MaxDepth, DefaultLimits.MaxDepth)
	set(&l.MaxTextLength, DefaultLimits.MaxTextLength)
	set(&l.MaxResponseBytes, DefaultLimits.MaxResponseBytes)
	return l
}

// HandlerConfig holds what the GraphQL handler depends on.
type HandlerConfig struct {
	Client *ent.Client
	Limits Limits
	Logger *slog.Logger
	// StaleAfterMonths: matching calls a listing last verified longer ago
	// stale (0: match.DefaultStaleAfterMonths).
	StaleAfterMonths int
	// Matcher, when set, is the match index the resolvers use (the server
	// shares it to export its numbers); else one is made.
	Matcher *match.Matcher
	// Searcher, when set, is the search index the resolvers use (the
	// server shares it with the HSDS API); else one is made.
	Searcher *search.Engine
	// DisableIntrospection refuses __schema and __type queries.
	DisableIntrospection bool
	// TrustedDocuments, when set, are the only documents run, and
	// automatic persisted queries register none (see trustedDocuments).
	TrustedDocuments *TrustedDocuments
	// Metrics record each operation (nil: none), and TracerProvider traces
	// it (nil: the global provider).
	Metrics        *telemetry.Metrics
	TracerProvider trace.TracerProvider
	// ReadAfter, when set, returns the read-after token of a request that
	// wrote ("" for one that did not): the answer carries it as the
	// extension readAfter (package store: read replicas).
	ReadAfter func(context.Context) string
}

// NewHandler returns the GraphQL endpoint (POST and GET) over cfg.Client.
func NewHandler(cfg HandlerConfig) *handler.Server {
	return newHandler(cfg, postJSON{maxResponseBytes: cfg.Limits.WithDefaults().MaxResponseBytes})
}

// newHandler is NewHandler with the given POST transport.
func newHandler(cfg HandlerConfig, post graphql.Transport) *handler.Server {
	cfg.Limits = cfg.Limits.WithDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	resolver := NewResolver(cfg.Client)
	if cfg.Matcher != nil {
		resolver.matcher = cfg.Matcher
	}
	if cfg.Searcher != nil {
		resolver.searcher = cfg.Searcher
	}
	resolver.matcher.SetStaleAfterMonths(cfg.StaleAfterMonths)
	es := NewExecutableSchema(Config{
		Resolvers:  resolver,
		Directives: DirectiveRoot{Readable: readable},
	})
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(getQuery{maxResponseBytes: cfg.Limits.MaxResponseBytes})
	srv.AddTransport(post)
	srv.AddTransport(unsupportedRequest{}) // last: what no other transport takes
	cache := pageDefaultingCache{
		inner:  lru.New[*ast.QueryDocument](1000),
		limits: cfg.Limits,
	}
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(cfg.Limits.MaxTokens)
	srv.SetValidationRulesFn(cappedValidationRules)
	use := func(ext graphql.HandlerExtension) { useExtension(srv, ext) }
	// First: the outermost response interceptor, it sees every error.
	use(observe{metrics: cfg.Metrics, tracer: telemetry.TracerProvider(cfg.TracerProvider).Tracer(telemetry.TracerName)})
	if cfg.ReadAfter != nil {
		// Outside the transactioner: the token is read once the
		// mutation's transaction has committed.
		use(readAfter(cfg.ReadAfter))
	}
	if !cfg.DisableIntrospection {
		use(extension.Introspection{})
	}
	if cfg.TrustedDocuments != nil {
		use(trustedDocuments{docs: cfg.TrustedDocuments})
	} else {
		use(docIDWithoutTrustedDocuments{})
		use(persistedQueries{extension.AutomaticPersistedQuery{Cache: lru.New[string](100)}})
	}
	// After the persisted query is found, before gqlgen parses and
	// validates it.
	use(documentBounds{limits: cfg.Limits, cache: cache})
	// Once variables are known, in this order: lists coerced before
	// anything reads them, and page sizes checked before the cost, so the
	// cost sees the sizes that will really be used.
	use(operationChecks{
		listCoercion{schema: es.Schema()}.check,
		textLengthCheck{limits: cfg.Limits, schema: es.Schema()}.check,
		pageSizeCheck{limits: cfg.Limits}.check,
		conditionCheck{}.check,
		costLimit{limits: cfg.Limits, schema: es.Schema()}.check,
	})
	// Each mutation operation is one transaction: its fields run in order,
	// and when any fails, nothing the operation wrote is kept (nor any
	// change event logged).
	use(transactioner{entgql.Transactioner{TxOpener: cfg.Client}})
	// A context without a viewer is trusted internal code (package auth):
	// a request that reaches GraphQL without one acts as anonymous, so a
	// missing authentication middleware can never open writes to everyone.
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if _, ok := auth.FromContext(ctx); !ok {
			ctx = auth.WithViewer(ctx, auth.Viewer{Role: auth.Anonymous})
		}
		// A mutation reads what it writes, and the records it answers
		// with: all of it on the primary, with read replicas.
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
			ctx = route.Primary(ctx)
		}
		return next(withOpenNowCache(ctx))
	})
	srv.AroundRootFields(skipAfterFailedMutation)
	// Each root field's field contexts and objects come from an arena
	// (graph/fieldctx.go).
	srv.AroundRootFields(withArena)
	srv.SetErrorPresenter(errorPresenter(cfg.Logger))
	srv.SetRecoverFunc(recoverFunc(cfg.Logger))
	return srv
}

// useExtension adds ext to srv. The executor reads stored fields without
// the field middleware chain (see storedFieldsDirect in gqlgen.go), so an
// extension that intercepts fields would miss most of them: it is refused
// outright, when the server is built.
func useExtension(srv *handler.Server, ext graphql.HandlerExtension) {
	if _, ok := ext.(graphql.FieldInterceptor); ok {
		panic(fmt.Sprintf("graph: extension %s intercepts fields, which Village's executor does not support", ext.ExtensionName()))
	}
	srv.Use(ext)
}

// persistedQueries is gqlgen's automatic persisted queries with a code on
// every error: gqlgen codes only PERSISTED_QUERY_NOT_FOUND, and leaves a
// hash that does not match its query, an unknown version or a malformed
// extension without one.
type persistedQueries struct {
	extension.AutomaticPersistedQuery
}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	err := p.AutomaticPersistedQuery.MutateOperationParameters(ctx, params)
	if err != nil && err.Extensions["code"] == nil {
		errcode.Set(err, CodeBadRequest)
	}
	return err
}

// skipAfterFailedMutation does not run a mutation field once an earlier
// field of the same operation has failed: the operation is one
// transaction, rolled back when any field fails, so nothing later could be
// kept (and on PostgreSQL the aborted transaction refused every later
// statement, which surfaced as INTERNAL). Each skipped field says so with
// NOT_RUN.
func skipAfterFailedMutation(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation || len(graphql.GetErrors(ctx)) == 0 {
		return next(ctx)
	}
	err := &gqlerror.Error{
		Message: "not run: an earlier field of this mutation failed, so the operation was rolled back and nothing it wrote is kept; send it again without the failing field",
	}
	if rfc := graphql.GetRootFieldContext(ctx); rfc != nil {
		err.Path = ast.Path{ast.PathName(rfc.Field.Alias)}
	}
	errcode.Set(err, CodeNotRun)
	graphql.AddError(ctx, err)
	return graphql.Null
}

// transactioner is entgql's Transactioner, except that a transaction that
// cannot be opened or committed is reported through the error presenter,
// with a code (UNAVAILABLE when the database is unreachable), where entgql
// answers with an uncoded error whose message is the driver's.
type transactioner struct {
	entgql.Transactioner
}

func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var failed error
	inner := t.Transactioner
	inner.TxOpener = entgql.TxOpenerFunc(func(ctx context.Context) (context.Context, driver.Tx, error) {
		txCtx, tx, err := t.TxOpener.OpenTx(ctx)
		if err != nil {
			failed = err
			return nil, nil, err
		}
		return txCtx, committing{Tx: tx, failed: &failed}, nil
	})
	resp := inner.InterceptResponse(ctx, next)
	if failed != nil {
		graphql.AddError(ctx, failed)
		return &graphql.Response{Errors: graphql.GetErrors(ctx)}
	}
	return resp
}

// committing records a failed commit.
type committing struct {
	driver.Tx
	failed *error
}

func (c committing) Commit() error {
	err := c.Tx.Commit()
	if err != nil {
		*c.failed = err
	}
	return err
}

// operationChecks run, in order, once an operation's variables are known,
// and refuse it with the first check's error.
type operationChecks []func(context.Context, *graphql.OperationContext) *gqlerror.Error

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = operationChecks{}

func (operationChecks) ExtensionName() string                   { return "OperationChecks" }
func (operationChecks) Validate(graphql.ExecutableSchema) error { return nil }

func (checks operationChecks) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	for _, check := range checks {
		if err := check(ctx, oc); err != nil {
			return err
		}
	}
	return nil
}

// readAfter adds the request's read-after token, when it wrote, to the
// answer's extensions as readAfter: a later request that sends it back
// (header Village-Read-After) sees the write, whichever server and replica
// answer it.
type readAfter func(context.Context) string

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = readAfter(nil)

func (readAfter) ExtensionName() string                   { return "ReadAfter" }
func (readAfter) Validate(graphql.ExecutableSchema) error { return nil }

func (token readAfter) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return resp
	}
	if t := token(ctx); t != "" {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["readAfter"] = t
	}
	return resp
}
