package schema

import (
	"fmt"
	"time"

	"github.com/village-directory/village/internal/directory"
)

// Field validators shared by the schemas; each returns an error a person can
// act on, and ent reports it with the field's name.

func notBlank(s string) error { return directory.NotBlank(s) }

func validURL(s string) error { return directory.ValidateURL(s) }

func validEmail(s string) error { return directory.ValidateEmail(s) }

func validLanguage(s string) error { return directory.ValidateLanguage(s) }

func validLanguages(codes []string) error { return directory.ValidateLanguages(codes) }

func validDeliveryModes(m []directory.DeliveryMode) error {
	return directory.ValidateList(m, directory.DeliveryModes)
}

func validSettings(s []directory.Setting) error { return directory.ValidateList(s, directory.Settings) }

func validAudiences(a []directory.Audience) error {
	return directory.ValidateList(a, directory.Audiences)
}

func validEligibility(e *directory.Eligibility) error { return e.Validate() }

func validEvidence(list []directory.Evidence) error {
	for i, e := range list {
		if err := e.Validate(); err != nil {
			if fe, ok := err.(*directory.FieldError); ok {
				return &directory.FieldError{Field: fmt.Sprintf("[%d].%s", i, fe.Field), Message: fe.Message}
			}
			return &directory.FieldError{Field: fmt.Sprintf("[%d]", i), Message: err.Error()}
		}
	}
	return nil
}

func validLatitude(v float64) error {
	if v < -90 || v > 90 {
		return fmt.Errorf("latitude %v is outside -90..90", v)
	}
	return nil
}

func validLongitude(v float64) error {
	if v < -180 || v > 180 {
		return fmt.Errorf("longitude %v is outside -180..180", v)
	}
	return nil
}

func validYear(y int) error {
	if y < 1600 || y > time.Now().Year() {
		return fmt.Errorf("year %d is not a plausible year of incorporation", y)
	}
	return nil
}

func validCountry(s string) error {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code (e.g. US)", s)
	}
	return nil
}
