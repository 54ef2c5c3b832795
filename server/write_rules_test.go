package server_test

// Rules of writes, access control and the change feed (issue 4) that an
// audit found broken, each kept by a test through the real HTTP handler on
// both backends (testdb.Each).

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestTombstoneCarriesLastVersion: a DELETE event's version is the deleted
// record's last version, as ChangeEvent.version documents ("its last
// version, for a deletion"), for the record asked for and for every record
// a cascade removes, so a consumer can tell which version a tombstone
// removed (and ignore a stale one against a newer copy).
func TestTombstoneCarriesLastVersion(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		org := relay.Encode(m.org())
		svc, _ := m.create(m.admin, "Service", map[string]any{"name": "Visits", "organizationID": org})
		for range 2 {
			m.ok(m.admin, `mutation($id: ID!) { updateService(id: $id, input: {description: "x"}) { version } }`, map[string]any{"id": svc}, nil)
		}
		m.ok(m.admin, `mutation($id: ID!) { updateOrganization(id: $id, input: {description: "x"}) { version } }`, map[string]any{"id": org}, nil)
		before := mutLastEvent(t, db)
		m.ok(m.admin, `mutation($id: ID!) { deleteOrganization(id: $id, expectedVersion: 2, cascade: true) { deletedID } }`, map[string]any{"id": org}, nil)
		evs := mutEventsAfter(t, db, before)
		if len(evs) != 2 {
			t.Fatalf("want two tombstones, got %d events", len(evs))
		}
		after := mutCursorBefore(t, m, evs[0].ID)
		got, _ := feedRead(m, m.admin, after, 10, nil)
		want := []string{"DELETE SERVICE " + svc + " v3", "DELETE ORGANIZATION " + org + " v2"}
		var s []string
		for _, e := range got {
			s = append(s, e.String())
		}
		if !slices.Equal(s, want) {
			t.Fatalf("tombstones %v, want %v (each the deleted record's last version)", s, want)
		}
	})
}

// mutCursorBefore returns the feed cursor of the event just before event id.
func mutCursorBefore(t *testing.T, m *mutAPI, id int) *string {
	t.Helper()
	var after *string
	for {
		var p feedPage
		vars := map[string]any{"first": 100}
		if after != nil {
			vars["after"] = *after
		}
		m.ok(m.admin, feedQuery, vars, &p)
		for _, e := range p.Changes.Edges {
			if e.Node.ID == relay.Encode(id) {
				return after
			}
			c := e.Cursor
			after = &c
		}
		if !p.Changes.PageInfo.HasNextPage {
			t.Fatalf("event %d not in the feed", id)
		}
	}
}

// TestIdenticalUpsertsAtOnceBothSucceed: running the same upsert batch
// twice changes nothing the second time, also when the two calls run at
// once (two sync workers, or a client retrying a call that timed out on
// its side while the first still runs). On PostgreSQL the second insert
// waits for the first and hits the unique external identifier; it must
// adopt the record the first created (UNCHANGED), not fail with CONFLICT,
// and the directory must hold one record with one CREATE event.
func TestIdenticalUpsertsAtOnceBothSucceed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		doc := `mutation($in: [UpsertOrganizationInput!]!) { upsertOrganizations(input: $in) { outcome organization { id } } }`
		for round := range 10 {
			ext := fmt.Sprint(round)
			vars := map[string]any{"in": []any{
				map[string]any{"externalSource": "race", "externalID": ext, "name": "Harbor Health"},
				map[string]any{"externalSource": "race", "externalID": ext + "-b", "name": "Beacon"},
			}}
			before := mutLastEvent(t, db)
			res := make([]gqlResponse, 2)
			var wg sync.WaitGroup
			for i := range res {
				wg.Go(func() { res[i] = m.do(m.admin, doc, vars) })
			}
			wg.Wait()
			var outcomes []string
			for _, r := range res {
				if len(r.Errors) > 0 {
					t.Fatalf("round %d: the same upsert batch sent twice at once: %s %q %v",
						round, r.Errors[0].Extensions["code"], r.Errors[0].Message, r.Errors[0].Extensions)
				}
				var out struct {
					UpsertOrganizations []struct{ Outcome string }
				}
				mustJSON(r.Data, &out)
				for _, u := range out.UpsertOrganizations {
					outcomes = append(outcomes, u.Outcome)
				}
			}
			slices.Sort(outcomes)
			if want := []string{"CREATED", "CREATED", "UNCHANGED", "UNCHANGED"}; !slices.Equal(outcomes, want) {
				t.Errorf("round %d: outcomes %v, want each record created once and found unchanged once", round, outcomes)
			}
			n, err := db.Client.Organization.Query().Where(organization.ExternalSource("race"), organization.ExternalIDIn(ext, ext+"-b")).Count(context.Background())
			if err != nil || n != 2 {
				t.Errorf("round %d: %d records (%v), want 2", round, n, err)
			}
			if evs := mutEventsAfter(t, db, before); len(evs) != 2 || evs[0].Operation != changeevent.OperationCREATE || evs[1].Operation != changeevent.OperationCREATE {
				t.Errorf("round %d: %d events, want two CREATEs", round, len(evs))
			}
		}
	})
}

