package server_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// nextWeekday is the next day (after today) that is wd, at hh:mm in loc.
func nextWeekday(loc *time.Location, wd time.Weekday, hh, mm int) time.Time {
	d := time.Now().In(loc).AddDate(0, 0, 1)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, loc)
}

type hoursEdge struct {
	OpenNow   *bool
	OpenState struct {
		Status   string
		Until    *time.Time
		TimeZone *string
	}
	Node struct{ Name string }
}

func weekdays(d *mDir, sv *ent.Service, opens, closes, tz string) {
	q := d.c.Schedule.Create().SetService(sv).SetFreq(schedule.FreqWEEKLY).SetByday("MO,TU,WE,TH,FR").
		SetOpensAt(opens).SetClosesAt(closes)
	if tz != "" {
		q.SetTimezone(tz)
	}
	q.SaveX(d.ctx)
}

// TestMatchOpenAt: match's openAt leaves out only the services known to be
// closed then; a service whose hours are not listed stays, openNow null.
// Hours are read in the schedule's zone, else the location's (Boston's:
// the locations of mDir are in Dorchester).
func TestMatchOpenAt(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	afternoon := nextWeekday(ny, time.Wednesday, 15, 0)
	night := afternoon.Add(8 * time.Hour) // 23:00
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newMDir(t, db)
		office := d.add("Office hours", mService{zip: "02121"})
		weekdays(d, office, "09:00", "17:00", "America/New_York")
		evening := d.add("Evening group", mService{zip: "02121", north: []float64{0.01}}) // zone from its location
		weekdays(d, evening, "18:00", "20:00", "")
		d.add("No hours listed", mService{zip: "02121"})
		holiday := d.add("Closed for the holiday", mService{zip: "02121"})
		weekdays(d, holiday, "09:00", "17:00", "America/New_York")
		day := time.Date(afternoon.Year(), afternoon.Month(), afternoon.Day(), 0, 0, 0, 0, time.UTC)
		d.c.Schedule.Create().SetService(holiday).SetValidFrom(day).SetValidTo(day).SetClosed(true).SaveX(d.ctx)

		a := newAPI(t, db, server.Config{})
		const q = `query($f: FamilyInput!, $at: Time) {
		  match(family: $f, openAt: $at) { totalCount edges { openNow openState { status until timeZone } node { name } } }
		}`
		run := func(at *time.Time) (int, map[string]hoursEdge) {
			t.Helper()
			vars := map[string]any{"f": map[string]any{"zip": "02121"}}
			if at != nil {
				vars["at"] = at.Format(time.RFC3339)
			}
			var data struct {
				Match struct {
					TotalCount int
					Edges      []hoursEdge
				}
			}
			a.ok(q, vars, &data)
			out := map[string]hoursEdge{}
			for _, e := range data.Match.Edges {
				out[e.Node.Name] = e
			}
			return data.Match.TotalCount, out
		}

		total, got := run(&afternoon)
		names := func(m map[string]hoursEdge) []string {
			var out []string
			for n := range m {
				out = append(out, n)
			}
			slices.Sort(out)
			return out
		}
		if total != 2 || !slices.Equal(names(got), []string{"No hours listed", "Office hours"}) {
			t.Fatalf("afternoon: %d %v, want the office and the unlisted", total, names(got))
		}
		if e := got["Office hours"]; e.OpenNow == nil || !*e.OpenNow || e.OpenState.Status != "OPEN" ||
			e.OpenState.Until == nil || !e.OpenState.Until.Equal(afternoon.Add(2*time.Hour)) ||
			e.OpenState.TimeZone == nil || *e.OpenState.TimeZone != "America/New_York" {
			t.Errorf("office at 15:00: %+v", e)
		}
		if e := got["No hours listed"]; e.OpenNow != nil || e.OpenState.Status != "UNKNOWN" || e.OpenState.Until != nil {
			t.Errorf("unlisted: %+v", e)
		}

		earlyEvening := afternoon.Add(3*time.Hour + 30*time.Minute) // 18:30
		_, got = run(&earlyEvening)
		if e, ok := got["Evening group"]; !ok || e.OpenNow == nil || !*e.OpenNow || *e.OpenState.TimeZone != "America/New_York" {
			t.Errorf("evening group at 18:30 read in its location's zone: %+v (present %v)", e, ok)
		}
		total, got = run(&night)
		if total != 1 || !slices.Equal(names(got), []string{"No hours listed"}) {
			t.Errorf("night: %d %v, want only the unlisted", total, names(got))
		}

		// Without openAt nothing is left out, and the states are now's.
		total, got = run(nil)
		if total != 4 {
			t.Errorf("without openAt: %d results, want 4", total)
		}
		if e := got["No hours listed"]; e.OpenNow != nil || e.OpenState.Status != "UNKNOWN" {
			t.Errorf("unlisted now: %+v", e)
		}
		if e := got["Office hours"]; e.OpenState.Status == "UNKNOWN" {
			t.Errorf("office now: %+v", e)
		}
	})
}

// TestMatchOpenAtBadInput: openAt that is no time, or is far from now, is
// BAD_USER_INPUT at openAt.
func TestMatchOpenAtBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newMDir(t, db)
		d.add("Anything", mService{zip: "02121"})
		a := newAPI(t, db, server.Config{})
		for _, at := range []any{"tomorrow at nine", "2026-13-01T09:00:00Z", 1234, time.Now().AddDate(5, 0, 0).Format(time.RFC3339)} {
			res := a.query(`query($at: Time) { match(family: {zip: "02121"}, openAt: $at) { totalCount } }`, map[string]any{"at": at})
			if len(res.Errors) == 0 || res.Status >= 500 {
				t.Errorf("openAt %v: status %d, errors %v", at, res.Status, res.Errors)
				continue
			}
			e := res.Errors[0]
			if e.Extensions["code"] != "BAD_USER_INPUT" || fmt.Sprint(e.Extensions["field"]) != "openAt" {
				t.Errorf("openAt %v: %q %v, want BAD_USER_INPUT at openAt", at, e.Message, e.Extensions)
			}
		}
	})
}

