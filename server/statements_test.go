package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
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

// rowCounter counts, for each statement a request runs outside a
// transaction, the rows it reads, on top of testdb's statement counter.
type rowCounter struct {
	*testdb.Counter
	mu    sync.Mutex
	reads []statementRows
}

// statementRows is one statement and the rows read from it.
type statementRows struct {
	query string
	rows  int
}

// openRowCountingDB opens a fresh database on backend whose statements and
// rows read are counted.
func openRowCountingDB(tb testing.TB, backend string) (*store.DB, *rowCounter) {
	tb.Helper()
	counter, wrap := testdb.CountingDriver()
	rc := &rowCounter{Counter: counter}
	db := testdb.Open(tb, backend, store.Options{WrapDriver: func(d dialect.Driver) dialect.Driver {
		wrap(d)
		return rc
	}})
	return db, rc
}

func (c *rowCounter) Query(ctx context.Context, query string, args, v any) error {
	if err := c.Counter.Query(ctx, query, args, v); err != nil {
		return err
	}
	rows, ok := v.(*entsql.Rows)
	if !ok {
		return nil
	}
	c.mu.Lock()
	c.reads = append(c.reads, statementRows{query: query})
	i := len(c.reads) - 1
	c.mu.Unlock()
	rows.ColumnScanner = &countedRows{ColumnScanner: rows.ColumnScanner, count: func() {
		c.mu.Lock()
		c.reads[i].rows++
		c.mu.Unlock()
	}}
	return nil
}

// reset forgets the statements seen so far.
func (c *rowCounter) reset() {
	c.Counter.Reset()
	c.mu.Lock()
	c.reads = nil
	c.mu.Unlock()
}

// rowsRead returns the rows read since the last reset from each table's
// records (statements selecting from it), and the statements that counted
// rather than read records.
func (c *rowCounter) rowsRead() (byTable map[string]int, counts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	byTable = map[string]int{}
	for _, r := range c.reads {
		if strings.Contains(strings.ToUpper(r.query), "COUNT(") {
			counts++
			continue
		}
		m := fromTable.FindStringSubmatch(r.query)
		if m == nil {
			byTable["?"] += r.rows
			continue
		}
		byTable[m[1]] += r.rows
	}
	return byTable, counts
}

// fromTable finds the table a statement reads records from: the first
// quoted table after FROM (entgql's per-parent pages read it in a WITH
// clause that comes first).
var fromTable = regexp.MustCompile("FROM [\"`]([a-z_]+)[\"`]")

// countedRows calls count for each row read.
type countedRows struct {
	entsql.ColumnScanner
	count func()
}

func (r *countedRows) Next() bool {
	if r.ColumnScanner.Next() {
		r.count()
		return true
	}
	return false
}

