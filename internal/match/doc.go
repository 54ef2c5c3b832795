// Package match answers the directory's central question: which services
// can serve this family, with these needs, in this area, and why not the
// others?
//
// Given what a family says (a place, a child's age or a pregnancy, needs,
// preferences), Match finds the services whose coverage includes the family's
// place, evaluates each one's eligibility (its own, or its program's whole),
// explains every decision in sentences a call-center worker can read out, and
// ranks the results deterministically:
//
//  1. eligible before ineligible;
//  2. open before temporarily closed;
//  3. more of the family's needs met;
//  4. fewer rules left open (UNSTATED): stated rules met before unstated;
//  5. the family's language offered;
//  6. a preferred delivery mode offered;
//  7. more specific coverage: ZIP, RADIUS or COUNTY, then STATE, then
//     NATIONWIDE or ONLINE;
//  8. nearer (unknown distances last);
//  9. more recently verified (never verified last);
//  10. lower ID.
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
// first: a ZIP, else a county, else a state. Coordinates give the point
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
// state, STATE, NATIONWIDE and ONLINE. ZIP and RADIUS areas, which may not
// reach the family's part of the county, do not match them, and they have no
// distance. TEXT areas never match.
//
// Distance is to the service's nearest location the caller may see: the
// public never gets a distance to a confidential location, so a service
// located only there has none. maxDistanceKm excludes a service (DISTANCE)
// only when its distance is known, never one with an ONLINE or NATIONWIDE
// area, and is ignored for a family without a point.
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
// The package knows nothing of HTTP or GraphQL.
package match
