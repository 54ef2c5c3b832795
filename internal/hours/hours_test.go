package hours

import (
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/schedule"
)

func weekly(byday, opens, closes string) *ent.Schedule {
	return &ent.Schedule{Freq: schedule.FreqWEEKLY, Byday: byday, OpensAt: opens, ClosesAt: closes}
}

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func check(t *testing.T, name string, got State, want Status, until string, loc *time.Location) {
	t.Helper()
	if got.Status != want {
		t.Errorf("%s: status %s, want %s", name, got.Status, want)
		return
	}
	switch {
	case until == "" && got.Until != nil:
		t.Errorf("%s: until %v, want none", name, got.Until)
	case until != "" && got.Until == nil:
		t.Errorf("%s: no until, want %s", name, until)
	case until != "" && got.Until.In(loc).Format("2006-01-02 15:04") != until:
		t.Errorf("%s: until %s, want %s", name, got.Until.In(loc).Format("2006-01-02 15:04"), until)
	}
}

func TestEvaluateWeekly(t *testing.T) {
	chi := zone(t, "America/Chicago")
	rows := []*ent.Schedule{weekly("MO,TU,WE,TH,FR", "09:00", "17:00")}
	// 2026-07-15 is a Wednesday.
	check(t, "afternoon", Evaluate(rows, chi, at(t, chi, "2026-07-15 15:00")), Open, "2026-07-15 17:00", chi)
	check(t, "at closing", Evaluate(rows, chi, at(t, chi, "2026-07-15 17:00")), Closed, "2026-07-16 09:00", chi)
	check(t, "night", Evaluate(rows, chi, at(t, chi, "2026-07-15 23:00")), Closed, "2026-07-16 09:00", chi)
	check(t, "saturday", Evaluate(rows, chi, at(t, chi, "2026-07-18 12:00")), Closed, "2026-07-20 09:00", chi)
	// The same instant read in another zone: 15:00 in Chicago is 20:00 UTC.
	check(t, "read in UTC", Evaluate(rows, time.UTC, at(t, chi, "2026-07-15 15:00")), Closed, "2026-07-16 09:00", time.UTC)
	if s := Evaluate(rows, chi, at(t, chi, "2026-07-15 15:00")); s.Zone != "America/Chicago" || *s.OpenNow() != true {
		t.Errorf("state %+v", s)
	}
}

func TestEvaluateOvernight(t *testing.T) {
	ny := zone(t, "America/New_York")
	rows := []*ent.Schedule{weekly("FR", "22:00", "06:00")}
	// 2026-07-17 is a Friday.
	check(t, "friday night", Evaluate(rows, ny, at(t, ny, "2026-07-17 23:00")), Open, "2026-07-18 06:00", ny)
	check(t, "saturday small hours", Evaluate(rows, ny, at(t, ny, "2026-07-18 02:00")), Open, "2026-07-18 06:00", ny)
	check(t, "saturday morning", Evaluate(rows, ny, at(t, ny, "2026-07-18 07:00")), Closed, "2026-07-24 22:00", ny)
	check(t, "friday afternoon", Evaluate(rows, ny, at(t, ny, "2026-07-17 15:00")), Closed, "2026-07-17 22:00", ny)
	// Round the clock, two days running: open until the last span ends.
	all := []*ent.Schedule{weekly("SA,SU", "00:00", "00:00")}
	check(t, "round the clock", Evaluate(all, ny, at(t, ny, "2026-07-18 12:00")), Open, "2026-07-20 00:00", ny)
}

