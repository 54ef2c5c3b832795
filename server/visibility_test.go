package server_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file read one small directory through the HTTP
// handler as each kind of viewer, by every path a record can be reached:
// root lists and their counts, node, nodes, and nested edges.

// vDir is the directory: organization Harbor (the editor's) and Beacon
// (another), each with a confidential location, Beacon also a public one;
// a service each with internal notes; phones public and staff-only; a
// published, a submitted and a rejected resource.
type vDir struct {
	harbor, beacon                          int
	harborShelter, beaconShelter, beaconHub int
	harborVisits, beaconVisits              int
	phones                                  map[int]string // ID → what it is
	staffOnly                               map[int]bool
	harborPhones                            map[int]bool // owned by Harbor
	published, submitted, rejected          int
}

func newVDir(t *testing.T, c *ent.Client) *vDir {
	t.Helper()
	ctx := context.Background() // internal code: writes freely
	d := &vDir{phones: map[int]string{}, staffOnly: map[int]bool{}, harborPhones: map[int]bool{}}
	d.harbor = c.Organization.Create().SetName("Harbor Family Services").SaveX(ctx).ID
	d.beacon = c.Organization.Create().SetName("Beacon Health").SaveX(ctx).ID
	loc := func(name string, org int, secret bool) int {
		return c.Location.Create().SetName(name).SetOrganizationID(org).SetConfidential(secret).
			SetAddress1("12 " + name + " Street").SetAddress2("Unit 3").SetCity("Boston").SetRegion("MA").
			SetPostalCode("02121").SetCountry("US").SetLatitude(42.3073).SetLongitude(-71.0745).SaveX(ctx).ID
	}
	d.harborShelter = loc("Harbor shelter", d.harbor, true)
	d.beaconShelter = loc("Beacon shelter", d.beacon, true)
	d.beaconHub = loc("Beacon hub", d.beacon, false)
	d.harborVisits = c.Service.Create().SetName("Harbor visits").SetOrganizationID(d.harbor).SetInternalNotes("Harbor: ask for Dana").SaveX(ctx).ID
	d.beaconVisits = c.Service.Create().SetName("Beacon visits").SetOrganizationID(d.beacon).SetInternalNotes("Beacon: referrals by fax").SaveX(ctx).ID
	harborSAL := c.ServiceAtLocation.Create().SetServiceID(d.harborVisits).SetLocationID(d.harborShelter).SaveX(ctx).ID
	c.ServiceAtLocation.Create().SetServiceID(d.beaconVisits).SetLocationID(d.beaconShelter).SaveX(ctx)
	beaconSAL := c.ServiceAtLocation.Create().SetServiceID(d.beaconVisits).SetLocationID(d.beaconHub).SaveX(ctx).ID
	contact := c.Contact.Create().SetName("Dana Reyes").SetServiceID(d.harborVisits).SaveX(ctx).ID
	phone := func(what string, staffOnly, harbor bool, set func(*ent.PhoneCreate)) {
		b := c.Phone.Create().SetNumber("617-555-01" + what[:2]).SetStaffOnly(staffOnly)
		set(b)
		id := b.SaveX(ctx).ID
		d.phones[id], d.staffOnly[id], d.harborPhones[id] = what, staffOnly, harbor
	}
	phone("10 public, Harbor shelter", false, true, func(b *ent.PhoneCreate) { b.SetLocationID(d.harborShelter) })
	phone("11 public, Beacon visits", false, false, func(b *ent.PhoneCreate) { b.SetServiceID(d.beaconVisits) })
	phone("20 staff, Harbor shelter", true, true, func(b *ent.PhoneCreate) { b.SetLocationID(d.harborShelter) })
	phone("21 staff, Harbor contact", true, true, func(b *ent.PhoneCreate) { b.SetContactID(contact) })
	phone("22 staff, Harbor at shelter", true, true, func(b *ent.PhoneCreate) { b.SetServiceAtLocationID(harborSAL) })
	phone("30 staff, Beacon", true, false, func(b *ent.PhoneCreate) { b.SetOrganizationID(d.beacon) })
	phone("31 staff, Beacon visits", true, false, func(b *ent.PhoneCreate) { b.SetServiceID(d.beaconVisits) })
	phone("32 staff, Beacon hub", true, false, func(b *ent.PhoneCreate) { b.SetServiceAtLocationID(beaconSAL) })
	res := func(title string, st resource.Status) int {
		return c.Resource.Create().SetTitle(title).SetKind(resource.KindGUIDE).SetStatus(st).SetPublisherID(d.harbor).SaveX(ctx).ID
	}
	d.published = res("Safe Sleep Guide", resource.StatusPUBLISHED)
	d.submitted = res("Draft Toolkit", resource.StatusSUBMITTED)
	d.rejected = res("Spam", resource.StatusREJECTED)
	return d
}

