package hours_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/hours"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// fixture builds services whose hours (every day 09:00–17:00) are read in
// different zones, and returns their ids by name.
func fixture(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	ctx := context.Background()
	c := db.Client
	org := c.Organization.Create().SetName("Org").SaveX(ctx)
	place := func(name string, lat, lon *float64, zip string) *ent.Location {
		q := c.Location.Create().SetName(name).SetOrganization(org).SetPostalCode(zip)
		if lat != nil {
			q.SetLatitude(*lat).SetLongitude(*lon)
		}
		return q.SaveX(ctx)
	}
	chicago := place("Chicago", new(41.8781), new(-87.6298), "60601")
	phoenix := place("Phoenix", new(33.4484), new(-112.074), "")
	honolulu := place("Honolulu office", nil, nil, "96813") // no coordinates: its ZIP's county
	nowhere := place("Unplaced", nil, nil, "")
	svc := func(name string, at ...*ent.Location) *ent.Service {
		s := c.Service.Create().SetName(name).SetOrganization(org).SaveX(ctx)
		for _, l := range at {
			c.ServiceAtLocation.Create().SetService(s).SetLocation(l).SaveX(ctx)
		}
		return s
	}
	daily := func() *ent.ScheduleCreate {
		return c.Schedule.Create().SetFreq(schedule.FreqWEEKLY).SetByday("MO,TU,WE,TH,FR,SA,SU").
			SetOpensAt("09:00").SetClosesAt("17:00")
	}
	ids := map[string]int{}

	// Its own zone (Los Angeles) wins over its location's (Chicago).
	own := svc("own zone", chicago)
	daily().SetService(own).SetTimezone("America/Los_Angeles").SaveX(ctx)
	ids["own"] = own.ID
	// Hours at a service-at-location in Phoenix: the location's zone.
	atPhx := svc("location zone", phoenix)
	sal := atPhx.QueryServiceAtLocations().OnlyX(ctx)
	daily().SetServiceAtLocation(sal).SaveX(ctx)
	ids["location"] = atPhx.ID
	// The service's own hours, its one location placed by ZIP only.
	county := svc("county zone", honolulu)
	daily().SetService(county).SaveX(ctx)
	ids["county"] = county.ID
	// Hours but nothing to place them by.
	unplaced := svc("no zone", nowhere)
	daily().SetService(unplaced).SaveX(ctx)
	ids["unplaced"] = unplaced.ID
	// No schedule.
	ids["none"] = svc("no hours", chicago).ID
	// A stored zone that does not load: read in its location's (Chicago).
	bad := svc("bad zone", chicago)
	row := daily().SetService(bad).SaveX(ctx)
	if _, err := db.SQL.ExecContext(ctx, fmt.Sprintf("UPDATE schedules SET timezone = 'Mars/Olympus' WHERE id = %d", row.ID)); err != nil {
		t.Fatal(err)
	}
	ids["bad"] = bad.ID
	// Temporarily closed, whatever its hours.
	shut := c.Service.Create().SetName("shut").SetOrganization(org).SetStatus(service.StatusTEMPORARILY_CLOSED).SaveX(ctx)
	daily().SetService(shut).SetTimezone("America/Chicago").SaveX(ctx)
	ids["shut"] = shut.ID
	// Closed on a holiday: weekday hours in Chicago, closed 15 July 2026.
	holiday := svc("holiday", chicago)
	daily().SetService(holiday).SaveX(ctx)
	c.Schedule.Create().SetService(holiday).SetValidFrom(time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)).
		SetValidTo(time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)).SetClosed(true).SaveX(ctx)
	ids["holiday"] = holiday.ID
	// Overnight, Wednesday 20:00 to Thursday 07:00 in New York.
	overnight := svc("overnight")
	c.Schedule.Create().SetService(overnight).SetFreq(schedule.FreqWEEKLY).SetByday("WE").SetOpensAt("20:00").
		SetClosesAt("07:00").SetTimezone("America/New_York").SaveX(ctx)
	ids["overnight"] = overnight.ID
	// Sundays 10:00 to 12:00 in New York, across the change to DST.
	sunday := svc("sunday")
	c.Schedule.Create().SetService(sunday).SetFreq(schedule.FreqWEEKLY).SetByday("SU").SetOpensAt("10:00").
		SetClosesAt("12:00").SetTimezone("America/New_York").SaveX(ctx)
	ids["sunday"] = sunday.ID
	return ids
}

