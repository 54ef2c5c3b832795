package auth_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

func ptr[T any](v T) *T { return &v }

// viewers are the contexts the tests read as; "editor" edits organization 1
// (own) and not 2 (foreign).
func viewers() map[string]context.Context {
	bg := context.Background()
	return map[string]context.Context{
		"internal":  bg,
		"anonymous": auth.WithViewer(bg, auth.Viewer{Role: auth.Anonymous}),
		"reader":    auth.WithViewer(bg, auth.Viewer{Role: auth.Reader, Name: "app"}),
		"staff":     auth.WithViewer(bg, auth.Viewer{Role: auth.Staff, Name: "call center"}),
		"editor":    auth.WithViewer(bg, auth.Viewer{Role: auth.Editor, Name: "sync", Organizations: []int{1}}),
		"admin":     auth.WithViewer(bg, auth.Viewer{Role: auth.Admin, Name: "root"}),
	}
}

// TestVisibleRule is the rule itself, record by record and field by field.
func TestVisibleRule(t *testing.T) {
	own, foreign := ptr(1), ptr(2)
	secretOwn := &ent.Location{Confidential: true, OrganizationID: own}
	secretForeign := &ent.Location{Confidential: true, OrganizationID: foreign}
	secretOrphan := &ent.Location{Confidential: true}
	public := &ent.Location{OrganizationID: foreign}
	all := []string{"internal", "anonymous", "reader", "staff", "editor", "admin"}
	cases := []struct {
		name   string
		record any
		field  string
		want   []string // the viewers who see it
	}{
		{"confidential own address", secretOwn, location.FieldAddress1, []string{"internal", "staff", "editor", "admin"}},
		{"confidential own latitude", secretOwn, location.FieldLatitude, []string{"internal", "staff", "editor", "admin"}},
		{"confidential foreign address 2", secretForeign, location.FieldAddress2, []string{"internal", "staff", "admin"}},
		{"confidential foreign postal code", secretForeign, location.FieldPostalCode, []string{"internal", "staff", "admin"}},
		{"confidential foreign longitude", secretForeign, location.FieldLongitude, []string{"internal", "staff", "admin"}},
		{"confidential without organization", secretOrphan, location.FieldAddress1, []string{"internal", "staff", "admin"}},
		{"confidential city", secretForeign, location.FieldCity, all},
		{"confidential region", secretForeign, location.FieldRegion, all},
		{"confidential name", secretForeign, location.FieldName, all},
		{"public address", public, location.FieldAddress1, all},
		{"own internal notes", &ent.Service{OrganizationID: 1}, service.FieldInternalNotes, []string{"internal", "staff", "editor", "admin"}},
		{"foreign internal notes", &ent.Service{OrganizationID: 2}, service.FieldInternalNotes, []string{"internal", "staff", "admin"}},
		{"service name", &ent.Service{OrganizationID: 2}, service.FieldName, all},
		{"public phone", &ent.Phone{OrganizationID: foreign}, "", all},
		{"staff-only phone of own organization", &ent.Phone{StaffOnly: true, OrganizationID: own}, phone.FieldNumber, []string{"internal", "staff", "editor", "admin"}},
		{"staff-only phone of foreign organization", &ent.Phone{StaffOnly: true, OrganizationID: foreign}, "", []string{"internal", "staff", "admin"}},
		{"staff-only phone of own service (edge loaded)", &ent.Phone{StaffOnly: true, ServiceID: ptr(10), Edges: ent.PhoneEdges{Service: &ent.Service{ID: 10, OrganizationID: 1}}}, "", []string{"internal", "staff", "editor", "admin"}},
		{"staff-only phone of own service (edge not loaded)", &ent.Phone{StaffOnly: true, ServiceID: ptr(10)}, "", []string{"internal", "staff", "admin"}},
		{"staff-only phone of own location", &ent.Phone{StaffOnly: true, LocationID: ptr(11), Edges: ent.PhoneEdges{Location: &ent.Location{ID: 11, OrganizationID: own}}}, "", []string{"internal", "staff", "editor", "admin"}},
		{"published resource", &ent.Resource{Status: resource.StatusPUBLISHED}, "", all},
		{"submitted resource", &ent.Resource{Status: resource.StatusSUBMITTED}, resource.FieldTitle, []string{"internal", "admin"}},
		{"rejected resource", &ent.Resource{Status: resource.StatusREJECTED}, "", []string{"internal", "admin"}},
		{"published resource's submitter note", &ent.Resource{Status: resource.StatusPUBLISHED}, resource.FieldSubmitterNote, []string{"internal", "admin"}},
		{"published resource, submitted without a key?", &ent.Resource{Status: resource.StatusPUBLISHED}, resource.FieldSubmittedAnonymously, []string{"internal", "admin"}},
		{"published resource's submission time", &ent.Resource{Status: resource.StatusPUBLISHED}, resource.FieldSubmittedAt, all},
		{"a call record", &ent.CallRecord{}, "", []string{"internal", "admin"}},
		{"a call record's county", &ent.CallRecord{}, "county_fips", []string{"internal", "admin"}},
		{"an unrestricted type", &ent.Organization{}, "name", all},
	}
	vs := viewers()
	for _, c := range cases {
		for _, who := range all {
			if got, want := auth.Visible(vs[who], c.record, c.field), slices.Contains(c.want, who); got != want {
				t.Errorf("%s, %s: Visible = %v, want %v", c.name, who, got, want)
			}
		}
	}
}

