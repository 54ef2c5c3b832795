package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file hold every connection to the Relay cursor
// connections spec (relay.dev/graphql/connections.htm, "Pagination
// algorithm"): each combination of first, last, after and before answers
// the page the spec's algorithm cuts from the whole list, or is refused
// with BAD_USER_INPUT on an argument (issue 18: first:3, before:c6
// answered the three records after c6).

// pagingRecords is how many records each connection of newPagingDir lists.
const pagingRecords = 7

// newPagingDir writes a directory in which every connection has
// pagingRecords records under one parent, named so that ordering by name
// differs from ordering by id, and returns those parents by type.
func newPagingDir(t *testing.T, c *ent.Client) map[string]int {
	t.Helper()
	ctx := context.Background()
	name := func(what string, i int) string { return fmt.Sprintf("%c %s %d", 'A'+(i*3)%pagingRecords, what, i) }
	hub := c.Organization.Create().SetName("Hub").SaveX(ctx).ID
	root := c.TaxonomyTerm.Create().SetCode("root").SetName("Root").SaveX(ctx).ID
	var programs, services, locations, terms []int
	for i := range pagingRecords {
		c.Organization.Create().SetName(name("branch", i)).SetParentID(hub).SaveX(ctx)
		programs = append(programs, c.Program.Create().SetName(name("program", i)).SetOrganizationID(hub).SaveX(ctx).ID)
		terms = append(terms, c.TaxonomyTerm.Create().SetCode(fmt.Sprintf("root.%d", i)).SetName(name("term", i)).SetParentID(root).SaveX(ctx).ID)
	}
	for i := range pagingRecords {
		// Optional order fields: every other record has a value.
		var day *time.Time
		if i%2 == 0 {
			d := time.Date(2024, 1, 1+(i*3)%pagingRecords, 0, 0, 0, 0, time.UTC)
			day = &d
		}
		services = append(services, c.Service.Create().SetName(name("service", i)).SetOrganizationID(hub).
			SetProgramID(programs[0]).AddNeedIDs(terms[0]).SetNillableVerifiedAt(day).SaveX(ctx).ID)
		locations = append(locations, c.Location.Create().SetName(name("location", i)).SetOrganizationID(hub).SaveX(ctx).ID)
		c.Resource.Create().SetTitle(name("resource", i)).SetKind(resource.KindGUIDE).SetStatus(resource.StatusPUBLISHED).
			SetPublisherID(hub).AddTopicIDs(terms[0]).SetNillablePublishedOn(day).SaveX(ctx)
	}
	c.Service.UpdateOneID(services[0]).AddNeedIDs(terms[1:]...).ExecX(ctx)
	for i := range pagingRecords { // the call log, one day each
		c.CallRecord.Create().SetCreatedAt(time.Date(2025, 1, 1+(i*3)%pagingRecords, 12, 0, 0, 0, time.UTC)).
			SetEligibleFound(i%2 == 0).ExecX(ctx)
	}
	for i := range pagingRecords {
		c.ServiceAtLocation.Create().SetServiceID(services[0]).SetLocationID(locations[i]).SaveX(ctx)
		if i > 0 {
			c.ServiceAtLocation.Create().SetServiceID(services[i]).SetLocationID(locations[0]).SaveX(ctx)
		}
		c.ServiceArea.Create().SetServiceID(services[0]).SetKind("TEXT").SetName(name("area", i)).SaveX(ctx)
		if i > 0 { // every service matches a family anywhere
			c.ServiceArea.Create().SetServiceID(services[i]).SetKind("NATIONWIDE").SaveX(ctx)
		}
	}
	return map[string]int{"Organization": hub, "Program": programs[0], "Service": services[0],
		"Location": locations[0], "TaxonomyTerm": terms[0]}
}

// pagingCase is one connection field: at the root (parent "") or on the
// parent record of type parentType.
type pagingCase struct {
	parentType string
	parentID   int
	field      gqlField
}

