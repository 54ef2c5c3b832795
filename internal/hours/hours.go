package hours

import (
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones load the same on every machine

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/schedule"
)

// Status is whether a service is open at an instant.
type Status string

const (
	// Open: a schedule says the service is open then.
	Open Status = "OPEN"
	// Closed: the service's schedules cover that day and none is open then
	// (or a holiday row says closed).
	Closed Status = "CLOSED"
	// Unknown: hours not listed, or the listed hours cannot be read for
	// that day (no time zone, a rule Village cannot evaluate, a day no
	// schedule covers). Never to be shown as closed.
	Unknown Status = "UNKNOWN"
)

// State is a service's open state at an instant.
type State struct {
	Status Status
	// Until is when Status next changes (the service closes, or next
	// opens), when that is known within the next week; nil otherwise.
	Until *time.Time
	// Zone is the IANA time zone the deciding hours were read in; "" when
	// none was found.
	Zone string
}

// OpenNow is the state as a nullable Boolean: nil for Unknown.
func (s State) OpenNow() *bool {
	switch s.Status {
	case Open:
		t := true
		return &t
	case Closed:
		f := false
		return &f
	}
	return nil
}

// lookahead bounds the search for the next change.
const lookahead = 8

// date is a calendar date.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date { y, m, d := t.Date(); return date{y, m, d} }

// scheduleDate reads a stored valid_from/valid_to: Village stores them as
// midnight UTC of the day meant.
func scheduleDate(t *time.Time) date { return dateOf(t.UTC()) }

func (d date) add(n int) date { return dateOf(time.Date(d.y, d.m, d.d+n, 12, 0, 0, 0, time.UTC)) }
func (d date) before(e date) bool {
	return d.y < e.y || d.y == e.y && (d.m < e.m || d.m == e.m && d.d < e.d)
}
func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()
}
func (d date) days() int { // days since 1970-01-01
	return int(time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// span is an interval [from, to) of instants.
type span struct{ from, to time.Time }

// dayPlan is what a group of schedules says of one local calendar day.
type dayPlan struct {
	known bool   // the schedules say whether the service opens that day
	spans []span // opening spans starting that day (an overnight one ends the next day)
}

var weekdays = map[string]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday,
	"WE": time.Wednesday, "TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday}

// isDated says a row is for given dates (a holiday or special day): it
// has a first day and no recurrence.
func isDated(r *ent.Schedule) bool {
	return r.Freq == "" && r.Byday == "" && r.Bymonthday == "" && r.ValidFrom != nil
}

func isRecurring(r *ent.Schedule) bool {
	return r.Freq != "" || r.Byday != "" || r.Bymonthday != ""
}

func within(r *ent.Schedule, d date) bool {
	if r.ValidFrom != nil && d.before(scheduleDate(r.ValidFrom)) {
		return false
	}
	if r.ValidTo != nil && scheduleDate(r.ValidTo).before(d) {
		return false
	}
	return true
}

// recurs reports whether a recurring row falls on d; ok is false when the
// row cannot be evaluated (an unknown day code, an interval without a first
// day to count from).
func recurs(r *ent.Schedule, d date) (on, ok bool) {
	interval := 1
	if r.Interval != nil {
		interval = *r.Interval
	}
	var anchor *date
	if r.ValidFrom != nil {
		a := scheduleDate(r.ValidFrom)
		anchor = &a
	}
	if interval > 1 {
		if anchor == nil {
			return false, false
		}
		switch r.Freq {
		case schedule.FreqMONTHLY:
			months := (d.y-anchor.y)*12 + int(d.m-anchor.m)
			if months%interval != 0 {
				return false, true
			}
		default: // weekly
			week := func(x date) int { return (x.days() + 3) / 7 } // weeks start on Monday (1970-01-01 was a Thursday)
			if (week(d)-week(*anchor))%interval != 0 {
				return false, true
			}
		}
	}
	byday, bymonthday := strings.TrimSpace(r.Byday), strings.TrimSpace(r.Bymonthday)
	if byday == "" && bymonthday == "" {
		// iCal: the day of the first occurrence.
		if anchor == nil {
			return false, false
		}
		if r.Freq == schedule.FreqMONTHLY {
			return d.d == anchor.d, true
		}
		return d.weekday() == anchor.weekday(), true
	}
	dayOK, monthDayOK := byday == "", bymonthday == ""
	last := time.Date(d.y, d.m+1, 0, 12, 0, 0, 0, time.UTC).Day()
	for code := range strings.SplitSeq(byday, ",") {
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" {
			continue
		}
		if len(code) < 2 {
			return false, false
		}
		wd, known := weekdays[code[len(code)-2:]]
		if !known {
			return false, false
		}
		nth := 0
		if prefix := code[:len(code)-2]; prefix != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(prefix, "+"))
			if err != nil || n == 0 || n > 5 || n < -5 {
				return false, false
			}
			nth = n
		}
		switch {
		case d.weekday() != wd:
		case nth == 0:
			dayOK = true
		case nth > 0 && (d.d-1)/7+1 == nth:
			dayOK = true
		case nth < 0 && (last-d.d)/7+1 == -nth:
			dayOK = true
		}
	}
	for code := range strings.SplitSeq(bymonthday, ",") {
		code = strings.TrimSpace(code)
		if code == "" {
			continue
		}
		n, err := strconv.Atoi(code)
		if err != nil || n == 0 || n > 31 || n < -31 {
			return false, false
		}
		if n == d.d || n < 0 && last+1+n == d.d {
			monthDayOK = true
		}
	}
	return dayOK && monthDayOK, true
}

