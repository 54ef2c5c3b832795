//go:build importprof

package hsds

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// With -tags importprof and VILLAGE_IMPORT_HEAPDIR set, each stage of an
// import collects garbage, prints the live heap to stderr and writes a
// heap profile STAGE.pprof there. With VILLAGE_IMPORT_CPUPROFILE set, the
// import's CPU profile (from the program's start to the import's end,
// stage "done") is written to that file.
func init() {
	dir := os.Getenv("VILLAGE_IMPORT_HEAPDIR")
	cpu := os.Getenv("VILLAGE_IMPORT_CPUPROFILE")
	var cpuFile *os.File
	if cpu != "" {
		if f, err := os.Create(cpu); err == nil && pprof.StartCPUProfile(f) == nil {
			cpuFile = f
		}
	}
	if dir == "" && cpuFile == nil {
		return
	}
	if dir != "" {
		go watchPeak(dir)
	}
	importStage = func(stage string) {
		if stage == "done" && cpuFile != nil {
			pprof.StopCPUProfile()
			_ = cpuFile.Close()
			cpuFile = nil
		}
		if dir == "" {
			return
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(os.Stderr, "import stage %-12s live %4d MB, sys %4d MB\n", stage, ms.HeapAlloc>>20, ms.Sys>>20)
		if f, err := os.Create(filepath.Join(dir, stage+".pprof")); err == nil {
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		}
	}
}

// watchPeak writes peak.pprof each time the live heap after a collection
// passes its highest so far by 8 MB: the heap profile at the import's peak.
func watchPeak(dir string) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}, {Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/heap/released:bytes"}, {Name: "/memory/classes/total:bytes"}}
	var high uint64
	for range time.Tick(20 * time.Millisecond) {
		metrics.Read(sample)
		live := sample[0].Value.Uint64()
		if live < high+8<<20 {
			continue
		}
		high = live
		fmt.Fprintf(os.Stderr, "import peak live %d MB objects %d unused %d free %d released %d total %d\n", live>>20, sample[1].Value.Uint64()>>20, sample[2].Value.Uint64()>>20, sample[3].Value.Uint64()>>20, sample[4].Value.Uint64()>>20, sample[5].Value.Uint64()>>20)
		if f, err := os.Create(filepath.Join(dir, "peak.pprof")); err == nil {
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		}
	}
}
