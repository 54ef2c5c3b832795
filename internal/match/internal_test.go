package match

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCompletedMonths(t *testing.T) {
	for _, c := range []struct {
		birth, today string
		want         int
	}{
		{"2025-06-15", "2025-06-15", 0},
		{"2025-05-15", "2025-06-14", 0},
		{"2025-05-15", "2025-06-15", 1},
		{"2024-12-31", "2025-02-27", 1},
		{"2024-12-31", "2025-02-28", 2}, // no 31st in February: the last day completes it
		{"2024-01-31", "2024-02-28", 0},
		{"2024-01-31", "2024-02-29", 1}, // leap year
		{"2024-02-29", "2025-02-28", 12},
		{"2024-02-29", "2025-03-01", 12},
		{"2022-06-15", "2025-06-15", 36},
		{"2022-06-16", "2025-06-15", 35},
	} {
		if got := completedMonths(day(c.birth), day(c.today)); got != c.want {
			t.Errorf("born %s, on %s: %d completed months, want %d", c.birth, c.today, got, c.want)
		}
	}
}

func TestWeekFromDueDate(t *testing.T) {
	today := day("2025-06-15")
	for _, c := range []struct {
		due  string
		want int // 0: bad input
	}{
		{"2025-06-15", 40}, // due today: 280 days in
		{"2025-09-07", 28}, // 84 days away: 196 days in
		{"2025-09-08", 27}, // 85 days away: 195 days in
		{"2025-08-31", 29}, // 77 days away: 203 days in
		{"2025-06-01", 42}, // 14 days past
		{"2025-05-31", 42}, // 15 days past: 295 days in, still week 42
		{"2025-05-25", 0},  // 21 days past: 301 days in, week 43
		{"2026-03-15", 1},  // 273 days away: 7 days in
		{"2026-03-16", 0},  // 274 days away: 6 days in, week 0
	} {
		got, err := weekFromDueDate(day(c.due), today)
		if c.want == 0 {
			if err == nil {
				t.Errorf("due %s: week %d, want bad input", c.due, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("due %s: week %d, %v; want %d", c.due, got, err, c.want)
		}
	}
}

// The 2025 HHS poverty guidelines, by hand from the published table.
func TestPovertyLine(t *testing.T) {
	for _, c := range []struct {
		state string
		size  int
		want  int
	}{
		{"MA", 1, 15650}, {"MA", 2, 21150}, {"MA", 3, 26650}, {"MA", 4, 32150}, {"MA", 8, 54150}, {"DC", 4, 32150},
		{"AK", 1, 19550}, {"AK", 3, 33310}, {"AK", 4, 40190},
		{"HI", 1, 17990}, {"HI", 3, 30650}, {"HI", 4, 36980},
		{"", 1, 15650},
	} {
		if got := povertyLine(c.state, c.size); got != c.want {
			t.Errorf("%s, %d people: $%d, want $%d", c.state, c.size, got, c.want)
		}
	}
	for _, c := range []struct {
		size, income, pct int
		within            bool
		most              int
	}{
		{3, 53300, 200, true, 53300},
		{3, 53301, 200, false, 53300},
		{4, 44367, 138, true, 44367}, // 1.38 × 32,150 = 44,367
		{4, 44368, 138, false, 44367},
		{1, 0, 100, true, 15650},
	} {
		within, most := withinIncomeLimit("MA", c.size, c.income, c.pct)
		if within != c.within || most != c.most {
			t.Errorf("%d people, $%d, %d%%: %v, $%d; want %v, $%d", c.size, c.income, c.pct, within, most, c.within, c.most)
		}
	}
}

func TestDollarsAndLanguages(t *testing.T) {
	for n, want := range map[int]string{0: "$0", 999: "$999", 1000: "$1,000", 53300: "$53,300", 1234567: "$1,234,567"} {
		if got := dollars(n); got != want {
			t.Errorf("dollars(%d) = %s, want %s", n, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		same bool
	}{{"es", "spa", true}, {"es", "es", true}, {"zh", "zho", true}, {"en", "es", false}, {"ht", "hat", true}, {"en", "eng", true}} {
		if got := sameLanguage(c.a, c.b); got != c.same {
			t.Errorf("sameLanguage(%s, %s) = %v", c.a, c.b, got)
		}
	}
}
