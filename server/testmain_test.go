package server_test

import (
	"testing"

	"github.com/village-directory/village/internal/testdb"
)

// TestMain gives every test a copy of one migrated database per backend.
//
// The longest tests (the schema walks, the fuzzer, the pagination table)
// call t.Parallel: Go runs them after every other test of the package has
// finished, so the tests that measure the whole process (the attack tests'
// allocation budgets, the timeouts) still run alone, and the long ones
// overlap one another's database waits.
func TestMain(m *testing.M) { testdb.Main(m) }
