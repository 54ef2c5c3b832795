// Package schemacheck finds the breaking changes between two versions of
// the GraphQL schema (graph/schema.graphql, printed by go generate) and the
// ones CHANGELOG.md does not announce. cmd/schemacheck runs it against the
// last release; the README's "Compatibility" section is the promise it
// holds.
//
// A change is breaking when a client's document or code that worked with
// the old schema can fail with the new one:
//
//   - a type, field, argument, input field, enum value, union member,
//     interface or directive is removed;
//   - an output field's type changes other than by becoming non-null (a
//     non-null field turning nullable gives clients a null they never had);
//   - an argument's or input field's type changes other than by becoming
//     nullable (a nullable one turning non-null refuses what was accepted);
//   - a new argument or input field is required (non-null, no default);
//   - a type changes kind.
//
// Added types, fields, optional arguments and enum values, descriptions
// and deprecations are not breaking.
//
// Each change is named by its schema coordinate: `Type`, `Type.field`,
// `Type.field(arg:)`, `Enum.VALUE`, `Input.field`, `@directive`. A breaking
// change is announced when that coordinate, in backticks, appears in the
// Unreleased section of CHANGELOG.md (Keep a Changelog form): a
// release's own section ends that window, so a coordinate announced for
// an earlier release does not excuse breaking it again.
package schemacheck

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Change is one difference between two schemas that breaks clients.
type Change struct {
	// Coordinate names what changed: Type, Type.field, Type.field(arg:),
	// Enum.VALUE or @directive.
	Coordinate string
	// Message says what changed, for people.
	Message string
}

func (c Change) String() string { return "`" + c.Coordinate + "`: " + c.Message }

