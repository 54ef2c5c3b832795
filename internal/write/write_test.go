package write_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/internal/write"
)

func conflictOf(t *testing.T, err error) *write.ConflictError {
	t.Helper()
	var c *write.ConflictError
	if !errors.As(err, &c) {
		t.Fatalf("want a conflict, got %T %v", err, err)
	}
	return c
}

// TestStaleVersion: an update or delete with a stale expectedVersion is a
// conflict that reports the current version and writes nothing.
func TestStaleVersion(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		for _, typ := range write.EntTypes {
			t.Run(typ, func(t *testing.T) {
				wd.t = t
				id := wd.record(typ, wd.org())
				v2, err := wd.update(wd.ctx, typ, id, ptr(1))
				if err != nil || v2 != 2 {
					t.Fatalf("update at the current version: version %d, %v", v2, err)
				}
				before := wd.lastEvent()
				_, err = wd.update(wd.ctx, typ, id, ptr(1))
				if c := conflictOf(t, err); c.CurrentVersion == nil || *c.CurrentVersion != 2 {
					t.Fatalf("conflict without the current version: %+v", c)
				}
				_, err = wd.w.Delete(wd.ctx, typ, id, ptr(1), true)
				if c := conflictOf(t, err); c.CurrentVersion == nil || *c.CurrentVersion != 2 {
					t.Fatalf("delete conflict without the current version: %+v", c)
				}
				if evs := wd.events(before); len(evs) > 0 {
					t.Fatalf("a refused write logged %v", describe(evs))
				}
				// Missing records are not found, whatever the version.
				if _, err := wd.update(wd.ctx, typ, id+1_000_000, ptr(1)); !ent.IsNotFound(err) {
					t.Fatalf("update of a missing record: %v", err)
				}
				if _, err := wd.w.Delete(wd.ctx, typ, id+1_000_000, nil, false); !ent.IsNotFound(err) {
					t.Fatalf("delete of a missing record: %v", err)
				}
				before = wd.lastEvent()
				d, err := wd.w.Delete(as(wd.ctx, auth.Admin), typ, id, ptr(2), false)
				if err != nil || d.DeletedID != id {
					t.Fatalf("delete at the current version: %+v %v", d, err)
				}
				if got := describe(wd.events(before)); len(got) != 1 || !strings.HasPrefix(got[0], "DELETE ") {
					t.Fatalf("a delete logged %v, want one tombstone", got)
				}
			})
		}
	})
}

// TestRacingWriters: two writers holding the same version update one record
// at once; exactly one wins, the other gets a conflict, and the winner's
// value is the one kept (no lost update). Deletes race the same way.
func TestRacingWriters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		org := wd.org()
		for round := range 15 {
			id := wd.service(org)
			start := make(chan struct{})
			names := []string{"first", "second"}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					ctx := as(wd.ctx, auth.Editor, org)
					_, errs[i] = wd.w.UpdateService(ctx, id, ent.UpdateServiceInput{Name: &names[i]}, ptr(1))
				}()
			}
			close(start)
			wg.Wait()
			won := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if won >= 0 {
						t.Fatalf("round %d: both writers won", round)
					}
					won = i
				default:
					if c := conflictOf(t, err); c.CurrentVersion == nil || *c.CurrentVersion != 2 {
						t.Fatalf("round %d: loser's conflict: %+v", round, c)
					}
				}
			}
			if won < 0 {
				t.Fatalf("round %d: nobody won: %v", round, errs)
			}
			s := must[*ent.Service](t)(wd.c.Service.Get(wd.ctx, id))
			if s.Name != names[won] || s.Version != 2 {
				t.Fatalf("round %d: kept %q at version %d, want the winner's %q at 2", round, s.Name, s.Version, names[won])
			}
			n := must[int](t)(wd.c.ChangeEvent.Query().Where(changeevent.EntityID(id), changeevent.OperationEQ(changeevent.OperationUPDATE)).Count(wd.ctx))
			if n != 1 {
				t.Fatalf("round %d: %d update events, want 1", round, n)
			}
		}
		// An update and a delete racing on one version: one wins.
		for round := range 10 {
			id := wd.service(org)
			start := make(chan struct{})
			var upErr, delErr error
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				_, upErr = wd.w.UpdateService(wd.ctx, id, ent.UpdateServiceInput{Name: ptr("renamed")}, ptr(1))
			}()
			go func() {
				defer wg.Done()
				<-start
				_, delErr = wd.w.Delete(wd.ctx, ent.TypeService, id, ptr(1), false)
			}()
			close(start)
			wg.Wait()
			if (upErr == nil) == (delErr == nil) {
				t.Fatalf("round %d: update %v, delete %v: want exactly one to win", round, upErr, delErr)
			}
			if upErr != nil && !ent.IsNotFound(upErr) {
				t.Fatalf("round %d: the update lost to a delete: want NOT_FOUND, got %v", round, upErr)
			}
			if delErr != nil {
				conflictOf(t, delErr)
			}
		}
	})
}

