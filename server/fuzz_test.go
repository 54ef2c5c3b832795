package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The fuzzer's knobs, from the environment: how many documents each
// backend gets (make fuzz sets 100,000), and the seed of the run (random
// unless given; every failure report names it).
const (
	envFuzzN    = "VILLAGE_FUZZ_N"
	envFuzzSeed = "VILLAGE_FUZZ_SEED"
)

// fuzzDefaultN keeps the fuzzer within about a minute per backend under
// make test's -race.
const fuzzDefaultN = 2000

// TestFuzzGraphQL sends documents generated from the schema (valid ones,
// ones with wrong types and edge values, byte-mutated ones) through the
// real HTTP handler over the seeded directory, anonymously and with a key
// of each role, mutations included. Whatever a client sends, the server
// must answer with JSON, below 500, with a code on every error, never
// INTERNAL, and without logging a panic or an unexpected error. All the
// distinct failures of a run are reported, each with its shortest
// reproducer.
func TestFuzzGraphQL(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	n := fuzzDefaultN
	if s := os.Getenv(envFuzzN); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 0 {
			t.Fatalf("%s=%q: want a count of documents", envFuzzN, s)
		}
	}
	if testing.Short() {
		n = min(n, 200)
	}
	seed := rand.Uint64()
	if s := os.Getenv(envFuzzSeed); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: want an unsigned integer", envFuzzSeed, s)
		}
	}
	t.Logf("%d documents per backend; reproduce with %s=%d", n, envFuzzSeed, seed)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFuzzer(t, db)
		f.run(seed, n)
		f.report(seed)
	})
}

// FuzzGraphQL puts TestFuzzGraphQL's checks under Go's fuzzing engine
// (go test -fuzz FuzzGraphQL ./server), which mutates the bytes of a
// document and of its variables, starting from generated ones; each is
// sent as an administrator to the seeded directory on SQLite. Without
// -fuzz, the starting documents run as a test.
func FuzzGraphQL(f *testing.F) {
	fz := newFuzzer(f, testdb.Open(f, "sqlite3", store.Options{}))
	r := rand.New(rand.NewPCG(1, 1))
	for range 20 {
		req := newFuzzGen(fz.schema, r, &fz.pools).document()
		f.Add(req.Query, req.variablesJSON())
	}
	f.Fuzz(func(t *testing.T, query, variables string) {
		req := fuzzRequest{Query: query, RawVariables: variables}
		status, body, err := fz.send(req, auth.Admin, http.MethodPost, false)
		fz.check(fuzzExample{role: auth.Admin, method: http.MethodPost, req: req, status: status, body: string(body)}, err, r)
		for class, fl := range fz.failures {
			delete(fz.failures, class)
			t.Errorf("%s\n  response (HTTP %d): %s\n  server log: %s", class, fl.example.status, fuzzClip(fl.example.body, 2000), fl.example.detail)
		}
	})
}

// fuzzRoles are the callers documents are sent as, in turn.
var fuzzRoles = []auth.Role{auth.Anonymous, auth.Reader, auth.Staff, auth.Editor, auth.Admin}

type fuzzer struct {
	t       testing.TB
	srv     *httptest.Server
	client  *http.Client
	schema  *ast.Schema
	secrets map[auth.Role]string
	logs    *fuzzLog
	pools   fuzzPools

	failures map[string]*fuzzFailure
	codes    map[string]int // how often each outcome was seen
	slowest  []fuzzSlow
}

type fuzzSlow struct {
	took time.Duration
	doc  string
}

// fuzzFailure is one class of failure: how often it was seen, and the
// shortest request that showed it.
type fuzzFailure struct {
	count   int
	example fuzzExample
}

type fuzzExample struct {
	index  int
	role   auth.Role
	method string
	req    fuzzRequest
	status int
	body   string
	detail string
}

func (e fuzzExample) size() int { return len(e.req.Query) + len(e.req.variablesJSON()) }

