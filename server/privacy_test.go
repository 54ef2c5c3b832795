package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestChangeEventsNeedAKeyByNodeToo: the change feed needs an API key (it
// names keys and IDs of hidden records), and so do its events one by one
// through node/nodes, which once gave them to anyone.
func TestChangeEventsNeedAKeyByNodeToo(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		// A change made with a key, so the key's name is in the feed.
		admin := a.as(mustKey(t, db, "Secret admin key name", auth.Admin))
		admin.ok(`mutation($id: ID!) { updateService(id: $id, input: {description: "x"}) { id } }`,
			map[string]any{"id": relay.Encode(d.harborVisits)}, &struct{}{})
		a.fail(`{ changes { totalCount } }`, nil, "FORBIDDEN") // the feed itself is closed

		events := db.Client.ChangeEvent.Query().Order(changeevent.ByID()).AllX(context.Background())
		var ids []any
		hidden := map[int]bool{d.submitted: true, d.rejected: true}
		for id := range d.phones {
			if d.staffOnly[id] {
				hidden[id] = true
			}
		}
		for _, e := range events {
			ids = append(ids, relay.Encode(e.ID))
		}
		res := a.as("").query(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on ChangeEvent { entityType entityID operation actor } } }`,
			map[string]any{"ids": ids[:min(len(ids), 100)]})
		var data struct {
			Nodes []*struct {
				EntityType, EntityID, Actor string
			}
		}
		_ = json.Unmarshal(res.Data, &data)
		read, actors, hiddenIDs := 0, map[string]bool{}, 0
		for _, n := range data.Nodes {
			if n == nil || n.EntityType == "" {
				continue
			}
			read++
			actors[n.Actor] = true
			if id, err := relay.Decode(n.EntityID); err == nil && hidden[id] {
				hiddenIDs++
			}
		}
		if read > 0 {
			t.Errorf("anonymous read %d change events by nodes (actors %v, %d naming hidden records: staff-only phones, unpublished resources)",
				read, keys(actors), hiddenIDs)
		}
	})
}

// TestFundingsOfUnpublishedResourcesAreHidden: no filter reaches
// unpublished resources through a funding (hasResourceWith answered yes/no
// questions about their titles for anyone), and a funding of one is as
// hidden as the resource (it was listed, with resource null).
func TestFundingsOfUnpublishedResourcesAreHidden(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		ctx := context.Background()
		// Beacon funds Harbor's submitted (unpublished) "Draft Toolkit".
		db.Client.Funding.Create().SetSource("Beacon grant").SetFunderID(d.beacon).SetResourceID(d.submitted).SaveX(ctx)
		a := newAPI(t, db, server.Config{})
		a.fail(`{ organizations(where: {hasFundedWith: {hasResourceWith: {titleHasPrefix: "Draft Tool"}}}) { totalCount } }`, nil,
			"GRAPHQL_VALIDATION_FAILED")
		for _, who := range []struct {
			name     string
			k        keyed
			fundings int
		}{
			{"anonymous", a.as(""), 0},
			{"reader", a.as(mustKey(t, db, "Partner app", auth.Reader)), 0},
			{"Harbor editor", a.as(mustKey(t, db, "Harbor sync", auth.Editor, d.harbor)), 0},
			{"admin", a.as(mustKey(t, db, "Admin", auth.Admin)), 1},
		} {
			var funded struct {
				Organizations struct {
					Edges []struct {
						Node struct {
							Funded []struct {
								Source   string
								Resource *struct{ ID string }
							}
						}
					}
				}
			}
			who.k.ok(`{ organizations(first: 10) { edges { node { funded { source resource { id } } } } } }`, nil, &funded)
			n := 0
			for _, e := range funded.Organizations.Edges {
				for _, f := range e.Node.Funded {
					if f.Source == "Beacon grant" {
						n++
						if f.Resource == nil {
							t.Errorf("%s: the funding is listed without its resource", who.name)
						}
					}
				}
			}
			if n != who.fundings {
				t.Errorf("%s: sees %d fundings of the unpublished resource, want %d", who.name, n, who.fundings)
			}
		}
	})
}

// TestMatchMeasuresNoDistanceToAnOrglessConfidentialLocation: a
// confidential location without an organization hides its address and
// coordinates from every editor (auth.Visible), and match measures no
// distance to it for them either; it did for the editors of a service
// delivered there, who could triangulate it.
func TestMatchMeasuresNoDistanceToAnOrglessConfidentialLocation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		harbor := c.Organization.Create().SetName("Harbor Family Services").SaveX(ctx).ID
		shelter := c.Location.Create().SetName("County shelter").SetConfidential(true).
			SetAddress1("1 Hidden Way").SetCity("Boston").SetRegion("MA").SetPostalCode("02121").SetCountry("US").
			SetLatitude(42.3073).SetLongitude(-71.0745).SaveX(ctx).ID // no organization
		svc := c.Service.Create().SetName("Harbor shelter visits").SetOrganizationID(harbor).SaveX(ctx).ID
		c.ServiceArea.Create().SetServiceID(svc).SetKind(servicearea.KindNATIONWIDE).SaveX(ctx)

		a := newAPI(t, db, server.Config{})
		editor := a.as(mustKey(t, db, "Harbor sync", auth.Editor, harbor))
		// The editor may itself place its service at any organization-less
		// location (the guard lets it), so it can aim at any such shelter.
		editor.ok(`mutation($s: ID!, $l: ID!) { createServiceAtLocation(input: {serviceID: $s, locationID: $l}) { id } }`,
			map[string]any{"s": relay.Encode(svc), "l": relay.Encode(shelter)}, &struct{}{})
		// The rule: the editor does not see where the shelter is.
		var loc struct{ Node vLocation }
		editor.ok(`query($id: ID!) { node(id: $id) { ... on Location { `+vLocationFields+` } } }`,
			map[string]any{"id": relay.Encode(shelter)}, &loc)
		if !empty(loc.Node.Address1) || loc.Node.Latitude != nil {
			t.Fatalf("precondition: the editor sees the shelter's address %v / %v", deref(loc.Node.Address1), loc.Node.Latitude)
		}
		var got []string
		for _, zip := range []string{"02121", "02124", "02139"} {
			var m struct {
				Match struct {
					Edges []struct {
						DistanceKm *float64
						Node       struct{ Name string }
					}
				}
			}
			editor.ok(`query($f: FamilyInput!) { match(family: $f, includeIneligible: true) { edges { distanceKm node { name } } } }`,
				map[string]any{"f": map[string]any{"zip": zip, "childAgeMonths": 6}}, &m)
			for _, e := range m.Match.Edges {
				if e.Node.Name == "Harbor shelter visits" && e.DistanceKm != nil {
					got = append(got, zip+"→"+strings.TrimRight(strings.TrimRight(jsonNum(*e.DistanceKm), "0"), "."))
				}
			}
		}
		if len(got) > 0 {
			t.Errorf("an editor who may not see the shelter's coordinates gets distances to it: %v", got)
		}
	})
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }

// TestEditorAttachesOnlyToItsOwnRecords: an editor cannot hang its own
// phone from another organization's location (the guard once checked only
// the phone's first owner field); such a phone was counted, and would be
// cleared or deleted, with that location.
func TestEditorAttachesOnlyToItsOwnRecords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		beacon := a.as(mustKey(t, db, "Beacon sync", auth.Editor, d.beacon))
		res := beacon.query(`mutation($o: ID!, $l: ID!) { createPhone(input: {number: "617-555-0199", staffOnly: true, organizationID: $o, locationID: $l}) { id } }`,
			map[string]any{"o": relay.Encode(d.beacon), "l": relay.Encode(d.harborShelter)})
		if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "FORBIDDEN" {
			t.Errorf("Beacon's phone at Harbor's shelter: %+v %s, want FORBIDDEN", res.Errors, res.Data)
		}
		if n := db.Client.Phone.Query().CountX(context.Background()); n != len(d.phones) {
			t.Errorf("%d phones after the refusal, want %d", n, len(d.phones))
		}
	})
}

// TestDeletingAProgramTellsNothingOfUnpublishedResources: an editor deletes
// its own program whether or not an unpublished resource (invisible to it)
// lists the program; it was refused only when one did.
func TestDeletingAProgramTellsNothingOfUnpublishedResources(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		ctx := context.Background()
		a := newAPI(t, db, server.Config{})
		harbor := a.as(mustKey(t, db, "Harbor sync", auth.Editor, d.harbor))
		del := func(prog int) gqlResponse {
			return harbor.query(`mutation($id: ID!) { deleteProgram(id: $id) { deletedID } }`, map[string]any{"id": relay.Encode(prog)})
		}
		plain := db.Client.Program.Create().SetName("Plain").SetOrganizationID(d.harbor).SaveX(ctx).ID
		listed := db.Client.Program.Create().SetName("Listed").SetOrganizationID(d.harbor).SaveX(ctx).ID
		db.Client.Resource.UpdateOneID(d.submitted).AddProgramIDs(listed).ExecX(ctx)
		var seen struct{ Resources struct{ TotalCount int } }
		harbor.ok(`query($id: ID!) { resources(where: {hasProgramsWith: {id: $id}}) { totalCount } }`, map[string]any{"id": relay.Encode(listed)}, &seen)
		r1, r2 := del(plain), del(listed)
		if (len(r1.Errors) == 0) != (len(r2.Errors) == 0) {
			t.Errorf("editor sees %d resources listing its program; deleting a program nobody lists: %+v, one an unpublished resource lists: %+v",
				seen.Resources.TotalCount, r1.Errors, r2.Errors)
		}
	})
}
