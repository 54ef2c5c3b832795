package search

import (
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/spanish"

	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/geo"
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

// weight is what a word counts for in the best class it stands in, and
// tier the class's place in the order (names above descriptions).
func (c class) best() (weight float64, tier int) {
	switch {
	case c&className != 0:
		return 8, 4
	case c&classNeed != 0:
		return 4, 3
	case c&classParent != 0:
		return 3, 2
	default:
		return 1, 1
	}
}

// postings are the records a term stands in, in record order, with the
// classes it stands in there: 5 bytes a posting.
type postings struct {
	docs    []int32
	classes []class
}

// located is a place a record is delivered at, and whose it is (the
// organization whose editors may see it when it is confidential).
type located struct {
	v            [3]float64 // unit vector: a distance is one dot product and one acos
	owner        int
	confidential bool
}

// unitVector is the point (in degrees) on the unit sphere.
func unitVector(lat, lon float64) [3]float64 {
	const rad = math.Pi / 180
	la, lo := lat*rad, lon*rad
	return [3]float64{math.Cos(la) * math.Cos(lo), math.Cos(la) * math.Sin(lo), math.Sin(la)}
}

// doc is one searchable record.
type doc struct {
	typ  Type
	id   int
	live bool // a service neither INACTIVE nor DEFUNCT; every other record
	// restricted: a resource that is not PUBLISHED, which only its
	// reviewers may find (auth.Visible decides per viewer).
	restricted bool
	status     resource.Status // a resource's, for auth.Visible
	name       string          // shown in highlights of records naming it (a service's organization, program)
	parent     [2]int32        // docs whose names count for this one (organization, program), -1 none
	terms      []int           // taxonomy term IDs it carries (needs, topics); a program's and organization's: their services'
	locs       []located
}

// surface is a word as it stands in the records, for typo look-ups.
type surface struct {
	word  []rune
	terms [2]int32 // its stems' term numbers, -1 none
}

// index is the searchable copy of the directory at one feed position.
type index struct {
	position int
	docs     []doc
	terms    map[string]int32 // stem → term number
	posts    []postings       // by term number
	// idf weighs each term, by term number, by the unrestricted records
	// holding it: a restricted record changes no one's ranking.
	idf      []float64
	public   int         // unrestricted records
	byLength [][]surface // words of the records by length in runes, for typos
	needs    map[string]needTerms
	termName map[int]string
	byKey    map[docKey]int32
	pool     sync.Pool // of []accum, one per record (see accums)
	stemOf   []string  // by term number
}

type docKey struct {
	typ Type
	id  int
}

// needTerms are the taxonomy terms meeting a need of the needs vocabulary:
// its own, its narrower terms, and the terms of other vocabularies mapped
// to either (as match reads them).
type needTerms map[int]bool

// Engine searches one ent client's directory.
type Engine struct {
	client *ent.Client
	mu     sync.Mutex
	ix     *index
	stats  atomic.Pointer[IndexStats]
}

// IndexStats describe the index in memory.
type IndexStats struct {
	Records, Terms, Postings int
	BuiltAt                  time.Time
	Build                    time.Duration
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
// position (one statement, or none when the request read it already) and
// rebuilds when writes came after.
//
// With read replicas, both the check and the rebuild read the primary
// (route.Primary), as the match index does: the index is shared by every
// request, whichever replica serves it, and must never go back to an older
// state.
func (e *Engine) current(ctx context.Context) (*index, error) {
	position, err := feed.Position(route.Primary(ctx), e.client)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ix != nil && e.ix.position == position {
		return e.ix, nil
	}
	// Shared by every viewer: read as trusted code (no viewer, nothing
	// redacted) on a context of its own, so one request's cancellation
	// cannot abort a rebuild others wait for. Only fields the public may
	// read are indexed; restricted records are marked and filtered per
	// viewer (see doc.go).
	loadCtx, cancel := context.WithTimeout(route.Primary(context.Background()), 5*time.Minute)
	defer cancel()
	started := time.Now()
	ix, err := build(loadCtx, e.client, position)
	if err != nil {
		return nil, fmt.Errorf("load the search index: %w", err)
	}
	e.ix = ix
	n := 0
	for _, p := range ix.posts {
		n += len(p.docs)
	}
	e.stats.Store(&IndexStats{Records: len(ix.docs), Terms: len(ix.posts), Postings: n, BuiltAt: time.Now(), Build: time.Since(started)})
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

// builder collects one record's words at a time.
type builder struct {
	ix      *index
	stems   map[stemKey][2]int32 // memo: stemming is the build's main cost
	words   map[string][2]int32
	current map[int32]class
	order   []int32
}

// build reads the directory in a fixed number of statements and indexes it.
func build(ctx context.Context, client *ent.Client, position int) (*index, error) {
	locFields := []string{location.FieldLatitude, location.FieldLongitude, location.FieldConfidential,
		location.FieldOrganizationID, location.FieldLocationType, location.FieldPostalCode, location.FieldCountry}
	services, err := client.Service.Query().
		Select(service.FieldName, service.FieldAlternateName, service.FieldDescription, service.FieldStatus,
			service.FieldOrganizationID, service.FieldProgramID, service.FieldLanguages).
		WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) }).
		WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) {
			q.Select(serviceatlocation.FieldServiceID, serviceatlocation.FieldLocationID).
				WithLocation(func(q *ent.LocationQuery) { q.Select(locFields...) })
		}).
		Order(ent.Asc(service.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	programs, err := client.Program.Query().
		Select(program.FieldName, program.FieldAlternateName, program.FieldDescription, program.FieldOrganizationID).
		Order(ent.Asc(program.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	orgs, err := client.Organization.Query().
		Select(organization.FieldName, organization.FieldAlternateName, organization.FieldDescription).
		WithLocations(func(q *ent.LocationQuery) { q.Select(locFields...) }).
		Order(ent.Asc(organization.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	resources, err := client.Resource.Query().
		Select(resource.FieldTitle, resource.FieldSummary, resource.FieldStatus, resource.FieldLanguage, resource.FieldPublisherID).
		WithTopics(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) }).
		Order(ent.Asc(resource.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	terms, err := client.TaxonomyTerm.Query().
		Select(taxonomyterm.FieldCode, taxonomyterm.FieldName, taxonomyterm.FieldParentID, taxonomyterm.FieldVocabulary, taxonomyterm.FieldNeedID).
		Order(ent.Asc(taxonomyterm.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}

	ix := &index{position: position, terms: map[string]int32{}, termName: map[int]string{}, byKey: map[docKey]int32{}}
	b := &builder{ix: ix, stems: map[stemKey][2]int32{}, words: map[string][2]int32{}, current: map[int32]class{}}
	ix.needs = vocabulary(terms)
	termWords := b.termWords(terms)

	// Records are laid out by type, then ID: organizations and programs
	// get their numbers first so services can point at them.
	n := len(services) + len(programs) + len(orgs) + len(resources)
	ix.docs = make([]doc, 0, n)
	for _, s := range services {
		ix.byKey[docKey{TypeService, s.ID}] = int32(len(ix.byKey))
	}
	for _, p := range programs {
		ix.byKey[docKey{TypeProgram, p.ID}] = int32(len(ix.byKey))
	}
	for _, o := range orgs {
		ix.byKey[docKey{TypeOrganization, o.ID}] = int32(len(ix.byKey))
	}
	for _, r := range resources {
		ix.byKey[docKey{TypeResource, r.ID}] = int32(len(ix.byKey))
	}
	ref := func(t Type, id *int) int32 {
		if id == nil {
			return -1
		}
		if i, ok := ix.byKey[docKey{t, *id}]; ok {
			return i
		}
		return -1
	}
	orgName, programName := map[int]string{}, map[int]string{}
	orgLang, programLang := map[int]lang{}, map[int]lang{}
	for _, o := range orgs {
		orgName[o.ID], orgLang[o.ID] = o.Name, readAs(nil, o.Name, o.AlternateName, o.Description)
	}
	for _, p := range programs {
		programName[p.ID], programLang[p.ID] = p.Name, readAs(nil, p.Name, p.AlternateName, p.Description)
	}
	servicesOf := map[docKey][]int{} // program or organization → its services' terms
	for _, s := range services {
		d := doc{typ: TypeService, id: s.ID, name: s.Name, live: s.Status != service.StatusINACTIVE && s.Status != service.StatusDEFUNCT,
			parent: [2]int32{ref(TypeOrganization, &s.OrganizationID), ref(TypeProgram, s.ProgramID)}}
		l := readAs(s.Languages, s.Name, s.AlternateName, s.Description)
		b.add(s.Name, className, l)
		b.add(s.AlternateName, className, l)
		b.add(s.Description, classText, l)
		// Its organization's and program's names count for it.
		b.add(orgName[s.OrganizationID], classParent, orgLang[s.OrganizationID])
		if s.ProgramID != nil {
			b.add(programName[*s.ProgramID], classParent, programLang[*s.ProgramID])
		}
		for _, t := range s.Edges.Needs {
			d.terms = append(d.terms, t.ID)
			b.addTerms(termWords[t.ID], classNeed)
		}
		for _, sal := range s.Edges.ServiceAtLocations {
			if loc := sal.Edges.Location; loc != nil {
				if p, ok := placeOf(loc); ok {
					d.locs = append(d.locs, p)
				}
			}
		}
		servicesOf[docKey{TypeOrganization, s.OrganizationID}] = append(servicesOf[docKey{TypeOrganization, s.OrganizationID}], d.terms...)
		if s.ProgramID != nil {
			servicesOf[docKey{TypeProgram, *s.ProgramID}] = append(servicesOf[docKey{TypeProgram, *s.ProgramID}], d.terms...)
		}
		b.finish(&d)
	}
	for _, p := range programs {
		d := doc{typ: TypeProgram, id: p.ID, name: p.Name, live: true, parent: [2]int32{ref(TypeOrganization, p.OrganizationID), -1},
			terms: uniqueSorted(servicesOf[docKey{TypeProgram, p.ID}])}
		l := programLang[p.ID]
		b.add(p.Name, className, l)
		b.add(p.AlternateName, className, l)
		b.add(p.Description, classText, l)
		if p.OrganizationID != nil {
			b.add(orgName[*p.OrganizationID], classParent, orgLang[*p.OrganizationID])
		}
		b.finish(&d)
	}
	for _, o := range orgs {
		d := doc{typ: TypeOrganization, id: o.ID, name: o.Name, live: true, parent: [2]int32{-1, -1},
			terms: uniqueSorted(servicesOf[docKey{TypeOrganization, o.ID}])}
		l := orgLang[o.ID]
		b.add(o.Name, className, l)
		b.add(o.AlternateName, className, l)
		b.add(o.Description, classText, l)
		for _, loc := range o.Edges.Locations {
			if p, ok := placeOf(loc); ok {
				d.locs = append(d.locs, p)
			}
		}
		b.finish(&d)
	}
	for _, r := range resources {
		d := doc{typ: TypeResource, id: r.ID, name: r.Title, live: true, status: r.Status,
			restricted: r.Status != resource.StatusPUBLISHED, parent: [2]int32{ref(TypeOrganization, r.PublisherID), -1}}
		l := readAs([]string{r.Language}, r.Title, r.Summary)
		b.add(r.Title, className, l)
		b.add(r.Summary, classText, l)
		if r.PublisherID != nil {
			b.add(orgName[*r.PublisherID], classParent, orgLang[*r.PublisherID])
		}
		for _, t := range r.Edges.Topics {
			d.terms = append(d.terms, t.ID)
			b.addTerms(termWords[t.ID], classNeed)
		}
		b.finish(&d)
	}
	for _, d := range ix.docs {
		if !d.restricted {
			ix.public++
		}
	}
	// Each term's weight (BM25's idf) over the records everyone may read,
	// once here rather than in every query.
	ix.idf = make([]float64, len(ix.posts))
	for t, p := range ix.posts {
		df := 0
		for _, d := range p.docs {
			if !ix.docs[d].restricted {
				df++
			}
		}
		ix.idf[t] = math.Log(1 + (float64(ix.public)-float64(df)+0.5)/(float64(df)+0.5))
	}
	for w, t := range b.words {
		r := []rune(w)
		if len(r) < minTypoLength-1 {
			continue
		}
		for len(ix.byLength) <= len(r) {
			ix.byLength = append(ix.byLength, nil)
		}
		ix.byLength[len(r)] = append(ix.byLength[len(r)], surface{word: r, terms: t})
	}
	for _, list := range ix.byLength { // a fixed order, whatever the map's
		slices.SortFunc(list, func(a, b surface) int { return strings.Compare(string(a.word), string(b.word)) })
	}
	for _, t := range terms {
		ix.termName[t.ID] = t.Name
	}
	return ix, nil
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
// the terms mapped to it (the crosswalk's synonyms).
func (b *builder) termWords(terms []*ent.TaxonomyTerm) map[int][]int32 {
	byID := make(map[int]*ent.TaxonomyTerm, len(terms))
	mapped := map[int][]string{}
	for _, t := range terms {
		byID[t.ID] = t
		if t.NeedID != nil {
			mapped[*t.NeedID] = append(mapped[*t.NeedID], t.Name)
		}
	}
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

// wordTerms returns (and records) the term numbers of a word's stems.
func (b *builder) wordTerms(w string, l lang) [2]int32 {
	if nums, ok := b.stems[stemKey{w, l}]; ok {
		return nums
	}
	en, es := stems(w, l)
	nums := [2]int32{b.term(en), b.term(es)}
	b.stems[stemKey{w, l}] = nums
	prev, ok := b.words[w]
	if !ok {
		b.words[w] = nums
		return nums
	}
	// The word stands in records read in other languages too: it leads to
	// each stem it was read as (two at most: its English and Spanish).
	for _, n := range nums {
		if n >= 0 && prev[0] != n && prev[1] != n {
			if prev[0] < 0 {
				prev[0] = n
			} else if prev[1] < 0 {
				prev[1] = n
			}
		}
	}
	b.words[w] = prev
	return nums
}

func (b *builder) term(stem string) int32 {
	if stem == "" {
		return -1
	}
	if n, ok := b.ix.terms[stem]; ok {
		return n
	}
	n := int32(len(b.ix.posts))
	b.ix.terms[stem] = n
	b.ix.posts = append(b.ix.posts, postings{})
	b.ix.stemOf = append(b.ix.stemOf, stem)
	return n
}

// add indexes text as words of the current record, in class c.
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

// finish appends the current record's postings and the record.
func (b *builder) finish(d *doc) {
	pos := int32(len(b.ix.docs))
	b.ix.docs = append(b.ix.docs, *d)
	b.merge(pos)
}

// merge appends the words gathered since the last call to record pos's
// postings (records come in order, so postings stay sorted).
func (b *builder) merge(pos int32) {
	for _, n := range b.order {
		p := &b.ix.posts[n]
		if k := len(p.docs); k > 0 && p.docs[k-1] == pos {
			p.classes[k-1] |= b.current[n]
			continue
		}
		p.docs = append(p.docs, pos)
		p.classes = append(p.classes, b.current[n])
	}
	clear(b.current)
	b.order = b.order[:0]
}

// placeOf is a location's point: its coordinates, else its ZIP's centre.
func placeOf(loc *ent.Location) (located, bool) {
	if loc.LocationType != "" && loc.LocationType != location.LocationTypePHYSICAL {
		return located{}, false
	}
	l := located{confidential: loc.Confidential}
	if loc.OrganizationID != nil {
		l.owner = *loc.OrganizationID
	}
	if loc.Latitude != nil && loc.Longitude != nil {
		l.v = unitVector(*loc.Latitude, *loc.Longitude)
		return l, true
	}
	if c := strings.ToUpper(strings.TrimSpace(loc.Country)); c != "" && c != "US" {
		return located{}, false
	}
	zip, ok := geo.NormalizeZIP(strings.TrimSpace(loc.PostalCode))
	if !ok {
		return located{}, false
	}
	z, found := geo.LookupZIP(zip)
	if !found || !z.HasCentroid {
		return located{}, false
	}
	l.v = unitVector(z.Latitude, z.Longitude)
	return l, true
}

// vocabulary expands each need of the needs vocabulary to the terms meeting
// it, as match does.
func vocabulary(terms []*ent.TaxonomyTerm) map[string]needTerms {
	children := map[int][]int{}
	for _, t := range terms {
		switch {
		case t.Vocabulary != schema.NeedsVocabulary:
			if t.NeedID != nil {
				children[*t.NeedID] = append(children[*t.NeedID], t.ID)
			}
		case t.ParentID != nil:
			children[*t.ParentID] = append(children[*t.ParentID], t.ID)
		}
	}
	out := map[string]needTerms{}
	for _, t := range terms {
		if t.Vocabulary != schema.NeedsVocabulary {
			continue
		}
		n := needTerms{}
		for queue := []int{t.ID}; len(queue) > 0; queue = queue[1:] {
			if !n[queue[0]] {
				n[queue[0]] = true
				queue = append(queue, children[queue[0]]...)
			}
		}
		out[t.Code] = n
	}
	return out
}

func uniqueSorted(list []int) []int {
	if len(list) == 0 {
		return nil
	}
	slices.Sort(list)
	return slices.Clip(slices.Compact(list))
}

func uniqueSorted32(list []int32) []int32 {
	slices.Sort(list)
	return slices.Clip(slices.Compact(list))
}

// distanceKm is from pt (a unit vector) to the nearest of the record's
// places the viewer may see (reveal decides for a confidential one); false
// when none. The great-circle distance on geo.EarthRadiusKm, as
// geo.DistanceKm measures it.
func (d *doc) distanceKm(pt [3]float64, reveal func(owner int) bool) (float64, bool) {
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
	if !found {
		return 0, false
	}
	return math.Acos(max(-1, min(1, best))) * geo.EarthRadiusKm, true
}
