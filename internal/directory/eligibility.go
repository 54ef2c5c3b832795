package directory

import (
	"errors"
	"fmt"
)

// Eligibility says who can enrol now, in structured, months-based terms.
// Every bound is optional: nil means the source states no such rule.
// A service either inherits its program's Eligibility whole or carries its
// own whole record; fields are never merged one by one, so that a service's
// rules can always be read in one place.
type Eligibility struct {
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
