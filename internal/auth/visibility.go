package auth

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	entgo "entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/predicate"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
)

// What the public may not read, and who may:
//
//	record             restricted                              who reads it
//	confidential       address_1, address_2, postal_code,      staff, admin, and editors of the
//	  Location           latitude, longitude                     location's organization
//	staff-only Phone   the whole record (absent, not blanked)  staff, admin, and editors of the
//	                                                              phone's owner (ownerOf's rule)
//	Service            internal_notes                          staff, admin, and editors of the
//	                                                              service's organization
//	Resource that is   the whole record (absent)               admin
//	  not PUBLISHED
//	Resource           submitter_note, submitted_anonymously   admin
//	                     (what a submitter told the reviewers)
//	CallRecord         the whole record (absent), and its      admin
//	                     change events
//
// Anonymous viewers and readers see none of it; a context without a viewer
// (trusted internal code: the CLI, the seed, imports) sees everything.
//
// A confidential location keeps its name, description, city, region and
// country: a town says where to look for help without saying where the
// shelter is. Its postal code is withheld with the street address, because
// a ZIP (often a few thousand households, some a single building) narrows a
// shelter down as much as a street does, and the coordinates are withheld
// because they are the address.
//
// An unpublished resource is seen by admins only, who review it. Its
// submitter gets it back from the submission itself (a create returns the
// record it wrote, without a query) but cannot look it up afterwards: the
// schema records no submitting key, and an editor or reader of the
// publisher is not its reviewer.
//
// Visible is the rule; ReadRules applies it to every query every ent client
// runs, so every read path agrees: lists and their counts, node and nodes,
// nested edges, and the matcher. A blanked text field is the empty string
// (the ent field is a non-nillable string), a blanked coordinate is nil.
//
// Filters: the interceptors narrow the query a where filter is applied to,
// but not the EXISTS subqueries of its has… predicates (hasFundingsWith
// and hasFundings: true/false), which would then answer for hidden
// records. ReadableFilter narrows those too, by the same row rules, and
// graph applies it to every where input it reads (@readable), so a filter
// is evaluated over the records the viewer may read, whoever the viewer.
// A restricted column of a record the viewer reads (a confidential
// location's address1, postalCode or latitude; a service's internal notes)
// is not a row rule: such columns are left out of the where inputs
// (entgql.Skip(entgql.SkipWhereInput) in the schema). So are the edges to
// phones and resources: they were removed before filters were narrowed,
// and ReadableFilter would cover them if they came back.

// confidentialLocationFields are withheld from a confidential location.
var confidentialLocationFields = []string{
	location.FieldAddress1, location.FieldAddress2, location.FieldPostalCode,
	location.FieldLatitude, location.FieldLongitude,
}

// Visible reports whether the viewer in ctx may read field (an ent field
// name, such as "address_1") of record. For a Phone the answer is the same
// for every field (including ""): the record is visible or it is absent;
// so for a Resource, but for its submitter's note and whether it came
// without a key, which only admins read whatever its status.
// Types and fields with no restriction are visible.
//
// An editor reads its own organizations' restricted fields. A phone's
// owner is decided as the write guard decides it (its organization, else
// its service's, location's, service at location's, or contact's); here it
// is read from the phone's owner ID and the edges loaded on it, and a phone
// whose owner cannot be told that way is not visible to an editor. Queries
// do not depend on that: they filter phones in SQL with the same rule.
func Visible(ctx context.Context, record any, field string) bool {
	switch r := record.(type) {
	case *ent.Location:
		if r == nil || !r.Confidential || !slices.Contains(confidentialLocationFields, field) {
			return true
		}
		return SeesRestricted(ctx, owners(r.OrganizationID)...)
	case *ent.Service:
		if r == nil || field != service.FieldInternalNotes {
			return true
		}
		return SeesRestricted(ctx, r.OrganizationID)
	case *ent.Phone:
		if r == nil || !r.StaffOnly {
			return true
		}
		if IsStaff(ctx) {
			return true
		}
		org, known := phoneOwner(r)
		return known && SeesRestricted(ctx, org)
	case *ent.Resource:
		if r == nil || r.Status == resource.StatusPUBLISHED && !slices.Contains(reviewerResourceFields, field) {
			return true
		}
		return IsAdmin(ctx)
	case *ent.CallRecord:
		return r == nil || IsAdmin(ctx)
	}
	return true
}