func newFuzzer(t testing.TB, db *store.DB) *fuzzer {
	t.Helper()
	loadSeedAndSamples(t, db)
	ctx := context.Background()
	orgs, err := db.Client.Organization.Query().Limit(2).IDs(ctx)
	if err != nil || len(orgs) == 0 {
		t.Fatalf("organizations for an editor key: %v %v", orgs, err)
	}
	f := &fuzzer{
		t:        t,
		schema:   graph.NewExecutableSchema(graph.Config{Resolvers: graph.NewResolver(db.Client)}).Schema(),
		secrets:  map[auth.Role]string{},
		logs:     newFuzzLog(),
		failures: map[string]*fuzzFailure{},
		codes:    map[string]int{},
	}
	for _, role := range fuzzRoles[1:] {
		var scope []int
		if role == auth.Editor {
			scope = orgs
		}
		secret, _, err := auth.CreateKey(ctx, db.Client, "fuzz "+string(role), role, scope)
		if err != nil {
			t.Fatal(err)
		}
		f.secrets[role] = secret
	}
	f.srv = httptest.NewUnstartedServer(server.New(db, server.Config{}, slog.New(f.logs)))
	// net/http's own recovery (a panic that escaped the handlers) logs here.
	f.srv.Config.ErrorLog = log.New(fuzzErrorLog{f.logs}, "", 0)
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	f.client = &http.Client{Timeout: time.Minute}
	// Real IDs and cursors for the generator to use.
	r := rand.New(rand.NewPCG(0, 0))
	for _, list := range []string{"organizations", "programs", "services", "locations", "resources", "taxonomyTerms"} {
		_, body, err := f.send(fuzzRequest{Query: "{ " + list + "(first: 50) { edges { cursor node { id } } } }"}, auth.Admin, http.MethodPost, false)
		var res struct{ Data any }
		if err != nil || json.Unmarshal(body, &res) != nil {
			t.Fatalf("listing %s: %v %s", list, err, body)
		}
		f.pools.collect(r, res.Data)
		f.logs.drain()
	}
	return f
}

// run sends n generated documents, the i-th from (seed, i) and the role
// after the previous one's.
func (f *fuzzer) run(seed uint64, n int) {
	start := time.Now()
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		req := newFuzzGen(f.schema, r, &f.pools).request()
		role := fuzzRoles[i%len(fuzzRoles)]
		method := http.MethodPost
		if !req.Mutation && r.IntN(5) == 0 {
			method = http.MethodGet
		}
		sent := time.Now()
		status, body, err := f.send(req, role, method, r.IntN(10) == 0)
		took := time.Since(sent)
		f.noteSlow(took, req)
		f.check(fuzzExample{index: i, role: role, method: method, req: req, status: status, body: string(body)}, err, r)
	}
	f.t.Logf("%d documents in %v", n, time.Since(start).Round(time.Millisecond))
}

