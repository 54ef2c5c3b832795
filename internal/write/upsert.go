package write

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/records"
)

// MaxBatch is the most records one upsert call takes.
const MaxBatch = 1000

// Upserts are for integrators who keep the directory in step with their own
// system. A record is identified by (externalSource, externalID); an upsert
// creates it when no record has that identifier and otherwise replaces its
// synced fields with the values given. The synced fields are those of the
// input types below: a field left out or null (or an empty string) is
// cleared, or reset to its default. Fields outside them (a service's
// capacity, verification and internal notes, say) are Village's own and an
// upsert never touches them.
//
// A record whose synced fields already hold the values given is left alone:
// no update, no version bump, no change event. Running the same batch twice
// therefore changes nothing the second time.

// UpsertOrganizationInput is an organization as an integrator's system has
// it.
type UpsertOrganizationInput struct {
	ExternalSource   string
	ExternalID       string
	Name             string
	AlternateName    *string
	Description      *string
	Email            *string
	Website          *string
	LegalStatus      *string
	YearIncorporated *int
	Sample           *bool
	Provenance       *string
}

// UpsertLocationInput is a location as an integrator's system has it. Its
// organization, if any, is given by ID or by external ID in the same
// external source.
type UpsertLocationInput struct {
	ExternalSource         string
	ExternalID             string
	OrganizationID         *int
	OrganizationExternalID *string
	Name                   string
	AlternateName          *string
	Description            *string
	LocationType           *location.LocationType
	URL                    *string
	Address1               *string
	Address2               *string
	City                   *string
	Region                 *string
	PostalCode             *string
	Country                *string
	Latitude               *float64
	Longitude              *float64
	Confidential           *bool
	Sample                 *bool
	Provenance             *string
}

// UpsertServiceInput is a service as an integrator's system has it. Its
// organization (required) and program (optional) are given by ID or by
// external ID in the same external source.
type UpsertServiceInput struct {
	ExternalSource         string
	ExternalID             string
	OrganizationID         *int
	OrganizationExternalID *string
	ProgramID              *int
	ProgramExternalID      *string
	Name                   string
	AlternateName          *string
	Description            *string
	Status                 *service.Status
	URL                    *string
	Email                  *string
	ApplicationProcess     *string
	Free                   *bool
	FeesDescription        *string
	InterpretationServices *string
	WaitTime               *string
	WaitDays               *int
	DeliveryModes          []directory.DeliveryMode
	Languages              []string
	Eligibility            *directory.Eligibility
	Sample                 *bool
	Provenance             *string
}

// OrganizationUpsert is what an upsert did to one organization.
type OrganizationUpsert struct {
	Outcome      Outcome
	Organization *ent.Organization
}

// LocationUpsert is what an upsert did to one location.
type LocationUpsert struct {
	Outcome  Outcome
	Location *ent.Location
}

// ServiceUpsert is what an upsert did to one service.
type ServiceUpsert struct {
	Outcome Outcome
	Service *ent.Service
}

// UpsertOrganizations creates or updates organizations by external
// identifier, in one transaction.
func (w *Writer) UpsertOrganizations(ctx context.Context, in []*UpsertOrganizationInput) ([]*OrganizationUpsert, error) {
	spec := upsertSpec[*ent.Organization]{
		typ: ent.TypeOrganization,
		prepare: func(ctx context.Context, c *ent.Client, _ *refs, i int) (extKey, []fieldValue, error) {
			o := in[i]
			return extKey{o.ExternalSource, o.ExternalID}, []fieldValue{
				{organization.FieldName, o.Name},
				{organization.FieldAlternateName, text(o.AlternateName)},
				{organization.FieldDescription, text(o.Description)},
				{organization.FieldEmail, text(o.Email)},
				{organization.FieldWebsite, text(o.Website)},
				{organization.FieldLegalStatus, text(o.LegalStatus)},
				{organization.FieldYearIncorporated, value(o.YearIncorporated)},
				{organization.FieldSample, orDefault(o.Sample, false)},
				{organization.FieldProvenance, text(o.Provenance)},
			}, nil
		},
		find: func(ctx context.Context, c *ent.Client, source string, ids []string, lock func(*sql.Selector)) ([]*ent.Organization, error) {
			return c.Organization.Query().
				Where(organization.ExternalSource(source), organization.ExternalIDIn(ids...), lock).
				Order(ent.Asc(organization.FieldID)).All(ctx)
		},
		key: func(o *ent.Organization) string { return o.ExternalID },
		create: func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Organization, error)) {
			b := c.Organization.Create()
			return b.Mutation(), b.Save
		},
		update: func(c *ent.Client, o *ent.Organization) (ent.Mutation, func(context.Context) (*ent.Organization, error)) {
			b := c.Organization.UpdateOne(o)
			return b.Mutation(), b.Save
		},
	}
	records, outcomes, err := upsert(ctx, w, len(in), spec)
	if err != nil {
		return nil, err
	}
	out := make([]*OrganizationUpsert, len(records))
	for i := range records {
		out[i] = &OrganizationUpsert{Outcome: outcomes[i], Organization: records[i]}
	}
	return out, nil
}

