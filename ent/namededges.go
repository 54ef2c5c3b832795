package ent

// namedEdges are a node's edges of one kind loaded under names (ent's
// "namedges" feature: entgql loads every edge a GraphQL document asks for
// under its alias or field name), as ent/template/namededges.tmpl keeps
// them. ent keeps them in a map a node, made for the first name: about 380
// bytes for each parent of a nested page, nearly always for one name, and
// on the nested list of issue 19 (10 organizations, 69 services) the
// largest allocation of the eager loading after the rows themselves. A
// list of name and nodes pairs costs one 48-byte allocation a name, and a
// node with none loaded only its 8-byte field (ent's map field's size, so
// the node structs stay as large as they were); a document names an edge
// only a few times in one selection, so looking a name up in the list is
// as quick as in a map.
type namedEdges[T any] struct{ first *namedEdge[T] }

type namedEdge[T any] struct {
	name  string
	nodes []*T
	next  *namedEdge[T]
}

// get returns the nodes loaded under name, and whether any were.
func (n namedEdges[T]) get(name string) ([]*T, bool) {
	for e := n.first; e != nil; e = e.next {
		if e.name == name {
			return e.nodes, true
		}
	}
	return nil, false
}

// add appends edges to the nodes loaded under name or, with none, sets
// name's nodes to an empty (non-nil) list, as ent's map did: the loaders
// call it so for each node before appending what the query returns.
func (n *namedEdges[T]) add(name string, edges []*T) {
	last := &n.first
	for e := n.first; e != nil; e = e.next {
		if e.name == name {
			if len(edges) == 0 {
				e.nodes = []*T{}
			} else {
				e.nodes = append(e.nodes, edges...)
			}
			return
		}
		last = &e.next
	}
	nodes := []*T{}
	if len(edges) > 0 {
		nodes = append([]*T(nil), edges...)
	}
	*last = &namedEdge[T]{name: name, nodes: nodes}
}