func (c pagingCase) String() string {
	if c.parentType == "" {
		return c.field.Name
	}
	return c.parentType + "." + c.field.Name
}

func (c pagingCase) has(arg string) bool {
	return slices.ContainsFunc(c.field.Args, func(a gqlValue) bool { return a.Name == arg })
}

func (c pagingCase) argType(arg string) *gqlType {
	for _, a := range c.field.Args {
		if a.Name == arg {
			return a.Type
		}
	}
	return nil
}

// document asks for the connection with the page arguments it takes, all
// as variables, plus fixed arguments (a required family for match).
func (c pagingCase) document(fixed string) string {
	var params, args []string
	for _, a := range []string{"first", "last", "after", "before", "orderBy"} {
		if t := c.argType(a); t != nil {
			params = append(params, "$"+a+": "+typeString(t))
			args = append(args, a+": $"+a)
		}
	}
	if fixed != "" {
		args = append(args, fixed)
	}
	sel := fmt.Sprintf(`%s(%s) { edges { cursor node { ... on Node { id } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }`,
		c.field.Name, strings.Join(args, ", "))
	if c.parentType != "" {
		params = append(params, "$parent: ID!")
		sel = fmt.Sprintf(`node(id: $parent) { ... on %s { %s } }`, c.parentType, sel)
	}
	return fmt.Sprintf("query(%s) { %s }", strings.Join(params, ", "), sel)
}

func typeString(t *gqlType) string {
	switch t.Kind {
	case "NON_NULL":
		return typeString(t.OfType) + "!"
	case "LIST":
		return "[" + typeString(t.OfType) + "]"
	}
	return t.Name
}

// pagingPage is a connection's answer.
type pagingPage struct {
	Edges []struct {
		Cursor string
		Node   struct{ ID string }
	}
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
}

