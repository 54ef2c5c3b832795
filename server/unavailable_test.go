package server_test

import (
	"cmp"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// dbProxy forwards TCP connections to a database server. down drops every
// connection and refuses new ones (nothing listens on its address), as a
// restarting server looks to its clients; up listens on the same address
// again.
type dbProxy struct {
	t       *testing.T
	network string // of the target: tcp, or unix for a server's socket
	target  string
	addr    string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func startDBProxy(t *testing.T, network, target string) *dbProxy {
	t.Helper()
	p := &dbProxy{t: t, network: network, target: target, addr: "127.0.0.1:0", conns: map[net.Conn]struct{}{}}
	p.up()
	t.Cleanup(func() {
		p.down()
		p.wg.Wait()
	})
	return p
}

func (p *dbProxy) up() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return // closed by down
			}
			p.forward(client)
		}
	}()
}

// forward pipes client to a new connection to the target, both ways, until
// either side closes or down closes both.
func (p *dbProxy) forward(client net.Conn) {
	server, err := net.Dial(p.network, p.target)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // went down meanwhile
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[client], p.conns[server] = struct{}{}, struct{}{}
	p.mu.Unlock()
	pipe := func(dst, src net.Conn) {
		defer p.wg.Done()
		_, _ = io.Copy(dst, src)
		p.mu.Lock()
		delete(p.conns, client)
		delete(p.conns, server)
		p.mu.Unlock()
		client.Close()
		server.Close()
	}
	p.wg.Add(2)
	go pipe(server, client)
	go pipe(client, server)
}

func (p *dbProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
}

// TestDatabaseGoingAway: while PostgreSQL cannot be reached (its
// connections dropped, new ones refused), every request that needs it is
// answered 503 with Retry-After, never 500 INTERNAL: a GraphQL query and
// mutation with UNAVAILABLE, the key check with UNAVAILABLE, an HSDS
// listing in the HSDS error shape, and /readyz; once it is back, the same
// requests are answered again with nothing restarted.
//
// PostgreSQL only: an SQLite database is a file inside the process, which
// cannot go away and come back while it runs, and its failures (a busy
// timeout, an I/O error) are not outages a retry fixes (see package store).
func TestDatabaseGoingAway(t *testing.T) {
	dsn, err := url.Parse(testdb.DSN(t, dialect.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	// The server may be reached over TCP or, as make test finds a local
	// one, over its Unix socket (host=/dir in the query); the proxy
	// listens on TCP either way.
	network, target := "tcp", dsn.Host
	if q := dsn.Query(); strings.HasPrefix(q.Get("host"), "/") {
		port := cmp.Or(q.Get("port"), dsn.Port(), "5432")
		network, target = "unix", filepath.Join(q.Get("host"), ".s.PGSQL."+port)
		q.Del("host")
		q.Del("port")
		dsn.RawQuery = q.Encode()
	}
	proxy := startDBProxy(t, network, cmp.Or(target, "127.0.0.1:5432"))
	dsn.Host = proxy.addr
	db, err := store.Open(t.Context(), dsn.String(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := store.Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	loadSeed(t, db)
	reader, _, err := auth.CreateKey(t.Context(), db.Client, "partner", auth.Reader, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, db, server.Config{})

	type answer struct {
		status     int
		retryAfter string
		code       string // extensions.code of the first GraphQL error
		body       string
	}
	do := func(method, path, secret, body string) answer {
		t.Helper()
		req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		out := answer{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), body: string(raw)}
		var gql gqlResponse
		if json.Unmarshal(raw, &gql) == nil && len(gql.Errors) > 0 {
			out.code, _ = gql.Errors[0].Extensions["code"].(string)
		}
		return out
	}
	var orgs struct {
		Organizations struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	a.ok(`{ organizations(first: 1) { edges { node { id } } } }`, nil, &orgs)
	const query = `{"query":"{ programs { totalCount } }"}`
	mutation := `{"query":"mutation { deleteOrganization(id: \"` + orgs.Organizations.Edges[0].Node.ID + `\") { deletedID } }"}`
	requests := []struct {
		name                       string
		method, path, secret, body string
		up                         func(answer) bool // the answer while the database is up
		downCode                   string            // the GraphQL code while it is down; "" for the HSDS API and /readyz
		downBody                   string            // in the body while it is down
	}{
		{"anonymous query", http.MethodPost, "/graphql", "", query,
			func(a answer) bool { return a.status == http.StatusOK && a.code == "" }, "UNAVAILABLE", "database is unavailable"},
		{"anonymous mutation", http.MethodPost, "/graphql", "", mutation,
			func(a answer) bool { return a.status == http.StatusOK && a.code == "FORBIDDEN" }, "UNAVAILABLE", "database is unavailable"},
		{"query with a valid key", http.MethodPost, "/graphql", reader, query,
			func(a answer) bool { return a.status == http.StatusOK && a.code == "" }, "UNAVAILABLE", "could not check the API key"},
		{"HSDS listing", http.MethodGet, "/hsds/services", "", "",
			func(a answer) bool { return a.status == http.StatusOK && strings.Contains(a.body, `"contents"`) }, "", `"status":503`},
		{"readiness", http.MethodGet, "/readyz", "", "",
			func(a answer) bool { return a.status == http.StatusOK }, "", "database unavailable"},
	}
	check := func(phase string, down bool) {
		t.Helper()
		for _, r := range requests {
			got := do(r.method, r.path, r.secret, r.body)
			switch {
			case !down && !r.up(got):
				t.Errorf("%s, %s: %d %s", phase, r.name, got.status, got.body)
			case down:
				retry, err := strconv.Atoi(got.retryAfter)
				if got.status != http.StatusServiceUnavailable || err != nil || retry < 1 || got.code != r.downCode || !strings.Contains(got.body, r.downBody) {
					t.Errorf("%s, %s: %d Retry-After %q %s\nwant 503 with Retry-After, code %q, and %q in the body",
						phase, r.name, got.status, got.retryAfter, got.body, r.downCode, r.downBody)
				}
			}
		}
	}
	check("before the outage", false)
	proxy.down()
	check("database down", true)
	check("database still down", true) // no connection left to fail differently
	proxy.up()
	check("database back", false)
	// An outage while connections sit idle in the pool: they are dead when
	// next used, and replaced by themselves once the server is back.
	proxy.down()
	proxy.up()
	check("after a restart between requests", false)
}
