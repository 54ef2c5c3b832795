package hsds

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/taxonomyterm"
)

// specDataPackage is the HSDS 3.0 tabular data package descriptor, copied
// from the Open Referral specification (CC BY-SA 4.0, Open Referral). The
// CSV export writes it as its datapackage.json and takes each table's
// columns, in order, from it.
//
//go:embed datapackage-3.0.json
var specDataPackage []byte

// DataPackageResource is one table of the HSDS data package descriptor.
type DataPackageResource struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Schema struct {
		Fields []DataPackageField `json:"fields"`
	} `json:"schema"`
}

// DataPackageField is one column of a table of the HSDS data package
// descriptor (a Frictionless table schema field).
type DataPackageField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format"`
	Constraints struct {
		Required bool     `json:"required"`
		Unique   bool     `json:"unique"`
		Enum     []string `json:"enum"`
	} `json:"constraints"`
}

// DataPackageTables returns the tables of the HSDS 3.0 data package in the
// descriptor's order.
func DataPackageTables() ([]DataPackageResource, error) {
	var d struct {
		Resources []DataPackageResource `json:"resources"`
	}
	if err := json.Unmarshal(specDataPackage, &d); err != nil {
		return nil, fmt.Errorf("hsds: read data package descriptor: %w", err)
	}
	return d.Resources, nil
}

// Directory is the whole directory as HSDS objects, as ctx may see it.
type Directory struct {
	Services      []Service      // full documents
	Organizations []Organization // with locations, programs, contacts, phones, funding
	Locations     []Location     // those run by no organization
	Programs      []Program      // those of no organization
	Fundings      []Funding      // those of no organization or service (a program's: see its program_id attribute)
	Taxonomies    []Taxonomy
	TaxonomyTerms []TaxonomyTerm
	// Metadata is Village's change history (see ChangeHistory), for
	// trusted callers and staff only.
	Metadata []Metadata
}

// exportBatch is how many services or organizations LoadDirectory loads at once.
const exportBatch = 1000

// LoadDirectory loads every record ctx may see as HSDS objects.
func LoadDirectory(ctx context.Context, client *ent.Client) (*Directory, error) {
	var d Directory
	var err error
	// In batches, so eager loads never bind more parameters than a
	// database allows.
	for last := 0; ; {
		batch, err := Services(ctx, client, client.Service.Query().Where(service.IDGT(last)).Order(service.ByID()).Limit(exportBatch))
		if err != nil {
			return nil, err
		}
		d.Services = append(d.Services, batch...)
		if len(batch) < exportBatch {
			break
		}
		if last, err = client.Service.Query().Where(service.IDGT(last)).Order(service.ByID()).Offset(exportBatch - 1).FirstID(ctx); err != nil {
			return nil, err
		}
	}
	for last := 0; ; {
		batch, err := Organizations(ctx, client, client.Organization.Query().Where(organization.IDGT(last)).Order(organization.ByID()).Limit(exportBatch))
		if err != nil {
			return nil, err
		}
		d.Organizations = append(d.Organizations, batch...)
		if len(batch) < exportBatch {
			break
		}
		if last, err = client.Organization.Query().Where(organization.IDGT(last)).Order(organization.ByID()).Offset(exportBatch - 1).FirstID(ctx); err != nil {
			return nil, err
		}
	}
	locs, err := client.Location.Query().Where(location.OrganizationIDIsNil()).Order(location.ByID()).
		WithPhones(byPhoneID).WithSchedules(bySchedule).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load locations: %w", err)
	}
	m, err := readMapper(ctx, client)
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		d.Locations = append(d.Locations, m.Location(l))
	}
	progs, err := client.Program.Query().Where(program.OrganizationIDIsNil()).Order(program.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load programs: %w", err)
	}
	for _, p := range progs {
		d.Programs = append(d.Programs, m.Program(p))
	}
	funds, err := client.Funding.Query().
		Where(funding.OrganizationIDIsNil(), funding.ServiceIDIsNil(), funding.ProgramIDNotNil()).
		Order(funding.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load fundings: %w", err)
	}
	for _, f := range funds {
		d.Fundings = append(d.Fundings, m.Funding(f))
	}
	if d.Taxonomies, err = Taxonomies(ctx, client); err != nil {
		return nil, err
	}
	if d.TaxonomyTerms, err = TaxonomyTerms(ctx, client, client.TaxonomyTerm.Query().Order(taxonomyterm.ByID())); err != nil {
		return nil, err
	}
	for _, code := range VillageTerms {
		d.TaxonomyTerms = append(d.TaxonomyTerms, VillageTerm(code))
	}
	if d.Metadata, err = ChangeHistory(ctx, client); err != nil {
		return nil, err
	}
	return &d, nil
}