// TestCascadeDelete: an organization with records is a conflict without
// cascade; with it, everything it owns goes in one transaction, a tombstone
// for each, and records that merely refer to it are detached with a logged
// update.
func TestCascadeDelete(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		ctx := wd.ctx
		org, other := wd.org(), wd.org()
		prog := must[*ent.Program](t)(wd.w.CreateProgram(ctx, ent.CreateProgramInput{Name: "Model", OrganizationID: &org})).ID
		svc := must[*ent.Service](t)(wd.w.CreateService(ctx, ent.CreateServiceInput{Name: "Visits", OrganizationID: org, ProgramID: &prog})).ID
		loc := wd.location(org)
		sal := must[*ent.ServiceAtLocation](t)(wd.w.CreateServiceAtLocation(ctx, ent.CreateServiceAtLocationInput{ServiceID: svc, LocationID: loc})).ID
		area := must[*ent.ServiceArea](t)(wd.w.CreateServiceArea(ctx, ent.CreateServiceAreaInput{ServiceID: svc, Kind: servicearea.KindSTATE, Code: ptr("MA")})).ID
		contact := must[*ent.Contact](t)(wd.w.CreateContact(ctx, ent.CreateContactInput{Name: ptr("Ana"), ServiceID: &svc})).ID
		phones := []int{
			must[*ent.Phone](t)(wd.w.CreatePhone(ctx, ent.CreatePhoneInput{Number: "1", OrganizationID: &org})).ID,
			must[*ent.Phone](t)(wd.w.CreatePhone(ctx, ent.CreatePhoneInput{Number: "2", ContactID: &contact})).ID,
			must[*ent.Phone](t)(wd.w.CreatePhone(ctx, ent.CreatePhoneInput{Number: "3", ServiceAtLocationID: &sal})).ID,
			must[*ent.Phone](t)(wd.w.CreatePhone(ctx, ent.CreatePhoneInput{Number: "4", LocationID: &loc})).ID,
		}
		sched := must[*ent.Schedule](t)(wd.w.CreateSchedule(ctx, ent.CreateScheduleInput{ServiceAtLocationID: &sal, OpensAt: ptr("09:00")})).ID
		funding := must[*ent.Funding](t)(wd.w.CreateFunding(ctx, ent.CreateFundingInput{Source: "Title V", ServiceID: &svc, FunderID: &other})).ID
		progFunding := must[*ent.Funding](t)(wd.w.CreateFunding(ctx, ent.CreateFundingInput{Source: "MIECHV", ProgramID: &prog})).ID
		// Records that refer to the organization's without being owned.
		child := must[*ent.Organization](t)(wd.w.CreateOrganization(ctx, ent.CreateOrganizationInput{Name: "Branch", ParentID: &org})).ID
		foreignSvc := must[*ent.Service](t)(wd.w.CreateService(ctx, ent.CreateServiceInput{Name: "Elsewhere", OrganizationID: other, ProgramID: &prog})).ID
		published := must[*ent.Resource](t)(wd.w.CreateResource(ctx, ent.CreateResourceInput{Title: "Guide", Kind: resource.KindGUIDE, PublisherID: &org, ProgramIDs: []int{prog}})).ID
		given := must[*ent.Funding](t)(wd.w.CreateFunding(ctx, ent.CreateFundingInput{Source: "Grant", FunderID: &org, OrganizationID: &other})).ID

		before := wd.lastEvent()
		_, err := wd.w.Delete(as(ctx, auth.Admin), ent.TypeOrganization, org, nil, false)
		c := conflictOf(t, err)
		want := map[write.EntityType]int{"PROGRAM": 1, "SERVICE": 1, "LOCATION": 1, "PHONE": 1}
		if len(c.Dependents) != len(want) {
			t.Fatalf("dependents %v, want %v", c.Dependents, want)
		}
		for k, n := range want {
			if c.Dependents[k] != n {
				t.Fatalf("dependents %v, want %v", c.Dependents, want)
			}
		}
		if !strings.Contains(c.Message, "cascade: true") {
			t.Errorf("message does not say how to proceed: %s", c.Message)
		}
		if evs := wd.events(before); len(evs) > 0 {
			t.Fatalf("a refused delete logged %v", describe(evs))
		}

		// Editors never delete organizations, cascade or not.
		if _, err := wd.w.Delete(as(ctx, auth.Editor, org), ent.TypeOrganization, org, nil, true); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("editor cascade: %v", err)
		}

		d, err := wd.w.Delete(as(ctx, auth.Admin), ent.TypeOrganization, org, ptr(1), true)
		if err != nil {
			t.Fatalf("cascade: %v", err)
		}
		removed := append([]int{sal, area, contact, sched, funding, progFunding, svc, loc, prog}, phones...)
		var cascaded []int
		for _, r := range d.Cascaded {
			cascaded = append(cascaded, r.ID)
		}
		sort.Ints(removed)
		sort.Ints(cascaded)
		if !slices.Equal(removed, cascaded) {
			t.Fatalf("cascaded %v, want %v", cascaded, removed)
		}
		tombstones := map[int]bool{}
		updated := map[int]bool{}
		nTombstones := 0
		for _, e := range wd.events(before) {
			switch e.Operation {
			case changeevent.OperationDELETE:
				if tombstones[e.EntityID] {
					t.Errorf("two tombstones for %s %d", e.EntityType, e.EntityID)
				}
				tombstones[e.EntityID] = true
				nTombstones++
			case changeevent.OperationUPDATE:
				updated[e.EntityID] = true
			default:
				t.Errorf("unexpected event %s %s %d", e.Operation, e.EntityType, e.EntityID)
			}
		}
		for _, id := range append(removed, org) {
			if !tombstones[id] {
				t.Errorf("no tombstone for %d", id)
			}
			if ok := must[bool](t)(wd.c.ChangeEvent.Query().Where(changeevent.EntityID(id)).Exist(ctx)); !ok {
				t.Errorf("no events at all for %d", id)
			}
		}
		if nTombstones != len(removed)+1 {
			t.Errorf("%d tombstones for %d deleted records", nTombstones, len(removed)+1)
		}
		for _, id := range []int{child, foreignSvc, published, given} {
			if !updated[id] {
				t.Errorf("referring record %d was detached without an update event", id)
			}
		}
		if o := must[*ent.Organization](t)(wd.c.Organization.Get(ctx, child)); o.ParentID != nil || o.Version != 2 {
			t.Errorf("child organization: parent %v version %d", o.ParentID, o.Version)
		}
		if s := must[*ent.Service](t)(wd.c.Service.Get(ctx, foreignSvc)); s.ProgramID != nil || s.Version != 2 {
			t.Errorf("foreign service: program %v version %d", s.ProgramID, s.Version)
		}
		if n := must[int](t)(wd.c.Resource.Query().Where(resource.ID(published), resource.HasPrograms()).Count(ctx)); n != 0 {
			t.Errorf("resource still lists the deleted program")
		}
		if n := must[int](t)(wd.c.Program.Query().Where(program.ID(prog)).Count(ctx)); n != 0 {
			t.Errorf("program survived")
		}
	})
}

