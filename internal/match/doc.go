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
//  4. the family's language offered;
//  5. a preferred delivery mode offered;
//  6. more specific coverage: ZIP, RADIUS or COUNTY, then STATE, then
//     NATIONWIDE or ONLINE;
//  7. nearer (unknown distances last);
//  8. more recently verified (never verified last);
//  9. lower ID.
//
// What the family did not say never excludes a service: the rule that depends
// on it becomes a CONFIRM reason. Preferences (language, delivery mode) rank
// but never exclude. Places resolve against the embedded reference in
// package geo, never a network service.
//
// The package knows nothing of HTTP or GraphQL.
package match
