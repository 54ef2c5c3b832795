package hsds

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestResolverWaitIsCancellable: a lookup waiting while another brings the
// table up to date gives up when its own request ends, instead of waiting
// out the other's work.
func TestResolverWaitIsCancellable(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	r := NewResolver(db.Client)
	table := r.kinds[KindService]
	if err := table.acquire(context.Background()); err != nil { // someone else's long catch-up
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := r.Resolve(ctx, KindService, uuid.NewString())
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("waiting lookup ended with %v, want its deadline", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting lookup ignored its context")
	}
	table.release()
	if _, ok, err := r.Resolve(context.Background(), KindService, uuid.NewString()); err != nil || ok {
		t.Errorf("after the table is free: %v %v", ok, err)
	}
}
