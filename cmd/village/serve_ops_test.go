package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the server's goroutines and a test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func status(url string) int {
	res, err := (&http.Client{Timeout: 2 * time.Second}).Get(url)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestServeDrainsOnSIGTERM runs serve as main does, with JSON logs and
// metrics on an address of their own, and stops it as SIGTERM does: /readyz
// answers 503 at once while requests are still served for the drain
// period; then the listener closes, a request in flight still finishes, and
// serve returns.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var out, errs lockedBuffer
	const drain = 1500 * time.Millisecond
	go func() {
		done <- run(ctx, []string{"serve", "--db", filepath.Join(t.TempDir(), "v.db"), "--addr", addr,
			"--metrics-addr", metricsAddr, "--log-format", "json", "--drain-period", drain.String(), "--rate-limit", "0"}, &out, &errs)
	}()
	base := "http://" + addr
	for i := 0; status(base+"/readyz") != http.StatusOK; i++ {
		if i == 100 {
			t.Fatalf("serve never became ready:\n%s", errs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := status("http://" + metricsAddr + "/metrics"); got != http.StatusOK {
		t.Errorf("--metrics-addr /metrics: %d", got)
	}
	if got := status(base + "/metrics"); got == http.StatusOK {
		t.Errorf("/metrics also served on --addr with --metrics-addr set")
	}

	// A request in flight across the whole shutdown: its headers and half
	// its body sent now, the rest once the listener has closed.
	body := `{"query":"{ programs { totalCount } }"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:10])

	stopped := time.Now()
	cancel() // what SIGTERM does in main
	for status(base+"/readyz") != http.StatusServiceUnavailable {
		if time.Since(stopped) > drain/2 {
			t.Fatal("/readyz did not answer 503 at once on SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, err := http.Post(base+"/graphql", "application/json", strings.NewReader(body))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("a request while draining: %v %v", err, res)
	}
	res.Body.Close()
	if time.Since(stopped) > drain {
		t.Fatal("the checks took longer than the drain period: make it longer")
	}
	for status(base+"/healthz") != 0 {
		if time.Since(stopped) > drain+5*time.Second {
			t.Fatal("the listener did not close after the drain period")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if time.Since(stopped) < drain {
		t.Errorf("the listener closed after %v, before the drain period", time.Since(stopped))
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned (%v) with a request in flight", err)
	default:
	}
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatal(err)
	}
	inFlight, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(inFlight.Body)
	if inFlight.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"totalCount":7`) {
		t.Errorf("the request in flight: %d %s", inFlight.StatusCode, answer)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit")
	}
	// JSON logs, with the request line's fields.
	sawRequest := false
	for _, line := range strings.Split(strings.TrimSpace(errs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("--log-format json wrote a line that is not JSON: %s", line)
		}
		if m["msg"] == "http request" && m["route"] == "/graphql" && m["request_id"] != "" && m["role"] == "ANONYMOUS" {
			sawRequest = true
		}
	}
	if !sawRequest {
		t.Errorf("no JSON request line for /graphql:\n%s", errs.String())
	}
}

// TestServeRefusesBadOpsFlags: a log format, a trusted-documents file, a
// drain period or read replicas that cannot be used are an error before
// serving.
func TestServeRefusesBadOpsFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--log-format", "xml"},
		{"--trusted-documents", filepath.Join(t.TempDir(), "missing.json")},
		{"--drain-period", "-1s"},
		// Read replicas need a PostgreSQL primary, not this SQLite file.
		{"--read-replica", "postgres://village@127.0.0.1:1/village"},
		{"--replica-max-lag", "0s"},
		{"--call-retention", "0"},
		{"--call-retention", "730d"},
	} {
		var out, errs bytes.Buffer
		err := run(context.Background(), append([]string{"serve", "--db", filepath.Join(t.TempDir(), "v.db")}, args...), &out, &errs)
		if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(args[0], "--")) {
			t.Errorf("serve %v: %v", args, err)
		}
	}
}

// TestImportMetricsFile: import --metrics-file leaves the run's numbers
// for node_exporter's textfile collector, a refused package's too.
func TestImportMetricsFile(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "v.db")
	metrics := filepath.Join(t.TempDir(), "village_import.prom")
	pkg := filepath.Join("..", "..", "internal", "hsds", "testdata", "openreferral-spec-3.0", "examples", "csv")
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"import", pkg, "--db", dsn, "--metrics-file", metrics}, &out, &errs); err != nil {
		t.Fatalf("import: %v\n%s", err, errs.String())
	}
	text := readFile(t, metrics)
	for _, want := range []string{"village_import_last_success 1", `village_import_last_records{action="unchanged"} 0`, "village_import_last_errors 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, `village_import_last_records{action="created"} 0`) || strings.Contains(text, "village_import_last_warnings 0") {
		t.Errorf("the import's records and warnings are not counted:\n%s", text)
	}
	ohana := filepath.Join("..", "..", "internal", "hsds", "testdata", "ohana-api-smc", "sample-csv")
	if err := run(ctx, []string{"import", ohana, "--db", dsn, "--metrics-file", metrics}, &out, &errs); err == nil {
		t.Fatal("the Ohana import was accepted")
	}
	if text := readFile(t, metrics); !strings.Contains(text, "village_import_last_success 0") || strings.Contains(text, "village_import_last_errors 0") {
		t.Errorf("a refused import's metrics:\n%s", text)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
