package search

import (
	"cmp"
	"context"
	"fmt"
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

// located is a place a record is delivered at (its point is the same
// place of index.points), whose it is (the organization whose editors may
// see it when it is confidential), and the rows it comes from (so refresh
// finds the records a change to either moves).
type located struct {
	owner          int
	location, link int // the Location and, for a service, its ServiceAtLocation
	confidential   bool
}

// doc is one searchable record. Its lists are ranges (extent) of the
// index's arrays, so that it holds no pointer; its places' range is
// index.places[its number].
type doc struct {
	id     int      // ent's IDs are global (a range per type): 64 bits
	parent [2]int32 // docs whose names count for this one (organization, program), -1 none
	// name is an organization's or program's name (in index.names),
	// shown in highlights of the records naming it; status a resource's
	// (likewise), for auth.Visible.
	name, status extent
	terms        extent // in index.recTerms: taxonomy term IDs it carries (needs, topics); a program's and organization's: their services'
	// words are (in index.words) the readings (surface number << 2 |
	// lang) of its words long enough for typos, which the typo vocabulary
	// counts (see surface): removing the record takes them back.
	words extent
	typ   Type
	lang  lang // its own text's reading, which its services read its name in
	live  bool // a service neither INACTIVE nor DEFUNCT; every other record
	// restricted: a resource that is not PUBLISHED, which only its
	// reviewers may find (auth.Visible decides per viewer).
	restricted bool
	dead       bool // deleted since the last whole build (see refresh)
}

// surface is a word as it stands in the records, for typo look-ups: the
// word (in index.strs), the term numbers of its English and Spanish
// stems, and how many records read it in each language (a taxonomy term's
// words count once for each, whatever carries them). A query word one
// edit away finds the stems of the languages it is read in now: a word
// leads to each stem it was read as, and no longer once no record reads
// it so.
type surface struct {
	word     extent
	en, es   int32 // -1 until read in that language
	nEn, nEs int32
}

// taxon is a taxonomy term: its ID, its name (in index.strs), and the
// term numbers of the words a record carrying it is found by (in
// index.taxonWords).
type taxon struct {
	id          int
	name, words extent
}

// index is the searchable copy of the directory at one feed position. An
// index is never changed once current: refresh copies what it changes.
type index struct {
	position int
	// incremental: brought up to position from an older index by reading
	// only the records the writes since touched (see refresh).
	incremental bool
	reread      int // records the refresh read again
	contents

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

// contents are what an index holds, laid out in arrays none of which
// holds a pointer (but needs, a few dozen entries), so that the collector
// marks each once and scans none: see doc.go's # Memory. Refresh shares
// them with the index before and copies what it changes; what it adds it
// appends to the tails of the arrays marked "tail" (see tail).
type contents struct {
	docs   []doc
	keys   table // record numbers by type and ID (find), the dead left out
	public int   // unrestricted live records
	dead   int   // dead docs (left in place until the next whole build)

	// The records' lists (see doc), each record's a range; a record read
	// again by a refresh has its lists appended anew (tail), the old ones
	// left unused until they outweigh a quarter of an array (relayout).
	names    []byte       // tail
	recTerms []int        // tail
	locs     []located    // tail
	points   [][3]float64 // tail: unit vectors, a distance is one dot product and one acos
	words    []uint32     // tail
	// places are by record number the ranges of locs and points holding
	// each record's places (in step), apart from the record so that
	// measuring distances reads neither the record nor its locs (but for
	// a confidential place).
	places []extent

	// strs holds the terms' stems, the surfaces' words and the taxonomy
	// terms' names (tail: none is ever dropped before a whole build).
	strs  []byte
	terms table    // term numbers by stem
	stems []extent // by term number, in strs (tail)
	// posts are by term number the ranges of post holding each term's
	// postings, sorted (by record number). A refresh appends the merged
	// lists of the terms it changes (tail), the old ones left unused until
	// they outweigh a quarter of post (then laid out afresh).
	posts []extent
	post  []posting // tail
	// pinned terms are a taxonomy term's words: they are terms whatever
	// carries them. Any other term is one while a record holds it.
	pinned []bool  // tail
	df     []int32 // unrestricted records holding each term
	// idf weighs each term, by term number, by the unrestricted records
	// holding it: a restricted record changes no one's ranking.
	idf []float64

	surfaces  []surface
	surfaceOf table // surface numbers by word
	// byFirst and bySecond hold the surfaces of four runes or more by
	// length and first, and by length and second, rune (bucketKey): a
	// word one edit from a query word keeps its first letter, or has the
	// query's second letter first, or its first letter second.
	byFirst, bySecond []bucketed

	needs      map[string]needTerms
	taxa       []taxon // by ID
	taxonWords []int32

	// meta is, by record number, what ranking filters a record on (its
	// type, whether live or restricted), one byte each so that the filter
	// does not read the record itself.
	meta []docMeta
	// ids are the records' IDs by record number, for the rank key's last
	// tie-break, read without the record.
	ids []int

	// tail is true once a refresh has appended to the tails of these
	// arrays (the capacity past their lengths): a second index made from
	// the same one must copy them rather than append there too. Indexes
	// follow one another under Engine.mu, so this happens only after a
	// refresh that failed.
	tail *atomic.Bool
}

// postings are term n's postings.
func (ix *contents) postings(n int32) []posting { return of(ix.post, ix.posts[n]) }

// stem is term n's stem.
func (ix *contents) stem(n int32) string { return text(ix.strs, ix.stems[n]) }

// word is surface s's word.
func (ix *contents) word(s int32) string { return text(ix.strs, ix.surfaces[s].word) }

// name is record d's name (an organization's or a program's).
func (ix *contents) name(d int32) string { return text(ix.names, ix.docs[d].name) }

// status is record d's status (a resource's).
func (ix *contents) status(d int32) resource.Status {
	return resource.Status(text(ix.names, ix.docs[d].status))
}

// termsOf are the taxonomy term IDs record d carries.
func (ix *contents) termsOf(d int32) []int { return of(ix.recTerms, ix.docs[d].terms) }

// placesOf are record d's places, and their points.
func (ix *contents) placesOf(d int32) ([]located, [][3]float64) {
	e := ix.places[d]
	return of(ix.locs, e), of(ix.points, e)
}

// termOf is the term number of a stem.
func (ix *contents) termOf(stem string) (int32, bool) {
	return ix.terms.find(hashString(stem), func(n int32) bool { return ix.stem(n) == stem })
}

// surfaceNumber is the number of a word's surface.
func (ix *contents) surfaceNumber(w string) (int32, bool) {
	return ix.surfaceOf.find(hashString(w), func(s int32) bool { return ix.word(s) == w })
}

// find is the number of the record of type t and ID id (none when dead).
func (ix *contents) find(k docKey) (int32, bool) {
	return ix.keys.find(hashKey(k), func(pos int32) bool { return ix.docs[pos].id == k.id && ix.docs[pos].typ == k.typ })
}

func (ix *contents) termHash(n int32) uint64    { return hashString(ix.stem(n)) }
func (ix *contents) surfaceHash(s int32) uint64 { return hashString(ix.word(s)) }
func (ix *contents) keyHash(pos int32) uint64 {
	return hashKey(docKey{ix.docs[pos].typ, ix.docs[pos].id})
}

// taxon is the taxonomy term of an ID; nil when none.
func (ix *contents) taxon(id int) *taxon {
	i, ok := slices.BinarySearchFunc(ix.taxa, id, func(t taxon, id int) int { return cmp.Compare(t.id, id) })
	if !ok {
		return nil
	}
	return &ix.taxa[i]
}

// taxonName is the name of the taxonomy term of an ID ("" when none).
func (ix *contents) taxonName(id int) string {
	if t := ix.taxon(id); t != nil {
		return text(ix.strs, t.name)
	}
	return ""
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
			if n, ok := ix.termOf(s); ok && s != "" {
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
func (ix *contents) alive(n int32) bool { return ix.pinned[n] || ix.posts[n].n > 0 }

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
	// Bytes estimates the memory the index holds of its own (its arrays
	// and tables at their capacity, the needs' maps; not the allocator's
	// overhead, nor the look-ups it memoizes).
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
		n += int(p.n)
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
	ix := &index{position: position}
	ix.docs, ix.places = make([]doc, 0, n), make([]extent, 0, n)
	ix.tail = new(atomic.Bool)
	b := newBuilder(ix, true)
	ix.needs = map[string]needTerms{}
	for code, met := range match.ExpandNeeds(terms) {
		ix.needs[code] = met
	}
	b.taxa(terms)
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
	// first met, and its readings (see doc.words); its places and their
	// points.
	current  map[int32]class
	order    []int32
	readings []uint32
	locs     []located
	points   [][3]float64
	// adds are the postings of the records indexed, by term number;
	// removed the records whose old postings go (refresh).
	adds    [][]posting
	removed []bool
	// parentsBefore are the organizations and programs of the services
	// removed (refresh): their terms are set again.
	parentsBefore []int32
	// first and second are the typo vocabulary's entries of the surfaces
	// added (see index.byFirst), merged into the index's by finish.
	first, second []bucketed
	// owned: the tables refresh shares with the index before have been
	// copied, and may be written.
	ownTerms, ownSurfaces, ownKeys bool
}

func newBuilder(ix *index, whole bool) *builder {
	return &builder{ix: ix, whole: whole, stems: map[stemKey][2]int32{}, current: map[int32]class{},
		ownTerms: whole, ownSurfaces: whole, ownKeys: whole}
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

// taxa lays out the taxonomy terms (by ID: terms are read in ID order)
// and, for each, the term numbers of the words a record carrying it is
// found by: the term's name and code, its broader terms' names, and the
// names of the need it is mapped to and of the terms mapped to it (the
// crosswalk's synonyms). Their terms are pinned, and their words read in
// both languages for good.
func (b *builder) taxa(terms []*ent.TaxonomyTerm) {
	ix := b.ix
	byID := make(map[int]*ent.TaxonomyTerm, len(terms))
	mapped := map[int][]string{}
	for _, t := range terms {
		byID[t.ID] = t
		if t.NeedID != nil {
			mapped[*t.NeedID] = append(mapped[*t.NeedID], t.Name)
		}
	}
	read := map[string]bool{}
	ix.taxa = make([]taxon, 0, len(terms))
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
						ix.pinned[n] = true
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
		ix.taxa = append(ix.taxa, taxon{id: t.ID, name: putString(&ix.strs, t.Name), words: put(&ix.taxonWords, uniqueSorted32(nums))})
	}
	slices.SortStableFunc(ix.taxa, func(a, c taxon) int { return cmp.Compare(a.id, c.id) })
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
	if n, ok := ix.termOf(stem); ok {
		return n
	}
	if !b.ownTerms {
		ix.terms = ix.terms.clone()
		b.ownTerms = true
	}
	n := int32(len(ix.stems))
	ix.stems = append(ix.stems, putString(&ix.strs, stem))
	ix.posts = append(ix.posts, extent{})
	ix.pinned = append(ix.pinned, false)
	ix.terms.add(hashString(stem), n, ix.termHash)
	return n
}

// surface returns the number of word's surface (adding it), for a word
// long enough for typos; false for a shorter one.
func (b *builder) surface(word string) (int32, bool) {
	ix := b.ix
	if s, ok := ix.surfaceNumber(word); ok {
		return s, true
	}
	if utf8.RuneCountInString(word) < minTypoLength-1 {
		return 0, false
	}
	if !b.ownSurfaces {
		ix.surfaceOf = ix.surfaceOf.clone()
		b.ownSurfaces = true
	}
	s := int32(len(ix.surfaces))
	ix.surfaces = append(ix.surfaces, surface{word: putString(&ix.strs, word), en: -1, es: -1})
	ix.surfaceOf.add(hashString(word), s, ix.surfaceHash)
	n, r0, r1 := firstRunes(word)
	b.first = append(b.first, bucketed{bucketKey(n, r0), s})
	b.second = append(b.second, bucketed{bucketKey(n, r1), s})
	return s, true
}

// count adds delta readings of surface s in language l, and gives it the
// stems of l the first time.
func (b *builder) count(s int32, l lang, delta int32) {
	sf := &b.ix.surfaces[s]
	if l&langEnglish != 0 {
		sf.nEn += delta
		if sf.en < 0 && delta > 0 {
			sf.en = b.wordTerms(b.ix.word(s), langEnglish)[0]
		}
	}
	if l&langSpanish != 0 {
		sf.nEs += delta
		if sf.es < 0 && delta > 0 {
			if st := spanish.Stem(b.ix.word(s), true); st != "" {
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

// place adds a location as a place of the current record (when it has a
// point: match.PlaceOf, its coordinates, else its ZIP's centre).
func (b *builder) place(loc *ent.Location, link int) {
	v, _, ok := match.PlaceOf(loc)
	if !ok {
		return
	}
	l := located{confidential: loc.Confidential, location: loc.ID, link: link}
	if loc.OrganizationID != nil {
		l.owner = *loc.OrganizationID
	}
	b.locs = append(b.locs, l)
	b.points = append(b.points, v)
}

// put makes d the record at number pos (a new one past the end), with the
// words and places gathered since the last call.
func (b *builder) put(d *doc, pos int32) {
	ix := b.ix
	for _, n := range b.order {
		for int(n) >= len(b.adds) {
			b.adds = append(b.adds, nil)
		}
		b.adds[n] = append(b.adds[n], newPosting(pos, b.current[n]))
	}
	clear(b.current)
	b.order = b.order[:0]
	slices.Sort(b.readings)
	d.words = put(&ix.words, b.readings)
	for _, r := range b.readings {
		b.count(int32(r>>2), lang(r&3), 1)
	}
	b.readings = b.readings[:0]
	// locs and points are appended in step: one extent for both.
	places := put(&ix.locs, b.locs)
	put(&ix.points, b.points)
	b.locs, b.points = b.locs[:0], b.points[:0]
	if int(pos) == len(ix.docs) {
		ix.docs = append(ix.docs, *d)
		ix.places = append(ix.places, places)
		b.ownKeyTable()
		ix.keys.add(hashKey(docKey{d.typ, d.id}), pos, ix.keyHash)
	} else {
		ix.docs[pos] = *d
		ix.places[pos] = places
	}
}

// remove takes record pos's postings and readings out (refresh), to put
// it again or leave it dead.
func (b *builder) remove(pos int32) {
	ix := b.ix
	d := &ix.docs[pos]
	if d.typ == TypeService {
		b.parentsBefore = append(b.parentsBefore, d.parent[0], d.parent[1])
	}
	for _, r := range of(ix.words, d.words) {
		b.count(int32(r>>2), lang(r&3), -1)
	}
	d.words = extent{}
	for int(pos) >= len(b.removed) {
		b.removed = append(b.removed, false)
	}
	b.removed[pos] = true
}

// ownKeyTable makes ix.keys the builder's own to write (a copy of the
// index before's, when refreshing).
func (b *builder) ownKeyTable() {
	if !b.ownKeys {
		b.ix.keys = b.ix.keys.clone()
		b.ownKeys = true
	}
}

// slot is the number a record of type t and ID id is put at: its own when
// indexed already (its old postings taken out), else a new one.
func (b *builder) slot(t Type, id int) int32 {
	if pos, ok := b.ix.find(docKey{t, id}); ok {
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
	if i, ok := b.ix.find(docKey{t, *id}); ok {
		return i
	}
	return -1
}

// parentName reads the name of record p (organization or program) as a
// parent's words of the current record.
func (b *builder) parentName(p int32) {
	if p >= 0 {
		b.add(b.ix.name(p), classParent, b.ix.docs[p].lang)
	}
}

// needWords reads the words of taxonomy terms carried, in class need, and
// returns their IDs (a record's list).
func (b *builder) needWords(terms []*ent.TaxonomyTerm) []int {
	var ids []int
	for _, t := range terms {
		ids = append(ids, t.ID)
		if x := b.ix.taxon(t.ID); x != nil {
			b.addTerms(of(b.ix.taxonWords, x.words), classNeed)
		}
	}
	return ids
}

// apply indexes r's records (organizations and programs first: their
// services and resources read their names) and leaves the records of gone
// dead. It then sets each organization's and program's terms from its
// services'. Only organizations and programs keep their name (what
// others read of them), and resources their status.
func (b *builder) apply(r rows, gone []docKey) {
	ix := b.ix
	for _, k := range gone {
		pos, ok := ix.find(k)
		if !ok {
			continue
		}
		b.remove(pos)
		b.ownKeyTable()
		ix.keys.remove(hashKey(k), pos, ix.keyHash)
		ix.docs[pos] = doc{typ: k.typ, id: k.id, dead: true, parent: [2]int32{-1, -1}}
		ix.places[pos] = extent{}
		ix.dead++
	}
	for _, o := range r.orgs {
		pos := b.slot(TypeOrganization, o.ID)
		d := doc{typ: TypeOrganization, id: o.ID, name: putString(&ix.names, o.Name), live: true, parent: [2]int32{-1, -1},
			lang: readAs(nil, o.Name, o.AlternateName, o.Description)}
		b.add(o.Name, className, d.lang)
		b.add(o.AlternateName, className, d.lang)
		b.add(o.Description, classText, d.lang)
		for _, loc := range o.Edges.Locations {
			b.place(loc, 0)
		}
		b.put(&d, pos)
	}
	for _, p := range r.programs {
		pos := b.slot(TypeProgram, p.ID)
		d := doc{typ: TypeProgram, id: p.ID, name: putString(&ix.names, p.Name), live: true, parent: [2]int32{b.ref(TypeOrganization, p.OrganizationID), -1},
			lang: readAs(nil, p.Name, p.AlternateName, p.Description)}
		b.add(p.Name, className, d.lang)
		b.add(p.AlternateName, className, d.lang)
		b.add(p.Description, classText, d.lang)
		b.parentName(d.parent[0])
		b.put(&d, pos)
	}
	for _, s := range r.services {
		pos := b.slot(TypeService, s.ID)
		d := doc{typ: TypeService, id: s.ID, live: s.Status != service.StatusINACTIVE && s.Status != service.StatusDEFUNCT,
			parent: [2]int32{b.ref(TypeOrganization, &s.OrganizationID), b.ref(TypeProgram, s.ProgramID)},
			lang:   readAs(s.Languages, s.Name, s.AlternateName, s.Description)}
		b.add(s.Name, className, d.lang)
		b.add(s.AlternateName, className, d.lang)
		b.add(s.Description, classText, d.lang)
		// Its organization's and program's names count for it.
		b.parentName(d.parent[0])
		b.parentName(d.parent[1])
		d.terms = put(&ix.recTerms, b.needWords(s.Edges.Needs))
		for _, sal := range s.Edges.ServiceAtLocations {
			if loc := sal.Edges.Location; loc != nil {
				b.place(loc, sal.ID)
			}
		}
		b.put(&d, pos)
	}
	for _, r := range r.resources {
		pos := b.slot(TypeResource, r.ID)
		d := doc{typ: TypeResource, id: r.ID, live: true, status: putString(&ix.names, string(r.Status)),
			restricted: r.Status != resource.StatusPUBLISHED, parent: [2]int32{b.ref(TypeOrganization, r.PublisherID), -1},
			lang: readAs([]string{r.Language}, r.Title, r.Summary)}
		b.add(r.Title, className, d.lang)
		b.add(r.Summary, classText, d.lang)
		b.parentName(d.parent[0])
		d.terms = put(&ix.recTerms, b.needWords(r.Edges.Topics))
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
		if pos, ok := ix.find(docKey{TypeService, s.ID}); ok {
			for _, p := range ix.docs[pos].parent {
				affected[p] = true
			}
		}
	}
	for _, t := range []Type{TypeOrganization, TypeProgram} {
		for _, id := range r.ids(t) {
			if pos, ok := ix.find(docKey{t, id}); ok {
				affected[pos] = true
			}
		}
	}
	if b.whole || len(affected) > 0 {
		carried := map[int32][]int{}
		for i := range ix.docs {
			d := &ix.docs[i]
			if d.typ != TypeService || d.dead {
				continue
			}
			for _, p := range d.parent {
				if p >= 0 && (b.whole || affected[p]) {
					carried[p] = append(carried[p], ix.termsOf(int32(i))...)
				}
			}
		}
		for i := range ix.docs {
			d := &ix.docs[i]
			if (d.typ == TypeOrganization || d.typ == TypeProgram) && !d.dead && (b.whole || affected[int32(i)]) {
				if terms := uniqueSorted(carried[int32(i)]); !slices.Equal(terms, ix.termsOf(int32(i))) {
					d.terms = put(&ix.recTerms, terms)
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
// less the records removed, when refreshing), weighs the terms, and lays
// out what ranking reads by record number.
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
	if whole {
		n := 0
		for _, add := range b.adds {
			n += len(add)
		}
		ix.post = make([]posting, 0, n)
		for t, add := range b.adds {
			ix.posts[t] = put(&ix.post, add) // in record order already
			changed = append(changed, int32(t))
		}
	} else {
		for t := range ix.posts {
			add := b.adds[t]
			old := ix.postings(int32(t))
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
			// The merged list goes to post's tail (old, read from its own
			// range, is never written).
			slices.Sort(add)
			at := len(ix.post)
			i, j := 0, 0
			for i < len(old) || j < len(add) {
				if j == len(add) || (i < len(old) && old[i] < add[j]) {
					if d := old[i].doc(); int(d) >= len(b.removed) || !b.removed[d] {
						ix.post = append(ix.post, old[i])
					}
					i++
					continue
				}
				ix.post = append(ix.post, add[j])
				j++
			}
			ix.posts[t] = extent{}
			if n := len(ix.post) - at; n > 0 {
				ix.posts[t] = extent{uint32(at), uint32(n)}
			}
			changed = append(changed, int32(t))
		}
		live := 0
		for _, e := range ix.posts {
			live += int(e.n)
		}
		if wasteful(len(ix.post), live) {
			ix.relayPostings(live)
		}
	}
	// Each term's weight (BM25's idf) over the records everyone may read,
	// once here rather than in every query.
	// df and idf may be the index before's: written to copies.
	df := make([]int32, len(ix.posts))
	copy(df, ix.df)
	ix.df = df
	for _, t := range changed {
		df := int32(0)
		for _, p := range ix.postings(t) {
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
	if len(b.first) > 0 {
		ix.byFirst = mergeBucketed(ix.byFirst, b.first)
		ix.bySecond = mergeBucketed(ix.bySecond, b.second)
	}
	// The records' lists: laid out afresh (each record's in record order,
	// no room to spare) after a whole build, or once the lists refreshes
	// left unused outweigh a quarter of an array.
	var names, terms, places, words int
	for i := range ix.docs {
		d := &ix.docs[i]
		names += int(d.name.n + d.status.n)
		terms += int(d.terms.n)
		places += int(ix.places[i].n)
		words += int(d.words.n)
	}
	if whole || wasteful(len(ix.names), names) || wasteful(len(ix.recTerms), terms) || wasteful(len(ix.locs), places) || wasteful(len(ix.words), words) {
		ix.relayRecords(names, terms, places, words)
	}
	if whole {
		// No room to spare in what a refresh appends to either (its
		// first append copies).
		ix.strs, ix.stems, ix.pinned = exact(ix.strs), exact(ix.stems), exact(ix.pinned)
		ix.posts, ix.surfaces = exact(ix.posts), exact(ix.surfaces)
		ix.taxonWords = exact(ix.taxonWords)
	}
	// New arrays: the index before's may be read still.
	ix.meta = make([]docMeta, len(ix.docs))
	ix.ids = make([]int, len(ix.docs))
	for i := range ix.docs {
		d := &ix.docs[i]
		m := docMeta(d.typ)
		if d.live {
			m |= metaLive
		}
		if d.restricted {
			m |= metaRestricted
		}
		if slices.ContainsFunc(of(ix.locs, ix.places[i]), func(l located) bool { return l.confidential }) {
			m |= metaConfidential
		}
		ix.meta[i] = m
		ix.ids[i] = d.id
	}
}

// wasteful reports whether an array of n elements of which live are used
// should be laid out afresh: when the rest outweighs a quarter of them.
func wasteful(n, live int) bool { return n-live > live/4 }

// exact is s in an array of its length.
func exact[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// relayPostings lays the terms' postings (live of them) out afresh, in
// term order.
func (ix *contents) relayPostings(live int) {
	post := make([]posting, 0, live)
	for t, e := range ix.posts {
		ix.posts[t] = put(&post, of(ix.post, e))
	}
	ix.post = post
}

// relayRecords lays the records' lists out afresh, in record order, in
// arrays of the sizes given (the lists' totals). The records are the
// builder's to write.
func (ix *contents) relayRecords(names, terms, places, words int) {
	nb, tb := make([]byte, 0, names), make([]int, 0, terms)
	lb, pb, wb := make([]located, 0, places), make([][3]float64, 0, places), make([]uint32, 0, words)
	for i := range ix.docs {
		d := &ix.docs[i]
		d.name = putString(&nb, text(ix.names, d.name))
		d.status = putString(&nb, text(ix.names, d.status))
		d.terms = put(&tb, of(ix.recTerms, d.terms))
		put(&pb, of(ix.points, ix.places[i]))
		ix.places[i] = put(&lb, of(ix.locs, ix.places[i]))
		d.words = put(&wb, of(ix.words, d.words))
	}
	ix.names, ix.recTerms, ix.locs, ix.points, ix.words = nb, tb, lb, pb, wb
}

func idf(public int, df int32) float64 {
	return math.Log(1 + (float64(public)-float64(df)+0.5)/(float64(df)+0.5))
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

// closest is the largest dot product of pt with record d's places the
// viewer may see (the nearest), if any: reveal decides for a confidential
// one, read only when the record has one (metaConfidential).
func (ix *index) closest(d int32, pt [3]float64, reveal func(owner int) bool) (float64, bool) {
	locs, points := ix.placesOf(d)
	confidential := ix.meta[d]&metaConfidential != 0
	best, found := -2.0, false
	for i, v := range points {
		if confidential && locs[i].confidential && (reveal == nil || !reveal(locs[i].owner)) {
			continue
		}
		if dot := v[0]*pt[0] + v[1]*pt[1] + v[2]*pt[2]; dot > best {
			best, found = dot, true
		}
	}
	return best, found
}

// arcKm is the great-circle distance of the largest dot product found:
// on geo.EarthRadiusKm, as geo.DistanceKm measures it.
func arcKm(best float64, found bool) (float64, bool) {
	if !found {
		return 0, false
	}
	return math.Acos(max(-1, min(1, best))) * geo.EarthRadiusKm, true
}

// bytes is the memory the index holds of its own: its arrays at their
// capacity (shared with the index before or not), and the needs' maps at
// a guess (a map entry counted at its key and value plus 16 bytes).
func (ix *contents) bytes() int64 {
	size := func(n int, of uintptr) int64 { return int64(n) * int64(of) }
	n := size(cap(ix.docs), unsafe.Sizeof(doc{})) + ix.keys.bytes() + ix.terms.bytes() + ix.surfaceOf.bytes()
	n += int64(cap(ix.names)) + size(cap(ix.recTerms), 8) + size(cap(ix.locs), unsafe.Sizeof(located{})) +
		size(cap(ix.points), 24) + size(cap(ix.places), 8) + size(cap(ix.words), 4)
	n += int64(cap(ix.strs)) + size(cap(ix.stems), 8) + size(cap(ix.posts), 8) + size(cap(ix.post), 4) +
		int64(cap(ix.pinned)) + size(cap(ix.df), 4) + size(cap(ix.idf), 8)
	n += size(cap(ix.surfaces), unsafe.Sizeof(surface{})) + size(cap(ix.byFirst)+cap(ix.bySecond), 8)
	n += size(cap(ix.taxa), unsafe.Sizeof(taxon{})) + size(cap(ix.taxonWords), 4)
	n += int64(cap(ix.meta)) + size(cap(ix.ids), 8)
	const str, mapEntry = 16, 16
	for code, met := range ix.needs {
		n += str + int64(len(code)) + 8 + mapEntry + int64(len(met))*(8+1+mapEntry)
	}
	return n
}
