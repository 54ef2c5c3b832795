package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/route"
)

// Limits on a query.
const (
	MaxTextLength = 10000 // characters: a backstop; both APIs bound text before (1000 by default)
	MaxWords      = 20
	MaxNeeds      = 50
)

// Point is where distances are measured from.
type Point struct{ Lat, Lon float64 }

// Query is one search.
type Query struct {
	// Text is what the person typed: words, in any order.
	Text string
	// Types keeps results to these types; none: every type.
	Types []Type
	// Needs keeps results to records meeting at least one of these needs
	// (codes of the needs vocabulary): services by their needs, resources
	// by their topics, programs and organizations by their services'.
	Needs []string
	// Near orders results of equal relevance nearer first; nil: none.
	Near *Point
	// Field prefixes the names of the fields an error names ("" for the
	// GraphQL argument names; "search" for the HSDS parameter).
	Field string
	// LeaveOut, when set, is asked once with the ids of every service
	// found, and the services whose ids it returns are left out before
	// ordering and counting: search's openAt leaves out the services known
	// to be closed then.
	LeaveOut func(serviceIDs []int) (map[int]bool, error)
}

// Hit is one result.
type Hit struct {
	Type Type
	ID   int
	// DistanceKm is from Query.Near to the record's nearest place the
	// viewer may see; nil when either has none.
	DistanceKm *float64
	// Score is the result's relative rank in (0, 1]: higher ranks first,
	// monotone with the order.
	Score float64
	key   rankKey
}

// Cursor is the position just after h.
func (h *Hit) Cursor() string { return h.key.cursor() }

// Outcome is a whole answer; pages are cut from it in rank order. It is
// not ordered as a whole unless asked (All): a page selects its results
// from the candidates, so a search costs the same whatever the page.
type Outcome struct {
	cands []cand
	ix    *index
	words int32 // query words found in every result
	// near is where distances are measured from (nil: not measured);
	// reveal says whether the viewer may see a confidential location of
	// an organization's. A result's distance is measured only when its
	// place in the order depends on it (see Page).
	near   *[3]float64
	reveal func(owner int) bool
	all    []*Hit
	// matched are the term numbers the query's words found (for
	// highlights).
	matched map[int32]bool
	seen    map[string]bool // words highlighting has judged (matches)
	// prefixes are the first three letters of the matched stems: a word
	// starting with none of them cannot stem to one (stemmers cut endings).
	prefixes []string
	// Highlighting's own: the highlights of related names (the same need
	// or organization name recurs on a page), the words of the text being
	// cut, and the block its matches' ranges are taken from.
	related     map[relatedText]relatedHighlight
	toks, found []span
	ranges      []Range
}

// rankKey orders results: more of the query's words first (every result
// holds them all today: the count stays in the key and its cursors so a
// looser match can rank after without changing them), then live
// records, then where the words stand (names above needs above parents
// above descriptions, exact above forgiven typos), then nearer, then the
// words' rarity, then type and ID.
type rankKey struct {
	words   int
	live    bool
	tier    int
	located bool
	dist    float64
	score   float64
	typ     Type
	id      int
}

func (a rankKey) compare(b rankKey) int {
	if c := cmp.Compare(b.words, a.words); c != 0 {
		return c
	}
	if a.live != b.live {
		if a.live {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.tier, a.tier); c != 0 {
		return c
	}
	if a.located != b.located {
		if a.located {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.dist, b.dist); c != 0 {
		return c
	}
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.id, b.id))
}

// head is the part of the key a cand's head is (see cand.head).
func (a rankKey) head() int32 {
	if a.live {
		return int32(a.tier) + liveHead
	}
	return int32(a.tier)
}

func (a rankKey) cursor() string {
	dist := "-"
	if a.located {
		dist = strconv.FormatFloat(a.dist, 'g', -1, 64)
	}
	live := 0
	if a.live {
		live = 1
	}
	return fmt.Sprintf("s1|%d|%d|%d|%s|%s|%d|%d", a.words, live, a.tier, dist, strconv.FormatFloat(a.score, 'g', -1, 64), a.typ, a.id)
}

