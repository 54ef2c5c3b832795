// Command peers is the load generator and judge of make bench-peers
// (bench/peers.sh; issue 19): it sends the same reads to Village,
// PostGraphile 5 and the hand-written floor (bench/floor), all three serving
// one PostgreSQL database of the synthetic national directory, and prints
// their throughput, latency and ratios, with PASS or FAIL for each target.
//
// Before measuring it checks that the three answer with the same rows: the
// IDs each answer holds, at every level, compared as sorted lists (Village's
// and the floor's opaque IDs decoded; PostGraphile's rowId), and the floor's
// JSON equal to Village's. A kind of request whose answers differ is
// measured for no one and reported as MISMATCH, and the command exits 1.
//
// Measuring: for each number of connections (-conns), -rounds rounds; each
// round runs every kind against Village, PostGraphile and the floor one
// after the other (interleaved, so a slower or busier stretch of the machine
// falls on all three), each for -round seconds with that many connections,
// each connection sending its next request as soon as the previous answer
// is read in full. Reported: the median over rounds of requests a second,
// p50 and p99 latency. A request that fails (transport error, status other
// than 200, an "errors" member) is counted and makes the run exit 1.
//
// The kinds:
//   - nested: organizations(first: 10, where: {sample: true}) →
//     services(first: 10) → serviceAreas(first: 5) (10/69/237 rows on the
//     default synthetic directory); PostGraphile: allOrganizations(condition:
//     {sample: true}) → servicesByOrganizationId → serviceAreasByServiceId,
//     each ordered by primary key, as Village's;
//   - flat: services(first: 50) with six scalar fields;
//   - byID: one service by ID (node(id:); PostGraphile serviceByRowId) with
//     its organization's ID and name, over 200 services in turn;
//   - match: Village's match (ZIP, child's age, one need; first 20) over
//     eight ZIPs. PostGraphile has no match and the floor does not
//     reimplement one: Village's figures alone, no ratio, no target.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/lib/pq"
)

// server is one of the three servers under test.
type server struct {
	name string
	url  string // base URL, no trailing slash
	pid  int    // the server's process, whose CPU time is read; 0: not read
}

// kind is one kind of request; req returns the i-th request to send to
// server s (nil: s does not answer this kind).
type kind struct {
	name string
	req  func(s string, i int) *request
}

type request struct {
	path string
	body []byte
}

const (
	village = "village"
	pgl     = "postgraphile"
	floorS  = "floor"
)

const villageNested = `{ organizations(first: 10, where: {sample: true}) { edges { node { id name
  services(first: 10) { edges { node { id name status
    serviceAreas(first: 5) { edges { node { id kind code } } } } } } } } } }`

const pglNested = `{ allOrganizations(first: 10, condition: {sample: true}, orderBy: PRIMARY_KEY_ASC) { edges { node { rowId name
  servicesByOrganizationId(first: 10, orderBy: PRIMARY_KEY_ASC) { edges { node { rowId name status
    serviceAreasByServiceId(first: 5, orderBy: PRIMARY_KEY_ASC) { edges { node { rowId kind code } } } } } } } } } }`

const villageFlat = `{ services(first: 50) { edges { node { id name status description url email } } } }`

const pglFlat = `{ allServices(first: 50, orderBy: PRIMARY_KEY_ASC) { edges { node { rowId name status description url email } } } }`

const villageByID = `query($id: ID!) { node(id: $id) { ... on Service { id name status description organization { id name } } } }`

const pglByID = `query($id: BigInt!) { serviceByRowId(rowId: $id) { rowId name status description organizationByOrganizationId { rowId name } } }`

const villageMatch = `query($f: FamilyInput!) { match(family: $f, first: 20) {
  totalCount
  edges { eligible distanceKm coverage { kind }
    reasons { criterion message } unmet { criterion message }
    node { id name sample status deliveryModes languages organization { name } } }
  pageInfo { hasNextPage endCursor }
} }`

func gql(query string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return b
}

