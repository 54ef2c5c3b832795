package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// costLimit refuses an operation that would cost more than MaxComplexity,
// where cost estimates the values an answer holds:
//
//   - a field costs 1 plus what is selected in it;
//   - a connection, or a field taking a list of ids, costs its page size
//     (or number of IDs) times what is selected in one item;
//   - a connection's edges and nodes cost what one of them costs (their
//     number is the connection's page size);
//   - any other list of objects (Program.resources, Service.phones) has no
//     page size, so it costs DefaultPageSize items, the size of a page
//     asked for without one; a list of scalars costs 1;
//   - introspection (__schema, __type) costs exactly the values it returns:
//     the schema does not change, so they are counted on the schema itself,
//     stopping once the limit is passed.
//
// Every field of the schema falls under one of these rules, so a new field
// has a cost without anyone setting one. Cost multiplies with saturation:
// no nesting can overflow it into a small number.
type costLimit struct {
	limits Limits
	schema *ast.Schema
}

func (c costLimit) check(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := costWalker{limits: c.limits, vars: oc.Variables, schema: c.schema}
	cost := w.selections(oc.Operation.SelectionSet)
	if cost > c.limits.MaxComplexity {
		return limitError(CodeComplexityLimit, LimitCost, c.limits.MaxComplexity, cost,
			fmt.Sprintf("operation has complexity %d, which exceeds the limit of %d", cost, c.limits.MaxComplexity))
	}
	return nil
}

type costWalker struct {
	limits Limits
	vars   map[string]any
	schema *ast.Schema
}

func (w costWalker) selections(set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total = satAdd(total, w.field(s))
		case *ast.InlineFragment:
			total = satAdd(total, w.selections(s.SelectionSet))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = satAdd(total, w.selections(s.Definition.SelectionSet))
			}
		}
	}
	return total
}

func (w costWalker) field(f *ast.Field) int {
	def := f.Definition
	if def == nil {
		return 1
	}
	if (f.Name == "__schema" || f.Name == "__type") && w.schema != nil {
		return w.introspection(f)
	}
	child := w.selections(f.SelectionSet)
	if size, ok := pageSizeOf(f.ArgumentMap(w.vars)); ok && (isConnection(def) || def.Arguments.ForName("ids") != nil) {
		return satAdd(1, satMul(size, max(child, 1)))
	}
	// A connection's edges and nodes are its page, counted by the
	// connection's own size.
	inPage := f.ObjectDefinition != nil && strings.HasSuffix(f.ObjectDefinition.Name, "Connection")
	if def.Type.Elem != nil && len(f.SelectionSet) > 0 && !inPage {
		return satAdd(1, satMul(w.limits.DefaultPageSize, max(child, 1)))
	}
	return satAdd(1, child)
}

// introspection counts the values __schema or __type returns, on the
// schema served, up to just past the limit.
func (w costWalker) introspection(f *ast.Field) int {
	ic := introCounter{schema: w.schema, budget: w.limits.MaxComplexity + 1}
	if f.Name == "__schema" {
		ic.schemaValue(f.SelectionSet)
	} else {
		ic.add(1)
		name, _ := f.ArgumentMap(w.vars)["name"].(string)
		if _, ok := w.schema.Types[name]; ok {
			ic.typeValue(ast.NamedType(name, nil), f.SelectionSet)
		}
	}
	return ic.spent
}

// introCounter counts the values an introspection selection returns.
type introCounter struct {
	schema *ast.Schema
	budget int
	spent  int
}

func (c *introCounter) add(n int)  { c.spent = satAdd(c.spent, n) }
func (c *introCounter) done() bool { return c.spent >= c.budget }

// eachField calls fn for each field of set, fragments flattened.
func eachField(set ast.SelectionSet, fn func(*ast.Field)) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			fn(s)
		case *ast.InlineFragment:
			eachField(s.SelectionSet, fn)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				eachField(s.Definition.SelectionSet, fn)
			}
		}
	}
}

