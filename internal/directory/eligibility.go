package directory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Eligibility says who can enrol now, in structured, months-based terms.
// Every bound is optional. Whether a nil bound means "the source says: no
// limit" or "the source does not say" is told by StatedRules:
//
//   - StatedRules nil (every record written before the list existed, and
//     any write that leaves it out): the record states every rule, a nil
//     bound meaning no limit, as it always has.
//   - StatedRules a list, even empty: the record states the rules listed
//     and those it gives a value for (a bound, a flag); any other rule is
//     left open, and matching says so (UNSTATED) where the family's answer
//     depends on it.
//
// A service without an Eligibility inherits its program's whole. A service
// with its own that leaves a rule open takes that rule from its program,
// where the program states it (see internal/match).
type Eligibility struct {
	// StatedRules are the rules the source states (see above); nil: all.
	StatedRules []Rule `json:"statedRules"`
	// MinAgeMonths and MaxAgeMonths bound the child's age in completed
	// months, both inclusive.
	MinAgeMonths *int `json:"minAgeMonths,omitempty"`
	MaxAgeMonths *int `json:"maxAgeMonths,omitempty"`
	// AcceptsPregnant is true when a family may enrol during pregnancy.
	AcceptsPregnant *bool `json:"acceptsPregnant,omitempty"`
	// EnrollByPregnancyWeek is the last week of pregnancy (inclusive) at
	// which a pregnant family can still enrol.
	EnrollByPregnancyWeek *int `json:"enrollByPregnancyWeek,omitempty"`
	// PregnantOnly means enrolment happens only during pregnancy (as NFP):
	// a family with a born child and no pregnancy cannot enrol.
	PregnantOnly *bool `json:"pregnantOnly,omitempty"`
	// FirstTimeParentsOnly restricts enrolment to first-time parents.
	FirstTimeParentsOnly *bool `json:"firstTimeParentsOnly,omitempty"`
	// MaxIncomePercentFPL is a hard income limit as a percentage of the
	// HHS poverty guideline for the household size.
	MaxIncomePercentFPL *int `json:"maxIncomePercentFpl,omitempty"`
	// PriorityPopulations are prioritised, never excluded.
	PriorityPopulations []string `json:"priorityPopulations,omitempty"`
	// ReferralRequired means a family needs a referral to enrol; it is a
	// reason to mention, not an exclusion.
	ReferralRequired *bool `json:"referralRequired,omitempty"`
	// CourtInvolvementRequired restricts enrolment to children under court
	// or child-welfare jurisdiction (Safe Babies court teams).
	CourtInvolvementRequired *bool `json:"courtInvolvementRequired,omitempty"`
	// Description is the source's own words about eligibility.
	Description string `json:"description,omitempty"`
}

// Rule is an eligibility rule a record can state. Its values are the
// matching criteria of the same names (match.Criterion), so GraphQL shows
// both as MatchCriterion.
type Rule string

// The rules an Eligibility can state.
const (
	RuleAge                 Rule = "AGE"
	RulePregnancy           Rule = "PREGNANCY"
	RulePregnancyWeek       Rule = "PREGNANCY_WEEK"
	RulePregnantOnly        Rule = "PREGNANT_ONLY"
	RuleFirstTimeParentOnly Rule = "FIRST_TIME_PARENT_ONLY"
	RuleIncome              Rule = "INCOME"
	RuleCourtInvolvement    Rule = "COURT_INVOLVEMENT"
	RuleReferralRequired    Rule = "REFERRAL_REQUIRED"
)

// Rules lists every Rule, in the order Eligibility's fields give them.
var Rules = []Rule{RuleAge, RulePregnancy, RulePregnancyWeek, RulePregnantOnly, RuleFirstTimeParentOnly,
	RuleIncome, RuleCourtInvolvement, RuleReferralRequired}

// MarshalGQL writes the rule as a MatchCriterion value.
func (r Rule) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a MatchCriterion value that names a rule.
func (r *Rule) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("enum value must be a string, got %T", v)
	}
	if !oneOf(Rule(s), Rules) {
		return fmt.Errorf("%q is not a rule an eligibility states (one of %v)", s, Rules)
	}
	*r = Rule(s)
	return nil
}

// MarshalJSON writes statedRules only when the record has the list (even
// empty), so records without one keep their stored form.
func (e Eligibility) MarshalJSON() ([]byte, error) {
	type plain Eligibility
	out := struct {
		plain
		StatedRules *[]Rule `json:"statedRules,omitempty"`
	}{plain: plain(e)}
	if e.StatedRules != nil {
		out.StatedRules = &e.StatedRules
	}
	return json.Marshal(out)
}

// States reports whether the record states rule r: it lists r, gives a
// value for it, or predates the list (StatedRules nil).
func (e *Eligibility) States(r Rule) bool {
	if e == nil {
		return false
	}
	if e.StatedRules == nil || slices.Contains(e.StatedRules, r) {
		return true
	}
	switch r {
	case RuleAge:
		return e.MinAgeMonths != nil || e.MaxAgeMonths != nil
	case RulePregnancy:
		return e.AcceptsPregnant != nil || isTrue(e.PregnantOnly) || e.EnrollByPregnancyWeek != nil
	case RulePregnancyWeek:
		return e.EnrollByPregnancyWeek != nil
	case RulePregnantOnly:
		return e.PregnantOnly != nil
	case RuleFirstTimeParentOnly:
		return e.FirstTimeParentsOnly != nil
	case RuleIncome:
		return e.MaxIncomePercentFPL != nil
	case RuleCourtInvolvement:
		return e.CourtInvolvementRequired != nil
	case RuleReferralRequired:
		return e.ReferralRequired != nil
	}
	return false
}

