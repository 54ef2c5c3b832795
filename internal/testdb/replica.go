package testdb

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// EnvReplica, set to 1, runs the read-replica suite (make test-replica):
// it creates a PostgreSQL primary and a streaming replica of its own.
const EnvReplica = "VILLAGE_TEST_REPLICA"

// ReplicaPair is a PostgreSQL primary and a streaming replica of it, in
// clusters of their own (initdb, pg_basebackup) on free ports in a
// temporary folder, removed when the test ends.
type ReplicaPair struct {
	PrimaryURL, ReplicaURL string

	bin     string
	dir     string
	asOwner []string // runuser -u OWNER -- when running as root
	primary cluster
	replica cluster
}

type cluster struct {
	data string
	port int
}

// PostgresBinDir is the folder of PostgreSQL's server programs (initdb,
// pg_ctl, pg_basebackup), as .ci/run finds it: the newest
// /usr/lib/postgresql/*/bin, else pg_config --bindir, else the PATH.
func PostgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) && isExec(filepath.Join(d, "pg_basebackup")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("initdb, pg_ctl and pg_basebackup not found (in /usr/lib/postgresql/*/bin, pg_config --bindir or the PATH): install PostgreSQL's server (apt-get install postgresql)")
}

func pgVersion(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func isExec(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// StartReplicaPair creates and starts the primary and its replica. It skips
// the test unless VILLAGE_TEST_REPLICA=1, and fails it then when the
// programs are missing.
func StartReplicaPair(t *testing.T) *ReplicaPair {
	t.Helper()
	if os.Getenv(EnvReplica) != "1" {
		t.Skipf("the read-replica suite creates PostgreSQL clusters of its own: run it with make test-replica (%s=1)", EnvReplica)
	}
	bin, err := PostgresBinDir()
	if err != nil {
		t.Fatal(err)
	}
	p := &ReplicaPair{bin: bin}
	p.dir, err = os.MkdirTemp("", "village-replica-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.remove)
	// initdb refuses to run as root: the clusters belong to an
	// unprivileged user, as in .ci/run.
	if os.Getuid() == 0 {
		owner := "postgres"
		u, err := user.Lookup(owner)
		if err != nil {
			owner = "nobody"
			if u, err = user.Lookup(owner); err != nil {
				t.Fatalf("running as root, and neither postgres nor nobody is a user to own the clusters: %v", err)
			}
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(p.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.asOwner = []string{"runuser", "-u", owner, "--"}
	}
	p.primary = cluster{data: filepath.Join(p.dir, "primary"), port: freePort(t)}
	p.replica = cluster{data: filepath.Join(p.dir, "replica"), port: freePort(t)}
	p.run(t, "initdb", "-D", p.primary.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
	// initdb's pg_hba.conf lets local connections replicate with trust;
	// said again here so that the suite does not hang on its defaults.
	hba, err := os.OpenFile(filepath.Join(p.primary.data, "pg_hba.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(hba, "host replication postgres 127.0.0.1/32 trust")
	hba.Close()
	p.start(t, p.primary, "-c wal_level=replica -c max_wal_senders=5")
	p.run(t, "pg_basebackup", "-D", p.replica.data, "-R", "-X", "stream", "-h", "127.0.0.1", "-p", strconv.Itoa(p.primary.port), "-U", "postgres")
	p.start(t, p.replica, "-c hot_standby=on")
	p.PrimaryURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.primary.port)
	p.ReplicaURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.replica.port)
	p.waitStandby(t)
	return p
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// run runs one of PostgreSQL's programs as the clusters' owner.
func (p *ReplicaPair) run(t *testing.T, program string, args ...string) {
	t.Helper()
	if err := p.command(program, args...); err != nil {
		t.Fatal(err)
	}
}

func (p *ReplicaPair) command(program string, args ...string) error {
	argv := append(append(append([]string{}, p.asOwner...), filepath.Join(p.bin, program)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = p.dir
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", program, strings.Join(args, " "), err, out.String())
	}
	return nil
}

func (p *ReplicaPair) start(t *testing.T, c cluster, options string) {
	t.Helper()
	log := filepath.Join(p.dir, filepath.Base(c.data)+".log")
	err := p.command("pg_ctl", "-D", c.data, "-l", log, "-w", "-t", "60", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 %s", c.port, p.dir, options), "start")
	if err != nil {
		server, _ := os.ReadFile(log)
		t.Fatalf("%v\n%s", err, server)
	}
}

// waitStandby waits for the replica to accept reads.
func (p *ReplicaPair) waitStandby(t *testing.T) {
	t.Helper()
	db, err := sql.Open("postgres", p.ReplicaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var standby bool
		err := db.QueryRow("SELECT pg_is_in_recovery()").Scan(&standby)
		if err == nil && standby {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not start as a standby: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ReplicaExec runs stmt on the replica as its superuser (such as SELECT
// pg_wal_replay_pause()).
func (p *ReplicaPair) ReplicaExec(t *testing.T, stmt string) {
	t.Helper()
	db, err := sql.Open("postgres", p.ReplicaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s on the replica: %v", stmt, err)
	}
}

// StopReplica stops the replica at once, as a crash would
// (pg_ctl stop -m immediate).
func (p *ReplicaPair) StopReplica() error {
	return p.command("pg_ctl", "-D", p.replica.data, "-m", "immediate", "-w", "stop")
}

// StartReplica starts the replica again after StopReplica.
func (p *ReplicaPair) StartReplica(t *testing.T) {
	t.Helper()
	p.start(t, p.replica, "-c hot_standby=on")
	p.waitStandby(t)
}

func (p *ReplicaPair) remove() {
	for _, c := range []cluster{p.replica, p.primary} {
		if c.data != "" {
			_ = p.command("pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop")
		}
	}
	os.RemoveAll(p.dir)
}