func parseCursor(s string) (rankKey, bool) {
	parts := strings.Split(s, "|")
	if len(parts) != 8 || parts[0] != "s1" {
		return rankKey{}, false
	}
	var k rankKey
	var err error
	ints := make([]int, 8)
	for _, i := range []int{1, 2, 3, 6, 7} {
		if ints[i], err = strconv.Atoi(parts[i]); err != nil {
			return rankKey{}, false
		}
	}
	k.words, k.live, k.tier, k.typ, k.id = ints[1], ints[2] == 1, ints[3], Type(ints[6]), ints[7]
	if parts[4] != "-" {
		if k.dist, err = strconv.ParseFloat(parts[4], 64); err != nil {
			return rankKey{}, false
		}
		k.located = true
	}
	if k.score, err = strconv.ParseFloat(parts[5], 64); err != nil || math.IsNaN(k.score) {
		return rankKey{}, false
	}
	return k, true
}

func inputError(field, format string, args ...any) error {
	return &directory.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// word is one query word and the terms it finds.
type word struct {
	alts []alt
}

type alt struct {
	term  int32
	exact bool // its own stem, not a forgiven typo
}

// Search ranks every record the viewer in ctx may read that the query
// finds. It reads the feed position (one statement, none when ctx carries
// it) and, when writes came since, rebuilds the index first.
func (e *Engine) Search(ctx context.Context, q Query) (*Outcome, error) {
	field := func(name string) string {
		if q.Field == "" {
			return name
		}
		return q.Field
	}
	text := strings.TrimSpace(q.Text)
	switch {
	case text == "":
		return nil, inputError(field("text"), "give words to search for")
	case utf8.RuneCountInString(text) > MaxTextLength:
		return nil, inputError(field("text"), "search text is at most %d characters", MaxTextLength)
	}
	if len(q.Needs) > MaxNeeds {
		return nil, inputError("needs", "at most %d needs (got %d)", MaxNeeds, len(q.Needs))
	}
	if p := q.Near; p != nil && (math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || math.Abs(p.Lat) > 90 || math.Abs(p.Lon) > 180) {
		return nil, inputError("near", "not a point on Earth")
	}
	var folded []string
	for _, tok := range tokenize(text) {
		if !stopWord(tok.folded) && !slices.Contains(folded, tok.folded) {
			folded = append(folded, tok.folded)
		}
	}
	if len(folded) > MaxWords {
		return nil, inputError(field("text"), "at most %d words (got %d)", MaxWords, len(folded))
	}
	out, err := e.rankFresh(ctx, q, folded)
	if err != nil {
		return nil, err
	}
	ix := out.ix
	if q.LeaveOut != nil {
		var ids []int
		for _, c := range out.cands {
			if d := &ix.docs[c.doc]; d.typ == TypeService {
				ids = append(ids, d.id)
			}
		}
		drop, err := q.LeaveOut(ids)
		if err != nil {
			return nil, err
		}
		out.cands = slices.DeleteFunc(out.cands, func(c cand) bool {
			d := &ix.docs[c.doc]
			return d.typ == TypeService && drop[d.id]
		})
	}
	return out, nil
}

// rankFresh ranks the query on an index up to date with the feed. The
// index in memory is usually current, so the query is ranked on it while
// the feed position is read (a statement, the one wait of most searches);
// should writes have come since, the index is brought up to date and the
// query ranked again.
func (e *Engine) rankFresh(ctx context.Context, q Query, folded []string) (*Outcome, error) {
	e.mu.Lock()
	ix := e.ix
	e.mu.Unlock()
	if ix == nil {
		ix, err := e.current(ctx)
		if err != nil {
			return nil, err
		}
		return ix.ranked(ctx, q, folded)
	}
	type read struct {
		position int
		err      error
	}
	reads := make(chan read, 1)
	go func() {
		position, err := feed.Position(route.Primary(ctx), e.client)
		reads <- read{position, err}
	}()
	out, err := ix.ranked(ctx, q, folded)
	r := <-reads
	if r.err == nil && r.position == ix.position {
		return out, err
	}
	if out != nil {
		out.Release()
	}
	if r.err != nil {
		return nil, r.err
	}
	if ix, err = e.at(r.position); err != nil {
		return nil, err
	}
	return ix.ranked(ctx, q, folded)
}

// ranked is the query's outcome on ix, but for what LeaveOut leaves out.
func (ix *index) ranked(ctx context.Context, q Query, folded []string) (*Outcome, error) {
	var needs []needTerms
	for i, code := range q.Needs {
		n, ok := ix.needs[code]
		if !ok {
			return nil, inputError(fmt.Sprintf("needs[%d]", i), "%q is not a need in the %s vocabulary", code, schema.NeedsVocabulary)
		}
		needs = append(needs, n)
	}
	out := &Outcome{ix: ix, matched: map[int32]bool{}}
	words := make([]word, len(folded))
	for i, w := range folded {
		words[i] = ix.lookupOnce(w)
		for _, a := range words[i].alts {
			if !out.matched[a.term] {
				out.matched[a.term] = true
				st := stemText(ix.stem(a.term))
				out.prefixes = append(out.prefixes, st[:min(len(st), 3)])
			}
		}
	}
	out.cands = ix.rank(ctx, words, q, needs)
	out.words = int32(len(words))
	if q.Near != nil {
		v := geo.UnitVector(q.Near.Lat, q.Near.Lon)
		out.near = &v
		revealed := map[int]bool{}
		out.reveal = func(owner int) bool {
			r, ok := revealed[owner]
			if !ok {
				o := owner
				r = auth.Visible(ctx, &ent.Location{Confidential: true, OrganizationID: &o}, location.FieldLatitude)
				revealed[owner] = r
			}
			return r
		}
	}
	return out, nil
}

// lookupOnce is lookup, memoized.
func (ix *index) lookupOnce(w string) word {
	if v, ok := ix.lookups.Load(w); ok {
		return v.(word)
	}
	out := ix.lookup(w)
	if ix.lookupCount.Add(1) <= maxLookups {
		ix.lookups.Store(w, out)
	}
	return out
}

// lookup finds the terms a query word stands for: its English and Spanish
// stems, and for a word of five letters or more, the stems of the words
// one edit away from it in the records.
func (ix *index) lookup(w string) word {
	var out word
	add := func(n int32, exact bool) {
		if n < 0 {
			return
		}
		for i := range out.alts {
			if out.alts[i].term == n {
				out.alts[i].exact = out.alts[i].exact || exact
				return
			}
		}
		out.alts = append(out.alts, alt{term: n, exact: exact})
	}
	en, es := stems(w, langBoth)
	for _, s := range []string{en, es} {
		if n, ok := ix.termOf(s); ok && s != "" && ix.alive(n) {
			add(n, true)
		}
	}
	r := []rune(w)
	if len(r) < minTypoLength {
		return out
	}
	// One edit leaves the first letter, or moves the second to the
	// front, or the first to second place: only the words of the three
	// reachable lengths starting with the query's first or second letter,
	// or having its first letter second, are compared.
	found := func(list []bucketed, skip func(first rune) bool) {
		for _, b := range list {
			s := &ix.surfaces[b.s]
			if s.nEn <= 0 && s.nEs <= 0 {
				continue // no record reads it any more
			}
			w := ix.word(b.s)
			if skip != nil {
				first, _ := utf8.DecodeRuneInString(w)
				if skip(first) {
					continue // compared from another list
				}
			}
			if withinOneEditOf(r, w) {
				if s.nEn > 0 {
					add(s.en, false)
				}
				if s.nEs > 0 {
					add(s.es, false)
				}
			}
		}
	}
	for l := len(r) - 1; l <= len(r)+1; l++ {
		found(bucketOf(ix.byFirst, bucketKey(l, r[0])), nil)
		if r[1] != r[0] {
			found(bucketOf(ix.byFirst, bucketKey(l, r[1])), nil)
		}
		found(bucketOf(ix.bySecond, bucketKey(l, r[0])), func(first rune) bool { return first == r[0] || first == r[1] })
	}
	return out
}

// rank scores every record holding every word (each as any of its
// alternatives), keeps those the viewer may read and the query's types and
// needs admit, and orders them.
//
// It works on lists in record order (a term's postings are), never on an
// array over every record: the words are taken rarest first (fewest
// postings), the first word's alternatives merged into the list of the
// records still in the running, and each record in it then looked up in
// each later word's postings: walking both lists in step when they are
// about as many, else galloping from where the last look-up stopped
// (gallop), which costs far less when the records are few, so "Chicago
// parenting" reads the 202 postings of chicago and finds those records
// among parenting's 15,000 in a few thousand steps. A record's score is the sum of its words' scores, each rounded
// to a multiple of 2^-32 (wordScoreUnit), so that the sum is exact and the
// same whichever order the words are taken in (an index changed by a
// write may take them in another, and a cursor holds the score).
func (ix *index) rank(ctx context.Context, words []word, q Query, needs []needTerms) []cand {
	order := make([]int, len(words))
	sizes := make([]int, len(words))
	for i, w := range words {
		order[i] = i
		for _, a := range w.alts {
			sizes[i] += int(ix.posts[a.term].n)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sizes[a], sizes[b]) })
	lists := listsPool.Get().(*rankLists)
	defer listsPool.Put(lists)
	var running []scored
	for n, wi := range order {
		w := words[wi]
		if n == 0 {
			running = append(lists.running[:0], ix.merged(w, lists)...)
			continue
		}
		running = ix.lookUp(running, w, lists)
	}
	lists.running = running[:0]
	var types [typeCount]bool
	for _, t := range q.Types {
		if t < typeCount {
			types[t] = true
		}
	}
	kept := takeCands(len(running))
	for _, r := range running {
		d := r.doc
		m := ix.meta[d]
		if len(q.Types) > 0 && !types[m.typ()] {
			continue
		}
		if m&metaRestricted != 0 && !auth.Visible(ctx, &ent.Resource{Status: ix.status(d)}, "") {
			continue
		}
		if len(needs) > 0 && !meets(ix.termsOf(d), needs) {
			continue
		}
		kept = append(kept, cand{doc: d, tier: r.tier, score: r.score, live: m&metaLive != 0, measured: q.Near == nil})
	}
	return kept
}

