package search

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
)

// Range marks matched words in a highlight's text: Start and End count
// Unicode code points (characters) from its start, End exclusive.
type Range struct{ Start, End int }

// Highlight is a short plain-text snippet of one field of a result, with
// the words the query found marked by offsets (no markup to inject).
type Highlight struct {
	// Field names where the text comes from, as the GraphQL schema names
	// it: name, alternateName, description, title, summary, or a related
	// record's name (organization.name, program.name, needs.name,
	// topics.name, publisher.name).
	Field   string
	Text    string
	Matches []Range
}

const (
	snippetRunes = 160 // longest snippet, about two lines
	contextRunes = 40  // shown before the first match when a text is cut
)

// Highlights returns the highlights of each hit of page, in page order.
// The texts are read with the viewer in ctx, one statement per type on the
// page, so the read rules apply to them as to any other read: a highlight
// never shows what the viewer could not read. A caller that loads the
// page's records anyway (GraphQL's search does) cuts them with
// HighlightsOf instead, and reads nothing twice.
func (e *Engine) Highlights(ctx context.Context, o *Outcome, page []*Hit) ([][]Highlight, error) {
	ids := [typeCount][]int{}
	for _, h := range page {
		ids[h.Type] = append(ids[h.Type], h.ID)
	}
	records := map[docKey]ent.Noder{}
	keep := func(t Type, id int, n ent.Noder) { records[docKey{t, id}] = n }
	if list := ids[TypeService]; len(list) > 0 {
		rows, err := e.client.Service.Query().Where(service.IDIn(list...)).
			Select(service.FieldName, service.FieldAlternateName, service.FieldDescription).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			keep(TypeService, r.ID, r)
		}
	}
	if list := ids[TypeProgram]; len(list) > 0 {
		rows, err := e.client.Program.Query().Where(program.IDIn(list...)).
			Select(program.FieldName, program.FieldAlternateName, program.FieldDescription).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			keep(TypeProgram, r.ID, r)
		}
	}
	if list := ids[TypeOrganization]; len(list) > 0 {
		rows, err := e.client.Organization.Query().Where(organization.IDIn(list...)).
			Select(organization.FieldName, organization.FieldAlternateName, organization.FieldDescription).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			keep(TypeOrganization, r.ID, r)
		}
	}
	if list := ids[TypeResource]; len(list) > 0 {
		rows, err := e.client.Resource.Query().Where(resource.IDIn(list...)).
			Select(resource.FieldTitle, resource.FieldSummary).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			keep(TypeResource, r.ID, r)
		}
	}
	out := make([][]Highlight, len(page))
	for i, h := range page {
		out[i] = o.HighlightsOf(records[docKey{h.Type, h.ID}])
	}
	return out, nil
}

// HighlightFields name, by type, the fields of a record HighlightsOf cuts
// highlights from: a caller loading the records for it reads these.
var HighlightFields = [typeCount][]string{
	TypeService:      {service.FieldName, service.FieldAlternateName, service.FieldDescription},
	TypeProgram:      {program.FieldName, program.FieldAlternateName, program.FieldDescription},
	TypeOrganization: {organization.FieldName, organization.FieldAlternateName, organization.FieldDescription},
	TypeResource:     {resource.FieldTitle, resource.FieldSummary},
}

