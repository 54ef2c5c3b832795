package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

var requestID = regexp.MustCompile(`"requestId":"[0-9a-f]*"`)

// TestReusedArenasAnswerAlike sends documents of different shapes at once,
// many times over: nested lists read from eager-loaded edges (whose field
// contexts and objects later responses use again, graph/fieldctx.go),
// fields whose resolvers run statements of their own (whose arenas are
// never used again), an error, and match and search. Each must answer
// byte for byte as it did alone, whatever response used its arena before.
func TestReusedArenasAnswerAlike(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		documents := []string{
			`{ organizations(first: 5) { edges { cursor node { id name
			   services(first: 3) { totalCount edges { node { id name status
			     serviceAreas(first: 2) { edges { node { id kind code name } } } } } } } } } }`,
			`{ services(first: 8, orderBy: {field: NAME}) { edges { node { id name description
			   organization { id name } program { name } needs(first: 3) { edges { node { code } } } } } } }`,
			`{ organizations(first: 3) { edges { node { name
			   a: services(first: 1) { edges { node { name } } } b: services(last: 2) { edges { node { name } } } } } } }`,
			`{ services(first: 2, after: "not a cursor") { edges { node { id } } } }`,
			`{ match(family: {zip: "02119", childAgeMonths: 10}, first: 5) { totalCount edges { eligible node { name organization { name } } } } }`,
			`{ search(text: "home visiting", first: 5) { edges { node { ... on Service { name } ... on Organization { name } } } } }`,
		}
		post := func(doc string) ([]byte, error) {
			body, _ := json.Marshal(map[string]any{"query": doc})
			res, err := http.Post(a.srv.URL+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			defer res.Body.Close()
			body, err = io.ReadAll(res.Body)
			return requestID.ReplaceAll(body, nil), err // each request's own
		}
		want := make([][]byte, len(documents))
		for i, doc := range documents {
			got, err := post(doc)
			if err != nil {
				t.Fatal(err)
			}
			if i != 3 && bytes.Contains(got, []byte(`"errors"`)) {
				t.Fatalf("document %d failed alone: %s", i, got)
			}
			want[i] = got
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := range 25 {
					i := (w + round) % len(documents)
					got, err := post(documents[i])
					if err == nil && !bytes.Equal(got, want[i]) {
						err = fmt.Errorf("document %d answered\n%s\nafter\n%s", i, got, want[i])
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