// scored is a record while a query is ranked: its tier and score so far,
// or for one word.
type scored struct {
	doc   int32
	tier  int32
	score float64
}

// counts is, by the classes a term stands in, what a posting of
// alternative a counts for: the best of those classes, halved for a
// forgiven typo, its score rounded (roundWordScore).
func (a alt) counts(idf float64) (out [16]scored) {
	for c := range out {
		b := &bestOf[c]
		s, tier := b.weight*idf, 2*b.tier
		if a.exact {
			tier++
		} else {
			s /= 2
		}
		out[c] = scored{tier: tier, score: roundWordScore(s)}
	}
	return out
}

// at is what posting p counts for, by counts.
func at(counts *[16]scored, p posting) scored {
	c := counts[p.classes()]
	c.doc = p.doc()
	return c
}

// better is the best of a record's two findings of one word: each of
// tier and score at its highest.
func better(a, b scored) scored {
	return scored{doc: a.doc, tier: max(a.tier, b.tier), score: max(a.score, b.score)}
}

// merged is, in record order, every record holding word w as any of its
// alternatives, with what the best of them counts for. It is one of
// lists' buffers, valid until the next call.
func (ix *index) merged(w word, lists *rankLists) []scored {
	out := lists.word[:0]
	for n, a := range w.alts {
		counts := a.counts(ix.idf[a.term])
		posts := ix.postings(a.term)
		if n == 0 {
			for _, p := range posts {
				out = append(out, at(&counts, p))
			}
			continue
		}
		next := lists.spare[:0]
		i, j := 0, 0
		for i < len(out) && j < len(posts) {
			switch d := posts[j].doc(); {
			case out[i].doc < d:
				next = append(next, out[i])
				i++
			case out[i].doc > d:
				next = append(next, at(&counts, posts[j]))
				j++
			default:
				next = append(next, better(out[i], at(&counts, posts[j])))
				i++
				j++
			}
		}
		next = append(next, out[i:]...)
		for ; j < len(posts); j++ {
			next = append(next, at(&counts, posts[j]))
		}
		out, lists.spare = next, out
	}
	lists.word = out
	return out
}