// dir is a small directory: organization "own" (the editor's) and
// "foreign", each with a confidential location, a service with notes and
// staff-only phones reached every way a phone can be owned.
type dir struct {
	own, foreign                 int
	ownSecret, foreignSecret     int
	foreignPublic                int
	ownService, foreignService   int
	phones                       map[string]int
	published, submitted, denied int
}

func newDir(t *testing.T, c *ent.Client) *dir {
	t.Helper()
	ctx := context.Background()
	d := &dir{phones: map[string]int{}}
	d.own = c.Organization.Create().SetName("Own").SaveX(ctx).ID
	d.foreign = c.Organization.Create().SetName("Foreign").SaveX(ctx).ID
	loc := func(name string, org int, secret bool) int {
		return c.Location.Create().SetName(name).SetOrganizationID(org).SetConfidential(secret).
			SetAddress1("1 " + name + " St").SetAddress2("Floor 2").SetCity("Boston").SetRegion("MA").SetPostalCode("02121").
			SetLatitude(42.3).SetLongitude(-71.07).SaveX(ctx).ID
	}
	d.ownSecret, d.foreignSecret, d.foreignPublic = loc("Own shelter", d.own, true), loc("Foreign shelter", d.foreign, true), loc("Foreign clinic", d.foreign, false)
	d.ownService = c.Service.Create().SetName("Own visits").SetOrganizationID(d.own).SetInternalNotes("own notes").SaveX(ctx).ID
	d.foreignService = c.Service.Create().SetName("Foreign visits").SetOrganizationID(d.foreign).SetInternalNotes("foreign notes").SaveX(ctx).ID
	ownSAL := c.ServiceAtLocation.Create().SetServiceID(d.ownService).SetLocationID(d.ownSecret).SaveX(ctx).ID
	foreignSAL := c.ServiceAtLocation.Create().SetServiceID(d.foreignService).SetLocationID(d.foreignSecret).SaveX(ctx).ID
	ownContact := c.Contact.Create().SetName("Own nurse").SetServiceID(d.ownService).SaveX(ctx).ID
	foreignContact := c.Contact.Create().SetName("Foreign nurse").SetServiceAtLocationID(foreignSAL).SaveX(ctx).ID
	add := func(name string, staffOnly bool, set func(*ent.PhoneCreate)) {
		b := c.Phone.Create().SetNumber("617-555-01" + name[:2]).SetDescription(name).SetStaffOnly(staffOnly)
		set(b)
		d.phones[name] = b.SaveX(ctx).ID
	}
	add("10 public, own location", false, func(b *ent.PhoneCreate) { b.SetLocationID(d.ownSecret) })
	add("11 public, foreign service", false, func(b *ent.PhoneCreate) { b.SetServiceID(d.foreignService) })
	add("20 staff, own organization", true, func(b *ent.PhoneCreate) { b.SetOrganizationID(d.own) })
	add("21 staff, own service", true, func(b *ent.PhoneCreate) { b.SetServiceID(d.ownService) })
	add("22 staff, own location", true, func(b *ent.PhoneCreate) { b.SetLocationID(d.ownSecret) })
	add("23 staff, own service at location", true, func(b *ent.PhoneCreate) { b.SetServiceAtLocationID(ownSAL) })
	add("24 staff, own contact", true, func(b *ent.PhoneCreate) { b.SetContactID(ownContact) })
	add("30 staff, foreign organization", true, func(b *ent.PhoneCreate) { b.SetOrganizationID(d.foreign) })
	add("31 staff, foreign service", true, func(b *ent.PhoneCreate) { b.SetServiceID(d.foreignService) })
	add("32 staff, foreign location", true, func(b *ent.PhoneCreate) { b.SetLocationID(d.foreignSecret) })
	add("33 staff, foreign service at location", true, func(b *ent.PhoneCreate) { b.SetServiceAtLocationID(foreignSAL) })
	add("34 staff, foreign contact", true, func(b *ent.PhoneCreate) { b.SetContactID(foreignContact) })
	// The owner field decides, as in the guard: the organization first.
	add("35 staff, foreign organization, own service", true, func(b *ent.PhoneCreate) { b.SetOrganizationID(d.foreign).SetServiceID(d.ownService) })
	add("40 staff, no owner", true, func(*ent.PhoneCreate) {})
	res := func(title string, st resource.Status) int {
		return c.Resource.Create().SetTitle(title).SetKind(resource.KindGUIDE).SetStatus(st).SetPublisherID(d.own).SaveX(ctx).ID
	}
	d.published, d.submitted, d.denied = res("Published", resource.StatusPUBLISHED), res("Submitted", resource.StatusSUBMITTED), res("Rejected", resource.StatusREJECTED)
	return d
}

