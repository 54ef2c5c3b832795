package server_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// BenchmarkSearch measures, through the real HTTP handler on the synthetic
// national directory (synthetic.DefaultSize) on each backend:
//
//   - search: what a call-center worker types (a need, a program, a town
//     with a need, a typo; half of them near a ZIP), first 20 services,
//     each with the by-ID fetch's fields (see nodesQuery) and its
//     highlights;
//   - searchNoHighlights: the same without highlights;
//   - nodes: the same twenty services fetched by ID in one nodes(ids:)
//     call with the same fields: the yardstick (search at most 2×).
//
// Each reports its median latency (p50-ms) and SQL statements per request:
//
//	make bench   (or: go test -run '^$' -bench Search ./server/)
func BenchmarkSearch(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			db, counter := openCountingDB(b, backend)
			ctx := context.Background()
			loadSeed(b, db)
			report := generateSynthetic(b, db, synthetic.DefaultSize)
			b.Logf("%s: %v", backend, report)
			// The first search builds the server's index: a deadline long
			// enough for that, on a busy machine, before measuring.
			h := server.New(db, server.Config{RequestTimeout: 5 * time.Minute}, discardLog())
			serve(b, h, searchBenchQuery, map[string]any{"text": "warm"})

			texts := []string{"home visiting", "parenting support", "developmental screening", "Chicago parenting",
				"nurse family partnership", "Boston home visiting", "parenting classes", "nurce visits"}
			zips := []string{"60614", "02121", "", "", "90011", "", "30309", ""}
			// The pages the searches answer, to fetch the same records by ID.
			engine := search.New(db.Client)
			anon := auth.WithViewer(ctx, auth.Viewer{Role: auth.Anonymous})
			// The index's memory: live heap before and after it is built.
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			if _, err := engine.Search(anon, search.Query{Text: "warm"}); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			st := engine.IndexStats()
			b.Logf("index: %d records, %d terms, %d postings, %.1f MB live heap (%.1f MB by its own estimate), built in %v", st.Records, st.Terms, st.Postings,
				float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), float64(st.Bytes)/(1<<20), st.Build.Round(time.Millisecond))
			pages := make([][]string, len(texts))
			for i, text := range texts {
				q := search.Query{Text: text, Types: []search.Type{search.TypeService}}
				if zips[i] != "" {
					pt, err := search.Place{ZIP: &zips[i]}.Resolve("near")
					if err != nil {
						b.Fatal(err)
					}
					q.Near = pt
				}
				out, err := engine.Search(anon, q)
				if err != nil {
					b.Fatal(err)
				}
				page, _, _, _ := out.Page("", 20)
				if len(page) < 20 {
					b.Fatalf("%q finds %d services: want a full page", text, len(page))
				}
				for _, hit := range page {
					pages[i] = append(pages[i], relay.Encode(hit.ID))
				}
				b.Logf("%q: %d results", text, len(out.All()))
			}
			var n, m int
			for _, kind := range []struct{ name, query string }{{"search", searchBenchQuery}, {"searchNoHighlights", searchPlainQuery}} {
				b.Run(kind.name, func(b *testing.B) {
					measure(b, h, counter, func() (string, map[string]any) {
						n++
						i := n % len(texts)
						vars := map[string]any{"text": texts[i]}
						if zips[i] != "" {
							vars["near"] = map[string]any{"zip": zips[i]}
						}
						return kind.query, vars
					})
				})
			}
			b.Run("nodes", func(b *testing.B) {
				measure(b, h, counter, func() (string, map[string]any) {
					m++
					return nodesQuery, map[string]any{"ids": pages[m%len(pages)]}
				})
			})
		})
	}
}

// searchPlainQuery is searchBenchQuery without highlights: what the
// engine and the page's load cost alone.
var searchPlainQuery = strings.Replace(searchBenchQuery, "highlights { field text matches { start end } }", "", 1)

var searchBenchQuery = fmt.Sprintf(`query($text: String!, $near: PlaceInput) {
  search(text: $text, near: $near, types: [SERVICE], first: 20) {
    totalCount
    edges { score distanceKm highlights { field text matches { start end } }
      node { %s } }
    pageInfo { hasNextPage endCursor }
  }
}`, `... on Service {
  id name status description deliveryModes languages verifiedAt sample
  eligibility { minAgeMonths maxAgeMonths acceptsPregnant }
  organization { name } program { name }
}`)
