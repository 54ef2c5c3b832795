package calls_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/callrecord"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/calls"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestSweepDeletesPastRetention: a record of a day before the cutoff is
// deleted, one of the cutoff day itself and later are kept; the feed logs a
// tombstone for each deleted record, by "call retention", restricted; a
// second sweep deletes nothing more.
func TestSweepDeletesPastRetention(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 15, 17, 30, 0, 0, time.UTC)
		cutoff := calls.Cutoff(now, 24)
		if want := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC); !cutoff.Equal(want) {
			t.Fatalf("Cutoff = %v, want %v", cutoff, want)
		}
		days := map[string]time.Time{
			"three years old": now.AddDate(-3, 0, 0),
			"the day before":  cutoff.AddDate(0, 0, -1).Add(23 * time.Hour),
			"the cutoff day":  cutoff.Add(time.Hour),
			"a year old":      now.AddDate(-1, 0, 0),
			"today":           now,
		}
		ids := map[string]int{}
		for name, day := range days {
			r := db.Client.CallRecord.Create().SetCreatedAt(day).SetEligibleFound(false).SetNeeds([]string{"home-visiting"}).SaveX(ctx)
			if h, m, s := r.CreatedAt.UTC().Clock(); h != 0 || m != 0 || s != 0 {
				t.Errorf("%s stored at %v: the day only is kept", name, r.CreatedAt)
			}
			ids[name] = r.ID
		}
		n, err := calls.Sweep(ctx, db.Client, now, 24)
		if err != nil || n != 2 {
			t.Fatalf("Sweep = %d, %v; want 2 deleted", n, err)
		}
		kept := db.Client.CallRecord.Query().Order(ent.Asc(callrecord.FieldID)).IDsX(ctx)
		want := []int{ids["the cutoff day"], ids["a year old"], ids["today"]}
		slices.Sort(want)
		if !slices.Equal(kept, want) {
			t.Errorf("kept %v, want %v", kept, want)
		}
		tombstones := db.Client.ChangeEvent.Query().Where(changeevent.OperationEQ(changeevent.OperationDELETE)).AllX(ctx)
		var gone []int
		for _, e := range tombstones {
			if e.EntityType != "CALL_RECORD" || e.Actor != "call retention" || !e.Restricted {
				t.Errorf("tombstone %+v: want a restricted CALL_RECORD event by call retention", e)
			}
			gone = append(gone, e.EntityID)
		}
		slices.Sort(gone)
		if wantGone := []int{min(ids["three years old"], ids["the day before"]), max(ids["three years old"], ids["the day before"])}; !slices.Equal(gone, wantGone) {
			t.Errorf("tombstones for %v, want %v", gone, wantGone)
		}
		if n, err := calls.Sweep(ctx, db.Client, now, 24); err != nil || n != 0 {
			t.Errorf("second Sweep = %d, %v; want nothing", n, err)
		}
		if _, err := calls.Sweep(ctx, db.Client, now, 0); err == nil {
			t.Error("a retention of 0 months swept")
		}
	})
}

// TestSweepInBatches deletes more records than one batch holds.
func TestSweepInBatches(t *testing.T) {
	defer calls.SetSweepBatch(10)()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		old := time.Now().AddDate(-5, 0, 0)
		builders := make([]*ent.CallRecordCreate, 25)
		for i := range builders {
			builders[i] = db.Client.CallRecord.Create().SetCreatedAt(old).SetEligibleFound(true)
		}
		db.Client.CallRecord.CreateBulk(builders...).ExecX(ctx)
		db.Client.CallRecord.Create().SetEligibleFound(true).ExecX(ctx)
		n, err := calls.Sweep(ctx, db.Client, time.Now(), calls.DefaultRetentionMonths)
		if err != nil || n != 25 {
			t.Fatalf("Sweep = %d, %v; want 25", n, err)
		}
		if left := db.Client.CallRecord.Query().CountX(ctx); left != 1 {
			t.Errorf("%d records left, want today's 1", left)
		}
	})
}

// TestOnlyStaffAndAdminsWriteCallRecords holds the write guard's rule
// below GraphQL: whatever path writes a call record.
func TestOnlyStaffAndAdminsWriteCallRecords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		bg := context.Background()
		as := func(r auth.Role) context.Context {
			return auth.WithViewer(bg, auth.Viewer{Role: r, Name: string(r), Organizations: []int{1}})
		}
		for _, r := range []auth.Role{auth.Anonymous, auth.Reader, auth.Editor} {
			if err := db.Client.CallRecord.Create().SetEligibleFound(true).Exec(as(r)); err == nil {
				t.Errorf("%s created a call record", r)
			}
		}
		rec := db.Client.CallRecord.Create().SetEligibleFound(true).SaveX(as(auth.Staff))
		db.Client.CallRecord.Create().SetEligibleFound(true).ExecX(as(auth.Admin))
		if err := db.Client.CallRecord.DeleteOneID(rec.ID).Exec(as(auth.Staff)); err == nil {
			t.Error("staff deleted a call record")
		}
		if n := db.Client.CallRecord.Query().CountX(as(auth.Staff)); n != 0 {
			t.Errorf("staff reads %d call records, want none", n)
		}
		if n := db.Client.CallRecord.Query().CountX(as(auth.Admin)); n != 2 {
			t.Errorf("an admin reads %d call records, want 2", n)
		}
		db.Client.CallRecord.DeleteOneID(rec.ID).ExecX(as(auth.Admin))
	})
}

// TestAgeBand: the bands' edges.
func TestAgeBand(t *testing.T) {
	m := func(v int) *int { return &v }
	for _, c := range []struct {
		age      *int
		pregnant bool
		want     callrecord.AgeBand
	}{
		{nil, false, ""}, {nil, true, callrecord.AgeBandPRENATAL},
		{m(0), false, callrecord.AgeBandMONTHS_0_11}, {m(11), true, callrecord.AgeBandMONTHS_0_11},
		{m(12), false, callrecord.AgeBandMONTHS_12_35}, {m(35), false, callrecord.AgeBandMONTHS_12_35},
		{m(36), false, callrecord.AgeBandMONTHS_36_59}, {m(59), false, callrecord.AgeBandMONTHS_36_59},
		{m(60), false, callrecord.AgeBandMONTHS_60_PLUS}, {m(200), false, callrecord.AgeBandMONTHS_60_PLUS},
	} {
		if got := calls.AgeBand(c.age, c.pregnant); got != c.want {
			t.Errorf("AgeBand(%v, %v) = %q, want %q", c.age, c.pregnant, got, c.want)
		}
	}
}
