package match

import (
	"fmt"
	"io"
	"strconv"
)

// Criterion names what a reason is about. The values are a contract with
// partner apps: add, never rename.
type Criterion string

// The criteria a match is decided and explained by.
const (
	InArea              Criterion = "IN_AREA"
	OutOfArea           Criterion = "OUT_OF_AREA"
	NeedMet             Criterion = "NEED_MET"
	NoNeedMet           Criterion = "NO_NEED_MET"
	Age                 Criterion = "AGE"
	Pregnancy           Criterion = "PREGNANCY"
	PregnantOnly        Criterion = "PREGNANT_ONLY"
	PregnancyWeek       Criterion = "PREGNANCY_WEEK"
	FirstTimeParentOnly Criterion = "FIRST_TIME_PARENT_ONLY"
	Income              Criterion = "INCOME"
	CourtInvolvement    Criterion = "COURT_INVOLVEMENT"
	ReferralRequired    Criterion = "REFERRAL_REQUIRED"
	Language            Criterion = "LANGUAGE"
	DeliveryMode        Criterion = "DELIVERY_MODE"
	Distance            Criterion = "DISTANCE"
	TemporarilyClosed   Criterion = "TEMPORARILY_CLOSED"
	Confirm             Criterion = "CONFIRM"
	Priority            Criterion = "PRIORITY"
	Openings            Criterion = "OPENINGS"
	Wait                Criterion = "WAIT"
	Verified            Criterion = "VERIFIED"
	// Unstated: the listing leaves open a rule the family's answer depends
	// on (Reason.About names it); never an exclusion.
	Unstated Criterion = "UNSTATED"
)

var criteria = []Criterion{InArea, OutOfArea, NeedMet, NoNeedMet, Age, Pregnancy, PregnantOnly, PregnancyWeek,
	FirstTimeParentOnly, Income, CourtInvolvement, ReferralRequired, Language, DeliveryMode, Distance,
	TemporarilyClosed, Confirm, Priority, Openings, Wait, Verified, Unstated}

// Reason is one criterion's verdict, in a sentence.
type Reason struct {
	Criterion Criterion
	Message   string
	// About names the rule a CONFIRM or UNSTATED reason is about (AGE,
	// PREGNANCY_WEEK, LANGUAGE, ...); empty for other reasons.
	About Criterion
}

func reason(c Criterion, format string, args ...any) Reason {
	return Reason{Criterion: c, Message: fmt.Sprintf(format, args...)}
}

// MarshalGQL writes the criterion as a GraphQL enum value.
func (c Criterion) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(c))) }

// UnmarshalGQL reads a GraphQL enum value.
func (c *Criterion) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("MatchCriterion must be a string")
	}
	for _, k := range criteria {
		if string(k) == s {
			*c = k
			return nil
		}
	}
	return fmt.Errorf("%q is not a MatchCriterion", s)
}
