package graph

import (
	"strings"
	"testing"
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
