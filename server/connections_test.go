package server_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file page, order and filter every root connection
// through the real HTTP handler, and read nested edges as connections.

// connRecord is one record a generic connection test creates: its name (or
// title), whether it is a sample and when it last changed.
type connRecord struct {
	label   string
	sample  bool
	updated time.Time
}

// connRoot describes one root connection of the Query type.
type connRoot struct {
	field     string // root field, e.g. organizations
	typ       string // node type, e.g. Organization (for TypeOrder, TypeWhereInput)
	label     string // the field that names a record: name or title
	orderName string // the order field on label: NAME or TITLE
	// setup prepares what records need (a parent organization) and returns
	// a function that creates one record.
	setup func(ctx context.Context, c *ent.Client) func(r connRecord)
}

var connRoots = []connRoot{
	{
		field: "organizations", typ: "Organization", label: "name", orderName: "NAME",
		setup: func(ctx context.Context, c *ent.Client) func(connRecord) {
			return func(r connRecord) {
				c.Organization.Create().SetName(r.label).SetSample(r.sample).SetUpdatedAt(r.updated).SaveX(ctx)
			}
		},
	},
	{
		field: "programs", typ: "Program", label: "name", orderName: "NAME",
		setup: func(ctx context.Context, c *ent.Client) func(connRecord) {
			return func(r connRecord) {
				c.Program.Create().SetName(r.label).SetSample(r.sample).SetUpdatedAt(r.updated).SaveX(ctx)
			}
		},
	},
	{
		field: "services", typ: "Service", label: "name", orderName: "NAME",
		setup: func(ctx context.Context, c *ent.Client) func(connRecord) {
			org := c.Organization.Create().SetName("Harbor Health").SaveX(ctx)
			return func(r connRecord) {
				c.Service.Create().SetName(r.label).SetOrganization(org).SetSample(r.sample).SetUpdatedAt(r.updated).SaveX(ctx)
			}
		},
	},
	{
		field: "locations", typ: "Location", label: "name", orderName: "NAME",
		setup: func(ctx context.Context, c *ent.Client) func(connRecord) {
			return func(r connRecord) {
				c.Location.Create().SetName(r.label).SetSample(r.sample).SetUpdatedAt(r.updated).SaveX(ctx)
			}
		},
	},
	{
		field: "taxonomyTerms", typ: "TaxonomyTerm", label: "name", orderName: "NAME",
		setup: func(ctx context.Context, c *ent.Client) func(connRecord) {
			n := 0
			return func(r connRecord) {
				n++ // codes must be unique within a vocabulary, names need not be
				c.TaxonomyTerm.Create().SetName(r.label).SetCode(fmt.Sprintf("term-%d", n)).
					SetSample(r.sample).SetUpdatedAt(r.updated).SaveX(ctx)
			}
		},
	},
	{
		field: "resources", typ: "Resource", label: "title", orderName: "TITLE",
		setup: func(ctx context.Context, c *ent.Client) func(connRecord) {
			return func(r connRecord) {
				c.Resource.Create().SetTitle(r.label).SetKind(resource.KindGUIDE).SetStatus(resource.StatusPUBLISHED).
					SetSample(r.sample).SetUpdatedAt(r.updated).SaveX(ctx)
			}
		},
	},
}

type connPageInfo struct {
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
}

type connNode struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Title  string `json:"title"`
	Sample bool   `json:"sample"`
}

type connPage struct {
	TotalCount int          `json:"totalCount"`
	PageInfo   connPageInfo `json:"pageInfo"`
	Edges      []struct {
		Cursor string   `json:"cursor"`
		Node   connNode `json:"node"`
	} `json:"edges"`
}

func (p connPage) labels() []string {
	out := []string{}
	for _, e := range p.Edges {
		out = append(out, e.Node.Name+e.Node.Title)
	}
	return out
}

