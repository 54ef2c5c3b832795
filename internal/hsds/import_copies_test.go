package hsds

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// importCopiesPackage writes a JSON package of n service documents, each
// nesting one organization with an attribute and its taxonomy term (the
// term twice, as a Village export nests it), identical in every document
// but the last, whose organization copy gives another value to a field
// Village does not store (tax_status).
func importCopiesPackage(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "services")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	term := map[string]any{"id": "7d0b3c8e-5d8e-4c8e-9a51-3a1f6c0e2b11", "code": "food", "name": "Food", "taxonomy": "demo"}
	for i := range n {
		org := map[string]any{
			"id": "2f6b8a40-1c1e-4d6a-8a53-0b9f1d7e6c01", "name": "Copies Org", "description": "Nested in each service", "tax_status": "501(c)(3)",
			"attributes": []any{map[string]any{"id": "9c1e10d2-0000-4000-8000-000000000001", "link_type": "organization",
				"taxonomy_term_id": term["id"], "value": "yes", "taxonomy_term": term}},
		}
		if i == n-1 {
			org["tax_status"] = "another status"
		}
		svc := map[string]any{
			"id": fmt.Sprintf("5a2c7e90-0000-4000-8000-%012d", i), "name": fmt.Sprintf("Service %d", i), "status": "active",
			"organization": org,
			"attributes": []any{
				map[string]any{"id": fmt.Sprintf("6b3d8fa1-0000-4000-8000-%012d", i), "link_type": "service", "taxonomy_term_id": term["id"], "value": "a", "taxonomy_term": term},
				map[string]any{"id": fmt.Sprintf("6b3d8fa1-0000-4000-8001-%012d", i), "link_type": "service", "taxonomy_term_id": term["id"], "value": "b", "taxonomy_term": term},
			},
		}
		data, err := json.Marshal(svc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%03d.json", i)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Dir(dir)
}

// TestImportJSONNestedCopiesCounted: a record nested alike in several
// documents is counted once per document, without a row of its own after
// the first (nestedCopy), and a copy that differs in any value is read as
// a row, warned about as before.
func TestImportJSONNestedCopiesCounted(t *testing.T) {
	const docs = 5
	path := importCopiesPackage(t, docs)
	pkg, err := importReadPackage(path, DefaultMaxImportFileBytes)
	if err != nil {
		t.Fatal(err)
	}
	defer pkg.spill.Close()
	// The organization: its first object and the last document's, which
	// differs; its attribute and term: the first object only.
	for table, want := range map[string]int{"organizations": 2, "attributes": 1 + 2*docs, "taxonomy_terms": 1} {
		if got := len(pkg.tables[table].rows); got != want {
			t.Errorf("%s: %d rows held, want %d", table, got, want)
		}
	}
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	rep := importMust(t, db, path, ImportOptions{})
	read := map[string]TableAccount{}
	for _, a := range rep.Tables {
		read[a.Table] = a
	}
	// One object a document: a document's second copy of the term merges
	// into its first, as before.
	// The organization's differing copy is repaired (warned about).
	for table, want := range map[string][2]int{"organizations": {docs, docs - 1}, "taxonomy_terms": {docs, docs}, "attributes": {3 * docs, 3 * docs}} {
		a := read[table]
		if a.Read != want[0] || a.Imported != want[1] || a.Read != a.Imported+a.Repaired {
			t.Errorf("%s: %d read, %d imported, %d repaired; want %d read, %d imported", table, a.Read, a.Imported, a.Repaired, want[0], want[1])
		}
		if a.File != fmt.Sprintf("(%d files)", docs) {
			t.Errorf("%s: in %q, want (%d files)", table, a.File, docs)
		}
	}
	if n := rep.Types["Organization"].Created; n != 1 {
		t.Errorf("organization created %d times", n)
	}
	if !importHasMessage(rep.Warnings, fmt.Sprintf("services/s%03d.json", docs-1), "tax_status", "first copy kept") {
		t.Errorf("the differing copy is not warned about:\n%s", rep)
	}
}

// TestImportNestedCopiesChangeNothing imports packages whose documents
// nest copies (the official examples, a Village JSON export and the
// package above) with copies counted and with each read as a row: the
// reports and the records stored are the same.
func TestImportNestedCopiesChangeNothing(t *testing.T) {
	_, export := importExportSeeded(t, "json")
	for name, path := range map[string]string{
		"examples": importSample(t, "openreferral-spec-3.0/examples"),
		"export":   export,
		"copies":   importCopiesPackage(t, 4),
	} {
		t.Run(name, func(t *testing.T) {
			type result struct {
				tables   []TableAccount
				types    map[string]ImportCounts
				warnings []WarningGroup
				digest   map[string]string
			}
			run := func(count bool) result {
				importCountNestedCopies = count
				defer func() { importCountNestedCopies = true }()
				db := testdb.Open(t, dialect.SQLite, store.Options{})
				rep := importMust(t, db, path, ImportOptions{})
				return result{rep.Tables, rep.Types, rep.WarningGroups(), importServiceDigest(t, db.Client)}
			}
			counted, asRows := run(true), run(false)
			if !reflect.DeepEqual(counted.tables, asRows.tables) {
				t.Errorf("accounts differ:\n counted %+v\n as rows %+v", counted.tables, asRows.tables)
			}
			if !reflect.DeepEqual(counted.types, asRows.types) {
				t.Errorf("records differ:\n counted %+v\n as rows %+v", counted.types, asRows.types)
			}
			if !reflect.DeepEqual(counted.warnings, asRows.warnings) {
				t.Errorf("warnings differ:\n counted %+v\n as rows %+v", counted.warnings, asRows.warnings)
			}
			if !reflect.DeepEqual(counted.digest, asRows.digest) {
				t.Errorf("services stored differ")
			}
		})
	}
}

// TestImportNestedCopyLinkedLater: a phone nested under the organization
// and again under the service in each service document is a copy of the
// first document's phone until the service nests it and gives it its own
// service_id: it is then a row (duplicate id, a derived one, a warning),
// as without counting copies, and no service loses its phone.
func TestImportNestedCopyLinkedLater(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "services")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		doc := fmt.Sprintf(`{"id":"5a2c7e90-0000-4000-8000-00000000000%d","name":"Service %d","status":"active",
 "organization":{"id":"2f6b8a40-1c1e-4d6a-8a53-0b9f1d7e6c01","name":"Org",
   "phones":[{"id":"7e000000-0000-4000-8000-000000000001","number":"555-0100"}]},
 "phones":[{"id":"7e000000-0000-4000-8000-000000000001","number":"555-0100"}]}`, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.json", i)), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Dir(dir)
	run := func(count bool) (*Report, int) {
		importCountNestedCopies = count
		defer func() { importCountNestedCopies = true }()
		db := testdb.Open(t, dialect.SQLite, store.Options{})
		rep := importMust(t, db, path, ImportOptions{})
		return rep, db.Client.Phone.Query().CountX(t.Context())
	}
	counted, nc := run(true)
	asRows, nr := run(false)
	if nc != nr {
		t.Errorf("phones stored: counted %d, as rows %d", nc, nr)
	}
	if !reflect.DeepEqual(counted.WarningGroups(), asRows.WarningGroups()) {
		t.Errorf("warnings differ:\n counted %+v\n as rows %+v", counted.WarningGroups(), asRows.WarningGroups())
	}
	if !reflect.DeepEqual(counted.Tables, asRows.Tables) {
		t.Errorf("accounts differ:\n counted %+v\n as rows %+v", counted.Tables, asRows.Tables)
	}
}

// TestImportNestedCopyHashTellsValuesApart: values that join to the same
// bytes ({name:"Org\x00website\x00W"} and {name:"Org", website:"W"}) are
// not taken for a copy (firstOf writes each string after its length): the
// package is refused for the organization's differing copies, as it is
// without counting copies.
func TestImportNestedCopyHashTellsValuesApart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "services")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	orgs := []string{`{"id":"2f6b8a40-1c1e-4d6a-8a53-0b9f1d7e6c01","name":"Org","website":"https://example.org"}`,
		`{"id":"2f6b8a40-1c1e-4d6a-8a53-0b9f1d7e6c01","name":"Org\u0000website\u0000https://example.org"}`}
	for i, org := range orgs {
		doc := fmt.Sprintf(`{"id":"5a2c7e90-0000-4000-8000-00000000000%d","name":"Service %d","status":"active","organization":%s}`, i, i, org)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.json", i)), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Dir(dir)
	for _, count := range []bool{false, true} {
		importCountNestedCopies = count
		db := testdb.Open(t, dialect.SQLite, store.Options{})
		_, err := Import(t.Context(), db.Client, path, ImportOptions{})
		importCountNestedCopies = true
		if err == nil {
			t.Errorf("count=%v: conflicting organization copies imported without error", count)
		}
	}
}