// Load parses an SDL file as the schema it defines.
func Load(name, sdl string) (*ast.Schema, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: name, Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// Breaking lists the changes from old to new that can break a client,
// sorted by coordinate.
func Breaking(old, new *ast.Schema) []Change {
	var out []Change
	add := func(coord, format string, args ...any) {
		out = append(out, Change{Coordinate: coord, Message: fmt.Sprintf(format, args...)})
	}
	for name, o := range old.Types {
		if o.BuiltIn {
			continue
		}
		n := new.Types[name]
		switch {
		case n == nil:
			add(name, "type removed%s", deprecatedNote(o.Directives))
			continue
		case n.Kind != o.Kind:
			add(name, "changed from %s to %s", o.Kind, n.Kind)
			continue
		}
		for _, i := range o.Interfaces {
			if !slices.Contains(n.Interfaces, i) {
				add(name, "no longer implements %s", i)
			}
		}
		for _, t := range o.Types {
			if !slices.Contains(n.Types, t) {
				add(name, "union member %s removed", t)
			}
		}
		for _, v := range o.EnumValues {
			if n.EnumValues.ForName(v.Name) == nil {
				add(name+"."+v.Name, "enum value removed%s", deprecatedNote(v.Directives))
			}
		}
		input := o.Kind == ast.InputObject
		for _, of := range o.Fields {
			coord := name + "." + of.Name
			nf := n.Fields.ForName(of.Name)
			if nf == nil {
				add(coord, "field removed%s", deprecatedNote(of.Directives))
				continue
			}
			if input {
				if !inputCompatible(of.Type, nf.Type) {
					add(coord, "input field type changed from %s to %s", of.Type, nf.Type)
				}
			} else if !outputCompatible(of.Type, nf.Type) {
				add(coord, "type changed from %s to %s", of.Type, nf.Type)
			}
			out = append(out, arguments(coord, of.Arguments, nf.Arguments)...)
		}
		if input {
			for _, nf := range n.Fields {
				if o.Fields.ForName(nf.Name) == nil && required(nf.Type, nf.DefaultValue) {
					add(name+"."+nf.Name, "new required input field %s", nf.Type)
				}
			}
		}
	}
	for name, o := range old.Directives {
		if o.Position != nil && o.Position.Src != nil && o.Position.Src.BuiltIn {
			continue
		}
		n := new.Directives[name]
		if n == nil {
			add("@"+name, "directive removed")
			continue
		}
		for _, l := range o.Locations {
			if !slices.Contains(n.Locations, l) {
				add("@"+name, "no longer allowed on %s", l)
			}
		}
		out = append(out, arguments("@"+name, o.Arguments, n.Arguments)...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Coordinate != out[j].Coordinate {
			return out[i].Coordinate < out[j].Coordinate
		}
		return out[i].Message < out[j].Message
	})
	return out
}

// arguments compares the arguments of a field or directive.
func arguments(coord string, old, new ast.ArgumentDefinitionList) []Change {
	var out []Change
	argCoord := func(name string) string { return coord + "(" + name + ":)" }
	for _, oa := range old {
		na := new.ForName(oa.Name)
		switch {
		case na == nil:
			out = append(out, Change{argCoord(oa.Name), "argument removed" + deprecatedNote(oa.Directives)})
		case !inputCompatible(oa.Type, na.Type):
			out = append(out, Change{argCoord(oa.Name), fmt.Sprintf("argument type changed from %s to %s", oa.Type, na.Type)})
		}
	}
	for _, na := range new {
		if old.ForName(na.Name) == nil && required(na.Type, na.DefaultValue) {
			out = append(out, Change{argCoord(na.Name), fmt.Sprintf("new required argument %s", na.Type)})
		}
	}
	return out
}

// outputCompatible: every value of type new is a value of type old, so a
// client reading old reads new (new may only add non-null).
func outputCompatible(old, new *ast.Type) bool {
	switch {
	case old.NonNull && !new.NonNull:
		return false
	case !old.NonNull && new.NonNull:
		return outputCompatible(old, nullable(new))
	case (old.Elem == nil) != (new.Elem == nil):
		return false
	case old.Elem != nil:
		return outputCompatible(old.Elem, new.Elem)
	}
	return old.NamedType == new.NamedType
}

// inputCompatible: every value a client could send as old is accepted as
// new (new may only drop non-null).
func inputCompatible(old, new *ast.Type) bool {
	switch {
	case !old.NonNull && new.NonNull:
		return false
	case old.NonNull && !new.NonNull:
		return inputCompatible(nullable(old), new)
	case (old.Elem == nil) != (new.Elem == nil):
		return false
	case old.Elem != nil:
		return inputCompatible(old.Elem, new.Elem)
	}
	return old.NamedType == new.NamedType
}

func nullable(t *ast.Type) *ast.Type {
	c := *t
	c.NonNull = false
	return &c
}

func required(t *ast.Type, def *ast.Value) bool { return t.NonNull && def == nil }

// deprecatedNote reminds that what is removed should have been deprecated
// first.
func deprecatedNote(d ast.DirectiveList) string {
	if d.ForName("deprecated") != nil {
		return " (it was deprecated)"
	}
	return " (it was not deprecated first)"
}

// unreleasedHeading starts the Unreleased section of a Keep a Changelog
// file; releaseHeading starts any other version's.
var (
	unreleasedHeading = regexp.MustCompile(`(?im)^##\s+\[?unreleased\]?.*$`)
	releaseHeading    = regexp.MustCompile(`(?m)^##\s`)
	coordinateInTicks = regexp.MustCompile("`([^`\n]+)`")
)

// Announced returns the coordinates the Unreleased section of a changelog
// names in backticks; ok is false when it has no Unreleased section.
func Announced(changelog string) (coords map[string]bool, ok bool) {
	loc := unreleasedHeading.FindStringIndex(changelog)
	if loc == nil {
		return nil, false
	}
	section := changelog[loc[1]:]
	if end := releaseHeading.FindStringIndex(section); end != nil {
		section = section[:end[0]]
	}
	coords = map[string]bool{}
	for _, m := range coordinateInTicks.FindAllStringSubmatch(section, -1) {
		coords[strings.TrimSpace(m[1])] = true
	}
	return coords, true
}

// Unannounced returns the changes whose coordinate the changelog's
// Unreleased section does not name. A change to an argument is also
// announced by naming its field, and anything by naming its type (a type
// reworked as a whole is one entry).
func Unannounced(changes []Change, announced map[string]bool) []Change {
	var out []Change
	for _, c := range changes {
		if !announced[c.Coordinate] && !announced[parent(c.Coordinate)] && !announced[typeOf(c.Coordinate)] {
			out = append(out, c)
		}
	}
	return out
}

// parent is Type.field for Type.field(arg:), else the coordinate itself.
func parent(coord string) string {
	if i := strings.IndexByte(coord, '('); i >= 0 {
		return coord[:i]
	}
	return coord
}

// typeOf is Type for any coordinate inside Type.
func typeOf(coord string) string {
	if i := strings.IndexAny(coord, ".("); i >= 0 {
		return coord[:i]
	}
	return coord
}
