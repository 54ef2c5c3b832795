package hsds

import (
	"context"
	"testing"
	"time"

	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestScheduleClosedRoundTrip: Schedule.closed travels as the schedule's
// closed attribute (HSDS 3.0 schedules have no column for it), true and
// false kept apart from not said, on both backends.
func TestScheduleClosedRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, src *store.DB) {
		ctx := context.Background()
		c := src.Client
		org := c.Organization.Create().SetName("Org").SaveX(ctx)
		svc := c.Service.Create().SetName("Clinic").SetOrganization(org).SaveX(ctx)
		day := time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC)
		c.Schedule.Create().SetService(svc).SetFreq(schedule.FreqWEEKLY).SetByday("MO").SetOpensAt("09:00").SetClosesAt("17:00").SaveX(ctx)
		c.Schedule.Create().SetService(svc).SetValidFrom(day).SetValidTo(day).SetClosed(true).SetDescription("Christmas").SaveX(ctx)
		c.Schedule.Create().SetService(svc).SetValidFrom(day.AddDate(0, 0, 6)).SetClosed(false).SetOpensAt("09:00").SetClosesAt("12:00").SaveX(ctx)
		dir := t.TempDir()
		if _, err := Export(ctx, c, "csv", dir); err != nil {
			t.Fatal(err)
		}
		dst := testdb.Open(t, src.Dialect, store.Options{})
		importMust(t, dst, dir, ImportOptions{})
		got := map[string]string{}
		for _, s := range dst.Client.Schedule.Query().AllX(ctx) {
			key := "weekly"
			if s.ValidFrom != nil {
				key = s.ValidFrom.UTC().Format("01-02")
			}
			got[key] = "unsaid"
			if s.Closed != nil {
				got[key] = map[bool]string{true: "closed", false: "open"}[*s.Closed]
			}
		}
		if len(got) != 3 || got["weekly"] != "unsaid" || got["12-25"] != "closed" || got["12-31"] != "open" {
			t.Errorf("closed after a round trip: %v", got)
		}
	})
}
