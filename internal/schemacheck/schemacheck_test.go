package schemacheck

import (
	"slices"
	"strings"
	"testing"
)

// TestBreaking compares small before/after schemas: each case lists the
// coordinates whose change breaks clients, none when the change is safe.
func TestBreaking(t *testing.T) {
	const base = `
		type Query { service(id: ID!, lang: String): Service, services(first: Int): [Service!]! }
		type Service { id: ID!, name: String!, url: String, status: Status!, tags: [String!]! }
		enum Status { ACTIVE INACTIVE }
		input ServiceWhere { name: String, status: Status }
		union Item = Service
		directive @cost(weight: Int) on FIELD_DEFINITION
	`
	cases := []struct {
		name, old, new string
		want           []string
	}{
		{"same", base, base, nil},
		{"type removed", base + "type Gone { a: Int }", base, []string{"Gone"}},
		{"field removed", "type Query { a: Int, b: Int }", "type Query { a: Int }", []string{"Query.b"}},
		{"field added", "type Query { a: Int }", "type Query { a: Int, b: Int }", nil},
		{"output nullable to non-null", "type Query { a: Int }", "type Query { a: Int! }", nil},
		{"output non-null to nullable", "type Query { a: Int! }", "type Query { a: Int }", []string{"Query.a"}},
		{"output list element nullable", "type Query { a: [Int!]! }", "type Query { a: [Int]! }", []string{"Query.a"}},
		{"output list element non-null", "type Query { a: [Int] }", "type Query { a: [Int!]! }", nil},
		{"output type changed", "type Query { a: Int }", "type Query { a: String }", []string{"Query.a"}},
		{"output list to scalar", "type Query { a: [Int] }", "type Query { a: Int }", []string{"Query.a"}},
		{"argument removed", "type Query { a(x: Int): Int }", "type Query { a: Int }", []string{"Query.a(x:)"}},
		{"optional argument added", "type Query { a: Int }", "type Query { a(x: Int): Int }", nil},
		{"required argument added", "type Query { a: Int }", "type Query { a(x: Int!): Int }", []string{"Query.a(x:)"}},
		{"required argument with default added", "type Query { a: Int }", "type Query { a(x: Int! = 1): Int }", nil},
		{"argument nullable to non-null", "type Query { a(x: Int): Int }", "type Query { a(x: Int!): Int }", []string{"Query.a(x:)"}},
		{"argument non-null to nullable", "type Query { a(x: Int!): Int }", "type Query { a(x: Int): Int }", nil},
		{"argument type changed", "type Query { a(x: Int): Int }", "type Query { a(x: String): Int }", []string{"Query.a(x:)"}},
		{"enum value removed", "type Query { a: E } enum E { X Y }", "type Query { a: E } enum E { X }", []string{"E.Y"}},
		{"enum value added", "type Query { a: E } enum E { X }", "type Query { a: E } enum E { X Y }", nil},
		{"input field removed", "type Query { a(w: W): Int } input W { x: Int, y: Int }", "type Query { a(w: W): Int } input W { x: Int }", []string{"W.y"}},
		{"optional input field added", "type Query { a(w: W): Int } input W { x: Int }", "type Query { a(w: W): Int } input W { x: Int, y: Int }", nil},
		{"required input field added", "type Query { a(w: W): Int } input W { x: Int }", "type Query { a(w: W): Int } input W { x: Int, y: Int! }", []string{"W.y"}},
		{"input field nullable to non-null", "type Query { a(w: W): Int } input W { x: Int }", "type Query { a(w: W): Int } input W { x: Int! }", []string{"W.x"}},
		{"input field non-null to nullable", "type Query { a(w: W): Int } input W { x: Int! }", "type Query { a(w: W): Int } input W { x: Int }", nil},
		{"kind changed", "type Query { a(w: W): Int } input W { x: Int }", "type Query { a(w: W): Int } scalar W", []string{"W"}},
		{"union member removed", "type Query { a: U } union U = A | B type A { x: Int } type B { x: Int }", "type Query { a: U } union U = A type A { x: Int } type B { x: Int }", []string{"U"}},
		{"interface dropped", "type Query { a: A } interface I { x: Int } type A implements I { x: Int }", "type Query { a: A } interface I { x: Int } type A { x: Int }", []string{"A"}},
		{"directive removed", base, strings.Replace(base, "directive @cost(weight: Int) on FIELD_DEFINITION", "", 1), []string{"@cost"}},
		{"deprecation added", "type Query { a: Int }", `type Query { a: Int @deprecated(reason: "use b") b: Int }`, nil},
		{"description changed", `type Query { "old" a: Int }`, `type Query { "new" a: Int }`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			old, err := Load("old", c.old)
			if err != nil {
				t.Fatal(err)
			}
			new, err := Load("new", c.new)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range Breaking(old, new) {
				got = append(got, ch.Coordinate)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("breaking changes %q, want %q (%v)", got, c.want, Breaking(old, new))
			}
		})
	}
}

// TestAnnounced: only the Unreleased section counts, coordinates in
// backticks, and a type or field covers what is inside it.
func TestAnnounced(t *testing.T) {
	const changelog = "# Changelog\n\n## [Unreleased]\n\n### Removed\n- `Query.b`: use `Query.c`.\n- `LocationWhereInput` reworked.\n- `Query.d` lost an argument.\n\n## [0.1.0] - 2026-01-01\n- `Query.old`\n"
	announced, ok := Announced(changelog)
	if !ok {
		t.Fatal("no Unreleased section found")
	}
	changes := []Change{
		{Coordinate: "Query.b"},
		{Coordinate: "LocationWhereInput.x"},
		{Coordinate: "Query.d(x:)"},
		{Coordinate: "Query.old"},
		{Coordinate: "Query.e"},
	}
	var got []string
	for _, c := range Unannounced(changes, announced) {
		got = append(got, c.Coordinate)
	}
	if want := []string{"Query.old", "Query.e"}; !slices.Equal(got, want) {
		t.Errorf("unannounced %q, want %q", got, want)
	}
	if _, ok := Announced("# Changelog\n\n## [0.1.0]\n"); ok {
		t.Error("a changelog without an Unreleased section has one")
	}
}
