package graph

import "github.com/vektah/gqlparser/v2/ast"

// The walks over a document's fields. A fragment spread several times is
// one set of fields to check (its arguments are the same each time) but
// runs, and counts, once per spread.

// forEachField visits every field of every operation and fragment
// definition once: for rewriting a parsed document as a whole.
func forEachField(doc *ast.QueryDocument, fn func(*ast.Field)) {
	for _, op := range doc.Operations {
		walkFields(op.SelectionSet, func(*ast.FragmentSpread) bool { return false }, fn)
	}
	for _, f := range doc.Fragments {
		walkFields(f.SelectionSet, func(*ast.FragmentSpread) bool { return false }, fn)
	}
}

// forEachOperationField visits every field op selects, a fragment's fields
// once however often it is spread: for checks of a field's arguments.
func forEachOperationField(op *ast.OperationDefinition, fn func(*ast.Field)) {
	seen := map[string]bool{}
	walkFields(op.SelectionSet, func(s *ast.FragmentSpread) bool {
		first := !seen[s.Name]
		seen[s.Name] = true
		return first
	}, fn)
}

// forEachExecutedField visits every field op selects as it runs: a
// fragment's fields once per spread, for what aliases and spreads
// multiply. Only for documents within the field limit (documentBounds),
// which bounds the expansion.
func forEachExecutedField(op *ast.OperationDefinition, fn func(*ast.Field)) {
	walkFields(op.SelectionSet, func(*ast.FragmentSpread) bool { return true }, fn)
}

// walkFields visits the fields of set and below, entering a fragment
// spread when enter says so.
func walkFields(set ast.SelectionSet, enter func(*ast.FragmentSpread) bool, fn func(*ast.Field)) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			fn(s)
			walkFields(s.SelectionSet, enter, fn)
		case *ast.InlineFragment:
			walkFields(s.SelectionSet, enter, fn)
		case *ast.FragmentSpread:
			if s.Definition != nil && enter(s) {
				walkFields(s.Definition.SelectionSet, enter, fn)
			}
		}
	}
}
