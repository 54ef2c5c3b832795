package synthetic

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

var smallSize = Size{Organizations: 50, Services: 300, Areas: 1500, Seed: 7}

// fixtures creates programs and needs for synthetic services to link to,
// and a term of another vocabulary that they must not link to.
func fixtures(t *testing.T, client *ent.Client) {
	t.Helper()
	ctx := context.Background()
	for _, name := range []string{"Nurse-Family Partnership", "HealthySteps", "Family Connects"} {
		client.Program.Create().SetName(name).SaveX(ctx)
	}
	for _, code := range []string{"home-visiting", "developmental-screening", "parenting-support", "maternal-health", "basic-needs"} {
		client.TaxonomyTerm.Create().SetCode(code).SetName(strings.ReplaceAll(code, "-", " ")).SetVocabulary(NeedsVocabulary).SaveX(ctx)
	}
	client.TaxonomyTerm.Create().SetCode("BD-1800").SetName("Food").SetVocabulary("airs").SaveX(ctx)
}

// snapshot is what must not change between runs with the same seed: every
// record's external ID with its name or code.
func snapshot(t *testing.T, client *ent.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, o := range client.Organization.Query().Where(organization.ExternalSource(Source)).AllX(ctx) {
		out[o.ExternalID] = o.Name
	}
	for _, s := range client.Service.Query().Where(service.ExternalSource(Source)).WithNeeds().WithProgram().AllX(ctx) {
		var needs []string
		for _, n := range s.Edges.Needs {
			needs = append(needs, n.Code)
		}
		slices.Sort(needs)
		prog := ""
		if s.Edges.Program != nil {
			prog = s.Edges.Program.Name
		}
		out[s.ExternalID] = fmt.Sprintf("%s|%s|%s|%v|%s", s.Name, s.Status, prog, needs, s.Languages)
	}
	for _, a := range client.ServiceArea.Query().Where(servicearea.ExternalSource(Source)).WithService().AllX(ctx) {
		circle := ""
		if a.RadiusKm != nil {
			circle = fmt.Sprintf("%v,%v,%v", *a.CenterLatitude, *a.CenterLongitude, *a.RadiusKm)
		}
		out[a.ExternalID] = fmt.Sprintf("%s|%s|%s|%s|%s", a.Edges.Service.ExternalID, a.Kind, a.Code, circle, a.StateCode)
	}
	for _, l := range client.Location.Query().Where(location.ExternalSource(Source)).AllX(ctx) {
		coords := ""
		if l.Latitude != nil {
			coords = fmt.Sprintf("%v,%v", *l.Latitude, *l.Longitude)
		}
		out[l.ExternalID] = fmt.Sprintf("%s|%s|%s|%v", l.Name, l.PostalCode, coords, l.Confidential)
	}
	return out
}

