package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"unicode"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/directory"
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
)

// errorPresenter gives every error a stable extensions.code, and for bad
// input the field at fault in extensions.field. Unexpected errors are logged
// and shown as INTERNAL without their internals.
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if code, ok := gqlErr.Extensions["code"]; ok && code != "" {
			return gqlErr
		}
		var (
			fieldErr      *directory.FieldError
			validationErr *ent.ValidationError
			constraintErr *ent.ConstraintError
		)
		switch {
		case errors.As(err, &fieldErr):
			setBadInput(gqlErr, fieldErr.Field, fieldErr.Error())
		case errors.As(err, &validationErr):
			field := camel(validationErr.Name)
			msg := validationErr.Unwrap().Error()
			if errors.As(validationErr.Unwrap(), &fieldErr) { // a structured field's nested path
				field, msg = camel(validationErr.Name)+"."+fieldErr.Field, fieldErr.Message
			}
			setBadInput(gqlErr, field, field+": "+msg)
		case ent.IsNotFound(err):
			gqlErr.Message = "no record has this ID"
			gqlErr.Extensions = map[string]any{"code": CodeNotFound}
		case errors.As(err, &constraintErr):
			gqlErr.Message = "the change conflicts with existing records (a duplicate or a record still in use)"
			gqlErr.Extensions = map[string]any{"code": CodeConflict}
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "the request took too long and was stopped"
			gqlErr.Extensions = map[string]any{"code": CodeTimeout}
		case isInputError(gqlErr):
			// gqlgen's argument decoding (for example a malformed ID): the
			// message already names the input; point at it.
			setBadInput(gqlErr, inputField(gqlErr), gqlErr.Message)
		default:
			log.ErrorContext(ctx, "graphql resolver error", "error", err, "path", gqlErr.Path.String())
			gqlErr.Message = "internal error"
			gqlErr.Extensions = map[string]any{"code": CodeInternal}
		}
		return gqlErr
	}
}

func setBadInput(e *gqlerror.Error, field, msg string) {
	e.Message = msg
	e.Extensions = map[string]any{"code": CodeBadUserInput, "field": field}
}

// isInputError recognises errors gqlgen raises while decoding arguments:
// their path ends in an argument name, after the field's path.
func isInputError(e *gqlerror.Error) bool {
	var inputErr *inputPathError
	return errors.As(e, &inputErr) || strings.HasPrefix(e.Message, "input: ")
}

// inputPathError is a placeholder type; gqlgen reports argument errors as
// plain gqlerrors whose message starts with "input: <path> ...".
type inputPathError struct{}

func (*inputPathError) Error() string { return "" }

// inputField extracts the argument path from gqlgen's "input: path message".
func inputField(e *gqlerror.Error) string {
	rest := strings.TrimPrefix(e.Message, "input: ")
	if i := strings.IndexByte(rest, ' '); i > 0 {
		return rest[:i]
	}
	return rest
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
