package hsds

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// flatTables reads an HSDS package (either form) as tables of rows by id,
// with the importer's reader: one row per id and table, the columns of
// every copy of a JSON object merged (a nested copy carries the links of
// where it is nested, as its tabular row would).
func flatTables(t *testing.T, path string) map[string]map[string]map[string]string {
	t.Helper()
	pkg, err := importReadPackage(path, DefaultMaxImportFileBytes)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(pkg.errors) > 0 {
		t.Fatalf("read %s: %v", path, pkg.errors)
	}
	out := map[string]map[string]map[string]string{}
	for name, tab := range pkg.tables {
		rows := map[string]map[string]string{}
		for _, r := range tab.rows {
			id := r.get("id")
			row := rows[id]
			if row == nil {
				row = map[string]string{}
				rows[id] = row
			}
			r.each(func(c, v string) {
				if strings.TrimSpace(v) != "" && row[c] == "" {
					row[c] = v
				}
			})
		}
		if len(rows) > 0 {
			out[name] = rows
		}
	}
	return out
}

// tableDiff is one difference between a package and its export.
type tableDiff struct {
	table, id, column string // column "" = the whole row
	in, out           string // "" = absent
}

func (d tableDiff) String() string {
	if d.column == "" {
		if d.out == "" {
			return fmt.Sprintf("%s %s: row missing from the export", d.table, d.id)
		}
		return fmt.Sprintf("%s %s: row added by the export", d.table, d.id)
	}
	return fmt.Sprintf("%s %s.%s: %q → %q", d.table, d.id, d.column, d.in, d.out)
}

func diffTables(in, out map[string]map[string]map[string]string) []tableDiff {
	var diffs []tableDiff
	tables := map[string]bool{}
	for n := range in {
		tables[n] = true
	}
	for n := range out {
		tables[n] = true
	}
	for n := range tables {
		ids := map[string]bool{}
		for id := range in[n] {
			ids[id] = true
		}
		for id := range out[n] {
			ids[id] = true
		}
		for id := range ids {
			a, b := in[n][id], out[n][id]
			switch {
			case a == nil:
				diffs = append(diffs, tableDiff{n, id, "", "", "row"})
				continue
			case b == nil:
				diffs = append(diffs, tableDiff{n, id, "", "row", ""})
				continue
			}
			cols := map[string]bool{}
			for c := range a {
				cols[c] = true
			}
			for c := range b {
				cols[c] = true
			}
			for c := range cols {
				if a[c] != b[c] {
					diffs = append(diffs, tableDiff{n, id, c, a[c], b[c]})
				}
			}
		}
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].String() < diffs[j].String() })
	return diffs
}

// officialNormalisation is one expected difference between an official
// example and its export (see "Round trip" in doc.go); only these may
// differ.
type officialNormalisation struct {
	why   string
	match func(d tableDiff, in map[string]map[string]map[string]string, rep *Report) bool
}

// inPackage reports whether id is the id of any row of the package.
func inPackage(tables map[string]map[string]map[string]string, id string) bool {
	for _, rows := range tables {
		if _, ok := rows[id]; ok {
			return true
		}
	}
	return false
}

