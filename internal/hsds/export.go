package hsds

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/village-directory/village/ent"
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

// LoadDirectory loads every record ctx may see as HSDS objects, whole: what
// the export streams (databaseSource), gathered in memory.
func LoadDirectory(ctx context.Context, client *ent.Client) (*Directory, error) {
	src, err := databaseSource(ctx, client)
	if err != nil {
		return nil, err
	}
	d := Directory{Locations: src.locations, Programs: src.programs, Fundings: src.fundings,
		Taxonomies: src.taxonomies, TaxonomyTerms: src.terms}
	if err := src.services(func(list []Service) error { d.Services = append(d.Services, list...); return nil }); err != nil {
		return nil, err
	}
	if err := src.organizations(func(list []Organization) error { d.Organizations = append(d.Organizations, list...); return nil }); err != nil {
		return nil, err
	}
	if err := src.metadata(func(list []Metadata) error { d.Metadata = append(d.Metadata, list...); return nil }); err != nil {
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
	return exportJSON(memorySource(d), dir)
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

// ExportCSV writes d to dir as HSDS's tabular data package: one CSV per
// table of the spec's datapackage.json (all of them, with its columns in
// its order, header only when empty) and that datapackage.json; and the
// manifest. dir is as ExportJSON takes it.
func ExportCSV(d *Directory, dir string) (ExportCounts, error) {
	return exportCSV(memorySource(d), dir)
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

// Export writes the directory as ctx may see it to dir in format "json"
// or "csv" (dir as ExportJSON takes it, checked before the directory is
// read), reading it a batch at a time as it writes (see exportSource).
func Export(ctx context.Context, client *ent.Client, format, dir string) (ExportCounts, error) {
	if format != "json" && format != "csv" {
		return ExportCounts{}, fmt.Errorf("unknown export format %q (want json or csv)", format)
	}
	if _, err := CheckExportDir(dir); err != nil {
		return ExportCounts{}, err
	}
	src, err := databaseSource(ctx, client)
	if err != nil {
		return ExportCounts{}, err
	}
	if format == "csv" {
		return exportCSV(src, dir)
	}
	return exportJSON(src, dir)
}