func (p connPage) ids() []string {
	out := []string{}
	for _, e := range p.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

// connQuery is a document that reads one page of a root connection, every
// argument a variable.
func connQuery(r connRoot) string {
	return fmt.Sprintf(`query($first: Int, $after: Cursor, $last: Int, $before: Cursor, $orderBy: [%[1]sOrder!], $where: %[1]sWhereInput) {
  list: %[2]s(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id %[3]s sample } }
  }
}`, r.typ, r.field, r.label)
}

func connFetch(a *api, r connRoot, vars map[string]any) connPage {
	a.t.Helper()
	var data struct {
		List connPage `json:"list"`
	}
	a.ok(connQuery(r), vars, &data)
	return data.List
}

// connExpect checks one page: its records in order, the page flags and the
// total, and that the page's cursors agree with its edges.
func connExpect(t *testing.T, what string, p connPage, labels []string, next, prev bool, total int) {
	t.Helper()
	if got := p.labels(); !reflect.DeepEqual(got, labels) {
		t.Errorf("%s: records %q, want %q", what, got, labels)
	}
	if p.PageInfo.HasNextPage != next || p.PageInfo.HasPreviousPage != prev {
		t.Errorf("%s: hasNextPage=%v hasPreviousPage=%v, want %v %v", what, p.PageInfo.HasNextPage, p.PageInfo.HasPreviousPage, next, prev)
	}
	if p.TotalCount != total {
		t.Errorf("%s: totalCount %d, want %d", what, p.TotalCount, total)
	}
	if n := len(p.Edges); n > 0 {
		if p.PageInfo.StartCursor == nil || *p.PageInfo.StartCursor != p.Edges[0].Cursor {
			t.Errorf("%s: startCursor %v is not the first edge's cursor %q", what, p.PageInfo.StartCursor, p.Edges[0].Cursor)
		}
		if p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[n-1].Cursor {
			t.Errorf("%s: endCursor %v is not the last edge's cursor %q", what, p.PageInfo.EndCursor, p.Edges[n-1].Cursor)
		}
	} else if p.PageInfo.StartCursor != nil || p.PageInfo.EndCursor != nil {
		t.Errorf("%s: an empty page has cursors %v %v", what, p.PageInfo.StartCursor, p.PageInfo.EndCursor)
	}
}

var connDay0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func connDay(n int) time.Time { return connDay0.AddDate(0, 0, n) }

// connFive are the five records every root connection is paged over, in
// creation (and so default, ID) order.
var connFive = []connRecord{
	{label: "Cedar", sample: false, updated: connDay(3)},
	{label: "Alder", sample: true, updated: connDay(1)},
	{label: "Elm", sample: false, updated: connDay(3)},
	{label: "Birch", sample: true, updated: connDay(2)},
	{label: "Dogwood", sample: false, updated: connDay(1)},
}

func TestConnectionPagingOrderingFiltering(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	for _, root := range connRoots {
		t.Run(root.field, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				create := root.setup(ctx, db.Client)
				for _, r := range connFive {
					create(r)
				}
				a := newAPI(t, db, server.Config{})
				fetch := func(t *testing.T, vars map[string]any) connPage {
					t.Helper()
					return connFetch(connAt(a, t), root, vars)
				}
				nameDesc := []map[string]any{{"field": root.orderName, "direction": "DESC"}}

				t.Run("forward", func(t *testing.T) {
					p := fetch(t, map[string]any{"first": 2})
					connExpect(t, "page 1", p, []string{"Cedar", "Alder"}, true, false, 5)
					p = fetch(t, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor})
					connExpect(t, "page 2", p, []string{"Elm", "Birch"}, true, true, 5)
					p = fetch(t, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor})
					connExpect(t, "page 3", p, []string{"Dogwood"}, false, true, 5)
					p = fetch(t, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor})
					connExpect(t, "past the end", p, []string{}, false, true, 5)
				})

				t.Run("backward", func(t *testing.T) {
					p := fetch(t, map[string]any{"last": 2})
					connExpect(t, "last page", p, []string{"Birch", "Dogwood"}, false, true, 5)
					p = fetch(t, map[string]any{"last": 2, "before": *p.PageInfo.StartCursor})
					connExpect(t, "page before", p, []string{"Alder", "Elm"}, true, true, 5)
					p = fetch(t, map[string]any{"last": 2, "before": *p.PageInfo.StartCursor})
					connExpect(t, "first page", p, []string{"Cedar"}, true, false, 5)
				})

				t.Run("default page size", func(t *testing.T) {
					// Neither first nor last: the default page (20) holds all five.
					p := fetch(t, nil)
					connExpect(t, "no first", p, []string{"Cedar", "Alder", "Elm", "Birch", "Dogwood"}, false, false, 5)
				})

				t.Run("orderBy label", func(t *testing.T) {
					asc := []map[string]any{{"field": root.orderName}} // direction defaults to ASC
					p := fetch(t, map[string]any{"first": 5, "orderBy": asc})
					connExpect(t, root.orderName+" ASC", p, []string{"Alder", "Birch", "Cedar", "Dogwood", "Elm"}, false, false, 5)

					p = fetch(t, map[string]any{"first": 2, "orderBy": nameDesc})
					connExpect(t, "DESC page 1", p, []string{"Elm", "Dogwood"}, true, false, 5)
					p = fetch(t, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor, "orderBy": nameDesc})
					connExpect(t, "DESC page 2", p, []string{"Cedar", "Birch"}, true, true, 5)
					p = fetch(t, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor, "orderBy": nameDesc})
					connExpect(t, "DESC page 3", p, []string{"Alder"}, false, true, 5)

					p = fetch(t, map[string]any{"last": 2, "orderBy": nameDesc})
					connExpect(t, "DESC last page", p, []string{"Birch", "Alder"}, false, true, 5)
					p = fetch(t, map[string]any{"last": 2, "before": *p.PageInfo.StartCursor, "orderBy": nameDesc})
					connExpect(t, "DESC page before", p, []string{"Dogwood", "Cedar"}, true, true, 5)
					p = fetch(t, map[string]any{"last": 2, "before": *p.PageInfo.StartCursor, "orderBy": nameDesc})
					connExpect(t, "DESC first page", p, []string{"Elm"}, true, false, 5)
				})

				t.Run("orderBy several fields", func(t *testing.T) {
					// Newest first, then by name: day 3 Cedar, Elm; day 2 Birch;
					// day 1 Alder, Dogwood.
					order := []map[string]any{
						{"field": "UPDATED_AT", "direction": "DESC"},
						{"field": root.orderName, "direction": "ASC"},
					}
					p := fetch(t, map[string]any{"first": 2, "orderBy": order})
					connExpect(t, "page 1", p, []string{"Cedar", "Elm"}, true, false, 5)
					p = fetch(t, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor, "orderBy": order})
					connExpect(t, "page 2", p, []string{"Birch", "Alder"}, true, true, 5)
					p = fetch(t, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor, "orderBy": order})
					connExpect(t, "page 3", p, []string{"Dogwood"}, false, true, 5)
					p = fetch(t, map[string]any{"last": 3, "orderBy": order})
					connExpect(t, "last 3", p, []string{"Birch", "Alder", "Dogwood"}, false, true, 5)
				})

				t.Run("where contains fold", func(t *testing.T) {
					// "R" case-folded: Cedar, Alder and Birch have an r.
					where := map[string]any{root.label + "ContainsFold": "R"}
					p := fetch(t, map[string]any{"first": 2, "where": where})
					connExpect(t, "page 1", p, []string{"Cedar", "Alder"}, true, false, 3)
					p = fetch(t, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor, "where": where})
					connExpect(t, "page 2", p, []string{"Birch"}, false, true, 3)
				})

				t.Run("where sample", func(t *testing.T) {
					p := fetch(t, map[string]any{"where": map[string]any{"sample": true}})
					connExpect(t, "sample: true", p, []string{"Alder", "Birch"}, false, false, 2)
					for _, e := range p.Edges {
						if !e.Node.Sample {
							t.Errorf("%s is a sample but reads sample: false", e.Node.Name+e.Node.Title)
						}
					}
					p = fetch(t, map[string]any{"where": map[string]any{"sample": false}, "orderBy": nameDesc, "first": 2})
					connExpect(t, "sample: false, DESC", p, []string{"Elm", "Dogwood"}, true, false, 3)
					for _, e := range p.Edges {
						if e.Node.Sample {
							t.Errorf("%s is not a sample but reads sample: true", e.Node.Name+e.Node.Title)
						}
					}
					p = fetch(t, map[string]any{"where": map[string]any{"sample": false}, "orderBy": nameDesc, "first": 2, "after": *p.PageInfo.EndCursor})
					connExpect(t, "sample: false, DESC page 2", p, []string{"Cedar"}, false, true, 3)
				})

				t.Run("where updatedAtGTE", func(t *testing.T) {
					p := fetch(t, map[string]any{"where": map[string]any{"updatedAtGTE": "2024-01-03T00:00:00Z"}})
					connExpect(t, "since day 2", p, []string{"Cedar", "Elm", "Birch"}, false, false, 3)
					p = fetch(t, map[string]any{"where": map[string]any{"updatedAtGTE": "2024-01-04T00:00:00Z"}, "first": 1})
					connExpect(t, "since day 3, first 1", p, []string{"Cedar"}, true, false, 2)
					p = fetch(t, map[string]any{"where": map[string]any{"updatedAtLT": "2024-01-03T00:00:00Z"}})
					connExpect(t, "before day 2", p, []string{"Alder", "Dogwood"}, false, false, 2)
				})

				t.Run("where updatedAtGTE with a UTC offset", func(t *testing.T) {
					// The same instant as 2024-01-03T00:00:00Z, written in
					// another zone, must select the same records.

					// (SQLite compares times as text: internal/store stores
					// every time in UTC in one order-preserving format.)
					p := fetch(t, map[string]any{"where": map[string]any{"updatedAtGTE": "2024-01-03T05:00:00+05:00"}})
					connExpect(t, "since day 2 (+05:00)", p, []string{"Cedar", "Elm", "Birch"}, false, false, 3)
					p = fetch(t, map[string]any{"where": map[string]any{"updatedAtGTE": "2024-01-02T19:00:00-05:00"}})
					connExpect(t, "since day 2 (-05:00)", p, []string{"Cedar", "Elm", "Birch"}, false, false, 3)
				})
			})
		})
	}
}