var officialNormalisations = []officialNormalisation{
	{"impossible coordinates (latitude 100, longitude 101) are dropped, with a warning",
		func(d tableDiff, _ map[string]map[string]map[string]string, _ *Report) bool {
			return d.table == "locations" && (d.column == "latitude" && d.in == "100" || d.column == "longitude" && d.in == "101") && d.out == ""
		}},
	{"a link to a record absent from the package is dropped, with a warning",
		func(d tableDiff, in map[string]map[string]map[string]string, _ *Report) bool {
			return strings.HasSuffix(d.column, "_id") && d.in != "" && d.out == "" && !inPackage(in, d.in)
		}},
	{"the quotes around a phone number are removed, with a warning",
		func(d tableDiff, _ map[string]map[string]map[string]string, _ *Report) bool {
			return d.table == "phones" && d.column == "number" && d.in == `"`+d.out+`"`
		}},
	{"times of day are Village's HH:MM (10:00:00 is written 10:00)",
		func(d tableDiff, _ map[string]map[string]map[string]string, _ *Report) bool {
			return d.table == "schedules" && (d.column == "opens_at" || d.column == "closes_at") && d.in == d.out+":00"
		}},
	{"last_modified is the time Village last changed the record",
		func(d tableDiff, _ map[string]map[string]map[string]string, _ *Report) bool {
			return d.table == "services" && d.column == "last_modified" && d.out != ""
		}},
	{"text is trimmed of leading and trailing spaces",
		func(d tableDiff, _ map[string]map[string]map[string]string, _ *Report) bool {
			return d.column != "" && d.in != d.out && strings.TrimSpace(d.in) == d.out
		}},
	{"rows that link to no record of the package (an attribute's link_id, a metadata entry's resource_id), a taxonomy no term of the package belongs to, and the package-level meta_table_descriptions are not imported; the report lists them",
		func(d tableDiff, _ map[string]map[string]map[string]string, rep *Report) bool {
			if d.column != "" || d.out != "" {
				return false
			}
			switch d.table {
			case "attributes", "metadata", "taxonomies", "meta_table_descriptions":
				return strings.Contains(strings.Join(rep.Ignored, "\n"), d.table+" row(s) not imported")
			}
			return false
		}},
	{"the Village attribute vocabulary is added (its taxonomy, its terms, the attributes carrying Village's own fields)",
		func(d tableDiff, _ map[string]map[string]map[string]string, _ *Report) bool {
			if d.column != "" || d.in != "" {
				return false
			}
			switch d.table {
			case "taxonomies":
				return d.id == TaxonomyID(VillageTaxonomy)
			case "taxonomy_terms":
				_, ok := VillageTermCode(d.id)
				return ok
			case "attributes":
				return true // checked below: each names a Village term
			}
			return false
		}},
	{"Village's change history is added as metadata entries (field_name village.version: the import's own creations)",
		func(d tableDiff, _ map[string]map[string]map[string]string, _ *Report) bool {
			return d.table == "metadata" && d.column == "" && d.in == ""
		}},
	{"a term's taxonomy_id that names no taxonomy of the package (a warning) becomes the id of the taxonomy row its vocabulary gets",
		func(d tableDiff, in map[string]map[string]map[string]string, _ *Report) bool {
			term := in["taxonomy_terms"][d.id]
			return d.table == "taxonomy_terms" && d.column == "taxonomy_id" && d.in != "" && !inPackage(in, d.in) &&
				term != nil && d.out == TaxonomyID(term["taxonomy"])
		}},
	{"a vocabulary named only by its terms' taxonomy column (their taxonomy_id names no taxonomy of the package) gets a taxonomy row",
		func(d tableDiff, in map[string]map[string]map[string]string, _ *Report) bool {
			if d.table != "taxonomies" || d.column != "" || d.in != "" {
				return false
			}
			for _, term := range in["taxonomy_terms"] {
				if TaxonomyID(term["taxonomy"]) == d.id && !inPackage(in, term["taxonomy_id"]) {
					return true
				}
			}
			return false
		}},
}

// TestOfficialExamplesRoundTrip imports the official HSDS 3.0 examples,
// exports them in the same form, and compares every table, row and column
// of the two: every difference must be one of officialNormalisations, and
// every normalisation must still occur (so the list stays exact).
func TestOfficialExamplesRoundTrip(t *testing.T) {
	used := map[string]bool{}
	for _, c := range []struct{ in, format string }{
		{"openreferral-spec-3.0/examples/csv", "csv"},
		{"openreferral-spec-3.0/examples/service_full.json", "json"},
		{"openreferral-spec-3.0/examples", "json"}, // every JSON example document together
	} {
		t.Run(c.in, func(t *testing.T) {
			path := importSample(t, c.in)
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				rep := importMust(t, db, path, ImportOptions{})
				dir := t.TempDir()
				if _, err := Export(context.Background(), db.Client, c.format, dir); err != nil {
					t.Fatal(err)
				}
				in, out := flatTables(t, path), flatTables(t, dir)
				for _, d := range diffTables(in, out) {
					if d.table == "metadata" && d.in == "" && d.column == "" && out["metadata"][d.id]["field_name"] != MetadataVersionField {
						t.Errorf("unexpected difference: %s (not Village's change history)", d)
						continue
					}
					if d.table == "attributes" && d.in == "" && d.column == "" {
						if _, ok := VillageTermCode(out["attributes"][d.id]["taxonomy_term_id"]); !ok {
							t.Errorf("unexpected difference: %s (an attribute of no Village term)", d)
							continue
						}
					}
					matched := false
					for _, n := range officialNormalisations {
						if n.match(d, in, rep) {
							matched, used[n.why] = true, true
							break
						}
					}
					if !matched {
						t.Errorf("unexpected difference: %s", d)
					}
				}
				// Extras compare equal on re-import: nothing changes, no event.
				importCheckIdempotent(t, db, path)
			})
		})
	}
	for _, n := range officialNormalisations {
		if !used[n.why] {
			t.Errorf("normalisation no longer occurs (remove it here and in doc.go): %s", n.why)
		}
	}
}