// lookUp keeps of running the records holding word w, each looked up in
// the postings of w's alternatives, and adds what w counts for.
func (ix *index) lookUp(running []scored, w word, lists *rankLists) []scored {
	found := slices.Grow(lists.word[:0], len(running))[:len(running)]
	clear(found)
	for _, a := range w.alts {
		counts := a.counts(ix.idf[a.term])
		posts := ix.postings(a.term)
		if len(posts) < 8*len(running) {
			// about as many: one walk of both lists in step
			for i, j := 0, 0; i < len(running) && j < len(posts); {
				switch d := posts[j].doc(); {
				case d < running[i].doc:
					j++
				case d > running[i].doc:
					i++
				default:
					found[i] = foundAgain(found[i], at(&counts, posts[j]))
					i++
					j++
				}
			}
			continue
		}
		from := 0
		for i, r := range running {
			from = gallop(posts, from, newPosting(r.doc, 0))
			if from == len(posts) {
				break
			}
			if p := posts[from]; p.doc() == r.doc {
				found[i] = foundAgain(found[i], at(&counts, p))
			}
		}
	}
	k := 0
	for i, r := range running {
		if found[i].doc != -1 {
			continue
		}
		r.tier += found[i].tier
		r.score += found[i].score
		running[k] = r
		k++
	}
	lists.word = found[:0]
	return running[:k]
}

