package directory

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"golang.org/x/text/language"
)

// ValidateURL accepts absolute http and https URLs with a host.
func ValidateURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

// ValidateEmail accepts a bare address (no display name).
func ValidateEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return fmt.Errorf("%q is not an email address", s)
	}
	return nil
}

// ValidateLanguage accepts an ISO 639-1 (two-letter) or ISO 639-3
// (three-letter) language code in lower case that the ISO registries know.
func ValidateLanguage(s string) error {
	if (len(s) != 2 && len(s) != 3) || strings.ToLower(s) != s {
		return fmt.Errorf("%q is not an ISO 639-1 or 639-3 language code (two or three lower-case letters)", s)
	}
	if _, err := language.ParseBase(s); err != nil {
		return fmt.Errorf("%q is not a known ISO 639 language code", s)
	}
	return nil
}

// ValidateLanguages checks each code of a list and rejects duplicates.
func ValidateLanguages(codes []string) error {
	seen := make(map[string]bool, len(codes))
	for i, c := range codes {
		if err := ValidateLanguage(c); err != nil {
			return &FieldError{Field: fmt.Sprintf("[%d]", i), Message: err.Error()}
		}
		if seen[c] {
			return &FieldError{Field: fmt.Sprintf("[%d]", i), Message: fmt.Sprintf("%q is listed twice", c)}
		}
		seen[c] = true
	}
	return nil
}

// NotBlank rejects strings that are empty or only white space.
func NotBlank(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be blank")
	}
	return nil
}