// TestHierarchiesHaveNoCycles: an organization or taxonomy term cannot be
// made its own parent or hang below one of its own descendants, by any
// write path (parentID on create and update, the children an input
// re-points, internal code): the write is BAD_USER_INPUT on the input at
// fault and writes nothing, so clients walking up a hierarchy (and HSDS
// parent_organization_id) always end. Upserts carry no parent, so they
// cannot make one.
func TestHierarchiesHaveNoCycles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		setParent := func(secret, typ string, id, parent int) gqlResponse {
			return m.do(secret, fmt.Sprintf(`mutation($id: ID!, $p: ID!) { update%s(id: $id, input: {parentID: $p}) { id } }`, typ),
				map[string]any{"id": relay.Encode(id), "p": relay.Encode(parent)})
		}
		badInput := func(what string, res gqlResponse, field string) {
			t.Helper()
			if len(res.Errors) == 0 {
				t.Errorf("%s: accepted: %s", what, res.Data)
				return
			}
			if e := res.Errors[0].Extensions; e["code"] != "BAD_USER_INPUT" || e["field"] != field {
				t.Errorf("%s: %+v, want BAD_USER_INPUT on %s", what, res.Errors[0], field)
			}
		}
		parentOf := func(id int) *int {
			t.Helper()
			o, err := db.Client.Organization.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			return o.ParentID
		}

		// a ← b ← c
		a, b, c := m.org(), m.org(), m.org()
		m.ok(m.admin, `mutation($b: ID!, $c: ID!, $a: ID!) {
			x: updateOrganization(id: $b, input: {parentID: $a}) { id }
			y: updateOrganization(id: $c, input: {parentID: $b}) { id }
		}`, map[string]any{"a": relay.Encode(a), "b": relay.Encode(b), "c": relay.Encode(c)}, nil)
		badInput("organization its own parent", setParent(m.admin, "Organization", a, a), "input.parentID")
		badInput("organization under its grandchild", setParent(m.admin, "Organization", a, c), "input.parentID")
		badInput("organization under its child", setParent(m.admin, "Organization", b, c), "input.parentID")
		if p := parentOf(a); p != nil {
			t.Errorf("refused writes left a's parent %d", *p)
		}
		// Moving within the tree without a cycle is fine: c under a.
		m.ok(m.admin, `mutation($id: ID!, $p: ID!) { updateOrganization(id: $id, input: {parentID: $p}) { id } }`,
			map[string]any{"id": relay.Encode(c), "p": relay.Encode(a)}, nil)

		// Through the children an input re-points.
		badInput("organization adopting its parent", m.do(m.admin, `mutation($id: ID!, $k: ID!) { updateOrganization(id: $id, input: {addChildIDs: [$k]}) { id } }`,
			map[string]any{"id": relay.Encode(b), "k": relay.Encode(a)}), "input.addChildIDs")
		badInput("new organization adopting its parent", m.do(m.admin, `mutation($p: ID!) { createOrganization(input: {name: "N", parentID: $p, childIDs: [$p]}) { id } }`,
			map[string]any{"p": relay.Encode(b)}), "input.childIDs")

		// An editor of two organizations, each the other's parent in one
		// operation: the second write fails and the operation writes
		// nothing.
		d, e := m.org(), m.org()
		editor := m.key(auth.Editor, d, e)
		res := m.do(editor, `mutation($d: ID!, $e: ID!) {
			x: updateOrganization(id: $d, input: {parentID: $e}) { id }
			y: updateOrganization(id: $e, input: {parentID: $d}) { id }
		}`, map[string]any{"d": relay.Encode(d), "e": relay.Encode(e)})
		badInput("editor making two organizations each other's parent", res, "input.parentID")
		if parentOf(d) != nil || parentOf(e) != nil {
			t.Error("a failed operation left a parent set")
		}

		// Internal code (no viewer) is held to it too.
		if err := db.Client.Organization.UpdateOneID(a).SetParentID(c).Exec(context.Background()); err == nil {
			t.Error("internal code made an organization hang below its own child")
		}

		// Taxonomy terms: broader ← narrower.
		term := func(code string) int {
			id, res := m.create(m.admin, "TaxonomyTerm", map[string]any{"code": mutName(code), "name": code})
			if len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
			n, _ := relay.Decode(id)
			return n
		}
		broader, narrower := term("broader"), term("narrower")
		m.ok(m.admin, `mutation($id: ID!, $p: ID!) { updateTaxonomyTerm(id: $id, input: {parentID: $p}) { id } }`,
			map[string]any{"id": relay.Encode(narrower), "p": relay.Encode(broader)}, nil)
		badInput("term its own parent", setParent(m.admin, "TaxonomyTerm", broader, broader), "input.parentID")
		badInput("term under its narrower term", setParent(m.admin, "TaxonomyTerm", broader, narrower), "input.parentID")
	})
}

