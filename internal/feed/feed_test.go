package feed_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

func TestEntityType(t *testing.T) {
	for in, want := range map[string]string{
		"Organization": "ORGANIZATION", "ServiceAtLocation": "SERVICE_AT_LOCATION",
		"TaxonomyTerm": "TAXONOMY_TERM", "ServiceArea": "SERVICE_AREA",
	} {
		if got := feed.EntityType(in); got != want {
			t.Errorf("EntityType(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestEventsFollowWrites checks the events each kind of write leaves, with
// and without a transaction (a tombstone carries the last version of the
// record it removes), and that rolled-back writes and deletes that removed
// nothing leave none.
func TestEventsFollowWrites(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		events := func() []string {
			var out []string
			for _, e := range c.ChangeEvent.Query().Order(changeevent.ByID()).AllX(ctx) {
				v := -1
				if e.Version != nil {
					v = *e.Version
				}
				out = append(out, e.EntityType+" "+e.Operation.String()+" "+e.Actor+" v"+strconv.Itoa(v))
			}
			return out
		}
		org := c.Organization.Create().SetName("Org").SaveX(ctx)
		org.Update().SetName("Org 2").ExecX(ctx)

		tx, err := c.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx.Service.Create().SetName("Rolled back").SetOrganizationID(org.ID).ExecX(ctx)
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		tx, err = c.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		svc := tx.Service.Create().SetName("Committed").SetOrganizationID(org.ID).SaveX(ctx)
		tx.Service.UpdateOneID(svc.ID).SetName("Committed 2").ExecX(ctx)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		c.Service.DeleteOneID(svc.ID).ExecX(ctx)
		if n := c.Service.Delete().Where().ExecX(ctx); n != 0 {
			t.Fatalf("deleted %d services, want 0", n)
		}
		want := []string{
			"ORGANIZATION CREATE cli v1", "ORGANIZATION UPDATE cli v2",
			"SERVICE CREATE cli v1", "SERVICE UPDATE cli v2", "SERVICE DELETE cli v2",
		}
		got := events()
		if len(got) != len(want) {
			t.Fatalf("events %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("events %q, want %q", got, want)
			}
		}
	})
}

// TestPosition: the feed's position is 0 before any write, then the newest
// event's ID; a rolled-back write does not move it.
func TestPosition(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		position := func() int {
			t.Helper()
			p, err := feed.Position(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		if p := position(); p != 0 {
			t.Fatalf("empty feed at %d, want 0", p)
		}
		org := c.Organization.Create().SetName("Org").SaveX(ctx)
		c.Organization.UpdateOneID(org.ID).SetName("Org 2").ExecX(ctx)
		newest := c.ChangeEvent.Query().Order(changeevent.ByID()).AllX(ctx)
		if len(newest) != 2 {
			t.Fatalf("%d events, want 2", len(newest))
		}
		if p := position(); p != newest[1].ID {
			t.Fatalf("position %d, want the newest event %d", p, newest[1].ID)
		}
		tx, err := c.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx.Organization.UpdateOneID(org.ID).SetName("Rolled back").ExecX(ctx)
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if p := position(); p != newest[1].ID {
			t.Fatalf("position %d after a rollback, want %d", p, newest[1].ID)
		}
	})
}
