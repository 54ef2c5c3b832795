package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file read the change feed the way an integrator does:
// changes(after:) page after page.

type feedEvent struct {
	ID         string
	EntityType string
	EntityID   string
	Operation  string
	Actor      string
	Version    *int
}

func (e feedEvent) String() string {
	v := "-"
	if e.Version != nil {
		v = fmt.Sprint(*e.Version)
	}
	return fmt.Sprintf("%s %s %s v%s", e.Operation, e.EntityType, e.EntityID, v)
}

type feedPage struct {
	Changes struct {
		Edges []struct {
			Cursor string
			Node   feedEvent
		}
		PageInfo struct {
			EndCursor   *string
			HasNextPage bool
		}
		TotalCount int
	}
}

const feedQuery = `query($after: Cursor, $first: Int, $types: [EntityType!]) {
	changes(after: $after, first: $first, types: $types) {
		edges { cursor node { id entityType entityID operation actor version } }
		pageInfo { endCursor hasNextPage }
		totalCount
	}
}`

// feedRead pages through the feed after cursor (nil: from the start) until
// it has caught up, returning the events and the cursor to resume from.
func feedRead(m *mutAPI, secret string, after *string, first int, types []string) ([]feedEvent, *string) {
	var out []feedEvent
	for {
		vars := map[string]any{"first": first}
		if after != nil {
			vars["after"] = *after
		}
		if types != nil {
			vars["types"] = types
		}
		var p feedPage
		m.ok(secret, feedQuery, vars, &p)
		for _, e := range p.Changes.Edges {
			out = append(out, e.Node)
		}
		if p.Changes.PageInfo.EndCursor != nil {
			after = p.Changes.PageInfo.EndCursor
		}
		if !p.Changes.PageInfo.HasNextPage {
			return out, after
		}
	}
}

