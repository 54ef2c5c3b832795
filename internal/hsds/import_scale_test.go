package hsds

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// importWriteSyntheticPackage writes an HSDS 3.0 tabular package of n services
// (one organization per 10 services; each service with a location, a
// service_at_location, a phone and a ZIP service area).
func importWriteSyntheticPackage(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	tables := map[string]*strings.Builder{}
	add := func(table, header string, row ...string) {
		b, ok := tables[table]
		if !ok {
			b = &strings.Builder{}
			b.WriteString(header + "\n")
			tables[table] = b
		}
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	zips := []string{"02121", "02119", "10001", "60614", "94110", "73301", "30301", "98101"}
	for i := 0; i < n; i++ {
		org := fmt.Sprintf("org-%d", i/10)
		if i%10 == 0 {
			add("organizations", "id,name,description,website", org, "Organization "+strconv.Itoa(i/10), "Synthetic organization", "https://example.org/"+org)
		}
		s := fmt.Sprintf("svc-%d", i)
		l := fmt.Sprintf("loc-%d", i)
		add("services", "id,organization_id,name,description,status,minimum_age,maximum_age", s, org, "Service "+strconv.Itoa(i), "Synthetic service", "active", "0", "5")
		add("locations", "id,organization_id,name,latitude,longitude", l, org, "Location "+strconv.Itoa(i), fmt.Sprintf("%.4f", 42.0+float64(i%100)/1000), fmt.Sprintf("%.4f", -71.0-float64(i%100)/1000))
		add("addresses", "id,location_id,address_1,city,state_province,postal_code,country,address_type", "addr-"+strconv.Itoa(i), l, strconv.Itoa(i)+" Main Street", "Boston", "MA", "02121", "US", "physical")
		add("service_at_location", "id,service_id,location_id", "sal-"+strconv.Itoa(i), s, l)
		add("phones", "id,service_id,number,type", "ph-"+strconv.Itoa(i), s, "617-555-"+fmt.Sprintf("%04d", i%10000), "voice")
		add("service_areas", "id,service_id,name,extent,extent_type", "sa-"+strconv.Itoa(i), s, "", zips[i%len(zips)], "text")
	}
	for name, b := range tables {
		if err := os.WriteFile(filepath.Join(dir, name+".csv"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestImportThroughput measures records per second on a synthetic package
// of $VILLAGE_HSDS_SCALE services (skipped when unset), on each backend.
func TestImportThroughput(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("VILLAGE_HSDS_SCALE"))
	if n <= 0 {
		t.Skip("set VILLAGE_HSDS_SCALE=20000 to measure import throughput")
	}
	dir := importWriteSyntheticPackage(t, n)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		start := time.Now()
		rep := importMust(t, db, dir, ImportOptions{})
		d := time.Since(start)
		total := 0
		for _, c := range rep.Types {
			total += c.Created
		}
		t.Logf("first import: %d records (%d services) in %v: %.0f records/s; %d warnings", total, n, d.Round(time.Millisecond), float64(total)/d.Seconds(), len(rep.Warnings))
		start = time.Now()
		rep = importMust(t, db, dir, ImportOptions{})
		d = time.Since(start)
		if rep.Changed() {
			t.Errorf("re-import changed records")
		}
		t.Logf("re-import (nothing to change): %v: %.0f records/s", d.Round(time.Millisecond), float64(total)/d.Seconds())
		if got := rep.Types["ServiceArea"].Unchanged; got != n {
			t.Errorf("service areas unchanged %d, want %d", got, n)
		}
		_ = context.Background()
	})
}
