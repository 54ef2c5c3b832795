package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// attackAllocBudget is the most one refused attack may allocate, in the
// whole process (server and client).
const attackAllocBudget = 64 << 20

// withinAllocBudget runs attack and fails when it allocated more than the
// budget. The tests of this file do not run in parallel, so the process's
// allocations are the attack's.
func withinAllocBudget(t *testing.T, attack func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	attack()
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	if allocated > attackAllocBudget {
		t.Fatalf("the attack allocated %d MB; the budget is %d MB", allocated>>20, attackAllocBudget>>20)
	}
}

// limitRefusal asserts that the first error is a limit's refusal.
func limitRefusal(t *testing.T, res gqlResponse, code, limit string) {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("expected %s (%s), got data %.200s", code, limit, res.Data)
	}
	e := res.Errors[0]
	if e.Extensions["code"] != code || e.Extensions["limit"] != limit {
		t.Fatalf("expected %s with limit %s, got %d errors, first %+v", code, limit, len(res.Errors), e)
	}
	if _, ok := e.Extensions["max"].(float64); !ok {
		t.Fatalf("refusal without extensions.max: %+v", e)
	}
	if _, ok := e.Extensions["value"].(float64); !ok {
		t.Fatalf("refusal without extensions.value: %+v", e)
	}
	if len(res.Errors) != 1 {
		t.Fatalf("a refusal is one error, got %d", len(res.Errors))
	}
}

func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		b.WriteString(f(i))
		b.WriteByte(' ')
	}
	b.WriteString("}")
	return b.String()
}

// documentAttack is a hostile document and the refusal it must get.
type documentAttack struct {
	name, query string
	code, limit string
}

// documentAttacks are the hostile documents of issue 12, each refused
// before it runs.
func documentAttacks() []documentAttack {
	return []documentAttack{
		{"1500 same-named fields with other arguments",
			repeat(1500, func(i int) string { return fmt.Sprintf("services(first:%d){totalCount}", i%100+1) }),
			"QUERY_TOO_LARGE", "fields"},
		{"3000 same-named fields with other arguments",
			repeat(3000, func(i int) string { return fmt.Sprintf(`services(where:{nameContains:"%d"}){totalCount}`, i) }),
			"QUERY_TOO_LARGE", "tokens"},
		{"8000 __typename", repeat(8000, func(int) string { return "__typename" }), "QUERY_TOO_LARGE", "fields"},
		{"2000 aliased __schema", repeat(2000, func(i int) string { return fmt.Sprintf("s%d:__schema{description}", i) }),
			"QUERY_TOO_LARGE", "fields"},
		{"300 aliases", repeat(300, func(i int) string { return fmt.Sprintf("t%d:__typename", i) }), "QUERY_TOO_LARGE", "aliases"},
		{"150 aliased __schema types", repeat(150, func(i int) string { return fmt.Sprintf("s%d: __schema { types { name fields { name } } }", i) }),
			"COMPLEXITY_LIMIT_EXCEEDED", "cost"},
		{"plain lists four levels deep",
			`{programs(first:100){edges{node{resources{programs{resources{programs{resources{programs{name}}}}}}}}}}`,
			"COMPLEXITY_LIMIT_EXCEEDED", "cost"},
		{"deep nesting", "{" + strings.Repeat("organizations{edges{node{parent{", 8) + "id" + strings.Repeat("}}}}", 8) + "}",
			"QUERY_TOO_LARGE", "depth"},
		{"fragments doubling",
			`{...F0} ` + func() string {
				var b strings.Builder
				for i := range 40 {
					fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d } ", i, i+1, i+1)
				}
				b.WriteString("fragment F40 on Query { __typename }")
				return b.String()
			}(),
			"QUERY_TOO_LARGE", "fields"},
	}
}

func TestAttacksOnDocumentSize(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})

		cases := documentAttacks()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				withinAllocBudget(t, func() {
					limitRefusal(t, a.query(tc.query, nil), tc.code, tc.limit)
				})
			})
		}

		t.Run("400 conflicting fields are one validation error", func(t *testing.T) {
			q := repeat(400, func(i int) string { return fmt.Sprintf("services(first:%d){totalCount}", i%100+1) })
			withinAllocBudget(t, func() {
				res := a.query(q, nil)
				if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
					t.Fatalf("want one GRAPHQL_VALIDATION_FAILED, got %d errors: %.300v", len(res.Errors), res.Errors)
				}
			})
		})
	})
}

