package feed_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/resource"
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

// TestEventsRecordRestriction: an event is restricted exactly when its
// record was restricted (a staff-only phone, a resource not PUBLISHED, a
// funding of one) both before and after the change, for every kind of
// write: single and bulk creates, updates and deletes, in a transaction or
// not.
func TestEventsRecordRestriction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Org").SaveX(ctx)
		// restricted lists, per event since the previous call, the type,
		// operation and whether it is restricted.
		seen := 0
		restricted := func() []string {
			t.Helper()
			var out []string
			for _, e := range c.ChangeEvent.Query().Where(changeevent.IDGT(seen)).Order(changeevent.ByID()).AllX(ctx) {
				seen = e.ID
				out = append(out, fmt.Sprintf("%s %s %v", e.EntityType, e.Operation, e.Restricted))
			}
			return out
		}
		expect := func(when string, want ...string) {
			t.Helper()
			if got := restricted(); !slices.Equal(got, want) {
				t.Errorf("%s: events %q, want %q", when, got, want)
			}
		}
		restricted()

		tx, err := c.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		phones := tx.Phone.CreateBulk(
			tx.Phone.Create().SetNumber("1").SetOrganizationID(org.ID).SetStaffOnly(true),
			tx.Phone.Create().SetNumber("2").SetOrganizationID(org.ID),
		).SaveX(ctx)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		expect("bulk create", "PHONE CREATE true", "PHONE CREATE false")

		hidden, public := phones[0], phones[1]
		c.Phone.UpdateOne(hidden).SetDescription("x").ExecX(ctx)
		c.Phone.UpdateOne(public).SetDescription("x").ExecX(ctx)
		expect("update", "PHONE UPDATE true", "PHONE UPDATE false")

		// Made staff-only in bulk: the public phone's change is not
		// restricted (it was readable before), the hidden one's is.
		c.Phone.Update().Where(phone.IDIn(hidden.ID, public.ID)).SetStaffOnly(true).ExecX(ctx)
		expect("bulk update", "PHONE UPDATE true", "PHONE UPDATE false")
		c.Phone.UpdateOneID(public.ID).SetStaffOnly(false).ExecX(ctx)
		expect("made public", "PHONE UPDATE false")
		c.Phone.Delete().Where(phone.IDIn(hidden.ID, public.ID)).ExecX(ctx)
		expect("bulk delete", "PHONE DELETE true", "PHONE DELETE false")

		// A resource and its funding follow the resource's status.
		res := c.Resource.Create().SetTitle("Guide").SetKind(resource.KindGUIDE).SetPublisherID(org.ID).SaveX(ctx)
		fund := c.Funding.Create().SetSource("Grant").SetResourceID(res.ID).SaveX(ctx)
		free := c.Funding.Create().SetSource("Grant").SetOrganizationID(org.ID).SaveX(ctx)
		c.Funding.UpdateOne(fund).SetSource("Grant 2").ExecX(ctx)
		expect("submitted", "RESOURCE CREATE true", "FUNDING CREATE true", "FUNDING CREATE false", "FUNDING UPDATE true")
		c.Resource.UpdateOne(res).SetStatus(resource.StatusPUBLISHED).ExecX(ctx)
		c.Funding.Update().Where(funding.IDIn(fund.ID, free.ID)).SetSource("Grant 3").ExecX(ctx)
		expect("published", "RESOURCE UPDATE false", "FUNDING UPDATE false", "FUNDING UPDATE false")
		c.Resource.UpdateOne(res).SetStatus(resource.StatusSUBMITTED).ExecX(ctx)
		c.Funding.DeleteOne(fund).ExecX(ctx)
		c.Resource.DeleteOne(res).ExecX(ctx)
		expect("unpublished and deleted", "RESOURCE UPDATE false", "FUNDING DELETE true", "RESOURCE DELETE true")
	})
}
