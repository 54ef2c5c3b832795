package match

import (
	"context"
	"runtime"
	"testing"
	"unsafe"

	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
)

// TestIndexBytes: the index's estimate of its own bytes is zero before it
// is built, then near what building it leaves on the Go heap (measured
// after collecting the garbage), and the values many rows repeat are held
// once.
func TestIndexBytes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := seed.Load(ctx, db.Client); err != nil {
			t.Fatal(err)
		}
		// Enough services that the index outweighs the heap's noise.
		size := synthetic.Size{Organizations: 60, Services: 1500, Areas: 7500, Seed: 1}
		if _, err := synthetic.Generate(ctx, db.Client, size, nil); err != nil {
			t.Fatal(err)
		}
		m := New(db.Client, nil)
		if st := m.IndexStats(); st.Bytes != 0 || st.Records != 0 {
			t.Fatalf("before the first build: %+v", st)
		}
		if err := m.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		st := m.IndexStats()
		if st.Records == 0 || st.Bytes == 0 {
			t.Fatalf("after the build: %+v", st)
		}

		position, err := feed.Position(ctx, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		snap, err := load(ctx, db.Client, position)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		estimate := snap.bytes()
		// The estimate counts strings at their length, not their size
		// class, and map slots at a guess: it may fall somewhat short of
		// the heap, never far, and never beyond it by much.
		if estimate < held*3/4 || estimate > held*5/4 {
			t.Errorf("the index estimates %d bytes; building it left %d on the heap", estimate, held)
		}
		t.Logf("%d services: estimate %d bytes, heap %d bytes", len(snap.entries), estimate, held)

		// Repeated values are held once: every service and area of one
		// provenance shares that string.
		provenances := map[string]*byte{}
		shared := func(s string) {
			if s == "" {
				return
			}
			if p, ok := provenances[s]; ok && p != unsafe.StringData(s) {
				t.Fatalf("provenance %.40q is held twice", s)
			}
			provenances[s] = unsafe.StringData(s)
		}
		for _, e := range snap.entries {
			shared(e.svc.Provenance)
			for _, a := range e.areas {
				shared(a.ref.Provenance)
			}
		}
		if len(provenances) == 0 {
			t.Fatal("the synthetic services state no provenance")
		}
		runtime.KeepAlive(snap)
	})
}
