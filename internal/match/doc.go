// Package match answers the directory's central question: which services
// can serve this family, with these needs, in this area, and why not the
// others?
//
// Given what a family says (a place, a child's age or a pregnancy, needs,
// preferences), Match finds the services whose coverage includes the family's
// place, evaluates each one's eligibility (its own, or its program's whole),
// explains every decision in sentences a call-center worker can read out, and
// ranks the results deterministically. The whole order, one key after
// another (rankKey.compare; the README repeats it):
//
//  1. eligible before ineligible;
//  2. open before temporarily closed;
//  3. more of the family's needs met;
//  4. stated rules met before rules the record leaves open (UNSTATED: the
//     count of such rules, fewer first);
//  5. openings unknown or above zero before none (capacity available 0);
//  6. the family's language offered;
//  7. a preferred delivery mode offered;
//  8. more specific coverage: ZIP, RADIUS or COUNTY, then STATE, then
//     coverage of part of the family's place (a CONFIRM: see Place), then
//     NATIONWIDE or ONLINE, then coverage by location (a service that
//     states no area, placed by a location near the family) after every
//     stated area;
//  9. verified within the stale period (village serve --stale-after,
//     default 12 months) before stale; a listing never verified is not
//     stale (nothing says when it was checked);
//  10. nearer (unknown distances last);
//  11. more recently verified (never verified last);
//  12. lower ID.
//
// A result's score is (n−i)/n for the i-th (from 0) of n results: 1 for the
// first, strictly decreasing. A cursor holds the rank key of its result, so
// it stays valid across pages and repeated queries, even when the directory
// changed in between: the next page starts after that key.
//
// What the family did not say never excludes a service: the rule that depends
// on it becomes a CONFIRM reason, whose About names the rule (AGE, INCOME,
// LANGUAGE, ...). Preferences (language, delivery mode) rank
// but never exclude: an eligible result lists an unmet preference in unmet,
// and a service that lists no languages or modes gets a CONFIRM. Languages
// compare as ISO 639 languages ("es" finds "spa").
//
// # Place
//
// Places resolve against the embedded reference in package geo, never a
// network service. The family's own words decide the area, most precise
// first: a ZIP (five digits or ZIP+4, whose +4 is dropped), else a city
// with its state, else a county, else a state. A city resolves through
// geo.LookupCity to its ZIPs and centre (the mean of their centroids), the
// point distances are measured from; names compare by geo.CityKey (case,
// punctuation, "St." and "Saint"), and a city includes the neighbourhoods
// GeoNames names on their own (Boston: Dorchester, Roxbury, Mattapan, ...),
// while a neighbourhood named is its own ZIPs alone. A city of one ZIP is
// that ZIP. A city without a state resolves when one state has the name;
// otherwise it is bad input at family.state listing the states that do. Coordinates give the point
// distances are measured from and, without a ZIP, the area too: the nearest
// ZIP centroid's. Border caveat: that ZIP may lie across a county or state
// line from the home, so a county or state given with the coordinates wins
// when the nearest ZIP is not in it. Places given together must agree (a
// county outside the ZIP is bad input), and coordinates more than 250 km from
// any ZIP centroid (the ocean, latitude and longitude swapped) are bad input.
//
// A family in a ZIP is covered by that ZIP, by any county the ZIP lies in
// (HUD lists several), by its state, by a RADIUS whose circle holds its point
// (its coordinates or the ZIP centroid), and by NATIONWIDE and ONLINE areas.
// County codes of another vintage (Connecticut's planning regions and old
// counties, a few Alaska and South Dakota changes) match through
// geo.EquivalentCounties, but only where the ZIP's own data does not already
// name its territory in that vintage: Bridgeport's 06604 lies in old county
// 09001 and region 09120 and matches both, not region 09190, which overlaps
// old Fairfield County elsewhere. A family placed by county matches that
// county and every equivalent code, its state, NATIONWIDE and ONLINE; by
// state, STATE, NATIONWIDE and ONLINE; by city, the counties holding (95% of)
// the city's ZIPs, its state, a RADIUS holding its centre, NATIONWIDE and
// ONLINE. Families placed by county or state have no distance. TEXT areas
// never match.
//
// A service covering only part of a family's city, county or state (a ZIP
// of the city or county, a county holding some of the city's ZIPs, a RADIUS
// reaching some of its ZIP centroids; for a state, any ZIP, COUNTY or RADIUS
// area lying in it) is not a miss: the family may live in that part. It is
// eligible with a CONFIRM reason the worker can read out ("Covers part of
// Boston, MA (ZIP 02121): ask for the family's ZIP.") and ranks after
// services covering the whole place by county or state.
//
// Distance is to the service's nearest physical location the caller may
// see: the public never gets a distance to a confidential location, so a
// service located only there has none. A location with an address but no
// coordinates is placed at its US ZIP's centroid, and the distance says it
// is approximate (Result.DistanceApproximate; reasons say "about 3 km" and
// why). Virtual and postal locations place nothing. maxDistanceKm excludes a
// service (DISTANCE) only when its distance is known, never one with an
// ONLINE or NATIONWIDE area, and is ignored for a family without a point.
//
// # Services placed by location
//
// A service that states no area that can place it (none, or only TEXT
// areas) is matched by its nearest location: within the family's
// maxDistanceKm, or DefaultLocationReachKm (40 km) when the family gives
// none, with the reason "Has a location 3.2 km away; it records no service
// area." It ranks after every service whose stated area covers the family.
// A service that does state an area is never placed by its locations: its
// own word on where it serves stands. A family without a point (placed by
// county or state alone) finds no service this way. Near misses look as far
// as the default reach, so a service just past the family's own limit is a
// DISTANCE near miss. A location the viewer may not see (a confidential
// one, for anyone but staff, admins and editors of the organization running
// it) never places a service for that viewer, from any point: repeated
// matches cannot triangulate it. The index holds these locations in a
// latitude-sorted list (snapshot.sites), scanned like RADIUS areas.
//
// # The index
//
// Matching reads an in-memory snapshot of the services it can return
// (index.go), indexed by area code, state, radius latitude, located site
// and need (bitsets by position). Every committed write appends a change
// event, so the feed's newest ID is an exact freshness token across
// processes: each match reads it (one statement) and, when it moved, the
// snapshot is brought up to it before matching. refresh reads only the
// events since and the services they touch (by a service, one of its
// areas, locations or links to them, its organization or program), copies
// the other entries and indexes the whole again in memory: a write costs
// the next match a few small statements and an in-memory pass, not a
// reload of the directory. Past 2,000 events, or when a taxonomy term
// changed (it can reshape the needs vocabulary), it loads everything. The
// old snapshot is never modified: requests reading it finish on it.
//
// Memory. The index keeps no service rows: an entry holds what matching
// tests of its service (facts: ID, organization, status, sample flag,
// languages, delivery modes, capacity, wait and verification, named as the
// row names them), read with only those columns. A page's rows are read
// again by ID, for the page and the programs' nearest only, in one
// statement (Matcher.Rows: a match page then costs two statements, the
// feed position and that, one more than when the index held whole rows),
// with the index's organization and program rows as their edges (about
// 2,000 and 7 shared rows at national size, held whole so that a page
// asking for them costs no further statement); graph reads with the edges
// the query selects instead when it asks for more. Nor does it keep area
// rows: an area is a small struct (area: its ID, kind, code, state, name,
// sample flag and centre, 32 bytes: see Layout), and a result's
// coverage row is made from it when the result is explained (Outcome.Page,
// ExplainAll); graph reads the page's coverage rows again (one statement)
// only when a query asks for what the index does not hold (times,
// version, provenance, external identifiers, edges). What the entries
// repeat is held once (statuses, wait texts, language and delivery-mode
// lists, area names and codes in the tables below; the few hundred
// distinct eligibilities of a national directory through compact.go's
// interner; each of which the database driver hands over as a copy of its
// own): safe because the index is shared by every request and never
// modified, and shared lists are clipped so no append reaches another
// entry.
//
// Layout. The collector marks what the index holds at every cycle, and
// with the soft memory limit (server's # Memory) it cycles often, so the
// index is laid out in few objects with few pointers (compact.go's
// tables). The entries are one array of structs (entry); a service's
// facts are in its entry with no pointer: its status, wait text, language
// and delivery-mode lists and times are numbers of the snapshot's tables
// (a byte buffer holding each distinct string once, the distinct lists,
// one array of times). Its areas, located places and needs are ranges of
// three arrays shared by every entry; an area is 32 bytes with no pointer
// (its code, state and name numbers of the string buffer, its centre one
// of an array of centres). The areas by code are one array sorted by rank
// and code, searched by binary search, each naming a range of one array
// of entry positions; lists by state, the nationwide services, radii and
// located sites hold positions (int32), not pointers. A refresh lays the
// entries it keeps out again in new tables with the ones it reads, so a
// snapshot holds nothing its predecessors dropped. What is left for the
// collector to follow is an entry's few pointers (its organization,
// program, eligibility, tables and three ranges) and the organization and
// program rows. IndexStats.Bytes (village_match_index_bytes) estimates the
// whole, each shared value counted once, worked out at the first metrics
// scrape after a build rather than while a match waits. At national size
// (18,766 services, 94,430 areas) that is about 11.4 MB in some 21,000
// heap objects (18.0 MB before this layout, 34.7 MB while it kept the
// service rows, 61 MB while it kept area rows too): the entries
// 3.5 MB, the areas 3.0 MB, the organization rows 2.1 MB, the located
// places 1.1 MB, the rest under 1 MB each.
//
// # What is true today
//
// Capacity available 0 is an OPENINGS reason with the date of that figure
// ("Had no openings as of 1 June 2025: …"), ranked after services with
// openings or that do not report capacity; Options.OpeningsOnly makes it a
// miss. A recorded wait is a WAIT reason quoting it. Where the record gives
// the wait in days (Service.waitDays) and the family can enrol only for a
// while (a child of known age in a service with an oldest age; a pregnancy
// of known week in a service with a last week to enrol), a wait at least as
// long as that window is an unmet WAIT: the family would be past the rule
// by the time it is served. The window is the longest it can be (exact
// from a birth date; whole months from an age in months; a week past the
// last week of pregnancy), so a wait is held against a family only when it
// is surely too long. A listing last verified more than the stale period
// ago is a VERIFIED reason naming the month; Options.VerifiedWithinMonths
// makes listings verified longer ago, and never-verified ones, misses.
//
// # Eligibility
//
// A service without its own eligibility takes its program's whole.
//
// Stated and unstated rules. An eligibility's statedRules tells "the source
// says: no limit" from "the source does not say". The stored form keeps old
// records' meaning: statedRules absent (nil), as on every record written
// before it existed and on any write that leaves it out, means every rule is
// stated, a nil bound meaning no limit, exactly as before. A list, even
// empty, states the rules listed and those given a value
// (directory.Eligibility.States); the others are left open. Imports from
// HSDS without Village attributes state only what they give (their ages);
// the seed states what its documents state. A service whose own eligibility
// leaves a rule open takes that rule from its program where the program
// states it (directory.Effective), so old records, which state every rule,
// still replace their program's whole and fields are never merged for them.
// A rule neither states is UNSTATED, but only where the family gave the fact
// it depends on: ages when the child's age is given (not for a
// pregnant-only service, which ignores ages); whether it enrols during
// pregnancy, when the family is expecting and no child of theirs qualifies;
// the last week to enrol by, when the family gives the week and the service
// enrols during pregnancy; income, when given; first-time parents only and
// court involvement only, when the family's answer would exclude it (not a
// first-time parent, not court-involved). An UNSTATED reason names the rule
// in About, quotes the first sentence of the eligibility text (trimmed to
// 100 characters), and says what to ask ("— ask about a 4-year-old."). It
// never excludes: the result stays eligible and ranks after results with
// fewer rules left open. A service and program with no eligibility at all
// have nothing to check, as before.
//
// Stated rules are applied as follows. Ages are completed months at the matcher's today (a month completes
// on the birth day of the month, or on the last day of a shorter month); both
// bounds inclusive. A pregnancy week or due date implies a pregnancy; the
// week from a due date is (280 − days until it) / 7, whole weeks. A pregnant
// family qualifies for a service through its child if the child fits (any
// child, when the service sets no age bounds), else through the pregnancy
// where the service accepts pregnant families (a last week to enrol by says
// it does) up to that week (inclusive); where an age-bounded service does not
// say whether it does, the family is asked (CONFIRM), whatever its child's
// age. A near miss lists each route that fails: a refusal of pregnancies, or
// a week past the cut-off, beside the child's age. A pregnant-only service
// enrols through the pregnancy alone: a family with a born child that does not
// say it is expecting again is out (PREGNANT_ONLY), one that says nothing at
// all is asked, and the service's age bounds are not applied. Income is
// compared in whole dollars with the 2025 HHS poverty guideline of the
// family's state (Alaska, Hawaii, or the 48 states and DC): exactly at the
// limit is within. A referral requirement and priority populations are
// reasons, never exclusions.
//
// Needs: a service meets a requested need when it is tagged with that term or
// a narrower one (a child term counts for its parent). A service tagged only
// with the broader term does not meet a request for a narrower one: "parenting
// support" may not include home visits. With no needs given, every need
// counts.
//
// # Near misses
//
// With IncludeIneligible, the results add the services with an area in the
// family's state (or covering the family) that fail at least one criterion,
// each failed criterion in unmet. Inactive and defunct services never appear,
// nor do services known only by TEXT areas. Totals and the programs summary
// count the same results the list holds. A program's nearest is its nearest
// eligible result (a near miss only when none is eligible), or its best
// ranked when no distance is known. Every program summary carries the
// reasons of the family against the program's own rules (not a service's).
//
// # Programs without a local site
//
// Outcome.Unserved lists the programs whose own rules the family meets or
// may meet (CONFIRM or UNSTATED, never a miss) but that no eligible,
// non-sample result implements: "this model fits you; no local site is
// listed here". Sample programs and programs whose audiences leave out
// parents are not listed; with needs asked for, neither is a program none of
// whose services (anywhere in the directory, samples included) meets one,
// and a program with no services at all says nothing about needs, so it is
// listed only when no need is asked for. Reasons: the needs its services
// meet, then its own rules'. Ordered by fewer rules left open, then name,
// then ID. The programs are read with the index, so this costs no statement.
//
// # Counties no service covers
//
// Uncovered is the directory's side of Help Me Grow's gap report: for each
// need, the counties where no service covers a family of a profile (the
// family's facts without a place). It reuses evaluate as it is: a county is
// covered when a non-sample service meeting the need is eligible for the
// profile placed by that county (CONFIRM and UNSTATED do not exclude, and
// coverage of part of the county counts), or when a service recording no
// area has a visible location there; a language given is required (or left
// unknown by the listing), not merely preferred. So a county is listed only
// when nothing may serve a family there. It reads the index, never the
// database per county: the services a state shares (nationwide, online,
// statewide) are judged once per state, and only when they leave a need
// uncovered are the county's own candidates (its county and ZIP areas, the
// radii of relevant services reaching one of its ZIP centroids, located
// services) judged, only those meeting a need still uncovered.
//
// The package knows nothing of HTTP or GraphQL.
package match
