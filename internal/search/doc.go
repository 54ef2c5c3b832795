// Package search is Village's full-text search: one in-process engine over
// services, programs, organizations and library resources, used by
// GraphQL's search field and the HSDS API's search parameter alike. It
// knows nothing of HTTP or GraphQL.
//
// # Why an engine of our own
//
// Search must rank identically on SQLite and PostgreSQL, stem Spanish as
// Spanish, and forgive a typo. SQLite's FTS5 has no Spanish stemmer and the
// pure-Go driver (modernc.org/sqlite) takes no custom tokenizer; PostgreSQL's
// tsvector ranks by other rules and has no typo tolerance without pg_trgm.
// Two engines would give two orders. So, like the matcher (internal/match),
// the index lives in memory, built from the database and brought up to
// date when the change feed moves: every committed write, from any
// process, appends a ChangeEvent, so the newest event ID (feed.Position,
// one statement on the primary key, none when the request has read it
// already) tells whether the index is current. A committed write is
// therefore found by the next request, on every replica. A whole build
// reads five statements (services with needs and locations, programs,
// organizations with locations, resources with topics, taxonomy terms),
// on a context of its own, as trusted code.
//
// # Refresh
//
// After a write the next search does not build the index again: refresh
// reads the change events since the index's position and, as match's
// refresh does, reads again only the records they touch: the records
// named; a service's, program's or resource's when its organization or
// program changed (their names are its words); a service's or
// organization's when one of its locations, or a service's link to one,
// changed; each found both in the index (what it belonged to) and in the
// database (what it belongs to now). A record read again keeps its number:
// its old postings and typo-vocabulary counts are taken out, its new ones
// put in; a deleted one is left dead (no postings, out of the key table)
// until the next whole build; a new one is numbered after the last. The
// new index copies what it changes and shares the rest with the old one,
// which requests may still be reading: the record array, the terms'
// ranges, the counts of the typo vocabulary; a table only when a term,
// word or record is added to it. What it adds (the posting lists of the
// terms the records touched, merged: the old less the records taken out,
// plus the new, in record order; the records' lists; new stems and words)
// it appends past the ends of the shared arrays (see # Memory). A term's
// weight is computed again when its records or the public count change.
// TestRefreshReadsOnlyWhatChanged holds a refreshed index to a whole
// build, term by term, and to the same results for every kind of write.
//
// A whole build is still made when a taxonomy term changed (its words are
// every carrying record's, and the needs vocabulary may be reshaped), past
// 2,000 events (an import), or when the records dead or read again would
// be a quarter of the index.
//
// # What is indexed
//
// Only text every viewer may read of a record (Indexed lists the columns;
// TestSearchWalksEveryColumn writes a word into every text column of every
// searchable type and searches it as every role, so a column the read rules
// hide later is caught): a service's, program's and organization's name,
// alternate name and description; a resource's title and summary. A
// service's internal notes, a location's address: never. Records the read
// rules hide whole (a resource not PUBLISHED) are indexed, marked, and
// filtered per viewer by auth.Visible itself, so an admin reviewing
// submissions finds them and no one else does; they count for no one's
// word statistics, so a hidden record moves no public score or order.
// Distances are measured, per request, only to the locations the viewer may
// see (a confidential one for staff, admins and its organization's
// editors), as the matcher does. Counts are of the results the viewer may
// read. Highlights are cut from the texts read with the viewer's own context
// (the read rules apply as to any read), one statement per type on the
// page.
//
// Words a record is found by, and where they stand (its class):
//
//   - name: its own name and alternate name, a resource's title;
//   - need: the names and codes of the taxonomy terms it carries (a
//     service's needs, a resource's topics) with their broader terms' names,
//     and their synonyms: the names of the terms a crosswalk maps to them, or
//     of the need they are mapped to ("home visiting" finds a service tagged
//     with an AIRS term mapped to that need);
//   - parent: its organization's and program's names (a service), the
//     organization's (a program), the publisher's (a resource);
//   - text: its description, a resource's summary.
//
// # Words
//
// Text is split at anything but letters, digits and an apostrophe inside a
// word, lower-cased and stripped of accents ("Información" → "informacion")
// so a worker typing without accents finds the accented word. English and
// Spanish stop words are dropped (in queries too: "visitas en casa" looks for
// visitas and casa). Each word is stemmed by the Snowball stemmers
// (github.com/kljensen/snowball: "visits", "visiting" → visit; "visitas",
// "visita" → visit). Language per record: a service whose languages are
// English alone, or Spanish alone, and a resource by its language, are
// stemmed in that language; anything else (several languages, none stated,
// programs and organizations, which state none) in both, each word under its
// English and its Spanish stem. The cost is a few more postings; the gain is
// that a Spanish description in a directory that does not say it is Spanish
// is still found by Spanish words. A query word is looked up under both
// stems.
//
// A query word of five letters or more also finds the words of the records
// one edit away from it (a letter inserted, deleted, replaced, or two
// neighbours swapped: "nurce" → "nurse"), and through them their stems. The
// words of the records (four letters or more) are kept by length and first
// letter, and by length and second letter: one edit keeps the first letter,
// or puts the second first, or the first second, so only the words of the
// three reachable lengths in three such lists are compared. A word leads to
// the stems of the languages records read it in now: the vocabulary counts,
// per word and language, the records reading it, so that a word no record
// holds any more finds nothing after a refresh, as after a whole build.
//
// Every word of the query must be found in a record (in any class, as any
// of its stems or typo neighbours) for the record to be a result.
//
// # Order
//
// Results are ordered by (rankKey): the number of query words found (all of
// them, today); records in service before INACTIVE and DEFUNCT services;
// where the words stand, summed over the words, each word counting its best
// class (name 4, need 3, parent 2, text 1, doubled, plus one when found
// exactly rather than by a typo); then, when the search is near a place,
// nearer first (records with no location the viewer may see after);
// then the words' rarity (a weighted inverse document frequency, over
// unrestricted records); then type and ID. Everything in the key is
// computed from the same rows in the same order on both backends, so the
// same query gives the same order on SQLite and PostgreSQL
// (TestSearchSameOrderOnBothBackends). Score is the result's rank, (n-i)/n,
// as match's is. A cursor holds the rank key of the result before it, so a
// page continues after that key even when the directory changed between
// pages.
//
// # Memory
//
// The collector marks what the index holds at every cycle, and under the
// server's soft memory limit it cycles often (server's # Memory), so the
// index is laid out as match's is: in a few dozen arrays none of which
// holds a pointer (compact.go; TestContentsHoldNoPointers), which the
// collector marks once each and never scans. What varies in length is a
// range (offset, length) of an array shared by all: every term's postings
// are a range of one array of postings, each a sorted run of record
// number << 4 | the classes the term stands in there (four bytes a
// (term, record) pair); a record's taxonomy term IDs and typo-vocabulary
// readings (four bytes each) ranges of two more; the stems, the typo
// vocabulary's words and the taxonomy terms' names ranges of one byte
// buffer, an organization's and program's name (what the records naming
// them read) and a resource's status of another, read in place. What a
// key finds is found through a table of numbers (open addressing, at most
// half full, four bytes a slot): a term by its stem, a word of the typo
// vocabulary by itself, a record by its type and ID, the key read back
// from the arrays. The typo vocabulary's buckets are two arrays sorted by
// (length, letter, word), a bucket found by binary search; the taxonomy
// terms one array sorted by ID. Only the needs' expansions (a few dozen)
// are maps. A record is 56 bytes (its ID, parents, ranges and flags).
// A place is its point (a unit vector: a distance is a dot product and
// one acos) in one array and its owner and rows in another, in step; a
// record's places are a range kept by record number apart from the
// record. For ranking, one byte a record (its type, live, restricted, has
// a confidential place) and its ID again (eight bytes, the last
// tie-break): the filter reads neither the record nor its lists, and
// measuring reads eight bytes a record and 24 a place (the owner only of
// a record with a confidential place).
//
// A refresh appends what it adds past the ends of the arrays it shares
// with the index before (their capacity), which that index never reads:
// a term's merged postings, a record's new lists. Indexes follow one
// another under Engine.mu, so one index is appended to once; should a
// refresh fail, the next one made from the same index copies the arrays
// instead (contents.tail). The postings and records' lists so left unused
// stay until they outweigh a quarter of their array, when that array is
// laid out afresh, in term or record order, at its exact size (so at most
// a fifth of an array is unused, and each element is copied a bounded
// number of times on average); a whole build lays out everything so.
//
// On the synthetic national directory (22,043 records, 23,347 terms,
// 577,853 postings) the index takes 10.4 MB of heap in 76 objects, where
// slices and strings per term and per record and maps from strings took
// 18.0 MB in 132,889 (BenchmarkIndexMemory). IndexStats.Bytes
// (village_search_index_bytes) counts the arrays at their capacity, which
// is within a few per cent of that heap (TestIndexBytes). An index
// memoizes the look-ups of up to 2,048 query words (outside the estimate:
// a few hundred bytes each), and the stems of up to 8,192 words of
// highlighted texts (about a hundred bytes each). A search holds nothing
// per record of the index: it works in lists of the records that found
// its words so far (16 bytes each, pooled). BenchmarkSearch logs the live
// heap the index takes beside its estimate.
//
// # Cost of a search
//
// A query word's look-up (its stems, and its typo neighbours: only the words
// of three lists per reachable length, above) is memoized in the index, for
// up to 2,048 words. The words are taken rarest first: the first word's
// postings (of each of its stems and typo readings) are merged, in record
// order, into the list of records in the running with what each counts
// for; every later word's postings are then walked in step with those
// records when they are about as many (fewer than eight postings a
// record), else each record is searched for by galloping from where the
// last was found, a few steps a record when they are few ("Chicago parenting": the 202 postings
// of chicago, then 88 records found among parenting's 15,000). A record
// that missed a word leaves the list. Each word's score is rounded to a
// multiple of 2^-32, so a record's sum is exact whatever order the words
// are taken in (a write can change which is rarest, and a cursor holds the
// score). On the synthetic national directory, ranking BenchmarkSearch's
// queries alone, side by side, this takes about 30% less time than
// accumulators over every record and a bit set did where results are
// thousands ("home visiting": 6,170), and half to a third of it where a word
// is rare.
// The survivors are filtered by type and visibility on the byte per record,
// into a list an outcome hands back when released (Release; GraphQL's search
// does). The feed position is read while the query is ranked on the index
// in memory (Engine.rankFresh): when writes came since, the index is brought
// up to date and the query ranked again, so a search waits for the position
// or the ranking, not both. Distances are not measured
// there: a page (Page) first counts the results after the cursor by the head
// of their key (live, tier: known without a distance), finds the lowest head
// that reaches the page, and measures and compares whole only the results of
// that head or above (and those tying with the cursor's head), and of those,
// once the page is full, only the ones whose head reaches the worst kept;
// and those first as a dot product of unit vectors, which orders places as
// distance does: one farther than the worst kept by more than any rounding
// of the arc cosine is passed over without it (farther).
// The page is then selected with a bounded heap (O(n log first)), never by
// sorting every result; a result's type and ID, read from its record, are
// compared only when the rest of the key ties. Highlighting is cut from the
// records GraphQL loads for the page anyway (HighlightsOf), so it reads
// nothing more; a plain-ASCII text none of whose words starts like a matched
// stem is passed over without being split, and only the words that do are
// folded, and stemmed once per index (memoized, for up to 8,192 words,
// outside the estimate); a related record's name (a need, an organization)
// is cut once per outcome, however many results of the page carry it, and a
// page's matched ranges share one block. Statements: the feed position, one
// per type on the page (and per edge its selection asks for): the same as
// nodes(ids:) fetching that page, plus the position.
package search