// TestDeleteChildren: other owners need cascade too, and a phone owned two
// ways goes with either.
func TestDeleteChildren(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		org := wd.org()
		editor := as(wd.ctx, auth.Editor, org)
		svc := wd.service(org)
		ph := must[*ent.Phone](t)(wd.w.CreatePhone(editor, ent.CreatePhoneInput{Number: "1", ServiceID: &svc, OrganizationID: &org})).ID
		_, err := wd.w.Delete(editor, ent.TypeService, svc, nil, false)
		if c := conflictOf(t, err); c.Dependents["PHONE"] != 1 {
			t.Fatalf("dependents %v", c.Dependents)
		}
		d, err := wd.w.Delete(editor, ent.TypeService, svc, nil, true)
		if err != nil || len(d.Cascaded) != 1 || d.Cascaded[0] != (write.Ref{EntityType: "PHONE", ID: ph}) {
			t.Fatalf("cascade: %+v %v", d, err)
		}
		if ok := must[bool](t)(wd.c.Phone.Query().Where(phone.ID(ph)).Exist(wd.ctx)); ok {
			t.Fatalf("phone survived")
		}

		// Deleting a program detaches the services implementing it: an
		// editor may when they are its own, not when another
		// organization's service implements it.
		prog := must[*ent.Program](t)(wd.w.CreateProgram(editor, ent.CreateProgramInput{Name: "Model", OrganizationID: &org})).ID
		mine := must[*ent.Service](t)(wd.w.CreateService(editor, ent.CreateServiceInput{Name: "Mine", OrganizationID: org, ProgramID: &prog})).ID
		other := wd.org()
		theirs := must[*ent.Service](t)(wd.w.CreateService(wd.ctx, ent.CreateServiceInput{Name: "Theirs", OrganizationID: other, ProgramID: &prog})).ID
		before := wd.lastEvent()
		if _, err := wd.w.Delete(editor, ent.TypeProgram, prog, nil, false); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("editor deleting a program another organization implements: %v", err)
		}
		if evs := wd.events(before); len(evs) > 0 {
			t.Fatalf("refused delete logged %v", describe(evs))
		}
		if err := wd.c.Service.UpdateOneID(theirs).ClearProgramID().Exec(wd.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := wd.w.Delete(editor, ent.TypeProgram, prog, nil, false); err != nil {
			t.Fatalf("editor deleting its own program: %v", err)
		}
		if s := must[*ent.Service](t)(wd.c.Service.Get(wd.ctx, mine)); s.ProgramID != nil {
			t.Fatalf("own service still implements the deleted program")
		}
	})
}

