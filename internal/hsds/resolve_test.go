package hsds_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestResolverFollowsWrites resolves HSDS ids across creates, external id
// changes and deletes, with the resolver's tables built before the writes,
// and checks that a second resolver (another process) agrees.
func TestResolverFollowsWrites(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		r := hsds.NewResolver(c)
		org := c.Organization.Create().SetName("Resolver org").SaveX(ctx)
		first := c.Service.Create().SetName("First").SetOrganizationID(org.ID).SaveX(ctx)

		expect := func(r *hsds.Resolver, kind, hsdsID string, want int) {
			t.Helper()
			got, ok, err := r.Resolve(ctx, kind, hsdsID)
			if err != nil {
				t.Fatal(err)
			}
			if want == 0 && ok {
				t.Errorf("%s %s resolved to %d, want none", kind, hsdsID, got)
			}
			if want != 0 && (!ok || got != want) {
				t.Errorf("%s %s resolved to %d (found %v), want %d", kind, hsdsID, got, ok, want)
			}
		}
		derived := func(id int) string { return hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, id) }

		// The tables are built here, before the writes below.
		expect(r, hsds.KindService, derived(first.ID), first.ID)
		expect(r, hsds.KindOrganization, hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindOrganization, org.ID), org.ID)
		expect(r, hsds.KindService, uuid.NewString(), 0)
		expect(r, hsds.KindService, hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindOrganization, org.ID), 0) // another kind's id

		// A record created after the table was built.
		second := c.Service.Create().SetName("Second").SetOrganizationID(org.ID).SaveX(ctx)
		expect(r, hsds.KindService, derived(second.ID), second.ID)

		// An imported id, stored in upper case, is the record's HSDS id in
		// canonical form; its derived id no longer resolves.
		imported := uuid.New()
		c.Service.UpdateOne(second).SetExternalSource("hsds").SetExternalID(strings.ToUpper(imported.String())).ExecX(ctx)
		expect(r, hsds.KindService, imported.String(), second.ID)
		expect(r, hsds.KindService, strings.ToUpper(imported.String()), second.ID)
		expect(r, hsds.KindService, derived(second.ID), 0)
		if got, ok, err := r.HSDSID(ctx, hsds.KindService, second.ID); err != nil || !ok || got != imported.String() {
			t.Errorf("HSDSID of the imported service: %q %v %v", got, ok, err)
		}

		// The external id changes: the old one no longer resolves.
		moved := uuid.New()
		c.Service.UpdateOne(second).SetExternalID(moved.String()).ExecX(ctx)
		expect(r, hsds.KindService, moved.String(), second.ID)
		expect(r, hsds.KindService, imported.String(), 0)

		// A non-UUID external id gives the id of that identity.
		c.Service.UpdateOne(second).SetExternalID("row-17").ExecX(ctx)
		expect(r, hsds.KindService, hsds.ExternalRecordID(hsds.KindService, "hsds", "row-17"), second.ID)
		expect(r, hsds.KindService, derived(second.ID), 0)
		expect(r, hsds.KindService, moved.String(), 0)

		// The same UUID from two sources: the lower ID answers, and the
		// other once the lower is gone.
		shared := uuid.New()
		c.Service.UpdateOne(first).SetExternalSource("a").SetExternalID(shared.String()).ExecX(ctx)
		c.Service.UpdateOne(second).SetExternalSource("b").SetExternalID(shared.String()).ExecX(ctx)
		expect(r, hsds.KindService, shared.String(), first.ID)

		// Deletes.
		c.Service.DeleteOne(first).ExecX(ctx)
		expect(r, hsds.KindService, shared.String(), second.ID)
		expect(r, hsds.KindService, derived(first.ID), 0)
		c.Service.DeleteOne(second).ExecX(ctx)
		expect(r, hsds.KindService, shared.String(), 0)
		if _, ok, err := r.HSDSID(ctx, hsds.KindService, second.ID); err != nil || ok {
			t.Errorf("HSDSID of a deleted service: %v %v", ok, err)
		}

		// Another resolver over the same database agrees, and one that
		// was built earlier sees writes made through another client path
		// (a transaction, as GraphQL mutations and imports write).
		other := hsds.NewResolver(c)
		expect(other, hsds.KindService, derived(second.ID), 0)
		tx, err := c.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		third := tx.Service.Create().SetName("Third").SetOrganizationID(org.ID).SaveX(ctx)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		expect(r, hsds.KindService, derived(third.ID), third.ID)
		expect(other, hsds.KindService, derived(third.ID), third.ID)

		// Mapper lookups answer references from the tables.
		m, lookupErr, err := r.Mapper(ctx)
		if err != nil {
			t.Fatal(err)
		}
		svc := c.Service.Query().WithOrganization().OnlyX(ctx)
		c.Organization.UpdateOne(org).SetExternalSource("hsds").SetExternalID(moved.String()).ExecX(ctx)
		svc.Edges.Organization = nil // the reference is resolved, not mapped
		if got := m.Service(svc).OrganizationID; got != moved.String() {
			t.Errorf("mapped organization_id %s, want the imported %s", got, moved)
		}
		if err := lookupErr(); err != nil {
			t.Error(err)
		}
	})
}