func TestGenerate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		client := db.Client
		fixtures(t, client)

		var calls, last, total int
		r, err := Generate(ctx, client, smallSize, func(done, tot int) {
			if done <= last {
				t.Errorf("progress went from %d to %d", last, done)
			}
			calls, last, total = calls+1, done, tot
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Log(r)
		if r.Organizations != smallSize.Organizations || r.Services != smallSize.Services || r.ServiceAreas != smallSize.Areas {
			t.Fatalf("report %+v does not match size %+v", r, smallSize)
		}
		if calls == 0 || last != total || total != r.Rows() {
			t.Errorf("progress ended at %d of %d after %d calls; want %d rows", last, total, calls, r.Rows())
		}
		if r.Duration <= 0 {
			t.Errorf("duration %v", r.Duration)
		}

		// Exact counts, every record synthetic and marked sample.
		for _, c := range []struct {
			what      string
			want      int
			all, real int
		}{
			{"organizations", r.Organizations, client.Organization.Query().CountX(ctx), client.Organization.Query().Where(organization.Or(organization.Sample(false), organization.ExternalSourceNEQ(Source), organization.ProvenanceNEQ(Provenance), organization.Not(organization.NameHasPrefix("Synthetic ")))).CountX(ctx)},
			{"services", r.Services, client.Service.Query().CountX(ctx), client.Service.Query().Where(service.Or(service.Sample(false), service.ExternalSourceNEQ(Source), service.ProvenanceNEQ(Provenance), service.Not(service.NameHasPrefix("Synthetic ")))).CountX(ctx)},
			{"areas", r.ServiceAreas, client.ServiceArea.Query().CountX(ctx), client.ServiceArea.Query().Where(servicearea.Or(servicearea.Sample(false), servicearea.ExternalSourceNEQ(Source), servicearea.ProvenanceNEQ(Provenance))).CountX(ctx)},
			{"locations", r.Locations, client.Location.Query().CountX(ctx), client.Location.Query().Where(location.Or(location.Sample(false), location.ExternalSourceNEQ(Source), location.ProvenanceNEQ(Provenance), location.Not(location.NameHasPrefix("Synthetic ")))).CountX(ctx)},
			{"service-at-location links", r.ServiceAtLocations, client.ServiceAtLocation.Query().CountX(ctx), client.ServiceAtLocation.Query().Where(serviceatlocation.Or(serviceatlocation.Sample(false), serviceatlocation.ExternalSourceNEQ(Source))).CountX(ctx)},
		} {
			if c.all != c.want {
				t.Errorf("%s: %d in the database, report says %d", c.what, c.all, c.want)
			}
			if c.real != 0 {
				t.Errorf("%s: %d not sample/synthetic/named so", c.what, c.real)
			}
		}
		if r.Locations < r.Services/2 || r.Locations > r.Services+r.Organizations {
			t.Errorf("%d locations for %d services", r.Locations, r.Services)
		}

		// Every code is real, and the derived state agrees with it.
		centroids := map[[2]float64]bool{}
		for _, z := range usGeography().zips {
			centroids[[2]float64{z.Lat, z.Lon}] = true
		}
		areas := client.ServiceArea.Query().AllX(ctx)
		kinds := map[string]int{}
		var zipUsed string
		for _, a := range areas {
			kinds[string(a.Kind)]++
			switch a.Kind {
			case servicearea.KindZIP:
				p, ok := geo.LookupZIP(a.Code)
				if !ok || !p.HasCentroid || p.StateCode != a.StateCode {
					t.Errorf("ZIP area %s: %+v, state %q", a.Code, p, a.StateCode)
				}
				if zipUsed == "" {
					zipUsed = a.Code
				}
			case servicearea.KindCOUNTY:
				c, ok := geo.LookupCounty(a.Code)
				if !ok || c.StateCode != a.StateCode {
					t.Errorf("COUNTY area %s: %+v, state %q", a.Code, c, a.StateCode)
				}
			case servicearea.KindSTATE:
				if !geo.ValidStateCode(a.Code) || a.StateCode != a.Code {
					t.Errorf("STATE area %q, state %q", a.Code, a.StateCode)
				}
			case servicearea.KindRADIUS:
				if a.CenterLatitude == nil || a.CenterLongitude == nil || a.RadiusKm == nil || *a.RadiusKm < 5 || *a.RadiusKm > 50 || a.StateCode == "" || a.Code != "" {
					t.Errorf("RADIUS area %+v", a)
				} else if !centroids[[2]float64{*a.CenterLatitude, *a.CenterLongitude}] {
					t.Errorf("RADIUS centre %v,%v is not a ZIP centroid", *a.CenterLatitude, *a.CenterLongitude)
				}
			case servicearea.KindTEXT:
				if a.Name == "" || a.Code != "" || a.StateCode != "" {
					t.Errorf("TEXT area %+v", a)
				}
			default: // NATIONWIDE, ONLINE
				if a.Code != "" || a.StateCode != "" {
					t.Errorf("%s area %+v", a.Kind, a)
				}
			}
		}
		if !reflect.DeepEqual(kinds, r.AreasByKind) {
			t.Errorf("areas by kind: database %v, report %v", kinds, r.AreasByKind)
		}
		if kinds["ZIP"] < smallSize.Areas/2 || kinds["COUNTY"] == 0 || kinds["STATE"] == 0 || kinds["RADIUS"] == 0 {
			t.Errorf("unrealistic spread of area kinds: %v", kinds)
		}
		// A real ZIP used by an area resolves, and matching it finds the
		// service that covers it.
		p, ok := geo.LookupZIP(zipUsed)
		if !ok || p.StateCode == "" || len(p.Counties) == 0 {
			t.Fatalf("ZIP %q used by an area does not resolve: %+v", zipUsed, p)
		}
		if n := client.Service.Query().Where(service.HasServiceAreasWith(servicearea.KindEQ(servicearea.KindZIP), servicearea.Code(zipUsed))).CountX(ctx); n == 0 {
			t.Errorf("no service covers ZIP %s", zipUsed)
		}

		// Services: statuses, programs, needs (only the needs vocabulary),
		// eligibility, and at least one location each.
		services := client.Service.Query().WithNeeds().WithServiceAtLocations().AllX(ctx)
		statuses := map[string]int{}
		withProgram := 0
		for _, s := range services {
			statuses[string(s.Status)]++
			if s.ProgramID != nil {
				withProgram++
			}
			if n := len(s.Edges.Needs); n < 1 || n > 3 {
				t.Errorf("service %s meets %d needs", s.Name, n)
			}
			for _, n := range s.Edges.Needs {
				if n.Vocabulary != NeedsVocabulary {
					t.Errorf("service %s meets %s of vocabulary %s", s.Name, n.Code, n.Vocabulary)
				}
			}
			if err := s.Eligibility.Validate(); err != nil {
				t.Errorf("service %s: %v", s.Name, err)
			}
			if len(s.Edges.ServiceAtLocations) == 0 {
				t.Errorf("service %s has no location", s.Name)
			}
			if len(s.Languages) == 0 || len(s.DeliveryModes) == 0 {
				t.Errorf("service %s: languages %v, delivery modes %v", s.Name, s.Languages, s.DeliveryModes)
			}
		}
		if !reflect.DeepEqual(statuses, r.ServicesByStatus) {
			t.Errorf("statuses: database %v, report %v", statuses, r.ServicesByStatus)
		}
		if statuses["ACTIVE"] < len(services)*8/10 {
			t.Errorf("statuses %v: too few active", statuses)
		}
		if withProgram != r.ProgramLinked || withProgram < len(services)*45/100 || withProgram > len(services)*75/100 {
			t.Errorf("%d of %d services implement a program (report %d)", withProgram, len(services), r.ProgramLinked)
		}

		// A second run refuses; after Remove the same seed gives the same
		// records again.
		before := snapshot(t, client)
		if _, err := Generate(ctx, client, smallSize, nil); !errors.Is(err, ErrExists) {
			t.Fatalf("second Generate: %v, want ErrExists", err)
		}
		n, err := Remove(ctx, client)
		if err != nil {
			t.Fatal(err)
		}
		if n != r.Rows() {
			t.Errorf("Remove deleted %d rows, want %d", n, r.Rows())
		}
		if left := len(snapshot(t, client)); left != 0 {
			t.Fatalf("%d synthetic records left after Remove", left)
		}
		if _, err := Generate(ctx, client, smallSize, nil); err != nil {
			t.Fatal(err)
		}
		after := snapshot(t, client)
		if !reflect.DeepEqual(before, after) {
			diff := 0
			for k, v := range before {
				if after[k] != v && diff < 5 {
					t.Errorf("%s: %q then %q", k, v, after[k])
					diff++
				}
			}
			t.Fatalf("same seed gave different records (%d vs %d)", len(before), len(after))
		}
	})
}

