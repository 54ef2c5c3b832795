// Package store opens Village's database, either an embedded SQLite file (the
// default, pure Go) or PostgreSQL (lib/pq) from a postgres:// URL, and
// migrates its schema. It is the one place that knows about drivers, pool
// sizes and connection settings.
package store
