package hsds

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"testing"
	"time"
	"unsafe"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestImportPackRoundTrip: a packed record's fields and links come back
// as they were given, each value of its own Go type (ent's SetField takes
// an enum only as its own type), with the spill in a file and in memory.
func TestImportPackRoundTrip(t *testing.T) {
	offset := time.FixedZone("+02", 2*3600)
	fields := []importField{
		{Name: "nil", Value: nil},
		{Name: "text", Value: "Food pantry"},
		{Name: "empty", Value: ""},
		{Name: "yes", Value: true},
		{Name: "no", Value: false},
		{Name: "int", Value: -42},
		{Name: "int64", Value: int64(1) << 40},
		{Name: "float", Value: 42.361145},
		{Name: "negzero", Value: math.Copysign(0, -1)},
		{Name: "utc", Value: time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)},
		{Name: "offset", Value: time.Date(2024, 5, 6, 7, 8, 9, 0, offset)},
		{Name: "list", Value: []string{"en", "es"}},
		{Name: "emptylist", Value: []string{}},
		{Name: "nillist", Value: []string(nil)},
		{Name: "kind", Value: servicearea.KindZIP},
		{Name: "type", Value: phone.TypeFAX},
		{Name: "eligibility", Value: &directory.Eligibility{StatedRules: []directory.Rule{}}},
		{Name: "modes", Value: []directory.DeliveryMode{}},
		{Name: "ptr", Value: (*float64)(nil)},
	}
	refs := []importRef{{"service_id", importSvcKind, "svc-1"}, {"location_id", importLocKind, ""}}
	for name, spill := range map[string]*importSpill{"file": newImportSpill(), "memory": {}} {
		t.Run(name, func(t *testing.T) {
			defer spill.Close()
			// Rows before and after, as the mapper spills them.
			lay := &importLayout{cols: map[string]int{"id": 0}, spill: spill}
			row := lay.newRow([]string{"row-1"})
			var recs []*importRec
			for i := range 3 {
				r := &importRec{kind: importAreaKind, extID: "area", row: row}
				r.body = &importRecBody{fields: fields[i:], refs: refs}
				r.pack(spill)
				if r.packed == 0 || r.body != nil {
					t.Fatalf("record %d not packed", i)
				}
				recs = append(recs, r)
				lay.newRow([]string{"row-after"})
			}
			if got := row.raw("id"); got != "row-1" {
				t.Errorf("row reads %q after packing", got)
			}
			if v := recs[0].value("kind"); v != servicearea.KindZIP {
				t.Errorf("value of a packed record: %#v", v)
			}
			for i, r := range recs {
				gotFields, gotRefs, err := r.unpack()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(gotFields, fields[i:]) {
					t.Errorf("record %d: fields\n got %#v\nwant %#v", i, gotFields, fields[i:])
				}
				for j, f := range gotFields {
					if reflect.TypeOf(f.Value) != reflect.TypeOf(fields[i+j].Value) {
						t.Errorf("%s: %T, want %T", f.Name, f.Value, fields[i+j].Value)
					}
				}
				if !reflect.DeepEqual(gotRefs, refs) {
					t.Errorf("record %d: refs %#v, want %#v", i, gotRefs, refs)
				}
			}
			hist := []string{"a4c4c2ba-5f0d-5f3e-9a6e-0d1b8b7c2e11", "b"}
			recs[2].setHistory(hist, spill)
			if !recs[2].hasHistory() || recs[1].hasHistory() || !reflect.DeepEqual(recs[2].history(), hist) || recs[1].history() != nil {
				t.Errorf("history: %v (%v), none: %v", recs[2].history(), recs[2].hasHistory(), recs[1].history())
			}
			if err := recs[1].unpacked(); err != nil || recs[1].packed != 0 || len(recs[1].fieldList()) != len(fields)-1 {
				t.Errorf("unpacked: %v, packed %d, %d fields", err, recs[1].packed, len(recs[1].fieldList()))
			}
		})
	}
}

