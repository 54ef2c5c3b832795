package hsds

// The Go shapes of HSDS 3.0 objects, one type per schema in the spec's
// schema/ folder, with JSON tags exactly as the spec names the properties.
// Both directions use them: the export and the /hsds/ API marshal them, the
// importer unmarshals into them. Optional properties are omitted when empty
// (the spec's schemas type them as plain strings and numbers, so null would
// not validate); required ones are always written. HSDS "number" properties
// are *float64 so that any JSON number decodes.

// Version is the HSDS version Village speaks.
const Version = "3.0"

// Service is HSDS service.json.
type Service struct {
	ID                     string              `json:"id"`
	OrganizationID         string              `json:"organization_id,omitempty"`
	ProgramID              string              `json:"program_id,omitempty"`
	Name                   string              `json:"name"`
	AlternateName          string              `json:"alternate_name,omitempty"`
	Description            string              `json:"description,omitempty"`
	URL                    string              `json:"url,omitempty"`
	Email                  string              `json:"email,omitempty"`
	Status                 string              `json:"status"`
	InterpretationServices string              `json:"interpretation_services,omitempty"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	WaitTime               string              `json:"wait_time,omitempty"`
	Fees                   string              `json:"fees,omitempty"`
	Accreditations         string              `json:"accreditations,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *float64            `json:"minimum_age,omitempty"`
	MaximumAge             *float64            `json:"maximum_age,omitempty"`
	AssuredDate            string              `json:"assured_date,omitempty"`
	AssurerEmail           string              `json:"assurer_email,omitempty"`
	Licenses               string              `json:"licenses,omitempty"`
	Alert                  string              `json:"alert,omitempty"`
	LastModified           string              `json:"last_modified,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAreas           []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	Funding                []Funding           `json:"funding,omitempty"`
	CostOptions            []CostOption        `json:"cost_options,omitempty"`
	Program                *Program            `json:"program,omitempty"`
	RequiredDocuments      []RequiredDocument  `json:"required_documents,omitempty"`
	Contacts               []Contact           `json:"contacts,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
	Metadata               []Metadata          `json:"metadata,omitempty"`
}

// Organization is HSDS organization.json.
type Organization struct {
	ID                      string                   `json:"id"`
	Name                    string                   `json:"name"`
	AlternateName           string                   `json:"alternate_name,omitempty"`
	Description             string                   `json:"description"`
	Email                   string                   `json:"email,omitempty"`
	Website                 string                   `json:"website,omitempty"`
	TaxStatus               string                   `json:"tax_status,omitempty"`
	TaxID                   string                   `json:"tax_id,omitempty"`
	YearIncorporated        *float64                 `json:"year_incorporated,omitempty"`
	LegalStatus             string                   `json:"legal_status,omitempty"`
	Logo                    string                   `json:"logo,omitempty"`
	URI                     string                   `json:"uri,omitempty"`
	ParentOrganizationID    string                   `json:"parent_organization_id,omitempty"`
	Funding                 []Funding                `json:"funding,omitempty"`
	Contacts                []Contact                `json:"contacts,omitempty"`
	Phones                  []Phone                  `json:"phones,omitempty"`
	Locations               []Location               `json:"locations,omitempty"`
	Programs                []Program                `json:"programs,omitempty"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`
	Metadata                []Metadata               `json:"metadata,omitempty"`
	// Services is not in organization.json; the API's full_service option
	// nests them. Left empty everywhere else.
	Services []Service `json:"services,omitempty"`
}

// OrganizationIdentifier is HSDS organization_identifier.json.
type OrganizationIdentifier struct {
	ID               string      `json:"id"`
	OrganizationID   string      `json:"organization_id,omitempty"`
	IdentifierScheme string      `json:"identifier_scheme,omitempty"`
	IdentifierType   string      `json:"identifier_type"`
	Identifier       string      `json:"identifier"`
	Attributes       []Attribute `json:"attributes,omitempty"`
	Metadata         []Metadata  `json:"metadata,omitempty"`
}