// UpsertLocations creates or updates locations by external identifier, in
// one transaction.
func (w *Writer) UpsertLocations(ctx context.Context, in []*UpsertLocationInput) ([]*LocationUpsert, error) {
	spec := upsertSpec[*ent.Location]{
		typ: ent.TypeLocation,
		prepare: func(ctx context.Context, c *ent.Client, r *refs, i int) (extKey, []fieldValue, error) {
			l := in[i]
			org, err := r.resolve(ctx, c, ent.TypeOrganization, "organization", l.ExternalSource, l.OrganizationID, l.OrganizationExternalID, false)
			if err != nil {
				return extKey{}, nil, err
			}
			return extKey{l.ExternalSource, l.ExternalID}, []fieldValue{
				{location.FieldOrganizationID, org},
				{location.FieldName, l.Name},
				{location.FieldAlternateName, text(l.AlternateName)},
				{location.FieldDescription, text(l.Description)},
				{location.FieldLocationType, orDefault(l.LocationType, location.DefaultLocationType)},
				{location.FieldURL, text(l.URL)},
				{location.FieldAddress1, text(l.Address1)},
				{location.FieldAddress2, text(l.Address2)},
				{location.FieldCity, text(l.City)},
				{location.FieldRegion, text(l.Region)},
				{location.FieldPostalCode, text(l.PostalCode)},
				{location.FieldCountry, text(l.Country)},
				{location.FieldLatitude, value(l.Latitude)},
				{location.FieldLongitude, value(l.Longitude)},
				{location.FieldConfidential, orDefault(l.Confidential, false)},
				{location.FieldSample, orDefault(l.Sample, false)},
				{location.FieldProvenance, text(l.Provenance)},
			}, nil
		},
		find: func(ctx context.Context, c *ent.Client, source string, ids []string, lock func(*sql.Selector)) ([]*ent.Location, error) {
			return c.Location.Query().
				Where(location.ExternalSource(source), location.ExternalIDIn(ids...), lock).
				Order(ent.Asc(location.FieldID)).All(ctx)
		},
		key: func(l *ent.Location) string { return l.ExternalID },
		create: func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Location, error)) {
			b := c.Location.Create()
			return b.Mutation(), b.Save
		},
		update: func(c *ent.Client, l *ent.Location) (ent.Mutation, func(context.Context) (*ent.Location, error)) {
			b := c.Location.UpdateOne(l)
			return b.Mutation(), b.Save
		},
	}
	records, outcomes, err := upsert(ctx, w, len(in), spec)
	if err != nil {
		return nil, err
	}
	out := make([]*LocationUpsert, len(records))
	for i := range records {
		out[i] = &LocationUpsert{Outcome: outcomes[i], Location: records[i]}
	}
	return out, nil
}

