package calls

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/callrecord"
	"github.com/village-directory/village/internal/auth"
)

// DefaultRetentionMonths is how long call records are kept unless village
// serve --call-retention says otherwise: two years, long enough to compare
// a year with the one before.
const DefaultRetentionMonths = 24

// SweepInterval is how often a serving process deletes the call records
// past their retention (and once on start).
const SweepInterval = time.Hour

// sweepBatch bounds each delete: its IDs, and the feed's tombstones, in one
// statement each (a variable for the tests).
var sweepBatch = 1000

// Cutoff is the first day kept when records are swept at now with a
// retention of months: records of an earlier day are deleted.
func Cutoff(now time.Time, months int) time.Time {
	return now.UTC().Truncate(24*time.Hour).AddDate(0, -months, 0)
}

// Sweep deletes the call records older than months (Cutoff) and returns
// how many it deleted. It acts as an admin named "call retention" (the
// change feed's actor of the tombstones), in transactions of at most
// sweepBatch records.
func Sweep(ctx context.Context, client *ent.Client, now time.Time, months int) (int, error) {
	if months < 1 {
		return 0, fmt.Errorf("call retention must be at least a month (got %d)", months)
	}
	ctx = auth.WithViewer(ctx, auth.Viewer{Role: auth.Admin, Name: "call retention"})
	cutoff := Cutoff(now, months)
	total := 0
	for {
		ids, err := client.CallRecord.Query().Where(callrecord.CreatedAtLT(cutoff)).
			Order(ent.Asc(callrecord.FieldID)).Limit(sweepBatch).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		tx, err := client.Tx(ctx)
		if err != nil {
			return total, err
		}
		n, err := tx.CallRecord.Delete().Where(callrecord.IDIn(ids...)).Exec(ctx)
		if err != nil {
			_ = tx.Rollback()
			return total, err
		}
		if err := tx.Commit(); err != nil {
			return total, err
		}
		total += n
		if len(ids) < sweepBatch {
			return total, nil
		}
	}
}

// RunSweeps sweeps now and then every SweepInterval until ctx ends,
// logging what each sweep deleted (and failures, which the next sweep
// retries).
func RunSweeps(ctx context.Context, client *ent.Client, months int, log *slog.Logger) {
	sweep := func() {
		n, err := Sweep(ctx, client, time.Now(), months)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("call retention sweep failed", "error", err)
		case n > 0:
			log.Info("call retention sweep", "deleted", n, "kept_from", Cutoff(time.Now(), months).Format(time.DateOnly))
		}
	}
	sweep()
	t := time.NewTicker(SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sweep()
		}
	}
}
