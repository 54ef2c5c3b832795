package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// BenchmarkHSDSByID shows that finding a record by HSDS id does not grow
// with the directory, on synthetic directories of 1,000 and 10,000
// services, on each backend (go test -run '^$' -bench HSDSByID ./server/):
//
//   - get: GET /hsds/services/{id} through the real handler (the full
//     document; median latency and statements per request)
//   - resolve: hsds.Resolver.Resolve alone
//   - scan: hsds.ResolveID, the scan of every service it replaces
func BenchmarkHSDSByID(b *testing.B) {
	for _, backend := range testdb.Backends {
		for _, services := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("%s/services=%d", backend, services), func(b *testing.B) {
				db, counter := openCountingDB(b, backend)
				ctx := context.Background()
				generateSynthetic(b, db, synthetic.Size{Organizations: services / 10, Services: services, Areas: services * 2, Seed: 1})
				var ids []string
				for _, id := range db.Client.Service.Query().Limit(200).IDsX(ctx) {
					ids = append(ids, hsds.DerivedID(testdb.DirectoryID(b, db), hsds.KindService, id))
				}
				h := server.New(db, server.Config{}, discardLog())

				b.Run("get", func(b *testing.B) {
					var durations []time.Duration
					statements, i := 0, 0
					for b.Loop() {
						i++
						rec := httptest.NewRecorder()
						counter.Reset()
						start := time.Now()
						h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/hsds/services/"+ids[i%len(ids)], nil))
						durations = append(durations, time.Since(start))
						statements = counter.Count()
						if rec.Code != http.StatusOK {
							b.Fatalf("GET: %d %s", rec.Code, rec.Body.String())
						}
					}
					reportLatencyAndStatements(b, durations, statements)
				})
				r := hsds.NewResolver(db.Client)
				b.Run("resolve", func(b *testing.B) {
					i := 0
					for b.Loop() {
						i++
						if _, ok, err := r.Resolve(ctx, hsds.KindService, ids[i%len(ids)]); err != nil || !ok {
							b.Fatal(ok, err)
						}
					}
				})
				b.Run("scan", func(b *testing.B) {
					i := 0
					for b.Loop() {
						i++
						if _, ok, err := hsds.ResolveID(ctx, db.Client, hsds.KindService, ids[i%len(ids)]); err != nil || !ok {
							b.Fatal(ok, err)
						}
					}
				})
			})
		}
	}
}
