package search_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
)

// BenchmarkSearchAfterWrite measures, on the synthetic national directory,
// the first search after a committed write (a service's name and
// description changed, alternately a service and its organization's name:
// the organization's services read again): the incremental refresh plus
// the search. It reports the median (p50-ms) and the slowest (max-ms).
//
//	go test -run '^$' -bench SearchAfterWrite -benchtime 50x ./internal/search/
func BenchmarkSearchAfterWrite(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			db := testdb.Open(b, backend, store.Options{})
			ctx := context.Background()
			if _, err := seed.Load(ctx, db.Client); err != nil {
				b.Fatal(err)
			}
			if _, err := synthetic.Generate(ctx, db.Client, synthetic.DefaultSize, nil); err != nil {
				b.Fatal(err)
			}
			e := search.New(db.Client)
			if err := e.Warm(ctx); err != nil {
				b.Fatal(err)
			}
			b.Logf("whole build: %v", e.IndexStats().Build.Round(time.Millisecond))
			services, err := db.Client.Service.Query().Limit(500).All(ctx)
			if err != nil {
				b.Fatal(err)
			}
			anon := auth.WithViewer(ctx, auth.Viewer{Role: auth.Anonymous})
			var durations []time.Duration
			i := 0
			for b.Loop() {
				i++
				b.StopTimer()
				s := services[i%len(services)]
				if i%2 == 0 {
					db.Client.Organization.UpdateOneID(s.OrganizationID).SetName(fmt.Sprintf("Family Network %d", i)).ExecX(ctx)
				}
				db.Client.Service.UpdateOneID(s.ID).SetName(fmt.Sprintf("Home visiting %d", i)).
					SetDescription(fmt.Sprintf("Nurses visit families, round %d.", i)).ExecX(ctx)
				b.StartTimer()
				start := time.Now()
				if _, err := e.Search(anon, search.Query{Text: "home visiting"}); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
				if st := e.IndexStats(); !st.Incremental {
					b.Fatalf("write %d: the index was built whole", i)
				}
			}
			slices.Sort(durations)
			b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durations[len(durations)-1].Microseconds())/1000, "max-ms")
		})
	}
}