// reviewerResourceFields are what a submitter tells the reviewers: only
// admins read them, even once the resource is published.
var reviewerResourceFields = []string{resource.FieldSubmitterNote, resource.FieldSubmittedAnonymously}

func owners(id *int) []int {
	if id == nil {
		return nil
	}
	return []int{*id}
}

// phoneOwner is the organization a phone belongs to, by the guard's order
// of owner fields, as far as the phone's fields and loaded edges tell.
func phoneOwner(p *ent.Phone) (int, bool) {
	switch {
	case p.OrganizationID != nil:
		return *p.OrganizationID, true
	case p.ServiceID != nil:
		if s := p.Edges.Service; s != nil {
			return s.OrganizationID, true
		}
	case p.LocationID != nil:
		if l := p.Edges.Location; l != nil {
			if l.OrganizationID == nil {
				return 0, true
			}
			return *l.OrganizationID, true
		}
	case p.ServiceAtLocationID != nil:
		if sal := p.Edges.ServiceAtLocation; sal != nil && sal.Edges.Service != nil {
			return sal.Edges.Service.OrganizationID, true
		}
	case p.ContactID != nil:
		if c := p.Edges.Contact; c != nil {
			switch {
			case c.OrganizationID != nil:
				return *c.OrganizationID, true
			case c.ServiceID != nil && c.Edges.Service != nil:
				return c.Edges.Service.OrganizationID, true
			case c.ServiceAtLocationID != nil && c.Edges.ServiceAtLocation != nil && c.Edges.ServiceAtLocation.Edges.Service != nil:
				return c.Edges.ServiceAtLocation.Edges.Service.OrganizationID, true
			case c.ServiceID == nil && c.ServiceAtLocationID == nil:
				return 0, true
			}
		}
	default:
		return 0, true
	}
	return 0, false
}

// ReadRules are the interceptors that apply Visible to every query of a
// client; package store installs them on every client it opens, next to
// the write hooks:
//
//   - rows the viewer may not see at all are filtered in SQL (staff-only
//     phones, unpublished resources and their fundings, change events
//     of those that were hidden before and after the change, and for the
//     public every change event), on
//     every query step: lists, counts,
//     node and nodes, eager-loaded edges, edge counts and graph traversals
//     through them, so a hidden record is simply not found;
//   - restricted fields of the rows returned are blanked (a confidential
//     location's address and coordinates, a service's internal notes, a
//     resource's submitter note and whether it came without a key), on
//     every query that returns records, including eager-loaded edges (ent
//     gives them the client's interceptors) and entgql's pagination and
//     node look-ups. When a query selects only some columns, the columns
//     the rule needs (confidential, organization_id) are added to it.
//
// They only ever touch query results, never a mutation: an update or
// create returns the record it wrote without a query, so nothing blanked
// here can be written back. Only the viewers who may write a record (its
// organization's editors, admins) write it, and they read it unblanked.
func ReadRules() []ent.Interceptor {
	return []ent.Interceptor{
		ent.TraverseFunc(filterRows),
		ent.InterceptFunc(redactFields),
	}
}

type unfilteredKey struct{}

// WithoutReadRules returns ctx, still acting as its viewer, for the look-ups
// a write makes about the records it changes (which children a cascade
// deletes, which records a bulk update touches) and that must see every
// row, hidden ones included, so the write guard and the change feed judge
// and log every record the write affects. Nothing read with it may be
// shown to the viewer.
func WithoutReadRules(ctx context.Context) context.Context {
	return context.WithValue(ctx, unfilteredKey{}, true)
}

func readRulesOff(ctx context.Context) bool {
	off, _ := ctx.Value(unfilteredKey{}).(bool)
	return off
}

