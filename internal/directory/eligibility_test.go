package directory

import "testing"

func TestAcceptsPregnancy(t *testing.T) {
	for name, c := range map[string]struct {
		e    *Eligibility
		want bool
	}{
		"none":                       {nil, false},
		"silent":                     {&Eligibility{MaxAgeMonths: ptr(36)}, false},
		"accepts":                    {&Eligibility{AcceptsPregnant: ptr(true)}, true},
		"refuses":                    {&Eligibility{AcceptsPregnant: ptr(false)}, false},
		"pregnant only":              {&Eligibility{PregnantOnly: ptr(true)}, true},
		"a week to enrol by says so": {&Eligibility{EnrollByPregnancyWeek: ptr(28)}, true},
	} {
		if got := c.e.AcceptsPregnancy(); got != c.want {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}

func TestValidateRefusesAWeekToEnrolByWithoutPregnancy(t *testing.T) {
	e := &Eligibility{AcceptsPregnant: ptr(false), EnrollByPregnancyWeek: ptr(28)}
	fe, ok := e.Validate().(*FieldError)
	if !ok || fe.Field != "enrollByPregnancyWeek" {
		t.Errorf("Validate: %v, want a FieldError on enrollByPregnancyWeek", e.Validate())
	}
}