// HighlightsOf returns the highlights of one result (a *ent.Service,
// *ent.Program, *ent.Organization or *ent.Resource, read with the viewer's
// context and its HighlightFields): its own fields', and the names the
// index knows of its organization, program, publisher, needs and topics.
// None (an empty list) for a record of another type or nil.
func (o *Outcome) HighlightsOf(record ent.Noder) []Highlight {
	type text struct{ field, text string }
	var texts []text
	var k docKey
	switch r := record.(type) {
	case *ent.Service:
		k = docKey{TypeService, r.ID}
		texts = []text{{"name", r.Name}, {"alternateName", r.AlternateName}, {"description", r.Description}}
	case *ent.Program:
		k = docKey{TypeProgram, r.ID}
		texts = []text{{"name", r.Name}, {"alternateName", r.AlternateName}, {"description", r.Description}}
	case *ent.Organization:
		k = docKey{TypeOrganization, r.ID}
		texts = []text{{"name", r.Name}, {"alternateName", r.AlternateName}, {"description", r.Description}}
	case *ent.Resource:
		k = docKey{TypeResource, r.ID}
		texts = []text{{"title", r.Title}, {"summary", r.Summary}}
	default:
		return []Highlight{}
	}
	out := make([]Highlight, 0, 4)
	for _, t := range texts {
		if hl, ok := o.Highlight(t.field, t.text); ok {
			out = append(out, hl)
		}
	}
	// The related names the index holds: its organization's, program's,
	// publisher's; its needs' and topics'.
	i, ok := o.ix.find(k)
	if !ok || k.typ == TypeOrganization {
		return out
	}
	d := &o.ix.docs[i]
	for j, p := range d.parent {
		if p < 0 {
			continue
		}
		field := "organization.name"
		switch {
		case d.typ == TypeResource:
			field = "publisher.name"
		case j == 1:
			field = "program.name"
		}
		if hl, ok := o.relatedHighlight(field, o.ix.name(p)); ok {
			out = append(out, hl)
		}
	}
	if d.typ == TypeService || d.typ == TypeResource {
		field := "needs.name"
		if d.typ == TypeResource {
			field = "topics.name"
		}
		for _, t := range o.ix.termsOf(i) {
			if hl, ok := o.relatedHighlight(field, o.ix.taxonName(t)); ok {
				out = append(out, hl)
			}
		}
	}
	return out
}

// relatedText is a related record's name as a field of a result.
type relatedText struct{ field, text string }

type relatedHighlight struct {
	hl Highlight
	ok bool
}

// relatedHighlight is Highlight(field, text) for a related record's name,
// cut once per outcome: the results of a page share their needs, topics,
// organizations and programs. The highlights share their Matches (no one
// writes them).
func (o *Outcome) relatedHighlight(field, text string) (Highlight, bool) {
	k := relatedText{field, text}
	if r, ok := o.related[k]; ok {
		return r.hl, r.ok
	}
	hl, ok := o.Highlight(field, text)
	if o.related == nil {
		o.related = map[relatedText]relatedHighlight{}
	}
	o.related[k] = relatedHighlight{hl, ok}
	return hl, ok
}

// matches reports whether a folded word is one the query found.
func (o *Outcome) matches(folded string) bool {
	if m, ok := o.seen[folded]; ok {
		return m
	}
	found := false
	if !slices.ContainsFunc(o.prefixes, func(p string) bool { return strings.HasPrefix(folded, p) }) {
		return false
	}
	for _, n := range o.ix.wordStems(folded) {
		if n >= 0 && o.matched[n] {
			found = true
		}
	}
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	o.seen[folded] = found
	return found
}

// mayMatch reports whether a word of text may be one the query found: a
// plain-ASCII text only when one of its words starts like a matched stem
// (as matches asks), read without splitting or folding the text; any
// other text, always.
func (o *Outcome) mayMatch(text string) bool {
	if !isASCII(text) {
		return true
	}
	for i := 0; i < len(text); {
		if !asciiWordByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && asciiWordByte(text[j]) {
			j++
		}
		if o.startsLikeMatch(text[i:j]) {
			return true
		}
		i = j
	}
	return false
}