// filterRows narrows phone, resource, funding and change event queries, on
// every query step, to the rows the viewer may see.
func filterRows(ctx context.Context, q ent.Query) error {
	switch q := q.(type) {
	case *ent.PhoneQuery:
		if p := phoneRule(ctx); p != nil {
			q.Where(p)
		}
	case *ent.ResourceQuery:
		if p := resourceRule(ctx); p != nil {
			q.Where(p)
		}
	case *ent.FundingQuery:
		if p := fundingRule(ctx); p != nil {
			q.Where(p)
		}
	case *ent.ChangeEventQuery:
		if p := changeEventRule(ctx); p != nil {
			q.Where(p)
		}
	case *ent.CallRecordQuery:
		if p := callRecordRule(ctx); p != nil {
			q.Where(p)
		}
	}
	return nil
}

// The row rules: for each type whose records may be hidden from a viewer,
// the predicate that keeps a query, or a filter on that type, to the
// records ctx may read; nil when ctx reads them all. filterRows applies
// them to queries, restrictFilter to where inputs.

func phoneRule(ctx context.Context) predicate.Phone {
	if readRulesOff(ctx) || IsStaff(ctx) {
		return nil
	}
	return VisiblePhones(ctx)
}

func resourceRule(ctx context.Context) predicate.Resource {
	if readRulesOff(ctx) || IsAdmin(ctx) {
		return nil
	}
	return resource.StatusEQ(resource.StatusPUBLISHED)
}

// fundingRule: a funding of an unpublished resource is as hidden as the
// resource.
func fundingRule(ctx context.Context) predicate.Funding {
	if readRulesOff(ctx) || IsAdmin(ctx) {
		return nil
	}
	return VisibleFundings(ctx)
}

// changeEventRule: the change feed needs an API key, so the public reads no
// change event by any path (changes refuses it; node and nodes find none).
func changeEventRule(ctx context.Context) predicate.ChangeEvent {
	if readRulesOff(ctx) {
		return nil
	}
	if v, ok := FromContext(ctx); ok && v.Role == Anonymous {
		return func(s *sql.Selector) { s.Where(sql.False()) }
	}
	if IsAdmin(ctx) {
		return nil
	}
	return VisibleChangeEvents(ctx)
}

// callRecordRule: call records are read by admins only (and trusted
// internal code); for anyone else there are none, by every path.
func callRecordRule(ctx context.Context) predicate.CallRecord {
	if readRulesOff(ctx) || IsAdmin(ctx) {
		return nil
	}
	return func(s *sql.Selector) { s.Where(sql.False()) }
}

// restrictFilter adds to where, a where input on a type whose records may
// be hidden from ctx, that type's row rule, and reports whether it did.
func restrictFilter(ctx context.Context, where any) bool {
	switch w := where.(type) {
	case *ent.PhoneWhereInput:
		if p := phoneRule(ctx); p != nil {
			w.AddPredicates(p)
			return true
		}
	case *ent.ResourceWhereInput:
		if p := resourceRule(ctx); p != nil {
			w.AddPredicates(p)
			return true
		}
	case *ent.FundingWhereInput:
		if p := fundingRule(ctx); p != nil {
			w.AddPredicates(p)
			return true
		}
	case *ent.ChangeEventWhereInput:
		if p := changeEventRule(ctx); p != nil {
			w.AddPredicates(p)
			return true
		}
	case *ent.CallRecordWhereInput:
		if p := callRecordRule(ctx); p != nil {
			w.AddPredicates(p)
			return true
		}
	}
	return false
}