// editorCtx reads as an editor of the fixture's own organization.
func (d *dir) editorCtx() context.Context {
	return auth.WithViewer(context.Background(), auth.Viewer{Role: auth.Editor, Name: "sync", Organizations: []int{d.own}})
}

func (d *dir) ctxs() map[string]context.Context {
	vs := viewers()
	vs["editor"] = d.editorCtx()
	return vs
}

// TestPhoneFilterMatchesVisible checks that the SQL filter on phones and
// Visible agree for every viewer and every way a phone is owned, on the
// root query, eager-loaded edges, counts and traversals.
func TestPhoneFilterMatchesVisible(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newDir(t, db.Client)
		c := db.Client
		trusted := c.Phone.Query().
			WithService().WithLocation().
			WithServiceAtLocation(func(q *ent.ServiceAtLocationQuery) { q.WithService() }).
			WithContact(func(q *ent.ContactQuery) {
				q.WithService().WithServiceAtLocation(func(q *ent.ServiceAtLocationQuery) { q.WithService() })
			}).
			AllX(context.Background())
		if len(trusted) != len(d.phones) {
			t.Fatalf("internal code sees %d phones, want all %d", len(trusted), len(d.phones))
		}
		for who, ctx := range d.ctxs() {
			var want []string
			for _, p := range trusted {
				if auth.Visible(ctx, p, "") {
					want = append(want, p.Description)
				}
			}
			slices.Sort(want)
			got := descriptions(c.Phone.Query().AllX(ctx))
			if !slices.Equal(got, want) {
				t.Errorf("%s: phones %q, want %q", who, got, want)
			}
			if n := c.Phone.Query().CountX(ctx); n != len(want) {
				t.Errorf("%s: count %d, want %d", who, n, len(want))
			}
			// Eager-loaded under every owner, and reached by traversal.
			var nested []string
			for _, o := range c.Organization.Query().WithPhones().AllX(ctx) {
				nested = append(nested, descriptions(o.Edges.Phones)...)
			}
			for _, s := range c.Service.Query().WithPhones().AllX(ctx) {
				nested = append(nested, descriptions(s.Edges.Phones)...)
			}
			for _, l := range c.Location.Query().WithPhones().AllX(ctx) {
				nested = append(nested, descriptions(l.Edges.Phones)...)
			}
			for _, s := range c.ServiceAtLocation.Query().WithPhones().AllX(ctx) {
				nested = append(nested, descriptions(s.Edges.Phones)...)
			}
			for _, ct := range c.Contact.Query().WithPhones().AllX(ctx) {
				nested = append(nested, descriptions(ct.Edges.Phones)...)
			}
			slices.Sort(nested)
			withOwner := slices.DeleteFunc(slices.Clone(want), func(s string) bool { return s == "40 staff, no owner" })
			// Phone 35 hangs off both an organization and a service.
			if slices.Contains(withOwner, "35 staff, foreign organization, own service") {
				withOwner = append(withOwner, "35 staff, foreign organization, own service")
				slices.Sort(withOwner)
			}
			if !slices.Equal(nested, withOwner) {
				t.Errorf("%s: eager-loaded phones %q, want %q", who, nested, withOwner)
			}
			trav := descriptions(c.Service.Query().Where(service.ID(d.foreignService)).QueryPhones().AllX(ctx))
			var wantTrav []string
			for _, w := range want {
				if w == "11 public, foreign service" || w == "31 staff, foreign service" {
					wantTrav = append(wantTrav, w)
				}
			}
			if !slices.Equal(trav, wantTrav) {
				t.Errorf("%s: phones by traversal %q, want %q", who, trav, wantTrav)
			}
			// A hidden phone is not found, by ID or through its contact.
			_, err := c.Phone.Get(ctx, d.phones["34 staff, foreign contact"])
			if visible := slices.Contains(want, "34 staff, foreign contact"); visible != (err == nil) || (err != nil && !ent.IsNotFound(err)) {
				t.Errorf("%s: get a foreign staff-only phone: %v (visible %v)", who, err, visible)
			}
			viaPhone := c.Phone.Query().Where(phone.ID(d.phones["34 staff, foreign contact"])).QueryContact().CountX(ctx)
			if visible := slices.Contains(want, "34 staff, foreign contact"); viaPhone != map[bool]int{true: 1, false: 0}[visible] {
				t.Errorf("%s: traversal from a hidden phone reached %d contacts", who, viaPhone)
			}
		}
		// Spot-check the expectations themselves.
		ctxs := d.ctxs()
		for who, n := range map[string]int{"anonymous": 2, "reader": 2, "staff": 14, "admin": 14, "internal": 14, "editor": 7} {
			if got := c.Phone.Query().CountX(ctxs[who]); got != n {
				t.Errorf("%s sees %d phones, want %d", who, got, n)
			}
		}
	})
}

