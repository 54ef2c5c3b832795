package directory

import (
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestSameValue(t *testing.T) {
	day := time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		stored, declared any
		want             bool
	}{
		{"", nil, true},
		{(*int)(nil), nil, true},
		{ptr(24), 24, true},
		{ptr(24), 12, false},
		{ptr(0), nil, false},
		{false, false, true},
		{(*bool)(nil), false, false},
		{[]string{}, nil, true},
		{[]string{"es", "en"}, []string{"en", "es"}, false},
		{day.In(time.FixedZone("EDT", -4*3600)), day, true},
		{&Eligibility{MinAgeMonths: ptr(0)}, &Eligibility{MinAgeMonths: ptr(0)}, true},
		{&Eligibility{MinAgeMonths: ptr(0)}, &Eligibility{MaxAgeMonths: ptr(0)}, false},
		{"ACTIVE", "ACTIVE", true},
		{"ACTIVE", "INACTIVE", false},
	} {
		if got := SameValue(tc.stored, tc.declared); got != tc.want {
			t.Errorf("SameValue(%#v, %#v) = %v, want %v", tc.stored, tc.declared, got, tc.want)
		}
	}
}

// An enum of a named string type and its plain string mean the same, and
// times agree at the databases' microsecond precision.
func TestSameValueAcrossTypes(t *testing.T) {
	type status string
	if !SameValue(status("ACTIVE"), "ACTIVE") || !SameValue(int64(3), 3) {
		t.Fatal("values of different Go types but the same meaning differ")
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	if !SameValue(at, at.Truncate(time.Microsecond)) {
		t.Fatal("a time and its microsecond-precision copy differ")
	}
}
