package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/telemetry"
)

// listingAnswer is an answer shaped like a listing page of 100 services
// (the response cache's typical entry, about 90 KB): IDs, names,
// descriptions and areas drawn from small vocabularies, as a directory
// repeats them.
func listingAnswer() []byte {
	words := []string{"home", "visiting", "family", "support", "parents", "children", "early", "learning",
		"health", "nurse", "screening", "developmental", "county", "program", "services", "prenatal"}
	type area struct{ Kind, Code, Name string }
	type node struct {
		ID, Name, Description, Status string
		Languages                     []string
		Organization                  struct{ ID, Name, Description string }
		Areas                         []area
	}
	var edges []map[string]node
	for i := range 100 {
		var n node
		n.ID = base64.StdEncoding.EncodeToString([]byte("Service:" + strconv.Itoa(100000+i*37)))
		n.Name = fmt.Sprintf("%s %s %s", words[i%16], words[(i*7)%16], words[(i*3+1)%16])
		for j := range 30 {
			n.Description += words[(i*j+j)%16] + " "
		}
		n.Status, n.Languages = "ACTIVE", []string{"en", "es"}
		n.Organization.ID = base64.StdEncoding.EncodeToString([]byte("Organization:" + strconv.Itoa(i/10)))
		n.Organization.Name = words[i/10%16] + " Family Services"
		n.Organization.Description = n.Description[:60]
		for j := range 5 {
			code := fmt.Sprintf("%05d", (i*131+j*17)%99999)
			n.Areas = append(n.Areas, area{"ZIP", code, "ZIP " + code})
		}
		edges = append(edges, map[string]node{"node": n})
	}
	b, err := json.Marshal(map[string]any{"data": map[string]any{"services": map[string]any{"edges": edges}}})
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkResponseCache: what the cache adds to a listing page's answer:
// a hit (look-up and sending the kept answer) and a miss that keeps it
// (recording and storing the answer), through wrap, without a database.
func BenchmarkResponseCache(b *testing.B) {
	answer := listingAnswer()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		telemetry.RequestFrom(r.Context()).SetOperation(func(op *telemetry.Operation) { op.Type = "query" })
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	})
	request := func(i int) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/graphql?query=q"+strconv.Itoa(i), nil)
		return r.WithContext(feed.WithPosition(telemetry.WithRequest(r.Context(), &telemetry.Request{}), 1))
	}
	b.Run("hit", func(b *testing.B) {
		c := newResponseCache(nil, 4<<20, nil)
		h := c.wrap(handler)
		h.ServeHTTP(httptest.NewRecorder(), request(0))
		b.SetBytes(int64(len(answer)))
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), request(0))
		}
		b.ReportMetric(float64(c.bytes), "kept-bytes")
	})
	b.Run("miss", func(b *testing.B) {
		c := newResponseCache(nil, 4<<20, nil)
		h := c.wrap(handler)
		b.SetBytes(int64(len(answer)))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			h.ServeHTTP(httptest.NewRecorder(), request(i))
		}
	})
}
