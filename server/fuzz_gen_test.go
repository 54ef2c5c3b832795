package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/village-directory/village/graph/relay"
)

// fuzzRequest is one generated GraphQL request.
type fuzzRequest struct {
	Query         string
	OperationName string
	// Variables are sent as the request's variables; RawVariables, when
	// set, replaces them with JSON that need not be an object.
	Variables    fuzzObject
	RawVariables string
	Mutation     bool
}

// body is the request as a POST body.
func (r fuzzRequest) body() []byte {
	var b bytes.Buffer
	b.WriteString(`{"query":`)
	q, _ := json.Marshal(r.Query)
	b.Write(q)
	if r.OperationName != "" {
		n, _ := json.Marshal(r.OperationName)
		b.WriteString(`,"operationName":`)
		b.Write(n)
	}
	if vars := r.variablesJSON(); vars != "" {
		b.WriteString(`,"variables":`)
		b.WriteString(vars)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// variablesJSON is the variables as sent, or "" when none are.
func (r fuzzRequest) variablesJSON() string {
	if r.RawVariables != "" {
		return r.RawVariables
	}
	if r.Variables == nil {
		return ""
	}
	v, _ := json.Marshal(r.Variables)
	return string(v)
}

// fuzzEnum is an enum value: bare in a document, a string in JSON.
type fuzzEnum string

// fuzzObject is an input object whose fields keep their order, so that a
// seed always gives the same bytes.
type fuzzObject []fuzzField

type fuzzField struct {
	Name  string
	Value any
}

func (o fuzzObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Name)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// fuzzVar is a reference to a variable inside a document.
type fuzzVar string

// literal writes v as a GraphQL value literal.
func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case fuzzVar:
		return "$" + string(v)
	case fuzzEnum:
		return string(v)
	case string:
		s, _ := json.Marshal(v) // JSON's escapes are GraphQL's
		return string(s)
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case json.Number:
		return string(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = literal(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case fuzzObject:
		parts := make([]string, len(v))
		for i, f := range v {
			parts[i] = f.Name + ": " + literal(f.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	panic(fmt.Sprintf("fuzz: no literal for %T", v))
}

// fuzzPools are values seen in responses (IDs and cursors of real
// records), so generated arguments often name something that exists.
type fuzzPools struct {
	ids, cursors []string
}

const fuzzPoolSize = 300

func (p *fuzzPools) add(r *rand.Rand, pool *[]string, s string) {
	if len(*pool) < fuzzPoolSize {
		*pool = append(*pool, s)
		return
	}
	(*pool)[r.IntN(len(*pool))] = s
}

// collect walks a response's data for IDs and cursors.
func (p *fuzzPools) collect(r *rand.Rand, v any) {
	switch v := v.(type) {
	case map[string]any:
		// In key order: the same responses fill the pools the same way.
		for _, k := range slices.Sorted(maps.Keys(v)) {
			e := v[k]
			if s, ok := e.(string); ok {
				switch k {
				case "id":
					p.add(r, &p.ids, s)
				case "cursor", "startCursor", "endCursor":
					p.add(r, &p.cursors, s)
				}
				continue
			}
			p.collect(r, e)
		}
	case []any:
		for _, e := range v {
			p.collect(r, e)
		}
	}
}

// fuzzGen builds random documents over a schema: each field with random
// arguments of its types (and at times of the wrong ones), nested
// selections to a bounded depth, aliases, fragments, inline fragments on
// interfaces and unions, @include and @skip, and variables declared with
// their types or mutated ones.
type fuzzGen struct {
	schema *ast.Schema
	r      *rand.Rand
	pools  *fuzzPools

	// Per document.
	maxDepth   int
	deepInputs bool
	// invalid is set for a document that may break the rules (wrong
	// types, missing or unknown arguments, conflicting fields); the
	// others are valid, though their values may be edge cases.
	invalid   bool
	used      map[string]bool // response keys used in the document
	varDefs   []string
	vars      fuzzObject
	fragments []string
	serial    int
}

func newFuzzGen(schema *ast.Schema, r *rand.Rand, pools *fuzzPools) *fuzzGen {
	return &fuzzGen{schema: schema, r: r, pools: pools}
}

func (g *fuzzGen) chance(p float64) bool { return g.r.Float64() < p }

// breaks is chance(p) in a document that may be invalid, and false in
// the others.
func (g *fuzzGen) breaks(p float64) bool { return g.invalid && g.chance(p) }

func (g *fuzzGen) name(prefix string) string {
	g.serial++
	return prefix + strconv.Itoa(g.serial)
}

// request returns a document of one or two operations, valid more often
// than not, or now and then a valid one mutated byte by byte.
func (g *fuzzGen) request() fuzzRequest {
	req := g.document()
	if g.chance(0.15) {
		req.Query = g.mutateText(req.Query)
	}
	if g.chance(0.08) {
		g.mutateVariables(&req)
	}
	return req
}

func (g *fuzzGen) document() fuzzRequest {
	g.maxDepth = 1 + g.r.IntN(4)
	g.deepInputs = g.chance(0.04)
	g.invalid = g.chance(0.3)
	g.varDefs, g.vars, g.fragments, g.serial, g.used = nil, nil, nil, 0, map[string]bool{}

	mutation := g.schema.Mutation != nil && g.chance(0.25)
	root := g.schema.Query
	keyword := "query"
	if mutation {
		root, keyword = g.schema.Mutation, "mutation"
	}
	var req fuzzRequest
	req.Mutation = mutation
	body := g.selectionSet(root, 0, 1+g.r.IntN(3))
	var ops []string
	switch {
	case len(g.varDefs) == 0 && !mutation && g.chance(0.5):
		ops = append(ops, body) // the shorthand
	default:
		name := ""
		if g.chance(0.6) {
			name = g.name("Op")
			req.OperationName = name
			if g.chance(0.1) {
				req.OperationName = "" // required once there are two
			}
		}
		head := keyword
		if name != "" {
			head += " " + name
		}
		if len(g.varDefs) > 0 {
			head += "(" + strings.Join(g.varDefs, ", ") + ")"
		}
		ops = append(ops, head+" "+body)
		if name != "" && g.chance(0.1) {
			// Another operation in the same document: operationName
			// picks which runs.
			other := g.name("Other")
			ops = append(ops, "query "+other+" { __typename }")
			if g.chance(0.3) {
				req.OperationName = other
			}
		}
	}
	req.Query = strings.Join(append(ops, g.fragments...), "\n")
	if g.vars != nil || len(g.varDefs) > 0 || g.chance(0.2) {
		req.Variables = g.vars
		if req.Variables == nil {
			req.Variables = fuzzObject{}
		}
	}
	return req
}

// selectionSet selects n fields of def (an object or interface), or
// members of a union.
func (g *fuzzGen) selectionSet(def *ast.Definition, depth, n int) string {
	var parts []string
	if def.Kind == ast.Union || (def.Kind == ast.Interface && g.chance(0.7)) {
		types := g.schema.GetPossibleTypes(def)
		for range 1 + g.r.IntN(2) {
			t := types[g.r.IntN(len(types))]
			parts = append(parts, "... on "+t.Name+g.directives()+" "+g.selectionSet(t, depth, 1+g.r.IntN(3)))
		}
		if def.Kind == ast.Union || g.chance(0.5) {
			parts = append(parts, "__typename")
		}
	}
	if def.Kind != ast.Union {
		fields := def.Fields
		if depth >= g.maxDepth {
			fields = leafFields(g.schema, fields)
		}
		if depth > 0 {
			fields = slices.DeleteFunc(slices.Clone(fields), func(f *ast.FieldDefinition) bool {
				return f.Name == "__schema" || f.Name == "__type"
			})
		}
		for range n {
			if len(fields) == 0 || g.chance(0.05) {
				parts = append(parts, "__typename")
				continue
			}
			parts = append(parts, g.field(fields[g.r.IntN(len(fields))], depth))
		}
	}
	if g.chance(0.08) && depth < 6 {
		// The same selection again, through a named fragment.
		name := g.name("F")
		g.fragments = append(g.fragments, "fragment "+name+" on "+def.Name+" "+g.selectionSet(def, depth+1, 1+g.r.IntN(2)))
		parts = append(parts, "..."+name+g.directives())
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// leafFields are the fields whose type needs no selection.
func leafFields(s *ast.Schema, fields ast.FieldList) ast.FieldList {
	var out ast.FieldList
	for _, f := range fields {
		if k := s.Types[f.Type.Name()].Kind; k == ast.Scalar || k == ast.Enum {
			out = append(out, f)
		}
	}
	return out
}

func (g *fuzzGen) field(f *ast.FieldDefinition, depth int) string {
	var b strings.Builder
	switch {
	case g.breaks(0.15):
		// Few alias names, so that aliases collide.
		fmt.Fprintf(&b, "%c: ", 'a'+rune(g.r.IntN(4)))
	case g.used[f.Name] || g.chance(0.1):
		// A field selected twice must have another name each time, or
		// the same arguments and selections.
		fmt.Fprintf(&b, "%s: ", g.name("a"))
	}
	g.used[f.Name] = true
	b.WriteString(f.Name)
	var args []string
	for _, a := range f.Arguments {
		required := a.Type.NonNull && a.DefaultValue == nil
		if !required && !g.chance(0.35) {
			continue
		}
		if required && g.breaks(0.03) {
			continue // a missing required argument
		}
		args = append(args, a.Name+": "+g.argument(a.Name, a.Type))
	}
	if g.breaks(0.03) {
		args = append(args, "noSuchArgument: 1")
	}
	if len(args) > 0 {
		b.WriteString("(" + strings.Join(args, ", ") + ")")
	}
	b.WriteString(g.directives())
	def := g.schema.Types[f.Type.Name()]
	if def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union) {
		b.WriteString(" " + g.selectionSet(def, depth+1, 1+g.r.IntN(3)))
	}
	return b.String()
}

func (g *fuzzGen) directives() string {
	if !g.chance(0.06) {
		return ""
	}
	name := "include"
	if g.chance(0.5) {
		name = "skip"
	}
	return " @" + name + "(if: " + g.argument("if", ast.NonNullNamedType("Boolean", nil)) + ")"
}

// argument returns an argument's value in a document: a literal, or a
// variable declared with the argument's type (or a mutated one) and given
// a value in the variables.
func (g *fuzzGen) argument(name string, t *ast.Type) string {
	if !g.chance(0.3) {
		return literal(g.argValue(name, t, 0))
	}
	declared := t
	if g.breaks(0.2) {
		declared = g.mutateType(t)
	}
	v := g.name("v")
	def := "$" + v + ": " + declared.String()
	if !declared.NonNull && g.chance(0.05) {
		def += " = " + literal(g.argValue(name, declared, 0))
	}
	g.varDefs = append(g.varDefs, def)
	switch {
	case g.breaks(0.05): // left out
	case g.breaks(0.1):
		g.vars = append(g.vars, fuzzField{v, g.argValue(name, t, 0)}) // of the argument's type
	default:
		g.vars = append(g.vars, fuzzField{v, g.argValue(name, declared, 0)})
	}
	if g.breaks(0.03) {
		return "$" + g.name("undeclared")
	}
	return "$" + v
}

// mutateType returns a type close to t: its nullability, list wrapping
// or named type changed.
func (g *fuzzGen) mutateType(t *ast.Type) *ast.Type {
	c := *t
	switch g.r.IntN(5) {
	case 0:
		c.NonNull = !c.NonNull
	case 1:
		return ast.ListType(t, nil)
	case 2:
		if t.Elem != nil {
			return t.Elem
		}
		return ast.NonNullListType(t, nil)
	case 3:
		names := []string{"String", "Int", "Float", "Boolean", "ID", "Cursor", "Time", "Date"}
		c = ast.Type{NamedType: names[g.r.IntN(len(names))], NonNull: t.NonNull}
	default:
		var inputs []string
		for name, d := range g.schema.Types {
			if d.Kind == ast.InputObject || d.Kind == ast.Enum {
				inputs = append(inputs, name)
			}
		}
		slices.Sort(inputs)
		c = ast.Type{NamedType: inputs[g.r.IntN(len(inputs))], NonNull: t.NonNull}
	}
	return &c
}

// argValue is a value for an argument or input field of type t, named
// name: mostly one of t, at times null, a wrong type, or a single value
// where t is a list.
func (g *fuzzGen) argValue(name string, t *ast.Type, depth int) any {
	switch {
	case depth > 60:
		return nil
	case !t.NonNull && g.chance(0.05):
		return nil
	case t.NonNull && g.breaks(0.03):
		return nil
	case g.breaks(0.06):
		return g.wrongValue()
	}
	if t.Elem != nil {
		if g.chance(0.15) {
			return g.argValue(name, t.Elem, depth+1) // coerced to a one-element list
		}
		n := g.r.IntN(4)
		if name == "ids" && g.chance(0.05) {
			n = 100 + g.r.IntN(10)
		}
		list := make([]any, n)
		for i := range list {
			list[i] = g.argValue(name, t.Elem, depth+1)
		}
		return list
	}
	def := g.schema.Types[t.NamedType]
	if def == nil {
		return g.wrongValue()
	}
	switch def.Kind {
	case ast.Enum:
		if g.breaks(0.05) {
			return fuzzEnum("NOT_A_VALUE")
		}
		return fuzzEnum(def.EnumValues[g.r.IntN(len(def.EnumValues))].Name)
	case ast.InputObject:
		return g.inputObject(def, depth)
	}
	return g.scalar(name, def.Name)
}

// inputObject fills def's required fields and a few of its others;
// in a document with deep inputs, it prefers fields that nest further.
func (g *fuzzGen) inputObject(def *ast.Definition, depth int) any {
	var optional ast.FieldList
	var obj fuzzObject
	for _, f := range def.Fields {
		if f.Type.NonNull && f.DefaultValue == nil {
			obj = append(obj, fuzzField{f.Name, g.argValue(f.Name, f.Type, depth+1)})
		} else {
			optional = append(optional, f)
		}
	}
	limit := 3
	if depth > 4 {
		limit = 1
	}
	if g.deepInputs && depth < 40 {
		var nested ast.FieldList
		for _, f := range optional {
			if g.schema.Types[f.Type.Name()].Kind == ast.InputObject {
				nested = append(nested, f)
			}
		}
		if len(nested) > 0 {
			f := nested[g.r.IntN(len(nested))]
			obj = append(obj, fuzzField{f.Name, g.argValue(f.Name, f.Type, depth+1)})
			return obj
		}
	}
	if depth > 8 {
		return obj
	}
	for _, i := range g.r.Perm(len(optional))[:min(len(optional), g.r.IntN(limit+1))] {
		f := optional[i]
		obj = append(obj, fuzzField{f.Name, g.argValue(f.Name, f.Type, depth+1)})
	}
	if g.breaks(0.03) {
		obj = append(obj, fuzzField{"noSuchField", 1})
	}
	return obj
}

func (g *fuzzGen) pick(values ...any) any { return values[g.r.IntN(len(values))] }

// scalar is a value of the named scalar type: ordinary values mostly,
// and the edges (empty, huge, malformed).
func (g *fuzzGen) scalar(arg, typ string) any {
	switch typ {
	case "Int":
		if arg == "first" || arg == "last" {
			if g.chance(0.85) {
				return g.pick(0, 1, 1, 2, 2, 3, 5, 10).(int)
			}
		}
		if g.breaks(0.2) {
			return g.pick(json.Number("2147483648"), json.Number("99999999999999999999999"), json.Number("1e400"), 1.5)
		}
		return g.pick(0, 1, 2, 3, 7, 20, 100, 101, -1, 1<<31-1, -1<<31)
	case "Float":
		if g.breaks(0.2) {
			return json.Number("1e400")
		}
		return g.pick(0.0, 1.5, -2.25, 1e308, 42, json.Number("-0"))
	case "Boolean":
		return g.chance(0.5)
	case "String":
		return g.text()
	case "ID":
		return g.id()
	case "Cursor":
		return g.cursor()
	case "Time":
		return g.pick("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456789+05:30", "0001-01-01T00:00:00Z",
			"9999-12-31T23:59:59Z", "", "x", "2024-13-45T99:99:99Z", "1700000000", g.text())
	case "Date":
		return g.pick("2024-01-02", "2024-02-30", "0000-01-01", "", "x", "2024-01-02T00:00:00Z", g.text())
	}
	return g.text() // an unknown scalar
}

var fuzzWords = []string{"Family", "Boston", "home", "visit", "Nurse", "02121", "MA", "Dorchester", "Help Me Grow",
	"home-visiting", "en", "es", "https://example.org", "a@b.co", "+1 617 555 0100", "sample", "HOMVEE"}

func (g *fuzzGen) text() string {
	switch g.r.IntN(20) {
	case 0:
		return ""
	case 1:
		return strings.Repeat("a", 1000)
	case 2:
		if g.chance(0.3) {
			return strings.Repeat("Zz", 30000) // 60,000 characters
		}
		return strings.Repeat("é", 5000)
	case 3:
		return "nul\x00byte"
	case 4:
		return g.pick("%", "_", `\`, "%' OR 1=1 --", "漢字🙂", "\u202e", " ", "\n\t").(string)
	case 5:
		return g.id()
	}
	return fuzzWords[g.r.IntN(len(fuzzWords))]
}

func (g *fuzzGen) id() string {
	if len(g.pools.ids) > 0 && g.chance(0.6) {
		return g.pools.ids[g.r.IntN(len(g.pools.ids))]
	}
	return g.pick("", "x", "v1:1", relay.Encode(0), relay.Encode(1), relay.Encode(1<<32+1), relay.Encode(1<<62),
		base64.RawURLEncoding.EncodeToString([]byte("v1:99999999999999999999999")),
		base64.RawURLEncoding.EncodeToString([]byte("v1:-5")), "====", "!!", g.garbage()).(string)
}

func (g *fuzzGen) cursor() string {
	if len(g.pools.cursors) > 0 && g.chance(0.5) {
		c := g.pools.cursors[g.r.IntN(len(g.pools.cursors))]
		if g.chance(0.2) && len(c) > 2 {
			i := g.r.IntN(len(c))
			return c[:i] + string(rune('A'+g.r.IntN(26))) + c[i+1:]
		}
		return c
	}
	return g.pick("", "x", "====", g.garbage(),
		base64.StdEncoding.EncodeToString([]byte(`{"id":1}`)),
		base64.StdEncoding.EncodeToString([]byte{0x82, 0xa1, 'i', 0x01, 0xa1, 'v', 0xc0}),
		base64.StdEncoding.EncodeToString([]byte{0x81, 0xa1, 'v', 0x92, 0xa1, 'x', 0x01}),
		base64.StdEncoding.EncodeToString([]byte{0xdd, 0xff, 0xff, 0xff, 0xff}),
	).(string)
}

// garbage is base64 of random bytes.
func (g *fuzzGen) garbage() string {
	b := make([]byte, 1+g.r.IntN(24))
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// wrongValue is a value of an arbitrary kind.
func (g *fuzzGen) wrongValue() any {
	return g.pick(nil, "", "x", 1, -1, 2.5, true, []any{}, []any{1, "a"}, fuzzObject{}, fuzzObject{{"a", 1}},
		fuzzEnum("NAME"), json.Number("1e400"))
}

// fuzzTokens are what edits insert into a document.
var fuzzTokens = []string{"{", "}", "(", ")", "[", "]", ":", "$", "...", "@", `"`, `"""`, "!", "=", ",", "#",
	"fragment", "on", "query", "mutation", "subscription", "null", "true", "1e999", "-", "__typename",
	"__schema { types { name } }", "\x00", "\u00e9", "\\u0000", "a: ", "...F1", "@skip(if: true)", "$v1"}

// mutateText applies a few random byte and token edits to s.
func (g *fuzzGen) mutateText(s string) string {
	for range 1 + g.r.IntN(3) {
		if len(s) == 0 {
			s = fuzzTokens[g.r.IntN(len(fuzzTokens))]
			continue
		}
		i := g.r.IntN(len(s))
		switch g.r.IntN(7) {
		case 0: // delete a span
			j := min(len(s), i+1+g.r.IntN(12))
			s = s[:i] + s[j:]
		case 1: // insert a token
			s = s[:i] + fuzzTokens[g.r.IntN(len(fuzzTokens))] + s[i:]
		case 2: // duplicate a span
			j := min(len(s), i+1+g.r.IntN(40))
			s = s[:j] + s[i:j] + s[j:]
		case 3: // replace a byte
			s = s[:i] + string([]byte{byte(g.r.IntN(256))}) + s[i+1:]
		case 4: // cut the end
			s = s[:i]
		case 5: // swap two spans
			j := g.r.IntN(len(s))
			if i > j {
				i, j = j, i
			}
			k := min(j, i+1+g.r.IntN(20))
			l := min(len(s), j+1+g.r.IntN(20))
			if k <= j {
				s = s[:i] + s[j:l] + s[k:j] + s[i:k] + s[l:]
			}
		default: // nest deeply
			n := 1 + g.r.IntN(200)
			s = s[:i] + strings.Repeat("{", n) + strings.Repeat("}", g.r.IntN(n+1)) + s[i:]
		}
	}
	return s
}

// mutateVariables breaks the variables: a value of another kind, one
// left out or one too many, or variables that are not an object.
func (g *fuzzGen) mutateVariables(req *fuzzRequest) {
	switch g.r.IntN(4) {
	case 0:
		if len(req.Variables) > 0 {
			i := g.r.IntN(len(req.Variables))
			req.Variables = slices.Clone(req.Variables)
			req.Variables[i].Value = g.wrongValue()
			return
		}
		fallthrough
	case 1:
		req.Variables = append(slices.Clone(req.Variables), fuzzField{"extra", g.wrongValue()})
	case 2:
		if len(req.Variables) > 0 {
			req.Variables = req.Variables[1:]
		}
	default:
		req.RawVariables = g.pick(`[1]`, `"x"`, `1`, `true`, `{"v1":`, `{"v1":1,"v1":2}`, `{"v1":"\ud800"}`).(string)
	}
}