func (c *introCounter) schemaValue(set ast.SelectionSet) {
	c.add(1)
	eachField(set, func(f *ast.Field) {
		c.add(1)
		switch f.Name {
		case "types":
			for name := range c.schema.Types {
				if c.done() {
					return
				}
				c.typeValue(ast.NamedType(name, nil), f.SelectionSet)
			}
		case "queryType", "mutationType", "subscriptionType":
			root := map[string]*ast.Definition{"queryType": c.schema.Query, "mutationType": c.schema.Mutation, "subscriptionType": c.schema.Subscription}[f.Name]
			if root != nil {
				c.typeValue(ast.NamedType(root.Name, nil), f.SelectionSet)
			}
		case "directives":
			for _, d := range c.schema.Directives {
				if c.done() {
					return
				}
				c.directiveValue(d, f.SelectionSet)
			}
		}
	})
}

func (c *introCounter) typeValue(t *ast.Type, set ast.SelectionSet) {
	c.add(1)
	if c.done() {
		return
	}
	var def *ast.Definition
	var inner *ast.Type
	switch {
	case t.NonNull:
		copied := *t
		copied.NonNull = false
		inner = &copied
	case t.Elem != nil:
		inner = t.Elem
	default:
		def = c.schema.Types[t.NamedType]
	}
	eachField(set, func(f *ast.Field) {
		c.add(1)
		if c.done() {
			return
		}
		switch f.Name {
		case "ofType":
			if inner != nil {
				c.typeValue(inner, f.SelectionSet)
			}
		case "fields":
			if def != nil {
				for _, fd := range def.Fields {
					if !strings.HasPrefix(fd.Name, "__") && !c.done() {
						c.fieldValue(fd, f.SelectionSet)
					}
				}
			}
		case "inputFields":
			if def != nil && def.Kind == ast.InputObject {
				for _, fd := range def.Fields {
					if !c.done() {
						c.inputValue(fd.Type, f.SelectionSet)
					}
				}
			}
		case "enumValues":
			if def != nil {
				for range def.EnumValues {
					c.plainValue(f.SelectionSet)
				}
			}
		case "interfaces":
			if def != nil {
				for _, name := range def.Interfaces {
					if !c.done() {
						c.typeValue(ast.NamedType(name, nil), f.SelectionSet)
					}
				}
			}
		case "possibleTypes":
			if def != nil && def.IsAbstractType() {
				for _, p := range c.schema.GetPossibleTypes(def) {
					if !c.done() {
						c.typeValue(ast.NamedType(p.Name, nil), f.SelectionSet)
					}
				}
			}
		}
	})
}

func (c *introCounter) fieldValue(fd *ast.FieldDefinition, set ast.SelectionSet) {
	c.add(1)
	eachField(set, func(f *ast.Field) {
		c.add(1)
		switch f.Name {
		case "args":
			for _, a := range fd.Arguments {
				if !c.done() {
					c.inputValue(a.Type, f.SelectionSet)
				}
			}
		case "type":
			c.typeValue(fd.Type, f.SelectionSet)
		}
	})
}

func (c *introCounter) inputValue(t *ast.Type, set ast.SelectionSet) {
	c.add(1)
	eachField(set, func(f *ast.Field) {
		c.add(1)
		if f.Name == "type" {
			c.typeValue(t, f.SelectionSet)
		}
	})
}

func (c *introCounter) directiveValue(d *ast.DirectiveDefinition, set ast.SelectionSet) {
	c.add(1)
	eachField(set, func(f *ast.Field) {
		c.add(1)
		if f.Name == "args" {
			for _, a := range d.Arguments {
				if !c.done() {
					c.inputValue(a.Type, f.SelectionSet)
				}
			}
		}
	})
}

// plainValue counts an object whose fields are all scalars.
func (c *introCounter) plainValue(set ast.SelectionSet) {
	c.add(1)
	eachField(set, func(*ast.Field) { c.add(1) })
}
