package hsds

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Schemas validates JSON documents against the HSDS per-object JSON schemas
// (schema/*.json of the spec), resolving each $ref to the local file of that
// name: nothing is fetched. It implements the keywords those schemas use:
// type, required, properties, items, enum, $ref and the formats uuid,
// email, uri, date-time and date.
type Schemas struct {
	docs map[string]map[string]any
}

// LoadSchemas reads every *.json schema in dir (openapi.json excepted).
func LoadSchemas(dir string) (*Schemas, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	s := &Schemas{docs: map[string]map[string]any{}}
	for _, f := range files {
		if filepath.Base(f) == "openapi.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var d map[string]any
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		s.docs[filepath.Base(f)] = d
	}
	if len(s.docs) == 0 {
		return nil, fmt.Errorf("no HSDS schemas in %s", dir)
	}
	return s, nil
}

// Validate checks doc (a Go value, marshalled to JSON first, or raw JSON
// bytes) against the schema file named (for example "service.json") and
// returns every violation, each with its JSON path.
func (s *Schemas) Validate(schema string, doc any) []string {
	root, ok := s.docs[schema]
	if !ok {
		return []string{"unknown schema " + schema}
	}
	var v any
	raw, isRaw := doc.([]byte)
	if !isRaw {
		b, err := json.Marshal(doc)
		if err != nil {
			return []string{err.Error()}
		}
		raw = b
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return []string{err.Error()}
	}
	var errs []string
	s.check(root, v, "$", &errs, 0)
	return errs
}

func (s *Schemas) check(sch map[string]any, v any, path string, errs *[]string, depth int) {
	if depth > 64 {
		*errs = append(*errs, path+": nesting too deep")
		return
	}
	if ref, ok := sch["$ref"].(string); ok {
		target, ok := s.docs[filepath.Base(ref)]
		if !ok {
			*errs = append(*errs, path+": unresolved $ref "+ref)
			return
		}
		s.check(target, v, path, errs, depth+1)
		return
	}
	if t, ok := sch["type"].(string); ok && !typeOK(t, v) {
		*errs = append(*errs, fmt.Sprintf("%s: want %s, got %s", path, t, jsonType(v)))
		return
	}
	if enum, ok := sch["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if e == v {
				found = true
			}
		}
		if !found {
			*errs = append(*errs, fmt.Sprintf("%s: %v is not one of %v", path, v, enum))
		}
	}
	if f, ok := sch["format"].(string); ok {
		if str, isStr := v.(string); isStr {
			if msg := formatError(f, str); msg != "" {
				*errs = append(*errs, path+": "+msg)
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		if req, ok := sch["required"].([]any); ok {
			for _, r := range req {
				if _, present := v[r.(string)]; !present {
					*errs = append(*errs, fmt.Sprintf("%s: missing required %q", path, r))
				}
			}
		}
		props, _ := sch["properties"].(map[string]any)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k].(map[string]any); ok {
				s.check(p, v[k], path+"."+k, errs, depth+1)
			}
		}
	case []any:
		if items, ok := sch["items"].(map[string]any); ok {
			for i, x := range v {
				s.check(items, x, fmt.Sprintf("%s[%d]", path, i), errs, depth+1)
			}
		}
	}
}

func typeOK(t string, v any) bool {
	switch t {
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	}
	return true
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

func formatError(format, s string) string {
	switch format {
	case "uuid":
		if _, err := uuid.Parse(s); err != nil || len(s) != 36 {
			return fmt.Sprintf("%q is not a UUID", s)
		}
	case "email":
		if _, err := mail.ParseAddress(s); err != nil {
			return fmt.Sprintf("%q is not an email address", s)
		}
	case "uri":
		if u, err := url.Parse(s); err != nil || u.Scheme == "" {
			return fmt.Sprintf("%q is not an absolute URI", s)
		}
	case "date-time", "datetime":
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return fmt.Sprintf("%q is not an RFC 3339 date-time", s)
		}
	case "date":
		if _, err := time.Parse("2006-01-02", s); err != nil || strings.Count(s, "-") != 2 {
			return fmt.Sprintf("%q is not a date", s)
		}
	}
	return ""
}

// ValidateTable checks a CSV table (header, then rows) against its table
// schema in the spec's data package, as Frictionless table schema
// validators (the tableschema library Open Referral's validator uses) read
// it: the header names the schema's fields in order; an empty cell is a
// missing value, refused where the field is required; a unique field
// repeats no value; a value is one of the enum where there is one, and
// casts to the field's type in its default format: a number, a date
// YYYY-MM-DD, a time HH:MM:SS, a datetime YYYY-MM-DDTHH:MM:SSZ (UTC, whole
// seconds), and strings of the formats uuid, email and uri. Each violation
// names the row (1 = first data row) and the field.
func ValidateTable(res DataPackageResource, header []string, rows [][]string) []string {
	var errs []string
	fields := res.Schema.Fields
	if len(header) != len(fields) {
		errs = append(errs, fmt.Sprintf("%s: %d columns, want %d", res.Path, len(header), len(fields)))
	}
	for i := 0; i < min(len(header), len(fields)); i++ {
		if header[i] != fields[i].Name {
			errs = append(errs, fmt.Sprintf("%s: column %d is %q, want %q", res.Path, i+1, header[i], fields[i].Name))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	seen := make([]map[string]int, len(fields))
	for i, row := range rows {
		if len(row) != len(fields) {
			errs = append(errs, fmt.Sprintf("%s row %d: %d cells, want %d", res.Path, i+1, len(row), len(fields)))
			continue
		}
		for j, f := range fields {
			v := row[j]
			where := fmt.Sprintf("%s row %d field %s", res.Path, i+1, f.Name)
			if v == "" {
				if f.Constraints.Required {
					errs = append(errs, where+": required, empty")
				}
				continue
			}
			if msg := cellError(f, v); msg != "" {
				errs = append(errs, where+": "+msg)
				continue
			}
			if len(f.Constraints.Enum) > 0 && !slices.Contains(f.Constraints.Enum, v) {
				errs = append(errs, fmt.Sprintf("%s: %q is not one of %v", where, v, f.Constraints.Enum))
			}
			if f.Constraints.Unique {
				if seen[j] == nil {
					seen[j] = map[string]int{}
				}
				if first, ok := seen[j][v]; ok {
					errs = append(errs, fmt.Sprintf("%s: %q repeats row %d", where, v, first))
				}
				seen[j][v] = i + 1
			}
		}
	}
	return errs
}

// cellError says why v does not cast to field f, or "".
func cellError(f DataPackageField, v string) string {
	layout := ""
	switch f.Type {
	case "string":
		return formatError(f.Format, v)
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Sprintf("%q is not a number", v)
		}
		return ""
	case "integer":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Sprintf("%q is not an integer", v)
		}
		return ""
	case "boolean":
		if !slices.Contains([]string{"true", "True", "TRUE", "1", "false", "False", "FALSE", "0"}, v) {
			return fmt.Sprintf("%q is not a boolean", v)
		}
		return ""
	case "date":
		layout = "2006-01-02"
	case "time":
		layout = "15:04:05"
	case "datetime":
		layout = "2006-01-02T15:04:05Z"
	default:
		return ""
	}
	if t, err := time.Parse(layout, v); err != nil || t.Format(layout) != v {
		return fmt.Sprintf("%q is not a %s (%s)", v, f.Type, layout)
	}
	return ""
}