// TestUpsertIdempotent: the same batch twice changes nothing the second
// time and logs nothing; a changed value updates that record alone.
func TestUpsertIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		admin := as(wd.ctx, auth.Admin)
		orgs := []*write.UpsertOrganizationInput{
			{ExternalSource: "ma211", ExternalID: "o1", Name: "Family Services", Email: ptr("info@example.org"), YearIncorporated: ptr(1990)},
			{ExternalSource: "ma211", ExternalID: "o2", Name: "Health Dept", Website: ptr("https://example.gov")},
		}
		locs := []*write.UpsertLocationInput{
			{ExternalSource: "ma211", ExternalID: "l1", Name: "Main office", OrganizationExternalID: ptr("o1"), City: ptr("Boston"), Region: ptr("MA"), Country: ptr("US"), Latitude: ptr(42.3601), Longitude: ptr(-71.0589)},
		}
		svcs := []*write.UpsertServiceInput{
			{ExternalSource: "ma211", ExternalID: "s1", Name: "Home visits", OrganizationExternalID: ptr("o1"), Languages: []string{"en", "es"},
				DeliveryModes: []directory.DeliveryMode{directory.InHome}, Free: ptr(true), Eligibility: &directory.Eligibility{MaxAgeMonths: ptr(36), PriorityPopulations: []string{"teen parents"}}},
			{ExternalSource: "ma211", ExternalID: "s2", Name: "Clinic", OrganizationExternalID: ptr("o2"), Status: ptr(service.StatusTEMPORARILY_CLOSED)},
		}
		run := func(want write.Outcome) {
			t.Helper()
			o, err := wd.w.UpsertOrganizations(admin, orgs)
			if err != nil {
				t.Fatalf("organizations: %v", err)
			}
			l, err := wd.w.UpsertLocations(admin, locs)
			if err != nil {
				t.Fatalf("locations: %v", err)
			}
			s, err := wd.w.UpsertServices(admin, svcs)
			if err != nil {
				t.Fatalf("services: %v", err)
			}
			for _, got := range []write.Outcome{o[0].Outcome, o[1].Outcome, l[0].Outcome, s[0].Outcome, s[1].Outcome} {
				if got != want {
					t.Fatalf("outcome %s, want %s", got, want)
				}
			}
			if s[0].Service.OrganizationID != o[0].Organization.ID || *l[0].Location.OrganizationID != o[0].Organization.ID {
				t.Fatalf("references by external ID not resolved")
			}
		}
		start := wd.lastEvent()
		run(write.Created)
		if n := len(wd.events(start)); n != 5 {
			t.Fatalf("first run logged %d events, want 5", n)
		}
		mid := wd.lastEvent()
		run(write.Unchanged)
		if evs := wd.events(mid); len(evs) > 0 {
			t.Fatalf("second run logged %v", describe(evs))
		}
		for _, s := range must[[]*ent.Service](t)(wd.c.Service.Query().All(wd.ctx)) {
			if s.Version != 1 {
				t.Fatalf("service %s bumped to version %d by an unchanged upsert", s.Name, s.Version)
			}
		}
		// One change: that record alone is updated; leaving a field out
		// clears it.
		orgs[1].Website = nil
		res, err := wd.w.UpsertOrganizations(admin, orgs)
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Outcome != write.Unchanged || res[1].Outcome != write.Updated || res[1].Organization.Website != "" || res[1].Organization.Version != 2 {
			t.Fatalf("after one change: %s %s %q v%d", res[0].Outcome, res[1].Outcome, res[1].Organization.Website, res[1].Organization.Version)
		}
		evs := wd.events(mid)
		if len(evs) != 1 || evs[0].EntityID != res[1].Organization.ID || evs[0].Operation != changeevent.OperationUPDATE {
			t.Fatalf("events %v", describe(evs))
		}
		// A duplicate in one batch: created, then unchanged.
		res, err = wd.w.UpsertOrganizations(admin, []*write.UpsertOrganizationInput{
			{ExternalSource: "other", ExternalID: "x", Name: "X"}, {ExternalSource: "other", ExternalID: "x", Name: "X"}})
		if err != nil || res[0].Outcome != write.Created || res[1].Outcome != write.Unchanged || res[0].Organization.ID != res[1].Organization.ID {
			t.Fatalf("duplicate in a batch: %v", err)
		}
	})
}

