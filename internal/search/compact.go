package search

import (
	"hash/maphash"
	"slices"
	"unicode/utf8"
	"unsafe"
)

// The index is laid out in few objects holding no pointers (see doc.go's
// # Memory): what varies in length per term or per record is a range
// (extent) of an array shared by all of them, strings are ranges of a byte
// buffer, and what is found by a key is found through a table of numbers
// (table) whose keys are read back from those arrays.

// extent is a range of one of the index's shared arrays: n elements from
// at.
type extent struct{ at, n uint32 }

// of is the elements of a in e, clipped: an append to them copies.
func of[T any](a []T, e extent) []T { return a[e.at : e.at+e.n : e.at+e.n] }

// put appends list to *a and returns where it stands.
func put[T any](a *[]T, list []T) extent {
	if len(list) == 0 {
		return extent{}
	}
	e := extent{uint32(len(*a)), uint32(len(list))}
	*a = append(*a, list...)
	return e
}

// putString appends s to *buf and returns where it stands.
func putString(buf *[]byte, s string) extent {
	if s == "" {
		return extent{}
	}
	e := extent{uint32(len(*buf)), uint32(len(s))}
	*buf = append(*buf, s...)
	return e
}

// text is the string at e of buf, read in place: the bytes of a buffer
// are never written again once appended (see tails), so the string stays
// as it is however the buffer grows.
func text(buf []byte, e extent) string {
	if e.n == 0 {
		return ""
	}
	return unsafe.String(&buf[e.at], int(e.n))
}

// table finds a number (a term's, a surface's, a record's) by a key the
// index's arrays hold: open addressing with linear probing, at most half
// full, each slot the number plus one (0: empty). It holds no key: its
// user hashes the key, and compares it with the one read back from the
// number. Four bytes a slot, none of them a pointer, where a map from
// string keys costs a string header and a pointer the collector follows
// per entry.
type table struct {
	slots []int32
	n     int
}

// start is the first slot a key of hash h is looked for in; the table
// must have slots.
func (t *table) start(h uint64) int { return int(h) & (len(t.slots) - 1) }

func (t *table) next(i int) int { return (i + 1) & (len(t.slots) - 1) }

// find is the number in the table whose key hashes to h and for which is
// says true.
func (t *table) find(h uint64, is func(int32) bool) (int32, bool) {
	if len(t.slots) == 0 {
		return -1, false
	}
	for i := t.start(h); t.slots[i] != 0; i = t.next(i) {
		if v := t.slots[i] - 1; is(v) {
			return v, true
		}
	}
	return -1, false
}

// add puts number v, whose key hashes to h, in the table (it must not be
// in it); hash gives the hash of a number's key, to grow the table.
func (t *table) add(h uint64, v int32, hash func(int32) uint64) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]int32, max(16, 2*len(old)))
		for _, o := range old {
			if o != 0 {
				t.place(hash(o-1), o)
			}
		}
	}
	t.place(h, v+1)
	t.n++
}

func (t *table) place(h uint64, slot int32) {
	i := t.start(h)
	for t.slots[i] != 0 {
		i = t.next(i)
	}
	t.slots[i] = slot
}

// remove takes number v, whose key hashes to h, out of the table, and
// moves back the numbers after it that it had pushed further (so that a
// look-up still stops at the first empty slot).
func (t *table) remove(h uint64, v int32, hash func(int32) uint64) {
	if len(t.slots) == 0 {
		return
	}
	i := t.start(h)
	for t.slots[i] != v+1 {
		if t.slots[i] == 0 {
			return
		}
		i = t.next(i)
	}
	t.slots[i] = 0
	t.n--
	for j := t.next(i); t.slots[j] != 0; j = t.next(j) {
		home := t.start(hash(t.slots[j] - 1))
		// Left where it is if its home is cyclically in (i, j].
		if (i < j && i < home && home <= j) || (j < i && (i < home || home <= j)) {
			continue
		}
		t.slots[i], t.slots[j] = t.slots[j], 0
		i = j
	}
}

// clone is a copy of t to write (refresh: the index before's is read
// still).
func (t table) clone() table { return table{slices.Clone(t.slots), t.n} }

func (t *table) bytes() int64 { return 4 * int64(cap(t.slots)) }

var hashSeed = maphash.MakeSeed()

func hashString(s string) uint64 { return maphash.String(hashSeed, s) }

func hashKey(k docKey) uint64 {
	// splitmix64's finalizer: the table reads the low bits.
	h := uint64(k.id)<<2 ^ uint64(k.typ)
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	return h ^ h>>31
}

// bucketed is a surface of the typo vocabulary under one of its buckets
// (see index.byFirst): the bucket's key (bucketKey) and the surface's
// number. Sorted by both, a bucket's surfaces are a run, in the order
// they were added.
type bucketed struct {
	key uint32
	s   int32
}

// maxBucketLength is the longest length a bucket's key tells: a word of
// more runes is kept with those of this many. Lengths only narrow which
// words are compared with a query word (withinOneEditOf decides), so a
// longer word is still found exactly.
const maxBucketLength = 1<<11 - 1

// bucketKey is the key of the bucket of words of n runes (or more, past
// maxBucketLength) under rune r: the length above the rune's 21 bits.
func bucketKey(n int, r rune) uint32 {
	return uint32(min(n, maxBucketLength))<<21 | uint32(r)&(1<<21-1)
}

// bucketOf is the run of list under key k.
func bucketOf(list []bucketed, k uint32) []bucketed {
	from, _ := slices.BinarySearchFunc(list, k, func(b bucketed, k uint32) int {
		switch {
		case b.key < k:
			return -1
		case b.key > k:
			return 1
		}
		return 0
	})
	to := from
	for to < len(list) && list[to].key == k {
		to++
	}
	return list[from:to]
}

func compareBucketed(a, b bucketed) int {
	switch {
	case a.key != b.key:
		if a.key < b.key {
			return -1
		}
		return 1
	case a.s != b.s:
		if a.s < b.s {
			return -1
		}
		return 1
	}
	return 0
}

// mergeBucketed is old (sorted) with added, in order: a new array, old
// being read still.
func mergeBucketed(old, added []bucketed) []bucketed {
	slices.SortFunc(added, compareBucketed)
	out := make([]bucketed, 0, len(old)+len(added))
	i, j := 0, 0
	for i < len(old) && j < len(added) {
		if compareBucketed(old[i], added[j]) < 0 {
			out = append(out, old[i])
			i++
		} else {
			out = append(out, added[j])
			j++
		}
	}
	out = append(out, old[i:]...)
	return append(out, added[j:]...)
}

// firstRunes are a word's length in runes and its first two runes (a
// surface has at least minTypoLength-1).
func firstRunes(w string) (n int, r0, r1 rune) {
	r0, size := utf8.DecodeRuneInString(w)
	r1, _ = utf8.DecodeRuneInString(w[size:])
	return utf8.RuneCountInString(w), r0, r1
}
