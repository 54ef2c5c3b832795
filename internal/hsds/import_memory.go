package hsds

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// ImportMemoryFloor is the soft memory limit (runtime/debug.SetMemoryLimit)
// `village import` keeps while the import runs, unless GOMEMLIMIT is set
// (LimitImportMemory): the collector runs before the Go runtime's memory
// passes it, rather than when the heap has grown by ImportGCPercent, as
// long as the import holds less than about four fifths of it live. With
// the national package's peak of about 160 MB live this keeps the process
// under 300 MB resident (see doc.go, Import memory).
const ImportMemoryFloor = 200 << 20

// ImportMemoryHeadroom: once the import holds more than the floor allows
// (a larger package), the limit follows the live heap, an eighth above
// it, so the collector never runs without end (a limit below what is live
// makes it run as often as its CPU cap lets it). A quarter let the limit
// rise with the garbage marked live at the national package's peak, to
// 284 MB resident for CSV against 275 MB with an eighth.
const ImportMemoryHeadroom = 8

// importMemoryLimit is the limit for a live heap of live bytes when the
// runtime holds overhead bytes that no collection returns (the unused
// room of spans in use, the heap's metadata, stacks). The headroom is
// above both: a limit under live plus overhead is one the collector
// cannot meet, and it then runs without pause (a JSON package's heap,
// at its peak 160 MB live with some 55 MB of such overhead, against the
// floor alone took twice the CPU).
func importMemoryLimit(live, overhead uint64) int64 {
	return max(int64(ImportMemoryFloor), int64(live+live/ImportMemoryHeadroom+overhead))
}

// LimitImportMemory sets the soft memory limit of the process from its
// live heap (importMemoryLimit) and keeps it so, measured ten times a
// second, until stop is called, which puts the limit back. Under the
// limit the collector keeps Go's own pace (GOGC 100, unless GOGC is set),
// which costs less CPU than ImportGCPercent's.
func LimitImportMemory() (stop func()) {
	prev := debug.SetMemoryLimit(-1)
	prevGC, setGC := 0, os.Getenv("GOGC") == ""
	if setGC {
		prevGC = debug.SetGCPercent(100)
	}
	sample := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
	}
	set := func() {
		metrics.Read(sample)
		var v [5]uint64
		for i, s := range sample {
			if s.Value.Kind() != metrics.KindUint64 {
				return
			}
			v[i] = s.Value.Uint64()
		}
		// What the runtime holds beyond the heap's objects and the
		// free pages a collection lets it return.
		var overhead uint64
		if held := v[2] + v[3] + v[4]; v[1] > held {
			overhead = v[1] - held
		}
		debug.SetMemoryLimit(importMemoryLimit(v[0], overhead))
	}
	set()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				set()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		debug.SetMemoryLimit(prev)
		if setGC {
			debug.SetGCPercent(prevGC)
		}
	}
}