// TestFeedShowsOnlyRecordsTheKeyMayRead: the change feed shows a key the
// events of records it may read, and nothing of the others (a staff-only
// phone, an unpublished resource), which node() would answer NOT_FOUND for:
// "no public answer reveals them another way". Pages, cursors and
// totalCount agree with what is shown, and a page costs the same
// statements however many events it filters (no statement per event).
// An event is shown when the key could read the record before or after the
// change: the change that hides a record from it and the tombstone of a
// record it could read are shown, nothing of a record hidden throughout
// (see auth.VisibleChangeEvents).
func TestFeedShowsOnlyRecordsTheKeyMayRead(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			m := newMutAPI(t, db)
			own, foreign := m.org(), m.org()
			svc, _ := m.create(m.admin, "Service", map[string]any{"name": "Visits", "organizationID": relay.Encode(own)})
			hidden, res := m.create(m.admin, "Phone", map[string]any{"number": "617-555-0100", "serviceID": svc, "staffOnly": true})
			if len(res.Errors) > 0 {
				t.Fatal(res.Errors)
			}
			public, _ := m.create(m.admin, "Phone", map[string]any{"number": "617-555-0101", "serviceID": svc})
			m.ok(m.admin, `mutation($id: ID!) { updatePhone(id: $id, input: {description: "x"}) { id } }`, map[string]any{"id": hidden}, nil)
			reader := m.key(auth.Reader)
			var sub struct {
				SubmitResource struct{ Resource struct{ ID string } }
			}
			m.ok(reader, `mutation($o: ID!) { submitResource(input: {title: "Guide", kind: GUIDE, publisherID: $o}) { resource { id } } }`,
				map[string]any{"o": relay.Encode(own)}, &sub)
			submitted := sub.SubmitResource.Resource.ID

			keys := map[string]string{
				"reader": reader, "staff": m.key(auth.Staff), "admin": m.admin,
				"own editor": m.key(auth.Editor, own), "foreign editor": m.key(auth.Editor, foreign),
			}
			sees := map[string]map[string]bool{ // who sees the events of which record
				hidden:    {"staff": true, "admin": true, "own editor": true},
				submitted: {"admin": true},
				public:    {"reader": true, "staff": true, "admin": true, "own editor": true, "foreign editor": true},
			}
			// ops: for some records, the operations each key is shown of
			// them, in order ("" for none).
			ops := map[string]map[string]string{}
			check := func(when string) {
				t.Helper()
				for who, secret := range keys {
					events, _ := feedRead(m, secret, nil, 2, nil)
					shown := map[string]int{}
					shownOps := map[string]string{}
					for _, e := range events {
						shown[e.EntityID]++
						shownOps[e.EntityID] = strings.TrimSpace(shownOps[e.EntityID] + " " + e.Operation)
					}
					for record, viewers := range sees {
						if viewers[who] != (shown[record] > 0) {
							t.Errorf("%s: %s sees %d events of %s, want them shown: %v", when, who, shown[record], record, viewers[who])
						}
					}
					for record, want := range ops {
						if got := shownOps[record]; got != want[who] {
							t.Errorf("%s: %s is shown %q of %s, want %q", when, who, got, record, want[who])
						}
					}
					var p feedPage
					m.ok(secret, feedQuery, map[string]any{"first": 100}, &p)
					if p.Changes.TotalCount != len(events) || len(p.Changes.Edges) != len(events) {
						t.Errorf("%s: %s: totalCount %d, one page %d, paged %d: they must agree",
							when, who, p.Changes.TotalCount, len(p.Changes.Edges), len(events))
					}
				}
			}
			check("created")

			// node() agrees: a hidden record's event is not found either.
			hiddenEvent, err := db.Client.ChangeEvent.Query().
				Where(changeevent.EntityID(mustDecode(t, hidden)), changeevent.OperationEQ(changeevent.OperationCREATE)).Only(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			r := m.do(reader, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": relay.Encode(hiddenEvent.ID)})
			if len(r.Errors) == 0 && string(r.Data) != `{"node":null}` {
				t.Errorf("reader reads the event of a staff-only phone by node(): %s", r.Data)
			}

			// A page costs the same statements with many more events to
			// filter.
			cost := func() int {
				counter.Reset()
				m.ok(reader, feedQuery, map[string]any{"first": 100}, nil)
				return counter.Count()
			}
			base := cost()
			for i := range 20 {
				m.create(m.admin, "Phone", map[string]any{"number": "617-555-0100", "serviceID": svc, "staffOnly": i%2 == 0})
			}
			if n := cost(); n != base {
				t.Errorf("a reader's feed page ran %d statements with 20 more events, %d before", n, base)
			}

			// A public phone made staff-only: keys that may not read it
			// are shown the change that hides it (so they drop it), then
			// nothing more of it.
			turned, _ := m.create(m.admin, "Phone", map[string]any{"number": "617-555-0102", "serviceID": svc})
			m.ok(m.admin, `mutation($id: ID!) { updatePhone(id: $id, input: {staffOnly: true}) { id } }`, map[string]any{"id": turned}, nil)
			m.ok(m.admin, `mutation($id: ID!) { updatePhone(id: $id, input: {description: "y"}) { id } }`, map[string]any{"id": turned}, nil)
			all, public2 := "CREATE UPDATE UPDATE", "CREATE UPDATE"
			ops[turned] = map[string]string{"reader": public2, "foreign editor": public2, "own editor": all, "staff": all, "admin": all}

			// A resource published then deleted: its submission is not
			// shown (it was not public), its publication and tombstone are.
			m.ok(reader, `mutation($o: ID!) { submitResource(input: {title: "Map", kind: GUIDE, publisherID: $o}) { resource { id } } }`,
				map[string]any{"o": relay.Encode(own)}, &sub)
			published := sub.SubmitResource.Resource.ID
			m.ok(m.admin, `mutation($id: ID!) { reviewResource(id: $id, decision: PUBLISH) { id } }`, map[string]any{"id": published}, nil)
			both := "CREATE UPDATE" // staff: also the events of a resource published now
			ops[published] = map[string]string{"reader": "UPDATE", "foreign editor": "UPDATE", "own editor": "UPDATE", "staff": both, "admin": both}
			check("hidden and published")
			m.ok(m.admin, `mutation($id: ID!) { deleteResource(id: $id) { deletedID } }`, map[string]any{"id": published}, nil)
			pub := "UPDATE DELETE"
			ops[published] = map[string]string{"reader": pub, "foreign editor": pub, "own editor": pub, "staff": pub, "admin": "CREATE UPDATE DELETE"}

			// Deleted: the hidden phone's tombstone stays hidden from those
			// who could not read it (so does the never-published
			// resource's), the public phone's is shown to every key, and
			// the phone deleted while staff-only leaves its former readers
			// no tombstone (they dropped it at the change that hid it).
			for _, id := range []string{hidden, public, turned} {
				m.ok(m.admin, `mutation($id: ID!) { deletePhone(id: $id) { deletedID } }`, map[string]any{"id": id}, nil)
			}
			m.ok(m.admin, `mutation($id: ID!) { deleteResource(id: $id) { deletedID } }`, map[string]any{"id": submitted}, nil)
			sees[hidden] = map[string]bool{"staff": true, "admin": true}
			all += " DELETE"
			ops[turned] = map[string]string{"reader": public2, "foreign editor": public2, "own editor": public2, "staff": all, "admin": all}
			ops[public] = map[string]string{}
			for who := range keys {
				ops[public][who] = "CREATE DELETE"
			}
			check("deleted")
		})
	}
}

func mustDecode(t *testing.T, id string) int {
	t.Helper()
	n, err := relay.Decode(id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
