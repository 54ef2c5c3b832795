package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/village-directory/village/internal/store"
)

// EnvPostgres names the variable holding the URL of a PostgreSQL server where
// tests may create and drop their own databases, or "off" to skip the
// PostgreSQL half without looking for a server.
const EnvPostgres = "VILLAGE_TEST_POSTGRES"

// Server is the PostgreSQL server the PostgreSQL half of the suite runs on.
type Server struct {
	// URL is where tests create and drop their village_test_* databases
	// (empty when none was found).
	URL string
	// Origin says how the server was chosen, for the line that names it.
	Origin string
	// Explicit is true when VILLAGE_TEST_POSTGRES named the server.
	Explicit bool
}

// Found reports whether there is a server to run the PostgreSQL half on.
func (s Server) Found() bool { return s.URL != "" }

// Line is the one line that tells a person running the suite which server
// the PostgreSQL half uses, or that it is skipped and how to run it.
func (s Server) Line() string {
	if s.Found() {
		return fmt.Sprintf("testdb: PostgreSQL half of the suite on %s (%s); it creates and drops only village_test_* databases there", store.RedactURL(s.URL), s.Origin)
	}
	return fmt.Sprintf("testdb: SKIPPING the PostgreSQL half of the suite: %s. "+
		"To run it, start PostgreSQL on the local socket or 127.0.0.1:5432, or set %s=postgres://USER:PASSWORD@HOST:5432/postgres?sslmode=disable "+
		"(a server where the tests may create and drop village_test_* databases)", s.Origin, EnvPostgres)
}

// FindPostgres chooses the server the usual ways, first that applies:
// VILLAGE_TEST_POSTGRES; DATABASE_URL when it is a postgres:// URL; the PG*
// environment variables libpq reads (PGHOST, PGPORT, PGUSER, PGPASSWORD,
// PGDATABASE, PGSSLMODE); else the first of the local socket and
// 127.0.0.1:5432 that answers, as the current user or postgres. Only the
// last is a probe; the others are taken as given (a wrong one fails the
// tests rather than being skipped).
func FindPostgres() Server { return findOnce() }

var findOnce = sync.OnceValue(findPostgres)

func findPostgres() Server {
	switch v := strings.TrimSpace(os.Getenv(EnvPostgres)); {
	case v == "off":
		return Server{Origin: EnvPostgres + "=off", Explicit: true}
	case v != "":
		return Server{URL: v, Origin: "from " + EnvPostgres, Explicit: true}
	}
	if v := os.Getenv("DATABASE_URL"); store.IsPostgres(v) {
		return Server{URL: v, Origin: "from DATABASE_URL"}
	}
	if u, ok := fromPGEnvironment(); ok {
		return Server{URL: u, Origin: "from the PG* environment variables"}
	}
	var tried []string
	for _, c := range localCandidates() {
		tried = append(tried, c.where+" as "+c.user)
		if answers(c.url) {
			return Server{URL: c.url, Origin: "found on " + c.where + " as user " + c.user}
		}
	}
	return Server{Origin: fmt.Sprintf("%s is not set and no server answered (tried %s)", EnvPostgres, strings.Join(tried, ", "))}
}

// fromPGEnvironment builds a URL from the PG* variables when any is set.
func fromPGEnvironment() (string, bool) {
	get := os.Getenv
	if get("PGHOST") == "" && get("PGPORT") == "" && get("PGUSER") == "" && get("PGDATABASE") == "" && get("PGPASSWORD") == "" {
		return "", false
	}
	u := url.URL{Scheme: "postgres", Path: "/" + or(get("PGDATABASE"), "postgres")}
	q := url.Values{"sslmode": {or(get("PGSSLMODE"), "disable")}}
	host, port := or(get("PGHOST"), "localhost"), or(get("PGPORT"), "5432")
	if strings.HasPrefix(host, "/") {
		q.Set("host", host)
		q.Set("port", port)
	} else {
		u.Host = net.JoinHostPort(host, port)
	}
	name := or(get("PGUSER"), currentUser())
	if pw := get("PGPASSWORD"); pw != "" {
		u.User = url.UserPassword(name, pw)
	} else {
		u.User = url.User(name)
	}
	u.RawQuery = q.Encode()
	return u.String(), true
}

type candidate struct{ url, where, user string }

// localCandidates lists the local socket (where a server has one) and
// 127.0.0.1:5432, each as the current user and as postgres.
func localCandidates() []candidate {
	users := []string{currentUser()}
	if users[0] != "postgres" {
		users = append(users, "postgres")
	}
	var out []candidate
	for _, dir := range []string{"/var/run/postgresql", "/tmp"} {
		if _, err := os.Stat(filepath.Join(dir, ".s.PGSQL.5432")); err != nil {
			continue
		}
		for _, name := range users {
			u := url.URL{Scheme: "postgres", User: url.User(name), Path: "/postgres",
				RawQuery: url.Values{"host": {dir}, "sslmode": {"disable"}}.Encode()}
			out = append(out, candidate{u.String(), "the socket in " + dir, name})
		}
	}
	for _, name := range users {
		u := url.URL{Scheme: "postgres", User: url.User(name), Host: "127.0.0.1:5432", Path: "/postgres", RawQuery: "sslmode=disable"}
		out = append(out, candidate{u.String(), "127.0.0.1:5432", name})
	}
	return out
}

// answers reports whether the server at dsn accepts a connection and may
// create databases there.
func answers(dsn string) bool {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return false
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var canCreate bool
	err = db.QueryRowContext(ctx, "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&canCreate)
	return err == nil && canCreate
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return or(os.Getenv("USER"), "postgres")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