func kinds(serviceIDs []int64) []kind {
	fixed := func(v, p, floorPath string) func(string, int) *request {
		vb, pb := gql(v, nil), gql(p, nil)
		return func(s string, _ int) *request {
			switch s {
			case village:
				return &request{"/graphql", vb}
			case pgl:
				return &request{"/graphql", pb}
			default:
				return &request{floorPath, vb}
			}
		}
	}
	// Precomputed bodies, so the generator spends the same on each server.
	n := len(serviceIDs)
	vByID, pByID := make([][]byte, n), make([][]byte, n)
	for i, id := range serviceIDs {
		vByID[i] = gql(villageByID, map[string]any{"id": encodeID(id)})
		pByID[i] = gql(pglByID, map[string]any{"id": strconv.FormatInt(id, 10)})
	}
	zips := []string{"10001", "60614", "90011", "02121", "30309", "59901", "73301", "98101"}
	needs := []string{"home-visiting", "parenting-support", "developmental-screening"}
	var matches [][]byte
	for i := range 24 {
		matches = append(matches, gql(villageMatch, map[string]any{"f": map[string]any{
			"zip": zips[i%len(zips)], "childAgeMonths": (i * 5) % 36, "needs": []string{needs[i%len(needs)]},
		}}))
	}
	return []kind{
		{"nested", fixed(villageNested, pglNested, "/nested")},
		{"flat", fixed(villageFlat, pglFlat, "/flat")},
		{"byID", func(s string, i int) *request {
			switch s {
			case village:
				return &request{"/graphql", vByID[i%n]}
			case pgl:
				return &request{"/graphql", pByID[i%n]}
			default:
				return &request{"/node", vByID[i%n]}
			}
		}},
		{"match", func(s string, i int) *request {
			if s != village {
				return nil
			}
			return &request{"/graphql", matches[i%len(matches)]}
		}},
	}
}

func encodeID(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.FormatInt(id, 10)))
}

func decodeID(s string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), "v1:") {
		return 0, fmt.Errorf("%q is not a Village ID", s)
	}
	return strconv.ParseInt(string(raw[3:]), 10, 64)
}

func main() {
	villageURL := flag.String("village", "http://127.0.0.1:18080", "Village's base URL")
	pglURL := flag.String("postgraphile", "http://127.0.0.1:18081", "PostGraphile's base URL")
	floorURL := flag.String("floor", "http://127.0.0.1:18082", "the floor's base URL")
	dsn := flag.String("db", os.Getenv("DATABASE_URL"), "postgres:// URL of the database the three serve (to pick the services byID fetches)")
	round := flag.Duration("round", 5*time.Second, "how long each server runs each kind in each round")
	rounds := flag.Int("rounds", 3, "rounds (medians are taken over them)")
	connsList := flag.String("conns", "1,16", "numbers of connections, comma-separated")
	warmup := flag.Duration("warmup", 2*time.Second, "load each server with each kind this long before the first round")
	only := flag.String("kinds", "nested,flat,byID,match", "kinds of request to run, comma-separated")
	pids := flag.String("pids", "", "the servers' process IDs, as village=PID,postgraphile=PID,floor=PID, to report their CPU time a request")
	flag.Parse()

	var conns []int
	for _, c := range strings.Split(*connsList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			fatalf("-conns: %q is not a positive number", c)
		}
		conns = append(conns, n)
	}
	servers := []server{{village, *villageURL, 0}, {pgl, *pglURL, 0}, {floorS, *floorURL, 0}}
	for _, p := range strings.Split(*pids, ",") {
		name, pid, _ := strings.Cut(p, "=")
		for i := range servers {
			if servers[i].name == name {
				servers[i].pid, _ = strconv.Atoi(pid)
			}
		}
	}
	ids, err := serviceIDs(*dsn)
	if err != nil {
		fatalf("picking services: %v", err)
	}
	var ks []kind
	for _, k := range kinds(ids) {
		if slices.Contains(strings.Split(*only, ","), k.name) {
			ks = append(ks, k)
		}
	}

	client := &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		DisableCompression:  true,
	}, Timeout: 30 * time.Second}

	// Same rows, or no ratio.
	same := map[string]bool{}
	failed := false
	for _, k := range ks {
		if err := checkSame(client, servers, k); err != nil {
			fmt.Printf("%-7s MISMATCH: %v\n", k.name, err)
			failed = true
			continue
		}
		same[k.name] = true
		if k.req(pgl, 0) == nil && k.req(floorS, 0) == nil {
			fmt.Printf("%-7s Village answers (no peer answers it)\n", k.name)
		} else {
			fmt.Printf("%-7s same rows from Village, PostGraphile and the floor\n", k.name)
		}
	}

	for _, k := range ks {
		for _, s := range servers {
			if same[k.name] && k.req(s.name, 0) != nil {
				load(client, s, k, conns[len(conns)-1], *warmup)
			}
		}
	}
	results := map[key][]result{}
	for _, c := range conns {
		for r := range *rounds {
			for _, k := range ks {
				if !same[k.name] {
					continue
				}
				for _, s := range servers {
					if k.req(s.name, 0) == nil {
						continue
					}
					res := load(client, s, k, c, *round)
					if res.errors > 0 {
						fmt.Printf("%s %s: %d failed requests (first: %s)\n", s.name, k.name, res.errors, res.firstErr)
						failed = true
					}
					results[key{k.name, s.name, c}] = append(results[key{k.name, s.name, c}], res)
				}
			}
			fmt.Fprintf(os.Stderr, "conns %d: round %d/%d done\n", c, r+1, *rounds)
		}
	}
	report(ks, servers, conns, results, same)
	if failed {
		os.Exit(1)
	}
}