// TestGenerateWithoutProgramsOrNeeds: in an empty database services
// implement no program and meet no need, and nothing else is created.
func TestGenerateWithoutProgramsOrNeeds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		size := Size{Organizations: 4, Services: 20, Areas: 15, Seed: 3}
		r, err := Generate(ctx, db.Client, size, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.ProgramLinked != 0 || r.NeedLinks != 0 || db.Client.Program.Query().CountX(ctx) != 0 || db.Client.TaxonomyTerm.Query().CountX(ctx) != 0 {
			t.Errorf("report %v: programs or needs appeared", r)
		}
		if n := db.Client.ServiceArea.Query().CountX(ctx); n != size.Areas {
			t.Errorf("%d areas, want %d (fewer areas than services)", n, size.Areas)
		}
		if n := db.Client.Service.Query().Where(service.HasProgram()).CountX(ctx); n != 0 {
			t.Errorf("%d services with a program", n)
		}
		if n := db.Client.TaxonomyTerm.Query().Where(taxonomyterm.HasServices()).CountX(ctx); n != 0 {
			t.Errorf("%d needs linked", n)
		}
	})
}

func TestGenerateRejectsImpossibleSizes(t *testing.T) {
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	for _, size := range []Size{{Organizations: -1}, {Services: 3}, {Organizations: 1, Areas: 3}} {
		if _, err := Generate(context.Background(), db.Client, size, nil); err == nil {
			t.Errorf("Generate(%+v) succeeded", size)
		}
	}
}

