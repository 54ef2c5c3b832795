package testdb

import (
	"strings"
	"testing"
)

// clearPostgresEnv unsets every variable findPostgres reads.
func clearPostgresEnv(t *testing.T) {
	for _, v := range []string{EnvPostgres, "DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSSLMODE"} {
		t.Setenv(v, "")
	}
}

func TestFindPostgresOrder(t *testing.T) {
	clearPostgresEnv(t)
	t.Setenv("DATABASE_URL", "postgres://app:secret@db.example:5432/app")
	t.Setenv("PGHOST", "/run/pg")
	if s := findPostgres(); s.URL != "postgres://app:secret@db.example:5432/app" || s.Explicit {
		t.Errorf("DATABASE_URL before PG*: got %+v", s)
	}
	t.Setenv(EnvPostgres, "postgres://postgres@10.0.0.1:5433/postgres")
	if s := findPostgres(); s.URL != "postgres://postgres@10.0.0.1:5433/postgres" || !s.Explicit {
		t.Errorf("%s first: got %+v", EnvPostgres, s)
	}
	t.Setenv(EnvPostgres, "off")
	s := findPostgres()
	if s.Found() {
		t.Errorf("%s=off found %+v", EnvPostgres, s)
	}
	if line := s.Line(); !strings.Contains(line, "SKIPPING the PostgreSQL half") || !strings.Contains(line, EnvPostgres+"=postgres://") {
		t.Errorf("skip line does not say what was skipped and how to run it: %s", line)
	}
}

func TestFindPostgresFromPGEnvironment(t *testing.T) {
	clearPostgresEnv(t)
	t.Setenv("DATABASE_URL", "./data/village.db") // a SQLite path is no PostgreSQL server
	t.Setenv("PGHOST", "/run/pg")
	t.Setenv("PGUSER", "ann")
	t.Setenv("PGPASSWORD", "pw")
	s := findPostgres()
	if want := "postgres://ann:pw@/postgres?host=%2Frun%2Fpg&port=5432&sslmode=disable"; s.URL != want {
		t.Errorf("socket: got %s, want %s", s.URL, want)
	}
	if line := s.Line(); strings.Contains(line, ":pw@") {
		t.Errorf("the line shows the password: %s", line)
	}
	t.Setenv("PGHOST", "db.internal")
	t.Setenv("PGPORT", "6543")
	t.Setenv("PGPASSWORD", "")
	t.Setenv("PGDATABASE", "village")
	if s, want := findPostgres(), "postgres://ann@db.internal:6543/village?sslmode=disable"; s.URL != want {
		t.Errorf("host: got %s, want %s", s.URL, want)
	}
}
