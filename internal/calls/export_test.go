package calls

// SetSweepBatch sets the sweep's batch size and returns what restores it.
func SetSweepBatch(n int) func() {
	old := sweepBatch
	sweepBatch = n
	return func() { sweepBatch = old }
}