func TestEvaluateDST(t *testing.T) {
	ny := zone(t, "America/New_York")
	rows := []*ent.Schedule{weekly("SU", "10:00", "12:00")}
	// 14:30 UTC is 09:30 EST on 1 March 2026 but 10:30 EDT on 8 March,
	// the day clocks go forward.
	before := time.Date(2026, 3, 1, 14, 30, 0, 0, time.UTC)
	after := time.Date(2026, 3, 8, 14, 30, 0, 0, time.UTC)
	check(t, "before DST", Evaluate(rows, ny, before), Closed, "2026-03-01 10:00", ny)
	check(t, "after DST", Evaluate(rows, ny, after), Open, "2026-03-08 12:00", ny)
	// A span across the skipped hour lasts an hour less: 01:00 EST to
	// 04:00 EDT is 06:00 to 08:00 UTC.
	night := []*ent.Schedule{weekly("SU", "01:00", "04:00")}
	s := Evaluate(night, ny, time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC))
	if s.Status != Open || s.Until == nil || !s.Until.Equal(time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("across the change: %+v", s)
	}
	// Arizona keeps no DST: 10:30 MST is 17:30 UTC all year.
	phx := zone(t, "America/Phoenix")
	for _, d := range []int{1, 8} {
		if s := Evaluate(rows, phx, time.Date(2026, 3, d, 17, 30, 0, 0, time.UTC)); s.Status != Open {
			t.Errorf("Phoenix 1%d March: %s", d, s.Status)
		}
	}
}

func TestEvaluateHolidays(t *testing.T) {
	chi := zone(t, "America/Chicago")
	yes, no := true, false
	rows := []*ent.Schedule{
		weekly("MO,TU,WE,TH,FR", "09:00", "17:00"),
		{ValidFrom: day(2026, 7, 3), ValidTo: day(2026, 7, 3), Closed: &yes, Description: "Independence Day"},
		{ValidFrom: day(2026, 12, 24), OpensAt: "09:00", ClosesAt: "12:00", Closed: &no},
		{ValidFrom: day(2026, 12, 31), Description: "Call ahead"}, // neither hours nor closed
	}
	// 2026-07-03 is a Friday.
	check(t, "holiday closure", Evaluate(rows, chi, at(t, chi, "2026-07-03 12:00")), Closed, "2026-07-06 09:00", chi)
	check(t, "before the holiday", Evaluate(rows, chi, at(t, chi, "2026-07-02 16:00")), Open, "2026-07-02 17:00", chi)
	check(t, "holiday hours open", Evaluate(rows, chi, at(t, chi, "2026-12-24 10:00")), Open, "2026-12-24 12:00", chi)
	check(t, "holiday hours over", Evaluate(rows, chi, at(t, chi, "2026-12-24 13:00")), Closed, "2026-12-25 09:00", chi) // no Christmas row: a Friday like any
	check(t, "a day said vaguely", Evaluate(rows, chi, at(t, chi, "2026-12-31 10:00")), Unknown, "", chi)
	// Closed until a day not known: the next opening is not claimed.
	check(t, "next opening unknown", Evaluate(rows, chi, at(t, chi, "2026-12-30 18:00")), Closed, "", chi)
}

func TestEvaluateUnknown(t *testing.T) {
	chi := zone(t, "America/Chicago")
	now := at(t, chi, "2026-07-15 12:00")
	for name, c := range map[string]struct {
		rows []*ent.Schedule
		loc  *time.Location
	}{
		"no schedule":            {nil, chi},
		"no zone":                {[]*ent.Schedule{weekly("WE", "09:00", "17:00")}, nil},
		"description only":       {[]*ent.Schedule{{Description: "By appointment"}}, chi},
		"hours without days":     {[]*ent.Schedule{{OpensAt: "09:00", ClosesAt: "17:00"}}, chi},
		"expired":                {[]*ent.Schedule{{Freq: schedule.FreqWEEKLY, Byday: "WE", OpensAt: "09:00", ClosesAt: "17:00", ValidTo: day(2025, 1, 1)}}, chi},
		"not yet":                {[]*ent.Schedule{{Freq: schedule.FreqWEEKLY, Byday: "WE", OpensAt: "09:00", ClosesAt: "17:00", ValidFrom: day(2027, 1, 1)}}, chi},
		"bad day code":           {[]*ent.Schedule{weekly("XX", "09:00", "17:00")}, chi},
		"opening time missing":   {[]*ent.Schedule{weekly("WE", "", "17:00")}, chi},
		"interval without start": {[]*ent.Schedule{{Freq: schedule.FreqWEEKLY, Interval: new(2), Byday: "WE", OpensAt: "09:00", ClosesAt: "17:00"}}, chi},
	} {
		if s := Evaluate(c.rows, c.loc, now); s.Status != Unknown || s.OpenNow() != nil {
			t.Errorf("%s: %+v, want UNKNOWN", name, s)
		}
	}
	if LoadZone("Mars/Olympus") != nil || LoadZone("") != nil || LoadZone("Local") != nil {
		t.Error("LoadZone accepted a bad zone")
	}
}

