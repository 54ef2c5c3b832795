package match

import (
	"context"
	"runtime"
	"testing"
	"unsafe"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/servicearea"
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

		// Repeated values are held once: every service of one status or
		// wait text shares that string, and every area of one name or state that one.
		seen := map[string]*byte{}
		shared := func(what, s string) {
			if s == "" {
				return
			}
			if p, ok := seen[what+s]; ok && p != unsafe.StringData(s) {
				t.Fatalf("%s %.40q is held twice", what, s)
			}
			seen[what+s] = unsafe.StringData(s)
		}
		areas := 0
		for _, e := range snap.entries {
			shared("status", string(e.Status()))
			shared("wait", e.WaitTime())
			for _, a := range e.areas {
				shared("area name", e.tab.str(a.name))
				shared("state", e.tab.str(a.state))
				areas++
			}
		}
		if len(seen) == 0 || areas == 0 {
			t.Fatal("the synthetic services state no status and no area")
		}

		// An area's row, as a result's coverage shows it, holds the
		// database row's fields the index keeps.
		rows, err := db.Client.ServiceArea.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int]*ent.ServiceArea{}
		for _, r := range rows {
			byID[r.ID] = r
		}
		for _, e := range snap.entries {
			for i := range e.areas {
				got, want := e.row(&e.areas[i]), byID[e.areas[i].id]
				if want == nil || got.ID != want.ID || got.ServiceID != want.ServiceID || got.Kind != want.Kind ||
					got.Code != want.Code || got.StateCode != want.StateCode || got.Name != want.Name || got.Sample != want.Sample ||
					!sameFloat(got.CenterLatitude, want.CenterLatitude) || !sameFloat(got.CenterLongitude, want.CenterLongitude) ||
					!sameFloat(got.RadiusKm, want.RadiusKm) {
					t.Fatalf("area row %+v, the database's %+v", got, want)
				}
				if e.pos%100 != 0 || i > 0 { // its edges are queried through the client
					continue
				}
				if svc, err := got.QueryService().Only(ctx); err != nil || svc.ID != e.svc.ID {
					t.Fatalf("area %d's service: %v %v", got.ID, svc, err)
				}
			}
		}
		runtime.KeepAlive(snap)
	})
}

func sameFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestKindOfRank: an area's rank gives back its kind, for every kind.
func TestKindOfRank(t *testing.T) {
	for _, k := range []servicearea.Kind{servicearea.KindNATIONWIDE, servicearea.KindSTATE, servicearea.KindCOUNTY,
		servicearea.KindZIP, servicearea.KindRADIUS, servicearea.KindONLINE, servicearea.KindTEXT} {
		if a := (area{rank: rankOf(k)}); a.kind() != k {
			t.Errorf("kind %s: rank %d gives %s", k, a.rank, a.kind())
		}
	}
}