// vViewer is one kind of client and what it may see.
type vViewer struct {
	name          string
	k             keyed
	harborSecrets bool // Harbor's confidential address, staff-only phones, notes
	beaconSecrets bool
	unpublished   bool
}

func (d *vDir) viewers(t *testing.T, db *store.DB, a *api) []vViewer {
	return []vViewer{
		{name: "anonymous", k: a.as("")},
		{name: "reader", k: a.as(mustKey(t, db, "Partner app", auth.Reader))},
		{name: "staff", k: a.as(mustKey(t, db, "Call center", auth.Staff)), harborSecrets: true, beaconSecrets: true},
		{name: "admin", k: a.as(mustKey(t, db, "Administrator", auth.Admin)), harborSecrets: true, beaconSecrets: true, unpublished: true},
		{name: "Harbor editor", k: a.as(mustKey(t, db, "Harbor sync", auth.Editor, d.harbor)), harborSecrets: true},
		{name: "Beacon editor", k: a.as(mustKey(t, db, "Beacon sync", auth.Editor, d.beacon)), beaconSecrets: true},
	}
}

// vLocation is a location as the API shows it.
type vLocation struct {
	ID                             string
	Name                           string
	Confidential                   *bool
	Address1, Address2, PostalCode *string
	City, Region                   *string
	Latitude, Longitude            *float64
}

func empty(s *string) bool { return s == nil || *s == "" }

