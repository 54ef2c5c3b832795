package relay

import (
	"bytes"
	"math"
	"strconv"
	"testing"
)

// TestMarshalIDQuotesEncode checks that MarshalID writes what quoting
// Encode's string would, from the smallest ID to the largest.
func TestMarshalIDQuotesEncode(t *testing.T) {
	for _, id := range []int{1, 9, 10, 255, 256, 12345, 1 << 31, math.MaxInt64} {
		var b bytes.Buffer
		MarshalID(id).MarshalGQL(&b)
		if want := strconv.Quote(Encode(id)); b.String() != want {
			t.Errorf("MarshalID(%d) wrote %s, want %s", id, b.String(), want)
		}
		if got, err := UnmarshalID(Encode(id)); err != nil || got != id {
			t.Errorf("UnmarshalID(Encode(%d)) = %d, %v", id, got, err)
		}
	}
}