// UpsertServices creates or updates services by external identifier, in
// one transaction.
func (w *Writer) UpsertServices(ctx context.Context, in []*UpsertServiceInput) ([]*ServiceUpsert, error) {
	spec := upsertSpec[*ent.Service]{
		typ: ent.TypeService,
		prepare: func(ctx context.Context, c *ent.Client, r *refs, i int) (extKey, []fieldValue, error) {
			s := in[i]
			org, err := r.resolve(ctx, c, ent.TypeOrganization, "organization", s.ExternalSource, s.OrganizationID, s.OrganizationExternalID, true)
			if err != nil {
				return extKey{}, nil, err
			}
			prog, err := r.resolve(ctx, c, ent.TypeProgram, "program", s.ExternalSource, s.ProgramID, s.ProgramExternalID, false)
			if err != nil {
				return extKey{}, nil, err
			}
			var modes, langs ent.Value
			if len(s.DeliveryModes) > 0 {
				modes = s.DeliveryModes
			}
			if len(s.Languages) > 0 {
				langs = s.Languages
			}
			var elig ent.Value
			if s.Eligibility != nil {
				elig = s.Eligibility
			}
			return extKey{s.ExternalSource, s.ExternalID}, []fieldValue{
				{service.FieldOrganizationID, org},
				{service.FieldProgramID, prog},
				{service.FieldName, s.Name},
				{service.FieldAlternateName, text(s.AlternateName)},
				{service.FieldDescription, text(s.Description)},
				{service.FieldStatus, orDefault(s.Status, service.DefaultStatus)},
				{service.FieldURL, text(s.URL)},
				{service.FieldEmail, text(s.Email)},
				{service.FieldApplicationProcess, text(s.ApplicationProcess)},
				{service.FieldFree, value(s.Free)},
				{service.FieldFeesDescription, text(s.FeesDescription)},
				{service.FieldInterpretationServices, text(s.InterpretationServices)},
				{service.FieldWaitTime, text(s.WaitTime)},
				{service.FieldWaitDays, value(s.WaitDays)},
				{service.FieldDeliveryModes, modes},
				{service.FieldLanguages, langs},
				{service.FieldEligibility, elig},
				{service.FieldSample, orDefault(s.Sample, false)},
				{service.FieldProvenance, text(s.Provenance)},
			}, nil
		},
		find: func(ctx context.Context, c *ent.Client, source string, ids []string, lock func(*sql.Selector)) ([]*ent.Service, error) {
			return c.Service.Query().
				Where(service.ExternalSource(source), service.ExternalIDIn(ids...), lock).
				Order(ent.Asc(service.FieldID)).All(ctx)
		},
		key: func(s *ent.Service) string { return s.ExternalID },
		create: func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Service, error)) {
			b := c.Service.Create()
			return b.Mutation(), b.Save
		},
		update: func(c *ent.Client, s *ent.Service) (ent.Mutation, func(context.Context) (*ent.Service, error)) {
			b := c.Service.UpdateOne(s)
			return b.Mutation(), b.Save
		},
	}
	records, outcomes, err := upsert(ctx, w, len(in), spec)
	if err != nil {
		return nil, err
	}
	out := make([]*ServiceUpsert, len(records))
	for i := range records {
		out[i] = &ServiceUpsert{Outcome: outcomes[i], Service: records[i]}
	}
	return out, nil
}

// extKey is a record's identifier in an integrator's system.
type extKey struct{ source, id string }

// fieldValue is a synced field and the value it should hold (nil: none).
type fieldValue struct {
	name  string
	value ent.Value
}

// upsertSpec adapts the upsert algorithm to one type.
type upsertSpec[T any] struct {
	typ string
	// prepare reads record i of the batch: its key and synced fields.
	prepare func(ctx context.Context, c *ent.Client, r *refs, i int) (extKey, []fieldValue, error)
	// find loads the records of source with these external IDs, applying
	// lock (which locks them on PostgreSQL).
	find   func(ctx context.Context, c *ent.Client, source string, ids []string, lock func(*sql.Selector)) ([]T, error)
	key    func(T) string
	create func(c *ent.Client) (ent.Mutation, func(context.Context) (T, error))
	update func(c *ent.Client, current T) (ent.Mutation, func(context.Context) (T, error))
}