// startsLikeMatch reports whether the plain-ASCII word w, folded, starts
// with a prefix of a matched stem (else matches is false for it).
func (o *Outcome) startsLikeMatch(w string) bool {
	for _, p := range o.prefixes {
		if len(w) < len(p) || len(p) > 0 && p[0] < utf8.RuneSelf && w[0]|0x20 != p[0] {
			continue // a prefix is folded: an ASCII letter in it is lower case
		}
		if strings.EqualFold(w[:len(p)], p) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func asciiWordByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// Highlight marks the words of text the query found, in a snippet of at
// most about 160 characters around the first; false when none is found.
// An Outcome cuts one highlight at a time (it keeps the words of the text
// being cut).
func (o *Outcome) Highlight(field, text string) (Highlight, bool) {
	if !o.mayMatch(text) {
		return Highlight{}, false
	}
	// The words, as tokenize splits them; a plain-ASCII word is folded
	// only when it starts like a matched stem.
	toks, found := o.toks[:0], o.found[:0]
	first := -1
	for ws := (wordScanner{text: text}); ; {
		t, more := ws.next()
		if !more {
			break
		}
		if first >= 0 && t.runeStart > toks[first].runeStart+snippetRunes {
			// past any snippet around the first match: what follows
			// only tells that the text goes on (a word stands here).
			toks = append(toks, t)
			break
		}
		w := text[t.start:t.end]
		var match bool
		if isASCII(w) {
			if !o.startsLikeMatch(w) {
				toks = append(toks, t)
				continue
			}
			match = o.matchesASCII(w)
		} else {
			folded := fold(w)
			if folded == "" {
				continue // not a word (tokenize leaves it out)
			}
			match = o.matches(folded)
		}
		toks = append(toks, t)
		if match {
			if first < 0 {
				first = len(toks) - 1
			}
			found = append(found, t)
		}
	}
	o.toks, o.found = toks, found
	if first < 0 {
		return Highlight{}, false
	}
	startByte, startRune, endByte, endRune := 0, 0, len(text), len(text)
	if !isASCII(text) {
		endRune = utf8.RuneCountInString(text)
	}
	prefix, suffix := "", ""
	if endRune > snippetRunes {
		si := first
		for si > 0 && toks[si-1].runeStart >= toks[first].runeStart-contextRunes {
			si--
		}
		if si > 0 {
			startByte, startRune, prefix = toks[si].start, toks[si].runeStart, "…"
		}
		ei := first
		for ei+1 < len(toks) && toks[ei+1].runeEnd-startRune <= snippetRunes {
			ei++
		}
		if toks[ei].end < len(text) {
			endByte, endRune, suffix = toks[ei].end, toks[ei].runeEnd, "…"
		}
	}
	shift := utf8.RuneCountInString(prefix) - startRune
	n := 0
	for _, t := range found {
		if t.runeStart >= startRune && t.runeEnd <= endRune {
			n++
		}
	}
	hl := Highlight{Field: field, Text: prefix + flatten(text[startByte:endByte]) + suffix, Matches: o.takeRanges(n)}
	for _, t := range found {
		if t.runeStart >= startRune && t.runeEnd <= endRune {
			hl.Matches = append(hl.Matches, Range{Start: t.runeStart + shift, End: t.runeEnd + shift})
		}
	}
	return hl, true
}

// takeRanges is an empty slice with room for n ranges, from a block the
// outcome's highlights share (one allocation for a page's matches, not
// one a highlight).
func (o *Outcome) takeRanges(n int) []Range {
	if cap(o.ranges)-len(o.ranges) < n {
		o.ranges = make([]Range, 0, max(n, 128))
	}
	at := len(o.ranges)
	o.ranges = o.ranges[:at+n]
	return o.ranges[at : at : at+n]
}

// matchesASCII is matches for a plain-ASCII word, folded (lower-cased)
// without allocating when it has been judged before.
func (o *Outcome) matchesASCII(w string) bool {
	var buf [64]byte
	if len(w) > len(buf) {
		return o.matches(strings.ToLower(w))
	}
	b := buf[:len(w)]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	if m, ok := o.seen[string(b)]; ok {
		return m
	}
	return o.matches(string(b))
}

// flatten writes line breaks and tabs as spaces (one character for one, so
// offsets hold).
func flatten(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\t', '\v', '\f':
			return ' '
		}
		return r
	}, s)
}
