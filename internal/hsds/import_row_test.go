package hsds

import (
	"strings"
	"testing"
)

// TestCompactValues checks a row's values read back as stored, in the
// narrow form (2-byte offsets) and in the wide one (a row of 64 KiB or
// more), and that the narrow form is the smaller.
func TestCompactValues(t *testing.T) {
	cols := map[string]int{"id": 0, "name": 1, "empty": 2, "long": 3}
	for _, long := range []string{"", "x", strings.Repeat("y", 1<<16), strings.Repeat("z", 3<<16+7)} {
		vals := []string{"svc-1", "Service one", "", long}
		r := &importRow{cols: cols, data: compactValues(vals)}
		for c, i := range cols {
			if got := r.raw(c); got != vals[i] {
				t.Errorf("long %d: %s = %.20q (%d bytes), want %d bytes", len(long), c, got, len(got), len(vals[i]))
			}
		}
		if got := r.val(4); got != "" {
			t.Errorf("long %d: a column past the row's is %q", len(long), got)
		}
		if want := 1 + 2 + 2*len(vals) + len("svc-1Service one") + len(long); len(long) < 1<<15 && len(r.data) != want {
			t.Errorf("long %d: %d bytes, want the narrow form's %d", len(long), len(r.data), want)
		}
	}
	if r := (&importRow{cols: cols, data: compactValues(nil)}); r.raw("id") != "" {
		t.Errorf("an empty row has an id: %q", r.raw("id"))
	}
}