// ReadableFilter narrows where, one of ent's generated where inputs
// (*ent.ServiceWhereInput and the like), to the records ctx may read, so
// that whether a filter matches says nothing about a hidden record:
//
//   - a filter on a type whose records may be hidden (a phone, a resource,
//     a funding, a change event) gets that type's row rule as one more
//     predicate, wherever it stands: a list's where, inside not, and or
//     or, or in another filter's has…With, whose EXISTS subquery the read
//     interceptors never see;
//   - has…: true and has…: false on an edge to such a type ask for a
//     readable record at its end: has…With that type's row rule, or not
//     that.
//
// It rewrites where itself, not the inputs nested in it: graph runs it on
// every where input gqlgen reads (the @readable directive, ent/entc.go),
// nested ones included. Each generated where input pairs every has… Boolean
// with a has…With list; one that does not is an error, not a filter let
// through.
func ReadableFilter(ctx context.Context, where any) error {
	v := reflect.ValueOf(where)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("auth: %T is not a where input", where)
	}
	restrictFilter(ctx, where)
	w := v.Elem()
	for i := range w.NumField() {
		f := w.Type().Field(i)
		has := w.Field(i)
		if !strings.HasPrefix(f.Name, "Has") || f.Type != reflect.TypeFor[*bool]() || has.IsNil() {
			continue
		}
		with := w.FieldByName(f.Name + "With")
		if !with.IsValid() || with.Kind() != reflect.Slice || with.Type().Elem().Kind() != reflect.Pointer {
			return fmt.Errorf("auth: %T.%s has no %sWith list to narrow it with", where, f.Name, f.Name)
		}
		readable := reflect.New(with.Type().Elem().Elem())
		if !restrictFilter(ctx, readable.Interface()) {
			continue // ctx reads every record at the edge's end
		}
		if has.Elem().Bool() {
			with.Set(reflect.Append(with, readable))
		} else {
			and := w.FieldByName("And")
			if !and.IsValid() || and.Type() != reflect.SliceOf(v.Type()) {
				return fmt.Errorf("auth: %T has no and list to narrow %s with", where, f.Name)
			}
			hasReadable := reflect.New(w.Type())
			hasReadable.Elem().FieldByName(f.Name + "With").Set(reflect.Append(reflect.Zero(with.Type()), readable))
			lacksReadable := reflect.New(w.Type())
			lacksReadable.Elem().FieldByName("Not").Set(hasReadable)
			and.Set(reflect.Append(and, lacksReadable))
		}
		has.SetZero()
	}
	return nil
}

// The feed's names (feed.EntityType) of the types whose records can be
// hidden from a keyed viewer; package feed imports this one, so they are
// spelled out here (a test holds them to feed.EntityType).
const (
	EventTypePhone    = "PHONE"
	EventTypeResource = "RESOURCE"
	EventTypeFunding  = "FUNDING"
	// EventTypeCallRecord's events are shown to admins only.
	EventTypeCallRecord = "CALL_RECORD"
)

// VisibleChangeEvents is the SQL form of Visible for the change feed: an
// event is shown when the viewer could read the record before or after the
// change, so the feed (its IDs, versions, actors and count) says nothing
// about a staff-only phone, an unpublished resource or its fundings that
// node() would not, yet a key learns of every change to what it reads:
// the change that hides a record from it (a phone made staff-only, a
// resource unpublished) and the tombstone of a record it could read. It is
// one predicate inside the feed's own query: no statement per event, and
// pages, cursors and totalCount all count the same events.
//
// The feed records with each event whether the record was restricted both
// before and after the change (changeevent.restricted; after it for a
// CREATE, before it for a DELETE). Readers see every event that is not
// restricted. Editors too, and besides those the events of a phone that
// exists now and that they may read now (their own organizations' staff-
// only phones; a deleted one's events are no longer shown, its owner
// unknown). Staff see every phone event, and of resources and fundings the
// unrestricted events and those of a record that exists and is visible
// now. Field-level restrictions (a confidential address, internal notes)
// hide no event: the record itself is readable.
//
// Events written before the feed recorded restricted have it false, so they
// are shown whatever their record was: a database with a history of
// hidden records keeps those events visible to readers.
//
// Call records are read by admins only, and so are their events: every
// other key's feed leaves CALL_RECORD events out, whatever their
// restricted flag says.
func VisibleChangeEvents(ctx context.Context) predicate.ChangeEvent {
	if IsAdmin(ctx) {
		return func(*sql.Selector) {}
	}
	staff := IsStaff(ctx)
	phones := VisiblePhones(ctx)
	v, _ := FromContext(ctx)
	editor := v.Role == Editor
	return func(s *sql.Selector) {
		// existing: the events of entityType whose record exists now and
		// passes rule.
		existing := func(entityType, table string, rule func(*sql.Selector)) *sql.Predicate {
			t := sql.Table(table)
			rows := sql.Dialect(s.Dialect()).Select(t.C("id")).From(t)
			rows.Where(sql.ColumnsEQ(rows.C("id"), s.C(changeevent.FieldEntityID)))
			rule(rows)
			return sql.And(sql.EQ(s.C(changeevent.FieldEntityType), entityType), sql.Exists(rows))
		}
		// Only the three restrictable types' events are ever restricted.
		shown := []*sql.Predicate{sql.EQ(s.C(changeevent.FieldRestricted), false)}
		switch {
		case staff:
			shown = append(shown,
				sql.EQ(s.C(changeevent.FieldEntityType), EventTypePhone),
				existing(EventTypeResource, resource.Table, resource.StatusEQ(resource.StatusPUBLISHED)),
				existing(EventTypeFunding, funding.Table, VisibleFundings(ctx)))
		case editor:
			shown = append(shown, existing(EventTypePhone, phone.Table, phones))
		}
		s.Where(sql.And(sql.NEQ(s.C(changeevent.FieldEntityType), EventTypeCallRecord), sql.Or(shown...)))
	}
}