// check says whether l shows exactly what v may see of it.
func (d *vDir) checkLocation(t *testing.T, v vViewer, path string, l vLocation) {
	t.Helper()
	id, err := relay.Decode(l.ID)
	if err != nil {
		t.Fatalf("%s, %s: location ID %q", v.name, path, l.ID)
	}
	want := map[int]bool{d.harborShelter: v.harborSecrets, d.beaconShelter: v.beaconSecrets, d.beaconHub: true}[id]
	// Withheld is null, never "" (which reads as "no address").
	hidden := l.Address1 == nil && l.Address2 == nil && l.PostalCode == nil && l.Latitude == nil && l.Longitude == nil
	shown := !empty(l.Address1) && !empty(l.Address2) && !empty(l.PostalCode) && l.Latitude != nil && l.Longitude != nil
	if want && !shown || !want && !hidden {
		t.Errorf("%s, %s: location %s shows address %v %v %v, coordinates %v %v; want shown=%v",
			v.name, path, l.Name, deref(l.Address1), deref(l.Address2), deref(l.PostalCode), l.Latitude, l.Longitude, want)
	}
	// The town stays public: it says where to look, not where the shelter is.
	if l.City != nil && *l.City != "Boston" {
		t.Errorf("%s, %s: city %q", v.name, path, *l.City)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

type vService struct {
	ID            string
	Name          string
	InternalNotes *string
}

func (d *vDir) checkService(t *testing.T, v vViewer, path string, s vService) {
	t.Helper()
	id, _ := relay.Decode(s.ID)
	want := map[int]bool{d.harborVisits: v.harborSecrets, d.beaconVisits: v.beaconSecrets}[id]
	if got := !empty(s.InternalNotes); got != want {
		t.Errorf("%s, %s: %s internal notes %q, want shown=%v", v.name, path, s.Name, deref(s.InternalNotes), want)
	}
}

const vLocationFields = `id name confidential address1 address2 postalCode city region latitude longitude`

// TestConfidentialLocationsOnEveryPath reads the confidential addresses
// by every path as every viewer.
func TestConfidentialLocationsOnEveryPath(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		ids := []any{relay.Encode(d.harborShelter), relay.Encode(d.beaconShelter), relay.Encode(d.beaconHub)}
		for _, v := range d.viewers(t, db, a) {
			// Root list, with its count.
			var list struct {
				Locations struct {
					TotalCount int
					Edges      []struct{ Node vLocation }
				}
			}
			v.k.ok(`{ locations(first: 10) { totalCount edges { node { `+vLocationFields+` } } } }`, nil, &list)
			if list.Locations.TotalCount != 3 || len(list.Locations.Edges) != 3 {
				t.Errorf("%s: %d locations of %d, want 3", v.name, len(list.Locations.Edges), list.Locations.TotalCount)
			}
			for _, e := range list.Locations.Edges {
				d.checkLocation(t, v, "locations", e.Node)
			}
			// The restricted fields alone, without confidential: the rule
			// loads what it needs itself.
			v.k.ok(`{ locations(first: 10) { edges { node { id latitude address1 address2 postalCode longitude } } } }`, nil, &list)
			for _, e := range list.Locations.Edges {
				d.checkLocation(t, v, "locations (address only)", e.Node)
			}
			// Filtered and ordered lists.
			v.k.ok(`{ locations(where: {confidential: true}, orderBy: {field: NAME}) { edges { node { `+vLocationFields+` } } } }`, nil, &list)
			if len(list.Locations.Edges) != 2 {
				t.Errorf("%s: %d confidential locations, want 2", v.name, len(list.Locations.Edges))
			}
			for _, e := range list.Locations.Edges {
				d.checkLocation(t, v, "locations(where)", e.Node)
			}
			// node and nodes.
			for _, id := range ids {
				var one struct{ Node vLocation }
				v.k.ok(`query($id: ID!) { node(id: $id) { id ... on Location { `+vLocationFields+` } } }`, map[string]any{"id": id}, &one)
				d.checkLocation(t, v, "node", one.Node)
			}
			var many struct{ Nodes []vLocation }
			v.k.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Location { `+vLocationFields+` } } }`, map[string]any{"ids": ids}, &many)
			if len(many.Nodes) != 3 {
				t.Fatalf("%s: nodes returned %d", v.name, len(many.Nodes))
			}
			for _, l := range many.Nodes {
				d.checkLocation(t, v, "nodes", l)
			}
			// Nested: service.serviceAtLocations.location, the
			// organization's locations, a phone's location.
			var nested struct {
				Services struct {
					Edges []struct {
						Node struct {
							ServiceAtLocations struct {
								Edges []struct{ Node struct{ Location vLocation } }
							}
						}
					}
				}
				Organizations struct {
					Edges []struct {
						Node struct {
							Locations struct{ Edges []struct{ Node vLocation } }
							Phones    struct {
								Edges []struct {
									Node struct {
										Phones []struct{ Location *vLocation }
									}
								}
							} `json:"phoneLocations"`
						}
					}
				}
			}
			v.k.ok(`{
			  services(first: 10) { edges { node { serviceAtLocations(first: 10) { edges { node { location { `+vLocationFields+` } } } } } } }
			  organizations(first: 10) { edges { node {
			    locations(first: 10) { edges { node { `+vLocationFields+` } } }
			    phoneLocations: locations(first: 10) { edges { node { phones { location { `+vLocationFields+` } } } } }
			  } } }
			}`, nil, &nested)
			n := 0
			for _, s := range nested.Services.Edges {
				for _, sal := range s.Node.ServiceAtLocations.Edges {
					d.checkLocation(t, v, "services.serviceAtLocations.location", sal.Node.Location)
					n++
				}
			}
			for _, o := range nested.Organizations.Edges {
				for _, l := range o.Node.Locations.Edges {
					d.checkLocation(t, v, "organizations.locations", l.Node)
					n++
				}
			}
			if n != 6 {
				t.Errorf("%s: %d nested locations, want 6", v.name, n)
			}
			for _, o := range nested.Organizations.Edges {
				for _, l := range o.Node.Phones.Edges {
					for _, p := range l.Node.Phones {
						d.checkLocation(t, v, "organizations.locations.phones.location", *p.Location)
					}
				}
			}
		}
	})
}

// TestInternalNotesOnEveryPath reads services' internal notes by every
// path as every viewer.
func TestInternalNotesOnEveryPath(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		ids := []any{relay.Encode(d.harborVisits), relay.Encode(d.beaconVisits)}
		for _, v := range d.viewers(t, db, a) {
			var list struct {
				Services  struct{ Edges []struct{ Node vService } }
				Locations struct {
					Edges []struct {
						Node struct {
							ServiceAtLocations struct {
								Edges []struct{ Node struct{ Service vService } }
							}
						}
					}
				}
				Nodes []vService
				// A match page's rows (read by ID: the index keeps none),
				// served with the index's organizations and with an edge.
				Match, Edged struct{ Edges []struct{ Node vService } }
			}
			v.k.ok(`query($ids: [ID!]!) {
			  services(first: 10) { edges { node { id name internalNotes } } }
			  locations(first: 10) { edges { node { serviceAtLocations(first: 10) { edges { node { service { id name internalNotes } } } } } } }
			  nodes(ids: $ids) { ... on Service { id name internalNotes } }
			  match(family: {zip: "02121"}, includeIneligible: true) { edges { node { id name internalNotes organization { name } } } }
			  edged: match(family: {zip: "02121"}, includeIneligible: true) { edges { node { id name internalNotes needs(first: 1) { totalCount } } } }
			}`, map[string]any{"ids": ids}, &list)
			for path, m := range map[string][]struct{ Node vService }{"match": list.Match.Edges, "match (with an edge)": list.Edged.Edges} {
				if len(m) == 0 {
					t.Errorf("%s: %s found no service", v.name, path)
				}
				for _, e := range m {
					d.checkService(t, v, path, e.Node)
				}
			}
			n := 0
			for _, e := range list.Services.Edges {
				d.checkService(t, v, "services", e.Node)
				n++
			}
			for _, l := range list.Locations.Edges {
				for _, sal := range l.Node.ServiceAtLocations.Edges {
					d.checkService(t, v, "locations.serviceAtLocations.service", sal.Node.Service)
					n++
				}
			}
			for _, s := range list.Nodes {
				d.checkService(t, v, "nodes", s)
				n++
			}
			if n != 2+3+2 {
				t.Errorf("%s: %d services read, want 7", v.name, n)
			}
		}
	})
}

// TestStaffOnlyPhonesOnEveryPath: staff-only phones are absent for the
// public wherever a phone can be reached, and present for staff, admins,
// and their own organization's editors.
func TestStaffOnlyPhonesOnEveryPath(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		var all []any
		for id := range d.phones {
			all = append(all, relay.Encode(id))
		}
		type phoneList []struct{ ID string }
		for _, v := range d.viewers(t, db, a) {
			want := map[string]bool{}
			for id, what := range d.phones {
				if !d.staffOnly[id] || (d.harborPhones[id] && v.harborSecrets) || (!d.harborPhones[id] && v.beaconSecrets) {
					want[what] = true
				}
			}
			var data struct {
				Organizations struct {
					Edges []struct {
						Node struct {
							Phones   phoneList
							Services struct {
								Edges []struct {
									Node struct {
										Phones             phoneList
										Contacts           []struct{ Phones phoneList }
										ServiceAtLocations struct {
											Edges []struct{ Node struct{ Phones phoneList } }
										}
									}
								}
							}
							Locations struct {
								Edges []struct{ Node struct{ Phones phoneList } }
							}
						}
					}
				}
			}
			v.k.ok(`{
			  organizations(first: 10) { edges { node {
			    phones { id }
			    services(first: 10) { edges { node {
			      phones { id }
			      contacts { phones { id } }
			      serviceAtLocations(first: 10) { edges { node { phones { id } } } }
			    } } }
			    locations(first: 10) { edges { node { phones { id } } } }
			  } } }
			}`, nil, &data)
			seen := map[string]bool{}
			add := func(ps phoneList) {
				for _, p := range ps {
					id, _ := relay.Decode(p.ID)
					seen[d.phones[id]] = true
				}
			}
			for _, o := range data.Organizations.Edges {
				add(o.Node.Phones)
				for _, s := range o.Node.Services.Edges {
					add(s.Node.Phones)
					for _, c := range s.Node.Contacts {
						add(c.Phones)
					}
					for _, sal := range s.Node.ServiceAtLocations.Edges {
						add(sal.Node.Phones)
					}
				}
				for _, l := range o.Node.Locations.Edges {
					add(l.Node.Phones)
				}
			}
			if !mapsEqual(seen, want) {
				t.Errorf("%s: nested phones %v, want %v", v.name, keys(seen), keys(want))
			}
			// nodes: a hidden phone is null, like an ID that names nothing.
			var nodes struct{ Nodes []*struct{ ID string } }
			missing := nodesAllowingMissing(t, v.k, v.name, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Phone { number } } }`,
				map[string]any{"ids": all}, &nodes)
			if missing != len(d.phones)-len(want) {
				t.Errorf("%s: %d phones not found by nodes, want %d", v.name, missing, len(d.phones)-len(want))
			}
			seen = map[string]bool{}
			for _, n := range nodes.Nodes {
				if n != nil {
					id, _ := relay.Decode(n.ID)
					seen[d.phones[id]] = true
				}
			}
			if !mapsEqual(seen, want) {
				t.Errorf("%s: nodes found phones %v, want %v", v.name, keys(seen), keys(want))
			}
			// node: not found, exactly as for a record that does not exist.
			for id, what := range d.phones {
				res := v.k.query(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": relay.Encode(id)})
				found := len(res.Errors) == 0 && string(res.Data) != `{"node":null}`
				if found != want[what] {
					t.Errorf("%s: node(%s) found=%v, want %v (%s %+v)", v.name, what, found, want[what], res.Data, res.Errors)
				}
			}
		}
		hidden := a.as("").query(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": relay.Encode(firstStaffOnly(d))})
		missing := a.as("").query(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": relay.Encode(firstStaffOnly(d) + 1000)})
		if string(hidden.Data) != string(missing.Data) || len(hidden.Errors) != len(missing.Errors) ||
			(len(hidden.Errors) > 0 && (hidden.Errors[0].Message != missing.Errors[0].Message || hidden.Errors[0].Extensions["code"] != missing.Errors[0].Extensions["code"])) {
			t.Errorf("a hidden phone answers %s %+v; a missing one %s %+v", hidden.Data, hidden.Errors, missing.Data, missing.Errors)
		}
	})
}

