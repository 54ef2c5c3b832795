package hsds

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/records"
	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// reimportState describes a database by what a no-op import must leave
// alone: per record type the count and the sum of versions (a version
// bump shows there even when the count does not move), and the change
// feed's length.
func reimportState(t *testing.T, c *ent.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	all := func(*sql.Selector) {}
	for _, name := range importKindNames {
		vs, err := records.ByName(name).Versions(ctx, c, all)
		if err != nil {
			t.Fatalf("versions of %s: %v", name, err)
		}
		sum := 0
		for _, v := range vs {
			sum += v
		}
		out[name] = fmt.Sprintf("%d records, versions sum %d", len(vs), sum)
	}
	n, err := c.ChangeEvent.Query().Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out["ChangeEvent"] = fmt.Sprint(n)
	return out
}

// reimportCheckNoOp imports path into db and checks nothing was created or
// changed: no record, version or change event more, and a report that says
// so.
func reimportCheckNoOp(t *testing.T, db *store.DB, path string, opts ImportOptions) {
	t.Helper()
	before := reimportState(t, db.Client)
	rep := importMust(t, db, path, opts)
	after := reimportState(t, db.Client)
	var diffs []string
	for k, b := range before {
		if a := after[k]; a != b {
			diffs = append(diffs, fmt.Sprintf("%s: %s → %s", k, b, a))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 || rep.Changed() {
		t.Errorf("re-import of unchanged data changed the directory:\n  %s\n%s", strings.Join(diffs, "\n  "), rep)
	}
}

// reimportExport exports db in format into a new directory.
func reimportExport(t *testing.T, db *store.DB, format string) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := Export(context.Background(), db.Client, format, dir); err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	return dir
}

// TestAuditExternalIDAttributeLostOnRoundTrip: records synced from other
// systems (airs, with ids that are no UUID, one holding a colon; my211,
// with a UUID) come back from an export with the external source and id
// they had, as the external_id attribute says; the import's source does not
// replace them. The import's own trace stays: a record without provenance
// of its own gets the import's, and importing the package again, under
// any source, finds the records by their identity.
func TestAuditExternalIDAttributeLostOnRoundTrip(t *testing.T) {
	const my211ID = "0f2a4f5e-4c59-4d53-9d7e-1b2b7cf1c001"
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, src *store.DB) {
				ctx := context.Background()
				c := src.Client
				org := c.Organization.Create().SetName("Org").SetExternalSource("airs").SetExternalID("ORG-1").SaveX(ctx)
				c.Service.Create().SetName("Synced").SetOrganizationID(org.ID).SetStatus(service.StatusACTIVE).
					SetExternalSource("airs").SetExternalID("A-17").SetProvenance("AIRS nightly feed").SaveX(ctx)
				c.Service.Create().SetName("From 211").SetOrganizationID(org.ID).SetStatus(service.StatusACTIVE).
					SetExternalSource("my211").SetExternalID(my211ID).SaveX(ctx)
				c.Location.Create().SetName("Hall").SetOrganizationID(org.ID).SetLocationType(location.LocationTypePHYSICAL).
					SetExternalSource("airs").SetExternalID("LOC:9").SaveX(ctx)
				c.Phone.Create().SetNumber("617-555-0100").SetType(phone.TypeVOICE).SetOrganizationID(org.ID).SaveX(ctx)
				dir := reimportExport(t, src, format)

				dst := testdb.Open(t, src.Dialect, store.Options{})
				importMust(t, dst, dir, ImportOptions{})
				d := dst.Client
				ident := func(source, id string) string { return source + ":" + id }
				if o := d.Organization.Query().OnlyX(ctx); ident(o.ExternalSource, o.ExternalID) != "airs:ORG-1" || o.Provenance != importProvenance {
					t.Errorf("organization %s with provenance %q, want airs:ORG-1 with the import's provenance", ident(o.ExternalSource, o.ExternalID), o.Provenance)
				}
				byName := map[string]*ent.Service{}
				for _, s := range d.Service.Query().AllX(ctx) {
					byName[s.Name] = s
				}
				if s := byName["Synced"]; s == nil || ident(s.ExternalSource, s.ExternalID) != "airs:A-17" || s.Provenance != "AIRS nightly feed" {
					t.Errorf("service Synced: %+v, want airs:A-17 with its own provenance", s)
				}
				if s := byName["From 211"]; s == nil || ident(s.ExternalSource, s.ExternalID) != "my211:"+my211ID {
					t.Errorf("service From 211: %+v, want my211:%s", s, my211ID)
				}
				if l := d.Location.Query().OnlyX(ctx); ident(l.ExternalSource, l.ExternalID) != "airs:LOC:9" {
					t.Errorf("location %s, want airs:LOC:9", ident(l.ExternalSource, l.ExternalID))
				}
				// A record Village created has no identity elsewhere: it is
				// the import's, under its HSDS id.
				if p := d.Phone.Query().OnlyX(ctx); p.ExternalSource != DefaultImportSource || p.ExternalID == "" {
					t.Errorf("phone %s:%s, want the import's source and the phone's HSDS id", p.ExternalSource, p.ExternalID)
				}
				// The same package again is the same records; under another
				// source too, for those with an identity of their own (the
				// phone is the import's: another source, another phone).
				reimportCheckNoOp(t, dst, dir, ImportOptions{})
				rep := importMust(t, dst, dir, ImportOptions{Source: "other"})
				for _, typ := range []string{ent.TypeOrganization, ent.TypeService, ent.TypeLocation} {
					if n := rep.Types[typ]; n.Created+n.Updated != 0 {
						t.Errorf("import under another source: %s %+v, want all unchanged", typ, n)
					}
				}
				// The next export says where the records came from, as the
				// first did.
				again := reimportExport(t, dst, "json")
				d3 := testdb.Open(t, src.Dialect, store.Options{})
				importMust(t, d3, again, ImportOptions{})
				if s := d3.Client.Service.Query().Where(service.Name("Synced")).OnlyX(ctx); ident(s.ExternalSource, s.ExternalID) != "airs:A-17" {
					t.Errorf("after a second round trip the service is %s", ident(s.ExternalSource, s.ExternalID))
				}
			})
		})
	}
}