// foundAgain is what a record's finding c of a word makes of what it had
// found of it before (prev: none unless its doc is -1), marked found.
func foundAgain(prev, c scored) scored {
	if prev.doc == -1 {
		c = better(prev, c)
	}
	c.doc = -1 // found (a record number is never negative)
	return c
}

// gallop is the first place at or after from where posts holds t or
// more: steps doubling from from, then a binary search in the last step.
// It costs the log of how far it goes, so a walk of records through
// postings costs the postings when they are as many, and far less when
// the records are few.
func gallop(posts []posting, from int, t posting) int {
	if from >= len(posts) || posts[from] >= t {
		return from
	}
	lo, step := from, 1 // posts[lo] < t
	for lo+step < len(posts) && posts[lo+step] < t {
		lo += step
		step *= 2
	}
	hi := min(lo+step, len(posts)) // posts[hi] >= t, or the end
	at, _ := slices.BinarySearch(posts[lo+1:hi], t)
	return lo + 1 + at
}

// wordScoreUnit is the inverse of what a word's score is rounded to: sums
// of such multiples below 2^21 are exact in a float64.
const wordScoreUnit = 1 << 32

func roundWordScore(s float64) float64 { return math.Round(s*wordScoreUnit) / wordScoreUnit }

// rankLists are the lists rank works in, reused across queries.
type rankLists struct {
	running, word, spare []scored
}

var listsPool = sync.Pool{New: func() any { return new(rankLists) }}

// candsPool holds the candidate lists of outcomes released (see
// Outcome.Release), reused across queries.
var candsPool sync.Pool // of *[]cand

// takeCands is an empty candidate list with room for n, reused when one
// released is large enough.
func takeCands(n int) []cand {
	if p, ok := candsPool.Get().(*[]cand); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]cand, 0, n)
}

// Release hands the outcome's candidate list back for later searches to
// reuse; after it only the pages and highlights already cut may be used.
// A caller done with an outcome may call it (GraphQL's search does, once
// its page is written out); one that does not leaves the list to the
// garbage collector.
func (o *Outcome) Release() {
	if o.cands != nil {
		c := o.cands[:0]
		candsPool.Put(&c)
		o.cands = nil
	}
}