// TestFailureMidwayWritesNothing: a batch whose third record is invalid, or
// a create whose related-record change fails, writes nothing and logs
// nothing.
func TestFailureMidwayWritesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		admin := as(wd.ctx, auth.Admin)
		org := wd.org()
		before := wd.lastEvent()
		orgsBefore := must[int](t)(wd.c.Organization.Query().Count(wd.ctx))
		_, err := wd.w.UpsertOrganizations(admin, []*write.UpsertOrganizationInput{
			{ExternalSource: "s", ExternalID: "1", Name: "One"},
			{ExternalSource: "s", ExternalID: "2", Name: "Two"},
			{ExternalSource: "s", ExternalID: "3", Name: "Three", Email: ptr("not an email")},
		})
		var item *write.ItemError
		if !errors.As(err, &item) || item.Index != 2 || !ent.IsValidationError(err) {
			t.Fatalf("want a validation error on record 2, got %v", err)
		}
		_, err = wd.w.UpsertServices(admin, []*write.UpsertServiceInput{
			{ExternalSource: "s", ExternalID: "1", Name: "One", OrganizationID: &org},
			{ExternalSource: "s", ExternalID: "2", Name: "Two", OrganizationExternalID: ptr("nobody")},
		})
		var fe *write.FieldError
		if !errors.As(err, &item) || item.Index != 1 || !errors.As(err, &fe) || fe.Field != "organizationExternalID" {
			t.Fatalf("want an unknown reference on record 1, got %v", err)
		}
		// A create that re-points a phone that does not exist.
		_, err = wd.w.CreateService(admin, ent.CreateServiceInput{Name: "S", OrganizationID: org, PhoneIDs: []int{999_999_999}})
		if !errors.As(err, &fe) || fe.Field != "phoneIDs" {
			t.Fatalf("want a bad phoneIDs, got %v", err)
		}
		// A reference to a missing record is bad input, not a conflict.
		_, err = wd.w.CreateService(admin, ent.CreateServiceInput{Name: "S", OrganizationID: 999_999_999})
		if !errors.As(err, &fe) || fe.Field != "organizationID" {
			t.Fatalf("want a bad organizationID, got %v", err)
		}
		// A service whose capacity contradicts itself.
		_, err = wd.w.CreateService(admin, ent.CreateServiceInput{Name: "S", OrganizationID: org, CapacityAvailable: ptr(5), CapacityMaximum: ptr(2)})
		var dfe *directory.FieldError
		if !errors.As(err, &dfe) || dfe.Field != "capacityAvailable" {
			t.Fatalf("want a bad capacityAvailable, got %v", err)
		}
		if evs := wd.events(before); len(evs) > 0 {
			t.Fatalf("failed writes logged %v", describe(evs))
		}
		if n := must[int](t)(wd.c.Organization.Query().Count(wd.ctx)); n != orgsBefore {
			t.Fatalf("%d organizations, want %d", n, orgsBefore)
		}
		if n := must[int](t)(wd.c.Service.Query().Count(wd.ctx)); n != 0 {
			t.Fatalf("%d services written by failed calls", n)
		}
	})
}

