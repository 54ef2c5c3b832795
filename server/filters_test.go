package server_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file hold where filters to what the caller may read:
// whether a filter matches must say nothing about a record hidden from the
// caller (issue 12: hasFundingsWith and hasFundedWith tested the fundings
// of unpublished resources character by character).

// newFilterDir is vDir with fundings: a secret one of the submitted
// (unpublished) resource, funded by Beacon, that also names Harbor, a
// Harbor program and Harbor's service as recipients; and an open one of
// the published resource, funded by Harbor, for Beacon's service. A need
// met by both services, a parent need and a schedule give the walk more
// edges to follow.
func newFilterDir(t *testing.T, c *ent.Client) *vDir {
	t.Helper()
	d := newVDir(t, c)
	ctx := context.Background()
	program := c.Program.Create().SetName("Harbor home visiting").SetOrganizationID(d.harbor).SaveX(ctx).ID
	c.Funding.Create().SetSource("Secret grant").SetResourceID(d.submitted).SetFunderID(d.beacon).
		SetOrganizationID(d.harbor).SetProgramID(program).SetServiceID(d.harborVisits).SaveX(ctx)
	c.Funding.Create().SetSource("Open grant").SetResourceID(d.published).SetFunderID(d.harbor).
		SetServiceID(d.beaconVisits).SaveX(ctx)
	parent := c.TaxonomyTerm.Create().SetCode("family").SetName("Family support").SaveX(ctx).ID
	c.TaxonomyTerm.Create().SetCode("family.visits").SetName("Home visits").SetParentID(parent).
		AddServiceIDs(d.harborVisits, d.beaconVisits).SaveX(ctx)
	c.Schedule.Create().SetServiceID(d.harborVisits).SetOpensAt("09:00").SetClosesAt("17:00").SaveX(ctx)
	return d
}

// TestFiltersCannotTestHiddenFundings: the two reported attacks, by every
// kind of viewer, through a list's where and through a nested connection's
// (which entgql loads eagerly, reading its where on its own), in the
// has…With and the Boolean forms. Only admins read the secret funding.
func TestFiltersCannotTestHiddenFundings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newFilterDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		const attacks = `{
			services(where: {hasFundingsWith: {sourceHasPrefix: "Secret"}}) { totalCount }
			organizations(where: {hasFundedWith: {sourceHasPrefix: "Secret"}}) { totalCount }
			funded: services(where: {hasFundings: true}) { totalCount }
			unfunded: services(where: {hasFundings: false}) { totalCount }
			nested: organizations(first: 10) { edges { node { name
				services(where: {hasFundingsWith: {sourceHasPrefix: "Secret"}}) { totalCount }
				programs(where: {hasFundings: true}) { totalCount } } } }
		}`
		type count struct{ TotalCount int }
		for _, v := range d.viewers(t, db, a) {
			var got struct {
				Services, Organizations, Funded, Unfunded count
				Nested                                    struct {
					Edges []struct {
						Node struct {
							Name               string
							Services, Programs count
						}
					}
				}
			}
			v.k.ok(attacks, nil, &got)
			secret := 0 // records the secret funding names, as each filter sees them
			if v.unpublished {
				secret = 1
			}
			// Beacon's service has the open funding, Harbor's the secret one.
			want := map[string]int{"services": secret, "organizations": secret, "funded": 1 + secret, "unfunded": 1 - secret,
				"nested services": secret, "nested programs": secret}
			nestedServices, nestedPrograms := 0, 0
			for _, e := range got.Nested.Edges {
				nestedServices += e.Node.Services.TotalCount
				nestedPrograms += e.Node.Programs.TotalCount
			}
			for what, n := range map[string]int{"services": got.Services.TotalCount, "organizations": got.Organizations.TotalCount,
				"funded": got.Funded.TotalCount, "unfunded": got.Unfunded.TotalCount,
				"nested services": nestedServices, "nested programs": nestedPrograms} {
				if n != want[what] {
					t.Errorf("%s: %s counts %d, want %d", v.name, what, n, want[what])
				}
			}
		}
	})
}

