package directory

import (
	"fmt"
	"io"
	"strconv"
)

// DeliveryMode is how a service reaches a family.
type DeliveryMode string

// The delivery modes of a service.
const (
	InHome   DeliveryMode = "IN_HOME"
	InClinic DeliveryMode = "IN_CLINIC"
	InGroup  DeliveryMode = "IN_GROUP"
	ByPhone  DeliveryMode = "BY_PHONE"
	Online   DeliveryMode = "ONLINE"
)

// DeliveryModes lists every DeliveryMode.
var DeliveryModes = []DeliveryMode{InHome, InClinic, InGroup, ByPhone, Online}

// Setting is where a program's model is delivered.
type Setting string

// The settings of a program.
const (
	SettingHome      Setting = "HOME"
	SettingClinic    Setting = "CLINIC"
	SettingChildCare Setting = "CHILD_CARE"
	SettingCourt     Setting = "COURT"
	SettingCommunity Setting = "COMMUNITY"
	SettingOnline    Setting = "ONLINE"
)

// Settings lists every Setting.
var Settings = []Setting{SettingHome, SettingClinic, SettingChildCare, SettingCourt, SettingCommunity, SettingOnline}

// Audience is who a program or resource is for.
type Audience string

// The audiences of programs and resources.
const (
	AudienceParents       Audience = "PARENTS"
	AudienceProfessionals Audience = "PROFESSIONALS"
	AudienceCommunities   Audience = "COMMUNITIES"
	AudiencePolicymakers  Audience = "POLICYMAKERS"
)

// Audiences lists every Audience.
var Audiences = []Audience{AudienceParents, AudienceProfessionals, AudienceCommunities, AudiencePolicymakers}

// The methods below let gqlgen bind these types to GraphQL enums of the same
// names and values.

// MarshalGQL writes the enum value.
func (d DeliveryMode) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads and checks an enum value.
func (d *DeliveryMode) UnmarshalGQL(v any) error { return unmarshalEnum(v, d, DeliveryModes) }

// MarshalGQL writes the enum value.
func (s Setting) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads and checks an enum value.
func (s *Setting) UnmarshalGQL(v any) error { return unmarshalEnum(v, s, Settings) }

// MarshalGQL writes the enum value.
func (a Audience) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(a))) }

// UnmarshalGQL reads and checks an enum value.
func (a *Audience) UnmarshalGQL(v any) error { return unmarshalEnum(v, a, Audiences) }

// MarshalGQL writes the enum value.
func (e EvidenceSource) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(e))) }

// UnmarshalGQL reads and checks an enum value.
func (e *EvidenceSource) UnmarshalGQL(v any) error { return unmarshalEnum(v, e, EvidenceSources) }

func unmarshalEnum[T ~string](v any, dst *T, all []T) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("enum value must be a string, got %T", v)
	}
	if !oneOf(T(s), all) {
		return fmt.Errorf("%q is not a valid value", s)
	}
	*dst = T(s)
	return nil
}

// ValidateList checks every element of a list of enum values and rejects
// duplicates, so stored lists stay sets.
func ValidateList[T ~string](list []T, all []T) error {
	seen := make(map[T]bool, len(list))
	for i, v := range list {
		if !oneOf(v, all) {
			return &FieldError{Field: fmt.Sprintf("[%d]", i), Message: fmt.Sprintf("%q is not a valid value", v)}
		}
		if seen[v] {
			return &FieldError{Field: fmt.Sprintf("[%d]", i), Message: fmt.Sprintf("%q is listed twice", v)}
		}
		seen[v] = true
	}
	return nil
}