// A directory that imported an export before external ids were restored
// holds its records under the import's source and HSDS id: importing the
// export again moves them to their own identity, and copies none.
func TestReimportMovesRecordsToTheirOwnIdentity(t *testing.T) {
	testdb.Each(t, func(t *testing.T, src *store.DB) {
		ctx := context.Background()
		org := src.Client.Organization.Create().SetName("Org").SetExternalSource("airs").SetExternalID("ORG-1").SaveX(ctx)
		dir := reimportExport(t, src, "csv")
		dst := testdb.Open(t, src.Dialect, store.Options{})
		importMust(t, dst, dir, ImportOptions{})
		// As the import stored it before.
		dst.Client.Organization.Update().SetExternalSource(DefaultImportSource).
			SetExternalID(RecordID(testdb.DirectoryID(t, src), KindOrganization, org.ID, org.ExternalSource, org.ExternalID)).ExecX(ctx)
		rep := importMust(t, dst, dir, ImportOptions{})
		if c := rep.Types[ent.TypeOrganization]; c.Created != 0 || c.Updated != 1 {
			t.Errorf("organization counts %+v, want one updated", c)
		}
		if o := dst.Client.Organization.Query().OnlyX(ctx); o.ExternalSource != "airs" || o.ExternalID != "ORG-1" {
			t.Errorf("organization %s:%s, want airs:ORG-1", o.ExternalSource, o.ExternalID)
		}
	})
}

