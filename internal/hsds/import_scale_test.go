package hsds

import (
	"context"
	"fmt"
	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/internal/feed"
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

// TestImportLogsEachCreate: records created in batches are each logged in
// the change feed once, in the order they were created, with the record's
// own ID and version, as records created one at a time are; a second import
// logs nothing.
func TestImportLogsEachCreate(t *testing.T) {
	dir := importWriteSyntheticPackage(t, 1200) // several batches of services, locations, areas
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep, err := Import(ctx, db.Client, dir, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		events := db.Client.ChangeEvent.Query().Order(ent.Asc(changeevent.FieldID)).AllX(ctx)
		logged := map[string]map[int]int{}
		last := map[string]int{}
		for _, e := range events {
			// Records are logged in the order they were created (IDs
			// ascending within a kind), batch or not.
			if e.EntityID < last[e.EntityType] {
				t.Fatalf("%s %d logged after %d", e.EntityType, e.EntityID, last[e.EntityType])
			}
			last[e.EntityType] = e.EntityID
			if e.Operation != changeevent.OperationCREATE || e.Version == nil || *e.Version != 1 {
				t.Fatalf("event %+v", e)
			}
			if logged[e.EntityType] == nil {
				logged[e.EntityType] = map[int]int{}
			}
			logged[e.EntityType][e.EntityID]++
		}
		services := db.Client.Service.Query().IDsX(ctx)
		areas := db.Client.ServiceArea.Query().IDsX(ctx)
		for what, ids := range map[string][]int{feed.EntityType(ent.TypeService): services, feed.EntityType(ent.TypeServiceArea): areas} {
			if len(logged[what]) != len(ids) {
				t.Errorf("%s: %d logged, %d created", what, len(logged[what]), len(ids))
			}
			for _, id := range ids {
				if logged[what][id] != 1 {
					t.Errorf("%s %d logged %d times", what, id, logged[what][id])
					break
				}
			}
		}
		created := 0
		for _, c := range rep.Types {
			created += c.Created
		}
		if len(events) != created {
			t.Errorf("%d events for %d records created", len(events), created)
		}
		if _, err := Import(ctx, db.Client, dir, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if n := db.Client.ChangeEvent.Query().CountX(ctx); n != len(events) {
			t.Errorf("the second import logged %d events", n-len(events))
		}
	})
}
