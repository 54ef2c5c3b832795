package directory

import (
	"encoding/json"
	"slices"
	"testing"
)

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

// statedRules: absent on old records (every rule stated), a list, even
// empty, on new ones; the stored JSON tells them apart.
func TestStatedRulesStoredForm(t *testing.T) {
	for name, c := range map[string]struct {
		e      Eligibility
		json   string
		stated []Rule
	}{
		"old record": {Eligibility{MaxAgeMonths: ptr(36)}, `{"maxAgeMonths":36}`, Rules},
		"states nothing": {Eligibility{StatedRules: []Rule{}, Description: "Babies"},
			`{"description":"Babies","statedRules":[]}`, []Rule{}},
		"a bound states its rule": {Eligibility{StatedRules: []Rule{RuleIncome}, MaxAgeMonths: ptr(36)},
			`{"maxAgeMonths":36,"statedRules":["INCOME"]}`, []Rule{RuleAge, RuleIncome}},
		"a week says it enrols in pregnancy": {Eligibility{StatedRules: []Rule{}, EnrollByPregnancyWeek: ptr(28)},
			`{"enrollByPregnancyWeek":28,"statedRules":[]}`, []Rule{RulePregnancy, RulePregnancyWeek}},
	} {
		raw, err := json.Marshal(&c.e)
		if err != nil || string(raw) != c.json {
			t.Errorf("%s: JSON %s (%v), want %s", name, raw, err, c.json)
		}
		var back Eligibility
		if err := json.Unmarshal(raw, &back); err != nil || (back.StatedRules == nil) != (c.e.StatedRules == nil) {
			t.Errorf("%s: read back %#v (%v)", name, back.StatedRules, err)
		}
		if got := back.Stated(); !slices.Equal(got, c.stated) {
			t.Errorf("%s: states %v, want %v", name, got, c.stated)
		}
	}
	bad := &Eligibility{StatedRules: []Rule{RuleAge, "IN_AREA"}}
	if fe, ok := bad.Validate().(*FieldError); !ok || fe.Field != "statedRules[1]" {
		t.Errorf("Validate: %v, want a FieldError on statedRules[1]", bad.Validate())
	}
}

// Effective: the program's statement of a rule the service leaves open;
// nothing from the program for an old record, which states every rule.
func TestEffective(t *testing.T) {
	model := &Eligibility{StatedRules: []Rule{RuleAge, RuleCourtInvolvement}, MaxAgeMonths: ptr(36),
		CourtInvolvementRequired: ptr(true), Description: "Toddlers."}
	own := &Eligibility{StatedRules: []Rule{RuleCourtInvolvement}, MinAgeMonths: ptr(12)}
	got := Effective(own, model)
	if got.MinAgeMonths == nil || *got.MinAgeMonths != 12 || got.MaxAgeMonths != nil || got.CourtInvolvementRequired != nil ||
		got.Description != "Toddlers." {
		t.Errorf("own ages and court rule kept, program's text: %+v", got)
	}
	if got := Effective(&Eligibility{StatedRules: []Rule{}}, model); got.MaxAgeMonths == nil || !isTrue(got.CourtInvolvementRequired) {
		t.Errorf("open rules from the program: %+v", got)
	}
	if old := (&Eligibility{}); Effective(old, model) != old || Effective(nil, model) != model || Effective(nil, nil) != nil {
		t.Error("an old record, or none, is not merged")
	}
}