// nodesAllowingMissing runs a nodes query whose hidden IDs answer null with
// NOT_FOUND (as IDs that name nothing do) and decodes its data.
func nodesAllowingMissing(t *testing.T, k keyed, who, query string, vars map[string]any, dst any) int {
	t.Helper()
	res := k.query(query, vars)
	for _, e := range res.Errors {
		if e.Extensions["code"] != "NOT_FOUND" {
			t.Fatalf("%s: nodes failed: %+v", who, res.Errors)
		}
	}
	if err := json.Unmarshal(res.Data, dst); err != nil {
		t.Fatalf("%s: decode %s: %v", who, res.Data, err)
	}
	return len(res.Errors)
}

func firstStaffOnly(d *vDir) int {
	var ids []int
	for id := range d.phones {
		if d.staffOnly[id] {
			ids = append(ids, id)
		}
	}
	return slices.Min(ids)
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestUnpublishedResourcesHidden: submitted and rejected resources are
// invisible to everyone but admins: lists, totalCount, node, nodes and the
// publisher's nested connection agree.
func TestUnpublishedResourcesHidden(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		ids := []any{relay.Encode(d.published), relay.Encode(d.submitted), relay.Encode(d.rejected)}
		for _, v := range d.viewers(t, db, a) {
			want := []string{"Safe Sleep Guide"}
			if v.unpublished {
				want = []string{"Draft Toolkit", "Safe Sleep Guide", "Spam"}
			}
			var data struct {
				Resources struct {
					TotalCount int
					Edges      []struct{ Node struct{ Title string } }
				}
				Statuses      struct{ TotalCount int } `json:"statuses"`
				Organizations struct {
					Edges []struct {
						Node struct {
							Name      string
							Resources struct {
								TotalCount int
								Edges      []struct{ Node struct{ Title string } }
							}
						}
					}
				}
			}
			v.k.ok(`{
			  resources(first: 10, orderBy: {field: TITLE}) { totalCount edges { node { title } } }
			  statuses: resources(where: {statusIn: [SUBMITTED, REJECTED]}) { totalCount }
			  organizations(first: 10) { edges { node { name resources(first: 10) { totalCount edges { node { title } } } } } }
			}`, nil, &data)
			var titles []string
			for _, e := range data.Resources.Edges {
				titles = append(titles, e.Node.Title)
			}
			if !slices.Equal(titles, want) || data.Resources.TotalCount != len(want) {
				t.Errorf("%s: resources %q (totalCount %d), want %q", v.name, titles, data.Resources.TotalCount, want)
			}
			if data.Statuses.TotalCount != len(want)-1 {
				t.Errorf("%s: %d unpublished resources counted", v.name, data.Statuses.TotalCount)
			}
			for _, o := range data.Organizations.Edges {
				if o.Node.Name != "Harbor Family Services" {
					continue
				}
				titles = nil
				for _, e := range o.Node.Resources.Edges {
					titles = append(titles, e.Node.Title)
				}
				slices.Sort(titles)
				if !slices.Equal(titles, want) || o.Node.Resources.TotalCount != len(want) {
					t.Errorf("%s: publisher's resources %q (totalCount %d), want %q", v.name, titles, o.Node.Resources.TotalCount, want)
				}
			}
			var nodes struct{ Nodes []*struct{ Title string } }
			nodesAllowingMissing(t, v.k, v.name, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Resource { title } } }`, map[string]any{"ids": ids}, &nodes)
			titles = nil
			for _, n := range nodes.Nodes {
				if n != nil {
					titles = append(titles, n.Title)
				}
			}
			slices.Sort(titles)
			if !slices.Equal(titles, want) {
				t.Errorf("%s: nodes %q, want %q", v.name, titles, want)
			}
			res := v.k.query(`query($id: ID!) { node(id: $id) { ... on Resource { title } } }`, map[string]any{"id": relay.Encode(d.submitted)})
			if found := len(res.Errors) == 0 && strings.Contains(string(res.Data), "Draft Toolkit"); found != v.unpublished {
				t.Errorf("%s: node(submitted) %s %+v", v.name, res.Data, res.Errors)
			}
		}
	})
}

// TestMatchWithholdsConfidentialDistances runs match on the seed's
// samples, whose confidential home visiting office is the only location
// of a service: the public gets no distance to it, staff do.
func TestMatchWithholdsConfidentialDistances(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loadSeedAndSamples(t, db)
		// The services whose every location is confidential and placed.
		secretOnly := map[string]int{} // name → owner
		services := db.Client.Service.Query().
			Where(service.HasServiceAtLocationsWith(serviceatlocation.HasLocationWith(location.Confidential(true), location.LatitudeNotNil()))).
			WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) { q.WithLocation() }).AllX(ctx)
		for _, s := range services {
			if !slices.ContainsFunc(s.Edges.ServiceAtLocations, func(sal *ent.ServiceAtLocation) bool { return !sal.Edges.Location.Confidential }) {
				secretOnly[s.Name] = s.OrganizationID
			}
		}
		if len(secretOnly) == 0 {
			t.Fatal("the samples have no service whose only location is confidential")
		}
		var owner, other int // an owner of such a service, and another organization
		for _, o := range secretOnly {
			owner = o
		}
		other = db.Client.Organization.Query().Where(organization.IDNEQ(owner)).FirstIDX(ctx)
		a := newAPI(t, db, server.Config{})
		family := map[string]any{"zip": "02121", "childAgeMonths": 0, "firstTimeParent": true, "needs": []string{"home-visiting"}}
		const q = `query($f: FamilyInput!) { match(family: $f, includeIneligible: true, first: 100) { edges { distanceKm node { name } } } }`
		for _, c := range []struct {
			name   string
			k      keyed
			reveal bool
		}{
			{"anonymous", a.as(""), false},
			{"reader", a.as(mustKey(t, db, "Partner app", auth.Reader)), false},
			{"editor of another organization", a.as(mustKey(t, db, "Other sync", auth.Editor, other)), false},
			{"staff", a.as(mustKey(t, db, "Call center", auth.Staff)), true},
			{"admin", a.as(mustKey(t, db, "Administrator", auth.Admin)), true},
			{"editor of the owner", a.as(mustKey(t, db, "Owner sync", auth.Editor, owner)), true},
		} {
			var data struct {
				Match struct {
					Edges []struct {
						DistanceKm *float64
						Node       struct{ Name string }
					}
				}
			}
			c.k.ok(q, map[string]any{"f": family}, &data)
			found := 0
			for _, e := range data.Match.Edges {
				org, ok := secretOnly[e.Node.Name]
				if !ok {
					continue
				}
				found++
				reveal := c.reveal && (c.name != "editor of the owner" || org == owner)
				if (e.DistanceKm != nil) != reveal {
					t.Errorf("%s: distance to %s = %v, want shown=%v", c.name, e.Node.Name, e.DistanceKm, reveal)
				}
			}
			if found == 0 {
				t.Errorf("%s: match returned no service whose only location is confidential", c.name)
			}
		}
	})
}
