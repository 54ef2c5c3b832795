package match

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// describe writes out everything a snapshot holds, by record IDs, so that two
// snapshots of the same directory describe alike whatever built them.
func describe(s *snapshot) string {
	var b strings.Builder
	ids := func(list []int32) []int {
		out := make([]int, len(list))
		for i, pos := range list {
			out[i] = s.entries[pos].svc.ID
		}
		return out
	}
	for _, e := range s.entries {
		fmt.Fprintf(&b, "entry %d at %d: %s | org %s | program %s | elig %s | national %v byLocation %v needs %v\n",
			e.svc.ID, e.pos, asJSON(e.heldRow()), asJSON(e.org), asJSON(e.program), asJSON(e.elig), e.national, e.byLocation, e.needs)
		for _, a := range e.areas {
			fmt.Fprintf(&b, "  area %s\n", asJSON(e.row(&a)))
		}
		for _, l := range e.locs {
			fmt.Fprintf(&b, "  loc %+v\n", l)
		}
	}
	for _, k := range s.byCode {
		code := s.tab.str(k.code)
		if got := s.withCode(k.rank, code); len(got) == 0 || &got[0] != &s.coded[k.from] {
			panic(fmt.Sprintf("code %v %s is not found where it is", k.rank, code))
		}
		fmt.Fprintf(&b, "code %v %s: %v\n", k.rank, code, ids(s.coded[k.from:k.to]))
	}
	states := slices.Sorted(func(yield func(string) bool) {
		for st := range s.byState {
			if !yield(st) {
				return
			}
		}
	})
	for _, st := range states {
		fmt.Fprintf(&b, "state %s: %v\n", st, ids(s.byState[st]))
	}
	fmt.Fprintf(&b, "everyone %v widest %v\n", ids(s.everyone), s.widest)
	for _, r := range s.radii {
		fmt.Fprintf(&b, "radius %v %v %v %d\n", r.lat, r.lon, r.km, s.entries[r.pos].svc.ID)
	}
	for _, x := range s.sites {
		fmt.Fprintf(&b, "site %v %v %d %d\n", x.lat, x.lon, s.entries[x.pos].svc.ID, x.loc)
	}
	for _, p := range s.programs {
		fmt.Fprintf(&b, "program %s: %v\n", asJSON(p.program), p.services)
	}
	codes := slices.Sorted(func(yield func(string) bool) {
		for c := range s.needs {
			if !yield(c) {
				return
			}
		}
	})
	for _, c := range codes {
		n := s.needs[c]
		var met []int
		n.metBy.each(func(i int) { met = append(met, s.entries[i].svc.ID) })
		fmt.Fprintf(&b, "need %s %q %v: %v\n", c, n.name, len(n.terms), met)
	}
	return b.String()
}

