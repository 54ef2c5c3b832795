package match

// The HHS poverty guidelines, which income limits are a percentage of.
// Source: U.S. Department of Health and Human Services, "2025 Poverty
// Guidelines" (Federal Register, January 2025). Update yearly; the year is
// named in every income reason.
const povertyGuidelineYear = 2025

type guideline struct{ first, additional int }

var povertyGuidelines = map[string]guideline{
	"":   {first: 15650, additional: 5500}, // the 48 contiguous states and DC
	"AK": {first: 19550, additional: 6880},
	"HI": {first: 17990, additional: 6330},
}

// povertyLine is the annual poverty guideline in dollars for a household of
// size in state.
func povertyLine(state string, size int) int {
	g, ok := povertyGuidelines[state]
	if !ok {
		g = povertyGuidelines[""]
	}
	return g.first + g.additional*(size-1)
}

// withinIncomeLimit reports whether income is at most limitPercent of the
// guideline (exactly at the limit is within), in integers so that no
// rounding moves a family across the line; and the most a household may
// earn, in whole dollars (e.g. 200% for 3 people in the 48 states: $53,300).
func withinIncomeLimit(state string, size, income, limitPercent int) (within bool, most int) {
	line := povertyLine(state, size)
	return income*100 <= limitPercent*line, limitPercent * line / 100
}