func (p pagingPage) ids() []string {
	var out []string
	for _, e := range p.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

// fetch runs the case's document and returns its page, or the response's
// errors.
func (c pagingCase) fetch(t *testing.T, k keyed, fixed string, vars map[string]any) (pagingPage, []gqlError) {
	t.Helper()
	if c.parentType != "" {
		vars["parent"] = relay.Encode(c.parentID)
	}
	res := k.query(c.document(fixed), vars)
	if len(res.Errors) > 0 {
		return pagingPage{}, res.Errors
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(res.Data, &data); err != nil {
		t.Fatal(err)
	}
	raw := data[c.field.Name]
	if c.parentType != "" {
		var node map[string]json.RawMessage
		if err := json.Unmarshal(data["node"], &node); err != nil {
			t.Fatal(err)
		}
		raw = node[c.field.Name]
	}
	var p pagingPage
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("%s: %v\n%s", c, err, res.Data)
	}
	return p, nil
}

// relayPage is the spec's algorithm on the whole ordered list: the edges
// after the after-th and before the before-th (-1: no such cursor), then
// the first or last of them; hasNext and hasPrevious as the spec defines
// them for first and for last (nil where it leaves them to the server).
func relayPage(all []string, after, before int, first, last *int) (ids []string, hasNext, hasPrevious *bool) {
	lo, hi := 0, len(all)
	if after >= 0 {
		lo = after + 1
	}
	if before >= 0 {
		hi = before
	}
	edges := all[lo:max(lo, hi)]
	if first != nil {
		more := len(edges) > *first
		hasNext = &more
		edges = edges[:min(len(edges), *first)]
	}
	if last != nil {
		more := len(edges) > *last
		hasPrevious = &more
		edges = edges[len(edges)-min(len(edges), *last):]
	}
	return edges, hasNext, hasPrevious
}

// TestRelayPagination walks every connection field the schema has (by
// introspection: the query's lists and the connections on records) on
// both backends, in the default order and in each orderBy field's, both
// directions, and asks for every combination of after and before (none,
// the first record, the third, the last) with no page size, first or last
// (0, 1, 3 and more than there are). Each answer is the spec's page of
// the whole list as the same ordering gives it, or BAD_USER_INPUT naming
// one of the page arguments; the refused combinations are exactly those
// graph.pageDirection names.
func TestRelayPagination(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		parents := newPagingDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "Administrator", auth.Admin))
		s := introspect(t, a)
		var cases []pagingCase
		for _, f := range s.types[s.query].Fields {
			if s.nodeType(f.Type.named()) != "" {
				cases = append(cases, pagingCase{field: f})
			}
		}
		for name, def := range s.types {
			if def.Kind != "OBJECT" || name == s.query || strings.HasPrefix(name, "__") {
				continue
			}
			for _, f := range def.Fields {
				if s.nodeType(f.Type.named()) == "" {
					continue
				}
				id, ok := parents[name]
				if !ok {
					t.Errorf("%s.%s: no parent record with %d of them: add one to newPagingDir", name, f.Name, pagingRecords)
					continue
				}
				cases = append(cases, pagingCase{parentType: name, parentID: id, field: f})
			}
		}
		if len(cases) < 15 {
			t.Fatalf("only %d connections found in the schema", len(cases))
		}
		checked, refused := 0, 0
		for _, c := range cases {
			fixed := ""
			if c.field.Name == "match" && c.parentType == "" {
				// Everything but eligibility: the matcher lists services
				// that are not meant for the family too.
				fixed = `family: {zip: "02121"}, includeIneligible: true`
			}
			orders, optional := orderings(t, admin, s, c)
			if testing.Short() {
				orders = orders[:min(len(orders), 3)] // none, the first field both ways
			}
			for _, order := range orders {
				whole, errs := c.fetch(t, admin, fixed, map[string]any{"first": 100, "orderBy": order})
				if errs != nil {
					t.Fatalf("%s ordered by %v: %+v", c, order, errs)
				}
				all := whole.ids()
				if len(all) < 3 {
					t.Fatalf("%s ordered by %v lists %d records: too few to page through", c, order, len(all))
				}
				cursors := map[int]string{}
				for i, e := range whole.Edges {
					cursors[i] = e.Cursor
				}
				positions := []int{-1, 0, 2, len(all) - 1}
				sizes := []*int{nil, ptr(0), ptr(1), ptr(3), ptr(len(all) + 1)}
				for _, after := range positions {
					for _, before := range positions {
						if (after >= 0 && !c.has("after")) || (before >= 0 && !c.has("before")) {
							continue
						}
						for _, dir := range []string{"first", "last"} {
							if !c.has(dir) {
								continue
							}
							for _, n := range sizes {
								if n == nil && dir == "last" {
									continue // no size: once is enough
								}
								vars := map[string]any{"orderBy": order}
								if n != nil {
									vars[dir] = *n
								}
								if after >= 0 {
									vars["after"] = cursors[after]
								}
								if before >= 0 {
									vars["before"] = cursors[before]
								}
								what := fmt.Sprintf("%s(%s: %v, after: %d, before: %d, orderBy: %v)", c, dir, sizeArg(n), after, before, order)
								var first, last *int
								switch {
								case n != nil && dir == "first":
									first = n
								case n != nil:
									last = n
								case before >= 0 && after < 0:
									last = ptr(graph.DefaultLimits.DefaultPageSize) // before alone pages back
								default:
									first = ptr(graph.DefaultLimits.DefaultPageSize)
								}
								refuse := (after >= 0 && before >= 0) || (first != nil && before >= 0) || (last != nil && after >= 0) ||
									(n != nil && *n == 0) || (optional[fmt.Sprint(order)] && (after >= 0 || before >= 0))
								page, errs := c.fetch(t, admin, fixed, vars)
								checked++
								if refuse {
									refused++
									if len(errs) == 0 || errs[0].Extensions["code"] != "BAD_USER_INPUT" ||
										!slices.Contains([]any{"first", "last", "after", "before"}, errs[0].Extensions["field"]) {
										t.Errorf("%s: answered %v %+v, want BAD_USER_INPUT on a page argument", what, page.ids(), errs)
									}
									continue
								}
								if errs != nil {
									t.Errorf("%s: %+v", what, errs)
									continue
								}
								want, hasNext, hasPrevious := relayPage(all, after, before, first, last)
								if got := page.ids(); !slices.Equal(got, want) {
									t.Errorf("%s: edges %v, want %v (of %v)", what, got, want, all)
								}
								if hasNext != nil && page.PageInfo.HasNextPage != *hasNext {
									t.Errorf("%s: hasNextPage %v, want %v", what, page.PageInfo.HasNextPage, *hasNext)
								}
								if hasPrevious != nil && page.PageInfo.HasPreviousPage != *hasPrevious {
									t.Errorf("%s: hasPreviousPage %v, want %v", what, page.PageInfo.HasPreviousPage, *hasPrevious)
								}
								if len(page.Edges) > 0 && (page.PageInfo.StartCursor == nil || *page.PageInfo.StartCursor != page.Edges[0].Cursor ||
									page.PageInfo.EndCursor == nil || *page.PageInfo.EndCursor != page.Edges[len(page.Edges)-1].Cursor) {
									t.Errorf("%s: startCursor/endCursor are not the first and last edge's", what)
								}
							}
						}
					}
				}
			}
		}
		t.Logf("%d connections, %d page requests, %d of them refused", len(cases), checked, refused)
	})
}