func TestForServices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ids := fixture(t, db)
		all := make([]int, 0, len(ids))
		for _, id := range ids {
			all = append(all, id)
		}
		all = append(all, 987654) // no such service
		// 23:30 UTC on Wednesday 15 July 2026 is 16:30 in Los Angeles and
		// Phoenix, 13:30 in Honolulu, 18:30 in Chicago.
		afternoon := time.Date(2026, 7, 15, 23, 30, 0, 0, time.UTC)
		// 10:00 UTC on 16 July is 03:00 in Los Angeles and Phoenix, midnight
		// in Honolulu, 05:00 in Chicago.
		night := time.Date(2026, 7, 16, 10, 0, 0, 0, time.UTC)
		// 16:00 UTC on 16 July is 11:00 in Chicago, 09:00 in Los Angeles
		// and Phoenix, 06:00 in Honolulu.
		morning := time.Date(2026, 7, 16, 16, 0, 0, 0, time.UTC)
		want := map[string][3]hours.Status{
			"own":      {hours.Open, hours.Closed, hours.Open},
			"location": {hours.Open, hours.Closed, hours.Open},
			"county":   {hours.Open, hours.Closed, hours.Closed},
			"unplaced": {hours.Unknown, hours.Unknown, hours.Unknown},
			"none":     {hours.Unknown, hours.Unknown, hours.Unknown},
			"bad":      {hours.Closed, hours.Closed, hours.Open},
			"shut":     {hours.Closed, hours.Closed, hours.Closed},
			"holiday":  {hours.Closed, hours.Closed, hours.Open},
			// 19:30, 06:00 and 12:00 in New York.
			"overnight": {hours.Closed, hours.Open, hours.Closed},
			"sunday":    {hours.Closed, hours.Closed, hours.Closed},
		}
		zones := map[string]string{"own": "America/Los_Angeles", "location": "America/Phoenix",
			"county": "Pacific/Honolulu", "bad": "America/Chicago"}
		for i, instant := range []time.Time{afternoon, night, morning} {
			got, err := hours.ForServices(context.Background(), db.Client, all, instant)
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range want {
				if s := got[ids[name]]; s.Status != w[i] {
					t.Errorf("%s at %s: %s, want %s", name, instant.Format(time.RFC3339), s.Status, w[i])
				} else if z := zones[name]; z != "" && s.Zone != z {
					t.Errorf("%s read in %q, want %q", name, s.Zone, z)
				}
			}
			if got[987654].Status != hours.Unknown || len(got) != len(all) {
				t.Errorf("unknown id: %+v; %d states for %d ids", got[987654], len(got), len(all))
			}
		}
		// 14:30 UTC is 09:30 EST on 1 March 2026, 10:30 EDT on 8 March.
		for day, want := range map[int]hours.Status{1: hours.Closed, 8: hours.Open} {
			got, err := hours.ForServices(context.Background(), db.Client, []int{ids["sunday"]}, time.Date(2026, 3, day, 14, 30, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if got[ids["sunday"]].Status != want {
				t.Errorf("Sunday %d March 14:30 UTC: %s, want %s", day, got[ids["sunday"]].Status, want)
			}
		}
	})
}

// TestForServicesStatements proves the states of a page cost a fixed number
// of statements, however many services and schedules.
func TestForServicesStatements(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			counter, wrap := testdb.CountingDriver()
			db := testdb.Open(t, backend, store.Options{WrapDriver: wrap})
			ids := fixture(t, db)
			counts := map[int]int{}
			for _, n := range []int{1, 4, len(ids)} {
				page := make([]int, 0, n)
				for _, id := range ids {
					if len(page) < n {
						page = append(page, id)
					}
				}
				counter.Reset()
				if _, err := hours.ForServices(context.Background(), db.Client, page, time.Now()); err != nil {
					t.Fatal(err)
				}
				counts[n] = counter.Count()
			}
			if counts[1] > 5 || counts[4] > 5 || counts[len(ids)] > 5 {
				t.Errorf("statements by page size: %v, want at most 5", counts)
			}
		})
	}
}

// TestLocationZoneOnlyReadsUSZIPs: a postal code places a location by its
// US county's zone only when the location is in the US (or names no
// country); abroad, the same digits are no US ZIP and give no zone.
func TestLocationZoneOnlyReadsUSZIPs(t *testing.T) {
	for _, c := range []struct {
		country, want string
	}{{"", "Pacific/Honolulu"}, {"US", "Pacific/Honolulu"}, {"us", "Pacific/Honolulu"}, {"MX", ""}, {"DE", ""}} {
		if got := hours.LocationZone(&ent.Location{PostalCode: "96813", Country: c.country}); got != c.want {
			t.Errorf("postal code 96813, country %q: zone %q, want %q", c.country, got, c.want)
		}
	}
}