// TestEveryFilterCountsOnlyWhatTheViewerReads walks the schema as a client
// sees it (introspection through the HTTP handler): for every has… and
// has…With of every where input a list can be filtered with, at a list
// (and at a nested connection) and nested inside the has…With filters that
// lead to it, it asks each kind of viewer for the count through the filter
// and compares it with what the same viewer reads by following the edges.
// An edge added to the schema is walked without anyone listing it.
func TestEveryFilterCountsOnlyWhatTheViewerReads(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newFilterDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		s := introspect(t, a)
		cases := s.filterCases(t)
		if len(cases) < 20 {
			t.Fatalf("only %d filter cases found in the schema", len(cases))
		}
		differ := 0 // cases in which admin and anonymous read different answers
		viewers := d.viewers(t, db, a)
		for _, c := range cases {
			answers := map[string][3]int{}
			for _, v := range viewers {
				got, want := c.run(t, v)
				if got != want {
					t.Errorf("%s: %s counts %v through has…: true, false and With, but reads %v", v.name, c, got, want)
				}
				answers[v.name] = want
			}
			if answers["admin"] != answers["anonymous"] {
				differ++
			}
		}
		// The walk proves something only if it reaches hidden records.
		if differ == 0 {
			t.Errorf("in none of %d cases does a hidden record change the answer: the directory hides nothing the walk reaches", len(cases))
		}
		t.Logf("%d filter cases, %d of them reaching hidden records", len(cases), differ)
	})
}

// gqlType is an introspected type reference.
type gqlType struct {
	Kind, Name string
	OfType     *gqlType
}

func (t *gqlType) named() string {
	for t.OfType != nil {
		t = t.OfType
	}
	return t.Name
}

func (t *gqlType) list() bool {
	for ; t != nil; t = t.OfType {
		if t.Kind == "LIST" {
			return true
		}
	}
	return false
}

type gqlValue struct {
	Name string
	Type *gqlType
}

type gqlField struct {
	Name string
	Args []gqlValue
	Type *gqlType
}

type gqlDef struct {
	Name, Kind  string
	Fields      []gqlField
	InputFields []gqlValue
}

type gqlSchema struct {
	query string
	types map[string]*gqlDef
}

func introspect(t *testing.T, a *api) *gqlSchema {
	t.Helper()
	var res struct {
		Schema struct {
			QueryType struct{ Name string }
			Types     []*gqlDef
		} `json:"__schema"`
	}
	a.ok(`{ __schema { queryType { name } types { name kind
		fields { name args { name type { ...T } } type { ...T } }
		inputFields { name type { ...T } } } } }
		fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`, nil, &res)
	s := &gqlSchema{query: res.Schema.QueryType.Name, types: map[string]*gqlDef{}}
	for _, def := range res.Schema.Types {
		s.types[def.Name] = def
	}
	return s
}

func (s *gqlSchema) field(typ, name string) *gqlField {
	for i, f := range s.types[typ].Fields {
		if f.Name == name {
			return &s.types[typ].Fields[i]
		}
	}
	return nil
}

// nodeType is the record type of a connection type, "" for any other.
func (s *gqlSchema) nodeType(typ string) string {
	if !strings.HasSuffix(typ, "Connection") || s.field(typ, "edges") == nil {
		return ""
	}
	return s.field(s.field(typ, "edges").Type.named(), "node").Type.named()
}

func whereArg(f gqlField) string {
	for _, a := range f.Args {
		if a.Name == "where" {
			return a.Type.named()
		}
	}
	return ""
}

// listing is a field that lists records with a where argument: a query's
// list, or a connection on the records of one.
type listing struct {
	parent string // the query's list the connection hangs from, if nested
	field  string
	where  string
}

func (l listing) String() string {
	if l.parent == "" {
		return l.field
	}
	return l.parent + "." + l.field
}

// edge is a has…/has…With pair of a where input and the object field that
// follows the same edge.
type edge struct {
	has, with string // where input fields
	field     string // object field
	shape     string // "object", "list" or "connection"
	target    string // the where input of the records at its end
}

// filterCase is one edge tested at one listing, nested in the has…With
// filters of path.
type filterCase struct {
	at   listing
	path []edge
	last edge
}

func (c filterCase) String() string {
	var b strings.Builder
	b.WriteString(c.at.String() + "(where: ")
	for _, e := range c.path {
		b.WriteString("{" + e.with + ": ")
	}
	b.WriteString("{" + c.last.has + "}")
	b.WriteString(strings.Repeat("}", len(c.path)) + ")")
	return b.String()
}

