package write

import (
	"fmt"
	"slices"
	"testing"

	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/records"
)

// TestRelationsMatchSchema holds the write layer's relation table to the ent
// schema: every one-to-many and many-to-many edge between directory types
// is known, with the right foreign key and requiredness, so that no edge can
// change a record behind the write guard's and the feed's back.
func TestRelationsMatchSchema(t *testing.T) {
	g, err := entc.LoadGraph("../../ent/schema", &gen.Config{})
	if err != nil {
		t.Fatalf("load ent schema: %v", err)
	}
	directory := map[string]bool{}
	for _, typ := range EntTypes {
		directory[typ] = true
	}
	var wantFK, wantM2M []string
	for _, n := range g.Nodes {
		if !directory[n.Name] {
			continue
		}
		for _, e := range n.Edges {
			if !directory[e.Type.Name] || e.IsInverse() {
				continue
			}
			switch {
			case e.O2M():
				required := e.Ref != nil && !e.Ref.Optional
				wantFK = append(wantFK, fmt.Sprintf("%s.%s -> %s.%s (%s) required=%v", n.Name, e.Name, e.Type.Name, e.Ref.Name, e.Rel.Columns[0], required))
			case e.M2M():
				wantM2M = append(wantM2M, fmt.Sprintf("%s.%s <-> %s.%s", n.Name, e.Name, e.Type.Name, e.Ref.Name))
			default:
				t.Errorf("%s.%s: a %s edge the write layer does not handle", n.Name, e.Name, e.Rel.Type)
			}
		}
	}
	var gotFK, gotM2M []string
	for _, r := range fkRels {
		gotFK = append(gotFK, fmt.Sprintf("%s.%s -> %s.%s (%s) required=%v", r.parent, r.parentEdge, r.child, r.childEdge, r.fk, r.required))
	}
	for _, r := range m2mRels {
		gotM2M = append(gotM2M, fmt.Sprintf("%s.%s <-> %s.%s", r.owner, r.ownerEdge, r.target, r.targetEdge))
	}
	for _, pair := range [][2][]string{{wantFK, gotFK}, {wantM2M, gotM2M}} {
		want, got := pair[0], pair[1]
		slices.Sort(want)
		slices.Sort(got)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("relation missing from the write layer: %s", w)
			}
		}
		for _, g := range got {
			if !slices.Contains(want, g) {
				t.Errorf("relation not in the schema: %s", g)
			}
		}
	}
	for _, typ := range EntTypes {
		if records.ByName(typ) == nil {
			t.Errorf("no operations for %s", typ)
		}
		if !slices.Contains(deleteOrder, typ) {
			t.Errorf("%s missing from deleteOrder", typ)
		}
	}
	// A cascade deletes children before parents.
	pos := func(typ string) int { return slices.Index(deleteOrder, typ) }
	for _, r := range fkRels {
		if r.own && pos(r.child) >= pos(r.parent) {
			t.Errorf("deleteOrder puts %s before its owned %s", r.parent, r.child)
		}
	}
}

// TestEntityTypes checks the API's entity type names are the feed's.
func TestEntityTypes(t *testing.T) {
	want := []EntityType{"ORGANIZATION", "PROGRAM", "SERVICE", "LOCATION", "SERVICE_AT_LOCATION", "SERVICE_AREA",
		"TAXONOMY_TERM", "PHONE", "CONTACT", "SCHEDULE", "RESOURCE", "FUNDING"}
	if !slices.Equal(EntityTypes, want) {
		t.Fatalf("EntityTypes = %v, want %v", EntityTypes, want)
	}
	for _, typ := range EntTypes {
		if string(TypeOf(typ)) != feed.EntityType(typ) {
			t.Errorf("%s: %s vs feed %s", typ, TypeOf(typ), feed.EntityType(typ))
		}
	}
	if len(EntTypes) != 12 || slices.Contains(EntTypes, ent.TypeChangeEvent) {
		t.Errorf("EntTypes = %v", EntTypes)
	}
}