// Stated lists the rules the record states, in the order of Rules: what
// GraphQL shows as statedRules (every rule for a record without the list).
func (e *Eligibility) Stated() []Rule {
	out := []Rule{}
	for _, r := range Rules {
		if e.States(r) {
			out = append(out, r)
		}
	}
	return out
}

// Effective is the eligibility a service is judged by, given its own and
// its program's (model): its own, or its program's whole when it has none;
// and where its own leaves a rule open (a record with statedRules that
// does not list it), the program's statement of that rule. A record without statedRules states every rule,
// so for such records nothing is ever taken from the program, as before.
// nil when neither has an eligibility: nothing to check, as always.
func Effective(own, model *Eligibility) *Eligibility {
	switch {
	case own == nil:
		return model
	case model == nil || own.StatedRules == nil:
		return own
	}
	merged := *own
	merged.StatedRules = append([]Rule{}, own.StatedRules...)
	for _, r := range Rules {
		if own.States(r) || !model.States(r) {
			continue
		}
		merged.StatedRules = append(merged.StatedRules, r)
		switch r {
		case RuleAge:
			merged.MinAgeMonths, merged.MaxAgeMonths = model.MinAgeMonths, model.MaxAgeMonths
		case RulePregnancy:
			merged.AcceptsPregnant = model.AcceptsPregnant
		case RulePregnancyWeek:
			merged.EnrollByPregnancyWeek = model.EnrollByPregnancyWeek
		case RulePregnantOnly:
			merged.PregnantOnly = model.PregnantOnly
		case RuleFirstTimeParentOnly:
			merged.FirstTimeParentsOnly = model.FirstTimeParentsOnly
		case RuleIncome:
			merged.MaxIncomePercentFPL = model.MaxIncomePercentFPL
		case RuleCourtInvolvement:
			merged.CourtInvolvementRequired = model.CourtInvolvementRequired
		case RuleReferralRequired:
			merged.ReferralRequired = model.ReferralRequired
		}
	}
	if merged.Description == "" {
		merged.Description = model.Description
	}
	if len(merged.PriorityPopulations) == 0 {
		merged.PriorityPopulations = model.PriorityPopulations
	}
	return &merged
}

// MaxPregnancyWeek is the latest week of pregnancy Village accepts in rules
// and family input.
const MaxPregnancyWeek = 42

// FieldError is a validation failure tied to the input field at fault, so
// callers can report the path (for example "eligibility.maxAgeMonths").
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// AcceptsPregnancy reports whether a family may enrol during pregnancy:
// acceptsPregnant, or, where it is left unset, what says so (pregnantOnly,
// or a last week of pregnancy to enrol by).
func (e *Eligibility) AcceptsPregnancy() bool {
	if e == nil {
		return false
	}
	if e.AcceptsPregnant != nil {
		return *e.AcceptsPregnant
	}
	return isTrue(e.PregnantOnly) || e.EnrollByPregnancyWeek != nil
}

// Validate reports the first rule of e that cannot be true of any family.
func (e *Eligibility) Validate() error {
	if e == nil {
		return nil
	}
	nonNegative := func(field string, v *int) error {
		if v != nil && *v < 0 {
			return &FieldError{Field: field, Message: fmt.Sprintf("must not be negative (got %d)", *v)}
		}
		return nil
	}
	if err := errors.Join(
		nonNegative("minAgeMonths", e.MinAgeMonths),
		nonNegative("maxAgeMonths", e.MaxAgeMonths),
		nonNegative("maxIncomePercentFpl", e.MaxIncomePercentFPL),
	); err != nil {
		return firstFieldError(err)
	}
	if e.MinAgeMonths != nil && e.MaxAgeMonths != nil && *e.MinAgeMonths > *e.MaxAgeMonths {
		return &FieldError{Field: "minAgeMonths", Message: fmt.Sprintf("minimum age (%d months) is above the maximum (%d months)", *e.MinAgeMonths, *e.MaxAgeMonths)}
	}
	if w := e.EnrollByPregnancyWeek; w != nil && (*w < 1 || *w > MaxPregnancyWeek) {
		return &FieldError{Field: "enrollByPregnancyWeek", Message: fmt.Sprintf("must be a week from 1 to %d (got %d)", MaxPregnancyWeek, *w)}
	}
	if isTrue(e.PregnantOnly) && e.AcceptsPregnant != nil && !*e.AcceptsPregnant {
		return &FieldError{Field: "pregnantOnly", Message: "a pregnant-only service must accept pregnant families"}
	}
	if e.EnrollByPregnancyWeek != nil && e.AcceptsPregnant != nil && !*e.AcceptsPregnant {
		return &FieldError{Field: "enrollByPregnancyWeek", Message: "a service that does not accept pregnant families has no week to enrol by"}
	}
	if err := ValidateList(e.StatedRules, Rules); err != nil {
		var fe *FieldError
		errors.As(err, &fe)
		return &FieldError{Field: "statedRules" + fe.Field, Message: fe.Message}
	}
	for i, p := range e.PriorityPopulations {
		if p == "" {
			return &FieldError{Field: fmt.Sprintf("priorityPopulations[%d]", i), Message: "must not be empty"}
		}
	}
	return nil
}

func firstFieldError(err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return err
}

func isTrue(b *bool) bool { return b != nil && *b }