func descriptions(ps []*ent.Phone) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Description)
	}
	slices.Sort(out)
	return out
}

// TestResourceFilter: only admins (and internal code) see unpublished
// resources, in lists, counts, by ID and through their publisher.
func TestResourceFilter(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newDir(t, db.Client)
		c := db.Client
		for who, ctx := range d.ctxs() {
			want := 1
			if who == "admin" || who == "internal" {
				want = 3
			}
			if n := c.Resource.Query().CountX(ctx); n != want {
				t.Errorf("%s: %d resources, want %d", who, n, want)
			}
			if n := len(c.Organization.Query().Where(organization.ID(d.own)).QueryResources().AllX(ctx)); n != want {
				t.Errorf("%s: %d resources by traversal, want %d", who, n, want)
			}
			org := c.Organization.Query().Where(organization.ID(d.own)).WithResources().OnlyX(ctx)
			if n := len(org.Edges.Resources); n != want {
				t.Errorf("%s: %d eager-loaded resources, want %d", who, n, want)
			}
			_, err := c.Resource.Get(ctx, d.submitted)
			if (want == 3) != (err == nil) || (err != nil && !ent.IsNotFound(err)) {
				t.Errorf("%s: get a submitted resource: %v", who, err)
			}
			ids := c.Resource.Query().IDsX(ctx)
			if len(ids) != want {
				t.Errorf("%s: %d resource IDs, want %d", who, len(ids), want)
			}
		}
	})
}

type locView struct {
	address1, address2, postal, city string
	lat, lon                         *float64
	confidential                     bool
}

func viewOf(l *ent.Location) locView {
	return locView{l.Address1, l.Address2, l.PostalCode, l.City, l.Latitude, l.Longitude, l.Confidential}
}

func (v locView) hidden() bool {
	return v.address1 == "" && v.address2 == "" && v.postal == "" && v.lat == nil && v.lon == nil && v.city == "Boston"
}

