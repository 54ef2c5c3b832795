package match

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/village-directory/village/internal/directory"
)

// unstatedSentence words an UNSTATED reason so a worker can ask: what the
// listing does not say, its own eligibility text where it has one, and
// the question to put ("The listing does not say which ages it serves; its
// eligibility reads “Babies and toddlers” — ask about a 4-year-old.").
func unstatedSentence(what string, e *directory.Eligibility, ask string) string {
	s := "The listing does not say " + what
	if q := shortQuote(e.Description); q != "" {
		s += "; its eligibility reads “" + q + "”"
	}
	return s + " — " + ask + "."
}

// maxQuote is the longest eligibility text quoted whole, in characters.
const maxQuote = 100

// shortQuote is the first sentence of text, trimmed to maxQuote characters
// at a word, without its closing full stop.
func shortQuote(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if i := strings.IndexAny(text, ".;"); i >= 0 {
		text = text[:i]
	}
	if utf8.RuneCountInString(text) <= maxQuote {
		return text
	}
	cut := string([]rune(text)[:maxQuote])
	if i := strings.LastIndexByte(cut, ' '); i > maxQuote/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,:") + "…"
}

// childPhrase names a child of m completed months as a worker says it: "a
// newborn", "a 6-month-old", "an 18-month-old", "a 4-year-old".
func childPhrase(m int) string {
	var n, unit string
	switch {
	case m == 0:
		return "a newborn"
	case m < 24:
		n, unit = strconv.Itoa(m), "month"
	default:
		n, unit = strconv.Itoa(m/12), "year"
	}
	article := "a"
	if strings.HasPrefix(n, "8") || n == "11" || n == "18" {
		article = "an"
	}
	return fmt.Sprintf("%s %s-%s-old", article, n, unit)
}

// expecting names the pregnancy the family spoke of.
func expecting(p *profile) string {
	if p.pregnancyWeek != nil {
		return fmt.Sprintf("a family at week %d of pregnancy", *p.pregnancyWeek)
	}
	return "a family expecting a baby"
}