// send makes one request and waits for the server to log it, so that what
// the server logged belongs to this request.
func (f *fuzzer) send(req fuzzRequest, role auth.Role, method string, graphqlAccept bool) (int, []byte, error) {
	var hr *http.Request
	var err error
	if method == http.MethodGet {
		q := url.Values{"query": {req.Query}}
		if v := req.variablesJSON(); v != "" {
			q.Set("variables", v)
		}
		if req.OperationName != "" {
			q.Set("operationName", req.OperationName)
		}
		hr, err = http.NewRequest(method, f.srv.URL+"/graphql?"+q.Encode(), nil)
	} else {
		hr, err = http.NewRequest(method, f.srv.URL+"/graphql", bytes.NewReader(req.body()))
		hr.Header.Set("Content-Type", "application/json")
	}
	if err != nil {
		return 0, nil, err
	}
	if graphqlAccept {
		hr.Header.Set("Accept", "application/graphql-response+json")
	}
	if s := f.secrets[role]; s != "" {
		hr.Header.Set("Authorization", "Bearer "+s)
	}
	res, err := f.client.Do(hr)
	status := 0
	var body []byte
	if err == nil {
		status = res.StatusCode
		body, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	f.logs.waitRequest()
	return status, body, err
}

func (f *fuzzer) noteSlow(took time.Duration, req fuzzRequest) {
	f.slowest = append(f.slowest, fuzzSlow{took, req.Query})
	slices.SortFunc(f.slowest, func(a, b fuzzSlow) int { return int(b.took - a.took) })
	f.slowest = f.slowest[:min(len(f.slowest), 3)]
}

// check records what is wrong with one response, if anything.
func (f *fuzzer) check(ex fuzzExample, sendErr error, r *rand.Rand) {
	var classes []string
	for _, rec := range f.logs.drain() {
		classes = append(classes, "server logged "+rec.shape)
		ex.detail += rec.full + "\n"
	}
	fail := func(class string) { classes = append(classes, class) }
	var res struct {
		Data   any               `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	switch {
	case sendErr != nil:
		fail("no response: " + fuzzShape(sendErr.Error()))
		f.codes["no response"]++
	case json.Unmarshal([]byte(ex.body), &res) != nil:
		fail(fmt.Sprintf("HTTP %d with a body that is not a JSON object", ex.status))
		f.codes["not JSON"]++
	default:
		if ex.status >= 500 {
			fail(fmt.Sprintf("HTTP %d", ex.status))
		}
		if len(res.Errors) == 0 {
			f.codes["data"]++
		}
		f.pools.collect(r, res.Data)
		for _, raw := range res.Errors {
			var e gqlError
			if json.Unmarshal(raw, &e) != nil {
				fail("an error that is not a JSON object")
				continue
			}
			code, _ := e.Extensions["code"].(string)
			f.codes[code]++
			switch code {
			case "":
				fail("error without extensions.code: " + fuzzShape(e.Message))
			case graph.CodeInternal:
				fail("INTERNAL: " + fuzzShape(e.Message))
			}
		}
	}
	for _, class := range classes {
		if strings.HasPrefix(class, "INTERNAL: ") && ex.detail != "" {
			continue // the log line says more
		}
		fl := f.failures[class]
		if fl == nil {
			fl = &fuzzFailure{example: ex}
			f.failures[class] = fl
		}
		fl.count++
		if ex.size() < fl.example.size() {
			fl.example = ex
		}
	}
}

func (f *fuzzer) report(seed uint64) {
	var codes []string
	for code, n := range f.codes {
		codes = append(codes, fmt.Sprintf("%s %d", code, n))
	}
	slices.Sort(codes)
	f.t.Logf("outcomes (\"data\": no error; otherwise errors by code): %s", strings.Join(codes, ", "))
	for _, s := range f.slowest {
		f.t.Logf("slow: %v for %.200q", s.took.Round(time.Millisecond), s.doc)
	}
	classes := slices.Sorted(func(yield func(string) bool) {
		for c := range f.failures {
			if !yield(c) {
				return
			}
		}
	})
	for _, class := range classes {
		fl := f.failures[class]
		ex := fl.example
		f.t.Errorf("FAILURE CLASS %s\n  seen %d times; shortest: document %d of seed %d, %s as %s\n  query: %s\n  operationName: %q\n  variables: %s\n  response (HTTP %d): %s\n  server log: %s",
			class, fl.count, ex.index, seed, ex.method, ex.role, fuzzClip(ex.req.Query, 4000), ex.req.OperationName,
			fuzzClip(ex.req.variablesJSON(), 4000), ex.status, fuzzClip(ex.body, 2000), ex.detail)
	}
	if len(classes) > 0 {
		f.t.Errorf("%d distinct failure classes; reproduce the run with %s=%d", len(classes), envFuzzSeed, seed)
	}
}

func fuzzClip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("… (%d bytes in all)", len(s))
}

var (
	fuzzQuoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'[^']*'`)
	// gqlgen's "input: <path> message" and "input:<line>:<column>: <path> message".
	fuzzInputPath = regexp.MustCompile(`input:(?:\d+:\d+:)? ?\S+ `)
	// One field's null where another's would be the same failure.
	fuzzNonNull = regexp.MustCompile(`non-null field \S+ \(\S+\)`)
	fuzzHex     = regexp.MustCompile(`0x[0-9a-fA-F]+`)
	fuzzDigits  = regexp.MustCompile(`[0-9]+`)
)

// fuzzShape is a message with its particulars (quoted text, numbers)
// blanked out, so that failures of one kind share a class.
func fuzzShape(s string) string {
	s = fuzzInputPath.ReplaceAllString(s, "input: <path> ")
	s = fuzzNonNull.ReplaceAllString(s, "non-null field <field>")
	s = fuzzQuoted.ReplaceAllString(s, `"…"`)
	s = fuzzHex.ReplaceAllString(s, "0x…")
	s = fuzzDigits.ReplaceAllString(s, "N")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// fuzzLog is the servers' slog handler: it counts the request lines and
// keeps what a request must never make the server log (a panic, an
// error).
type fuzzLog struct {
	mu       sync.Mutex
	bad      []fuzzLogRecord
	requests chan struct{}
}

type fuzzLogRecord struct {
	shape string // the class: message and error or panic, particulars blanked
	full  string // with the particulars and the stack's Village frames
}

func newFuzzLog() *fuzzLog { return &fuzzLog{requests: make(chan struct{}, 1024)} }

func (h *fuzzLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *fuzzLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *fuzzLog) WithGroup(string) slog.Handler            { return h }

func (h *fuzzLog) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message == "http request" {
		select {
		case h.requests <- struct{}{}:
		default:
		}
		return nil
	}
	if rec.Level < slog.LevelError && !strings.Contains(rec.Message, "panic") {
		return nil
	}
	shape, full := rec.Message, rec.Message
	rec.Attrs(func(a slog.Attr) bool {
		v := a.Value.String()
		switch a.Key {
		case "stack":
			full += "\n    " + strings.Join(villageFrames(v), "\n    ")
		case "panic", "error":
			shape += ": " + fuzzShape(v)
			full += " " + a.Key + "=" + fuzzClip(v, 1000)
		default:
			full += " " + a.Key + "=" + fuzzClip(v, 200)
		}
		return true
	})
	h.record(fuzzLogRecord{shape, full})
	return nil
}

func (h *fuzzLog) record(r fuzzLogRecord) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bad = append(h.bad, r)
}

// villageFrames are the functions of a stack in Village's code, below
// the recovery.
func villageFrames(stack string) []string {
	var out []string
	lines := strings.Split(stack, "\n")
	for i, l := range lines {
		if strings.Contains(l, "village-directory/village/") && !strings.HasPrefix(l, "\t") &&
			!strings.Contains(l, "recover") && i+1 < len(lines) {
			out = append(out, l+" "+strings.TrimSpace(lines[i+1]))
		}
	}
	return out[:min(len(out), 6)]
}

// waitRequest waits for the request line of the request just answered
// (logged once its handler returns).
func (h *fuzzLog) waitRequest() {
	select {
	case <-h.requests:
	case <-time.After(30 * time.Second):
	}
}

func (h *fuzzLog) drain() []fuzzLogRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	bad := h.bad
	h.bad = nil
	return bad
}

// fuzzErrorLog takes net/http's server log: anything there is a failure.
type fuzzErrorLog struct{ h *fuzzLog }

func (w fuzzErrorLog) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	first, _, _ := strings.Cut(msg, "\n")
	w.h.record(fuzzLogRecord{"net/http: " + fuzzShape(first), fuzzClip(msg, 2000)})
	return len(p), nil
}