func ptr(n int) *int { return &n }

func sizeArg(n *int) any {
	if n == nil {
		return "none"
	}
	return *n
}

// orderings are the orderBy values to page a connection in: none, then
// each order field ascending and the first one descending (as a list
// where the argument takes one).
//
// Orderings by a field the records may leave null are refused with a
// cursor (graph.optionalOrderField): optional says which they are, read
// from the nullability of the node's field of the same name.
func orderings(t *testing.T, k keyed, s *gqlSchema, c pagingCase) (out []any, optional map[string]bool) {
	t.Helper()
	out, optional = []any{nil}, map[string]bool{}
	arg := c.argType("orderBy")
	if arg == nil {
		return out, optional
	}
	var res struct {
		Type struct {
			InputFields []gqlValue
		} `json:"__type"`
	}
	k.ok(`query($n: String!) { __type(name: $n) { inputFields { name type { kind name ofType { kind name } } } } }`,
		map[string]any{"n": arg.named()}, &res)
	var fieldEnum string
	for _, f := range res.Type.InputFields {
		if f.Name == "field" {
			fieldEnum = f.Type.named()
		}
	}
	var values struct {
		Type struct{ EnumValues []struct{ Name string } } `json:"__type"`
	}
	k.ok(`query($n: String!) { __type(name: $n) { enumValues { name } } }`, map[string]any{"n": fieldEnum}, &values)
	wrap := func(field, dir string) any {
		o := map[string]any{"field": field, "direction": dir}
		if arg.list() {
			return []any{o}
		}
		return o
	}
	node := s.nodeType(c.field.Type.named())
	for i, v := range values.Type.EnumValues {
		orders := []any{wrap(v.Name, "ASC")}
		if i == 0 {
			orders = append(orders, wrap(v.Name, "DESC"))
		}
		words := strings.Split(strings.ToLower(v.Name), "_")
		for j := 1; j < len(words); j++ {
			words[j] = strings.ToUpper(words[j][:1]) + words[j][1:]
		}
		f := s.field(node, strings.Join(words, ""))
		for _, o := range orders {
			optional[fmt.Sprint(o)] = f != nil && f.Type.Kind != "NON_NULL"
		}
		out = append(out, orders...)
	}
	return out, optional
}
