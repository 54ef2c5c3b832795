export interface Reason {
  criterion: string;
  message: string;
  about: string | null;
}

export interface Phone {
  number: string;
  extension: string | null;
  type: string;
  description: string | null;
  languages: string[] | null;
  staffOnly: boolean;
}

export interface Schedule {
  byday: string | null;
  opensAt: string | null;
  closesAt: string | null;
  description: string | null;
  freq: string | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface Location {
  name: string;
  locationType: string;
  url: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  confidential: boolean;
  sample: boolean;
  phones: Phone[] | null;
  schedules: Schedule[] | null;
}

export interface ServiceAtLocation {
  description: string | null;
  phones: Phone[] | null;
  schedules: Schedule[] | null;
  location: Location;
}

export interface Service {
  id: string;
  name: string;
  sample: boolean;
  description: string | null;
  url: string | null;
  email: string | null;
  free: boolean | null;
  feesDescription: string | null;
  languages: string[] | null;
  deliveryModes: string[] | null;
  applicationProcess: string | null;
  interpretationServices: string | null;
  internalNotes: string | null;
  waitTime: string | null;
  organization: { name: string; sample: boolean; phones: Phone[] | null };
  program: { name: string; sample: boolean } | null;
  phones: Phone[] | null;
  schedules: Schedule[] | null;
  serviceAtLocations: { edges: { node: ServiceAtLocation }[] };
}

export interface OpenState {
  status: 'OPEN' | 'CLOSED' | 'UNKNOWN';
  until: string | null;
  timeZone: string | null;
}

export interface MatchEdge {
  score: number;
  openState: OpenState;
  eligible: boolean;
  distanceKm: number | null;
  distanceApproximate: boolean;
  reasons: Reason[];
  unmet: Reason[];
  node: Service;
}

export interface ProgramMatch {
  program: { id: string; name: string; url: string | null; siteFinderUrl: string | null; sample: boolean };
  reasons: Reason[];
}

export interface MatchConnection {
  totalCount: number;
  edges: MatchEdge[];
  unservedPrograms: ProgramMatch[];
}

export interface Need {
  code: string;
  name: string;
  description: string | null;
}
