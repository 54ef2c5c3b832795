package write_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/write"
)

// world is a test database with a Writer and helpers that make fresh
// records as trusted internal code (a context without a viewer).
type world struct {
	t   testing.TB
	db  *store.DB
	c   *ent.Client
	w   *write.Writer
	ctx context.Context
}

func newWorld(t testing.TB, db *store.DB) *world {
	return &world{t: t, db: db, c: db.Client, w: write.New(db.Client), ctx: context.Background()}
}

var serial atomic.Int64

func uniq(prefix string) string { return fmt.Sprintf("%s %d", prefix, serial.Add(1)) }

func ptr[T any](v T) *T { return &v }

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("setup: %v", err)
		}
		return v
	}
}

// Viewers for each role; editors are scoped per call.
func as(ctx context.Context, role auth.Role, orgs ...int) context.Context {
	name := string(role) + "-key"
	if role == auth.Anonymous {
		name = ""
	}
	return auth.WithViewer(ctx, auth.Viewer{Role: role, Name: name, Organizations: orgs})
}

func (wd *world) org() int {
	return must[*ent.Organization](wd.t)(wd.w.CreateOrganization(wd.ctx, ent.CreateOrganizationInput{Name: uniq("Org")})).ID
}

func (wd *world) service(org int) int {
	return must[*ent.Service](wd.t)(wd.w.CreateService(wd.ctx, ent.CreateServiceInput{Name: uniq("Service"), OrganizationID: org})).ID
}

func (wd *world) location(org int) int {
	return must[*ent.Location](wd.t)(wd.w.CreateLocation(wd.ctx, ent.CreateLocationInput{Name: uniq("Location"), OrganizationID: &org})).ID
}

// create makes a new record of typ for organization org, acting as ctx;
// the records it needs (a service for an area, say) are made by internal
// code first.
func (wd *world) create(ctx context.Context, typ string, org int) (int, error) {
	w := wd.w
	switch typ {
	case ent.TypeOrganization:
		r, err := w.CreateOrganization(ctx, ent.CreateOrganizationInput{Name: uniq("Org")})
		return idOf(r, err)
	case ent.TypeProgram:
		r, err := w.CreateProgram(ctx, ent.CreateProgramInput{Name: uniq("Program"), OrganizationID: &org})
		return idOf(r, err)
	case ent.TypeService:
		r, err := w.CreateService(ctx, ent.CreateServiceInput{Name: uniq("Service"), OrganizationID: org})
		return idOf(r, err)
	case ent.TypeLocation:
		r, err := w.CreateLocation(ctx, ent.CreateLocationInput{Name: uniq("Location"), OrganizationID: &org})
		return idOf(r, err)
	case ent.TypeServiceAtLocation:
		s, l := wd.service(org), wd.location(org)
		r, err := w.CreateServiceAtLocation(ctx, ent.CreateServiceAtLocationInput{ServiceID: s, LocationID: l})
		return idOf(r, err)
	case ent.TypeServiceArea:
		s := wd.service(org)
		r, err := w.CreateServiceArea(ctx, ent.CreateServiceAreaInput{ServiceID: s, Kind: servicearea.KindNATIONWIDE})
		return idOf(r, err)
	case ent.TypeTaxonomyTerm:
		r, err := w.CreateTaxonomyTerm(ctx, ent.CreateTaxonomyTermInput{Code: uniq("code"), Name: uniq("Term")})
		return idOf(r, err)
	case ent.TypePhone:
		r, err := w.CreatePhone(ctx, ent.CreatePhoneInput{Number: "617-555-0100", OrganizationID: &org})
		return idOf(r, err)
	case ent.TypeContact:
		r, err := w.CreateContact(ctx, ent.CreateContactInput{Name: ptr(uniq("Contact")), OrganizationID: &org})
		return idOf(r, err)
	case ent.TypeSchedule:
		s := wd.service(org)
		r, err := w.CreateSchedule(ctx, ent.CreateScheduleInput{ServiceID: &s, OpensAt: ptr("09:00"), ClosesAt: ptr("17:00")})
		return idOf(r, err)
	case ent.TypeResource:
		r, err := w.CreateResource(ctx, ent.CreateResourceInput{Title: uniq("Resource"), Kind: resource.KindGUIDE})
		return idOf(r, err)
	case ent.TypeFunding:
		r, err := w.CreateFunding(ctx, ent.CreateFundingInput{Source: uniq("Funder"), OrganizationID: &org})
		return idOf(r, err)
	}
	wd.t.Fatalf("no create for %s", typ)
	return 0, nil
}

// record makes a record of typ owned by org, as internal code (a published
// resource, for resources).
func (wd *world) record(typ string, org int) int {
	wd.t.Helper()
	if typ == ent.TypeOrganization {
		return org
	}
	if typ == ent.TypeResource {
		r := must[*ent.Resource](wd.t)(wd.w.CreateResource(wd.ctx, ent.CreateResourceInput{
			Title: uniq("Resource"), Kind: resource.KindGUIDE, Status: ptr(resource.StatusPUBLISHED), PublisherID: &org}))
		return r.ID
	}
	id, err := wd.create(wd.ctx, typ, org)
	if err != nil {
		wd.t.Fatalf("setup %s: %v", typ, err)
	}
	return id
}

