package search

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/spanish"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/route"
)

// Type is a kind of record search finds.
type Type uint8

// The types, in the order results of equal rank are listed.
const (
	TypeService Type = iota
	TypeProgram
	TypeOrganization
	TypeResource
	typeCount
)

var typeNames = [typeCount]string{"SERVICE", "PROGRAM", "ORGANIZATION", "RESOURCE"}

// String is the type's name in the GraphQL SearchType enum.
func (t Type) String() string {
	if t < typeCount {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", t)
}

// ParseType reads a SearchType name.
func ParseType(s string) (Type, bool) {
	for i, n := range typeNames {
		if n == s {
			return Type(i), true
		}
	}
	return 0, false
}

// class is where in a record a word stands; a record's posting holds the
// classes of every place the word stands in it, as bits.
type class uint8

const (
	classText   class = 1 << iota // description, summary
	classParent                   // the organization's or program's name on a service, a resource's publisher
	classNeed                     // the names of the needs and taxonomy terms it carries
	className                     // its own name or alternate name, a resource's title
)

// bestOf is, for each set of classes, what a word counts for in the best
// class it stands in (weight), and that class's place in the order (tier:
// names above descriptions), looked up rather than branched on in the
// ranking's inner loop.
var bestOf = func() (out [16]struct {
	weight float64
	tier   int32
}) {
	for c := range out {
		switch {
		case class(c)&className != 0:
			out[c].weight, out[c].tier = 8, 4
		case class(c)&classNeed != 0:
			out[c].weight, out[c].tier = 4, 3
		case class(c)&classParent != 0:
			out[c].weight, out[c].tier = 3, 2
		default:
			out[c].weight, out[c].tier = 1, 1
		}
	}
	return out
}()

// posting is one record a term stands in: the record's number, shifted
// left by four, and the classes the term stands in there. A term's
// postings are sorted (by record number): four bytes a (term, record).
type posting uint32

func (p posting) doc() int32              { return int32(p >> 4) }
func (p posting) classes() class          { return class(p & 15) }
func newPosting(d int32, c class) posting { return posting(uint32(d)<<4 | uint32(c)) }

// located is a place a record is delivered at, and whose it is (the
// organization whose editors may see it when it is confidential), and the
// rows it comes from (so refresh finds the records a change to either
// moves).
type located struct {
	v              [3]float64 // unit vector: a distance is one dot product and one acos
	owner          int
	location, link int // the Location and, for a service, its ServiceAtLocation
	confidential   bool
}

// doc is one searchable record.
type doc struct {
	id   int // ent's IDs are global (a range per type): 64 bits
	typ  Type
	lang lang // its own text's reading, which its services read its name in
	live bool // a service neither INACTIVE nor DEFUNCT; every other record
	// restricted: a resource that is not PUBLISHED, which only its
	// reviewers may find (auth.Visible decides per viewer).
	restricted bool
	dead       bool            // deleted since the last whole build (see refresh)
	status     resource.Status // a resource's, for auth.Visible
	name       string          // shown in highlights of records naming it (a service's organization, program)
	parent     [2]int32        // docs whose names count for this one (organization, program), -1 none
	terms      []int           // taxonomy term IDs it carries (needs, topics); a program's and organization's: their services'
	locs       []located
	// words are the readings (surface number << 2 | lang) of its words
	// long enough for typos, which the typo vocabulary counts (see
	// surface): removing the record takes them back.
	words []uint32
}

// surface is a word as it stands in the records, for typo look-ups: the
// term numbers of its English and Spanish stems, and how many records
// read it in each language (a taxonomy term's words count once for each,
// whatever carries them). A query word one edit away finds the stems of
// the languages it is read in now: a word leads to each stem it was read
// as, and no longer once no record reads it so.
type surface struct {
	word     string
	en, es   int32 // -1 until read in that language
	nEn, nEs int32
}

// bucket keys the typo vocabulary: a word's length in runes, and one of
// its first two letters.
type bucket struct {
	n int32
	r rune
}

// index is the searchable copy of the directory at one feed position. An
// index is never changed once current: refresh copies what it changes.
type index struct {
	position int
	// incremental: brought up to position from an older index by reading
	// only the records the writes since touched (see refresh).
	incremental bool
	reread      int // records the refresh read again

	docs   []doc
	byKey  map[docKey]int32
	public int // unrestricted live records
	dead   int // dead docs (left in place until the next whole build)

	terms  map[string]int32 // stem → term number
	stemOf []string         // by term number
	posts  [][]posting      // by term number
	// pinned terms are a taxonomy term's words: they are terms whatever
	// carries them. Any other term is one while a record holds it.
	pinned []bool
	df     []int32 // unrestricted records holding each term
	// idf weighs each term, by term number, by the unrestricted records
	// holding it: a restricted record changes no one's ranking.
	idf []float64

	surfaces  []surface
	surfaceOf map[string]int32
	// byFirst and bySecond hold the surfaces of four runes or more by
	// length and first, and by length and second, rune: a word one edit
	// from a query word keeps its first letter, or has the query's second
	// letter first, or its first letter second.
	byFirst, bySecond map[bucket][]int32

	needs     map[string]needTerms
	termName  map[int]string
	termWords map[int][]int32 // taxonomy term ID → the term numbers of the words a record carrying it is found by

	// meta is, by record number, what ranking filters a record on (its
	// type, whether live or restricted), one byte each so that the filter
	// does not read the record itself.
	meta []docMeta
	// ids are the records' IDs by record number, for the rank key's last
	// tie-break, read without the record.
	ids []int
	// points are the unit vectors of the records' places, record by
	// record (those of record d from pointsAt[d] to pointsAt[d+1]), laid
	// out in a row so that measuring thousands of results reads memory in
	// order; a record with a confidential place (metaConfidential) is
	// measured from its own locs instead, per viewer.
	points   [][3]float64
	pointsAt []uint32

	// lookups memoizes lookup (the index never changes, so neither does
	// what a word finds in it): folded word → word, at most maxLookups.
	lookups     sync.Map
	lookupCount atomic.Int32
	// stemmed memoizes wordStems for highlighting (the words of the
	// texts cut, judged against each query's terms): folded word → its
	// stems' term numbers, at most maxStemmed.
	stemmed      sync.Map
	stemmedCount atomic.Int32
}

// maxStemmed bounds the words of highlighted texts an index memoizes the
// stems of (about a hundred bytes each).
const maxStemmed = 8192

// wordStems is the term numbers of a folded word's English and Spanish
// stems (-1 where the index has no such term; none for a stop word),
// memoized: highlighting asks it of the same words request after request.
func (ix *index) wordStems(folded string) [2]int32 {
	if v, ok := ix.stemmed.Load(folded); ok {
		return v.([2]int32)
	}
	out := [2]int32{-1, -1}
	if !stopWord(folded) {
		en, es := stems(folded, langBoth)
		for i, s := range [2]string{en, es} {
			if n, ok := ix.terms[s]; ok && s != "" {
				out[i] = n
			}
		}
	}
	if ix.stemmedCount.Add(1) <= maxStemmed {
		ix.stemmed.Store(folded, out)
	}
	return out
}

// maxLookups bounds the words an index memoizes look-ups of (a few
// hundred bytes each): the words workers type again and again.
const maxLookups = 2048

// docMeta is a record's type (low two bits) and flags.
type docMeta uint8

const (
	metaLive docMeta = 1 << (iota + 2)
	metaRestricted
	metaConfidential
)

func (m docMeta) typ() Type { return Type(m & 3) }

// alive reports whether term n is a term of the directory now.
func (ix *index) alive(n int32) bool { return ix.pinned[n] || len(ix.posts[n]) > 0 }

type docKey struct {
	typ Type
	id  int
}

// needTerms are the taxonomy terms meeting a need of the needs vocabulary:
// its own, its narrower terms, and the terms of other vocabularies mapped
// to either (match.ExpandNeeds, as match reads them).
type needTerms map[int]bool

// Engine searches one ent client's directory.
type Engine struct {
	client *ent.Client
	mu     sync.Mutex
	ix     *index
	stats  atomic.Pointer[IndexStats]
	// maxRefreshEvents: past it a refresh builds everything (0: the
	// constant; tests set fewer).
	maxRefreshEvents int
}

// IndexStats describe the index in memory.
type IndexStats struct {
	Records, Terms, Postings int
	// Bytes estimates the memory the index holds of its own (its arrays,
	// maps and strings; not the allocator's overhead).
	Bytes       int64
	BuiltAt     time.Time
	Build       time.Duration
	Incremental bool // the last update read only what changed
}

// New returns an engine over client. Nothing is read until the first
// search.
func New(client *ent.Client) *Engine { return &Engine{client: client} }

// Warm builds the index now (village serve does, before it answers
// ready), so that no worker's first search waits for it.
func (e *Engine) Warm(ctx context.Context) error {
	_, err := e.current(ctx)
	return err
}

// IndexStats returns the current index's figures (nil before the first
// search).
func (e *Engine) IndexStats() *IndexStats { return e.stats.Load() }

// current returns an index no older than the feed: it reads the feed
// position (one statement, or none when the request read it already) and,
// when writes came after, brings the index up to it: by reading only the
// records they touched (refresh), else by building it whole.
//
// With read replicas, both the check and the update read the primary
// (route.Primary), as the match index does: the index is shared by every
// request, whichever replica serves it, and must never go back to an older
// state.
func (e *Engine) current(ctx context.Context) (*index, error) {
	position, err := feed.Position(route.Primary(ctx), e.client)
	if err != nil {
		return nil, err
	}
	return e.at(position)
}

// at is the index brought up to the feed position given, read before.
func (e *Engine) at(position int) (*index, error) {
	var err error
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ix != nil && e.ix.position >= position { // as new, or newer: another request brought it up
		return e.ix, nil
	}
	// Shared by every viewer: read as trusted code (no viewer, nothing
	// redacted) on a context of its own, so one request's cancellation
	// cannot abort an update others wait for. Only fields the public may
	// read are indexed; restricted records are marked and filtered per
	// viewer (see doc.go).
	loadCtx, cancel := context.WithTimeout(route.Primary(context.Background()), 5*time.Minute)
	defer cancel()
	started := time.Now()
	var ix *index
	if e.ix != nil {
		ix, err = refresh(loadCtx, e.client, e.ix, position, cmp.Or(e.maxRefreshEvents, maxRefreshEvents))
	}
	if ix == nil && err == nil {
		ix, err = build(loadCtx, e.client, position)
	}
	if err != nil {
		return nil, fmt.Errorf("load the search index: %w", err)
	}
	e.ix = ix
	n := 0
	for _, p := range ix.posts {
		n += len(p)
	}
	e.stats.Store(&IndexStats{Records: len(ix.docs) - ix.dead, Terms: len(ix.posts), Postings: n, Bytes: ix.bytes(),
		BuiltAt: time.Now(), Build: time.Since(started), Incremental: ix.incremental})
	return ix, nil
}

// Indexed names, by type, the ent fields whose words are indexed: only
// fields every viewer may read of a record every viewer may read (a test
// walks the schema to hold this to auth.Visible). Taxonomy terms (their
// name and code) and the names of a service's organization and program are
// indexed with the records carrying them.
var Indexed = map[string][]string{
	"Service":      {service.FieldName, service.FieldAlternateName, service.FieldDescription},
	"Program":      {program.FieldName, program.FieldAlternateName, program.FieldDescription},
	"Organization": {organization.FieldName, organization.FieldAlternateName, organization.FieldDescription},
	"Resource":     {resource.FieldTitle, resource.FieldSummary},
	"TaxonomyTerm": {taxonomyterm.FieldName, taxonomyterm.FieldCode},
}

// rows are the records an index is built from (all of them), or brought
// up to date with (the ones writes touched).
type rows struct {
	services  []*ent.Service
	programs  []*ent.Program
	orgs      []*ent.Organization
	resources []*ent.Resource
}

var locFields = []string{location.FieldLatitude, location.FieldLongitude, location.FieldConfidential,
	location.FieldOrganizationID, location.FieldLocationType, location.FieldPostalCode, location.FieldCountry}

// read reads the records of each type whose IDs are listed (all of them
// when all): one statement per type asked for, and one per edge.
func read(ctx context.Context, client *ent.Client, all bool, ids [typeCount][]int) (rows, error) {
	var out rows
	var err error
	if all || len(ids[TypeService]) > 0 {
		q := client.Service.Query().
			Select(service.FieldName, service.FieldAlternateName, service.FieldDescription, service.FieldStatus,
				service.FieldOrganizationID, service.FieldProgramID, service.FieldLanguages).
			WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) }).
			WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) {
				q.Select(serviceatlocation.FieldServiceID, serviceatlocation.FieldLocationID).
					WithLocation(func(q *ent.LocationQuery) { q.Select(locFields...) })
			})
		if !all {
			q.Where(service.IDIn(ids[TypeService]...))
		}
		if out.services, err = q.Order(ent.Asc(service.FieldID)).All(ctx); err != nil {
			return out, err
		}
	}
	if all || len(ids[TypeProgram]) > 0 {
		q := client.Program.Query().
			Select(program.FieldName, program.FieldAlternateName, program.FieldDescription, program.FieldOrganizationID)
		if !all {
			q.Where(program.IDIn(ids[TypeProgram]...))
		}
		if out.programs, err = q.Order(ent.Asc(program.FieldID)).All(ctx); err != nil {
			return out, err
		}
	}
	if all || len(ids[TypeOrganization]) > 0 {
		q := client.Organization.Query().
			Select(organization.FieldName, organization.FieldAlternateName, organization.FieldDescription).
			WithLocations(func(q *ent.LocationQuery) { q.Select(locFields...) })
		if !all {
			q.Where(organization.IDIn(ids[TypeOrganization]...))
		}
		if out.orgs, err = q.Order(ent.Asc(organization.FieldID)).All(ctx); err != nil {
			return out, err
		}
	}
	if all || len(ids[TypeResource]) > 0 {
		q := client.Resource.Query().
			Select(resource.FieldTitle, resource.FieldSummary, resource.FieldStatus, resource.FieldLanguage, resource.FieldPublisherID).
			WithTopics(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) })
		if !all {
			q.Where(resource.IDIn(ids[TypeResource]...))
		}
		if out.resources, err = q.Order(ent.Asc(resource.FieldID)).All(ctx); err != nil {
			return out, err
		}
	}
	return out, nil
}

