package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"runtime/debug"
	"strings"
	"unicode"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/write"
)

// The error codes clients can rely on, in extensions.code. gqlgen's own
// GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED and
// COMPLEXITY_LIMIT_EXCEEDED pass through unchanged.
const (
	CodeBadUserInput = "BAD_USER_INPUT"
	CodeNotFound     = "NOT_FOUND"
	CodeConflict     = "CONFLICT"
	CodeTimeout      = "TIMEOUT"
	CodeInternal     = "INTERNAL"
	CodeForbidden    = "FORBIDDEN"
	// CodeUnauthenticated is for a wrong, malformed or revoked API key.
	CodeUnauthenticated = "UNAUTHENTICATED"
	// CodeBadRequest is for a request that is not a GraphQL request at all
	// (a body that is not a JSON request object, another method or media
	// type) or a malformed persisted-query extension.
	CodeBadRequest = "BAD_REQUEST"
	// CodeNotRun is for a mutation field skipped because an earlier field
	// of its operation failed (the operation is rolled back as a whole).
	CodeNotRun = "NOT_RUN"
	// CodeUnavailable is for a request that failed because the database
	// could not be reached (store.Unavailable): retry after a while (HTTP
	// 503 with Retry-After when nothing could be answered).
	CodeUnavailable = "UNAVAILABLE"
	// CodeRateLimited is for a caller over a rate limit: the server's
	// request limit (HTTP 429) or the library's submissions without a key
	// (extensions.retryAfter, in seconds).
	CodeRateLimited = "RATE_LIMITED"
	// CodeSubmissionsFull is for a submission without a key while the
	// review queue holds write.MaxPendingSubmissions of them.
	CodeSubmissionsFull = "SUBMISSIONS_FULL"
)

// UnavailableRetryAfter is the Retry-After, in seconds, sent with
// UNAVAILABLE: about as long as a PostgreSQL restart takes.
const UnavailableRetryAfter = 5

// errorPresenter gives every error a stable extensions.code, and for bad
// input the field at fault in extensions.field. Unexpected errors are logged
// and shown as INTERNAL without their internals.
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if code, ok := gqlErr.Extensions["code"]; ok && code != "" {
			if code == CodeNotFound {
				gqlErr.Message = "no record has this ID" // entgql's message shows the internal ID
			}
			return gqlErr
		}
		var (
			fieldErr      *directory.FieldError
			writeFieldErr *write.FieldError
			validationErr *ent.ValidationError
			constraintErr *ent.ConstraintError
			conflictErr   *write.ConflictError
			rateErr       *write.RateLimitedError
			fullErr       *write.SubmissionsFullError
		)
		switch {
		case errors.As(err, &rateErr):
			gqlErr.Message = rateErr.Error()
			gqlErr.Extensions = map[string]any{"code": CodeRateLimited, "retryAfter": int(math.Ceil(rateErr.RetryAfter.Seconds()))}
		case errors.As(err, &fullErr):
			gqlErr.Message = fullErr.Error()
			gqlErr.Extensions = map[string]any{"code": CodeSubmissionsFull}
		case errors.Is(err, write.ErrNoSubmission):
			gqlErr.Message = write.ErrNoSubmission.Error()
			gqlErr.Extensions = map[string]any{"code": CodeNotFound}
		case errors.Is(err, auth.ErrForbidden):
			// The guard's reasons name roles and rules, never records, so
			// they reveal nothing about what exists.
			gqlErr.Extensions = map[string]any{"code": CodeForbidden}
		case errors.Is(err, auth.ErrUnauthenticated):
			gqlErr.Extensions = map[string]any{"code": CodeUnauthenticated}
		case errors.As(err, &conflictErr):
			gqlErr.Message = conflictErr.Message
			gqlErr.Extensions = map[string]any{"code": CodeConflict}
			if conflictErr.CurrentVersion != nil {
				gqlErr.Extensions["currentVersion"] = *conflictErr.CurrentVersion
			}
			if len(conflictErr.Dependents) > 0 {
				deps := map[string]any{}
				for t, n := range conflictErr.Dependents {
					deps[string(t)] = n
				}
				gqlErr.Extensions["dependents"] = deps
			}
		case errors.As(err, &writeFieldErr):
			field := argumentPath(ctx, err, camel(writeFieldErr.Field))
			setBadInput(gqlErr, field, messageFor(field, writeFieldErr.Message))
		case errors.As(err, &validationErr):
			field := camel(validationErr.Name)
			msg := validationErr.Unwrap().Error()
			if errors.As(validationErr.Unwrap(), &fieldErr) { // a list element's or nested field's path
				sep := "."
				if strings.HasPrefix(fieldErr.Field, "[") {
					sep = ""
				}
				field, msg = field+sep+fieldErr.Field, fieldErr.Message
			}
			field = argumentPath(ctx, err, field)
			setBadInput(gqlErr, field, field+": "+msg)
		case errors.As(err, &fieldErr): // after ent's, which may wrap one for a list element
			setBadInput(gqlErr, argumentPath(ctx, err, camel(fieldErr.Field)), fieldErr.Message)
		case store.RefusedText(err) && filterArgument(ctx) != "":
			setBadInput(gqlErr, filterArgument(ctx), "text to filter by must not contain a NUL character")
		case pageCursor(ctx) != "" && (isCursorError(gqlErr.Message) || store.RefusedComparison(err)):
			field := pageCursor(ctx)
			setBadInput(gqlErr, field, field+foreignCursorMessage)
		case isEmptyFilter(gqlErr.Message):
			setBadInput(gqlErr, "where", "an empty filter (not: {}, or: [{}], has…With: [{}]) says nothing to filter by: leave it out")
		case ent.IsNotFound(err):
			gqlErr.Message = "no record has this ID"
			gqlErr.Extensions = map[string]any{"code": CodeNotFound}
		case errors.As(err, &constraintErr):
			gqlErr.Message = "the change conflicts with existing records (a duplicate or a record still in use)"
			gqlErr.Extensions = map[string]any{"code": CodeConflict}
		case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
			// The request's deadline passed: lib/pq reports the statement
			// it cancelled as its own error (57014), not the context's.
			gqlErr.Message = "the request took too long and was stopped"
			gqlErr.Extensions = map[string]any{"code": CodeTimeout}
		case store.Unavailable(err):
			log.WarnContext(ctx, "graphql resolver: database unavailable", "error", err, "path", gqlErr.Path.String())
			gqlErr.Message = "the database is unavailable; retry in a few seconds"
			gqlErr.Extensions = map[string]any{"code": CodeUnavailable}
		case inputPath(ctx, gqlErr) != "":
			// Raised while decoding an argument (for example a malformed
			// ID): the path below the field names the input at fault.
			setBadInput(gqlErr, inputPath(ctx, gqlErr), gqlErr.Message)
		default:
			log.ErrorContext(ctx, "graphql resolver error", "error", err, "path", gqlErr.Path.String())
			gqlErr.Message = "internal error"
			gqlErr.Extensions = map[string]any{"code": CodeInternal}
		}
		return gqlErr
	}
}