func TestChangesFeed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		secret, _, err := auth.CreateKey(context.Background(), db.Client, "Feed writer", auth.Admin, nil)
		if err != nil {
			t.Fatal(err)
		}
		org, _ := m.create(secret, "Organization", map[string]any{"name": "Harbor"})
		svc, _ := m.create(secret, "Service", map[string]any{"name": "Visits", "organizationID": org})
		ph, _ := m.create(secret, "Phone", map[string]any{"number": "1", "serviceID": svc, "staffOnly": true})
		m.ok(secret, `mutation($id: ID!) { updateService(id: $id, input: {description: "x"}) { id } }`, map[string]any{"id": svc}, nil)
		m.ok(secret, `mutation($id: ID!) { deleteService(id: $id, cascade: true) { deletedID } }`, map[string]any{"id": svc}, nil)

		want := []string{
			"CREATE ORGANIZATION " + org + " v1",
			"CREATE SERVICE " + svc + " v1",
			"CREATE PHONE " + ph + " v1",
			"UPDATE SERVICE " + svc + " v2",
			// Tombstones carry the last version of what they remove.
			"DELETE PHONE " + ph + " v1",
			"DELETE SERVICE " + svc + " v2",
		}
		// Page sizes that split the feed every way give the same events.
		for _, first := range []int{1, 2, 4, 100} {
			got, _ := feedRead(m, secret, nil, first, nil)
			var s []string
			for _, e := range got {
				s = append(s, e.String())
				if e.Actor != "Feed writer" {
					t.Errorf("actor %q", e.Actor)
				}
			}
			if !slices.Equal(s, want) {
				t.Fatalf("first %d: %v\nwant %v", first, s, want)
			}
		}
		// Resuming after a cursor returns only what follows it.
		var p feedPage
		m.ok(secret, feedQuery, map[string]any{"first": 2}, &p)
		rest, end := feedRead(m, secret, &p.Changes.Edges[1].Cursor, 10, nil)
		if len(rest) != 4 || rest[0].String() != want[2] {
			t.Fatalf("after the second event: %v", rest)
		}
		// Caught up: nothing new, and the cursor stays usable.
		more, _ := feedRead(m, secret, end, 10, nil)
		if len(more) != 0 {
			t.Fatalf("after the end: %v", more)
		}
		m.ok(secret, `mutation { createOrganization(input: {name: "Beacon"}) { id } }`, nil, nil)
		more, _ = feedRead(m, secret, end, 10, nil)
		if len(more) != 1 || more[0].Operation != "CREATE" || more[0].EntityType != "ORGANIZATION" {
			t.Fatalf("new event after the end: %v", more)
		}
		// Filtered by type, with totalCount counting the filtered events.
		var services feedPage
		m.ok(secret, feedQuery, map[string]any{"types": []string{"SERVICE", "PHONE"}, "first": 10}, &services)
		if services.Changes.TotalCount != 5 || len(services.Changes.Edges) != 5 {
			t.Fatalf("SERVICE and PHONE events: %d of %d", len(services.Changes.Edges), services.Changes.TotalCount)
		}
		for _, e := range services.Changes.Edges {
			if e.Node.EntityType != "SERVICE" && e.Node.EntityType != "PHONE" {
				t.Errorf("filtered feed has %s", e.Node)
			}
		}
		// A single type can be given without a list; an unknown one is
		// refused.
		m.ok(secret, `{ changes(types: ORGANIZATION) { totalCount } }`, nil, nil)
		if res := m.do(secret, `{ changes(types: [NOT_A_TYPE]) { totalCount } }`, nil); len(res.Errors) == 0 {
			t.Fatalf("unknown entity type accepted")
		}
		// Page sizes are bounded like every connection.
		m.fail(secret, `{ changes(first: 1000) { totalCount } }`, nil, "BAD_USER_INPUT")
		// A cursor of an ordered list carries a value the feed's order
		// has no place for (found by the fuzzer: it reached the SQL).
		var ordered struct {
			Organizations struct{ Edges []struct{ Cursor string } }
		}
		m.ok(secret, `{ organizations(first: 1, orderBy: {field: NAME}) { edges { cursor } } }`, nil, &ordered)
		if len(ordered.Organizations.Edges) == 0 {
			t.Fatal("no organization to cut a cursor from")
		}
		if e := m.fail(secret, `query($c: Cursor) { changes(after: $c) { edges { cursor } } }`,
			map[string]any{"c": ordered.Organizations.Edges[0].Cursor}, "BAD_USER_INPUT"); e.Extensions["field"] != "after" {
			t.Errorf("a foreign cursor in the feed: %+v, want the field after", e)
		}
		var dflt feedPage
		m.ok(secret, feedQuery, nil, &dflt)
		if len(dflt.Changes.Edges) != 7 {
			t.Fatalf("default page: %d events", len(dflt.Changes.Edges))
		}
	})
}

