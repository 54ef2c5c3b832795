//go:build pprof

package main

// Built with -tags pprof (tools/bench/resident.sh with RESIDENT_PPROF=1),
// village serves Go's profiles (net/http/pprof) on VILLAGE_PPROF_ADDR, an
// address of their own that nothing else listens on, for measuring where
// memory goes. Release builds carry none of it.

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
)

func init() {
	if addr := os.Getenv("VILLAGE_PPROF_ADDR"); addr != "" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
