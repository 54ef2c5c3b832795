const PHONE = 'number extension type description languages staffOnly';
const SCHEDULE = 'byday opensAt closesAt description freq validFrom validTo';

// The services of a match, with what the worker reads out and what the
// family's list needs. Staff keys see staff-only phones and confidential
// addresses; the server decides, the console only shows what it is given.
export const MATCH = `query ConsoleMatch($family: FamilyInput!, $first: Int) {
  match(family: $family, first: $first, includeIneligible: true) {
    totalCount
    edges {
      score eligible distanceKm distanceApproximate
      openState { status until timeZone }
      reasons { criterion message about }
      unmet { criterion message about }
      node {
        id name sample description url email free feesDescription languages deliveryModes
        applicationProcess interpretationServices internalNotes waitTime
        organization { name sample phones { ${PHONE} } }
        program { name sample }
        phones { ${PHONE} }
        schedules { ${SCHEDULE} }
        serviceAtLocations(first: 3) { edges { node {
          description
          phones { ${PHONE} }
          schedules { ${SCHEDULE} }
          location { name locationType url address1 address2 city region postalCode confidential sample
            phones { ${PHONE} } schedules { ${SCHEDULE} } }
        } } }
      }
    }
    unservedPrograms { program { id name url siteFinderUrl sample } reasons { criterion message about } }
  }
}`;

export const NEEDS = `query ConsoleNeeds {
  taxonomyTerms(first: 100, where: {vocabulary: "village-needs"}, orderBy: {field: NAME}) {
    edges { node { code name description } }
  }
}`;