// TestRelatedRecordChanges: linking records through the other side's input
// (phoneIDs on a service, resourceIDs on a program) writes those records,
// so each is authorized and logged.
func TestRelatedRecordChanges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		own, foreign := wd.org(), wd.org()
		editor := as(wd.ctx, auth.Editor, own)
		ownPhone := wd.record(ent.TypePhone, own)
		foreignPhone := wd.record(ent.TypePhone, foreign)

		// An editor cannot take another organization's phone.
		before := wd.lastEvent()
		_, err := wd.w.CreateService(editor, ent.CreateServiceInput{Name: "S", OrganizationID: own, PhoneIDs: []int{foreignPhone}})
		if !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("taking a foreign phone: %v", err)
		}
		if evs := wd.events(before); len(evs) > 0 {
			t.Fatalf("refused write logged %v", describe(evs))
		}
		// Its own: the phone is updated, and the feed says so.
		s, err := wd.w.CreateService(editor, ent.CreateServiceInput{Name: "S", OrganizationID: own, PhoneIDs: []int{ownPhone}})
		if err != nil {
			t.Fatal(err)
		}
		p := must[*ent.Phone](t)(wd.c.Phone.Get(wd.ctx, ownPhone))
		if p.ServiceID == nil || *p.ServiceID != s.ID || p.Version != 2 {
			t.Fatalf("phone: service %v version %d", p.ServiceID, p.Version)
		}
		got := describe(wd.events(before))
		if !slices.Contains(got, "UPDATE PHONE "+itoa(ownPhone)) || !slices.Contains(got, "CREATE SERVICE "+itoa(s.ID)) {
			t.Fatalf("events %v", got)
		}
		// Clearing unlinks it, logged again.
		if _, err := wd.w.UpdateService(editor, s.ID, ent.UpdateServiceInput{ClearPhones: true}, nil); err != nil {
			t.Fatal(err)
		}
		if p := must[*ent.Phone](t)(wd.c.Phone.Get(wd.ctx, ownPhone)); p.ServiceID != nil || p.Version != 3 {
			t.Fatalf("after clearPhones: service %v version %d", p.ServiceID, p.Version)
		}
		// A required parent cannot be removed from the parent's side.
		sal := wd.record(ent.TypeServiceAtLocation, own)
		salSvc := must[*ent.ServiceAtLocation](t)(wd.c.ServiceAtLocation.Get(wd.ctx, sal)).ServiceID
		_, err = wd.w.UpdateService(editor, salSvc, ent.UpdateServiceInput{RemoveServiceAtLocationIDs: []int{sal}}, nil)
		var fe *write.FieldError
		if !errors.As(err, &fe) || fe.Field != "removeServiceAtLocationIDs" {
			t.Fatalf("removing a required parent: %v", err)
		}
		// Many-to-many from the inverse side updates the owner.
		res := wd.record(ent.TypeResource, own)
		prog, err := wd.w.CreateProgram(wd.ctx, ent.CreateProgramInput{Name: "P", ResourceIDs: []int{res}})
		if err != nil {
			t.Fatal(err)
		}
		if r := must[*ent.Resource](t)(wd.c.Resource.Get(wd.ctx, res)); r.Version != 2 {
			t.Fatalf("resource linked from its program without an update (version %d)", r.Version)
		}
		if n := must[int](t)(wd.c.Resource.Query().Where(resource.ID(res), resource.HasProgramsWith(program.ID(prog.ID))).Count(wd.ctx)); n != 1 {
			t.Fatalf("link missing")
		}
	})
}

