package search

import (
	"context"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/testdb"
)

// heldBy is what building the index of client's directory leaves on the
// Go heap, measured after collecting the garbage: bytes and objects.
func heldBy(tb testing.TB, db *store.DB) (ix *index, bytes, objects int64) {
	tb.Helper()
	ctx := context.Background()
	position, err := feed.Position(ctx, db.Client)
	if err != nil {
		tb.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix, err = build(ctx, db.Client, position)
	if err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return ix, int64(after.HeapAlloc) - int64(before.HeapAlloc), int64(after.HeapObjects) - int64(before.HeapObjects)
}

// TestIndexBytes: the index's estimate of its own bytes (IndexStats.Bytes,
// village_search_index_bytes) is near what building it leaves on the Go
// heap.
func TestIndexBytes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := seed.Load(ctx, db.Client); err != nil {
			t.Fatal(err)
		}
		// Enough records that the index outweighs the heap's noise.
		size := synthetic.Size{Organizations: 100, Services: 2000, Areas: 2000, Seed: 1}
		if _, err := synthetic.Generate(ctx, db.Client, size, nil); err != nil {
			t.Fatal(err)
		}
		ix, held, objects := heldBy(t, db)
		estimate := ix.bytes()
		// The estimate counts arrays at their capacity, not their size
		// class, and map slots at a guess: it may fall somewhat short of
		// the heap, never far, and never beyond it by much.
		if estimate < held*3/4 || estimate > held*5/4 {
			t.Errorf("the index estimates %d bytes; building it left %d on the heap", estimate, held)
		}
		// A few dozen arrays, whatever the records (14,000 objects here
		// while terms and records had slices and strings of their own).
		if objects > 500 {
			t.Errorf("the index is %d heap objects", objects)
		}
		t.Logf("%d records: estimate %d bytes, heap %d bytes in %d objects", len(ix.docs), estimate, held, objects)
		runtime.KeepAlive(ix)
	})
}

// BenchmarkIndexMemory builds the index of the synthetic national
// directory (SQLite) and reports the live heap it holds (heap-MB), in how
// many heap objects (heap-objects: what the collector marks at every
// cycle), and its own estimate (estimate-MB).
//
//	go test -run '^$' -bench IndexMemory -benchtime 3x ./internal/search/
//
// VILLAGE_SEARCH_DB=FILE reads a SQLite file seeded before (village seed
// --synthetic --db FILE) instead of generating the directory.
func BenchmarkIndexMemory(b *testing.B) {
	ctx := context.Background()
	var db *store.DB
	if file := os.Getenv("VILLAGE_SEARCH_DB"); file != "" {
		var err error
		if db, err = store.OpenExisting(ctx, file, store.Options{}); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
	} else {
		db = testdb.Open(b, dialect.SQLite, store.Options{})
		if _, err := seed.Load(ctx, db.Client); err != nil {
			b.Fatal(err)
		}
		if _, err := synthetic.Generate(ctx, db.Client, synthetic.DefaultSize, nil); err != nil {
			b.Fatal(err)
		}
	}
	var bytes, objects, estimate int64
	for b.Loop() {
		ix, held, n := heldBy(b, db)
		bytes, objects, estimate = held, n, ix.bytes()
		runtime.KeepAlive(ix)
	}
	b.ReportMetric(float64(bytes)/(1<<20), "heap-MB")
	b.ReportMetric(float64(objects), "heap-objects")
	b.ReportMetric(float64(estimate)/(1<<20), "estimate-MB")
}

// TestContentsHoldNoPointers: none of the index's arrays holds a pointer
// (but needs, a few dozen entries), so the collector never scans them.
func TestContentsHoldNoPointers(t *testing.T) {
	var pointerful func(ty reflect.Type) bool
	pointerful = func(ty reflect.Type) bool {
		switch ty.Kind() {
		case reflect.Pointer, reflect.String, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			return true
		case reflect.Slice, reflect.Array:
			return pointerful(ty.Elem())
		case reflect.Struct:
			for i := range ty.NumField() {
				if pointerful(ty.Field(i).Type) {
					return true
				}
			}
		}
		return false
	}
	ty := reflect.TypeFor[contents]()
	for i := range ty.NumField() {
		f := ty.Field(i)
		if f.Name == "needs" || f.Name == "tail" {
			continue
		}
		elem := f.Type
		if elem.Kind() == reflect.Slice {
			elem = elem.Elem()
		}
		if pointerful(elem) {
			t.Errorf("contents.%s (%v) holds pointers", f.Name, f.Type)
		}
	}
}

// TestTable: the table finds what was added and not removed, whatever
// collides, as a map would.
func TestTable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	keys := make([]uint64, 5000)
	hash := func(v int32) uint64 { return keys[v] % 97 } // collisions on purpose
	var tab table
	in := map[int32]bool{}
	for range 20000 {
		v := int32(r.IntN(len(keys)))
		if in[v] {
			tab.remove(hash(v), v, hash)
			delete(in, v)
		} else {
			keys[v] = r.Uint64()
			tab.add(hash(v), v, hash)
			in[v] = true
		}
	}
	if tab.n != len(in) {
		t.Fatalf("the table counts %d, holds %d", tab.n, len(in))
	}
	for v := range int32(len(keys)) {
		found := false
		if len(tab.slots) > 0 {
			for i := tab.start(hash(v)); tab.slots[i] != 0; i = tab.next(i) {
				if tab.slots[i]-1 == v {
					found = true
				}
			}
		}
		if found != in[v] {
			t.Fatalf("%d: found %v, added %v", v, found, in[v])
		}
	}
}

// TestTailsAppendedOnce: a refresh appends to the tails of the arrays it
// shares with the index before; a second one made from that index (after
// the first failed) appends to copies, never where the first wrote.
func TestTailsAppendedOnce(t *testing.T) {
	old := &index{contents: contents{post: make([]posting, 2, 8), tail: new(atomic.Bool)}}
	a := old.copy(1, true)
	a.post = append(a.post, 7)
	if &a.post[0] != &old.post[0] {
		t.Fatal("the first refresh copied the postings rather than append to them")
	}
	b := old.copy(1, true)
	if cap(b.post) != len(b.post) {
		t.Fatalf("the second refresh may append in place: len %d, cap %d", len(b.post), cap(b.post))
	}
	b.post = append(b.post, 9)
	if a.post[2] != 7 {
		t.Fatalf("the second refresh wrote over the first's tail: %v", a.post)
	}
	// An index made from one with nothing to change shares its arrays,
	// and what was appended past them.
	if c := a.copy(2, false); c.tail != a.tail {
		t.Fatal("a copy not written does not share its arrays' tails")
	}
}
