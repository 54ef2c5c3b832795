package hsds

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestWaitDaysFromText reads a wait in days where the text is one length
// of time (a range as its upper bound) and nothing else.
func TestWaitDaysFromText(t *testing.T) {
	for text, want := range map[string]int{
		"2 weeks": 14, "30 days": 30, "6-8 weeks": 56, "6 – 8 weeks": 56, "3 to 4 months": 120,
		"Up to 3 months": 90, "about 10 business days": 10, "1 wk": 7, "None": 0, "No wait.": 0,
		"2 weeks wait": 14,
	} {
		if got, ok := waitDaysFromText(text); !ok || got != want {
			t.Errorf("%q: %d, %v; want %d", text, got, ok, want)
		}
	}
	for _, text := range []string{"", "varies", "2 weeks for intake, 3 months for a visit", "8-6 weeks",
		"call for details", "waiting list", "6 weeks or more"} {
		if got, ok := waitDaysFromText(text); ok {
			t.Errorf("%q: read as %d days, want no reading", text, got)
		}
	}
}

// TestImportReadsWaitDays: an imported service's wait_time becomes its
// waitDays where the text is one length of time, and the text is kept;
// other text is kept alone, with a note in the report.
func TestImportReadsWaitDays(t *testing.T) {
	for _, tc := range []struct {
		text string
		want *int
	}{{"6-8 weeks", ptrTo(56)}, {"varies by season", nil}} {
		dir := importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
		importEditFile(t, filepath.Join(dir, "services.csv"), "prices.,wait_time,", "prices.,"+tc.text+",")
		testdb.Each(t, func(t *testing.T, db *store.DB) {
			rep := importMust(t, db, dir, ImportOptions{})
			s := db.Client.Service.Query().OnlyX(context.Background())
			if s.WaitTime != tc.text {
				t.Errorf("wait_time %q, want %q kept", s.WaitTime, tc.text)
			}
			if (s.WaitDays == nil) != (tc.want == nil) || (s.WaitDays != nil && *s.WaitDays != *tc.want) {
				t.Errorf("%q: waitDays %v, want %v", tc.text, s.WaitDays, tc.want)
			}
			noted := slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "without waitDays") })
			if noted != (tc.want == nil) {
				t.Errorf("%q: note on unread wait text = %v\n%s", tc.text, noted, rep)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