// build reads the directory in a fixed number of statements and indexes it.
func build(ctx context.Context, client *ent.Client, position int) (*index, error) {
	r, err := read(ctx, client, true, [typeCount][]int{})
	if err != nil {
		return nil, err
	}
	terms, err := client.TaxonomyTerm.Query().
		Select(taxonomyterm.FieldCode, taxonomyterm.FieldName, taxonomyterm.FieldParentID, taxonomyterm.FieldVocabulary, taxonomyterm.FieldNeedID).
		Order(ent.Asc(taxonomyterm.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	n := len(r.services) + len(r.programs) + len(r.orgs) + len(r.resources)
	ix := &index{position: position, terms: map[string]int32{}, termName: map[int]string{},
		byKey: make(map[docKey]int32, n), docs: make([]doc, 0, n), surfaceOf: map[string]int32{},
		byFirst: map[bucket][]int32{}, bySecond: map[bucket][]int32{}}
	b := newBuilder(ix, true)
	ix.needs = map[string]needTerms{}
	for code, met := range match.ExpandNeeds(terms) {
		ix.needs[code] = met
	}
	ix.termWords = b.termWords(terms)
	for _, t := range terms {
		ix.termName[t.ID] = t.Name
	}
	b.apply(r, nil)
	b.finish(true)
	return ix, nil
}

// builder indexes records into ix: every record of a whole build, or the
// records a refresh reads again (into a copy of the index before).
type builder struct {
	ix    *index
	whole bool
	stems map[stemKey][2]int32 // memo: stemming is the build's main cost
	// The current record's words: classes by term number, in the order
	// first met, and its readings (see doc.words).
	current  map[int32]class
	order    []int32
	readings []uint32
	// adds are the postings of the records indexed, by term number;
	// removed the records whose old postings go (refresh).
	adds    [][]posting
	removed []bool
	// parentsBefore are the organizations and programs of the services
	// removed (refresh): their terms are set again.
	parentsBefore []int32
	// owned: the maps refresh shares with the index before have been
	// copied, and may be written.
	ownTerms, ownSurfaces, ownByKey bool
	ownBuckets                      map[*map[bucket][]int32]bool
}

func newBuilder(ix *index, whole bool) *builder {
	return &builder{ix: ix, whole: whole, stems: map[stemKey][2]int32{}, current: map[int32]class{},
		ownTerms: whole, ownSurfaces: whole, ownByKey: whole, ownBuckets: map[*map[bucket][]int32]bool{}}
}

// minTypoLength is the shortest query word a typo is forgiven in.
const minTypoLength = 5

// readAs is the language a record's own text is stemmed in: the one its
// words show (textLanguage), else the one it states (statedLanguage), else
// both. The text decides first because a service offered in Spanish may
// well be described in English: stemming English words as Spanish makes
// "come" and "comida" (and ".com") one word, and a search for "comida"
// finds "Kids Come First" (seen on Open211 Miami's export).
func readAs(stated []string, texts ...string) lang {
	if l := textLanguage(texts...); l != langBoth {
		return l
	}
	return statedLanguage(stated)
}

// textLanguage is English or Spanish when the texts' stop words are
// clearly of one language (at least two, and three times as many as of the
// other), else langBoth: a name alone seldom tells.
func textLanguage(texts ...string) lang {
	en, es := 0, 0
	for _, text := range texts {
		for _, tok := range tokenize(text) {
			isEn, isEs := english.IsStopWord(tok.folded), spanish.IsStopWord(tok.folded)
			switch {
			case isEn && !isEs:
				en++
			case isEs && !isEn:
				es++
			}
		}
	}
	switch {
	case en >= 2 && en >= 3*es:
		return langEnglish
	case es >= 2 && es >= 3*en:
		return langSpanish
	}
	return langBoth
}

// statedLanguage reads the languages a record states: one of English or
// Spanish alone stems as that language; anything else, both.
func statedLanguage(codes []string) lang {
	if len(codes) == 1 {
		switch strings.ToLower(codes[0]) {
		case "en", "eng":
			return langEnglish
		case "es", "spa":
			return langSpanish
		}
	}
	return langBoth
}

// termWords are, by taxonomy term ID, the term numbers of the words a
// record carrying the term is found by: the term's name and code, its
// broader terms' names, and the names of the need it is mapped to and of
// the terms mapped to it (the crosswalk's synonyms). Their terms are
// pinned, and their words read in both languages for good.
func (b *builder) termWords(terms []*ent.TaxonomyTerm) map[int][]int32 {
	byID := make(map[int]*ent.TaxonomyTerm, len(terms))
	mapped := map[int][]string{}
	for _, t := range terms {
		byID[t.ID] = t
		if t.NeedID != nil {
			mapped[*t.NeedID] = append(mapped[*t.NeedID], t.Name)
		}
	}
	read := map[string]bool{}
	out := make(map[int][]int32, len(terms))
	for _, t := range terms {
		var texts []string
		seen := map[int]bool{}
		for u := t; u != nil && !seen[u.ID]; {
			seen[u.ID] = true
			texts = append(texts, u.Name, u.Code)
			texts = append(texts, mapped[u.ID]...)
			if u.NeedID != nil && byID[*u.NeedID] != nil {
				n := byID[*u.NeedID]
				texts = append(texts, n.Name, n.Code)
			}
			if u.ParentID == nil {
				break
			}
			u = byID[*u.ParentID]
		}
		var nums []int32
		for _, text := range texts {
			for _, tok := range tokenize(text) {
				if stopWord(tok.folded) {
					continue
				}
				for _, n := range b.wordTerms(tok.folded, langBoth) {
					if n >= 0 {
						nums = append(nums, n)
						b.ix.pinned[n] = true
					}
				}
				if !read[tok.folded] {
					read[tok.folded] = true
					if s, ok := b.surface(tok.folded); ok {
						b.count(s, langBoth, 1)
					}
				}
			}
		}
		out[t.ID] = uniqueSorted32(nums)
	}
	return out
}

type stemKey struct {
	word string
	lang lang
}

// wordTerms returns the term numbers of a word's stems as read in l.
func (b *builder) wordTerms(w string, l lang) [2]int32 {
	if nums, ok := b.stems[stemKey{w, l}]; ok {
		return nums
	}
	en, es := stems(w, l)
	nums := [2]int32{b.term(en), b.term(es)}
	b.stems[stemKey{w, l}] = nums
	return nums
}

func (b *builder) term(stem string) int32 {
	if stem == "" {
		return -1
	}
	ix := b.ix
	if n, ok := ix.terms[stem]; ok {
		return n
	}
	if !b.ownTerms {
		ix.terms = maps.Clone(ix.terms)
		b.ownTerms = true
	}
	n := int32(len(ix.posts))
	ix.terms[stem] = n
	ix.posts = append(ix.posts, nil)
	ix.stemOf = append(ix.stemOf, stem)
	ix.pinned = append(ix.pinned, false)
	return n
}

// surface returns the number of word's surface (adding it), for a word
// long enough for typos; false for a shorter one.
func (b *builder) surface(word string) (int32, bool) {
	ix := b.ix
	if s, ok := ix.surfaceOf[word]; ok {
		return s, true
	}
	if utf8.RuneCountInString(word) < minTypoLength-1 {
		return 0, false
	}
	if !b.ownSurfaces {
		ix.surfaceOf = maps.Clone(ix.surfaceOf)
		b.ownSurfaces = true
	}
	s := int32(len(ix.surfaces))
	ix.surfaces = append(ix.surfaces, surface{word: word, en: -1, es: -1})
	ix.surfaceOf[word] = s
	r := []rune(word)
	b.bucketAdd(&ix.byFirst, bucket{int32(len(r)), r[0]}, s)
	b.bucketAdd(&ix.bySecond, bucket{int32(len(r)), r[1]}, s)
	return s, true
}

func (b *builder) bucketAdd(m *map[bucket][]int32, k bucket, s int32) {
	if !b.ownBuckets[m] {
		if !b.whole {
			*m = maps.Clone(*m)
		}
		b.ownBuckets[m] = true
	}
	list := (*m)[k]
	if !b.whole {
		list = slices.Clip(list) // shared with the index before: append to a copy
	}
	(*m)[k] = append(list, s)
}

// count adds delta readings of surface s in language l, and gives it the
// stems of l the first time.
func (b *builder) count(s int32, l lang, delta int32) {
	sf := &b.ix.surfaces[s]
	if l&langEnglish != 0 {
		sf.nEn += delta
		if sf.en < 0 && delta > 0 {
			sf.en = b.wordTerms(sf.word, langEnglish)[0]
		}
	}
	if l&langSpanish != 0 {
		sf.nEs += delta
		if sf.es < 0 && delta > 0 {
			if st := spanish.Stem(sf.word, true); st != "" {
				sf.es = b.term(spanishKey + st)
			}
		}
	}
}

// add indexes text as words of the current record, in class c, read in l.
func (b *builder) add(text string, c class, l lang) {
	for _, tok := range tokenize(text) {
		if stopWord(tok.folded) {
			continue
		}
		for _, n := range b.wordTerms(tok.folded, l) {
			if n >= 0 {
				b.mark(n, c)
			}
		}
		if s, ok := b.surface(tok.folded); ok {
			r := uint32(s)<<2 | uint32(l)
			if !slices.Contains(b.readings, r) {
				b.readings = append(b.readings, r)
			}
		}
	}
}

func (b *builder) addTerms(nums []int32, c class) {
	for _, n := range nums {
		b.mark(n, c)
	}
}

func (b *builder) mark(n int32, c class) {
	prev, ok := b.current[n]
	if !ok {
		b.order = append(b.order, n)
	}
	b.current[n] = prev | c
}

// put makes d the record at number pos (a new one past the end), with the
// words gathered since the last call.
func (b *builder) put(d *doc, pos int32) {
	for _, n := range b.order {
		for int(n) >= len(b.adds) {
			b.adds = append(b.adds, nil)
		}
		b.adds[n] = append(b.adds[n], newPosting(pos, b.current[n]))
	}
	clear(b.current)
	b.order = b.order[:0]
	slices.Sort(b.readings)
	d.words = slices.Clone(b.readings)
	for _, r := range d.words {
		b.count(int32(r>>2), lang(r&3), 1)
	}
	b.readings = b.readings[:0]
	ix := b.ix
	if int(pos) == len(ix.docs) {
		ix.docs = append(ix.docs, *d)
		b.ownKeys()
		ix.byKey[docKey{d.typ, d.id}] = pos
	} else {
		ix.docs[pos] = *d
	}
}

// remove takes record pos's postings and readings out (refresh), to put
// it again or leave it dead.
func (b *builder) remove(pos int32) {
	d := &b.ix.docs[pos]
	if d.typ == TypeService {
		b.parentsBefore = append(b.parentsBefore, d.parent[0], d.parent[1])
	}
	for _, r := range d.words {
		b.count(int32(r>>2), lang(r&3), -1)
	}
	d.words = nil
	for int(pos) >= len(b.removed) {
		b.removed = append(b.removed, false)
	}
	b.removed[pos] = true
}

// ownKeys makes ix.byKey the builder's own to write (a copy of the index
// before's, when refreshing).
func (b *builder) ownKeys() {
	if !b.ownByKey {
		b.ix.byKey = maps.Clone(b.ix.byKey)
		b.ownByKey = true
	}
}

// slot is the number a record of type t and ID id is put at: its own when
// indexed already (its old postings taken out), else a new one.
func (b *builder) slot(t Type, id int) int32 {
	if pos, ok := b.ix.byKey[docKey{t, id}]; ok {
		if !b.whole {
			b.remove(pos)
		}
		return pos
	}
	return int32(len(b.ix.docs))
}

// ref is the number of the record of type t and ID id; -1 none.
func (b *builder) ref(t Type, id *int) int32 {
	if id == nil {
		return -1
	}
	if i, ok := b.ix.byKey[docKey{t, *id}]; ok {
		return i
	}
	return -1
}

// parentName reads the name of record p (organization or program) as a
// parent's words of the current record.
func (b *builder) parentName(p int32) {
	if p >= 0 {
		b.add(b.ix.docs[p].name, classParent, b.ix.docs[p].lang)
	}
}

// apply indexes r's records (organizations and programs first: their
// services and resources read their names) and leaves the records of gone
// dead. It then sets each organization's and program's terms from its
// services'.
func (b *builder) apply(r rows, gone []docKey) {
	ix := b.ix
	for _, k := range gone {
		pos, ok := ix.byKey[k]
		if !ok {
			continue
		}
		b.remove(pos)
		b.ownKeys()
		delete(ix.byKey, k)
		ix.docs[pos] = doc{typ: k.typ, id: k.id, dead: true, parent: [2]int32{-1, -1}}
		ix.dead++
	}
	for _, o := range r.orgs {
		pos := b.slot(TypeOrganization, o.ID)
		d := doc{typ: TypeOrganization, id: o.ID, name: o.Name, live: true, parent: [2]int32{-1, -1},
			lang: readAs(nil, o.Name, o.AlternateName, o.Description)}
		b.add(o.Name, className, d.lang)
		b.add(o.AlternateName, className, d.lang)
		b.add(o.Description, classText, d.lang)
		for _, loc := range o.Edges.Locations {
			if p, ok := placeOf(loc, 0); ok {
				d.locs = append(d.locs, p)
			}
		}
		b.put(&d, pos)
	}
	for _, p := range r.programs {
		pos := b.slot(TypeProgram, p.ID)
		d := doc{typ: TypeProgram, id: p.ID, name: p.Name, live: true, parent: [2]int32{b.ref(TypeOrganization, p.OrganizationID), -1},
			lang: readAs(nil, p.Name, p.AlternateName, p.Description)}
		b.add(p.Name, className, d.lang)
		b.add(p.AlternateName, className, d.lang)
		b.add(p.Description, classText, d.lang)
		b.parentName(d.parent[0])
		b.put(&d, pos)
	}
	for _, s := range r.services {
		pos := b.slot(TypeService, s.ID)
		d := doc{typ: TypeService, id: s.ID, name: s.Name, live: s.Status != service.StatusINACTIVE && s.Status != service.StatusDEFUNCT,
			parent: [2]int32{b.ref(TypeOrganization, &s.OrganizationID), b.ref(TypeProgram, s.ProgramID)},
			lang:   readAs(s.Languages, s.Name, s.AlternateName, s.Description)}
		b.add(s.Name, className, d.lang)
		b.add(s.AlternateName, className, d.lang)
		b.add(s.Description, classText, d.lang)
		// Its organization's and program's names count for it.
		b.parentName(d.parent[0])
		b.parentName(d.parent[1])
		for _, t := range s.Edges.Needs {
			d.terms = append(d.terms, t.ID)
			b.addTerms(ix.termWords[t.ID], classNeed)
		}
		for _, sal := range s.Edges.ServiceAtLocations {
			if loc := sal.Edges.Location; loc != nil {
				if p, ok := placeOf(loc, sal.ID); ok {
					d.locs = append(d.locs, p)
				}
			}
		}
		b.put(&d, pos)
	}
	for _, r := range r.resources {
		pos := b.slot(TypeResource, r.ID)
		d := doc{typ: TypeResource, id: r.ID, name: r.Title, live: true, status: r.Status,
			restricted: r.Status != resource.StatusPUBLISHED, parent: [2]int32{b.ref(TypeOrganization, r.PublisherID), -1},
			lang: readAs([]string{r.Language}, r.Title, r.Summary)}
		b.add(r.Title, className, d.lang)
		b.add(r.Summary, classText, d.lang)
		b.parentName(d.parent[0])
		for _, t := range r.Edges.Topics {
			d.terms = append(d.terms, t.ID)
			b.addTerms(ix.termWords[t.ID], classNeed)
		}
		b.put(&d, pos)
	}
	// A program's and an organization's terms are its services': set
	// again for every one when building whole; when refreshing, for those
	// a service read again or gone belonged to (before or now), and those
	// read again.
	affected := map[int32]bool{}
	for _, k := range b.parentsBefore {
		affected[k] = true
	}
	for _, s := range r.services {
		if pos, ok := ix.byKey[docKey{TypeService, s.ID}]; ok {
			for _, p := range ix.docs[pos].parent {
				affected[p] = true
			}
		}
	}
	for _, t := range []Type{TypeOrganization, TypeProgram} {
		for _, id := range r.ids(t) {
			if pos, ok := ix.byKey[docKey{t, id}]; ok {
				affected[pos] = true
			}
		}
	}
	if b.whole || len(affected) > 0 {
		of := map[int32][]int{}
		for i := range ix.docs {
			d := &ix.docs[i]
			if d.typ != TypeService || d.dead {
				continue
			}
			for _, p := range d.parent {
				if p >= 0 && (b.whole || affected[p]) {
					of[p] = append(of[p], d.terms...)
				}
			}
		}
		for i := range ix.docs {
			d := &ix.docs[i]
			if (d.typ == TypeOrganization || d.typ == TypeProgram) && !d.dead && (b.whole || affected[int32(i)]) {
				if terms := uniqueSorted(of[int32(i)]); !slices.Equal(terms, d.terms) {
					d.terms = terms
				}
			}
		}
	}
}

// ids are the IDs of r's records of type t.
func (r rows) ids(t Type) []int {
	var out []int
	switch t {
	case TypeOrganization:
		for _, o := range r.orgs {
			out = append(out, o.ID)
		}
	case TypeProgram:
		for _, p := range r.programs {
			out = append(out, p.ID)
		}
	}
	return out
}

// finish lays out the postings gathered (merged with the index before's,
// less the records removed, when refreshing) and weighs the terms.
func (b *builder) finish(whole bool) {
	ix := b.ix
	for len(b.adds) < len(ix.posts) {
		b.adds = append(b.adds, nil)
	}
	public := 0
	for i := range ix.docs {
		if d := &ix.docs[i]; !d.dead && !d.restricted {
			public++
		}
	}
	changed := make([]int32, 0, 64)
	for t := range ix.posts {
		add := b.adds[t]
		if whole {
			ix.posts[t] = slices.Clip(add)
			changed = append(changed, int32(t))
			continue
		}
		old := ix.posts[t]
		hit := false
		if len(b.removed) > 0 {
			for _, p := range old {
				if d := p.doc(); int(d) < len(b.removed) && b.removed[d] {
					hit = true
					break
				}
			}
		}
		if !hit && len(add) == 0 {
			continue
		}
		slices.Sort(add)
		merged := make([]posting, 0, len(old)+len(add))
		i, j := 0, 0
		for i < len(old) || j < len(add) {
			if j == len(add) || (i < len(old) && old[i] < add[j]) {
				if d := old[i].doc(); int(d) >= len(b.removed) || !b.removed[d] {
					merged = append(merged, old[i])
				}
				i++
				continue
			}
			merged = append(merged, add[j])
			j++
		}
		ix.posts[t] = merged
		changed = append(changed, int32(t))
	}
	// Each term's weight (BM25's idf) over the records everyone may read,
	// once here rather than in every query.
	// df and idf may be the index before's: written to copies.
	df := make([]int32, len(ix.posts))
	copy(df, ix.df)
	ix.df = df
	for _, t := range changed {
		df := int32(0)
		for _, p := range ix.posts[t] {
			if !ix.docs[p.doc()].restricted {
				df++
			}
		}
		ix.df[t] = df
	}
	if whole || public != ix.public || len(ix.idf) != len(ix.posts) {
		ix.idf = make([]float64, len(ix.posts))
		for t := range ix.posts {
			ix.idf[t] = idf(public, ix.df[t])
		}
	} else {
		ix.idf = slices.Clone(ix.idf)
		for _, t := range changed {
			ix.idf[t] = idf(public, ix.df[t])
		}
	}
	ix.public = public
	// New arrays: the index before's may be read still.
	ix.meta = make([]docMeta, len(ix.docs))
	ix.ids = make([]int, len(ix.docs))
	ix.pointsAt = make([]uint32, len(ix.docs)+1)
	n := 0
	for i := range ix.docs {
		n += len(ix.docs[i].locs)
	}
	ix.points = make([][3]float64, 0, n)
	for i := range ix.docs {
		d := &ix.docs[i]
		m := docMeta(d.typ)
		if d.live {
			m |= metaLive
		}
		if d.restricted {
			m |= metaRestricted
		}
		ix.pointsAt[i] = uint32(len(ix.points))
		for _, l := range d.locs {
			if l.confidential {
				m |= metaConfidential
			}
		}
		if m&metaConfidential == 0 {
			for _, l := range d.locs {
				ix.points = append(ix.points, l.v)
			}
		}
		ix.meta[i] = m
		ix.ids[i] = d.id
	}
	ix.pointsAt[len(ix.docs)] = uint32(len(ix.points))
	ix.points = slices.Clip(ix.points)
}

func idf(public int, df int32) float64 {
	return math.Log(1 + (float64(public)-float64(df)+0.5)/(float64(df)+0.5))
}

// placeOf is a location's point (match.PlaceOf: its coordinates, else its
// ZIP's centre), and who may see it.
func placeOf(loc *ent.Location, link int) (located, bool) {
	v, _, ok := match.PlaceOf(loc)
	if !ok {
		return located{}, false
	}
	l := located{v: v, confidential: loc.Confidential, location: loc.ID, link: link}
	if loc.OrganizationID != nil {
		l.owner = *loc.OrganizationID
	}
	return l, true
}

func uniqueSorted(list []int) []int {
	if len(list) == 0 {
		return nil
	}
	slices.Sort(list)
	return slices.Clip(slices.Compact(list))
}

func uniqueSorted32(list []int32) []int32 {
	if len(list) == 0 {
		return nil
	}
	slices.Sort(list)
	return slices.Clip(slices.Compact(list))
}

// distanceKm is from pt (a unit vector) to the nearest of the record's
// places the viewer may see (reveal decides for a confidential one); false
// when none. The great-circle distance on geo.EarthRadiusKm, as
// geo.DistanceKm measures it.
func (d *doc) distanceKm(pt [3]float64, reveal func(owner int) bool) (float64, bool) {
	return arcKm(d.closest(pt, reveal))
}

// closest is the largest dot product of pt with d's places the viewer
// may see (the nearest), if any.
func (d *doc) closest(pt [3]float64, reveal func(owner int) bool) (float64, bool) {
	best, found := -2.0, false
	for i := range d.locs {
		l := &d.locs[i]
		if l.confidential && (reveal == nil || !reveal(l.owner)) {
			continue
		}
		if dot := l.v[0]*pt[0] + l.v[1]*pt[1] + l.v[2]*pt[2]; dot > best {
			best, found = dot, true
		}
	}
	return best, found
}

// distanceKm is ix.docs[d].distanceKm, read from the points laid out in
// a row when the record has no confidential place.
func (ix *index) distanceKm(d int32, pt [3]float64, reveal func(owner int) bool) (float64, bool) {
	return arcKm(ix.closest(d, pt, reveal))
}

// closest is ix.docs[d].closest, likewise.
func (ix *index) closest(d int32, pt [3]float64, reveal func(owner int) bool) (float64, bool) {
	if ix.meta[d]&metaConfidential != 0 {
		return ix.docs[d].closest(pt, reveal)
	}
	best, found := -2.0, false
	for _, v := range ix.points[ix.pointsAt[d]:ix.pointsAt[d+1]] {
		if dot := v[0]*pt[0] + v[1]*pt[1] + v[2]*pt[2]; dot > best {
			best, found = dot, true
		}
	}
	return best, found
}

// arcKm is the great-circle distance of the largest dot product found.
func arcKm(best float64, found bool) (float64, bool) {
	if !found {
		return 0, false
	}
	return math.Acos(max(-1, min(1, best))) * geo.EarthRadiusKm, true
}

// bytes estimates the memory the index holds of its own: its arrays and
// the strings and map entries it keeps (a map entry counted at its key and
// value plus 16 bytes).
func (ix *index) bytes() int64 {
	const header, str, mapEntry = 24, 16, 16
	n := int64(len(ix.docs)) * int64(sizeofDoc)
	for i := range ix.docs {
		d := &ix.docs[i]
		n += int64(len(d.name)) + 8*int64(cap(d.terms)) + int64(cap(d.locs))*int64(sizeofLocated) + 4*int64(cap(d.words))
	}
	n += int64(len(ix.byKey)) * (16 + 4 + mapEntry)
	n += int64(len(ix.meta)) + 8*int64(len(ix.ids)) + 4*int64(len(ix.pointsAt)) + 24*int64(cap(ix.points))
	n += int64(len(ix.posts)) * (header + str + 1 + 4 + 8) // posts, stemOf, pinned, df, idf
	for t, p := range ix.posts {
		n += 4*int64(cap(p)) + int64(len(ix.stemOf[t]))
	}
	n += int64(len(ix.terms)) * (str + 4 + mapEntry) // keys share stemOf's bytes
	n += int64(len(ix.surfaces)) * int64(sizeofSurface)
	for _, s := range ix.surfaces {
		n += int64(len(s.word))
	}
	n += int64(len(ix.surfaceOf)) * (str + 4 + mapEntry)
	for _, m := range []map[bucket][]int32{ix.byFirst, ix.bySecond} {
		for _, list := range m {
			n += 8 + header + mapEntry + 4*int64(cap(list))
		}
	}
	for _, met := range ix.needs {
		n += str + 8 + mapEntry + int64(len(met))*(8+1+mapEntry)
	}
	for _, nums := range ix.termWords {
		n += 8 + header + mapEntry + 4*int64(cap(nums))
	}
	for _, name := range ix.termName {
		n += 8 + str + mapEntry + int64(len(name))
	}
	return n
}

var (
	sizeofDoc     = int(unsafe.Sizeof(doc{}))
	sizeofLocated = int(unsafe.Sizeof(located{}))
	sizeofSurface = int(unsafe.Sizeof(surface{}))
)
