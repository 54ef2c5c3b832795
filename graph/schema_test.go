package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// TestEverythingIsDescribed holds the SDL to being the API's documentation:
// every type, field, argument, input field and enum value Village defines
// carries a description.
func TestEverythingIsDescribed(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: NewResolver(nil)}).Schema()
	var missing []string
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(def.Description) == "" {
			missing = append(missing, "type "+name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				missing = append(missing, name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					missing = append(missing, name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				missing = append(missing, name+"."+v.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d schema elements lack a description, e.g.:\n%s", len(missing), strings.Join(missing[:min(len(missing), 40)], "\n"))
	}
}

// TestNoFilterRevealsHiddenValues: a where filter on a value the answer
// hides would let the public test for it (a confidential address, a
// staff-only phone, an unpublished resource, what a submitter told the
// reviewers, a submission's token).
func TestNoFilterRevealsHiddenValues(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: NewResolver(nil)}).Schema()
	loc := schema.Types["LocationWhereInput"]
	for _, f := range loc.Fields {
		for _, hidden := range []string{"address1", "address2", "postalCode", "latitude", "longitude"} {
			if strings.HasPrefix(f.Name, hidden) {
				t.Errorf("LocationWhereInput.%s filters on a confidential field", f.Name)
			}
		}
	}
	for name, def := range schema.Types {
		if !strings.HasSuffix(name, "WhereInput") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "hasPhones") || strings.HasPrefix(f.Name, "hasResources") || name == "ServiceWhereInput" && strings.HasPrefix(f.Name, "internalNotes") ||
				name == "ResourceWhereInput" && (strings.HasPrefix(f.Name, "submitterNote") || strings.HasPrefix(f.Name, "submittedAnonymously") || strings.Contains(strings.ToLower(f.Name), "token")) {
				t.Errorf("%s.%s filters on records or fields the public may not see", name, f.Name)
			}
		}
	}
}

// TestEveryFilterIsReadable: every where input carries @readable, which
// evaluates it over the records the caller may read (filters.go); one
// without it would let its has… predicates test hidden records.
func TestEveryFilterIsReadable(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: NewResolver(nil)}).Schema()
	n := 0
	for name, def := range schema.Types {
		if def.Kind != ast.InputObject || !strings.HasSuffix(name, "WhereInput") {
			continue
		}
		n++
		if def.Directives.ForName("readable") == nil {
			t.Errorf("%s lacks @readable", name)
		}
	}
	if n == 0 {
		t.Fatal("no where inputs in the schema")
	}
}

// TestNoSubmissionTokenIsShown: a submission token is shown once, by
// submitResource; no type has a field that could show it (or its hash)
// again, but SubmitResourcePayload.submissionToken and the argument of
// submissionStatus.
func TestNoSubmissionTokenIsShown(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: NewResolver(nil)}).Schema()
	found := false
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if !strings.Contains(strings.ToLower(f.Name), "token") {
				continue
			}
			if name == "SubmitResourcePayload" && f.Name == "submissionToken" {
				found = true
				continue
			}
			t.Errorf("%s.%s may show a submission token", name, f.Name)
		}
	}
	if !found {
		t.Error("SubmitResourcePayload.submissionToken is missing")
	}
}
