package graph

import (
	"context"
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

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/auth"
)

// Limits are the GraphQL safety rails.
type Limits struct {
	// DefaultPageSize applies to a connection asked for with neither first
	// nor last.
	DefaultPageSize int
	// MaxPageSize is the most first or last may ask for; more is an error,
	// never a silent clamp.
	MaxPageSize int
	// MaxComplexity is the most an operation may cost, where a connection
	// costs its page size times the cost of what is selected in it.
	MaxComplexity int
}

// DefaultLimits are the limits Village serves with unless configured.
var DefaultLimits = Limits{DefaultPageSize: 20, MaxPageSize: 100, MaxComplexity: 50000}

// HandlerConfig holds what the GraphQL handler depends on.
type HandlerConfig struct {
	Client *ent.Client
	Limits Limits
	Logger *slog.Logger
}

// NewHandler returns the GraphQL endpoint (POST and GET) over cfg.Client.
func NewHandler(cfg HandlerConfig) *handler.Server {
	return newHandler(cfg, postJSON{})
}

// newHandler is NewHandler with the given POST transport.
func newHandler(cfg HandlerConfig, post graphql.Transport) *handler.Server {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	es := costedSchema{ExecutableSchema: NewExecutableSchema(Config{
		Resolvers:  NewResolver(cfg.Client),
		Directives: DirectiveRoot{Readable: readable},
	})}
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(getQuery{})
	srv.AddTransport(post)
	srv.AddTransport(unsupportedRequest{}) // last: what no other transport takes
	srv.SetQueryCache(pageDefaultingCache{
		inner:  lru.New[*ast.QueryDocument](1000),
		limits: cfg.Limits,
	})
	use := func(ext graphql.HandlerExtension) { useExtension(srv, ext) }
	use(extension.Introspection{})
	use(persistedQueries{extension.AutomaticPersistedQuery{Cache: lru.New[string](100)}})
	// Page sizes are checked before the cost, so the cost sees the sizes
	// that will really be used.
	use(pageSizeCheck{limits: cfg.Limits})
	use(conditionCheck{})
	use(extension.FixedComplexityLimit(cfg.Limits.MaxComplexity))
	// Each mutation operation is one transaction: its fields run in order,
	// and when any fails, nothing the operation wrote is kept (nor any
	// change event logged).
	use(entgql.Transactioner{TxOpener: cfg.Client})
	// A context without a viewer is trusted internal code (package auth):
	// a request that reaches GraphQL without one acts as anonymous, so a
	// missing authentication middleware can never open writes to everyone.
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if _, ok := auth.FromContext(ctx); !ok {
			ctx = auth.WithViewer(ctx, auth.Viewer{Role: auth.Anonymous})
		}
		return next(ctx)
	})
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