// reimportSeeded loads the seed, samples included.
func reimportSeeded(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := seed.Load(ctx, db.Client); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.LoadSamples(ctx, db.Client); err != nil {
		t.Fatal(err)
	}
}

// reimportForgetIdentities makes every record as if created in Village: no
// external source or id, so every HSDS id is derived.
func reimportForgetIdentities(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	c := db.Client
	for _, err := range []error{
		c.Organization.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.Program.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.Location.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.TaxonomyTerm.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.Service.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.ServiceArea.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.ServiceAtLocation.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.Contact.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.Phone.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.Schedule.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
		c.Funding.Update().ClearExternalSource().ClearExternalID().Exec(ctx),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditReimportOfExportDuplicatesNonUUIDRecords: an export of a
// directory imported back into it keeps the same records, for records
// created in Village (derived HSDS ids) and for records whose external id
// is no UUID (the seed's), in both forms: nothing created, nothing changed.
func TestAuditReimportOfExportDuplicatesNonUUIDRecords(t *testing.T) {
	for _, native := range []bool{true, false} {
		name := "seed ids"
		if native {
			name = "created in Village"
		}
		for _, format := range []string{"csv", "json"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				testdb.Each(t, func(t *testing.T, db *store.DB) {
					reimportSeeded(t, db)
					if native {
						reimportForgetIdentities(t, db)
					}
					reimportCheckNoOp(t, db, reimportExport(t, db, format), ImportOptions{})
				})
			})
		}
	}
}

// A derived HSDS id names a record of the database that exported it only:
// another Village directory has records with the same IDs, and so the
// same derived ids. Importing one directory's export into another creates
// its records and leaves the other's own alone.
func TestReimportDerivedIDsOfAnotherDirectoryAreNewRecords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, a *store.DB) {
		ctx := context.Background()
		b := testdb.Open(t, a.Dialect, store.Options{})
		for _, db := range []struct {
			c    *ent.Client
			name string
		}{{a.Client, "A"}, {b.Client, "B"}} {
			org := db.c.Organization.Create().SetName("Org " + db.name).SaveX(ctx)
			db.c.Service.Create().SetName("Service " + db.name).SetOrganizationID(org.ID).SetStatus(service.StatusACTIVE).SaveX(ctx)
		}
		if ia, ib := a.Client.Service.Query().OnlyIDX(ctx), b.Client.Service.Query().OnlyIDX(ctx); ia != ib {
			t.Skipf("the two directories gave their services different IDs (%d, %d): nothing to confuse", ia, ib)
		}
		importMust(t, b, reimportExport(t, a, "json"), ImportOptions{})
		var names []string
		for _, s := range b.Client.Service.Query().AllX(ctx) {
			names = append(names, fmt.Sprintf("%s v%d", s.Name, s.Version))
		}
		sort.Strings(names)
		if got := strings.Join(names, ", "); got != "Service A v1, Service B v1" {
			t.Errorf("services of B after importing A's export: %s", got)
		}
	})
}

// TestAuditReimportOfExportBumpsVersions: the UK profile's JSON example,
// imported, then imported again, then exported in each form and the export
// imported into the same directory, is left as the first import wrote it:
// no record changed, no version bumped, no change event logged.
func TestAuditReimportOfExportBumpsVersions(t *testing.T) {
	for _, sample := range []string{"oruk-uk-profile-3.0/examples", "oruk-uk-profile-3.0/examples/service_full.json", "openreferral-spec-3.0/examples"} {
		for _, format := range []string{"json", "csv"} {
			t.Run(sample+"/"+format, func(t *testing.T) {
				path := importSample(t, sample)
				testdb.Each(t, func(t *testing.T, db *store.DB) {
					importMust(t, db, path, ImportOptions{})
					reimportCheckNoOp(t, db, path, ImportOptions{})
					reimportCheckNoOp(t, db, reimportExport(t, db, format), ImportOptions{})
				})
			})
		}
	}
}