// TestMatchOpenStateStatements: edges' open states cost a fixed number of
// statements, however many results and schedules, with and without openAt.
func TestMatchOpenStateStatements(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			d := newMDir(t, db)
			a := newAPI(t, db, server.Config{})
			const q = `query($at: Time) {
			  match(family: {zip: "02121"}, first: 20, openAt: $at) { totalCount edges { openNow openState { status } node { name } } }
			}`
			at := time.Now().Add(time.Hour).Format(time.RFC3339)
			n := 0
			counts := map[string]int{}
			for _, size := range []int{5, 60} {
				for ; n < size; n++ {
					sv := d.add(fmt.Sprintf("Service %03d", n), mService{zip: "02121", north: []float64{0.01}})
					weekdays(d, sv, "00:00", "00:00", "")
					d.c.Schedule.Create().SetService(sv).SetFreq(schedule.FreqWEEKLY).SetByday("SA,SU").
						SetOpensAt("00:00").SetClosesAt("00:00").SaveX(d.ctx)
				}
				var warm struct{ Match struct{ TotalCount int } }
				a.ok(q, map[string]any{}, &warm) // the match index catches up with the writes
				for _, vars := range []map[string]any{{"at": at}, {}} {
					counter.Reset()
					var data struct{ Match struct{ TotalCount int } }
					a.ok(q, vars, &data)
					if data.Match.TotalCount != size {
						t.Fatalf("%d services open round the clock: totalCount %d", size, data.Match.TotalCount)
					}
					counts[fmt.Sprintf("%d %v", size, len(vars))] = counter.Count()
				}
			}
			t.Logf("statements: %v", counts)
			if counts["5 1"] != counts["60 1"] || counts["5 0"] != counts["60 0"] || counts["60 1"] > 6 {
				t.Errorf("statements grow with the results: %v", counts)
			}
		})
	}
}

// TestServiceOpenNow: Service.openNow is true, false or null (hours not
// listed), and a page of services costs a fixed number of statements.
func TestServiceOpenNow(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			d := newMDir(t, db)
			always := func(sv *ent.Service) {
				d.c.Schedule.Create().SetService(sv).SetFreq(schedule.FreqWEEKLY).SetByday("MO,TU,WE,TH,FR,SA,SU").
					SetOpensAt("00:00").SetClosesAt("00:00").SetTimezone("America/Chicago").SaveX(d.ctx)
			}
			always(d.add("A always open", mService{}))
			d.add("B hours not listed", mService{})
			shut := d.add("C temporarily closed", mService{status: "TEMPORARILY_CLOSED"})
			always(shut)
			a := newAPI(t, db, server.Config{})
			const q = `query($n: Int!) { services(first: $n, orderBy: {field: NAME}) { edges { node { name openNow } } } }`
			var data struct {
				Services struct {
					Edges []struct {
						Node struct {
							Name    string
							OpenNow *bool
						}
					}
				}
			}
			a.ok(q, map[string]any{"n": 3}, &data)
			got := map[string]string{}
			for _, e := range data.Services.Edges {
				got[e.Node.Name] = fmt.Sprint(e.Node.OpenNow != nil && *e.Node.OpenNow, e.Node.OpenNow == nil)
			}
			want := map[string]string{"A always open": "true false", "B hours not listed": "false true", "C temporarily closed": "false false"}
			for name, w := range want {
				if got[name] != w {
					t.Errorf("%s: openNow (true, null) = %s, want %s", name, got[name], w)
				}
			}
			counts := map[int]int{}
			for i := range 30 {
				always(d.add(fmt.Sprintf("D %02d", i), mService{north: []float64{0.01}}))
			}
			for _, n := range []int{10, 30} {
				counter.Reset()
				a.ok(q, map[string]any{"n": n}, &data)
				counts[n] = counter.Count()
			}
			if counts[10] != counts[30] || counts[30] > 6 {
				t.Errorf("statements by page size: %v", counts)
			}
		})
	}
}

// TestScheduleClosedWrites: createSchedule and updateSchedule take closed,
// and null (not said) stays apart from false.
func TestScheduleClosedWrites(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		svc, _ := m.create(m.admin, "Service", map[string]any{"name": "S", "organizationID": relay.Encode(m.org())})
		id, res := m.create(m.admin, "Schedule", map[string]any{"serviceID": svc, "validFrom": "2026-12-25T00:00:00Z", "closed": true})
		if len(res.Errors) > 0 {
			t.Fatalf("createSchedule: %v", res.Errors)
		}
		var out struct {
			UpdateSchedule struct{ Closed *bool }
		}
		m.ok(m.admin, `mutation($id: ID!) { updateSchedule(id: $id, input: {closed: false}) { closed } }`, map[string]any{"id": id}, &out)
		if out.UpdateSchedule.Closed == nil || *out.UpdateSchedule.Closed {
			t.Errorf("closed after update to false: %v", out.UpdateSchedule.Closed)
		}
		m.ok(m.admin, `mutation($id: ID!) { updateSchedule(id: $id, input: {clearClosed: true}) { closed } }`, map[string]any{"id": id}, &out)
		if out.UpdateSchedule.Closed != nil {
			t.Errorf("closed after clearing: %v, want null", *out.UpdateSchedule.Closed)
		}
	})
}
