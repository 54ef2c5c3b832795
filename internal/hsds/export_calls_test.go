package hsds_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestExportHasNoCallRecords: Help Me Grow's call log is never part of an
// HSDS export, in either format, whoever exports (internal code reads every
// record; an admin too): no file is named for it and no file holds a call
// record's values or its ID.
func TestExportHasNoCallRecords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		seeded(t, db)
		ctx := context.Background()
		const marker = "call-record-marker-7c1d"
		rec := db.Client.CallRecord.Create().SetNeeds([]string{marker}).SetCountyFips("56045").SetStateCode("WY").
			SetEligibleFound(false).SetReferredServiceIds([]int{987654321}).SaveX(ctx)
		admin := auth.WithViewer(ctx, auth.Viewer{Role: auth.Admin, Name: "root"})
		for _, who := range []context.Context{ctx, admin} {
			for _, format := range []string{"json", "csv"} {
				dir := t.TempDir()
				if _, err := hsds.Export(who, db.Client, format, dir); err != nil {
					t.Fatal(err)
				}
				files := 0
				err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
					if err != nil || e.IsDir() {
						return err
					}
					files++
					if strings.Contains(strings.ToLower(e.Name()), "call") {
						t.Errorf("%s export has a file %s", format, e.Name())
					}
					b, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					for _, v := range []string{marker, "987654321", strconv.Itoa(rec.ID), "56045"} {
						if strings.Contains(string(b), v) {
							t.Errorf("%s export: %s holds the call record's %q", format, e.Name(), v)
						}
					}
					return nil
				})
				if err != nil || files == 0 {
					t.Fatalf("%s export: %d files, %v", format, files, err)
				}
			}
		}
	})
}