// TestConnectionTiesPageStably pages over records that share a name: the
// tie is broken the same way on every page, so no record is repeated or
// skipped, forwards or backwards.
func TestConnectionTiesPageStably(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	for _, root := range connRoots {
		t.Run(root.field, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				create := root.setup(ctx, db.Client)
				for _, name := range []string{"Maple", "Alder", "Maple", "Birch", "Maple", "Cedar"} {
					create(connRecord{label: name, updated: connDay(1)})
				}
				a := newAPI(t, db, server.Config{})
				all := connFetch(a, root, map[string]any{"first": 10})
				if len(all.Edges) != 6 {
					t.Fatalf("%d records, want 6", len(all.Edges))
				}
				want := map[string]bool{}
				for _, id := range all.ids() {
					want[id] = true
				}
				if len(want) != 6 {
					t.Fatalf("IDs are not distinct: %q", all.ids())
				}

				for _, dir := range []string{"ASC", "DESC"} {
					order := []map[string]any{{"field": root.orderName, "direction": dir}}
					wantLabels := []string{"Alder", "Birch", "Cedar", "Maple", "Maple", "Maple"}
					if dir == "DESC" {
						wantLabels = []string{"Maple", "Maple", "Maple", "Cedar", "Birch", "Alder"}
					}
					for _, size := range []int{1, 2, 4} {
						// Forwards.
						var fwdIDs, fwdLabels []string
						vars := map[string]any{"first": size, "orderBy": order}
						for range 10 {
							p := connFetch(a, root, vars)
							fwdIDs, fwdLabels = append(fwdIDs, p.ids()...), append(fwdLabels, p.labels()...)
							if p.TotalCount != 6 {
								t.Errorf("%s, pages of %d: totalCount %d, want 6", dir, size, p.TotalCount)
							}
							if !p.PageInfo.HasNextPage {
								break
							}
							vars["after"] = *p.PageInfo.EndCursor
						}
						what := fmt.Sprintf("%s forwards in pages of %d", dir, size)
						connSameRecords(t, what, fwdIDs, want)
						if !reflect.DeepEqual(fwdLabels, wantLabels) {
							t.Errorf("%s: %q, want %q", what, fwdLabels, wantLabels)
						}

						// Backwards, page by page from the end.
						var bwdIDs []string
						vars = map[string]any{"last": size, "orderBy": order}
						for range 10 {
							p := connFetch(a, root, vars)
							bwdIDs = append(p.ids(), bwdIDs...)
							if !p.PageInfo.HasPreviousPage {
								break
							}
							vars["before"] = *p.PageInfo.StartCursor
						}
						what = fmt.Sprintf("%s backwards in pages of %d", dir, size)
						connSameRecords(t, what, bwdIDs, want)
						if !reflect.DeepEqual(bwdIDs, fwdIDs) {
							t.Errorf("%s: order %q differs from forwards %q", what, bwdIDs, fwdIDs)
						}
					}
				}
			})
		})
	}
}

// connSameRecords checks ids holds every wanted record exactly once.
func connSameRecords(t *testing.T, what string, ids []string, want map[string]bool) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s: record %s appears twice (%q)", what, id, ids)
		}
		seen[id] = true
		if !want[id] {
			t.Errorf("%s: unexpected record %s", what, id)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%s: %d distinct records, want %d (%q)", what, len(seen), len(want), ids)
	}
}