// Program is HSDS program.json.
type Program struct {
	ID             string      `json:"id"`
	OrganizationID string      `json:"organization_id,omitempty"`
	Name           string      `json:"name"`
	AlternateName  string      `json:"alternate_name,omitempty"`
	Description    string      `json:"description"`
	Attributes     []Attribute `json:"attributes,omitempty"`
	Metadata       []Metadata  `json:"metadata,omitempty"`
}

// Location is HSDS location.json.
type Location struct {
	ID                     string          `json:"id"`
	LocationType           string          `json:"location_type"`
	URL                    string          `json:"url,omitempty"`
	OrganizationID         string          `json:"organization_id,omitempty"`
	Name                   string          `json:"name,omitempty"`
	AlternateName          string          `json:"alternate_name,omitempty"`
	Description            string          `json:"description,omitempty"`
	Transportation         string          `json:"transportation,omitempty"`
	Latitude               *float64        `json:"latitude,omitempty"`
	Longitude              *float64        `json:"longitude,omitempty"`
	ExternalIdentifier     string          `json:"external_identifier,omitempty"`
	ExternalIdentifierType string          `json:"external_identifier_type,omitempty"`
	Languages              []Language      `json:"languages,omitempty"`
	Addresses              []Address       `json:"addresses,omitempty"`
	Contacts               []Contact       `json:"contacts,omitempty"`
	Accessibility          []Accessibility `json:"accessibility,omitempty"`
	Phones                 []Phone         `json:"phones,omitempty"`
	Schedules              []Schedule      `json:"schedules,omitempty"`
	Attributes             []Attribute     `json:"attributes,omitempty"`
	Metadata               []Metadata      `json:"metadata,omitempty"`
}

// Address is HSDS address.json.
type Address struct {
	ID            string      `json:"id"`
	LocationID    string      `json:"location_id,omitempty"`
	Attention     string      `json:"attention,omitempty"`
	Address1      string      `json:"address_1"`
	Address2      string      `json:"address_2,omitempty"`
	City          string      `json:"city"`
	Region        string      `json:"region,omitempty"`
	StateProvince string      `json:"state_province"`
	PostalCode    string      `json:"postal_code"`
	Country       string      `json:"country"`
	AddressType   string      `json:"address_type"`
	Attributes    []Attribute `json:"attributes,omitempty"`
	Metadata      []Metadata  `json:"metadata,omitempty"`
}

// Accessibility is HSDS accessibility.json.
type Accessibility struct {
	ID          string      `json:"id"`
	LocationID  string      `json:"location_id,omitempty"`
	Description string      `json:"description,omitempty"`
	Details     string      `json:"details,omitempty"`
	URL         string      `json:"url,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
	Metadata    []Metadata  `json:"metadata,omitempty"`
}

// ServiceAtLocation is HSDS service_at_location.json.
type ServiceAtLocation struct {
	ID          string      `json:"id"`
	ServiceID   string      `json:"service_id,omitempty"`
	LocationID  string      `json:"location_id,omitempty"`
	Description string      `json:"description,omitempty"`
	Contacts    []Contact   `json:"contacts,omitempty"`
	Phones      []Phone     `json:"phones,omitempty"`
	Schedules   []Schedule  `json:"schedules,omitempty"`
	Location    *Location   `json:"location,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
	Metadata    []Metadata  `json:"metadata,omitempty"`
	// Service is not in service_at_location.json; the API's
	// service_at_locations endpoints nest it (as the spec's
	// service_at_location_full.json example does).
	Service *Service `json:"service,omitempty"`
}