// filterArgument names the argument a filter's text came in: where, when
// the field takes one.
func filterArgument(ctx context.Context) string {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Definition != nil && fc.Field.Definition.Arguments.ForName("where") != nil {
		return "where"
	}
	return ""
}

// pageCursor names the cursor argument (after, or else before) the field
// was given, or "".
func pageCursor(ctx context.Context) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ""
	}
	for _, name := range []string{"after", "before"} {
		if v, ok := fc.Args[name]; ok && !isNil(v) {
			return name
		}
	}
	return ""
}

// isNil reports a nil argument value, typed or not.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// isCursorError reports entgql's refusal of a cursor whose values do not fit
// the ordering (their number, or their shape).
func isCursorError(msg string) bool {
	return strings.HasPrefix(msg, "cursor values length ") || (strings.HasPrefix(msg, "cursor ") && strings.HasSuffix(msg, " is not a slice"))
}

// isEmptyFilter reports entgql's refusal of an empty nested where input
// (ent.ErrEmpty<T>WhereInput, one per type).
func isEmptyFilter(msg string) bool {
	return strings.HasPrefix(msg, "ent: empty predicate ")
}

// argumentPath places a field named by the write layer or by ent (relative
// to a record) within the mutation's arguments: under input when the field
// takes one, and under the record's index for a batch (input[2].name).
func argumentPath(ctx context.Context, err error, field string) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Definition == nil || fc.Field.Definition.Arguments.ForName("input") == nil {
		return field
	}
	// A field that names another of the mutation's arguments (submitResource's
	// note) is that argument, not a field of input.
	if arg, _, _ := strings.Cut(field, "."); arg != "input" && fc.Field.Definition.Arguments.ForName(arg) != nil {
		return field
	}
	prefix := "input"
	var item *write.ItemError
	if errors.As(err, &item) {
		prefix += fmt.Sprintf("[%d]", item.Index)
	}
	switch {
	case field == "":
		return prefix
	case strings.HasPrefix(field, "["):
		return prefix + field
	}
	return prefix + "." + field
}

// messageFor prefixes a message with its field, unless it has none.
func messageFor(field, msg string) string {
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

func setBadInput(e *gqlerror.Error, field, msg string) {
	e.Message = msg
	e.Extensions = map[string]any{"code": CodeBadUserInput, "field": field}
}

// inputPath is the path within a field's arguments that an argument
// decoding error points at (for example where.idIn[0]), or "" when err was
// not raised while decoding arguments.
func inputPath(ctx context.Context, e *gqlerror.Error) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ""
	}
	fieldPath := fc.Path()
	if len(e.Path) <= len(fieldPath) {
		return ""
	}
	var b strings.Builder
	for _, p := range e.Path[len(fieldPath):] {
		switch v := p.(type) {
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(v))
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(v))
		}
	}
	return b.String()
}

// recoverFunc turns a panic in a resolver into an INTERNAL error, logging the
// panic and stack for operators and showing the client nothing of them.
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "graphql resolver panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		err := &gqlerror.Error{Message: "internal error"}
		errcode.Set(err, CodeInternal)
		return err
	}
}

// camel turns ent's snake_case field names into the API's camelCase.
func camel(s string) string {
	var b strings.Builder
	upper := false
	for _, r := range s {
		if r == '_' {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
