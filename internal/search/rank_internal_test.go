package search

import (
	"math/rand/v2"
	"testing"
)

// TestHeadsBelowLiveHead: every tier a query can reach is below liveHead,
// so Page's counts by head keep the live results above the others.
func TestHeadsBelowLiveHead(t *testing.T) {
	best := int32(0)
	for c := range bestOf {
		for _, exact := range []bool{false, true} {
			counts := alt{exact: exact}.counts(1)
			best = max(best, counts[c].tier)
		}
	}
	if best*MaxWords >= liveHead {
		t.Errorf("a query of %d words reaches tier %d, at or above liveHead %d", MaxWords, best*MaxWords, liveHead)
	}
}

// TestWordScoresSumInAnyOrder: a record's score is the same whichever
// order rank takes the words in (it takes the rarest first, which a write
// can change), since each word's score is rounded so that sums are exact.
func TestWordScoresSumInAnyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		scores := make([]float64, 2+r.IntN(MaxWords-1))
		for i := range scores {
			// the largest a word counts for: a name's weight times the idf
			// of a term held by one record in a million
			scores[i] = roundWordScore(r.Float64() * 8 * idf(1_000_000, 1))
		}
		sum := 0.0
		for _, s := range scores {
			sum += s
		}
		r.Shuffle(len(scores), func(i, j int) { scores[i], scores[j] = scores[j], scores[i] })
		again := 0.0
		for _, s := range scores {
			again += s
		}
		if again != sum {
			t.Fatalf("%v sums to %v in one order and %v in another", scores, sum, again)
		}
	}
}