// connList runs a document whose root field is aliased list and returns the
// page it reads.
func connList(a *api, query string, vars map[string]any) connPage {
	a.t.Helper()
	var data struct {
		List connPage `json:"list"`
	}
	a.ok(query, vars, &data)
	return data.List
}

// TestConnectionTypeFilters checks the generated where filters particular to
// each type, and ordering on fields other than the name.
func TestConnectionTypeFilters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		harbor := c.Organization.Create().SetName("Harbor Health").SaveX(ctx)
		lakeside := c.Organization.Create().SetName("Lakeside Clinic").SaveX(ctx)
		c.Organization.Create().SetName("Quiet Fund").SaveX(ctx)
		for _, s := range []struct {
			name   string
			org    *ent.Organization
			status service.Status
		}{
			{"Home Visits", harbor, service.StatusACTIVE},
			{"Parent Circle", harbor, service.StatusINACTIVE},
			{"Doula Support", harbor, service.StatusDEFUNCT},
			{"Lactation Clinic", harbor, service.StatusTEMPORARILY_CLOSED},
			{"Well Child Visits", lakeside, service.StatusACTIVE},
			{"Family Navigator", lakeside, service.StatusINACTIVE},
		} {
			c.Service.Create().SetName(s.name).SetOrganization(s.org).SetStatus(s.status).SaveX(ctx)
		}
		c.Program.Create().SetName("Nurse-Family Partnership").SetOrganization(harbor).SaveX(ctx)
		c.Program.Create().SetName("Parents as Teachers").SetOrganization(lakeside).SaveX(ctx)
		c.Program.Create().SetName("HealthySteps").SaveX(ctx)
		c.Location.Create().SetName("Harbor Main Office").SetOrganization(harbor).SaveX(ctx)
		c.Location.Create().SetName("Lakeside North").SetOrganization(lakeside).SaveX(ctx)
		c.Location.Create().SetName("Lakeside South").SetOrganization(lakeside).SaveX(ctx)
		c.Location.Create().SetName("Mobile Van").SaveX(ctx)
		for _, r := range []struct {
			title string
			kind  resource.Kind
		}{
			{"Safe Sleep Basics", resource.KindGUIDE},
			{"Home Visiting Brief", resource.KindBRIEF},
			{"Coalition Toolkit", resource.KindTOOLKIT},
			{"Reading Together", resource.KindGUIDE},
			{"Teething Guide", resource.KindGUIDE},
		} {
			c.Resource.Create().SetTitle(r.title).SetKind(r.kind).SetStatus(resource.StatusPUBLISHED).SaveX(ctx)
		}
		for _, tt := range []struct{ vocab, code, name string }{
			{"village-needs", "home-visiting", "Home visiting"},
			{"village-needs", "diapers", "Baby supplies"},
			{"village-needs", "child-care", "Child care"},
			{"airs", "LR-8000", "Parenting Education"},
			{"airs", "BD-1800", "Food Pantries"},
		} {
			c.TaxonomyTerm.Create().SetVocabulary(tt.vocab).SetCode(tt.code).SetName(tt.name).SaveX(ctx)
		}
		a := newAPI(t, db, server.Config{})

		t.Run("services statusIn", func(t *testing.T) {
			a := connAt(a, t)
			p := connList(a, `query($s: [ServiceStatus!]) {
			  list: services(where: {statusIn: $s}, orderBy: {field: NAME}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`, map[string]any{"s": []string{"INACTIVE", "DEFUNCT"}})
			connExpect(t, "INACTIVE or DEFUNCT", p, []string{"Doula Support", "Family Navigator", "Parent Circle"}, false, false, 3)
		})

		t.Run("services hasOrganizationWith", func(t *testing.T) {
			a := connAt(a, t)
			p := connList(a, `{
			  list: services(first: 1, where: {hasOrganizationWith: [{nameContainsFold: "LAKESIDE"}]}, orderBy: {field: NAME}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`, nil)
			connExpect(t, "of Lakeside, first 1", p, []string{"Family Navigator"}, true, false, 2)
			p = connList(a, `{
			  list: services(where: {statusIn: [ACTIVE], hasOrganizationWith: [{name: "Harbor Health"}]}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`, nil)
			connExpect(t, "active, of Harbor", p, []string{"Home Visits"}, false, false, 1)
		})

		t.Run("services status then name", func(t *testing.T) {
			a := connAt(a, t)
			// Status sorts by its stored value: ACTIVE, DEFUNCT, INACTIVE,
			// TEMPORARILY_CLOSED; names descend within a status.
			const q = `query($after: Cursor) {
			  list: services(first: 2, after: $after, orderBy: [{field: STATUS}, {field: NAME, direction: DESC}]) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`
			p := connList(a, q, nil)
			connExpect(t, "page 1", p, []string{"Well Child Visits", "Home Visits"}, true, false, 6)
			p = connList(a, q, map[string]any{"after": *p.PageInfo.EndCursor})
			connExpect(t, "page 2", p, []string{"Doula Support", "Parent Circle"}, true, true, 6)
			p = connList(a, q, map[string]any{"after": *p.PageInfo.EndCursor})
			connExpect(t, "page 3", p, []string{"Family Navigator", "Lactation Clinic"}, false, true, 6)
		})

		t.Run("programs hasOrganizationWith", func(t *testing.T) {
			a := connAt(a, t)
			p := connList(a, `{
			  list: programs(where: {hasOrganizationWith: [{nameHasPrefix: "Harbor"}]}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`, nil)
			connExpect(t, "of Harbor", p, []string{"Nurse-Family Partnership"}, false, false, 1)
			p = connList(a, `{
			  list: programs(where: {hasOrganization: false}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`, nil)
			connExpect(t, "without organization", p, []string{"HealthySteps"}, false, false, 1)
		})

		t.Run("locations hasOrganizationWith", func(t *testing.T) {
			a := connAt(a, t)
			p := connList(a, `{
			  list: locations(where: {hasOrganizationWith: [{name: "Lakeside Clinic"}]}, orderBy: {field: NAME, direction: DESC}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`, nil)
			connExpect(t, "of Lakeside", p, []string{"Lakeside South", "Lakeside North"}, false, false, 2)
		})

		t.Run("organizations hasServicesWith", func(t *testing.T) {
			a := connAt(a, t)
			p := connList(a, `{
			  list: organizations(where: {hasServicesWith: [{status: TEMPORARILY_CLOSED}]}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`, nil)
			connExpect(t, "with a closed service", p, []string{"Harbor Health"}, false, false, 1)
			p = connList(a, `{
			  list: organizations(where: {hasServices: false}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`, nil)
			connExpect(t, "without services", p, []string{"Quiet Fund"}, false, false, 1)
		})

		t.Run("resources kind", func(t *testing.T) {
			a := connAt(a, t)
			const q = `query($after: Cursor) {
			  list: resources(first: 2, after: $after, where: {kind: GUIDE}, orderBy: {field: TITLE, direction: DESC}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id title } }
			  }
			}`
			p := connList(a, q, nil)
			connExpect(t, "guides page 1", p, []string{"Teething Guide", "Safe Sleep Basics"}, true, false, 3)
			p = connList(a, q, map[string]any{"after": *p.PageInfo.EndCursor})
			connExpect(t, "guides page 2", p, []string{"Reading Together"}, false, true, 3)
			p = connList(a, `{
			  list: resources(where: {kindIn: [BRIEF, TOOLKIT]}, orderBy: {field: TITLE}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id title } }
			  }
			}`, nil)
			connExpect(t, "briefs and toolkits", p, []string{"Coalition Toolkit", "Home Visiting Brief"}, false, false, 2)
		})

		t.Run("taxonomyTerms vocabulary and code", func(t *testing.T) {
			a := connAt(a, t)
			const q = `query($v: String!, $dir: OrderDirection!, $field: TaxonomyTermOrderField!) {
			  list: taxonomyTerms(where: {vocabulary: $v}, orderBy: {field: $field, direction: $dir}) {
			    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			    edges { cursor node { id name } }
			  }
			}`
			p := connList(a, q, map[string]any{"v": "village-needs", "field": "CODE", "dir": "ASC"})
			// child-care, diapers, home-visiting.
			connExpect(t, "needs by code", p, []string{"Child care", "Baby supplies", "Home visiting"}, false, false, 3)
			p = connList(a, q, map[string]any{"v": "village-needs", "field": "NAME", "dir": "ASC"})
			connExpect(t, "needs by name", p, []string{"Baby supplies", "Child care", "Home visiting"}, false, false, 3)
			p = connList(a, q, map[string]any{"v": "airs", "field": "CODE", "dir": "DESC"})
			connExpect(t, "airs by code, descending", p, []string{"Parenting Education", "Food Pantries"}, false, false, 2)
		})
	})
}

