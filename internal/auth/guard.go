package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
)

// WriteGuard is the one authorization layer every write passes: an ent
// hook installed on every client, so GraphQL mutations, imports and any
// future path are checked the same way.
//
//	anonymous  submit a library resource (status SUBMITTED) only
//	reader     as anonymous
//	staff      as anonymous
//	           (and log calls: create call records)
//	editor     as reader, and create/update/delete the programs, services,
//	           locations, service areas, service-at-locations, phones,
//	           contacts and schedules of its own organizations, and update
//	           those organizations
//	admin      everything
//
// A submission is the one write a viewer who may not write the directory
// makes, and it comes only through the submission path (AsSubmission):
// createResource is for admins, so the submission limits and checks of
// package write cannot be walked around.
//
// It also keeps the organization and taxonomy term hierarchies free of
// cycles (checkHierarchy), for every viewer including internal code.
func WriteGuard() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if err := authorize(ctx, m); err != nil {
				return nil, err
			}
			// After authorizing, so a caller who may not write the record
			// learns nothing about the hierarchy it sits in.
			if err := checkHierarchy(ctx, m); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}
}

// ForbiddenError says why a write was refused, without saying whether the
// record exists.
type ForbiddenError struct{ Reason string }

func (e *ForbiddenError) Error() string { return "forbidden: " + e.Reason }
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

func forbid(format string, args ...any) error {
	return &ForbiddenError{Reason: fmt.Sprintf(format, args...)}
}

// owned are the types an editor may write for its own organizations.
var owned = []string{
	ent.TypeProgram, ent.TypeService, ent.TypeLocation, ent.TypeServiceArea, ent.TypeServiceAtLocation,
	ent.TypePhone, ent.TypeContact, ent.TypeSchedule,
}

func authorize(ctx context.Context, m ent.Mutation) error {
	// The guard judges every record a write touches, hidden ones included.
	ctx = WithoutReadRules(ctx)
	v, ok := FromContext(ctx)
	if !ok || v.Role == Admin || m.Type() == ent.TypeChangeEvent {
		return nil // internal code, admins, and the feed's own events
	}
	if m.Type() == ent.TypeCallRecord {
		return mayLogCall(v, m.Op())
	}
	if m.Type() == ent.TypeResource && m.Op().Is(ent.OpCreate) {
		if !isSubmission(ctx) {
			return forbid("only an admin adds a library resource directly; submit one for review with submitResource")
		}
		return checkSubmission(m)
	}
	if err := roleMayWrite(v); err != nil {
		return err
	}
	typ := m.Type()
	if typ == ent.TypeOrganization && m.Op().Is(ent.OpUpdateOne) {
		id, _ := m.(interface{ ID() (int, bool) }).ID()
		if err := editorMayChange(ctx, nil, v, typ, id); err != nil {
			return err
		}
		if parent, set := m.Field("parent_id"); set && !slices.Contains(v.Organizations, parent.(int)) {
			return forbid("an editor cannot move an organization under one it does not edit")
		}
		return nil
	}
	if typ == ent.TypeOrganization { // editors update their organizations, never create or delete one
		return forbid("an editor cannot change %s records", typ)
	}
	client := mutationClient(m)
	// The record as it is: its owner must be the editor's.
	if !m.Op().Is(ent.OpCreate) {
		ids, err := MutationIDs(ctx, m)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := editorMayChange(ctx, client, v, typ, id); err != nil {
				return err
			}
		}
	} else if !slices.Contains(owned, typ) {
		return forbid("an editor cannot change %s records", typ)
	}
	// The record as it will be: a create, or an update that re-points it.
	if m.Op().Is(ent.OpCreate) || movesOwner(m) {
		org, found, decidedBy, err := newOwner(ctx, client, m)
		if err != nil {
			return err
		}
		if !found || !slices.Contains(v.Organizations, org) {
			return forbid("an editor can create records only for its own organizations")
		}
		// Every record it will hang from must be the editor's too, not
		// only the one that decides its owner: a phone of its own
		// organization at another's location would be counted, cleared
		// and shown with that location, and a service placed at another's
		// location would be listed there.
		for _, f := range slices.Concat(ownerFields[typ], placedAt[typ]) {
			ref, set := m.Field(f)
			if !set || f == decidedBy {
				continue
			}
			refOrg, found, err := ownerOf(ctx, client, fieldTypes[f], ref.(int))
			if err != nil {
				return err
			}
			if found && refOrg != 0 && !slices.Contains(v.Organizations, refOrg) {
				return forbid("an editor can attach records only to its own organizations' records")
			}
		}
	}
	return nil
}

// mayLogCall is the rule for call records: staff (and admins, allowed
// before) create them; nobody else writes one, and only admins change or
// delete one (the retention sweep runs as an admin).
func mayLogCall(v Viewer, op ent.Op) error {
	switch {
	case op.Is(ent.OpCreate) && v.Role == Staff:
		return nil
	case op.Is(ent.OpCreate) && v.Role == Anonymous:
		return forbid("logging a call needs a staff or admin key")
	case op.Is(ent.OpCreate):
		return forbid("a %s key cannot log calls: staff and admin keys do", strings.ToLower(string(v.Role)))
	}
	return forbid("only an admin changes or deletes call records")
}