// TestFeedUnderConcurrentWriters runs writers that commit concurrently (on
// PostgreSQL, truly in parallel) while a consumer polls changes(after:):
// the consumer sees every event exactly once, in feed order, never
// passing one that commits later with a smaller number, and the events are
// exactly the writes made.
func TestFeedUnderConcurrentWriters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		const writers, rounds = 8, 12
		var (
			mu      sync.Mutex
			written []string // "OP TYPE id vN" for every successful write
		)
		record := func(s string) {
			mu.Lock()
			written = append(written, s)
			mu.Unlock()
		}
		secrets := make([]string, writers)
		for i := range secrets {
			var err error
			secrets[i], _, err = auth.CreateKey(context.Background(), db.Client, fmt.Sprintf("writer %d", i), auth.Admin, nil)
			if err != nil {
				t.Fatal(err)
			}
		}
		shared, _ := m.create(m.admin, "Organization", map[string]any{"name": "Shared"})
		record("CREATE ORGANIZATION " + shared + " v1")

		done := make(chan struct{})
		errs := make(chan error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				secret := secrets[w]
				for r := range rounds {
					// A multi-record operation (one transaction, several
					// events), an update, sometimes a cascade delete, and
					// contended updates of one shared record.
					var created struct {
						O struct {
							ID      string
							Version int
						}
						S struct {
							ID      string
							Version int
						}
					}
					res := m.do(secret, `mutation($n: String!) {
						o: createOrganization(input: {name: $n}) { id version }
					}`, map[string]any{"n": fmt.Sprintf("W%d R%d", w, r)})
					if len(res.Errors) > 0 {
						errs <- fmt.Errorf("create: %+v", res.Errors)
						return
					}
					mustJSON(res.Data, &created)
					record(fmt.Sprintf("CREATE ORGANIZATION %s v%d", created.O.ID, created.O.Version))
					res = m.do(secret, `mutation($o: ID!) { s: createService(input: {name: "S", organizationID: $o}) { id version } }`,
						map[string]any{"o": created.O.ID})
					if len(res.Errors) > 0 {
						errs <- fmt.Errorf("service: %+v", res.Errors)
						return
					}
					mustJSON(res.Data, &created)
					record(fmt.Sprintf("CREATE SERVICE %s v%d", created.S.ID, created.S.Version))
					var up struct{ UpdateOrganization struct{ Version int } }
					res = m.do(secret, `mutation($id: ID!) { updateOrganization(id: $id, input: {description: "edited"}) { version } }`,
						map[string]any{"id": shared})
					if len(res.Errors) > 0 {
						errs <- fmt.Errorf("shared update: %+v", res.Errors)
						return
					}
					mustJSON(res.Data, &up)
					record(fmt.Sprintf("UPDATE ORGANIZATION %s v%d", shared, up.UpdateOrganization.Version))
					if r%3 == 2 {
						res = m.do(secret, `mutation($id: ID!) { deleteOrganization(id: $id, cascade: true) { deletedID } }`, map[string]any{"id": created.O.ID})
						if len(res.Errors) > 0 {
							errs <- fmt.Errorf("delete: %+v", res.Errors)
							return
						}
						record(fmt.Sprintf("DELETE SERVICE %s v%d", created.S.ID, created.S.Version))
						record(fmt.Sprintf("DELETE ORGANIZATION %s v%d", created.O.ID, created.O.Version))
					}
				}
			}()
		}
		go func() { wg.Wait(); close(done) }()

		// The consumer: small pages, polling until the writers are done and
		// it has caught up.
		var seen []feedEvent
		var cursor *string
		finished := false
		for !finished {
			select {
			case <-done:
				finished = true
			default:
			}
			page, next := feedRead(m, m.admin, cursor, 5, nil)
			seen = append(seen, page...)
			cursor = next
			if !finished {
				time.Sleep(time.Millisecond)
			}
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		page, _ := feedRead(m, m.admin, cursor, 5, nil)
		seen = append(seen, page...)

		// Exactly once, in order: the consumer's sequence is the feed.
		all, err := db.Client.ChangeEvent.Query().Order(ent.Asc(changeevent.FieldID)).All(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != len(all) {
			t.Fatalf("consumer saw %d events, the feed has %d", len(seen), len(all))
		}
		for i, e := range all {
			if seen[i].ID != relay.Encode(e.ID) {
				t.Fatalf("event %d: consumer saw %s, feed has %d (skipped or reordered)", i, seen[i].ID, e.ID)
			}
		}
		// The events are the writes made.
		var got []string
		for _, e := range seen {
			got = append(got, e.String())
		}
		sort.Strings(got)
		sort.Strings(written)
		if !slices.Equal(got, written) {
			t.Fatalf("events differ from the writes:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(written, "\n      "))
		}
		// Contended updates: each version exactly once.
		versions := map[int]bool{}
		for _, e := range seen {
			if e.EntityID == shared && e.Operation == "UPDATE" {
				if versions[*e.Version] {
					t.Fatalf("version %d of the shared record logged twice", *e.Version)
				}
				versions[*e.Version] = true
			}
		}
		if len(versions) != writers*rounds {
			t.Fatalf("%d shared updates logged, want %d", len(versions), writers*rounds)
		}
	})
}

func mustJSON(raw []byte, dst any) {
	if err := json.Unmarshal(raw, dst); err != nil {
		panic(err)
	}
}

// TestChangesNeedAKey keeps the feed (the key names that made changes) for
// integrators.
func TestChangesNeedAKey(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	a.fail(`{ changes { totalCount } }`, nil, "FORBIDDEN")
}