// clock parses HH:MM.
func clock(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// rowSpan is the opening span a row gives on d; false when it gives no
// complete hours (a closure, or a time missing).
func rowSpan(r *ent.Schedule, d date, loc *time.Location) (span, bool) {
	if r.Closed != nil && *r.Closed {
		return span{}, false
	}
	oh, om, ok1 := clock(r.OpensAt)
	ch, cm, ok2 := clock(r.ClosesAt)
	if !ok1 || !ok2 {
		return span{}, false
	}
	from := time.Date(d.y, d.m, d.d, oh, om, 0, 0, loc)
	end := d
	if ch*60+cm <= oh*60+om { // overnight (or round the clock): closes the next day
		end = d.add(1)
	}
	return span{from, time.Date(end.y, end.m, end.d, ch, cm, 0, 0, loc)}, true
}

// plan says what the rows say of local day d. Dated rows (holidays) that
// cover d override the recurring ones: closed on true, their hours
// otherwise. Recurring rows then: the hours of those falling on d; a day
// none falls on is closed, provided some recurring row is in force that
// day (a weekly timetable lists the days it opens). Anything else is
// unknown.
func plan(rows []*ent.Schedule, d date, loc *time.Location) dayPlan {
	var dated, recurring []*ent.Schedule
	inForce := false
	for _, r := range rows {
		switch {
		case isDated(r):
			to := scheduleDate(r.ValidFrom)
			if r.ValidTo != nil {
				to = scheduleDate(r.ValidTo)
			}
			if !d.before(scheduleDate(r.ValidFrom)) && !to.before(d) {
				dated = append(dated, r)
			}
		case isRecurring(r) && within(r, d):
			inForce = true
			on, ok := recurs(r, d)
			if !ok {
				return dayPlan{}
			}
			if on {
				recurring = append(recurring, r)
			}
		}
	}
	decide := func(rs []*ent.Schedule) dayPlan {
		p := dayPlan{}
		closed, vague := false, false
		for _, r := range rs {
			if s, ok := rowSpan(r, d, loc); ok {
				p.spans = append(p.spans, s)
			} else if r.Closed != nil && *r.Closed {
				closed = true
			} else {
				vague = true
			}
		}
		p.known = len(p.spans) > 0 || closed || !vague
		return p
	}
	if len(dated) > 0 {
		return decide(dated)
	}
	if !inForce {
		return dayPlan{}
	}
	return decide(recurring) // none falling on d: known, closed
}

// Evaluate answers whether rows, one context's schedules read in loc, have
// the service open at the instant at. loc nil means no zone is known: the
// answer is Unknown.
func Evaluate(rows []*ent.Schedule, loc *time.Location, at time.Time) State {
	if loc == nil || len(rows) == 0 {
		return State{Status: Unknown}
	}
	st := State{Zone: loc.String()}
	today := dateOf(at.In(loc))
	plans := map[date]dayPlan{}
	get := func(d date) dayPlan {
		p, ok := plans[d]
		if !ok {
			p = plan(rows, d, loc)
			plans[d] = p
		}
		return p
	}
	// Open now: a span of yesterday (overnight) or today holds at.
	for _, d := range []date{today.add(-1), today} {
		for _, s := range get(d).spans {
			if !at.Before(s.from) && at.Before(s.to) {
				st.Status = Open
				st.Until = closesAt(s.to, today, get)
				return st
			}
		}
	}
	if !get(today).known || !get(today.add(-1)).known && hasOvernight(rows) {
		st.Status = Unknown
		return st
	}
	st.Status = Closed
	for i := 0; i < lookahead; i++ {
		p := get(today.add(i))
		if !p.known {
			break
		}
		var next *time.Time
		for _, s := range p.spans {
			if s.from.After(at) && (next == nil || s.from.Before(*next)) {
				from := s.from
				next = &from
			}
		}
		if next != nil {
			st.Until = next
			break
		}
	}
	return st
}

// closesAt follows spans that meet or overlap end to the time the service
// really closes; nil if it is still open lookahead days on.
func closesAt(end time.Time, today date, get func(date) dayPlan) *time.Time {
	for range lookahead * 4 {
		extended := false
		for i := -1; i < lookahead; i++ {
			for _, s := range get(today.add(i)).spans {
				if !s.from.After(end) && s.to.After(end) {
					end, extended = s.to, true
				}
			}
		}
		if !extended {
			return &end
		}
	}
	return nil
}

func hasOvernight(rows []*ent.Schedule) bool {
	for _, r := range rows {
		oh, om, ok1 := clock(r.OpensAt)
		ch, cm, ok2 := clock(r.ClosesAt)
		if ok1 && ok2 && ch*60+cm <= oh*60+om {
			return true
		}
	}
	return false
}

// Combine merges the states of a service's contexts (its own schedules,
// each service-at-location's): open if any is open, else unknown if any is
// unknown, else closed. No context at all is Unknown: hours not listed.
func Combine(states []State) State {
	if len(states) == 0 {
		return State{Status: Unknown}
	}
	var open, unknown, closed []State
	for _, s := range states {
		switch s.Status {
		case Open:
			open = append(open, s)
		case Closed:
			closed = append(closed, s)
		default:
			unknown = append(unknown, s)
		}
	}
	switch {
	case len(open) > 0:
		out := open[0]
		for _, s := range open[1:] { // open until the last context closes
			if out.Until != nil && (s.Until == nil || s.Until.After(*out.Until)) {
				out.Until = s.Until
			}
		}
		return out
	case len(unknown) > 0:
		return State{Status: Unknown, Zone: unknown[0].Zone}
	}
	out := closed[0]
	for _, s := range closed[1:] { // closed until the first context opens
		if s.Until != nil && (out.Until == nil || s.Until.Before(*out.Until)) {
			out.Until = s.Until
		}
	}
	return out
}

// LoadZone loads an IANA zone name; nil for "" or a name the embedded
// database does not know (stored data that escaped validation falls back
// rather than failing).
func LoadZone(name string) *time.Location {
	if name == "" || name == "Local" {
		return nil
	}
	// time.LoadLocation reads the zone's data again at every call: every
	// schedule of every service evaluated would.
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil // not remembered: stored data could name any number
	}
	zones.Store(name, loc)
	return loc
}

// zones are the locations LoadZone loaded, by name: the IANA database's,
// so at most a few hundred.
var zones sync.Map
