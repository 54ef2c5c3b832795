package hsds

import (
	"strings"
	"testing"
	"unsafe"
)

// TestCompactValues checks a row's values read back as stored, in the
// narrow form (2-byte offsets) and in the wide one (a row of 64 KiB or
// more), from the spill file and from memory, and that the narrow form is
// the smaller.
func TestCompactValues(t *testing.T) {
	file := newImportSpill()
	defer file.Close()
	if file.f == nil {
		t.Fatal("no spill file")
	}
	t.Run("file", func(t *testing.T) { testCompactValues(t, file) })
	t.Run("memory", func(t *testing.T) { testCompactValues(t, &importSpill{}) })
	if file.err != nil {
		t.Fatal(file.err)
	}
}

func testCompactValues(t *testing.T, spill *importSpill) {
	cols := map[string]int{"id": 0, "name": 1, "empty": 2, "long": 3}
	lay := &importLayout{cols: cols, spill: spill}
	var rows []*importRow
	var want [][]string
	for _, long := range []string{"", "x", strings.Repeat("y", 1<<16), strings.Repeat("z", 3<<16+7)} {
		vals := []string{"svc-1", "Service one", "", long}
		r := lay.newRow(vals)
		rows, want = append(rows, r), append(want, vals)
		for c, i := range cols {
			if got := r.raw(c); got != vals[i] {
				t.Errorf("long %d: %s = %.20q (%d bytes), want %d bytes", len(long), c, got, len(got), len(vals[i]))
			}
		}
		if got := r.val(4); got != "" {
			t.Errorf("long %d: a column past the row's is %q", len(long), got)
		}
		if want := 1 + 2 + 2*len(vals) + len("svc-1Service one") + len(long); len(long) < 1<<15 && int(r.at&(importSpillMaxRow-1)) != want {
			t.Errorf("long %d: %d bytes, want the narrow form's %d", len(long), r.at&(importSpillMaxRow-1), want)
		}
	}
	// Read again, rows written after, last first (out of order): each is
	// read back by its own offset.
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		if got := r.raw("name"); got != want[i][1] || r.raw("long") != want[i][3] {
			t.Errorf("row %d read again: name %q", i, got)
		}
	}
	if r := lay.newRow(nil); r.raw("id") != "" {
		t.Errorf("an empty row has an id: %q", r.raw("id"))
	}
}

// TestImportRowSize: the package holds one importRow per source row.
func TestImportRowSize(t *testing.T) {
	if n := unsafe.Sizeof(importRow{}); n > 64 {
		t.Errorf("importRow takes %d bytes, want at most 64", n)
	}
}

// TestImportRecSize: the package holds one importRec per record until it
// is written, and keeps its columns to keep as bits of a word: every
// table's HSDS columns must fit in one.
func TestImportRecSize(t *testing.T) {
	if n := unsafe.Sizeof(importRec{}); n > 112 {
		t.Errorf("importRec takes %d bytes, want at most 112", n)
	}
	for table, cols := range importSpecTables {
		if len(cols) > 64 {
			t.Errorf("%s has %d HSDS columns; importRec.keepCols holds 64", table, len(cols))
		}
	}
}