// TestImportHeldSizes: the package holds one importRec per record until
// it is written, one importTableRow per row kept for the accounting and
// one importVillageAttr per Village attribute while mapping.
func TestImportHeldSizes(t *testing.T) {
	if n := unsafe.Sizeof(importTableRow{}); n > 16 {
		t.Errorf("importTableRow takes %d bytes, want at most 16", n)
	}
	if n := unsafe.Sizeof(importVillageAttr{}); n > 16 {
		t.Errorf("importVillageAttr takes %d bytes, want at most 16", n)
	}
}

// TestImportForgottenRowsCounted: the Village attribute rows an import
// lets go once read (forgetConsumed) are still each accounted for, as
// imported from their file.
func TestImportForgottenRowsCounted(t *testing.T) {
	_, dir := importExportSeeded(t, "csv")
	f, err := os.Open(filepath.Join(dir, "attributes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(f).ReadAll()
	_ = f.Close()
	if err != nil || len(all) < 2 {
		t.Fatalf("attributes.csv: %d lines, %v", len(all), err)
	}
	dst := testdb.Open(t, dialect.SQLite, store.Options{})
	rep := importMust(t, dst, dir, ImportOptions{})
	found := false
	for _, a := range rep.Tables {
		if a.Read != a.Imported+a.Repaired+a.Dropped {
			t.Errorf("%s: %+v does not add up", a.File, a)
		}
		if a.File == "attributes.csv" {
			found = true
			if a.Read != len(all)-1 {
				t.Errorf("attributes.csv: %d rows read, the file has %d", a.Read, len(all)-1)
			}
		}
	}
	if !found {
		t.Errorf("no account of attributes.csv:\n%s", rep)
	}
}

// TestImportMemoryLimit: the import's soft memory limit is the floor
// until the live heap and the runtime's overhead need more, then an eighth
// of the live heap above both.
func TestImportMemoryLimit(t *testing.T) {
	if got := importMemoryLimit(100<<20, 20<<20); got != ImportMemoryFloor {
		t.Errorf("100 MiB live: limit %d, want the floor %d", got, ImportMemoryFloor)
	}
	if got, want := importMemoryLimit(800<<20, 0), int64(900<<20); got != want {
		t.Errorf("800 MiB live: limit %d, want %d", got, want)
	}
	if got, want := importMemoryLimit(160<<20, 55<<20), int64(235<<20); got != want {
		t.Errorf("160 MiB live, 55 MiB overhead: limit %d, want %d", got, want)
	}
}

// TestImportLimitsMemory: with LimitMemory, a CSV or a JSON package is
// mapped and written under the soft memory limit, and the limit is put
// back once the import is done.
func TestImportLimitsMemory(t *testing.T) {
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	before := debug.SetMemoryLimit(-1)
	for _, c := range []struct {
		pkg   string
		limit int64
	}{
		{"openreferral-spec-3.0/examples/csv", ImportMemoryFloor},
		{"openreferral-spec-3.0/examples/service_full.json", ImportMemoryFloor},
	} {
		var during []int64
		opts := ImportOptions{LimitMemory: true, Progress: func(done, total int) { during = append(during, debug.SetMemoryLimit(-1)) }}
		if _, err := Import(context.Background(), db.Client, importSample(t, c.pkg), opts); err != nil {
			t.Fatalf("%s: %v", c.pkg, err)
		}
		if len(during) == 0 {
			t.Fatalf("%s: no progress reported", c.pkg)
		}
		for _, got := range during {
			if got != c.limit {
				t.Errorf("%s: limit %d while writing, want %d", c.pkg, got, c.limit)
				break
			}
		}
		if after := debug.SetMemoryLimit(-1); after != before {
			t.Errorf("%s: limit %d after the import, want %d as before", c.pkg, after, before)
		}
	}
}
