package server_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestNestedQueryStatementCount proves the nested connections are loaded
// eagerly, a fixed number of statements per level, however large the page:
// no N+1.
func TestNestedQueryStatementCount(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			ctx := context.Background()
			for o := range 6 {
				org := db.Client.Organization.Create().SetName(fmt.Sprintf("Org %d", o)).SaveX(ctx)
				for p := range 4 {
					prog := db.Client.Program.Create().SetName(fmt.Sprintf("Program %d.%d", o, p)).SetOrganization(org).SaveX(ctx)
					for s := range 3 {
						db.Client.Service.Create().SetName(fmt.Sprintf("Service %d.%d.%d", o, p, s)).
							SetOrganization(org).SetProgram(prog).SaveX(ctx)
					}
				}
			}
			a := newAPI(t, db, server.Config{})
			const query = `query($n: Int!) {
			  organizations(first: $n, orderBy: {field: NAME}) {
			    totalCount
			    edges { node { name
			      programs(first: $n) {
			        totalCount
			        edges { node { name
			          services(first: $n) { totalCount edges { node { name status } } }
			        } }
			      }
			    } }
			  }
			}`
			counts := map[int]int{}
			for _, n := range []int{1, 3, 6} {
				counter.Reset()
				var data struct {
					Organizations struct {
						Edges []struct {
							Node struct {
								Programs struct {
									Edges []struct {
										Node struct {
											Services struct {
												Edges []any
											}
										}
									}
								}
							}
						}
					}
				}
				a.ok(query, map[string]any{"n": n}, &data)
				counts[n] = counter.Count()
				if got := len(data.Organizations.Edges); got != n {
					t.Fatalf("first %d: %d organizations", n, got)
				}
				wantPrograms, wantServices := min(n, 4), min(n, 3)
				for _, o := range data.Organizations.Edges {
					if got := len(o.Node.Programs.Edges); got != wantPrograms {
						t.Fatalf("first %d: %d programs, want %d", n, got, wantPrograms)
					}
					for _, p := range o.Node.Programs.Edges {
						if got := len(p.Node.Services.Edges); got != wantServices {
							t.Fatalf("first %d: %d services, want %d", n, got, wantServices)
						}
					}
				}
			}
			t.Logf("%s: statements for the 3-level nested query by page size: %v", backend, counts)
			if counts[1] != counts[3] || counts[3] != counts[6] {
				t.Fatalf("statement count grows with the page size: %v", counts)
			}
			if counts[1] > 8 {
				t.Fatalf("nested query took %d statements; want a small fixed number (about two per level)", counts[1])
			}
		})
	}
}
