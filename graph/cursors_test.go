package graph

import (
	"strings"
	"testing"
)

// TestOrderValueTypesCoverTheSchema: every orderBy in the schema orders a
// type checkCursor knows, and each of its order fields gives a value type,
// so a new ordered list or order field cannot slip past the check.
func TestOrderValueTypesCoverTheSchema(t *testing.T) {
	checked := 0
	for _, def := range parsedSchema.Types {
		for _, f := range def.Fields {
			arg := f.Arguments.ForName("orderBy")
			if arg == nil {
				continue
			}
			typeName := arg.Type.Name()
			valueTypes, ok := orderValueTypes[strings.TrimSuffix(typeName, "Order")]
			if !ok {
				t.Errorf("%s.%s: orderBy of %s, which orderValueTypes lacks", def.Name, f.Name, typeName)
				continue
			}
			fieldEnum := parsedSchema.Types[typeName].Fields.ForName("field").Type.Name()
			for _, v := range parsedSchema.Types[fieldEnum].EnumValues {
				if _, ok := valueTypes(v.Name); !ok {
					t.Errorf("%s %s: no value type", fieldEnum, v.Name)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no orderBy found in the schema")
	}
}
