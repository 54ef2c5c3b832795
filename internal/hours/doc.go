// Package hours answers "is this service open at this instant?" from the
// schedules Village stores (HSDS schedules: weekly or monthly recurrences
// with byday/bymonthday, valid_from/valid_to, opens_at/closes_at, and dated
// rows for holidays), as a tri-state: Open, Closed or Unknown. It knows
// nothing of HTTP or GraphQL; the match resolver and (later) search call
// ForServices for a page of service ids.
//
// # Unknown is not closed
//
// A family told "closed" does not call; a family told nothing may. So the
// answer is Unknown whenever the data does not settle it: a service with no
// schedule ("hours not listed"), hours with no time zone to read them in, a
// day no schedule in force covers, a row saying neither hours nor closed, a
// recurrence Village cannot evaluate (an unknown day code; an interval
// without a first day to count from). Closed needs a positive statement: a
// weekly timetable in force that day that does not list the day, a holiday
// row with closed = true, or the service's status (temporarily closed,
// inactive, defunct).
//
// # Reading the schedules of one day
//
// A dated row (valid_from, no freq, byday or bymonthday: a holiday or
// special day, as HSDS 1.x holiday_schedules import) covers valid_from to
// valid_to and overrides every recurring row on those days: closed = true
// closes the day, its hours replace the regular ones. Otherwise the
// recurring rows in force (within valid_from..valid_to) that fall on the day
// give its hours; iCal rules apply: byday and bymonthday both must hold when
// both are given, "1MO" / "-1FR" are the first Monday / last Friday of the
// month, a rule with neither repeats on the weekday (or day of the month) of
// valid_from, and interval counts weeks or months from valid_from. A
// recurring row with closed = true falling on a day closes it (unless another
// gives hours). closes_at at or before opens_at is overnight: the span ends
// the next day, so 22:00–06:00 is open at 02:00 on the following day, and
// equal times are round the clock. Spans are built with time.Date in the
// zone, so a day of a daylight-saving change is as long as it really is.
//
// # Contexts and time zones
//
// A service's schedules fall into contexts: its own rows (grouped by the
// location a row names, if any) and each of its service-at-locations' rows.
// A location's own schedules are the building's hours, not the service's,
// and are not read. Each context is evaluated alone and the results
// combined: Open if any context is open, else Unknown if any is unknown,
// else Closed. A context's zone is the first valid Schedule.timezone of its
// rows; else its location's zone (LocationZone: the county of the ZIP
// nearest its coordinates, else of its postal code, and that county's main
// zone from geo.CountyTimeZone, which is credited in internal/geo/data);
// for a service's own unplaced rows, the zone all its locations agree on.
// A timezone string that does not load (data that escaped validation) is
// skipped, never an error. tzdata is embedded, so zones and their DST rules
// are the same on every machine.
//
// State.Until (when the state next changes) is given when found within a
// week: the end of the open span (following spans that meet it), or the
// next opening.
//
// # Statements
//
// ForServices reads, per 5,000 ids, the services' statuses, their
// service-at-locations with locations, their schedules, and any other
// locations those schedules name: at most five statements however many
// schedules there are.
package hours
