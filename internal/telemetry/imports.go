package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ImportResult is what one HSDS import did, for its metrics.
type ImportResult struct {
	Refused                     bool // a structural fault refused the package
	Created, Updated, Unchanged int  // records, all types together
	Warnings, Faults            int  // data-quality warnings, structural faults
	Duration                    time.Duration
	At                          time.Time // when it ended
}

// WriteImportMetrics writes an import's metrics to path in Prometheus' text
// format, for node_exporter's textfile collector: an import is a command
// that ends, not a server to scrape, so it leaves its numbers as gauges of
// the last run (Prometheus' advice for batch jobs). The file is replaced
// atomically.
func WriteImportMetrics(path string, r ImportResult) error {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string, v float64) {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		g.Set(v)
		reg.MustRegister(g)
	}
	records := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "village_import_last_records",
		Help: "Records the last HSDS import read, by what it did with them (created, updated, unchanged).",
	}, []string{"action"})
	records.WithLabelValues("created").Set(float64(r.Created))
	records.WithLabelValues("updated").Set(float64(r.Updated))
	records.WithLabelValues("unchanged").Set(float64(r.Unchanged))
	reg.MustRegister(records)
	gauge("village_import_last_warnings", "Data-quality warnings the last HSDS import reported.", float64(r.Warnings))
	gauge("village_import_last_errors", "Structural faults the last HSDS import refused its package for.", float64(r.Faults))
	gauge("village_import_last_duration_seconds", "How long the last HSDS import took.", r.Duration.Seconds())
	gauge("village_import_last_run_timestamp_seconds", "When the last HSDS import ended (Unix time).", float64(r.At.Unix()))
	ok := 1.0
	if r.Refused {
		ok = 0
	}
	gauge("village_import_last_success", "1 when the last HSDS import was accepted, 0 when it refused its package.", ok)
	return prometheus.WriteToTextfile(path, reg)
}