// TestConnectionNestedEdges reads edges of a record as connections: their
// own first/totalCount/pageInfo per parent, and the default page when first
// is omitted.
func TestConnectionNestedEdges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		big := c.Organization.Create().SetName("Big Network").SaveX(ctx)
		small := c.Organization.Create().SetName("Small Clinic").SaveX(ctx)
		c.Organization.Create().SetName("Empty Fund").SaveX(ctx)
		c.Program.Create().SetName("Nurse-Family Partnership").SetOrganization(big).SaveX(ctx)
		c.Program.Create().SetName("Parents as Teachers").SetOrganization(big).SaveX(ctx)
		c.Program.Create().SetName("HealthySteps").SetOrganization(small).SaveX(ctx)
		c.Program.Create().SetName("Family Connects").SetOrganization(small).SaveX(ctx)
		c.Program.Create().SetName("Safe Babies").SetOrganization(small).SaveX(ctx)
		for i := 1; i <= 25; i++ {
			c.Service.Create().SetName(fmt.Sprintf("Service %02d", i)).SetOrganization(big).SaveX(ctx)
		}
		c.Service.Create().SetName("Drop-in Clinic").SetOrganization(small).SaveX(ctx)
		a := newAPI(t, db, server.Config{})

		type nestedOrg struct {
			Name     string   `json:"name"`
			Programs connPage `json:"programs"`
			Services connPage `json:"services"`
		}
		var data struct {
			Organizations struct {
				Edges []struct {
					Node nestedOrg `json:"node"`
				} `json:"edges"`
			} `json:"organizations"`
		}

		t.Run("first and totalCount per parent", func(t *testing.T) {
			a := connAt(a, t)
			a.ok(`{
			  organizations {
			    edges { node {
			      name
			      programs(first: 1) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } } }
			      services { totalCount }
			    } }
			  }
			}`, nil, &data)
			want := []struct {
				name             string
				programs         []string
				programsTotal    int
				programsNext     bool
				servicesTotalCnt int
			}{
				{"Big Network", []string{"Nurse-Family Partnership"}, 2, true, 25},
				{"Small Clinic", []string{"HealthySteps"}, 3, true, 1},
				{"Empty Fund", []string{}, 0, false, 0},
			}
			if len(data.Organizations.Edges) != len(want) {
				t.Fatalf("%d organizations, want %d", len(data.Organizations.Edges), len(want))
			}
			for i, w := range want {
				o := data.Organizations.Edges[i].Node
				if o.Name != w.name {
					t.Errorf("organization %d is %q, want %q", i, o.Name, w.name)
				}
				connExpect(t, w.name+" programs(first: 1)", o.Programs, w.programs, w.programsNext, false, w.programsTotal)
				if o.Services.TotalCount != w.servicesTotalCnt {
					t.Errorf("%s: services totalCount %d, want %d", w.name, o.Services.TotalCount, w.servicesTotalCnt)
				}
			}
		})

		t.Run("default page of a nested connection", func(t *testing.T) {
			a := connAt(a, t)
			data.Organizations.Edges = nil
			a.ok(`{
			  organizations(where: {name: "Big Network"}) {
			    edges { node {
			      name
			      services { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } } }
			    } }
			  }
			}`, nil, &data)
			if len(data.Organizations.Edges) != 1 {
				t.Fatalf("%d organizations, want 1", len(data.Organizations.Edges))
			}
			var want []string
			for i := 1; i <= 20; i++ {
				want = append(want, fmt.Sprintf("Service %02d", i))
			}
			s := data.Organizations.Edges[0].Node.Services
			connExpect(t, "services without first", s, want, true, false, 25)

			// The rest, through the nested connection's own cursor.
			data.Organizations.Edges = nil
			a.ok(`query($after: Cursor) {
			  organizations(where: {name: "Big Network"}) {
			    edges { node {
			      name
			      services(first: 20, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } } }
			    } }
			  }
			}`, map[string]any{"after": *s.PageInfo.EndCursor}, &data)
			connExpect(t, "services after the default page", data.Organizations.Edges[0].Node.Services,
				[]string{"Service 21", "Service 22", "Service 23", "Service 24", "Service 25"}, false, true, 25)
		})

		t.Run("nested orderBy and where", func(t *testing.T) {
			a := connAt(a, t)
			// The same request with orderBy written as a list and as a single
			// object (which GraphQL input coercion turns into a one-item
			// list): both must order the nested programs.
			for _, orderBy := range []string{
				`[{field: NAME, direction: DESC}]`,
				`{field: NAME, direction: DESC}`,
			} {
				data.Organizations.Edges = nil
				a.ok(`{
				  organizations(orderBy: {field: NAME, direction: DESC}, where: {hasPrograms: true}) {
				    edges { node {
				      name
				      programs(orderBy: `+orderBy+`, where: {nameNEQ: "HealthySteps"}) {
				        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } }
				      }
				    } }
				  }
				}`, nil, &data)
				if len(data.Organizations.Edges) != 2 {
					t.Fatalf("orderBy %s: %d organizations, want 2", orderBy, len(data.Organizations.Edges))
				}
				small, big := data.Organizations.Edges[0].Node, data.Organizations.Edges[1].Node
				if small.Name != "Small Clinic" || big.Name != "Big Network" {
					t.Fatalf("orderBy %s: organizations %q, %q; want Small Clinic, Big Network", orderBy, small.Name, big.Name)
				}
				// A single orderBy object means a one-item list; nested
				// connections (loaded by entgql from raw arguments) honour it
				// because graph coerces such literals and variables.
				connExpect(t, "Small Clinic programs, orderBy "+orderBy, small.Programs, []string{"Safe Babies", "Family Connects"}, false, false, 2)
				connExpect(t, "Big Network programs, orderBy "+orderBy, big.Programs, []string{"Parents as Teachers", "Nurse-Family Partnership"}, false, false, 2)

				// With first, the wrong order picks the wrong records.
				data.Organizations.Edges = nil
				a.ok(`{
				  organizations(where: {name: "Small Clinic"}) {
				    edges { node { name programs(first: 1, orderBy: `+orderBy+`) {
				      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } }
				    } } }
				  }
				}`, nil, &data)
				if len(data.Organizations.Edges) != 1 {
					t.Fatalf("orderBy %s: %d organizations, want 1", orderBy, len(data.Organizations.Edges))
				}
				connExpect(t, "Small Clinic programs(first: 1), orderBy "+orderBy, data.Organizations.Edges[0].Node.Programs, []string{"Safe Babies"}, true, false, 3)
			}
		})
	})
}

