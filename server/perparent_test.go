package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestNestedPagesAsEachParentAlone checks a nested page read for many
// parents at once (one statement: a lateral join per parent on
// PostgreSQL, a window function on SQLite; ent/perparent.go) against the
// same page of each parent read alone (node(id:), a single page with
// LIMIT): first, last, cursors both ways, another order, a filter, and
// parents with no rows, fewer rows than the page and more.
func TestNestedPagesAsEachParentAlone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		var orgs []string
		for i, n := range []int{7, 0, 1, 3, 12} {
			o := c.Organization.Create().SetName(fmt.Sprintf("Org %d", i)).SaveX(ctx)
			for j := range n {
				s := c.Service.Create().SetName(fmt.Sprintf("Svc %d-%02d %s", i, j, []string{"b", "a", "c"}[j%3])).SetOrganization(o).SaveX(ctx)
				for k := range j % 4 {
					c.ServiceArea.Create().SetService(s).SetKind("ZIP").SetCode(fmt.Sprintf("0211%d", k)).SaveX(ctx)
				}
			}
			orgs = append(orgs, o.Name)
		}
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "per-parent pages", auth.Admin))

		var ids struct {
			Organizations struct {
				Edges []struct{ Node struct{ ID string } }
			}
			Services struct {
				Edges []struct{ Cursor string }
			}
		}
		admin.ok(`{ organizations(first: 10) { edges { node { id } } } services(first: 5) { edges { cursor } } }`, nil, &ids)
		if len(ids.Organizations.Edges) != len(orgs) {
			t.Fatalf("%d organizations, want %d", len(ids.Organizations.Edges), len(orgs))
		}
		after, before := ids.Services.Edges[2].Cursor, ids.Services.Edges[4].Cursor
		sel := `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		  edges { cursor node { name serviceAreas(first: 2) { pageInfo { hasNextPage } edges { node { code } } } } }`
		for _, args := range []string{
			`first: 3`,
			`first: 1`,
			`last: 2`,
			`first: 4, orderBy: {field: NAME, direction: DESC}`,
			`last: 3, orderBy: {field: NAME}`,
			fmt.Sprintf(`first: 3, after: %q`, after),
			fmt.Sprintf(`last: 2, before: %q`, before),
			`first: 2, where: {nameContains: "a"}`,
		} {
			var nested struct {
				Organizations struct {
					Edges []struct {
						Node struct {
							ID       string
							Services json.RawMessage
						}
					}
				}
			}
			admin.ok(fmt.Sprintf(`{ organizations(first: 10) { edges { node { id services(%s) { %s } } } } }`, args, sel), nil, &nested)
			for _, e := range nested.Organizations.Edges {
				var alone struct {
					Node struct{ Services json.RawMessage }
				}
				admin.ok(fmt.Sprintf(`query($id: ID!) { node(id: $id) { ... on Organization { services(%s) { %s } } } }`, args, sel),
					map[string]any{"id": e.Node.ID}, &alone)
				if string(e.Node.Services) != string(alone.Node.Services) {
					t.Errorf("services(%s) of %s: nested\n%s\nalone\n%s", args, e.Node.ID, e.Node.Services, alone.Node.Services)
				}
			}
		}
	})
}