// TestResourceReview: submissions arrive SUBMITTED, from anyone, each with
// a token that tells its state; only admins review; a rejection needs a
// reason; only admins add a resource directly.
func TestResourceReview(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		reader := as(wd.ctx, auth.Reader)
		sub, err := wd.w.SubmitResource(reader, ent.CreateResourceInput{Title: "Tool", Kind: resource.KindTOOL}, ptr(" From a partner "))
		if err != nil || sub.Resource.Status != resource.StatusSUBMITTED || sub.Resource.SubmittedAt == nil || *sub.Resource.SubmitterNote != "From a partner" ||
			sub.Resource.SubmittedAnonymously == nil || *sub.Resource.SubmittedAnonymously {
			t.Fatalf("submit: %+v %v", sub, err)
		}
		r := sub.Resource
		if st, err := wd.w.SubmissionStatus(wd.ctx, sub.SubmissionToken); err != nil || st.Status != resource.StatusSUBMITTED || st.ReviewedAt != nil || st.ResourceID != 0 {
			t.Fatalf("status of a submission: %+v %v", st, err)
		}
		if _, err := wd.w.CreateResource(reader, ent.CreateResourceInput{Title: "T", Kind: resource.KindTOOL}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("a reader's createResource: %v, want FORBIDDEN (submitResource is the way)", err)
		}
		var fe *write.FieldError
		if _, err := wd.w.SubmitResource(reader, ent.CreateResourceInput{Title: "T", Kind: resource.KindTOOL, Status: ptr(resource.StatusPUBLISHED)}, nil); !errors.As(err, &fe) || fe.Field != "status" {
			t.Fatalf("submitting as published: %v", err)
		}
		anon, err := wd.w.SubmitResource(as(wd.ctx, auth.Anonymous), ent.CreateResourceInput{Title: "T", Kind: resource.KindTOOL}, nil)
		if err != nil || anon.Resource.SubmittedAnonymously == nil || !*anon.Resource.SubmittedAnonymously || anon.SubmissionToken == sub.SubmissionToken {
			t.Fatalf("anonymous submit: %+v %v", anon, err)
		}
		if _, err := wd.w.ReviewResource(as(wd.ctx, auth.Staff), r.ID, write.Reject, nil); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("staff review: %v", err)
		}
		admin := as(wd.ctx, auth.Admin)
		if _, err := wd.w.ReviewResource(admin, r.ID, write.Reject, ptr("  ")); !errors.As(err, &fe) || fe.Field != "reason" {
			t.Fatalf("reject without reason: %v", err)
		}
		got, err := wd.w.ReviewResource(admin, r.ID, write.Reject, ptr("Not about early childhood"))
		if err != nil || got.Status != resource.StatusREJECTED || got.ReviewNote != "Not about early childhood" {
			t.Fatalf("reject: %+v %v", got, err)
		}
		got, err = wd.w.ReviewResource(admin, r.ID, write.Publish, nil)
		if err != nil || got.Status != resource.StatusPUBLISHED || got.ReviewNote != "" || got.ReviewedAt == nil {
			t.Fatalf("publish: %+v %v", got, err)
		}
		if st, err := wd.w.SubmissionStatus(wd.ctx, sub.SubmissionToken); err != nil || st.Status != resource.StatusPUBLISHED || st.ReviewedAt == nil || st.ResourceID != r.ID {
			t.Fatalf("status of a published submission: %+v %v", st, err)
		}
		for _, token := range []string{"", "vls_", sub.SubmissionToken[:len(sub.SubmissionToken)-1] + "x", "vlg_" + sub.SubmissionToken[4:]} {
			if _, err := wd.w.SubmissionStatus(wd.ctx, token); !errors.Is(err, write.ErrNoSubmission) {
				t.Errorf("status of token %q: %v, want ErrNoSubmission", token, err)
			}
		}
		if _, err := wd.w.ReviewResource(admin, 999_999_999, write.Publish, nil); !ent.IsNotFound(err) {
			t.Fatalf("review of a missing resource: %v", err)
		}
	})
}