// ServiceArea is HSDS service_area.json.
type ServiceArea struct {
	ID          string      `json:"id"`
	ServiceID   string      `json:"service_id,omitempty"`
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	Extent      string      `json:"extent,omitempty"`
	ExtentType  string      `json:"extent_type,omitempty"`
	URI         string      `json:"uri,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
	Metadata    []Metadata  `json:"metadata,omitempty"`
}

// Phone is HSDS phone.json.
type Phone struct {
	ID                  string      `json:"id"`
	LocationID          string      `json:"location_id,omitempty"`
	ServiceID           string      `json:"service_id,omitempty"`
	OrganizationID      string      `json:"organization_id,omitempty"`
	ContactID           string      `json:"contact_id,omitempty"`
	ServiceAtLocationID string      `json:"service_at_location_id,omitempty"`
	Number              string      `json:"number"`
	Extension           *float64    `json:"extension,omitempty"`
	Type                string      `json:"type,omitempty"`
	Description         string      `json:"description,omitempty"`
	Languages           []Language  `json:"languages,omitempty"`
	Attributes          []Attribute `json:"attributes,omitempty"`
	Metadata            []Metadata  `json:"metadata,omitempty"`
}

// Contact is HSDS contact.json.
type Contact struct {
	ID                  string      `json:"id"`
	OrganizationID      string      `json:"organization_id,omitempty"`
	ServiceID           string      `json:"service_id,omitempty"`
	ServiceAtLocationID string      `json:"service_at_location_id,omitempty"`
	LocationID          string      `json:"location_id,omitempty"`
	Name                string      `json:"name,omitempty"`
	Title               string      `json:"title,omitempty"`
	Department          string      `json:"department,omitempty"`
	Email               string      `json:"email,omitempty"`
	Phones              []Phone     `json:"phones,omitempty"`
	Attributes          []Attribute `json:"attributes,omitempty"`
	Metadata            []Metadata  `json:"metadata,omitempty"`
}

// Schedule is HSDS schedule.json.
type Schedule struct {
	ID                  string      `json:"id"`
	ServiceID           string      `json:"service_id,omitempty"`
	LocationID          string      `json:"location_id,omitempty"`
	ServiceAtLocationID string      `json:"service_at_location_id,omitempty"`
	ValidFrom           string      `json:"valid_from,omitempty"`
	ValidTo             string      `json:"valid_to,omitempty"`
	DTStart             string      `json:"dtstart,omitempty"`
	Timezone            *float64    `json:"timezone,omitempty"`
	Until               string      `json:"until,omitempty"`
	Count               *float64    `json:"count,omitempty"`
	WKST                string      `json:"wkst,omitempty"`
	Freq                string      `json:"freq,omitempty"`
	Interval            *float64    `json:"interval,omitempty"`
	ByDay               string      `json:"byday,omitempty"`
	ByWeekNo            string      `json:"byweekno,omitempty"`
	ByMonthDay          string      `json:"bymonthday,omitempty"`
	ByYearDay           string      `json:"byyearday,omitempty"`
	Description         string      `json:"description,omitempty"`
	OpensAt             string      `json:"opens_at,omitempty"`
	ClosesAt            string      `json:"closes_at,omitempty"`
	ScheduleLink        string      `json:"schedule_link,omitempty"`
	AttendingType       string      `json:"attending_type,omitempty"`
	Notes               string      `json:"notes,omitempty"`
	Attributes          []Attribute `json:"attributes,omitempty"`
	Metadata            []Metadata  `json:"metadata,omitempty"`
}

// Funding is HSDS funding.json.
type Funding struct {
	ID             string      `json:"id"`
	OrganizationID string      `json:"organization_id,omitempty"`
	ServiceID      string      `json:"service_id,omitempty"`
	Source         string      `json:"source,omitempty"`
	Attributes     []Attribute `json:"attributes,omitempty"`
	Metadata       []Metadata  `json:"metadata,omitempty"`
}

// Language is HSDS language.json.
type Language struct {
	ID         string      `json:"id"`
	ServiceID  string      `json:"service_id,omitempty"`
	LocationID string      `json:"location_id,omitempty"`
	PhoneID    string      `json:"phone_id,omitempty"`
	Name       string      `json:"name,omitempty"`
	Code       string      `json:"code,omitempty"`
	Note       string      `json:"note,omitempty"`
	Attributes []Attribute `json:"attributes,omitempty"`
	Metadata   []Metadata  `json:"metadata,omitempty"`
}

// CostOption is HSDS cost_option.json.
type CostOption struct {
	ID                string      `json:"id"`
	ServiceID         string      `json:"service_id,omitempty"`
	ValidFrom         string      `json:"valid_from,omitempty"`
	ValidTo           string      `json:"valid_to,omitempty"`
	Option            string      `json:"option,omitempty"`
	Currency          string      `json:"currency,omitempty"`
	Amount            *float64    `json:"amount,omitempty"`
	AmountDescription string      `json:"amount_description,omitempty"`
	Attributes        []Attribute `json:"attributes,omitempty"`
	Metadata          []Metadata  `json:"metadata,omitempty"`
}

// RequiredDocument is HSDS required_document.json.
type RequiredDocument struct {
	ID         string      `json:"id"`
	ServiceID  string      `json:"service_id,omitempty"`
	Document   string      `json:"document,omitempty"`
	URI        string      `json:"uri,omitempty"`
	Attributes []Attribute `json:"attributes,omitempty"`
	Metadata   []Metadata  `json:"metadata,omitempty"`
}

// Attribute is HSDS attribute.json: a taxonomy term (with an optional
// value) attached to any record. LinkType is free text in the spec; LinkEntity
// names the table of the record linked (service, organization, ...).
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
	Metadata       []Metadata    `json:"metadata,omitempty"`
}

// Taxonomy is HSDS taxonomy.json.
type Taxonomy struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	URI         string     `json:"uri,omitempty"`
	Version     string     `json:"version,omitempty"`
	Metadata    []Metadata `json:"metadata,omitempty"`
}

// TaxonomyTerm is HSDS taxonomy_term.json.
type TaxonomyTerm struct {
	ID             string     `json:"id"`
	Code           string     `json:"code,omitempty"`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	ParentID       string     `json:"parent_id,omitempty"`
	Taxonomy       string     `json:"taxonomy,omitempty"`
	TaxonomyDetail *Taxonomy  `json:"taxonomy_detail,omitempty"`
	Language       string     `json:"language,omitempty"`
	TaxonomyID     string     `json:"taxonomy_id,omitempty"`
	TermURI        string     `json:"term_uri,omitempty"`
	Metadata       []Metadata `json:"metadata,omitempty"`
}

// Metadata is HSDS metadata.json: one change-audit entry.
type Metadata struct {
	ID               string `json:"id"`
	ResourceID       string `json:"resource_id,omitempty"`
	ResourceType     string `json:"resource_type,omitempty"`
	LastActionDate   string `json:"last_action_date"`
	LastActionType   string `json:"last_action_type"`
	FieldName        string `json:"field_name"`
	PreviousValue    string `json:"previous_value"`
	ReplacementValue string `json:"replacement_value"`
	UpdatedBy        string `json:"updated_by"`
}

// MetaTableDescription is HSDS meta_table_description.json.
type MetaTableDescription struct {
	ID           string      `json:"id"`
	Name         string      `json:"name,omitempty"`
	Language     string      `json:"language,omitempty"`
	CharacterSet string      `json:"character_set,omitempty"`
	Attributes   []Attribute `json:"attributes,omitempty"`
	Metadata     []Metadata  `json:"metadata,omitempty"`
}

// Page is the HSDS API's paging envelope (openapi.json components.schemas.Page
// plus contents).
type Page[T any] struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []T  `json:"contents"`
}

// APIInfo is the answer of the API's root: the HSDS version and profile.
type APIInfo struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url,omitempty"`
}
