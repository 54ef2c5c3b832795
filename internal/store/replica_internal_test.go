package store

import (
	"testing"
	"time"
)

// TestReplicaLag: a replica's lag is the age of the oldest write of the
// primary it has not replayed, whatever the primary did since; a replica
// that has replayed everything sampled has none, however long the primary
// has been idle.
func TestReplicaLag(t *testing.T) {
	now := time.Now()
	r := &Replicas{samples: []walSample{
		{now.Add(-30 * time.Second), 100},
		{now.Add(-20 * time.Second), 100}, // idle
		{now.Add(-3 * time.Second), 250},
		{now.Add(-1 * time.Second), 300},
	}}
	for replayed, want := range map[LSN]time.Duration{99: 30 * time.Second, 100: 3 * time.Second, 260: time.Second, 300: 0, 400: 0} {
		if got := r.lagOf(replayed, now); got != want {
			t.Errorf("replayed %v: lag %s, want %s", replayed, got, want)
		}
	}
}