// TestNestedPagesReadNoMoreThanTheyShow holds each level of a nested list
// to the rows it returns plus, for each parent whose page has a next one,
// the one row that told (issue 19: at most one per parent); before, that
// row's own edges were loaded too, and theirs below. On a small synthetic directory shaped like the
// national one (ten services an organization, five areas a service), for
// the query, a later page of it and one organization's nested
// pages.
func TestNestedPagesReadNoMoreThanTheyShow(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openRowCountingDB(t, backend)
			generateSynthetic(t, db, synthetic.Size{Organizations: 40, Services: 400, Areas: 2000, Seed: 1})
			a := newAPI(t, db, server.Config{})
			type areas struct {
				Edges    []struct{ Node struct{ ID string } }
				PageInfo struct{ HasNextPage bool }
			}
			type services struct {
				Edges []struct {
					Node struct {
						ID           string
						ServiceAreas areas
					}
				}
				PageInfo struct{ HasNextPage bool }
			}
			type organization struct {
				ID       string
				Services services
			}
			const nested = `services(first: 10) { edges { node { id
			    serviceAreas(first: 5) { edges { node { id } } pageInfo { hasNextPage } } } }
			  pageInfo { hasNextPage } }`
			// check counts what the organizations returned hold and
			// compares it with the rows read.
			check := func(name string, orgs []organization, orgsHaveNext, onePage bool) {
				// onePage: the organizations are not a page (node(id:)).
				t.Helper()
				byTable, counts := counter.rowsRead()
				if stmts := counter.Count(); stmts != len(counter.reads) {
					t.Fatalf("%s: %d statements, %d of them read outside a transaction: the rows of the others were not counted", name, stmts, len(counter.reads))
				}
				var svcs, areaRows, svcsNext, areasNext int
				for _, o := range orgs {
					svcs += len(o.Services.Edges)
					if o.Services.PageInfo.HasNextPage {
						svcsNext++
					}
					for _, s := range o.Services.Edges {
						areaRows += len(s.Node.ServiceAreas.Edges)
						if s.Node.ServiceAreas.PageInfo.HasNextPage {
							areasNext++
						}
					}
				}
				t.Logf("%s: returned %d/%d/%d rows, read %v (and %d counts)", name, len(orgs), svcs, areaRows, byTable, counts)
				// The data must hold more than the pages show, or
				// nothing is tested.
				if (!onePage && !orgsHaveNext) || svcsNext == 0 || areasNext == 0 {
					t.Fatalf("%s: no level has a next page (%v, %d, %d): the directory is too small to test", name, orgsHaveNext, svcsNext, areasNext)
				}
				// Each level reads what it returns and, for each parent
				// whose page has a next one, the one row that told: at
				// most one per parent.
				wantOrgs := len(orgs)
				if orgsHaveNext {
					wantOrgs++
				}
				if got := byTable["organizations"]; got != wantOrgs {
					t.Errorf("%s: read %d organizations to return %d (want %d)", name, got, len(orgs), wantOrgs)
				}
				if got, want := byTable["services"], svcs+svcsNext; got != want || want > svcs+len(orgs) {
					t.Errorf("%s: read %d services to return %d under %d organizations, %d of them with a next page (want %d)", name, got, svcs, len(orgs), svcsNext, want)
				}
				if got, want := byTable["service_areas"], areaRows+areasNext; got != want || want > areaRows+svcs {
					t.Errorf("%s: read %d service areas to return %d under %d services, %d of them with a next page (want %d)", name, got, areaRows, svcs, areasNext, want)
				}
				if got := byTable["?"]; got > 0 {
					t.Errorf("%s: %d rows read by statements of no known table", name, got)
				}
			}

			var list struct {
				Organizations struct {
					Edges    []struct{ Node organization }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			page := func(after any) {
				counter.reset()
				a.ok(`query($after: Cursor) { organizations(first: 10, after: $after) {
				  edges { node { id `+nested+` } }
				  pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after}, &list)
			}
			orgsOf := func() []organization {
				var orgs []organization
				for _, e := range list.Organizations.Edges {
					orgs = append(orgs, e.Node)
				}
				return orgs
			}
			page(nil)
			check("first page", orgsOf(), list.Organizations.PageInfo.HasNextPage, false)
			page(list.Organizations.PageInfo.EndCursor)
			check("second page", orgsOf(), list.Organizations.PageInfo.HasNextPage, false)

			// One organization with the most services: its nested pages
			// are single pages (entgql's oneNode path).
			var one struct{ Node organization }
			for _, e := range list.Organizations.Edges {
				if e.Node.Services.PageInfo.HasNextPage {
					counter.reset()
					a.ok(`query($id: ID!) { node(id: $id) { ... on Organization { id `+nested+` } } }`,
						map[string]any{"id": e.Node.ID}, &one)
					check("one organization", []organization{one.Node}, false, true)
					break
				}
			}
		})
	}
}

// TestPageInfoCountsOnlyWithoutEdges holds entgql's row counts to where
// they are used (ent/pagecount.go): a nested list asking for pageInfo but
// not totalCount runs one statement a level and no count, and answers
// every pageInfo as the same list asking for totalCount too; a page whose
// edges are not read (none asked for, first: 0) still counts, since its
// pageInfo has nothing else to come from.
func TestPageInfoCountsOnlyWithoutEdges(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openRowCountingDB(t, backend)
			generateSynthetic(t, db, synthetic.Size{Organizations: 40, Services: 400, Areas: 2000, Seed: 1})
			a := newAPI(t, db, server.Config{})
			const pageInfo = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`
			// nested is the list, with totalCount at every level
			// when total is "totalCount".
			nested := func(total, args string) string {
				vars := "$after: Cursor"
				if strings.Contains(args, "$svc") {
					vars += ", $svc: Cursor"
				}
				return `query(` + vars + `) { organizations(first: 10, after: $after) { ` + total + `
				  edges { node { id services(` + args + `) { ` + total + `
				    edges { node { id serviceAreas(first: 5) { ` + total + ` edges { node { id } } ` + pageInfo + ` } } }
				    ` + pageInfo + ` } } } ` + pageInfo + ` } }`
			}
			// run answers query, without its totalCounts, and the
			// statements and counts it ran.
			run := func(query string, vars map[string]any) (answer any, stmts, counts int) {
				t.Helper()
				counter.reset()
				var data any
				a.ok(query, vars, &data)
				_, counts = counter.rowsRead()
				return dropTotalCounts(data), counter.Count(), counts
			}
			var after, svc any
			for _, c := range []struct {
				name, args          string
				stmts, countedStmts int // without totalCount, with it
				counts              int // without totalCount
			}{
				{"first page", "first: 10", 3, 6, 0},
				{"second page", "first: 10", 3, 6, 0},
				{"last services", "last: 3", 3, 6, 0},
				{"services after a cursor", "first: 2, after: $svc", 3, 6, 0},
			} {
				vars := map[string]any{"after": after, "svc": svc}
				want, countedStmts, _ := run(nested("totalCount", c.args), vars)
				got, stmts, counts := run(nested("", c.args), vars)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: without totalCount\n%v\nwith it\n%v", c.name, got, want)
				}
				if stmts != c.stmts || counts != c.counts || countedStmts != c.countedStmts {
					t.Errorf("%s: %d statements (%d counts) without totalCount, %d with it; want %d (%d), %d",
						c.name, stmts, counts, countedStmts, c.stmts, c.counts, c.countedStmts)
				}
				if c.name == "first page" {
					var list struct {
						Organizations struct{ PageInfo struct{ EndCursor string } }
					}
					b, _ := json.Marshal(got)
					if err := json.Unmarshal(b, &list); err != nil || list.Organizations.PageInfo.EndCursor == "" {
						t.Fatalf("no end cursor in %s (%v)", b, err)
					}
					after = list.Organizations.PageInfo.EndCursor
					svc = cursorAfter(1) // the services after the first
				}
			}

			// A page whose edges are not read answers pageInfo from a
			// count; a nested one, from one count for all its parents.
			counter.reset()
			var data json.RawMessage
			a.ok(`{ organizations(first: 10) { pageInfo { hasNextPage } } }`, nil, &data)
			if _, counts := counter.rowsRead(); string(data) != `{"organizations":{"pageInfo":{"hasNextPage":true}}}` || counts != 1 {
				t.Errorf("no edges: %s after %d counts; want hasNextPage after 1", data, counts)
			}
			counter.reset()
			a.ok(`{ organizations(first: 10) { edges { node { services(first: 10) { pageInfo { hasNextPage } } } } } }`, nil, &data)
			if _, counts := counter.rowsRead(); counter.Count() != 2 || counts != 1 {
				t.Errorf("no nested edges: %d statements, %d counts; want 2, 1", counter.Count(), counts)
			}
		})
	}
}

// dropTotalCounts is v, a decoded JSON answer, without its totalCount
// fields.
func dropTotalCounts(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "totalCount")
		for k, x := range v {
			v[k] = dropTotalCounts(x)
		}
	case []any:
		for i, x := range v {
			v[i] = dropTotalCounts(x)
		}
	}
	return v
}
