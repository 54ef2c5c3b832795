package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/telemetry"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// replicaAnswer is a GraphQL answer with what read replicas add to it.
type replicaAnswer struct {
	Status     int
	Token      string // the Village-Read-After header
	Data       json.RawMessage
	Errors     []gqlError
	Extensions map[string]any
}

// TestReplica runs Village on a real PostgreSQL primary and a streaming
// replica of it (make test-replica creates both): reads go to the
// replica; a write's token reads the write at once, though the replica has
// not replayed it; a lagging replica leaves rotation and comes back; and a
// replica stopped under a concurrent read load fails no read.
func TestReplica(t *testing.T) {
	pair := testdb.StartReplicaPair(t)
	ctx := context.Background()
	const maxLag = 4 * time.Second
	db, err := store.Open(ctx, pair.PrimaryURL, store.Options{
		ReadReplicas: []string{pair.ReplicaURL}, ReplicaMaxLag: maxLag, ReplicaCheckInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	loadSeed(t, db)
	admin, _, err := auth.CreateKey(ctx, db.Client, "replica test", auth.Admin, nil)
	if err != nil {
		t.Fatal(err)
	}
	metrics := telemetry.NewMetrics()
	srv := httptest.NewServer(server.New(db, server.Config{Metrics: metrics, ServeMetrics: true}, discardLog()))
	t.Cleanup(srv.Close)

	replica := func() store.ReplicaState { return db.Replicas.States()[0] }
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("waited 30s for %s: replica %+v", what, replica())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// reads counts the reads each server answers during fn.
	reads := func(fn func()) (onReplica, onPrimary uint64) {
		t.Helper()
		r, p := replica().Reads, db.Replicas.PrimaryReads()
		fn()
		return replica().Reads - r, db.Replicas.PrimaryReads() - p
	}
	do := func(secret, token, query string, vars map[string]any) replicaAnswer {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		if token != "" {
			req.Header.Set(store.ReadAfterHeader, token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out replicaAnswer
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("decode (%d): %v\n%s", res.StatusCode, err, raw)
		}
		out.Status, out.Token = res.StatusCode, res.Header.Get(store.ReadAfterHeader)
		if len(out.Errors) > 0 {
			t.Fatalf("%s: %+v", query, out.Errors)
		}
		return out
	}
	const named = `query($n: String!) { organizations(where: {name: $n}) { totalCount } }`
	count := func(token, name string) int {
		t.Helper()
		var data struct{ Organizations struct{ TotalCount int } }
		if err := json.Unmarshal(do("", token, named, map[string]any{"n": name}).Data, &data); err != nil {
			t.Fatal(err)
		}
		return data.Organizations.TotalCount
	}
	scrape := func() string {
		t.Helper()
		res := mustGet(t, srv.URL+"/metrics")
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return string(raw)
	}
	upMetric := func(v string) string { return `village_db_replica_up{replica="` + replica().Name + `"} ` + v }

	// The seed's writes are replayed, and the replica checked since.
	seeded, err := primaryLSN(db)
	if err != nil {
		t.Fatal(err)
	}
	waitFor("the replica in rotation, past the seed", func() bool { s := replica(); return s.Up && s.Replayed >= seeded })

	t.Run("reads go to the replica", func(t *testing.T) {
		onReplica, onPrimary := reads(func() {
			for range 10 {
				do("", "", `{ organizations(first: 5) { totalCount edges { node { name services(first: 2) { totalCount } } } } }`, nil)
			}
			// GET, cached: the feed position the ETag names is read
			// where the answer is, with raw SQL.
			res := mustGet(t, srv.URL+"/graphql?query="+url.QueryEscape(`{ organizations(first: 1) { totalCount } }`))
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == "" {
				t.Errorf("GET: %d, ETag %q", res.StatusCode, res.Header.Get("ETag"))
			}
		})
		if onReplica < 21 || onPrimary != 0 {
			t.Errorf("reads on the replica %d (want at least 21), on the primary %d (want 0)", onReplica, onPrimary)
		}
		if m := scrape(); !strings.Contains(m, upMetric("1")) || !strings.Contains(m, "village_db_replica_reads_total") {
			t.Errorf("/metrics does not show the replica in rotation (%s):\n%s", upMetric("1"), grepLines(m, "village_db_"))
		}
	})

	name := "Written while the replica waits"
	var token string
	t.Run("a write's token reads it at once", func(t *testing.T) {
		pair.ReplicaExec(t, "SELECT pg_wal_replay_pause()")
		written := do(admin, "", `mutation($n: String!) { createOrganization(input: {name: $n}) { id } }`, map[string]any{"n": name})
		token = written.Token
		if _, err := store.ParseLSN(token); err != nil || written.Extensions["readAfter"] != token {
			t.Fatalf("the write's answer carries token %q in %s and %v in extensions.readAfter", token, store.ReadAfterHeader, written.Extensions["readAfter"])
		}
		// The replica serves what it has: not yet the write.
		onReplica, _ := reads(func() {
			if n := count("", name); n != 0 {
				t.Errorf("a read without the token found %d (the paused replica has not replayed the write)", n)
			}
		})
		if onReplica == 0 {
			t.Errorf("the read without the token did not go to the replica (%+v)", replica())
		}
		onReplica, onPrimary := reads(func() {
			if n := count(token, name); n != 1 {
				t.Errorf("a read with the write's token found %d organizations named %q, want 1", n, name)
			}
		})
		if onReplica != 0 || onPrimary == 0 {
			t.Errorf("a read with a token the replica has not replayed: %d reads on the replica, %d on the primary", onReplica, onPrimary)
		}
		// A read does not carry a token of its own.
		if res := do("", token, named, map[string]any{"n": name}); res.Token != "" || res.Extensions["readAfter"] != nil {
			t.Errorf("a read answered with token %q / %v", res.Token, res.Extensions["readAfter"])
		}
	})
	if token == "" {
		t.FailNow()
	}

	t.Run("a lagging replica leaves rotation and comes back", func(t *testing.T) {
		waitFor("the paused replica out of rotation", func() bool { return !replica().Up })
		if s := replica(); !strings.Contains(s.Reason, "lagging") || s.Lag <= maxLag {
			t.Errorf("out of rotation with reason %q, lag %s", s.Reason, s.Lag)
		}
		if m := scrape(); !strings.Contains(m, upMetric("0")) {
			t.Errorf("/metrics does not show the replica out of rotation:\n%s", grepLines(m, "village_db_replica_up"))
		}
		onReplica, onPrimary := reads(func() {
			if n := count("", name); n != 1 {
				t.Errorf("with the replica out of rotation, a read found %d, want 1 (the primary's)", n)
			}
		})
		if onReplica != 0 || onPrimary == 0 {
			t.Errorf("with the replica out: %d reads on the replica, %d on the primary", onReplica, onPrimary)
		}
		pair.ReplicaExec(t, "SELECT pg_wal_replay_resume()")
		after, _ := store.ParseLSN(token)
		waitFor("the replica back in rotation, past the token", func() bool { s := replica(); return s.Up && s.Replayed >= after })
		onReplica, onPrimary = reads(func() {
			if n := count(token, name); n != 1 {
				t.Errorf("the replica past the token found %d, want 1", n)
			}
		})
		if onReplica == 0 || onPrimary != 0 {
			t.Errorf("a token the replica has replayed: %d reads on the replica, %d on the primary", onReplica, onPrimary)
		}
	})

	t.Run("a replica stopped under load fails no read", func(t *testing.T) {
		var (
			stop           atomic.Bool
			served, failed atomic.Int64
			firstFailure   atomic.Value
			wg             sync.WaitGroup
			replicaBefore  = replica().Reads
			documents      = []string{`{ organizations(first: 10) { totalCount edges { node { name services(first: 3) { edges { node { name } } } } } } }`, `{ services(first: 10) { totalCount edges { node { name organization { name } } } } }`}
			getDocument    = srv.URL + "/graphql?query=" + url.QueryEscape(`{ services(first: 5) { totalCount } }`)
			hsdsListing    = srv.URL + "/hsds/organizations"
			client         = &http.Client{Timeout: 30 * time.Second}
		)
		fail := func(what string) {
			failed.Add(1)
			firstFailure.CompareAndSwap(nil, what)
		}
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; !stop.Load(); n++ {
					var res *http.Response
					var err error
					switch (i + n) % 4 {
					case 0, 1:
						body, _ := json.Marshal(map[string]any{"query": documents[(i+n)%2]})
						res, err = client.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
					case 2:
						res, err = client.Get(getDocument)
					default:
						res, err = client.Get(hsdsListing)
					}
					if err != nil {
						fail(err.Error())
						continue
					}
					raw, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
						fail(res.Request.URL.Path + ": " + res.Status + " " + string(raw[:min(len(raw), 300)]))
						continue
					}
					served.Add(1)
				}
			}()
		}
		time.Sleep(500 * time.Millisecond)
		if err := pair.StopReplica(); err != nil {
			stop.Store(true)
			wg.Wait()
			t.Fatal(err)
		}
		stoppedAt := served.Load()
		time.Sleep(time.Second)
		stop.Store(true)
		wg.Wait()
		if failed.Load() != 0 {
			t.Errorf("%d of %d reads failed; the first: %v", failed.Load(), failed.Load()+served.Load(), firstFailure.Load())
		}
		s := replica()
		if s.Reads == replicaBefore || served.Load() == stoppedAt || s.Up {
			t.Errorf("replica reads before the stop %d, reads served after it %d, replica %+v (want reads on it, reads after, and it out of rotation)",
				s.Reads-replicaBefore, served.Load()-stoppedAt, s)
		}
		t.Logf("%d reads, %d of them served after the replica stopped; %d failed on the replica and were answered by the primary",
			served.Load(), served.Load()-stoppedAt, s.Retried)
		res := mustGet(t, srv.URL+"/readyz")
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("/readyz with the replica down: %d, want 200 (the primary serves)", res.StatusCode)
		}
		pair.StartReplica(t)
		waitFor("the restarted replica back in rotation", func() bool { return replica().Up })
	})
}

// primaryLSN reads the primary's current WAL position.
func primaryLSN(db *store.DB) (store.LSN, error) {
	var s string
	if err := db.SQL.QueryRow("SELECT pg_current_wal_lsn()::text").Scan(&s); err != nil {
		return 0, err
	}
	return store.ParseLSN(s)
}

func grepLines(text, prefix string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