func (v locView) shown() bool {
	return v.address1 != "" && v.address2 != "" && v.postal == "02121" && v.lat != nil && v.lon != nil && v.city == "Boston"
}

// TestLocationRedaction: a confidential location's address and
// coordinates are blank for whoever may not read them, whatever the query
// selects and however the location is reached.
func TestLocationRedaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newDir(t, db.Client)
		c := db.Client
		seesOwn := map[string]bool{"internal": true, "staff": true, "admin": true, "editor": true}
		seesForeign := map[string]bool{"internal": true, "staff": true, "admin": true}
		for who, ctx := range d.ctxs() {
			check := func(path string, l *ent.Location) {
				t.Helper()
				v := viewOf(l)
				var want bool
				switch l.ID {
				case d.ownSecret:
					want = seesOwn[who]
				case d.foreignSecret:
					want = seesForeign[who]
				default:
					want = true
				}
				if want && !v.shown() || !want && !v.hidden() {
					t.Errorf("%s, %s, location %d: %+v, want shown=%v", who, path, l.ID, v, want)
				}
			}
			for _, l := range c.Location.Query().AllX(ctx) {
				check("all", l)
			}
			check("get", c.Location.GetX(ctx, d.foreignSecret))
			check("get own", c.Location.GetX(ctx, d.ownSecret))
			// Selecting only restricted columns: the rule adds what it needs.
			for _, l := range c.Location.Query().Select(location.FieldAddress1, location.FieldAddress2, location.FieldPostalCode,
				location.FieldLatitude, location.FieldLongitude, location.FieldCity).AllX(ctx) {
				if l.ID == d.foreignPublic {
					continue
				}
				v := viewOf(l)
				if !v.confidential && !seesForeign[who] {
					t.Errorf("%s: selecting address columns did not load confidential", who)
				}
				check("select", l)
			}
			// Eager-loaded under service at location, and by traversal.
			for _, s := range c.Service.Query().WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) { q.WithLocation() }).AllX(ctx) {
				for _, sal := range s.Edges.ServiceAtLocations {
					check("service.serviceAtLocations.location", sal.Edges.Location)
				}
			}
			for _, l := range c.Service.Query().QueryServiceAtLocations().QueryLocation().AllX(ctx) {
				check("traversal", l)
			}
			// In a transaction too.
			tx, err := c.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			check("tx", tx.Location.GetX(ctx, d.foreignSecret))
			_ = tx.Rollback()
			// Scans cannot be blanked: restricted columns are refused; the
			// rest works.
			var rows []struct {
				Latitude *float64 `json:"latitude"`
			}
			err = c.Location.Query().Select(location.FieldLatitude).Scan(ctx, &rows)
			if seesForeign[who] != (err == nil) || (err != nil && !errors.Is(err, auth.ErrForbidden)) {
				t.Errorf("%s: scanning latitudes: %v", who, err)
			}
			if n := len(c.Location.Query().IDsX(ctx)); n != 3 {
				t.Errorf("%s: %d location IDs, want 3", who, n)
			}
			if n := c.Location.Query().CountX(ctx); n != 3 {
				t.Errorf("%s: %d locations counted, want 3", who, n)
			}
			// Internal notes.
			for _, s := range c.Service.Query().AllX(ctx) {
				want := seesForeign[who] || (who == "editor" && s.ID == d.ownService)
				if got := s.InternalNotes != ""; got != want {
					t.Errorf("%s: notes of %s shown %v, want %v", who, s.Name, got, want)
				}
			}
			s := c.Service.Query().Where(service.ID(d.ownService)).Select(service.FieldInternalNotes).OnlyX(ctx)
			if got, want := s.InternalNotes != "", seesOwn[who]; got != want {
				t.Errorf("%s: own notes selected alone shown %v, want %v", who, got, want)
			}
		}
	})
}

