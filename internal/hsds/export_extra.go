package hsds

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/village-directory/village/internal/hsds/hsdsextra"
)

// withExtra gives back, in obj (the HSDS object of a record of table),
// what the record's HSDS source carried that Village does not model (see
// import_extra.go): its own columns, the rows folded into it merged into
// the rows Village writes for them (the address by position, languages by
// code, need attributes by term), and whole rows in the nested list of
// their table. A kept column fills only what Village leaves empty (Village
// writes some columns from its own fields, such as a service area's extent:
// those say what the record is now); what a folded row kept (its id, its
// type) replaces what Village wrote for it. Text is typed as the spec's data package types the column,
// so the JSON form validates as the source did.
func withExtra[T any](obj T, table string, e *hsdsextra.Extra) T {
	if e.Empty() {
		return obj
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return obj
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return obj
	}
	for col, v := range e.Fields {
		// Text an earlier import kept that breaks its column's format is
		// left out: the document must validate (the import now drops it).
		if isEmptyJSON(m[col]) && keptFormatError(table, col, v) == "" {
			m[col] = typedValue(table, col, v)
		}
	}
	for sub, rows := range e.Folded {
		list, _ := m[sub].([]any)
		for _, r := range rows {
			list = mergeFolded(list, sub, r, table)
		}
		m[sub] = list
	}
	for sub, rows := range e.Rows {
		if sub == "taxonomies" {
			continue // a term's taxonomy: see Taxonomies
		}
		list, _ := m[sub].([]any)
		for _, r := range rows {
			list = append(list, typedRow(sub, r))
		}
		m[sub] = list
	}
	b, err = json.Marshal(m)
	if err != nil {
		return obj
	}
	var out T
	if json.Unmarshal(b, &out) != nil {
		return obj
	}
	return out
}

// A need attribute's folded row (what it carried beyond the link) names
// its term by the term's vocabulary and code, Village's identity of a term,
// rather than by the term's id in the package: the id an export writes for
// a term whose source id is no UUID is not that id, and a package that
// brings the term back (that export) names it by that other id, so a row
// keyed by either id would be lost on export or rewritten on re-import.
// These keys are no HSDS columns; the export puts the term's id in their
// place (withNeedTerms).
const (
	needVocabularyKey = "village:vocabulary"
	needCodeKey       = "village:code"
)

// withNeedTerms is e with the folded need attributes naming their term by
// the id the export writes for it (termIDs: vocabulary and code → id); a
// row whose term is no longer a need of the service is left out.
func withNeedTerms(e *hsdsextra.Extra, termIDs map[[2]string]string) *hsdsextra.Extra {
	if e == nil || len(e.Folded["attributes"]) == 0 {
		return e
	}
	out := *e
	out.Folded = make(map[string][]hsdsextra.Row, len(e.Folded))
	for table, rows := range e.Folded {
		if table != "attributes" {
			out.Folded[table] = rows
			continue
		}
		list := make([]hsdsextra.Row, 0, len(rows))
		for _, r := range rows {
			code, ok := r[needCodeKey]
			if !ok {
				list = append(list, r) // kept before terms were named so: by its term's id
				continue
			}
			id, ok := termIDs[[2]string{r[needVocabularyKey], code}]
			if !ok {
				continue
			}
			c := make(hsdsextra.Row, len(r))
			for k, v := range r {
				if k != needVocabularyKey && k != needCodeKey {
					c[k] = v
				}
			}
			c["taxonomy_term_id"] = id
			list = append(list, c)
		}
		out.Folded[table] = list
	}
	return &out
}

func isEmptyJSON(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	}
	return false
}

// mergeFolded merges a folded row into the row Village wrote from the same
// source row, or adds it when Village wrote none.
func mergeFolded(list []any, sub string, r hsdsextra.Row, parentTable string) []any {
	match := func(x map[string]any) bool {
		switch sub {
		case "languages":
			return x["code"] == r["code"]
		case "attributes":
			return x["taxonomy_term_id"] == r["taxonomy_term_id"]
		}
		return true // the one address Village writes
	}
	for _, x := range list {
		if obj, ok := x.(map[string]any); ok && match(obj) {
			for k, v := range r {
				if keptFormatError(sub, k, v) == "" {
					obj[k] = typedValue(sub, k, v)
				}
			}
			return list
		}
	}
	if sub == "addresses" {
		// An address with nothing Village stores (only an attention, say).
		return append(list, typedRow(sub, r))
	}
	return list
}

func typedRow(table string, r hsdsextra.Row) map[string]any {
	out := make(map[string]any, len(r))
	for k, v := range r {
		if keptFormatError(table, k, v) == "" {
			out[k] = typedValue(table, k, v)
		}
	}
	return out
}

// typedValue is v as the spec's data package types column col of table.
func typedValue(table, col, v string) any {
	switch specType(table, col) {
	case "number", "integer":
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case "boolean":
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return v
}

// extraTaxonomy is the taxonomy a term's source package gave it, if kept.
func extraTaxonomy(e *hsdsextra.Extra) (Taxonomy, bool) {
	if e == nil || len(e.Rows["taxonomies"]) == 0 {
		return Taxonomy{}, false
	}
	var t Taxonomy
	b, _ := json.Marshal(typedRow("taxonomies", e.Rows["taxonomies"][0]))
	if json.Unmarshal(b, &t) != nil || t.ID == "" {
		return Taxonomy{}, false
	}
	return t, true
}
