package search_test

import (
	"testing"

	"github.com/village-directory/village/internal/testdb"
)

// TestMain gives every test a copy of one migrated database per backend.
func TestMain(m *testing.M) { testdb.Main(m) }