// VisibleFundings is the SQL form of Visible for fundings: a funding of an
// unpublished resource is as hidden as the resource, from all but admins.
func VisibleFundings(ctx context.Context) predicate.Funding {
	if IsAdmin(ctx) {
		return func(*sql.Selector) {}
	}
	return funding.Or(funding.ResourceIDIsNil(), funding.HasResourceWith(resource.StatusEQ(resource.StatusPUBLISHED)))
}

// VisiblePhones is the SQL form of Visible for phones: the public ones and,
// for an editor, its own organizations' (owned as the guard decides: the
// phone's organization, else its service's, location's, service at
// location's or contact's).
func VisiblePhones(ctx context.Context) predicate.Phone {
	if IsStaff(ctx) {
		return func(*sql.Selector) {} // every phone
	}
	v, _ := FromContext(ctx)
	if v.Role != Editor || len(v.Organizations) == 0 {
		return phone.StaffOnly(false)
	}
	orgs := v.Organizations
	ownService := service.OrganizationIDIn(orgs...)
	ownSAL := serviceatlocation.HasServiceWith(ownService)
	ownContact := contact.Or(
		contact.OrganizationIDIn(orgs...),
		contact.And(contact.OrganizationIDIsNil(), contact.HasServiceWith(ownService)),
		contact.And(contact.OrganizationIDIsNil(), contact.ServiceIDIsNil(), contact.HasServiceAtLocationWith(ownSAL)),
	)
	return phone.Or(
		phone.StaffOnly(false),
		phone.OrganizationIDIn(orgs...),
		phone.And(phone.OrganizationIDIsNil(), phone.HasServiceWith(ownService)),
		phone.And(phone.OrganizationIDIsNil(), phone.ServiceIDIsNil(), phone.HasLocationWith(location.OrganizationIDIn(orgs...))),
		phone.And(phone.OrganizationIDIsNil(), phone.ServiceIDIsNil(), phone.LocationIDIsNil(), phone.HasServiceAtLocationWith(ownSAL)),
		phone.And(phone.OrganizationIDIsNil(), phone.ServiceIDIsNil(), phone.LocationIDIsNil(), phone.ServiceAtLocationIDIsNil(),
			phone.HasContactWith(ownContact)),
	)
}