// edges lists where input w's has… predicates; each must have its
// has…With and the object field of the same edge.
func (s *gqlSchema) edges(t *testing.T, w string) []edge {
	obj := strings.TrimSuffix(w, "WhereInput")
	var out []edge
	for _, f := range s.types[w].InputFields {
		name, ok := strings.CutPrefix(f.Name, "has")
		if !ok || strings.HasSuffix(name, "With") {
			continue
		}
		e := edge{has: f.Name, with: f.Name + "With", field: strings.ToLower(name[:1]) + name[1:]}
		for _, g := range s.types[w].InputFields {
			if g.Name == e.with {
				e.target = g.Type.named()
			}
		}
		of := s.field(obj, e.field)
		if e.target == "" || of == nil {
			t.Fatalf("%s.%s: no %s, or no field %s.%s to read the edge by", w, f.Name, e.with, obj, e.field)
		}
		switch {
		case s.nodeType(of.Type.named()) != "":
			e.shape = "connection"
		case of.Type.list():
			e.shape = "list"
		default:
			e.shape = "object"
		}
		out = append(out, e)
	}
	return out
}

// filterCases: every edge of every where input reachable from a query's
// list, by the shortest path of has…With filters from one, and every edge
// of a nested connection's where input at that connection.
func (s *gqlSchema) filterCases(t *testing.T) []filterCase {
	var roots, nested []listing
	for _, f := range s.types[s.query].Fields {
		w, node := whereArg(f), s.nodeType(f.Type.named())
		if w == "" || node == "" {
			continue
		}
		roots = append(roots, listing{field: f.Name, where: w})
		for _, g := range s.types[node].Fields {
			if gw := whereArg(g); gw != "" && s.nodeType(g.Type.named()) != "" {
				nested = append(nested, listing{parent: f.Name, field: g.Name, where: gw})
			}
		}
	}
	sort.Slice(roots, func(i, j int) bool { return roots[i].field < roots[j].field })
	// Breadth first from the lists: the first path found to a where input
	// is a shortest one.
	type reach struct {
		at   listing
		path []edge
	}
	reached := map[string]reach{}
	var queue []string
	for _, r := range roots {
		if _, ok := reached[r.where]; !ok {
			reached[r.where] = reach{at: r}
			queue = append(queue, r.where)
		}
	}
	var cases []filterCase
	for len(queue) > 0 {
		w := queue[0]
		queue = queue[1:]
		r := reached[w]
		for _, e := range s.edges(t, w) {
			cases = append(cases, filterCase{at: r.at, path: r.path, last: e})
			if _, ok := reached[e.target]; !ok {
				reached[e.target] = reach{at: r.at, path: append(append([]edge{}, r.path...), e)}
				queue = append(queue, e.target)
			}
		}
	}
	for _, n := range nested {
		for _, e := range s.edges(t, n.where) {
			cases = append(cases, filterCase{at: n, last: e})
		}
	}
	// A where input a caller can send must have been walked.
	for name, def := range s.types {
		if def.Kind != "INPUT_OBJECT" || !strings.HasSuffix(name, "WhereInput") {
			continue
		}
		if _, ok := reached[name]; !ok && s.referenced(name) {
			t.Errorf("%s is accepted somewhere but no list reaches it", name)
		}
	}
	return cases
}

// referenced reports whether an argument of a field, or a field of a
// where input other than w itself, takes where input w.
func (s *gqlSchema) referenced(w string) bool {
	for name, def := range s.types {
		for _, f := range def.Fields {
			for _, a := range f.Args {
				if a.Type.named() == w {
					return true
				}
			}
		}
		for _, f := range def.InputFields {
			if name != w && f.Type.named() == w {
				return true
			}
		}
	}
	return false
}

// pageSize is the page asked for at every connection; the directory is
// smaller, which run checks.
const pageSize = 10

// nowhere is an ID no record has: idNEQ it matches every record.
var nowhere = relay.Encode(1 << 62)

