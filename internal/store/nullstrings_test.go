package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestEmptyStringsStoredAsNull: "" written to an optional string field, on
// create and on update, is stored as NULL; a required one is still
// refused; and Migrate converts the "" rows stored before, logging no
// change event.
func TestEmptyStringsStoredAsNull(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Org").SetDescription("").SaveX(ctx)
		svc := c.Service.Create().SetName("Svc").SetOrganizationID(org.ID).SetURL("").SetEmail("").SaveX(ctx)
		nulls := func(table, column string, id int) bool {
			var n int
			if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`" WHERE id = `+itoa(id)+` AND "`+column+`" IS NULL`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 1
		}
		for _, col := range []struct {
			table, column string
			id            int
		}{{"organizations", "description", org.ID}, {"services", "url", svc.ID}, {"services", "email", svc.ID}} {
			if !nulls(col.table, col.column, col.id) {
				t.Errorf("created with \"\": %s.%s is not NULL", col.table, col.column)
			}
		}
		c.Service.UpdateOneID(svc.ID).SetDescription("Visits").ExecX(ctx)
		c.Service.UpdateOneID(svc.ID).SetDescription("").ExecX(ctx)
		if !nulls("services", "description", svc.ID) {
			t.Error("updated to \"\": services.description is not NULL")
		}
		if _, err := c.Service.Create().SetName("").SetOrganizationID(org.ID).Save(ctx); err == nil {
			t.Error("a service named \"\" was saved")
		}

		// Rows written before the hook: "" put there by SQL.
		if _, err := db.SQL.ExecContext(ctx, `UPDATE services SET url = '', wait_time = '' WHERE id = `+itoa(svc.ID)); err != nil {
			t.Fatal(err)
		}
		events := c.ChangeEvent.Query().Where(changeevent.EntityID(svc.ID)).CountX(ctx)
		if err := store.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if !nulls("services", "url", svc.ID) || !nulls("services", "wait_time", svc.ID) {
			t.Error("migrate left \"\" in services.url or wait_time")
		}
		if n := c.ChangeEvent.Query().Where(changeevent.EntityID(svc.ID)).CountX(ctx); n != events {
			t.Errorf("migrate logged %d change events, want none", n-events)
		}
		if got := c.Service.Query().Where(service.ID(svc.ID)).OnlyX(ctx); got.URL != "" || got.Name != "Svc" {
			t.Errorf("after migrate the service reads %+v", got)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
