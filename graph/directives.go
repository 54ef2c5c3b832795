package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// conditionCheck refuses, once variables are known, an @include or @skip
// whose if argument comes out null: a nullable variable with a default
// (`$v: Boolean = true`) that the request sends as an explicit null passes
// validation, and gqlgen would then panic while collecting the fields under
// it, turning the caller's mistake into internal errors. The spec makes it
// an error in the request; it is answered as one, naming the variable. So
// is a literal other than true or false: gqlparser's validation lets an
// object literal (`if: {}`) through for a scalar.
type conditionCheck struct{}

func (conditionCheck) check(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	var failure *gqlerror.Error
	check := func(directives ast.DirectiveList) {
		for _, d := range directives {
			if failure != nil || (d.Name != "include" && d.Name != "skip") {
				continue
			}
			arg := d.Arguments.ForName("if")
			if arg == nil || arg.Value == nil || arg.Value.Kind == ast.BooleanValue {
				continue // a missing argument was refused by validation
			}
			if arg.Value.Kind != ast.Variable {
				failure = &gqlerror.Error{
					Message:    fmt.Sprintf("@%s(if:) needs true or false, not %s", d.Name, arg.Value.String()),
					Extensions: map[string]any{"code": CodeBadUserInput, "field": "if"},
				}
				if d.Position != nil {
					failure.Locations = []gqlerror.Location{{Line: d.Position.Line, Column: d.Position.Column}}
				}
				continue
			}
			// Validation makes the variable a Boolean: null is all else it
			// can hold.
			if _, ok := oc.Variables[arg.Value.Raw].(bool); !ok {
				failure = &gqlerror.Error{
					Message: fmt.Sprintf("@%s(if: $%s) needs true or false, not null: send $%s as a boolean or leave it out for its default", d.Name, arg.Value.Raw, arg.Value.Raw),
					Extensions: map[string]any{
						"code":  CodeBadUserInput,
						"field": arg.Value.Raw,
					},
				}
				if d.Position != nil {
					failure.Locations = []gqlerror.Location{{Line: d.Position.Line, Column: d.Position.Column}}
				}
			}
		}
	}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				check(s.Directives)
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				check(s.Directives)
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				check(s.Directives)
			}
		}
	}
	if oc.Operation != nil {
		walk(oc.Operation.SelectionSet)
	}
	for _, f := range oc.Doc.Fragments {
		walk(f.SelectionSet)
	}
	return failure
}