// cand is a result before it is ordered: what its rank key needs beyond
// its record (see key). Its distance is measured only when its place
// depends on it (measured: done, or no place to measure from), and first
// as the dot product of the two unit vectors (dist until exact), which
// orders places as their distance does without the arc cosine.
type cand struct {
	doc                      int32
	tier                     int32
	live                     bool
	measured, located, exact bool
	dist, score              float64
}

// head is the part of c's rank key known before its distance is
// measured, as a number: higher ranks first (every result holds the same
// number of words).
func (c *cand) head() int32 {
	if c.live {
		return c.tier + liveHead
	}
	return c.tier
}

// liveHead is above any tier (at most 9 a word: 2×4+1, bestOf), and as
// low as that allows: Page counts results in an array of 2×liveHead.
const liveHead = 9*MaxWords + 1

// measure sets c's nearness to the query's place (a dot product; see
// cand), once.
func (o *Outcome) measure(c *cand) {
	if c.measured {
		return
	}
	c.measured = true
	if dot, ok := o.ix.closest(c.doc, *o.near, o.reveal); ok {
		c.located, c.dist = true, dot
	}
}

// settle sets c's distance in kilometres, once.
func (o *Outcome) settle(c *cand) {
	o.measure(c)
	if c.located && !c.exact {
		c.dist, _ = arcKm(c.dist, true)
		c.exact = true
	}
}

// farther reports, from their dot products alone, whether c is farther
// from the query's place than the result kept as k: only by a margin above
// any rounding of the arc cosine (whose slope is at least 1), so that a
// distance computed could not tie.
func farther(c *cand, k *keyed) bool {
	const margin = 1e-12
	return c.located && !c.exact && k.dotted && c.dist < k.dot-margin
}

// key is c's whole rank key, its distance settled.
func (o *Outcome) key(c *cand) rankKey {
	o.settle(c)
	return rankKey{words: int(o.words), live: c.live, tier: int(c.tier), located: c.located, dist: c.dist, score: c.score, typ: o.ix.meta[c.doc].typ(), id: o.ix.ids[c.doc]}
}

// before reports whether c comes before the key k, its distance settled.
// Its type and ID are read only when the rest ties.
func (o *Outcome) before(c *cand, k *rankKey) bool {
	o.settle(c)
	part := rankKey{words: int(o.words), live: c.live, tier: int(c.tier), located: c.located, dist: c.dist, score: c.score, typ: k.typ, id: k.id}
	if r := part.compare(*k); r != 0 {
		return r < 0
	}
	return o.key(c).compare(*k) < 0
}

// after reports whether c comes after the cursor key k, measuring c only
// when the head of its key ties with k's.
func (o *Outcome) after(c *cand, k *rankKey) bool {
	if h := cmp.Compare(k.words, int(o.words)); h != 0 {
		return h > 0
	}
	if c.live != k.live {
		return k.live
	}
	if h := cmp.Compare(k.tier, int(c.tier)); h != 0 {
		return h > 0
	}
	o.measure(c)
	return o.key(c).compare(*k) > 0
}

func meets(terms []int, needs []needTerms) bool {
	for _, t := range terms {
		for _, n := range needs {
			if n[t] {
				return true
			}
		}
	}
	return false
}

// Total is how many results the search has.
func (o *Outcome) Total() int { return len(o.cands) }

// hit is candidate c at place i (from 0) in the whole order.
func (o *Outcome) hit(c *cand, i int) *Hit {
	d := &o.ix.docs[c.doc]
	h := &Hit{Type: d.typ, ID: d.id, key: o.key(c), Score: float64(len(o.cands)-i) / float64(len(o.cands))}
	if c.located {
		km := c.dist
		h.DistanceKm = &km
	}
	return h
}

