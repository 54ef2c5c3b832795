package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
)

// TestRankOnAGeneratedDirectory checks ranking where results are many and
// tie often (a generated directory of 1,500 services): the words' order
// does not change a result's score or cursor (rank takes the rarest word
// first), and pages of any size, near a place or not, cut exactly the
// whole order (Page passes over farther results by their dot products
// alone).
func TestRankOnAGeneratedDirectory(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := seed.Load(ctx, db.Client); err != nil {
			t.Fatal(err)
		}
		if _, err := synthetic.Generate(ctx, db.Client, synthetic.Size{Organizations: 60, Services: 1500, Areas: 7500, Seed: 5}, nil); err != nil {
			t.Fatal(err)
		}
		e := search.New(db.Client)
		for _, ctx := range []context.Context{anonymous(), as(auth.Staff)} {
			for _, text := range []string{"home visiting", "parenting support", "nurse family partnership", "Chicago parenting", "nurce visits"} {
				words := strings.Fields(text)
				reversed := slices.Clone(words)
				slices.Reverse(reversed)
				for _, near := range []*search.Point{nil, {Lat: 41.88, Lon: -87.63}, {Lat: 42.3, Lon: -71.06}} {
					whole := func(text string) []string {
						out, err := e.Search(ctx, search.Query{Text: text, Near: near, Types: []search.Type{search.TypeService}})
						if err != nil {
							t.Fatal(err)
						}
						var all []string
						for _, h := range out.All() {
							all = append(all, fmt.Sprintf("%d %s", h.ID, h.Cursor()))
						}
						return all
					}
					all := whole(text)
					if len(words) > 1 {
						equal(t, fmt.Sprintf("%q reversed, near %v", text, near), whole(strings.Join(reversed, " ")), all)
					}
					if len(all) < 20 && !strings.Contains(text, "Chicago") {
						t.Errorf("%q near %v: %d results, want many to page through", text, near, len(all))
					}
					for _, size := range []int{1, 7, 20} {
						out, err := e.Search(ctx, search.Query{Text: text, Near: near, Types: []search.Type{search.TypeService}})
						if err != nil {
							t.Fatal(err)
						}
						var paged []string
						after := ""
						for len(paged) < 60 {
							page, hasNext, _, err := out.Page(after, size)
							if err != nil {
								t.Fatal(err)
							}
							for _, h := range page {
								paged = append(paged, fmt.Sprintf("%d %s", h.ID, h.Cursor()))
							}
							if !hasNext {
								break
							}
							after = page[len(page)-1].Cursor()
						}
						equal(t, fmt.Sprintf("%q near %v, pages of %d", text, near, size), paged, all[:min(len(all), len(paged))])
					}
				}
			}
		}
	})
}
