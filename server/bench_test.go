package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// BenchmarkDirectory measures, through the real HTTP handler on a synthetic
// national directory (synthetic.DefaultSize: 20k services, 100k coverage
// rows) on each backend:
//
//   - byID: fetching one service by ID with node(id:);
//   - match: a typical call-center match (ZIP + child's age + one need,
//     first 20), over big-city and small-town ZIPs, each result with the
//     by-ID fetch's fields and its reasons;
//   - matchList: the same match as a results list shows it (name,
//     organization, distance, reasons: no description or eligibility);
//   - nodes20: fetching 20 services by ID in one nodes(ids:) call with the
//     by-ID fetch's fields: what showing twenty results costs without any
//     matching, for scale;
//   - nested: the nested list of issue 19, organizations(first: 10) →
//     services(first: 10) → serviceAreas(first: 5), each page after the
//     last one's cursor (so successive requests read different rows).
//
// Each reports its median latency (p50-ms) and SQL statements per request,
// so the ratios come from one run:
//
//	make bench   (or: go test -run '^$' -bench Directory ./server/)
func BenchmarkDirectory(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			db, counter := openCountingDB(b, backend)
			ctx := context.Background()
			loadSeed(b, db)
			report := generateSynthetic(b, db, synthetic.DefaultSize)
			b.Logf("%s: %v", backend, report)
			h := server.New(db, server.Config{}, discardLog())

			ids := db.Client.Service.Query().Where(service.StatusEQ(service.StatusACTIVE)).Limit(200).IDsX(ctx)
			orgs := db.Client.Organization.Query().Order(organization.ByID()).IDsX(ctx)
			kinds := requestKinds(ids, orgs)
			for _, k := range kinds {
				b.Run(k.name, func(b *testing.B) { measure(b, h, counter, k.next) })
			}
		})
	}
}

// requestKind is one kind of request the benchmark sends; next returns a
// new one each call.
type requestKind struct {
	name string
	next func() (query string, vars map[string]any)
}

// requestKinds are byID, match, matchList, nodes20 and nested (see
// BenchmarkDirectory) over the given active services and all
// organizations, in ID order.
func requestKinds(ids, orgs []int) []requestKind {
	zips := []string{"10001", "60614", "90011", "02121", "30309", "59901", "73301", "98101"}
	needs := []string{"home-visiting", "parenting-support", "developmental-screening"}
	var byID, nodes, matches, nested int
	family := func(query string) func() (string, map[string]any) {
		return func() (string, map[string]any) {
			matches++
			i := matches
			return query, map[string]any{"f": map[string]any{
				"zip": zips[i%len(zips)], "childAgeMonths": i % 36, "needs": []string{needs[i%len(needs)]},
			}}
		}
	}
	return []requestKind{
		{"byID", func() (string, map[string]any) {
			byID++
			return byIDQuery, map[string]any{"id": relay.Encode(ids[byID%len(ids)])}
		}},
		{"match", family(matchQuery)},
		{"matchList", family(matchListQuery)},
		{"nodes20", func() (string, map[string]any) {
			nodes++
			page := make([]string, 20)
			for j := range page {
				page[j] = relay.Encode(ids[(nodes*20+j)%len(ids)])
			}
			return nodesQuery, map[string]any{"ids": page}
		}},
		{"nested", func() (string, map[string]any) {
			nested++
			// Pages of ten organizations, taken in turn.
			return nestedQuery, map[string]any{"after": cursorAfter(orgs[nested*10%(len(orgs)-10)])}
		}},
	}
}

// cursorAfter is the cursor of a connection ordered by ID at id.
func cursorAfter(id int) string {
	var b bytes.Buffer
	entgql.Cursor[int]{ID: id}.MarshalGQL(&b)
	s, err := strconv.Unquote(b.String())
	if err != nil {
		panic(err)
	}
	return s
}

const nestedQuery = `query($after: Cursor) { organizations(first: 10, after: $after) {
  edges { node { id name
    services(first: 10) { edges { node { id name status
      serviceAreas(first: 5) { edges { node { id kind code stateCode } } pageInfo { hasNextPage } } } }
      pageInfo { hasNextPage } } } }
  pageInfo { hasNextPage endCursor }
} }`

const byIDQuery = `query($id: ID!) { node(id: $id) { ... on Service {
  id name status description deliveryModes languages verifiedAt sample
  eligibility { minAgeMonths maxAgeMonths acceptsPregnant }
  organization { name } program { name }
} } }`

const matchQuery = `query($f: FamilyInput!) { match(family: $f, first: 20) {
  totalCount
  edges { score eligible distanceKm coverage { kind code }
    reasons { criterion message } unmet { criterion message }
    node { id name status description deliveryModes languages verifiedAt sample
      eligibility { minAgeMonths maxAgeMonths acceptsPregnant }
      organization { name } program { name } } }
  pageInfo { hasNextPage endCursor }
} }`

const matchListQuery = `query($f: FamilyInput!) { match(family: $f, first: 20) {
  totalCount
  edges { eligible distanceKm coverage { kind }
    reasons { criterion message } unmet { criterion message }
    node { id name sample status deliveryModes languages organization { name } } }
  pageInfo { hasNextPage endCursor }
} }`

const nodesQuery = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Service {
  id name status description deliveryModes languages verifiedAt sample
  eligibility { minAgeMonths maxAgeMonths acceptsPregnant }
  organization { name } program { name }
} } }`

// measure runs one request per iteration through h and reports the median
// latency and the statements each request ran.
func measure(b *testing.B, h http.Handler, counter *testdb.Counter, next func() (string, map[string]any)) {
	b.Helper()
	var durations []time.Duration
	statements := 0
	b.ReportAllocs()
	for b.Loop() {
		query, vars := next()
		counter.Reset()
		durations = append(durations, serve(b, h, query, vars))
		statements = counter.Count()
	}
	reportLatencyAndStatements(b, durations, statements)
}

// reportLatencyAndStatements reports the median of the requests' durations
// (p50-ms) and the statements a request ran (stmts/op).
func reportLatencyAndStatements(b *testing.B, durations []time.Duration, statements int) {
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(statements), "stmts/op")
}

// serve sends one GraphQL request through h and returns how long h took;
// any error fails the benchmark.
func serve(b *testing.B, h http.Handler, query string, vars map[string]any) time.Duration {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	took := time.Since(start)
	if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
		b.Fatalf("request failed: %d %s", rec.Code, rec.Body.String())
	}
	return took
}