func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestRefreshReadsOnlyWhatChanged: after each kind of write, the snapshot a
// match gets is brought up to date incrementally, and describes exactly what
// a whole load of the directory would.
func TestRefreshReadsOnlyWhatChanged(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Harbor").SaveX(ctx)
		other := c.Organization.Create().SetName("Beacon").SaveX(ctx)
		needs := c.TaxonomyTerm.Create().SetCode("home-visiting").SetName("Home visiting").SetVocabulary("village-needs").SaveX(ctx)
		prog := c.Program.Create().SetName("Nurse-Family Partnership").
			SetEligibility(&directory.Eligibility{FirstTimeParentsOnly: ptrTo(true)}).SaveX(ctx)
		mk := func(name string, o *ent.Organization) *ent.Service {
			return c.Service.Create().SetName(name).SetOrganization(o).AddNeeds(needs).SaveX(ctx)
		}
		a := mk("A", org)
		b := mk("B", org)
		cc := mk("C", other)
		c.Service.UpdateOne(cc).SetProgram(prog).ExecX(ctx)
		c.ServiceArea.Create().SetService(a).SetKind(servicearea.KindZIP).SetCode("02121").SetStateCode("MA").ExecX(ctx)
		areaB := c.ServiceArea.Create().SetService(b).SetKind(servicearea.KindCOUNTY).SetCode("25025").SetStateCode("MA").SaveX(ctx)
		c.ServiceArea.Create().SetService(cc).SetKind(servicearea.KindRADIUS).
			SetCenterLatitude(42.3).SetCenterLongitude(-71.07).SetRadiusKm(10).ExecX(ctx)
		site := c.Location.Create().SetName("Site").SetLatitude(42.31).SetLongitude(-71.06).SetOrganization(org).SaveX(ctx)
		link := c.ServiceAtLocation.Create().SetService(b).SetLocation(site).SaveX(ctx)
		phone := c.Phone.Create().SetNumber("617-555-0100").SetService(a).SaveX(ctx)

		m := New(c, nil)
		if err := m.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		d := mk("D (no area: placed by its location)", other)
		for _, w := range []struct {
			name        string
			write       func()
			incremental bool
		}{
			{"a service created, placed by a location", func() {
				c.ServiceAtLocation.Create().SetService(d).SetLocation(site).ExecX(ctx)
			}, true},
			{"a service updated", func() { c.Service.UpdateOne(a).SetName("A renamed").ExecX(ctx) }, true},
			{"an area added", func() {
				c.ServiceArea.Create().SetService(a).SetKind(servicearea.KindSTATE).SetCode("RI").SetStateCode("RI").ExecX(ctx)
			}, true},
			{"an area deleted", func() { c.ServiceArea.DeleteOne(areaB).ExecX(ctx) }, true},
			{"a location moved", func() { c.Location.UpdateOne(site).SetLatitude(42.35).ExecX(ctx) }, true},
			{"a link removed", func() { c.ServiceAtLocation.DeleteOne(link).ExecX(ctx) }, true},
			{"a link added", func() {
				c.ServiceAtLocation.Create().SetService(a).SetLocation(site).ExecX(ctx)
			}, true},
			{"an organization renamed", func() { c.Organization.UpdateOne(other).SetName("Beacon Health").ExecX(ctx) }, true},
			{"a program's rules changed", func() {
				c.Program.UpdateOne(prog).SetEligibility(&directory.Eligibility{MaxAgeMonths: ptrTo(24)}).ExecX(ctx)
			}, true},
			{"a service made inactive", func() { c.Service.UpdateOne(b).SetStatus("INACTIVE").ExecX(ctx) }, true},
			{"a service deleted", func() {
				c.ServiceAtLocation.Delete().Where(serviceatlocation.ServiceID(d.ID)).ExecX(ctx)
				c.Service.DeleteOneID(d.ID).ExecX(ctx)
			}, true},
			{"a phone changed (not read by matching)", func() { c.Phone.UpdateOne(phone).SetNumber("617-555-0101").ExecX(ctx) }, true},
			{"a need renamed: everything read again", func() { c.TaxonomyTerm.UpdateOne(needs).SetName("Home visits").ExecX(ctx) }, false},
		} {
			before, _ := m.current(ctx)
			w.write()
			got, err := m.current(ctx)
			if err != nil {
				t.Fatalf("%s: %v", w.name, err)
			}
			if got == before {
				t.Fatalf("%s: the snapshot did not move", w.name)
			}
			if got.incremental != w.incremental {
				t.Errorf("%s: incremental %v, want %v", w.name, got.incremental, w.incremental)
			}
			position, _ := feed.Position(ctx, c)
			whole, err := load(ctx, c, position)
			if err != nil {
				t.Fatal(err)
			}
			if g, want := describe(got), describe(whole); g != want {
				t.Errorf("%s: the refreshed snapshot differs from a whole load:\n--- refreshed\n%s\n--- loaded\n%s", w.name, g, want)
			}
			// The snapshot before is left as it was: requests may still read it.
			for i, e := range before.entries {
				if e.pos != i {
					t.Fatalf("%s: the previous snapshot's entry %d was renumbered %d", w.name, i, e.pos)
				}
			}
		}

		// More writes than an incremental refresh takes: a whole load.
		m.maxRefreshEvents = 20
		phones := make([]*ent.PhoneCreate, m.maxRefreshEvents+1)
		for i := range phones {
			phones[i] = c.Phone.Create().SetNumber(fmt.Sprintf("617-555-%04d", i)).SetService(a)
		}
		c.Phone.CreateBulk(phones...).ExecX(ctx)
		got, err := m.current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.incremental {
			t.Error("past maxRefreshEvents the snapshot was refreshed incrementally")
		}
	})
}

func ptrTo[T any](v T) *T { return &v }