// TestRedactionNeverWritesBack: what a viewer reads blanked is only the
// query's copy; writes (made by those allowed to) keep the stored values,
// and an update returns the record as written.
func TestRedactionNeverWritesBack(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newDir(t, db.Client)
		c := db.Client
		public := viewers()["anonymous"]
		admin := viewers()["admin"]
		blank := c.Location.GetX(public, d.ownSecret)
		if !viewOf(blank).hidden() {
			t.Fatalf("anonymous read %+v", viewOf(blank))
		}
		// An admin updates the record the public read, by that entity.
		updated := c.Location.UpdateOne(blank).SetName("Renamed shelter").SaveX(admin)
		if !viewOf(updated).shown() {
			t.Errorf("admin's update returned %+v", viewOf(updated))
		}
		// The own organization's editor updates it and gets it back whole.
		edited := c.Location.UpdateOneID(d.ownSecret).SetDescription("Intake by phone").SaveX(d.editorCtx())
		if !viewOf(edited).shown() || edited.Name != "Renamed shelter" {
			t.Errorf("editor's update returned %+v", viewOf(edited))
		}
		notes := c.Service.UpdateOneID(d.ownService).SetName("Own home visits").SaveX(d.editorCtx())
		if notes.InternalNotes != "own notes" {
			t.Errorf("editor's service update returned notes %q", notes.InternalNotes)
		}
		stored := c.Location.GetX(context.Background(), d.ownSecret)
		if !viewOf(stored).shown() || stored.Address1 != "1 Own shelter St" || stored.Description != "Intake by phone" {
			t.Errorf("stored after updates: %+v", stored)
		}
		if s := c.Service.GetX(context.Background(), d.ownService); s.InternalNotes != "own notes" {
			t.Errorf("stored notes %q", s.InternalNotes)
		}
		// The editor may still not write another organization's record it
		// cannot read in full.
		if err := c.Location.UpdateOneID(d.foreignSecret).SetName("x").Exec(d.editorCtx()); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("editor updating a foreign location: %v", err)
		}
		// Nor learn about a foreign staff-only phone by writing to it.
		err := c.Phone.UpdateOneID(d.phones["30 staff, foreign organization"]).SetNumber("617-555-0000").Exec(d.editorCtx())
		if !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("editor updating a foreign staff-only phone: %v", err)
		}
		if p := c.Phone.GetX(context.Background(), d.phones["30 staff, foreign organization"]); p.Number == "617-555-0000" {
			t.Error("foreign staff-only phone was changed")
		}
	})
}

// TestAdminSeesEverything reads everything as an admin through a
// transaction's client, the way upserts read before they write.
func TestAdminSeesEverything(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newDir(t, db.Client)
		admin := viewers()["admin"]
		tx, err := db.Client.Tx(admin)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if n := tx.Phone.Query().CountX(admin); n != len(d.phones) {
			t.Errorf("admin sees %d phones, want %d", n, len(d.phones))
		}
		if n := tx.Resource.Query().CountX(admin); n != 3 {
			t.Errorf("admin sees %d resources, want 3", n)
		}
		if l := tx.Location.GetX(admin, d.foreignSecret); !viewOf(l).shown() {
			t.Errorf("admin reads %+v", viewOf(l))
		}
	})
}

// TestWithoutReadRules: a write's own look-ups see every row, as the same
// viewer.
func TestWithoutReadRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newDir(t, db.Client)
		ctx := auth.WithoutReadRules(viewers()["anonymous"])
		if v, ok := auth.FromContext(ctx); !ok || v.Role != auth.Anonymous {
			t.Fatalf("viewer lost: %+v %v", v, ok)
		}
		if n := db.Client.Phone.Query().CountX(ctx); n != len(d.phones) {
			t.Errorf("%d phones, want %d", n, len(d.phones))
		}
		if n := db.Client.Resource.Query().CountX(ctx); n != 3 {
			t.Errorf("%d resources, want 3", n)
		}
		if l := db.Client.Location.GetX(ctx, d.foreignSecret); !viewOf(l).shown() {
			t.Errorf("location %+v", viewOf(l))
		}
	})
}

// TestEventTypeNames holds the feed's type names spelled out in package auth
// (which package feed imports) to feed.EntityType.
func TestEventTypeNames(t *testing.T) {
	for typ, name := range map[string]string{
		ent.TypePhone: auth.EventTypePhone, ent.TypeResource: auth.EventTypeResource, ent.TypeFunding: auth.EventTypeFunding,
		ent.TypeCallRecord: auth.EventTypeCallRecord,
	} {
		if got := feed.EntityType(typ); got != name {
			t.Errorf("feed.EntityType(%s) = %s, auth says %s", typ, got, name)
		}
	}
}