func upsert[T any](ctx context.Context, w *Writer, n int, spec upsertSpec[T]) ([]T, []Outcome, error) {
	if err := gate(ctx); err != nil {
		return nil, nil, err
	}
	if n > MaxBatch {
		return nil, nil, &FieldError{Message: fmt.Sprintf("at most %d saved per call (got %d); split the batch", MaxBatch, n)}
	}
	saved := make([]T, n)
	outcomes := make([]Outcome, n)
	owned, err := w.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		keys := make([]extKey, n)
		fields := make([][]fieldValue, n)
		r := &refs{}
		for i := range n {
			k, f, err := spec.prepare(ctx, c, r, i)
			if err == nil {
				err = checkKey(k)
			}
			if err != nil {
				return &ItemError{Index: i, Err: err}
			}
			keys[i], fields[i] = k, f
		}
		// The first lookup tells the dialect, which decides how a create
		// guards against a concurrent one (see createOrAdopt).
		var postgres bool
		lock := func(s *sql.Selector) {
			postgres = s.Dialect() == dialect.Postgres
			records.LockRows(s)
		}
		find := func(source string, ids []string) ([]T, error) { return spec.find(ctx, c, source, ids, lock) }
		// Load every record the batch names, a source at a time.
		bySource := map[string][]string{}
		for _, k := range keys {
			bySource[k.source] = append(bySource[k.source], k.id)
		}
		current := map[extKey]T{}
		for source, ids := range bySource {
			ids = dedupeStrings(ids)
			for start := 0; start < len(ids); start += chunk {
				found, err := find(source, ids[start:min(start+chunk, len(ids))])
				if err != nil {
					return err
				}
				for _, rec := range found {
					current[extKey{source, spec.key(rec)}] = rec
				}
			}
		}
		for i, k := range keys {
			rec, outcome, err := upsertOne(ctx, c, spec, k, fields[i], current, postgres, find)
			if err != nil {
				return &ItemError{Index: i, Err: err}
			}
			current[k] = rec
			saved[i], outcomes[i] = rec, outcome
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	unwrapped := map[any]bool{} // a record named twice in a batch is one entity
	for i := range saved {
		if !unwrapped[any(saved[i])] {
			unwrapped[any(saved[i])] = true
			saved[i] = unwrap(saved[i], owned)
		}
	}
	return saved, outcomes, nil
}

func upsertOne[T any](ctx context.Context, c *ent.Client, spec upsertSpec[T], k extKey, fields []fieldValue, current map[extKey]T,
	postgres bool, find func(source string, ids []string) ([]T, error)) (T, Outcome, error) {
	rec, exists := current[k]
	if !exists {
		v, adopted, err := createOrAdopt(ctx, c, spec, k, fields, postgres, find)
		if err != nil || !adopted {
			return v, Created, err
		}
		rec = v // created meanwhile by a concurrent call: update it as found
	}
	m, save := spec.update(c, rec)
	changed := false
	for _, f := range fields {
		old, err := m.OldField(ctx, f.name)
		if err != nil {
			return rec, "", err
		}
		if directory.SameValue(old, f.value) {
			continue
		}
		changed = true
		if f.value == nil {
			err = m.ClearField(f.name)
		} else {
			err = m.SetField(f.name, f.value)
		}
		if err != nil {
			return rec, "", err
		}
	}
	if !changed {
		// Nothing to write, so no write guard runs: ask it, so that only
		// a caller who may write the record is told it is unchanged (and
		// gets it back).
		id, _ := m.(interface{ ID() (int, bool) }).ID()
		return rec, Unchanged, auth.MayChange(ctx, c, spec.typ, id)
	}
	v, err := save(ctx)
	return v, Updated, err
}

// createOrAdopt creates the record k names, which the batch's lookup did
// not find. On PostgreSQL a concurrent call (a second sync worker, a client
// retrying a call that timed out on its side) may be creating the same
// record: the insert then waits for that transaction and, once it commits,
// fails on the unique external identifier. The insert runs inside a
// savepoint so that failure does not abort the whole transaction; the
// record is looked up again (now committed, and locked) and returned as
// adopted, for the caller to update as if the lookup had found it, so both
// calls succeed as running them one after the other would. SQLite has one
// writer at a time, so its lookup cannot miss a record committed before
// the insert.
func createOrAdopt[T any](ctx context.Context, c *ent.Client, spec upsertSpec[T], k extKey, fields []fieldValue,
	postgres bool, find func(source string, ids []string) ([]T, error)) (rec T, adopted bool, err error) {
	m, save := spec.create(c)
	for _, f := range append(fields, fieldValue{"external_source", k.source}, fieldValue{"external_id", k.id}) {
		if f.value == nil {
			continue
		}
		if err := m.SetField(f.name, f.value); err != nil {
			return rec, false, err
		}
	}
	if !postgres {
		rec, err = save(ctx)
		return rec, false, err
	}
	const savepoint = "village_upsert_create"
	if _, err := c.ExecContext(ctx, "SAVEPOINT "+savepoint); err != nil {
		return rec, false, err
	}
	rec, err = save(ctx)
	if err == nil {
		_, err = c.ExecContext(ctx, "RELEASE SAVEPOINT "+savepoint)
		return rec, false, err
	}
	if !ent.IsConstraintError(err) {
		return rec, false, err
	}
	if _, rerr := c.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+savepoint); rerr != nil {
		return rec, false, fmt.Errorf("%w (rollback to savepoint: %v)", err, rerr)
	}
	found, ferr := find(k.source, []string{k.id})
	if ferr != nil {
		return rec, false, ferr
	}
	if len(found) == 0 {
		return rec, false, err // another constraint: the caller's conflict
	}
	return found[0], true, nil
}