// update changes a field of record id of typ, acting as ctx.
func (wd *world) update(ctx context.Context, typ string, id int, expected *int) (int, error) {
	w := wd.w
	switch typ {
	case ent.TypeOrganization:
		return versionOf(w.UpdateOrganization(ctx, id, ent.UpdateOrganizationInput{Description: ptr(uniq("changed"))}, expected))
	case ent.TypeProgram:
		return versionOf(w.UpdateProgram(ctx, id, ent.UpdateProgramInput{Description: ptr(uniq("changed"))}, expected))
	case ent.TypeService:
		return versionOf(w.UpdateService(ctx, id, ent.UpdateServiceInput{Description: ptr(uniq("changed"))}, expected))
	case ent.TypeLocation:
		return versionOf(w.UpdateLocation(ctx, id, ent.UpdateLocationInput{Description: ptr(uniq("changed"))}, expected))
	case ent.TypeServiceAtLocation:
		return versionOf(w.UpdateServiceAtLocation(ctx, id, ent.UpdateServiceAtLocationInput{Description: ptr(uniq("changed"))}, expected))
	case ent.TypeServiceArea:
		return versionOf(w.UpdateServiceArea(ctx, id, ent.UpdateServiceAreaInput{Name: ptr(uniq("Area"))}, expected))
	case ent.TypeTaxonomyTerm:
		return versionOf(w.UpdateTaxonomyTerm(ctx, id, ent.UpdateTaxonomyTermInput{Description: ptr(uniq("changed"))}, expected))
	case ent.TypePhone:
		return versionOf(w.UpdatePhone(ctx, id, ent.UpdatePhoneInput{Description: ptr(uniq("changed"))}, expected))
	case ent.TypeContact:
		return versionOf(w.UpdateContact(ctx, id, ent.UpdateContactInput{Title: ptr(uniq("changed"))}, expected))
	case ent.TypeSchedule:
		return versionOf(w.UpdateSchedule(ctx, id, ent.UpdateScheduleInput{Description: ptr(uniq("changed"))}, expected))
	case ent.TypeResource:
		return versionOf(w.UpdateResource(ctx, id, ent.UpdateResourceInput{Summary: ptr(uniq("changed"))}, expected))
	case ent.TypeFunding:
		return versionOf(w.UpdateFunding(ctx, id, ent.UpdateFundingInput{Description: ptr(uniq("changed"))}, expected))
	}
	wd.t.Fatalf("no update for %s", typ)
	return 0, nil
}

func idOf[T any](v T, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return entID(v), nil
}

// entID reads the ID of any ent entity.
func entID(v any) int {
	switch e := v.(type) {
	case *ent.Organization:
		return e.ID
	case *ent.Program:
		return e.ID
	case *ent.Service:
		return e.ID
	case *ent.Location:
		return e.ID
	case *ent.ServiceAtLocation:
		return e.ID
	case *ent.ServiceArea:
		return e.ID
	case *ent.TaxonomyTerm:
		return e.ID
	case *ent.Phone:
		return e.ID
	case *ent.Contact:
		return e.ID
	case *ent.Schedule:
		return e.ID
	case *ent.Resource:
		return e.ID
	case *ent.Funding:
		return e.ID
	}
	panic(fmt.Sprintf("entID: %T", v))
}

func versionOf[T any](v T, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	switch e := any(v).(type) {
	case *ent.Organization:
		return e.Version, nil
	case *ent.Program:
		return e.Version, nil
	case *ent.Service:
		return e.Version, nil
	case *ent.Location:
		return e.Version, nil
	case *ent.ServiceAtLocation:
		return e.Version, nil
	case *ent.ServiceArea:
		return e.Version, nil
	case *ent.TaxonomyTerm:
		return e.Version, nil
	case *ent.Phone:
		return e.Version, nil
	case *ent.Contact:
		return e.Version, nil
	case *ent.Schedule:
		return e.Version, nil
	case *ent.Resource:
		return e.Version, nil
	case *ent.Funding:
		return e.Version, nil
	}
	panic(fmt.Sprintf("versionOf: %T", v))
}

// events returns the change feed after sequence number after.
func (wd *world) events(after int) []*ent.ChangeEvent {
	wd.t.Helper()
	evs, err := wd.c.ChangeEvent.Query().Where(changeevent.IDGT(after)).Order(ent.Asc(changeevent.FieldID)).All(wd.ctx)
	if err != nil {
		wd.t.Fatalf("read feed: %v", err)
	}
	return evs
}

// lastEvent is the feed's last sequence number (0 when empty).
func (wd *world) lastEvent() int {
	wd.t.Helper()
	ev, err := wd.c.ChangeEvent.Query().Order(ent.Desc(changeevent.FieldID)).First(wd.ctx)
	if ent.IsNotFound(err) {
		return 0
	}
	if err != nil {
		wd.t.Fatalf("read feed: %v", err)
	}
	return ev.ID
}

func describe(evs []*ent.ChangeEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = fmt.Sprintf("%s %s %d", e.Operation, e.EntityType, e.EntityID)
	}
	return out
}
