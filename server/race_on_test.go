//go:build race

package server_test

// raceEnabled: the race detector multiplies allocations, so allocation
// bounds are asserted only in runs without it (make test runs the attack
// tests once more without -race).
const raceEnabled = true