// run asks v for the count through has…: true, has…: false and has…With
// (matching every record), and for what v reads by following the edges.
func (c filterCase) run(t *testing.T, v vViewer) (got, want [3]int) {
	t.Helper()
	nest := func(leaf map[string]any) map[string]any {
		for i := len(c.path) - 1; i >= 0; i-- {
			leaf = map[string]any{c.path[i].with: []any{leaf}}
		}
		return leaf
	}
	vars := map[string]any{
		"w0": nest(map[string]any{c.last.has: true}),
		"w1": nest(map[string]any{c.last.has: false}),
		"w2": nest(map[string]any{c.last.with: []any{map[string]any{"idNEQ": nowhere}}}),
	}
	// The records' own selection: the path's edges, down to the last one.
	sel := "id " + selectEdge(c.last, "id")
	for i := len(c.path) - 1; i >= 0; i-- {
		sel = "id " + selectEdge(c.path[i], sel)
	}
	counted := func(where string) string {
		return fmt.Sprintf("%s(first: %d%s) { totalCount }", c.at.field, pageSize, where)
	}
	read := fmt.Sprintf("%s(first: %d) { totalCount edges { node { %s } } }", c.at.field, pageSize, sel)
	if c.at.parent != "" {
		wrap := func(inner string) string {
			return fmt.Sprintf("%s(first: %d) { totalCount edges { node { %s } } }", c.at.parent, pageSize, inner)
		}
		counted = func(where string) string {
			return wrap(fmt.Sprintf("%s(first: %d%s) { totalCount }", c.at.field, pageSize, where))
		}
		read = wrap(read)
	}
	doc := fmt.Sprintf("query($w0: %[1]s, $w1: %[1]s, $w2: %[1]s) { c0: %s c1: %s c2: %s read: %s }", c.at.where,
		counted(", where: $w0"), counted(", where: $w1"), counted(", where: $w2"), read)
	var data map[string]any
	v.k.ok(doc, vars, &data)

	// The records at the listing, each parent's connection in turn if
	// nested.
	records := func(alias string) []map[string]any {
		top := page(t, data[alias])
		if c.at.parent == "" {
			return top
		}
		var all []map[string]any
		for _, p := range top {
			all = append(all, page(t, p[c.at.field])...)
		}
		return all
	}
	total := func(alias string) int {
		conn := data[alias].(map[string]any)
		if c.at.parent == "" {
			return int(conn["totalCount"].(float64))
		}
		n := 0
		for _, p := range page(t, conn) {
			n += int(p[c.at.field].(map[string]any)["totalCount"].(float64))
		}
		return n
	}
	for i := range got {
		got[i] = total(fmt.Sprintf("c%d", i))
	}
	leaves := [3]func(end []map[string]any) bool{
		func(end []map[string]any) bool { return len(end) > 0 },
		func(end []map[string]any) bool { return len(end) == 0 },
		func(end []map[string]any) bool { return len(end) > 0 },
	}
	for _, r := range records("read") {
		for i, leaf := range leaves {
			if reaches(t, r, c.path, c.last, leaf) {
				want[i]++
			}
		}
	}
	return got, want
}

// selectEdge selects edge e of a record, and inner of the records at its end.
func selectEdge(e edge, inner string) string {
	if e.shape == "connection" {
		return fmt.Sprintf("%s(first: %d) { totalCount edges { node { %s } } }", e.field, pageSize, inner)
	}
	return fmt.Sprintf("%s { %s }", e.field, inner)
}

// reaches reports whether record r has, along path, a record whose
// records at the end of last pass leaf: what the filter asks, over what
// the viewer read.
func reaches(t *testing.T, r map[string]any, path []edge, last edge, leaf func([]map[string]any) bool) bool {
	if len(path) == 0 {
		return leaf(neighbors(t, r, last))
	}
	for _, n := range neighbors(t, r, path[0]) {
		if reaches(t, n, path[1:], last, leaf) {
			return true
		}
	}
	return false
}

func neighbors(t *testing.T, r map[string]any, e edge) []map[string]any {
	v := r[e.field]
	switch e.shape {
	case "connection":
		return page(t, v)
	case "list":
		var out []map[string]any
		for _, n := range asList(v) {
			out = append(out, n.(map[string]any))
		}
		return out
	}
	if v == nil {
		return nil
	}
	return []map[string]any{v.(map[string]any)}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// page is the records of a connection, all of them: a connection with
// more than a page fails the test.
func page(t *testing.T, v any) []map[string]any {
	t.Helper()
	conn := v.(map[string]any)
	edges := asList(conn["edges"])
	if n := int(conn["totalCount"].(float64)); n != len(edges) {
		t.Fatalf("a connection holds %d records, more than the page of %d the test reads", n, pageSize)
	}
	var out []map[string]any
	for _, e := range edges {
		out = append(out, e.(map[string]any)["node"].(map[string]any))
	}
	return out
}
