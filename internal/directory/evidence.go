package directory

import (
	"fmt"
	"time"
)

// EvidenceSource names who reviewed a model's evidence.
type EvidenceSource string

// The evidence clearinghouses and kinds of evidence Village records.
const (
	EvidenceHomVEE           EvidenceSource = "HOMVEE"
	EvidenceCEBC             EvidenceSource = "CEBC"
	EvidenceAMCHP            EvidenceSource = "AMCHP"
	EvidenceCommunityDefined EvidenceSource = "COMMUNITY_DEFINED"
	EvidenceOther            EvidenceSource = "OTHER"
)

// EvidenceSources lists every EvidenceSource, in the order the API shows them.
var EvidenceSources = []EvidenceSource{EvidenceHomVEE, EvidenceCEBC, EvidenceAMCHP, EvidenceCommunityDefined, EvidenceOther}

// Evidence is one review of a program's evidence base. Every part is
// optional: Village records only what a source says.
type Evidence struct {
	Source         EvidenceSource `json:"source"`
	Rating         string         `json:"rating,omitempty"`
	OutcomeDomains []string       `json:"outcomeDomains,omitempty"`
	ReviewedOn     *time.Time     `json:"reviewedOn,omitempty"`
	URL            string         `json:"url,omitempty"`
	// Note quotes or summarises what the source says.
	Note string `json:"note,omitempty"`
}

// Validate checks the source is known and the URL well formed.
func (e Evidence) Validate() error {
	if !oneOf(e.Source, EvidenceSources) {
		return &FieldError{Field: "source", Message: fmt.Sprintf("unknown evidence source %q", e.Source)}
	}
	if e.URL != "" {
		if err := ValidateURL(e.URL); err != nil {
			return &FieldError{Field: "url", Message: err.Error()}
		}
	}
	return nil
}

func oneOf[T comparable](v T, all []T) bool {
	for _, a := range all {
		if a == v {
			return true
		}
	}
	return false
}