// MayLogCall refuses, before anything is read or resolved, the viewers
// that may not log a call (all but staff, admins and internal code).
func MayLogCall(ctx context.Context) error {
	v, ok := FromContext(ctx)
	if !ok || v.Role == Admin {
		return nil
	}
	return mayLogCall(v, ent.OpCreate)
}

// MayWriteDirectory refuses, before anything is read, the viewers no
// directory write can come from (anonymous, reader and staff: they may only
// submit resources, with submitResource), so a caller learns FORBIDDEN rather than anything about
// the records it named. It is the guard's own first rule.
func MayWriteDirectory(ctx context.Context) error {
	v, ok := FromContext(ctx)
	if !ok {
		return nil
	}
	return roleMayWrite(v)
}

// MayChange reports whether the viewer may change (update or delete) the
// existing record id of type typ, by the guard's own ownership rule,
// without writing anything: callers ask it before revealing anything about
// the record (its version, what depends on it). A missing record is
// NOT_FOUND where that reveals nothing hidden.
func MayChange(ctx context.Context, c *ent.Client, typ string, id int) error {
	ctx = WithoutReadRules(ctx)
	v, ok := FromContext(ctx)
	if !ok || v.Role == Admin {
		return nil
	}
	if err := roleMayWrite(v); err != nil {
		return err
	}
	return editorMayChange(ctx, c, v, typ, id)
}

// roleMayWrite is the coarse rule: only editors and admins write the
// directory.
func roleMayWrite(v Viewer) error {
	switch v.Role {
	case Admin, Editor:
		return nil
	case Anonymous:
		return forbid("writing needs an API key")
	case Reader, Staff:
		return forbid("a %s key cannot change the directory", strings.ToLower(string(v.Role)))
	}
	return forbid("unknown role")
}

// editorMayChange is the ownership rule for an existing record: an editor
// changes its own organizations and the records they own.
func editorMayChange(ctx context.Context, c *ent.Client, v Viewer, typ string, id int) error {
	if typ == ent.TypeOrganization {
		if !slices.Contains(v.Organizations, id) {
			return forbid("an editor can change only its own organizations")
		}
		return nil
	}
	if !slices.Contains(owned, typ) {
		return forbid("an editor cannot change %s records", typ)
	}
	org, found, err := ownerOf(ctx, c, typ, id)
	if err != nil {
		return err
	}
	if !found {
		// Absent: say so only for types whose records are all public;
		// otherwise the answer could reveal a hidden one.
		if typ == ent.TypePhone {
			return forbid("an editor can change only its own organizations' records")
		}
		return &ent.NotFoundError{}
	}
	if !slices.Contains(v.Organizations, org) {
		return forbid("an editor can change only its own organizations' records")
	}
	return nil
}

// checkSubmission lets anyone submit a resource for review, and nothing
// more: it arrives SUBMITTED, unreviewed.
func checkSubmission(m ent.Mutation) error {
	if st, set := m.Field(resource.FieldStatus); set && fmt.Sprint(st) != resource.StatusSUBMITTED.String() {
		return forbid("a submitted resource starts as SUBMITTED; an admin reviews it")
	}
	if _, set := m.Field(resource.FieldReviewNote); set {
		return forbid("only an admin writes a review note")
	}
	if _, set := m.Field(resource.FieldReviewedAt); set {
		return forbid("only an admin reviews a resource")
	}
	return nil
}

func mutationClient(m ent.Mutation) *ent.Client {
	return m.(interface{ Client() *ent.Client }).Client()
}

// MutationIDs lists the records an update or delete touches (the change
// feed asks the same question of every write it logs).
func MutationIDs(ctx context.Context, m ent.Mutation) ([]int, error) {
	if id, ok := m.(interface{ ID() (int, bool) }).ID(); ok {
		return []int{id}, nil
	}
	return m.(interface {
		IDs(context.Context) ([]int, error)
	}).IDs(ctx)
}

// ownerFields are the foreign keys that tie a record to its owner, in the
// order they decide it.
var ownerFields = map[string][]string{
	ent.TypeProgram:           {"organization_id"},
	ent.TypeService:           {"organization_id"},
	ent.TypeLocation:          {"organization_id"},
	ent.TypeServiceArea:       {"service_id"},
	ent.TypeServiceAtLocation: {"service_id"},
	ent.TypePhone:             {"organization_id", "service_id", "location_id", "service_at_location_id", "contact_id"},
	ent.TypeContact:           {"organization_id", "service_id", "service_at_location_id"},
	ent.TypeSchedule:          {"service_id", "location_id", "service_at_location_id"},
}

