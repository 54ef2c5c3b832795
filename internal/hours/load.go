package hours

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/internal/geo"
)

// nearMaxKm is how far a location's coordinates may lie from the nearest
// ZIP centroid for that ZIP's county to give its time zone.
const nearMaxKm = 100

// LocationZone is the IANA time zone of a location: from its coordinates
// (the county of the nearest ZIP), else from its postal code's county; ""
// when neither is known.
func LocationZone(l *ent.Location) string {
	if l == nil {
		return ""
	}
	if l.Latitude != nil && l.Longitude != nil {
		if z, ok := geo.TimeZoneNear(*l.Latitude, *l.Longitude, nearMaxKm); ok {
			return z
		}
	}
	if c := strings.ToUpper(strings.TrimSpace(l.Country)); c != "" && c != "US" {
		return "" // its postal code is no US ZIP
	}
	if zip, ok := geo.NormalizeZIP(strings.TrimSpace(l.PostalCode)); ok {
		if p, ok := geo.LookupZIP(zip); ok && len(p.Counties) > 0 {
			if z, ok := geo.CountyTimeZone(p.Counties[0].FIPS); ok {
				return z
			}
		}
	}
	return ""
}

// chunk bounds the ids bound in one statement (PostgreSQL takes 65,535
// parameters, SQLite 32,766).
const chunk = 5000

// ForServices gives the open state at the instant at of each service in
// ids (every id gets a state; a service not found, or with no schedule, is
// Unknown). It reads the services' statuses, their service-at-locations
// with their locations, their schedules and the locations those name: at
// most five statements for up to 5,000 services, however many schedules
// they have.
func ForServices(ctx context.Context, client *ent.Client, ids []int, at time.Time) (map[int]State, error) {
	out := make(map[int]State, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		if err := forServices(ctx, client, part, at, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func forServices(ctx context.Context, client *ent.Client, ids []int, at time.Time, out map[int]State) error {
	services, err := client.Service.Query().Where(service.IDIn(ids...)).
		Select(service.FieldID, service.FieldStatus).All(ctx)
	if err != nil {
		return err
	}
	sals, err := client.ServiceAtLocation.Query().Where(serviceatlocation.ServiceIDIn(ids...)).
		WithLocation(func(q *ent.LocationQuery) {
			q.Select(location.FieldID, location.FieldLatitude, location.FieldLongitude, location.FieldPostalCode, location.FieldCountry)
		}).All(ctx)
	if err != nil {
		return err
	}
	salIDs := make([]int, len(sals))
	salByID := make(map[int]*ent.ServiceAtLocation, len(sals))
	locations := map[int]*ent.Location{}
	for i, s := range sals {
		salIDs[i] = s.ID
		salByID[s.ID] = s
		if s.Edges.Location != nil {
			locations[s.Edges.Location.ID] = s.Edges.Location
		}
	}
	where := schedule.ServiceIDIn(ids...)
	if len(salIDs) > 0 {
		where = schedule.Or(where, schedule.ServiceAtLocationIDIn(salIDs...))
	}
	rows, err := client.Schedule.Query().Where(where).Order(schedule.ByID()).All(ctx)
	if err != nil {
		return err
	}
	var missing []int
	for _, r := range rows {
		if r.LocationID != nil && locations[*r.LocationID] == nil && !slices.Contains(missing, *r.LocationID) {
			missing = append(missing, *r.LocationID)
		}
	}
	if len(missing) > 0 {
		more, err := client.Location.Query().Where(location.IDIn(missing...)).
			Select(location.FieldID, location.FieldLatitude, location.FieldLongitude, location.FieldPostalCode, location.FieldCountry).All(ctx)
		if err != nil {
			return err
		}
		for _, l := range more {
			locations[l.ID] = l
		}
	}

	// Each service's contexts: its own rows (by the location they name,
	// if any) and each service-at-location's.
	type group struct {
		rows     []*ent.Schedule
		fallback string // the zone when no row names a valid one
	}
	zoneCache := map[int]string{}
	zoneOf := func(l *ent.Location) string {
		if l == nil {
			return ""
		}
		z, ok := zoneCache[l.ID]
		if !ok {
			z = LocationZone(l)
			zoneCache[l.ID] = z
		}
		return z
	}
	// The zone a service's own, unplaced rows fall back to: the one its
	// locations agree on.
	serviceZone := map[int]string{}
	disagree := map[int]bool{}
	for _, s := range sals {
		z := zoneOf(s.Edges.Location)
		if prev, ok := serviceZone[s.ServiceID]; ok && prev != z {
			disagree[s.ServiceID] = true
		}
		serviceZone[s.ServiceID] = z
	}
	groups := map[int]map[string]*group{}
	add := func(svc int, key string, r *ent.Schedule, fallback func() string) {
		if groups[svc] == nil {
			groups[svc] = map[string]*group{}
		}
		g := groups[svc][key]
		if g == nil {
			g = &group{fallback: fallback()}
			groups[svc][key] = g
		}
		g.rows = append(g.rows, r)
	}
	for _, r := range rows {
		switch {
		case r.ServiceAtLocationID != nil && salByID[*r.ServiceAtLocationID] != nil:
			sal := salByID[*r.ServiceAtLocationID]
			add(sal.ServiceID, "sal"+itoa(sal.ID), r, func() string { return zoneOf(sal.Edges.Location) })
		case r.ServiceID != nil && r.LocationID != nil:
			l := locations[*r.LocationID]
			add(*r.ServiceID, "loc"+itoa(*r.LocationID), r, func() string { return zoneOf(l) })
		case r.ServiceID != nil:
			svc := *r.ServiceID
			add(svc, "service", r, func() string {
				if disagree[svc] {
					return ""
				}
				return serviceZone[svc]
			})
		}
	}
	for _, s := range services {
		switch s.Status {
		case service.StatusTEMPORARILY_CLOSED, service.StatusINACTIVE, service.StatusDEFUNCT:
			out[s.ID] = State{Status: Closed}
			continue
		}
		keys := make([]string, 0, len(groups[s.ID]))
		for k := range groups[s.ID] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		states := make([]State, 0, len(keys))
		for _, k := range keys {
			g := groups[s.ID][k]
			states = append(states, Evaluate(g.rows, groupZone(g.rows, g.fallback), at))
		}
		out[s.ID] = Combine(states)
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = State{Status: Unknown}
		}
	}
	return nil
}

// groupZone is the zone a context's rows are read in: the first valid
// timezone a row names, else fallback; nil when none loads.
func groupZone(rows []*ent.Schedule, fallback string) *time.Location {
	for _, r := range rows {
		if loc := LoadZone(r.Timezone); loc != nil {
			return loc
		}
	}
	return LoadZone(fallback)
}

func itoa(n int) string { return strconv.Itoa(n) }