// All returns every result, best first.
func (o *Outcome) All() []*Hit {
	if o.all == nil {
		for i := range o.cands {
			o.settle(&o.cands[i])
		}
		slices.SortFunc(o.cands, func(a, b cand) int { return o.key(&a).compare(o.key(&b)) })
		o.all = make([]*Hit, len(o.cands))
		for i := range o.cands {
			o.all[i] = o.hit(&o.cands[i], i)
		}
	}
	return o.all
}

// Page cuts up to first results after the cursor (from the start when
// after is empty) and says whether more follow. A cursor holds the rank
// key of the result before it, so it stays valid when the directory
// changes between pages: the next page starts after that key.
func (o *Outcome) Page(after string, first int) (page []*Hit, hasNext, hasPrevious bool, err error) {
	var from *rankKey
	if after != "" {
		key, ok := parseCursor(after)
		if !ok {
			return nil, false, false, inputError("after", "not a cursor of this search")
		}
		from = &key
	}
	first = max(first, 0)
	// Which results come after the cursor, and how many of them by the
	// head of their key (liveness and tier: known without a distance).
	// Only the results whose head could place them on the page are
	// measured and compared whole: those of heads above the page's
	// lowest, and those tying with it; a result tying with the cursor's
	// head is measured to place it before or after.
	var counts [2 * liveHead]int32
	before, rest := 0, 0
	for i := range o.cands {
		c := &o.cands[i]
		if from != nil && !o.after(c, from) {
			before++
			continue
		}
		rest++
		counts[c.head()]++
	}
	floor := int32(len(counts)) // no result: first == 0
	if first > 0 {
		floor = 0
		if rest > first {
			n := 0
			for floor = int32(len(counts) - 1); floor > 0; floor-- {
				if n += int(counts[floor]); n >= first {
					break
				}
			}
		}
	}
	// The best first of them, kept in a max-heap (the worst kept on top):
	// one pass, O(n log first).
	top := make([]keyed, 0, first)
	for i := range o.cands {
		c := &o.cands[i]
		if c.head() < floor || (from != nil && !o.after(c, from)) {
			continue
		}
		if len(top) == first && first > 0 && c.head() < top[0].key.head() {
			continue // below the worst kept already, whatever its distance
		}
		o.measure(c)
		if len(top) == first && first > 0 && c.head() == top[0].key.head() && top[0].key.located && (!c.located || farther(c, &top[0])) {
			continue // after the worst kept: unplaced, or farther
		}
		switch {
		case len(top) < first:
			top = append(top, o.keyed(c, i))
			for j := len(top) - 1; j > 0; { // sift up
				parent := (j - 1) / 2
				if top[parent].key.compare(top[j].key) >= 0 {
					break
				}
				top[parent], top[j] = top[j], top[parent]
				j = parent
			}
		default:
			dot, dotted := c.dist, c.located && !c.exact
			if !o.before(c, &top[0].key) {
				continue
			}
			top[0] = keyed{key: o.key(c), at: int32(i), dotted: dotted, dot: dot}
			for j := 0; ; { // sift down
				l, r, big := 2*j+1, 2*j+2, j
				if l < len(top) && top[l].key.compare(top[big].key) > 0 {
					big = l
				}
				if r < len(top) && top[r].key.compare(top[big].key) > 0 {
					big = r
				}
				if big == j {
					break
				}
				top[j], top[big] = top[big], top[j]
				j = big
			}
		}
	}
	slices.SortFunc(top, func(a, b keyed) int { return a.key.compare(b.key) })
	page = make([]*Hit, len(top))
	for j, t := range top {
		page[j] = o.hit(&o.cands[t.at], before+j)
	}
	return page, rest > len(top), before > 0, nil
}

// keyed is a result kept for a page: its key, its place in the
// candidates, and its dot product with the query's place when known
// (dotted; see farther).
type keyed struct {
	key    rankKey
	at     int32
	dotted bool
	dot    float64
}

// keyed is candidate c, at place i, kept.
func (o *Outcome) keyed(c *cand, i int) keyed {
	k := keyed{at: int32(i)}
	if c.located && !c.exact {
		k.dotted, k.dot = true, c.dist
	}
	k.key = o.key(c)
	return k
}