// placedAt are the fields that tie a record to another organization's
// record without deciding its owner: a service at a location.
var placedAt = map[string][]string{ent.TypeServiceAtLocation: {"location_id"}}

// fieldTypes names the type each owner field points at.
var fieldTypes = map[string]string{
	"organization_id": ent.TypeOrganization, "service_id": ent.TypeService, "location_id": ent.TypeLocation,
	"service_at_location_id": ent.TypeServiceAtLocation, "contact_id": ent.TypeContact,
}

// movesOwner reports whether a write re-points a record at another owner or
// place.
func movesOwner(m ent.Mutation) bool {
	for _, f := range slices.Concat(ownerFields[m.Type()], placedAt[m.Type()]) {
		if _, set := m.Field(f); set {
			return true
		}
	}
	return false
}

// newOwner is the organization a created or re-pointed record will belong
// to, and the owner field that decides it ("" when none is set).
func newOwner(ctx context.Context, c *ent.Client, m ent.Mutation) (org int, found bool, field string, err error) {
	for _, f := range ownerFields[m.Type()] {
		if v, set := m.Field(f); set {
			org, found, err = ownerOf(ctx, c, fieldTypes[f], v.(int))
			return org, found, f, err
		}
	}
	if m.Op().Is(ent.OpUpdateOne) { // re-pointing cleared the owner: keep the old one's answer
		id, _ := m.(interface{ ID() (int, bool) }).ID()
		org, found, err = ownerOf(ctx, c, m.Type(), id)
		return org, found, "", err
	}
	return 0, false, "", nil
}

// ownerOf is the organization a record belongs to (0 when it has none) and
// whether the record exists.
func ownerOf(ctx context.Context, c *ent.Client, typ string, id int) (int, bool, error) {
	val := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	var err error
	switch typ {
	case ent.TypeOrganization:
		ok, err := c.Organization.Query().Where(organization.ID(id)).Exist(ctx)
		return id, ok, err
	case ent.TypeProgram:
		var p *ent.Program
		if p, err = c.Program.Query().Where(program.ID(id)).Select(program.FieldOrganizationID).Only(ctx); err == nil {
			return val(p.OrganizationID), true, nil
		}
	case ent.TypeService:
		var s *ent.Service
		if s, err = c.Service.Query().Where(service.ID(id)).Select(service.FieldOrganizationID).Only(ctx); err == nil {
			return s.OrganizationID, true, nil
		}
	case ent.TypeLocation:
		var l *ent.Location
		if l, err = c.Location.Query().Where(location.ID(id)).Select(location.FieldOrganizationID).Only(ctx); err == nil {
			return val(l.OrganizationID), true, nil
		}
	case ent.TypeServiceArea:
		var a *ent.ServiceArea
		if a, err = c.ServiceArea.Query().Where(servicearea.ID(id)).Select(servicearea.FieldServiceID).Only(ctx); err == nil {
			return ownerOf(ctx, c, ent.TypeService, a.ServiceID)
		}
	case ent.TypeServiceAtLocation:
		var s *ent.ServiceAtLocation
		if s, err = c.ServiceAtLocation.Query().Where(serviceatlocation.ID(id)).Select(serviceatlocation.FieldServiceID).Only(ctx); err == nil {
			return ownerOf(ctx, c, ent.TypeService, s.ServiceID)
		}
	case ent.TypePhone:
		var p *ent.Phone
		if p, err = c.Phone.Query().Where(phone.ID(id)).Only(ctx); err == nil {
			return firstOwner(ctx, c, map[string]*int{"organization_id": p.OrganizationID, "service_id": p.ServiceID,
				"location_id": p.LocationID, "service_at_location_id": p.ServiceAtLocationID, "contact_id": p.ContactID}, ownerFields[typ])
		}
	case ent.TypeContact:
		var ct *ent.Contact
		if ct, err = c.Contact.Query().Where(contact.ID(id)).Only(ctx); err == nil {
			return firstOwner(ctx, c, map[string]*int{"organization_id": ct.OrganizationID, "service_id": ct.ServiceID,
				"service_at_location_id": ct.ServiceAtLocationID}, ownerFields[typ])
		}
	case ent.TypeSchedule:
		var s *ent.Schedule
		if s, err = c.Schedule.Query().Where(schedule.ID(id)).Only(ctx); err == nil {
			return firstOwner(ctx, c, map[string]*int{"service_id": s.ServiceID, "location_id": s.LocationID,
				"service_at_location_id": s.ServiceAtLocationID}, ownerFields[typ])
		}
	default:
		return 0, false, fmt.Errorf("no owner rule for %s", typ)
	}
	if ent.IsNotFound(err) {
		return 0, false, nil
	}
	return 0, false, err
}

func firstOwner(ctx context.Context, c *ent.Client, fks map[string]*int, order []string) (int, bool, error) {
	for _, f := range order {
		if id := fks[f]; id != nil {
			org, _, err := ownerOf(ctx, c, fieldTypes[f], *id)
			return org, true, err
		}
	}
	return 0, true, nil
}
