package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// BenchmarkAttackRefusals measures how long the server takes to refuse each
// hostile document of issue 12, through the real HTTP handler over the
// seeded directory on each backend, and reports the process's peak
// resident memory once all have run (peak-RSS-MB; target: under 300 MB):
//
//	make bench   (or: go test -run '^$' -bench AttackRefusals ./server/)
func BenchmarkAttackRefusals(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			db := testdb.Open(b, backend, store.Options{})
			loadSeedAndSamples(b, db)
			h := server.New(db, server.Config{}, discardLog())
			for _, attack := range documentAttacks() {
				body, _ := json.Marshal(map[string]any{"query": attack.query})
				b.Run(strings.ReplaceAll(attack.name, " ", "_"), func(b *testing.B) {
					for b.Loop() {
						rec := httptest.NewRecorder()
						req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(b.Context())
						req.Header.Set("Content-Type", "application/json")
						h.ServeHTTP(rec, req)
						if !strings.Contains(rec.Body.String(), attack.code) {
							b.Fatalf("not refused with %s: %.300s", attack.code, rec.Body.String())
						}
					}
				})
			}
			// A sub-benchmark of its own: the parent's metrics are not
			// printed when it has sub-benchmarks.
			b.Run("peak_RSS", func(b *testing.B) {
				for b.Loop() {
				}
				b.ReportMetric(peakRSSMegabytes(b), "peak-RSS-MB")
			})
		})
	}
}

// peakRSSMegabytes reads the process's peak resident memory (VmHWM).
func peakRSSMegabytes(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
