package match

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/village-directory/village/internal/directory"
)

// Cursor marks a place in a ranked answer by the rank key of the result
// before it, so a cursor stays valid across pages of the same query even
// when the directory changes between them: the next page starts after that
// key, wherever it now falls.
type Cursor string

// Cursor returns the cursor just after r.
func (r *Result) Cursor() Cursor {
	k := r.key
	dist, verified := "-", "-"
	if k.located {
		dist = strconv.FormatFloat(k.distance, 'g', -1, 64)
	}
	if k.verified != nil {
		verified = strconv.FormatInt(k.verified.UnixNano(), 10)
	}
	return Cursor(fmt.Sprintf("%d|%d|%d|%d|%d|%d|%d|%s|%s|%d", b2i(k.eligible), b2i(k.open), k.needs, k.unstated,
		b2i(k.language), b2i(k.mode), k.specificity, dist, verified, k.id))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func parseCursor(c Cursor) (rankKey, error) {
	parts := strings.Split(string(c), "|")
	if len(parts) != 10 {
		return rankKey{}, fmt.Errorf("not a match cursor")
	}
	ints := make([]int, 10)
	for i, p := range parts {
		if i == 7 || i == 8 {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return rankKey{}, fmt.Errorf("not a match cursor")
		}
		ints[i] = n
	}
	k := rankKey{eligible: ints[0] == 1, open: ints[1] == 1, needs: ints[2], unstated: ints[3], language: ints[4] == 1,
		mode: ints[5] == 1, specificity: ints[6], id: ints[9]}
	if parts[7] != "-" {
		d, err := strconv.ParseFloat(parts[7], 64)
		if err != nil {
			return rankKey{}, fmt.Errorf("not a match cursor")
		}
		k.distance, k.located = d, true
	}
	if parts[8] != "-" {
		ns, err := strconv.ParseInt(parts[8], 10, 64)
		if err != nil {
			return rankKey{}, fmt.Errorf("not a match cursor")
		}
		t := time.Unix(0, ns)
		k.verified = &t
	}
	return k, nil
}

// Page cuts up to first results after the cursor (from the start when
// after is empty) and says whether more follow.
func (o *Outcome) Page(after Cursor, first int) (page []*Result, hasNext, hasPrevious bool, err error) {
	start := 0
	if after != "" {
		key, err := parseCursor(after)
		if err != nil {
			return nil, false, false, &directory.FieldError{Field: "after", Message: "not a cursor of this match"}
		}
		for start < len(o.Results) && o.Results[start].key.compare(key) <= 0 {
			start++
		}
	}
	end := min(start+max(first, 0), len(o.Results))
	page = o.Results[start:end]
	for _, r := range page {
		r.explain()
	}
	return page, end < len(o.Results), start > 0, nil
}

// Eligible counts the eligible results.
func (o *Outcome) Eligible() int {
	n := 0
	for _, r := range o.Results {
		if r.Eligible {
			n++
		}
	}
	return n
}