// TestJoinsCallerTransaction: inside a transaction already in ctx, writes
// join it, and rolling it back leaves neither records nor events.
func TestJoinsCallerTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		before := wd.lastEvent()
		tx, err := wd.c.Tx(wd.ctx)
		if err != nil {
			t.Fatal(err)
		}
		ctx := ent.NewContext(ent.NewTxContext(wd.ctx, tx), tx.Client())
		if _, err := wd.w.CreateOrganization(ctx, ent.CreateOrganizationInput{Name: "Temp"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if evs := wd.events(before); len(evs) > 0 {
			t.Fatalf("rolled-back write logged %v", describe(evs))
		}
		if n := must[int](t)(wd.c.Organization.Query().Count(context.Background())); n != 0 {
			t.Fatalf("rolled-back write kept %d organizations", n)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestUnchangedNeedsWriteAccess: an upsert that would change nothing still
// answers only a caller who may write the record.
func TestUnchangedNeedsWriteAccess(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		own, foreign := wd.org(), wd.org()
		in := []*write.UpsertServiceInput{{ExternalSource: "s", ExternalID: "1", Name: "Visits", OrganizationID: &foreign}}
		if _, err := wd.w.UpsertServices(wd.ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := wd.w.UpsertServices(as(wd.ctx, auth.Editor, own), in); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("foreign editor's unchanged upsert: %v", err)
		}
		res, err := wd.w.UpsertServices(as(wd.ctx, auth.Editor, foreign), in)
		if err != nil || res[0].Outcome != write.Unchanged {
			t.Fatalf("own editor's unchanged upsert: %v", err)
		}
	})
}
