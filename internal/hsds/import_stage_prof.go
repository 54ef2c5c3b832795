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
// heap profile STAGE.pprof there.
func init() {
	dir := os.Getenv("VILLAGE_IMPORT_HEAPDIR")
	if dir == "" {
		return
	}
	importStage = func(stage string) {
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
