//go:build importprof

package hsds

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
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