// redactFields blanks the restricted fields of the locations and services
// a query returns.
func redactFields(next ent.Querier) ent.Querier {
	return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
		var restricted, needed []string
		seesAll := IsStaff(ctx)
		switch q.(type) {
		case *ent.LocationQuery:
			restricted, needed = confidentialLocationFields, []string{location.FieldConfidential, location.FieldOrganizationID}
		case *ent.ServiceQuery:
			restricted, needed = []string{service.FieldInternalNotes}, []string{service.FieldOrganizationID}
		case *ent.ResourceQuery:
			restricted, seesAll = reviewerResourceFields, IsAdmin(ctx)
		default:
			return next.Query(ctx, q)
		}
		if seesAll || readRulesOff(ctx) {
			return next.Query(ctx, q)
		}
		fields, err := selectedFields(q)
		if err != nil {
			return nil, err
		}
		// All columns (none named), or some restricted ones with what the
		// rule needs to decide.
		selectsRestricted := len(fields) == 0 || slices.ContainsFunc(fields, func(f string) bool { return slices.Contains(restricted, f) })
		if len(fields) > 0 && selectsRestricted && !returnsRecords(ctx) {
			// A scan into the caller's own values (Select().Scan, IDs,
			// GroupBy) cannot be blanked: refuse restricted columns.
			return nil, &ForbiddenError{Reason: fmt.Sprintf("reading %v needs a key that may read them", fields)}
		}
		if len(fields) > 0 && selectsRestricted {
			var missing []string
			for _, f := range needed {
				if !slices.Contains(fields, f) {
					missing = append(missing, f)
				}
			}
			if len(missing) > 0 {
				switch q := q.(type) {
				case *ent.LocationQuery:
					q.Select(missing...)
				case *ent.ServiceQuery:
					q.Select(missing...)
				}
			}
		}
		v, err := next.Query(ctx, q)
		if err != nil {
			return v, err
		}
		switch rows := v.(type) {
		case []*ent.Location:
			for _, l := range rows {
				redactLocation(ctx, l)
			}
		case []*ent.Service:
			for _, s := range rows {
				if !Visible(ctx, s, service.FieldInternalNotes) {
					s.InternalNotes = ""
				}
			}
		case []*ent.Resource:
			for _, r := range rows {
				if !Visible(ctx, r, resource.FieldSubmitterNote) {
					r.SubmitterNote, r.SubmittedAnonymously = nil, nil
				}
			}
		case int:
			// A count reveals no field.
		default:
			// Not records after all: refuse restricted columns (the scan
			// may have failed already on the columns the rule added).
			if len(fields) > 0 && selectsRestricted {
				return nil, &ForbiddenError{Reason: fmt.Sprintf("reading %v needs a key that may read them", fields)}
			}
		}
		return v, nil
	})
}

// returnsRecords reports whether the query running in ctx returns records
// (All, First, Only, and the eager loading under them) rather than
// scanning into the caller's values. Eager-loaded edges run in their
// parent's query context, which is always one that returns records.
func returnsRecords(ctx context.Context) bool {
	qc := entgo.QueryFromContext(ctx)
	if qc == nil {
		return true
	}
	switch qc.Op {
	case entgo.OpQueryAll, entgo.OpQueryFirst, entgo.OpQueryOnly, "":
		return true
	}
	return false
}

// redactLocation blanks what the viewer may not read of l.
func redactLocation(ctx context.Context, l *ent.Location) {
	if l == nil || !l.Confidential {
		return
	}
	// One rule covers every confidentialLocationFields field.
	if !Visible(ctx, l, location.FieldAddress1) {
		l.Address1, l.Address2, l.PostalCode, l.Latitude, l.Longitude = "", "", "", nil, nil
	}
}

// selectedFields returns the columns a query selects (none: all of them).
// ent keeps them in the builder's unexported query context; they are read
// (never written) by reflection, so a query that selects some columns can
// be given the ones the rules need. If ent's generated builders change
// shape, this fails loudly rather than guessing.
func selectedFields(q ent.Query) ([]string, error) {
	v := reflect.ValueOf(q)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		if c := v.Elem().FieldByName("ctx"); c.IsValid() && c.Kind() == reflect.Pointer && !c.IsNil() {
			if f := c.Elem().FieldByName("Fields"); f.IsValid() && f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String {
				out := make([]string, f.Len())
				for i := range out {
					out[i] = f.Index(i).String()
				}
				return out, nil
			}
		}
	}
	return nil, fmt.Errorf("auth: cannot read the selected fields of %T", q)
}