// TestPlanDeterministic: the same seed decides the same records, another
// seed different ones.
func TestPlanDeterministic(t *testing.T) {
	progs := []program{{1, "Nurse-Family Partnership"}, {2, "HealthySteps"}}
	needs := []need{{10, "home-visiting", "Home visiting"}, {11, "basic-needs", "Basic needs"}}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	a := makePlan(smallSize, progs, needs, now)
	b := makePlan(smallSize, progs, needs, now)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different plans")
	}
	other := smallSize
	other.Seed++
	c := makePlan(other, progs, needs, now)
	if reflect.DeepEqual(a.services[0].Name, c.services[0].Name) && reflect.DeepEqual(a.areas, c.areas) {
		t.Fatal("different seeds, same plan")
	}
	if !strings.HasPrefix(a.services[0].Name, "Synthetic ") || !strings.HasSuffix(a.services[0].Name, " Service 00001") {
		t.Errorf("service name %q", a.services[0].Name)
	}
}

// TestPlanShape checks the distribution at the default size, in memory, and
// how many services a big-city ZIP finds.
func TestPlanShape(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	needs := []need{{1, "a", "A"}, {2, "b", "B"}, {3, "c", "C"}}
	start := time.Now()
	p := makePlan(DefaultSize, []program{{1, "P"}}, needs, time.Now())
	t.Logf("planned in %v", time.Since(start))
	if len(p.orgs) != DefaultSize.Organizations || len(p.services) != DefaultSize.Services || len(p.areas) != DefaultSize.Areas {
		t.Fatalf("plan has %d orgs, %d services, %d areas", len(p.orgs), len(p.services), len(p.areas))
	}
	kinds := map[string]int{}
	kindServices := map[string]map[int]bool{}
	for _, a := range p.areas {
		kinds[a.Kind]++
		if kindServices[a.Kind] == nil {
			kindServices[a.Kind] = map[int]bool{}
		}
		kindServices[a.Kind][a.Service] = true
	}
	statuses := map[string]int{}
	for _, s := range p.services {
		statuses[s.Status]++
	}
	confidential := 0
	for _, l := range p.locations {
		if l.Confidential {
			confidential++
		}
	}
	t.Logf("areas by kind %v; services by status %v; %d locations (%d confidential), %d links", kinds, statuses, len(p.locations), confidential, len(p.links))
	s := float64(len(p.services))
	share := func(kind string) float64 { return float64(len(kindServices[kind])) / s }
	for _, c := range []struct {
		kind   string
		lo, hi float64
	}{{"NATIONWIDE", 0.0005, 0.005}, {"ONLINE", 0.005, 0.015}, {"STATE", 0.04, 0.06}, {"RADIUS", 0.06, 0.10}, {"TEXT", 0.002, 0.012}, {"ZIP", 0.7, 0.9}, {"COUNTY", 0.2, 0.5}} {
		if f := share(c.kind); f < c.lo || f > c.hi {
			t.Errorf("%.2f%% of services have %s areas, want %.1f–%.1f%%", 100*f, c.kind, 100*c.lo, 100*c.hi)
		}
	}
	for status, want := range map[string]float64{"ACTIVE": 0.9, "TEMPORARILY_CLOSED": 0.04, "INACTIVE": 0.04, "DEFUNCT": 0.02} {
		if f := float64(statuses[status]) / s; f < want*0.8 || f > want*1.2 {
			t.Errorf("%.1f%% of services are %s, want about %.0f%%", 100*f, status, 100*want)
		}
	}
	for _, zip := range []string{"10001", "60614", "90011", "02121", "59901"} {
		n, byKind := candidates(p, zip)
		t.Logf("ZIP %s: %d candidate services; services covering it by kind: %v", zip, n, byKind)
	}
	if n, _ := candidates(p, "10001"); n < 20 || n > 1000 {
		t.Errorf("ZIP 10001 finds %d candidate services", n)
	}
}