// TestConnectionValueFields reads the structured values of records through
// connections: a program's eligibility, evidence, settings and audiences; a
// service's delivery modes, languages and status; a service area's shape;
// and the sample flag.
func TestConnectionValueFields(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Harbor Health").SaveX(ctx)
		intp := func(n int) *int { return &n }
		boolp := func(b bool) *bool { return &b }
		reviewed := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
		nfp := c.Program.Create().SetName("Nurse-Family Partnership").SetOrganization(org).
			SetEligibility(&directory.Eligibility{
				MinAgeMonths:          intp(0),
				MaxAgeMonths:          intp(24),
				AcceptsPregnant:       boolp(true),
				EnrollByPregnancyWeek: intp(28),
				PregnantOnly:          boolp(true),
				FirstTimeParentsOnly:  boolp(true),
				MaxIncomePercentFPL:   intp(200),
				PriorityPopulations:   []string{"teen parents", "military families"},
				ReferralRequired:      boolp(false),
				Description:           "First-time mothers, enrolled by week 28 of pregnancy.",
			}).
			SetEvidence([]directory.Evidence{
				{Source: directory.EvidenceHomVEE, Rating: "Evidence-based", ReviewedOn: &reviewed},
				{Source: directory.EvidenceCEBC, Rating: "1 - Well-supported"},
			}).
			SetSettings([]directory.Setting{directory.SettingHome, directory.SettingClinic}).
			SetAudiences([]directory.Audience{directory.AudienceParents}).
			SetSample(true).
			SaveX(ctx)
		c.Program.Create().SetName("Plain Program").SaveX(ctx)
		visits := c.Service.Create().SetName("Harbor Home Visits").SetOrganization(org).SetProgram(nfp).
			SetDeliveryModes([]directory.DeliveryMode{directory.InHome, directory.Online}).
			SetLanguages([]string{"en", "es"}).
			SetStatus(service.StatusTEMPORARILY_CLOSED).
			SaveX(ctx)
		c.Service.Create().SetName("Plain Service").SetOrganization(org).SaveX(ctx)
		c.ServiceArea.Create().SetService(visits).SetKind(servicearea.KindZIP).SetCode("02121").SaveX(ctx)
		c.ServiceArea.Create().SetService(visits).SetKind(servicearea.KindRADIUS).
			SetCenterLatitude(42.31).SetCenterLongitude(-71.08).SetRadiusKm(12.5).SaveX(ctx)
		c.ServiceArea.Create().SetService(visits).SetKind(servicearea.KindSTATE).SetCode("MA").SaveX(ctx)
		a := newAPI(t, db, server.Config{})

		t.Run("program", func(t *testing.T) {
			a := connAt(a, t)
			var data struct {
				Programs struct {
					Edges []struct {
						Node struct {
							Name        string `json:"name"`
							Sample      bool   `json:"sample"`
							Eligibility *struct {
								MinAgeMonths             *int     `json:"minAgeMonths"`
								MaxAgeMonths             *int     `json:"maxAgeMonths"`
								AcceptsPregnant          *bool    `json:"acceptsPregnant"`
								EnrollByPregnancyWeek    *int     `json:"enrollByPregnancyWeek"`
								PregnantOnly             *bool    `json:"pregnantOnly"`
								FirstTimeParentsOnly     *bool    `json:"firstTimeParentsOnly"`
								MaxIncomePercentFpl      *int     `json:"maxIncomePercentFpl"`
								PriorityPopulations      []string `json:"priorityPopulations"`
								ReferralRequired         *bool    `json:"referralRequired"`
								CourtInvolvementRequired *bool    `json:"courtInvolvementRequired"`
								Description              *string  `json:"description"`
							} `json:"eligibility"`
							Evidence []struct {
								Source     string  `json:"source"`
								Rating     *string `json:"rating"`
								ReviewedOn *string `json:"reviewedOn"`
							} `json:"evidence"`
							Settings  []string `json:"settings"`
							Audiences []string `json:"audiences"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"programs"`
			}
			a.ok(`{
			  programs(orderBy: {field: NAME}) { edges { node {
			    name sample
			    eligibility {
			      minAgeMonths maxAgeMonths acceptsPregnant enrollByPregnancyWeek pregnantOnly
			      firstTimeParentsOnly maxIncomePercentFpl priorityPopulations referralRequired
			      courtInvolvementRequired description
			    }
			    evidence { source rating reviewedOn }
			    settings audiences
			  } } }
			}`, nil, &data)
			if len(data.Programs.Edges) != 2 {
				t.Fatalf("%d programs, want 2", len(data.Programs.Edges))
			}
			p := data.Programs.Edges[0].Node
			if p.Name != "Nurse-Family Partnership" || !p.Sample {
				t.Errorf("program %q sample=%v, want Nurse-Family Partnership sample=true", p.Name, p.Sample)
			}
			e := p.Eligibility
			if e == nil {
				t.Fatal("eligibility is null")
			}
			if e.MinAgeMonths == nil || *e.MinAgeMonths != 0 || e.MaxAgeMonths == nil || *e.MaxAgeMonths != 24 {
				t.Errorf("ages %v..%v, want 0..24", e.MinAgeMonths, e.MaxAgeMonths)
			}
			if e.AcceptsPregnant == nil || !*e.AcceptsPregnant || e.PregnantOnly == nil || !*e.PregnantOnly ||
				e.FirstTimeParentsOnly == nil || !*e.FirstTimeParentsOnly {
				t.Errorf("acceptsPregnant/pregnantOnly/firstTimeParentsOnly %v %v %v, want true true true", e.AcceptsPregnant, e.PregnantOnly, e.FirstTimeParentsOnly)
			}
			if e.EnrollByPregnancyWeek == nil || *e.EnrollByPregnancyWeek != 28 {
				t.Errorf("enrollByPregnancyWeek %v, want 28", e.EnrollByPregnancyWeek)
			}
			if e.MaxIncomePercentFpl == nil || *e.MaxIncomePercentFpl != 200 {
				t.Errorf("maxIncomePercentFpl %v, want 200", e.MaxIncomePercentFpl)
			}
			if !reflect.DeepEqual(e.PriorityPopulations, []string{"teen parents", "military families"}) {
				t.Errorf("priorityPopulations %q", e.PriorityPopulations)
			}
			if e.ReferralRequired == nil || *e.ReferralRequired {
				t.Errorf("referralRequired %v, want false (stated)", e.ReferralRequired)
			}
			if e.CourtInvolvementRequired != nil {
				t.Errorf("courtInvolvementRequired %v, want null (not stated)", *e.CourtInvolvementRequired)
			}
			if e.Description == nil || *e.Description != "First-time mothers, enrolled by week 28 of pregnancy." {
				t.Errorf("description %v", e.Description)
			}
			if len(p.Evidence) != 2 {
				t.Fatalf("%d evidence reviews, want 2", len(p.Evidence))
			}
			if ev := p.Evidence[0]; ev.Source != "HOMVEE" || ev.Rating == nil || *ev.Rating != "Evidence-based" ||
				ev.ReviewedOn == nil || !connSameInstant(*ev.ReviewedOn, reviewed) {
				t.Errorf("evidence[0] = %s %v %v, want HOMVEE Evidence-based 2023-06-01", ev.Source, ev.Rating, ev.ReviewedOn)
			}
			if ev := p.Evidence[1]; ev.Source != "CEBC" || ev.Rating == nil || *ev.Rating != "1 - Well-supported" || ev.ReviewedOn != nil {
				t.Errorf("evidence[1] = %s %v %v, want CEBC 1 - Well-supported null", ev.Source, ev.Rating, ev.ReviewedOn)
			}
			if !reflect.DeepEqual(p.Settings, []string{"HOME", "CLINIC"}) {
				t.Errorf("settings %q, want HOME, CLINIC", p.Settings)
			}
			if !reflect.DeepEqual(p.Audiences, []string{"PARENTS"}) {
				t.Errorf("audiences %q, want PARENTS", p.Audiences)
			}

			plain := data.Programs.Edges[1].Node
			if plain.Name != "Plain Program" || plain.Sample || plain.Eligibility != nil || plain.Evidence != nil ||
				plain.Settings != nil || plain.Audiences != nil {
				t.Errorf("a program with no values reads %+v, want every value null and sample false", plain)
			}
		})

		t.Run("service", func(t *testing.T) {
			a := connAt(a, t)
			var data struct {
				Services struct {
					Edges []struct {
						Node struct {
							Name          string   `json:"name"`
							Sample        bool     `json:"sample"`
							DeliveryModes []string `json:"deliveryModes"`
							Languages     []string `json:"languages"`
							Status        string   `json:"status"`
							Program       *struct {
								Name string `json:"name"`
							} `json:"program"`
							ServiceAreas struct {
								TotalCount int `json:"totalCount"`
								Edges      []struct {
									Node struct {
										Kind     string   `json:"kind"`
										Code     *string  `json:"code"`
										RadiusKm *float64 `json:"radiusKm"`
									} `json:"node"`
								} `json:"edges"`
							} `json:"serviceAreas"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"services"`
			}
			a.ok(`{
			  services(orderBy: {field: NAME}) { edges { node {
			    name sample deliveryModes languages status
			    program { name }
			    serviceAreas { totalCount edges { node { kind code radiusKm } } }
			  } } }
			}`, nil, &data)
			if len(data.Services.Edges) != 2 {
				t.Fatalf("%d services, want 2", len(data.Services.Edges))
			}
			s := data.Services.Edges[0].Node
			if s.Name != "Harbor Home Visits" || s.Sample || s.Status != "TEMPORARILY_CLOSED" {
				t.Errorf("service %q sample=%v status=%s, want Harbor Home Visits false TEMPORARILY_CLOSED", s.Name, s.Sample, s.Status)
			}
			if !reflect.DeepEqual(s.DeliveryModes, []string{"IN_HOME", "ONLINE"}) {
				t.Errorf("deliveryModes %q, want IN_HOME, ONLINE", s.DeliveryModes)
			}
			if !reflect.DeepEqual(s.Languages, []string{"en", "es"}) {
				t.Errorf("languages %q, want en, es", s.Languages)
			}
			if s.Program == nil || s.Program.Name != "Nurse-Family Partnership" {
				t.Errorf("program %+v, want Nurse-Family Partnership", s.Program)
			}
			areas := s.ServiceAreas
			if areas.TotalCount != 3 || len(areas.Edges) != 3 {
				t.Fatalf("service areas: totalCount %d, %d edges; want 3, 3", areas.TotalCount, len(areas.Edges))
			}
			zip, radius, state := areas.Edges[0].Node, areas.Edges[1].Node, areas.Edges[2].Node
			if zip.Kind != "ZIP" || zip.Code == nil || *zip.Code != "02121" || zip.RadiusKm != nil {
				t.Errorf("ZIP area reads %s %v %v, want ZIP 02121 null", zip.Kind, zip.Code, zip.RadiusKm)
			}
			// An optional text field never set reads as "" (ent stores and
			// returns the empty string), not null.
			if radius.Kind != "RADIUS" || (radius.Code != nil && *radius.Code != "") || radius.RadiusKm == nil || *radius.RadiusKm != 12.5 {
				t.Errorf("RADIUS area reads %s %v %v, want RADIUS no code 12.5", radius.Kind, radius.Code, radius.RadiusKm)
			}
			if state.Kind != "STATE" || state.Code == nil || *state.Code != "MA" || state.RadiusKm != nil {
				t.Errorf("STATE area reads %s %v %v, want STATE MA null", state.Kind, state.Code, state.RadiusKm)
			}

			plain := data.Services.Edges[1].Node
			if plain.Name != "Plain Service" || plain.Status != "ACTIVE" || plain.DeliveryModes != nil ||
				plain.Languages != nil || plain.Program != nil || plain.ServiceAreas.TotalCount != 0 {
				t.Errorf("a service with no values reads %+v, want ACTIVE with null lists, no program, no areas", plain)
			}
		})
	})
}

// connAt is a for use inside subtest t, so its failures stop t, not its
// parent.
func connAt(a *api, t *testing.T) *api { return &api{t: t, srv: a.srv} }

// connSameInstant reports whether an RFC 3339 time names the instant want.
func connSameInstant(got string, want time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(got))
	return err == nil && t.Equal(want)
}

// TestConnectionTimesWrittenInAnotherZone stores the five records' update
// times as a server running in India would (time.Now in its local zone,
// +05:30), then filters and pages on them: instants, not their spelling,
// must decide.
func TestConnectionTimesWrittenInAnotherZone(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, r := range connFive {
			db.Client.Organization.Create().SetName(r.label).SetSample(r.sample).SetUpdatedAt(r.updated.In(ist)).SaveX(ctx)
		}
		root := connRoots[0] // organizations
		a := newAPI(t, db, server.Config{})

		// Times written in another zone must filter, order and page as the
		// same instants (SQLite compares times as text; internal/store
		// stores them all in UTC).
		p := connFetch(a, root, map[string]any{"where": map[string]any{"updatedAtGTE": "2024-01-03T00:00:00Z"}})
		connExpect(t, "since day 2", p, []string{"Cedar", "Elm", "Birch"}, false, false, 3)
		p = connFetch(a, root, map[string]any{"where": map[string]any{"updatedAtLT": "2024-01-03T00:00:00Z"}})
		connExpect(t, "before day 2", p, []string{"Alder", "Dogwood"}, false, false, 2)

		order := []map[string]any{
			{"field": "UPDATED_AT", "direction": "DESC"},
			{"field": "NAME", "direction": "ASC"},
		}
		p = connFetch(a, root, map[string]any{"first": 2, "orderBy": order})
		connExpect(t, "page 1", p, []string{"Cedar", "Elm"}, true, false, 5)
		p = connFetch(a, root, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor, "orderBy": order})
		connExpect(t, "page 2", p, []string{"Birch", "Alder"}, true, true, 5)
		p = connFetch(a, root, map[string]any{"first": 2, "after": *p.PageInfo.EndCursor, "orderBy": order})
		connExpect(t, "page 3", p, []string{"Dogwood"}, false, true, 5)
	})
}