func TestEvaluateMonthlyAndInterval(t *testing.T) {
	chi := zone(t, "America/Chicago")
	first := []*ent.Schedule{{Freq: schedule.FreqMONTHLY, Byday: "1MO", OpensAt: "18:00", ClosesAt: "20:00"}}
	// July 2026: Mondays 6, 13, 20, 27.
	check(t, "first monday", Evaluate(first, chi, at(t, chi, "2026-07-06 19:00")), Open, "2026-07-06 20:00", chi)
	check(t, "second monday", Evaluate(first, chi, at(t, chi, "2026-07-13 19:00")), Closed, "", chi) // next is beyond a week
	last := []*ent.Schedule{{Freq: schedule.FreqMONTHLY, Byday: "-1MO", OpensAt: "18:00", ClosesAt: "20:00"}}
	check(t, "last monday", Evaluate(last, chi, at(t, chi, "2026-07-27 19:00")), Open, "2026-07-27 20:00", chi)
	md := []*ent.Schedule{{Freq: schedule.FreqMONTHLY, Bymonthday: "15", OpensAt: "09:00", ClosesAt: "12:00"}}
	check(t, "15th", Evaluate(md, chi, at(t, chi, "2026-07-15 10:00")), Open, "2026-07-15 12:00", chi)
	// Every other Wednesday from 1 July 2026.
	fortnight := []*ent.Schedule{{Freq: schedule.FreqWEEKLY, Interval: new(2), Byday: "WE", ValidFrom: day(2026, 7, 1), OpensAt: "09:00", ClosesAt: "17:00"}}
	check(t, "on week", Evaluate(fortnight, chi, at(t, chi, "2026-07-15 10:00")), Open, "2026-07-15 17:00", chi)
	check(t, "off week", Evaluate(fortnight, chi, at(t, chi, "2026-07-08 10:00")), Closed, "2026-07-15 09:00", chi)
}

func TestCombine(t *testing.T) {
	u1 := time.Date(2026, 7, 15, 17, 0, 0, 0, time.UTC)
	u2 := u1.Add(time.Hour)
	for name, c := range map[string]struct {
		in   []State
		want Status
	}{
		"none":            {nil, Unknown},
		"open wins":       {[]State{{Status: Closed}, {Status: Unknown}, {Status: Open}}, Open},
		"unknown not no":  {[]State{{Status: Closed}, {Status: Unknown}}, Unknown},
		"all said closed": {[]State{{Status: Closed}, {Status: Closed}}, Closed},
	} {
		if got := Combine(c.in); got.Status != c.want {
			t.Errorf("%s: %s, want %s", name, got.Status, c.want)
		}
	}
	if got := Combine([]State{{Status: Open, Until: &u1}, {Status: Open, Until: &u2}}); !got.Until.Equal(u2) {
		t.Errorf("open until %v, want the later close", got.Until)
	}
	if got := Combine([]State{{Status: Closed, Until: &u2}, {Status: Closed, Until: &u1}}); !got.Until.Equal(u1) {
		t.Errorf("closed until %v, want the earlier opening", got.Until)
	}
}