// candidates counts the services whose areas cover zip (by ZIP, county,
// state, radius, nationwide or online), and how many by each kind of area.
func candidates(p *plan, zip string) (int, map[string]int) {
	place, _ := geo.LookupZIP(zip)
	var counties []string
	for _, c := range place.Counties {
		counties = append(counties, c.FIPS)
	}
	seen := map[int]bool{}
	byKind := map[string]map[int]bool{}
	for _, a := range p.areas {
		covers := false
		switch a.Kind {
		case "NATIONWIDE", "ONLINE":
			covers = true
		case "STATE":
			covers = a.Code == place.StateCode
		case "COUNTY":
			covers = slices.Contains(counties, a.Code)
		case "ZIP":
			covers = a.Code == zip
		case "RADIUS":
			covers = geo.DistanceKm(a.Lat, a.Lon, place.Latitude, place.Longitude) <= a.Radius
		}
		if covers {
			seen[a.Service] = true
			if byKind[a.Kind] == nil {
				byKind[a.Kind] = map[int]bool{}
			}
			byKind[a.Kind][a.Service] = true
		}
	}
	counts := map[string]int{}
	for k, v := range byKind {
		counts[k] = len(v)
	}
	return len(seen), counts
}

// TestGenerateFullSize is a manual timing aid, skipped unless
// VILLAGE_SYNTHETIC_FULL=1: it generates DefaultSize on each backend and
// logs the report and how many services cover ZIP 10001. Run it with
//
//	VILLAGE_SYNTHETIC_FULL=1 go test -run TestGenerateFullSize -v ./internal/synthetic/
func TestGenerateFullSize(t *testing.T) {
	if os.Getenv("VILLAGE_SYNTHETIC_FULL") != "1" {
		t.Skip("set VILLAGE_SYNTHETIC_FULL=1 to time a generation at the default size")
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixtures(t, db.Client)
		start, last := time.Now(), time.Now()
		r, err := Generate(ctx, db.Client, DefaultSize, func(done, total int) {
			if time.Since(last) > 2*time.Second || done == total {
				t.Logf("%d of %d rows after %v", done, total, time.Since(start).Round(time.Millisecond))
				last = time.Now()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Log(r)
		place, _ := geo.LookupZIP("10001")
		var counties []string
		for _, c := range place.Counties {
			counties = append(counties, c.FIPS)
		}
		n := db.Client.Service.Query().Where(service.HasServiceAreasWith(servicearea.Or(
			servicearea.KindIn(servicearea.KindNATIONWIDE, servicearea.KindONLINE),
			servicearea.And(servicearea.KindEQ(servicearea.KindSTATE), servicearea.Code(place.StateCode)),
			servicearea.And(servicearea.KindEQ(servicearea.KindCOUNTY), servicearea.CodeIn(counties...)),
			servicearea.And(servicearea.KindEQ(servicearea.KindZIP), servicearea.Code("10001")),
		))).CountX(ctx)
		t.Logf("ZIP 10001: %d services cover it by ZIP, county, state, nationwide or online (radius not counted)", n)
	})
}