// TestLimitsAdmitLegitimateDocuments: the default limits admit graphql-js's
// full introspection query (what GraphiQL and codegen tools send), every
// GraphQL example of the README, and the operations relay-compiler prints for
// a typical Relay app (testdata/relay: paginated connections, @refetchable
// node queries, the family match, a mutation spreading a fragment).
func TestLimitsAdmitLegitimateDocuments(t *testing.T) {
	introspection, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{"graphql-js introspection": string(introspection)}
	for i, block := range strings.Split(string(readme), "```graphql\n")[1:] {
		docs[fmt.Sprintf("README example %d", i+1)] = block[:strings.Index(block, "```")]
	}
	if len(docs) < 5 {
		t.Fatalf("found %d documents; the README's examples were not found", len(docs))
	}
	relayFiles, err := filepath.Glob("testdata/relay/*.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if len(relayFiles) < 9 {
		t.Fatalf("found %d relay-compiler documents in testdata/relay", len(relayFiles))
	}
	relay := map[string]string{}
	for _, f := range relayFiles {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		relay[strings.TrimSuffix(filepath.Base(f), ".graphql")] = string(doc)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "Administrator", auth.Admin))
		for name, doc := range docs {
			res := a.query(doc, nil)
			if !strings.HasPrefix(strings.TrimSpace(doc), "mutation") {
				if len(res.Errors) > 0 && res.Errors[0].Extensions["code"] == "FORBIDDEN" {
					// An example for keyed callers (the gap report):
					// an admin key runs it.
					res = admin.query(doc, nil)
				}
				if len(res.Errors) > 0 {
					t.Errorf("%s was refused: %+v", name, res.Errors)
				}
				continue
			}
			// A README mutation names records by placeholder ("…") and
			// needs a key: it must be valid and within every limit.
			for _, e := range res.Errors {
				if e.Extensions["limit"] != nil || e.Extensions["code"] == "GRAPHQL_VALIDATION_FAILED" || e.Extensions["code"] == "GRAPHQL_PARSE_FAILED" {
					t.Errorf("%s was refused: %+v", name, e)
				}
			}
		}

		var first struct {
			Services struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		a.ok(`{services(first:1){edges{node{id}}}}`, nil, &first)
		if len(first.Services.Edges) == 0 {
			t.Fatal("no service in the seeded database")
		}
		serviceID := first.Services.Edges[0].Node.ID
		family := map[string]any{"zip": "02121", "childAgeMonths": 0, "firstTimeParent": true,
			"needs": []string{"home-visiting"}, "language": "es"}
		vars := map[string]map[string]any{
			"MatchQuery":                            {"family": family},
			"MatchResultsPaginationQuery":           {"family": family, "count": 10},
			"ServiceDetailAreasPaginationQuery":     {"id": serviceID},
			"ServiceDetailLocationsPaginationQuery": {"id": serviceID},
			"ServiceDetailQuery":                    {"id": serviceID},
			"ServiceDetailRefetchQuery":             {"id": serviceID},
			"ServiceListPaginationQuery":            {"count": 20, "where": map[string]any{"statusIn": []string{"ACTIVE"}}},
			"ServiceListQuery":                      {},
			"UpdateServiceMutation":                 {"id": serviceID, "input": map[string]any{"waitTime": "Two weeks"}},
		}
		for name, doc := range relay {
			v, known := vars[name]
			if !known {
				t.Errorf("relay document %s has no variables in this test", name)
				continue
			}
			res := a.query(doc, v)
			if strings.HasPrefix(doc, "mutation") {
				// Anonymous, it may be refused for a business reason
				// (FORBIDDEN), never by a limit nor as an invalid document.
				for _, e := range res.Errors {
					switch e.Extensions["code"] {
					case graph.CodeQueryTooLarge, graph.CodeComplexityLimit, graph.CodeResponseTooLarge,
						"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED":
						t.Errorf("relay %s was refused: %+v", name, e)
					}
				}
				continue
			}
			if len(res.Errors) > 0 {
				t.Errorf("relay %s was refused: %+v", name, res.Errors)
			}
		}
	})
}

// TestResponseSizeCap: an answer past --max-response-bytes is one
// RESPONSE_TOO_LARGE error naming the cap.
func TestResponseSizeCap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		var full struct{ Services struct{ Edges []any } }
		newAPI(t, db, server.Config{}).ok(`{services(first:100){edges{node{name description}}}}`, nil, &full)
		if len(full.Services.Edges) < 10 {
			t.Fatalf("%d services: too few to pass the cap", len(full.Services.Edges))
		}
		a := newAPI(t, db, server.Config{Limits: graph.Limits{MaxResponseBytes: 1024}})
		res := a.query(`{services(first:100){edges{node{name description}}}}`, nil)
		limitRefusal(t, res, "RESPONSE_TOO_LARGE", "responseBytes")
		if string(res.Data) != "null" && len(res.Data) != 0 {
			t.Fatalf("data sent with the refusal: %.200s", res.Data)
		}
		var small struct{ Services struct{ TotalCount int } }
		a.ok(`{services{totalCount}}`, nil, &small)
	})
}

// TestRequestTimeoutStopsAnyDocument: a request whose work runs past the
// timeout is answered TIMEOUT, within the timeout and its grace second
// (bounded here generously: the machines are shared).
func TestRequestTimeoutStopsAnyDocument(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		generateSynthetic(t, db, synthetic.Size{Organizations: 20, Services: 400, Areas: 400, Seed: 1})
		a := newAPI(t, db, server.Config{RequestTimeout: 100 * time.Millisecond, Limits: graph.Limits{MaxComplexity: 1 << 30}})
		nested := "name"
		for range 3 {
			nested = "services(first:100){edges{node{organization{" + nested + "}}}}"
		}
		start := time.Now()
		res := a.query("{"+nested+"}", nil)
		if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "TIMEOUT" {
			t.Fatalf("want TIMEOUT, got %.300v", res.Errors)
		}
		for _, e := range res.Errors {
			if e.Extensions["code"] != "TIMEOUT" {
				t.Fatalf("a timed-out request's errors are TIMEOUT, got %+v", e)
			}
		}
		if elapsed := time.Since(start); elapsed > 30*time.Second {
			t.Fatalf("answered after %s", elapsed)
		}
	})
}
