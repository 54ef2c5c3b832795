package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/spanish"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// lang says which stemmers a text is read with.
type lang uint8

const (
	langEnglish lang = 1 << iota
	langSpanish
	langBoth = langEnglish | langSpanish
)

// token is one word of a text: where it stands (byte offsets into the
// text, and rune offsets for highlights) and its folded form.
type token struct {
	start, end         int // bytes
	runeStart, runeEnd int // Unicode code points
	folded             string
}

// tokenize splits text into words: runs of letters and digits, with an
// apostrophe inside a word kept ("baby's"). Hyphens, slashes and other
// punctuation separate words, so "home-visiting" is two.
func tokenize(text string) []token {
	out := make([]token, 0, len(text)/6+1)
	eachWord(text, func(s span) {
		if f := fold(text[s.start:s.end]); f != "" {
			out = append(out, token{start: s.start, end: s.end, runeStart: s.runeStart, runeEnd: s.runeEnd, folded: f})
		}
	})
	return out
}

// span is where a word stands in a text: byte offsets, and rune offsets
// for highlights.
type span struct{ start, end, runeStart, runeEnd int }

// eachWord calls fn with each word of text (as tokenize splits it), in
// order, unfolded.
func eachWord(text string, fn func(span)) {
	for ws := (wordScanner{text: text}); ; {
		s, ok := ws.next()
		if !ok {
			return
		}
		fn(s)
	}
}

// wordScanner steps through the words of a text as eachWord does, without
// a callback: a loop over it keeps its variables on the stack.
type wordScanner struct {
	text string
	i, n int // the next rune's byte offset and its number
}

// next is the next word of the text; false after the last.
func (ws *wordScanner) next() (span, bool) {
	text := ws.text
	start, runeStart := -1, 0
	for ws.i < len(text) {
		r, size := rune(text[ws.i]), 1
		var word bool
		if r < utf8.RuneSelf {
			word = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || (start >= 0 && r == '\'')
		} else {
			r, size = utf8.DecodeRuneInString(text[ws.i:])
			word = unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || (start >= 0 && r == '’')
		}
		if word && start < 0 {
			start, runeStart = ws.i, ws.n
		} else if !word && start >= 0 {
			s := wordSpan(text, start, runeStart, ws.i)
			ws.i += size
			ws.n++
			return s, true
		}
		ws.i += size
		ws.n++
	}
	if start >= 0 {
		return wordSpan(text, start, runeStart, len(text)), true
	}
	return span{}, false
}

// wordSpan is the span of the word text[start:end] (starting at rune
// runeStart) less its trailing apostrophes.
func wordSpan(text string, start, runeStart, end int) span {
	w := text[start:end]
	for {
		if t, ok := strings.CutSuffix(w, "'"); ok {
			w = t
		} else if t, ok := strings.CutSuffix(w, "’"); ok {
			w = t
		} else {
			break
		}
	}
	return span{start: start, end: start + len(w), runeStart: runeStart, runeEnd: runeStart + utf8.RuneCountInString(w)}
}

var foldMarks = runes.Remove(runes.In(unicode.Mn))

// fold lower-cases a word and strips its accents ("Información" →
// "informacion"), and writes a typographic apostrophe as a plain one, so
// that what a worker types without accents finds the accented word.
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		t := transform.Chain(norm.NFD, foldMarks, norm.NFC)
		if s, _, err := transform.String(t, w); err == nil {
			w = s
		}
		w = strings.ReplaceAll(w, "’", "'")
	}
	return strings.ToLower(w)
}

// stopWord reports whether a folded word is an English or Spanish stop
// word, which neither the index nor a query keeps.
func stopWord(w string) bool {
	return english.IsStopWord(w) || spanish.IsStopWord(w)
}

// stems returns the word's stems in the languages asked for, each as the
// index's key: an English stem as it is, a Spanish one behind spanishKey.
// The two are kept apart even where they are spelt alike: stemmed as
// Spanish, "comida" is "com", which must not find the English "com" of
// "vitalchek.com" (seen on Open211 Miami's export). A word read in both
// languages has both keys, and a query word looks both up.
func stems(w string, l lang) (en, es string) {
	if l&langEnglish != 0 {
		en = english.Stem(w, true)
	}
	if l&langSpanish != 0 {
		if st := spanish.Stem(w, true); st != "" {
			es = spanishKey + st
		}
	}
	if en == "" {
		en, es = es, ""
	}
	return en, es
}

// spanishKey marks a Spanish stem in the index's terms.
const spanishKey = "es:"

// stemText is a term's stem without its language mark.
func stemText(key string) string { return strings.TrimPrefix(key, spanishKey) }

// withinOneEdit reports whether a and b (folded words, as runes) are at most
// one edit apart: one letter inserted, deleted or replaced, or two
// neighbouring letters swapped.
func withinOneEdit(a, b []rune) bool {
	la, lb := len(a), len(b)
	if la < lb {
		a, b, la, lb = b, a, lb, la
	}
	if la-lb > 1 {
		return false
	}
	i := 0
	for i < lb && a[i] == b[i] {
		i++
	}
	if i == lb {
		return true // equal, or a has one letter more at the end
	}
	if la == lb {
		if equalRunes(a[i+1:], b[i+1:]) {
			return true // replaced
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && equalRunes(a[i+2:], b[i+2:]) // swapped
	}
	return equalRunes(a[i+1:], b[i:]) // inserted
}

// withinOneEditOf is withinOneEdit with b as a string (a word of the
// typo vocabulary).
func withinOneEditOf(a []rune, b string) bool {
	var buf [32]rune
	rb := buf[:0]
	for _, r := range b {
		rb = append(rb, r)
	}
	return withinOneEdit(a, rb)
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