func checkKey(k extKey) error {
	switch {
	case strings.TrimSpace(k.source) == "":
		return &FieldError{Field: "externalSource", Message: "must name the system the record comes from"}
	case strings.TrimSpace(k.id) == "":
		return &FieldError{Field: "externalID", Message: "must be the record's identifier in externalSource"}
	}
	if err := storable("externalSource", k.source); err != nil {
		return err
	}
	return storable("externalID", k.id)
}

// storable refuses text that PostgreSQL cannot hold (a NUL character)
// before a lookup sends it there: the schema's hooks refuse it only when a
// record is saved, and a failed lookup would abort the transaction.
func storable(field, text string) error {
	if strings.ContainsRune(text, 0) {
		return &FieldError{Field: field, Message: "must not contain a NUL character"}
	}
	return nil
}

// refs resolves the records an upsert batch refers to, once each.
type refs struct {
	byExternal map[string]int
	byID       map[typedID]bool // an ID exists as one type, not as every type
}

type typedID struct {
	typ string
	id  int
}

// resolve returns the ID a reference names: by ID, or by external ID in
// source; nil (as an ent.Value) when none is given and it is optional.
func (r *refs) resolve(ctx context.Context, c *ent.Client, typ, name, source string, id *int, externalID *string, required bool) (ent.Value, error) {
	if r.byExternal == nil {
		r.byExternal, r.byID = map[string]int{}, map[typedID]bool{}
	}
	if externalID != nil && *externalID == "" {
		externalID = nil
	}
	switch {
	case id != nil && externalID != nil:
		return nil, &FieldError{Field: name + "ID", Message: fmt.Sprintf("give the %s by ID or by external ID, not both", name)}
	case id != nil:
		key := typedID{typ, *id}
		ok, seen := r.byID[key]
		if !seen {
			var err error
			if ok, err = records.ByName(typ).Query(c, idIs(*id)).Exist(ctx); err != nil {
				return nil, err
			}
			r.byID[key] = ok
		}
		if !ok {
			return nil, &FieldError{Field: name + "ID", Message: fmt.Sprintf("no %s has this ID", name)}
		}
		return *id, nil
	case externalID != nil:
		if err := storable(name+"ExternalID", *externalID); err != nil {
			return nil, err
		}
		if err := storable("externalSource", source); err != nil {
			return nil, err
		}
		key := typ + "\x00" + source + "\x00" + *externalID
		found, seen := r.byExternal[key]
		if !seen {
			ids, err := records.ByName(typ).Query(c, func(s *sql.Selector) {
				s.Where(sql.And(sql.EQ(s.C("external_source"), source), sql.EQ(s.C("external_id"), *externalID)))
			}).IDs(ctx)
			if err != nil {
				return nil, err
			}
			if len(ids) > 0 {
				found = ids[0]
			}
			r.byExternal[key] = found
		}
		if found == 0 {
			return nil, &FieldError{Field: name + "ExternalID", Message: fmt.Sprintf("no %s has externalSource %q and externalID %q; upsert it first (the same operation may do both, in order)", name, source, *externalID)}
		}
		return found, nil
	case required:
		return nil, &FieldError{Field: name + "ID", Message: fmt.Sprintf("give the %s, by %sID or %sExternalID", name, name, name)}
	}
	return nil, nil
}

// text is an optional string field's value: empty means none.
func text(s *string) ent.Value {
	if s == nil || *s == "" {
		return nil
	}
	return *s
}

// value is an optional field's value.
func value[T any](p *T) ent.Value {
	if p == nil {
		return nil
	}
	return *p
}

func orDefault[T any](p *T, def T) ent.Value {
	if p == nil {
		return def
	}
	return *p
}

func dedupeStrings(list []string) []string {
	seen := map[string]bool{}
	out := list[:0:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
