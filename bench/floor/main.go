// Command floor is the hand-written floor of make bench-peers
// (bench/peers.sh): the benchmark's three reads answered by net/http and
// lib/pq alone, with the fewest statements, writing the same JSON as Village
// writes for the GraphQL documents bench/peers sends it. No GraphQL, no ORM,
// no authorization, no logging: what any server must at least spend on these
// answers on this machine, to measure Village's overhead against.
//
//	floor -db postgres://… -addr 127.0.0.1:18082
//
// Each path answers one document (bench/peers/main.go holds them):
//
//   - POST /nested: organizations(first: 10, where: {sample: true}) →
//     services(first: 10) → serviceAreas(first: 5), three statements: one a
//     level, the children of all its parents at once, each parent's first
//     rows by a LATERAL subquery with LIMIT (reading only the rows returned,
//     through the foreign key's index);
//   - POST /flat: services(first: 50), one statement;
//   - POST /node: node(id:) of a service with its organization, one statement
//     with a join; the ID is read from the body's variables.id.
//
// IDs are Village's opaque IDs (graph/relay: base64url of "v1:" and the
// row's ID), written here rather than imported so the floor links nothing of
// Village's.
package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

func main() {
	dsn := flag.String("db", os.Getenv("DATABASE_URL"), "postgres:// URL of Village's database (env DATABASE_URL)")
	addr := flag.String("addr", "127.0.0.1:18082", "address to listen on")
	flag.Parse()
	db, err := sql.Open("postgres", *dsn)
	if err != nil {
		log.Fatal(err)
	}
	// The pool Village's store keeps on PostgreSQL.
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	if err := db.Ping(); err != nil {
		log.Fatal(err)
	}
	f := &floor{db: db}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /nested", f.answer(f.nested))
	mux.HandleFunc("POST /flat", f.answer(f.flat))
	mux.HandleFunc("POST /node", f.answer(f.node))
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ready\n") })
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	log.Printf("floor serving http://%s/", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

type floor struct{ db *sql.DB }

// answer runs build on the request's body and writes {"data": …}.
func (f *floor) answer(build func(ctx context.Context, body []byte) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		data, err := build(r.Context(), body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out, err := json.Marshal(struct {
			Data any `json:"data"`
		}{data})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
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

type edge[T any] struct {
	Node T `json:"node"`
}

type connection[T any] struct {
	Edges []edge[T] `json:"edges"`
}

type org struct {
	ID       string              `json:"id"`
	Name     string              `json:"name"`
	Services connection[*svcRow] `json:"services"`
}

type svcRow struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Status       string            `json:"status"`
	ServiceAreas connection[*area] `json:"serviceAreas"`
}

type area struct {
	ID   string  `json:"id"`
	Kind string  `json:"kind"`
	Code *string `json:"code"`
}

// nested answers the nested list in three statements.
func (f *floor) nested(ctx context.Context, _ []byte) (any, error) {
	rows, err := f.db.QueryContext(ctx, `SELECT id, name FROM organizations WHERE sample ORDER BY id LIMIT 10`)
	if err != nil {
		return nil, err
	}
	var orgs []*org
	byOrg := map[int64]*org{}
	var orgIDs []int64
	for rows.Next() {
		var id int64
		o := &org{Services: connection[*svcRow]{Edges: []edge[*svcRow]{}}}
		if err := rows.Scan(&id, &o.Name); err != nil {
			rows.Close()
			return nil, err
		}
		o.ID = encodeID(id)
		orgs = append(orgs, o)
		byOrg[id] = o
		orgIDs = append(orgIDs, id)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = f.db.QueryContext(ctx, `SELECT s.id, s.name, s.status, s.organization_id
		FROM unnest($1::bigint[]) AS p(id) CROSS JOIN LATERAL (SELECT id, name, status, organization_id
			FROM services WHERE organization_id = p.id ORDER BY id LIMIT 10) s
		ORDER BY s.organization_id, s.id`, pq.Array(orgIDs))
	if err != nil {
		return nil, err
	}
	bySvc := map[int64]*svcRow{}
	var svcIDs []int64
	for rows.Next() {
		var id, orgID int64
		s := &svcRow{ServiceAreas: connection[*area]{Edges: []edge[*area]{}}}
		if err := rows.Scan(&id, &s.Name, &s.Status, &orgID); err != nil {
			rows.Close()
			return nil, err
		}
		s.ID = encodeID(id)
		o := byOrg[orgID]
		o.Services.Edges = append(o.Services.Edges, edge[*svcRow]{s})
		bySvc[id] = s
		svcIDs = append(svcIDs, id)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = f.db.QueryContext(ctx, `SELECT a.id, a.kind, a.code, a.service_id
		FROM unnest($1::bigint[]) AS p(id) CROSS JOIN LATERAL (SELECT id, kind, code, service_id
			FROM service_areas WHERE service_id = p.id ORDER BY id LIMIT 5) a
		ORDER BY a.service_id, a.id`, pq.Array(svcIDs))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, svcID int64
		a := &area{}
		if err := rows.Scan(&id, &a.Kind, &a.Code, &svcID); err != nil {
			rows.Close()
			return nil, err
		}
		a.ID = encodeID(id)
		s := bySvc[svcID]
		s.ServiceAreas.Edges = append(s.ServiceAreas.Edges, edge[*area]{a})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	edges := make([]edge[*org], len(orgs))
	for i, o := range orgs {
		edges[i] = edge[*org]{o}
	}
	return map[string]any{"organizations": connection[*org]{Edges: edges}}, nil
}

type flatService struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Status      string  `json:"status"`
	Description *string `json:"description"`
	URL         *string `json:"url"`
	Email       *string `json:"email"`
}

// flat answers services(first: 50) in one statement.
func (f *floor) flat(ctx context.Context, _ []byte) (any, error) {
	rows, err := f.db.QueryContext(ctx, `SELECT id, name, status, description, url, email FROM services ORDER BY id LIMIT 50`)
	if err != nil {
		return nil, err
	}
	edges := []edge[*flatService]{}
	for rows.Next() {
		var id int64
		s := &flatService{}
		if err := rows.Scan(&id, &s.Name, &s.Status, &s.Description, &s.URL, &s.Email); err != nil {
			rows.Close()
			return nil, err
		}
		s.ID = encodeID(id)
		edges = append(edges, edge[*flatService]{s})
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return map[string]any{"services": connection[*flatService]{Edges: edges}}, nil
}

type nodeOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type nodeService struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Status       string   `json:"status"`
	Description  *string  `json:"description"`
	Organization *nodeOrg `json:"organization"`
}

// node answers node(id:) of a service with its organization in one
// statement.
func (f *floor) node(ctx context.Context, body []byte) (any, error) {
	var req struct {
		Variables struct {
			ID string `json:"id"`
		} `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	id, err := decodeID(req.Variables.ID)
	if err != nil {
		return nil, err
	}
	var sid, oid int64
	s := &nodeService{Organization: &nodeOrg{}}
	err = f.db.QueryRowContext(ctx, `SELECT s.id, s.name, s.status, s.description, o.id, o.name
		FROM services s JOIN organizations o ON o.id = s.organization_id WHERE s.id = $1`, id).
		Scan(&sid, &s.Name, &s.Status, &s.Description, &oid, &s.Organization.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return map[string]any{"node": nil}, nil
	}
	if err != nil {
		return nil, err
	}
	s.ID, s.Organization.ID = encodeID(sid), encodeID(oid)
	return map[string]any{"node": s}, nil
}

func closeRows(rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}
