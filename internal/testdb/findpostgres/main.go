// Command findpostgres chooses the PostgreSQL server for the test suite as
// the tests themselves would (testdb.FindPostgres), says which on stderr in
// one line, or that the PostgreSQL half will be skipped and how to run it,
// and prints the value for VILLAGE_TEST_POSTGRES on stdout ("off" when there
// is none). make test runs it once, so the line is seen once per run whatever
// go test shows of each package, and the packages do not each probe again.
// With CI=true and no server it exits 1.
package main

import (
	"fmt"
	"os"

	"github.com/village-directory/village/internal/testdb"
)

func main() {
	s := testdb.FindPostgres()
	fmt.Fprintln(os.Stderr, s.Line())
	if s.Found() {
		fmt.Println(s.URL)
		return
	}
	if os.Getenv("CI") == "true" {
		fmt.Fprintln(os.Stderr, "testdb: CI=true requires the PostgreSQL half: failing")
		os.Exit(1)
	}
	fmt.Println("off")
}