type key struct {
	kind, server string
	conns        int
}

type result struct {
	rps, p50, p99 float64 // requests a second, milliseconds
	cpu           float64 // the server process's CPU milliseconds a request; -1: not read
	errors        int
	firstErr      string
}

// load runs kind k against s with c connections for d.
func load(client *http.Client, s server, k kind, c int, d time.Duration) result {
	// Each turn on fresh connections: one left idle through the other
	// servers' turns may have passed its server's keep-alive timeout
	// (Node's is 5 s), and a POST sent on it as the server closes it fails
	// with EOF (Go's transport retries only idempotent requests).
	client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var errs int
	var firstErr string
	var wg sync.WaitGroup
	cpu0 := cpuTicks(s.pid)
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var bad int
			var badMsg string
			for i := w; ctx.Err() == nil; i += c {
				rq := k.req(s.name, i)
				t := time.Now()
				_, err := send(client, s.url, rq)
				if ctx.Err() != nil {
					break // cut by the deadline: neither counted nor failed
				}
				if err != nil {
					bad++
					if badMsg == "" {
						badMsg = err.Error()
					}
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			errs += bad
			if firstErr == "" {
				firstErr = badMsg
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1 := cpuTicks(s.pid)
	res := result{errors: errs, firstErr: firstErr, cpu: -1}
	if len(all) == 0 {
		return res
	}
	if cpu0 >= 0 && cpu1 >= 0 {
		res.cpu = float64(cpu1-cpu0) * 1000 / clockTicks / float64(len(all))
	}
	slices.Sort(all)
	ms := func(q float64) float64 {
		return float64(all[min(len(all)-1, int(q*float64(len(all))))].Microseconds()) / 1000
	}
	res.rps = float64(len(all)) / elapsed.Seconds()
	res.p50, res.p99 = ms(0.50), ms(0.99)
	return res
}

// send posts rq and returns the answer's body; a transport error, a status
// other than 200 or an answer with errors is an error.
func send(client *http.Client, base string, rq *request) ([]byte, error) {
	resp, err := client.Post(base+rq.path, "application/json", bytes.NewReader(rq.body))
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	if bytes.Contains(body, []byte(`"errors"`)) {
		return nil, fmt.Errorf("errors in the answer: %.300s", body)
	}
	return body, nil
}

// checkSame sends each server the first requests of kind k and compares
// the IDs of their answers; the floor's answer must also equal Village's
// as JSON.
func checkSame(client *http.Client, servers []server, k kind) error {
	for i := range 3 {
		var want []int64
		var villageJSON any
		for _, s := range servers {
			rq := k.req(s.name, i)
			if rq == nil {
				continue
			}
			body, err := send(client, s.url, rq)
			if err != nil {
				return fmt.Errorf("%s: %v", s.name, err)
			}
			var doc any
			if err := json.Unmarshal(body, &doc); err != nil {
				return fmt.Errorf("%s: %v", s.name, err)
			}
			got, err := ids(doc, s.name == pgl)
			if err != nil {
				return fmt.Errorf("%s: %v", s.name, err)
			}
			slices.Sort(got)
			switch s.name {
			case village:
				want, villageJSON = got, doc
				if len(want) == 0 {
					return fmt.Errorf("village answered no rows")
				}
			case floorS:
				if !reflect.DeepEqual(doc, villageJSON) {
					return fmt.Errorf("the floor's JSON differs from Village's:\nvillage %.400s\nfloor   %.400s", mustJSON(villageJSON), body)
				}
			}
			if !slices.Equal(got, want) {
				return fmt.Errorf("%s answered %d rows, Village %d; the IDs differ", s.name, len(got), len(want))
			}
		}
	}
	return nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// ids collects the row IDs in an answer: the values of members "id"
// (Village's opaque IDs) or, for PostGraphile, "rowId".
func ids(v any, rowID bool) ([]int64, error) {
	var out []int64
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			for name, x := range v {
				if s, ok := x.(string); ok && !rowID && name == "id" {
					id, err := decodeID(s)
					if err != nil {
						return err
					}
					out = append(out, id)
				} else if ok && rowID && name == "rowId" {
					id, err := strconv.ParseInt(s, 10, 64)
					if err != nil {
						return err
					}
					out = append(out, id)
				} else if err := walk(x); err != nil {
					return err
				}
			}
		case []any:
			for _, x := range v {
				if err := walk(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := walk(v)
	return out, err
}

// serviceIDs picks 200 synthetic services spread over the directory.
func serviceIDs(dsn string) ([]int64, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM services WHERE sample) s
		WHERE n % 97 = 1 ORDER BY id LIMIT 200`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the database holds no synthetic services (village seed --synthetic)")
	}
	return out, nil
}

// clockTicks is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on
// every Linux architecture Go supports).
const clockTicks = 100

// cpuTicks returns the user and system CPU time process pid has used, in
// clock ticks (-1 when unknown: no pid, no /proc). The server's own process
// only: PostgreSQL's work for it runs in PostgreSQL's processes.
func cpuTicks(pid int) int64 {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// Fields after the command (which may hold spaces), from field 3 on.
	_, rest, ok := bytes.Cut(b, []byte(") "))
	if !ok {
		return -1
	}
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return utime + stime
}

func median(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// report prints the figures, the ratios and the targets.
func report(ks []kind, servers []server, conns []int, results map[key][]result, same map[string]bool) {
	med := func(k, s string, c int) (rps, p50, p99 float64, ok bool) {
		rs := results[key{k, s, c}]
		if len(rs) == 0 {
			return 0, 0, 0, false
		}
		return median(rs, func(r result) float64 { return r.rps }), median(rs, func(r result) float64 { return r.p50 }),
			median(rs, func(r result) float64 { return r.p99 }), true
	}
	cpu := func(k, s string, c int) string {
		rs := results[key{k, s, c}]
		if len(rs) == 0 || slices.ContainsFunc(rs, func(r result) bool { return r.cpu < 0 }) {
			return "-"
		}
		return fmt.Sprintf("%.2f", median(rs, func(r result) float64 { return r.cpu }))
	}
	fmt.Println()
	fmt.Println("medians over the rounds; cpu: the server process's CPU ms a request (PostgreSQL's not included);")
	fmt.Println("ratios: Village's req/s ÷ this server's, Village's p50 ÷ this server's")
	fmt.Printf("%-7s %5s  %-13s %9s %9s %9s %8s  %s\n", "kind", "conns", "server", "req/s", "p50 ms", "p99 ms", "cpu ms", "req/s; p50 ratios")
	for _, k := range ks {
		if !same[k.name] {
			fmt.Printf("%-7s MISMATCH: no figures\n", k.name)
			continue
		}
		for _, c := range conns {
			vr, vp, _, _ := med(k.name, village, c)
			for _, s := range servers {
				rps, p50, p99, ok := med(k.name, s.name, c)
				if !ok {
					continue
				}
				ratio := ""
				if s.name != village {
					ratio = fmt.Sprintf("%.2f×; %.2f×", vr/rps, vp/p50)
				} else if k.name == "match" {
					ratio = "(no peer answers match)"
				}
				fmt.Printf("%-7s %5d  %-13s %9.0f %9.2f %9.2f %8s  %s\n", k.name, c, s.name, rps, p50, p99, cpu(k.name, s.name, c), ratio)
			}
		}
	}

	// The targets are set at 16 and at 1 connection: a run without them
	// (-conns) leaves those targets unjudged.
	type target struct {
		name       string
		value, max float64 // passes when value >= max (throughput) or value <= max (latency)
		throughput bool
		ok         bool
	}
	thr := func(k string, c int, want float64) target {
		vr, _, _, ok1 := med(k, village, c)
		pr, _, _, ok2 := med(k, pgl, c)
		return target{fmt.Sprintf("%s req/s ≥ %.1f× PostGraphile's at %d conns", k, want, c), vr / pr, want, true, ok1 && ok2}
	}
	lat := func(k, s string, c int, want float64) target {
		_, vp, _, ok1 := med(k, village, c)
		_, sp, _, ok2 := med(k, s, c)
		peer := "PostGraphile's"
		if s == floorS {
			peer = "the floor's"
		}
		return target{fmt.Sprintf("%s p50 ≤ %.1f× %s at %d conn", k, want, peer, c), vp / sp, want, false, ok1 && ok2}
	}
	ts := []target{thr("nested", 16, 1.5), lat("nested", pgl, 1, 1.0), lat("nested", floorS, 1, 1.5),
		thr("flat", 16, 1.5), thr("byID", 16, 1.5)}
	fmt.Println()
	fmt.Println("targets (issue 19; no response cache):")
	for _, t := range ts {
		if !t.ok {
			fmt.Printf("  %-7s  %-48s\n", "not run", t.name)
			continue
		}
		pass := t.value >= t.max
		if !t.throughput {
			pass = t.value <= t.max
		}
		fmt.Printf("  %-7s  %-48s  measured %.2f×\n", map[bool]string{true: "PASS", false: "FAIL"}[pass], t.name, t.value)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "peers: "+format+"\n", args...)
	os.Exit(2)
}
