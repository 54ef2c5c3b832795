package graph

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Codes of the size limits, in extensions.code. Each refusal also carries
// extensions.limit (which limit), extensions.max and extensions.value.
const (
	// CodeQueryTooLarge: a document with too many tokens, fields or aliases,
	// or nested too deep.
	CodeQueryTooLarge = "QUERY_TOO_LARGE"
	// CodeComplexityLimit: an operation that would cost more than the limit.
	CodeComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"
	// CodeResponseTooLarge: an answer larger than the response cap.
	CodeResponseTooLarge = "RESPONSE_TOO_LARGE"
)

// The names of the limits, in extensions.limit.
const (
	LimitTokens   = "tokens"
	LimitFields   = "fields"
	LimitAliases  = "aliases"
	LimitDepth    = "depth"
	LimitCost     = "cost"
	LimitResponse = "responseBytes"
)

// maxValidationErrors is how many validation errors one document can earn.
// A document's errors are about its first mistakes; a list of thousands
// (two conflicting fields make one error per pair) only costs memory.
const maxValidationErrors = 20

// limitError is a refusal by a size limit.
func limitError(code, limit string, maxValue, value int, msg string) *gqlerror.Error {
	return &gqlerror.Error{
		Message: msg,
		Extensions: map[string]any{
			"code":  code,
			"limit": limit,
			"max":   maxValue,
			"value": value,
		},
	}
}

// documentBounds measures a document before gqlgen validates it: it parses
// it with the token limit and counts its fields and aliases (fragments
// expanded, each fragment counted once and multiplied by its uses, so a
// document of fragments that double each other costs linear time to
// measure) and its depth. Validation is only run on documents within the
// limits, so the quadratic rule of the spec (fields that must merge are
// compared pairwise) compares at most MaxFields fields. A document already
// in the query cache was measured when it was added.
type documentBounds struct {
	limits Limits
	cache  graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentBounds{}

func (documentBounds) ExtensionName() string                   { return "DocumentBounds" }
func (documentBounds) Validate(graphql.ExecutableSchema) error { return nil }

func (b documentBounds) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if _, ok := b.cache.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, b.limits.MaxTokens)
	if err != nil {
		if gqlErr, ok := err.(*gqlerror.Error); ok && isTokenLimitError(gqlErr) {
			n := countTokens(params.Query)
			return limitError(CodeQueryTooLarge, LimitTokens, b.limits.MaxTokens, n,
				fmt.Sprintf("the document has %d tokens; at most %d are allowed", n, b.limits.MaxTokens))
		}
		return nil // gqlgen reports the syntax error
	}
	return measureDocument(doc, b.limits)
}

func isTokenLimitError(err *gqlerror.Error) bool {
	return strings.HasPrefix(err.Message, "exceeded token limit")
}

// countTokens counts a document's tokens as the parser's limit does, for the
// refusal to say how many there are.
func countTokens(query string) int {
	lex := lexer.New(&ast.Source{Input: query})
	n := 0
	for {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return n
		}
		n++
	}
}

// documentSize is what measureDocument counts in one operation.
type documentSize struct {
	fields, aliases, depth int
}

// measureDocument refuses a document whose largest operation exceeds the
// field, alias or depth limit, or that repeats a response name with another
// field or other arguments in one selection (a conflict validation would
// report once per pair).
func measureDocument(doc *ast.QueryDocument, limits Limits) *gqlerror.Error {
	m := measurer{doc: doc, done: map[string]documentSize{}, active: map[string]bool{}}
	for _, op := range doc.Operations {
		size := m.selections(op.SelectionSet)
		switch {
		case size.fields > limits.MaxFields:
			return limitError(CodeQueryTooLarge, LimitFields, limits.MaxFields, size.fields,
				fmt.Sprintf("the operation selects %d fields (fragments expanded); at most %d are allowed", size.fields, limits.MaxFields))
		case size.aliases > limits.MaxAliases:
			return limitError(CodeQueryTooLarge, LimitAliases, limits.MaxAliases, size.aliases,
				fmt.Sprintf("the operation uses %d aliases (fragments expanded); at most %d are allowed", size.aliases, limits.MaxAliases))
		case size.depth > limits.MaxDepth:
			return limitError(CodeQueryTooLarge, LimitDepth, limits.MaxDepth, size.depth,
				fmt.Sprintf("the operation nests fields %d deep; at most %d levels are allowed", size.depth, limits.MaxDepth))
		}
	}
	return m.err
}

type measurer struct {
	doc    *ast.QueryDocument
	done   map[string]documentSize // fragments measured
	active map[string]bool         // fragments being measured (a cycle is validation's to report)
	err    *gqlerror.Error
}

func (m *measurer) selections(set ast.SelectionSet) documentSize {
	var size documentSize
	add := func(s documentSize) {
		size.fields = satAdd(size.fields, s.fields)
		size.aliases = satAdd(size.aliases, s.aliases)
		size.depth = max(size.depth, s.depth)
	}
	seen := map[string]*ast.Field{}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if m.err == nil {
				m.checkMerge(seen, s)
			}
			child := m.selections(s.SelectionSet)
			child.fields = satAdd(child.fields, 1)
			if s.Alias != "" && s.Alias != s.Name {
				child.aliases = satAdd(child.aliases, 1)
			}
			child.depth++
			add(child)
		case *ast.InlineFragment:
			add(m.selections(s.SelectionSet))
		case *ast.FragmentSpread:
			add(m.fragment(s.Name))
		}
	}
	return size
}

func (m *measurer) fragment(name string) documentSize {
	if size, ok := m.done[name]; ok {
		return size
	}
	def := m.doc.Fragments.ForName(name)
	if def == nil || m.active[name] {
		return documentSize{}
	}
	m.active[name] = true
	size := m.selections(def.SelectionSet)
	delete(m.active, name)
	m.done[name] = size
	return size
}

// checkMerge records f under its response name in one selection set and
// refuses a second field of that name that selects another field or passes
// other arguments: the case validation would report for every pair.
func (m *measurer) checkMerge(seen map[string]*ast.Field, f *ast.Field) {
	name := f.Alias
	if name == "" {
		name = f.Name
	}
	first, ok := seen[name]
	if !ok {
		seen[name] = f
		return
	}
	if first.Name == f.Name && sameArguments(first.Arguments, f.Arguments) {
		return
	}
	err := gqlerror.ErrorPosf(f.Position, `fields %q conflict: they select different fields or pass different arguments under one response name; use aliases`, name)
	err.Extensions = map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}
	m.err = err
}

func sameArguments(a, b ast.ArgumentList) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Value.String() != b[i].Value.String() {
			return false
		}
	}
	return true
}

func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

// cappedValidationRules are gqlparser's default rules with at most
// maxValidationErrors errors reported per document.
func cappedValidationRules() *rules.Rules {
	capped := rules.NewDefaultRules()
	reported := 0
	for name, fn := range capped.GetInner() {
		capped.ReplaceRule(name, func(observers *core.Events, addError core.AddErrFunc) {
			fn(observers, func(options ...core.ErrorOption) {
				if reported < maxValidationErrors {
					reported++
					addError(options...)
				}
			})
		})
	}
	return capped
}
