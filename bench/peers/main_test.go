package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// answering returns a server that answers every request with body.
func answering(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestCheckSame: the three answers pass only when they hold the same rows,
// and the floor's only when its JSON is Village's.
func TestCheckSame(t *testing.T) {
	villageBody := fmt.Sprintf(`{"data":{"organizations":{"edges":[{"node":{"id":%q,"services":{"edges":[{"node":{"id":%q}}]}}}]}}}`,
		encodeID(7), encodeID(9))
	pglBody := `{"data":{"allOrganizations":{"edges":[{"node":{"rowId":"7","servicesByOrganizationId":{"edges":[{"node":{"rowId":"9"}}]}}}]}}}`
	pglOther := `{"data":{"allOrganizations":{"edges":[{"node":{"rowId":"7","servicesByOrganizationId":{"edges":[{"node":{"rowId":"10"}}]}}}]}}}`
	pglFewer := `{"data":{"allOrganizations":{"edges":[{"node":{"rowId":"7","servicesByOrganizationId":{"edges":[]}}}]}}}`
	floorOther := strings.Replace(villageBody, `"data":{`, `"data":{"extra":1,`, 1)
	k := kinds([]int64{9})[0]
	client := http.DefaultClient
	for _, c := range []struct {
		name, pgl, floor, wantErr string
	}{
		{"same rows", pglBody, villageBody, ""},
		{"other row", pglOther, villageBody, "the IDs differ"},
		{"fewer rows", pglFewer, villageBody, "postgraphile answered 1 rows, Village 2"},
		{"floor's JSON differs", pglBody, floorOther, "the floor's JSON differs"},
		{"errors", `{"errors":[{"message":"no"}]}`, villageBody, "errors in the answer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			servers := []server{{village, answering(t, villageBody), 0}, {pgl, answering(t, c.pgl), 0}, {floorS, answering(t, c.floor), 0}}
			err := checkSame(client, servers, k)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("checkSame: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("checkSame = %v, want an error saying %q", err, c.wantErr)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	rs := []result{{rps: 5}, {rps: 1}, {rps: 3}, {rps: 100}}
	if got := median(rs, func(r result) float64 { return r.rps }); got != 4 {
		t.Errorf("median of 1, 3, 5, 100 = %v, want 4", got)
	}
	if got := median(rs[:3], func(r result) float64 { return r.rps }); got != 3 {
		t.Errorf("median of 5, 1, 3 = %v, want 3", got)
	}
}

func TestCPUTicks(t *testing.T) {
	if cpuTicks(0) != -1 {
		t.Errorf("cpuTicks(0) = %d, want -1 (unknown)", cpuTicks(0))
	}
	before := cpuTicks(os.Getpid())
	if before < 0 {
		t.Skip("no /proc/PID/stat here")
	}
	// Busy until the process's CPU time moves (a tick is 10 ms), 5 s at most.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if cpuTicks(os.Getpid()) > before {
			return
		}
	}
	t.Errorf("cpuTicks stayed at %d through 5 s of work", before)
}