// ExportCounts says how much an export wrote.
type ExportCounts struct {
	Services, Organizations int
	// Rows counts the CSV rows written per file (CSV form only).
	Rows map[string]int
}

// ExportJSON writes d to dir in HSDS's JSON form: services/ID.json, one full
// document per service (as the spec's examples/service_full.json);
// organizations/ID.json, one full organization each (with its locations
// and programs); taxonomies.json and taxonomy_terms.json (arrays, the
// Village attribute vocabulary included); locations.json and programs.json
// (arrays of those attached to no organization) and funding.json (funding
// of programs only) and metadata.json (Village's change history), each
// written only when not empty; and the manifest (see ExportManifest). dir
// must be new, empty or hold only an earlier Village export, which the
// export replaces (none of its documents is left behind).
func ExportJSON(d *Directory, dir string) (ExportCounts, error) {
	var c ExportCounts
	type doc struct {
		path string
		v    any
	}
	var docs []doc
	for _, s := range d.Services {
		docs = append(docs, doc{"services/" + s.ID + ".json", s})
	}
	for _, o := range d.Organizations {
		docs = append(docs, doc{"organizations/" + o.ID + ".json", o})
	}
	docs = append(docs, doc{"taxonomies.json", d.Taxonomies}, doc{"taxonomy_terms.json", d.TaxonomyTerms})
	for _, opt := range []struct {
		path string
		n    int
		v    any
	}{{"locations.json", len(d.Locations), d.Locations}, {"programs.json", len(d.Programs), d.Programs},
		{"funding.json", len(d.Fundings), d.Fundings}, {"metadata.json", len(d.Metadata), d.Metadata}} {
		if opt.n > 0 {
			docs = append(docs, doc{opt.path, opt.v})
		}
	}
	files := make([]string, len(docs))
	for i, x := range docs {
		files[i] = x.path
	}
	target, err := replaceExport(dir, "json", files)
	if err != nil {
		return c, err
	}
	for _, x := range docs {
		if err := writeJSON(filepath.Join(dir, filepath.FromSlash(x.path)), x.v); err != nil {
			return c, err
		}
	}
	c.Services, c.Organizations = len(d.Services), len(d.Organizations)
	return c, target.finish()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// childTables names the HSDS table of each nested property.
var childTables = map[string]string{
	"phones": "phone", "schedules": "schedule", "service_areas": "service_area",
	"service_at_locations": "service_at_location", "languages": "language", "organization": "organization",
	"funding": "funding", "cost_options": "cost_option", "program": "program", "programs": "program",
	"required_documents": "required_document", "contacts": "contact", "attributes": "attribute",
	"metadata": "metadata", "location": "location", "locations": "location", "addresses": "address",
	"accessibility": "accessibility", "organization_identifiers": "organization_identifier",
	"taxonomy_term": "taxonomy_term", "taxonomy_detail": "taxonomy", "services": "service", "service": "service",
}

// tableRows collects flattened rows per table, first occurrence of an id
// winning.
type tableRows struct {
	rows map[string][]map[string]any
	seen map[string]bool
}

func (t *tableRows) add(table string, obj map[string]any) {
	row := map[string]any{}
	for k, v := range obj {
		child, nested := childTables[k]
		switch v := v.(type) {
		case []any:
			if nested {
				for _, x := range v {
					if m, ok := x.(map[string]any); ok {
						t.add(child, m)
					}
				}
			}
		case map[string]any:
			if nested {
				t.add(child, v)
			}
		default:
			row[k] = v
		}
	}
	id, _ := row["id"].(string)
	key := table + "/" + id
	if t.seen[key] {
		return
	}
	t.seen[key] = true
	t.rows[table] = append(t.rows[table], row)
}

func addAll[T any](t *tableRows, table string, list []T) error {
	for i := range list {
		b, err := json.Marshal(&list[i])
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		t.add(table, m)
	}
	return nil
}

// ExportCSV writes d to dir as HSDS's tabular data package: one CSV per
// table of the spec's datapackage.json (all of them, with its columns in
// its order, header only when empty) and that datapackage.json; and the
// manifest. dir is as ExportJSON takes it.
func ExportCSV(d *Directory, dir string) (ExportCounts, error) {
	c := ExportCounts{Services: len(d.Services), Organizations: len(d.Organizations), Rows: map[string]int{}}
	tables, err := DataPackageTables()
	if err != nil {
		return c, err
	}
	files := []string{"datapackage.json"}
	for _, res := range tables {
		files = append(files, res.Path)
	}
	target, err := replaceExport(dir, "csv", files)
	if err != nil {
		return c, err
	}
	t := &tableRows{rows: map[string][]map[string]any{}, seen: map[string]bool{}}
	// A service's nested organization and program are listed once each
	// among the organizations and programs: leave the copies out.
	services := make([]Service, len(d.Services))
	for i, s := range d.Services {
		s.Organization, s.Program = nil, nil
		services[i] = s
	}
	for _, err := range []error{
		addAll(t, "service", services), addAll(t, "organization", d.Organizations), addAll(t, "location", d.Locations),
		addAll(t, "program", d.Programs), addAll(t, "funding", d.Fundings), addAll(t, "taxonomy", d.Taxonomies),
		addAll(t, "taxonomy_term", d.TaxonomyTerms), addAll(t, "metadata", d.Metadata),
	} {
		if err != nil {
			return c, fmt.Errorf("flatten: %w", err)
		}
	}
	for _, res := range tables {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		header := make([]string, len(res.Schema.Fields))
		for i, f := range res.Schema.Fields {
			header[i] = f.Name
		}
		_ = w.Write(header)
		rows := t.rows[res.Name]
		keyed := make([]keyedRow, len(rows))
		for i, r := range rows {
			id, _ := r["id"].(string)
			keyed[i] = keyedRow{id, r}
		}
		if res.Name == "language" {
			// A record's languages are in its order (the import reads them
			// so); a table says it only by the order of its rows.
			sort.SliceStable(keyed, func(i, j int) bool { return languageOwner(keyed[i].row) < languageOwner(keyed[j].row) })
		} else {
			sort.Slice(keyed, func(i, j int) bool { return keyed[i].id < keyed[j].id })
		}
		for _, k := range keyed {
			r := k.row
			rec := make([]string, len(header))
			for i, col := range header {
				rec[i] = csvCell(res.Schema.Fields[i], csvValue(r[col]))
			}
			_ = w.Write(rec)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return c, err
		}
		if err := os.WriteFile(filepath.Join(dir, res.Path), buf.Bytes(), 0o644); err != nil {
			return c, err
		}
		c.Rows[res.Path] = len(rows)
	}
	if err := os.WriteFile(filepath.Join(dir, "datapackage.json"), specDataPackage, 0o644); err != nil {
		return c, err
	}
	return c, target.finish()
}

// languageOwner is the record a language row belongs to.
func languageOwner(r map[string]any) string {
	var b strings.Builder
	for _, col := range []string{"service_id", "phone_id", "location_id"} {
		id, _ := r[col].(string)
		b.WriteString(id + "/")
	}
	return b.String()
}

type keyedRow struct {
	id  string
	row map[string]any
}

// csvCell writes v as the table schema's default format for its column's
// type reads it (Frictionless validators cast with these formats): a time
// of day as HH:MM:SS (Village's HH:MM gains its seconds) and a datetime in
// UTC, in whole seconds, as YYYY-MM-DDTHH:MM:SSZ. The JSON form keeps
// HSDS's own HH:MM and RFC 3339 with fractions.
func csvCell(f DataPackageField, v string) string {
	switch f.Type {
	case "time":
		if len(v) == 5 && v[2] == ':' {
			if _, err := time.Parse("15:04", v); err == nil {
				return v + ":00"
			}
		}
	case "datetime":
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
		}
	}
	return v
}

func csvValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Export loads the directory as ctx may see it and writes it to dir in
// format "json" or "csv" (dir as ExportJSON takes it, checked before the
// directory is loaded).
func Export(ctx context.Context, client *ent.Client, format, dir string) (ExportCounts, error) {
	if format != "json" && format != "csv" {
		return ExportCounts{}, fmt.Errorf("unknown export format %q (want json or csv)", format)
	}
	if _, err := CheckExportDir(dir); err != nil {
		return ExportCounts{}, err
	}
	d, err := LoadDirectory(ctx, client)
	if err != nil {
		return ExportCounts{}, err
	}
	if format == "csv" {
		return ExportCSV(d, dir)
	}
	return ExportJSON(d, dir)
}
