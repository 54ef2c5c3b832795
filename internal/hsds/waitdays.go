package hsds

import (
	"regexp"
	"strconv"
	"strings"
)

// waitPattern is a wait said as one quantity: "2 weeks", "30 days",
// "6-8 weeks", "up to 3 months", "about 10 business days". A range reads
// as its upper bound: matching asks whether the family can still enrol
// after the wait, so the longer end is the one that may close the door.
var waitPattern = regexp.MustCompile(`^(?:(?:up to|within|about|approximately|approx\.?|around|usually|typically|less than|under|at most|no more than)\s+)?` +
	`(\d{1,3})(?:\s*(?:-|–|to)\s*(\d{1,3}))?\s*(?:business\s+|calendar\s+|working\s+)?` +
	`(days?|weeks?|wks?|months?|mos?)\.?(?:\s+(?:wait|waiting list|waitlist))?$`)

// noWait is text that says there is no wait.
var noWait = map[string]bool{"none": true, "no wait": true, "no waiting list": true, "no waitlist": true, "0": true, "0 days": true}

// waitDaysFromText reads an HSDS wait_time as a number of days where the
// text is one quantity (a month counts 30 days, a week 7); ok is false for
// anything else ("varies", "2 weeks for intake, 3 months for a visit"),
// whose text is kept as it is.
func waitDaysFromText(text string) (days int, ok bool) {
	s := strings.ToLower(strings.Join(strings.Fields(text), " "))
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return 0, false
	}
	if noWait[s] {
		return 0, true
	}
	m := waitPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] != "" {
		hi, _ := strconv.Atoi(m[2])
		if hi < n {
			return 0, false // "8-6 weeks": not a range to guess at
		}
		n = hi
	}
	switch unit := m[3]; {
	case strings.HasPrefix(unit, "w"):
		n *= 7
	case strings.HasPrefix(unit, "m"):
		n *= 30
	}
	return n, true
}
