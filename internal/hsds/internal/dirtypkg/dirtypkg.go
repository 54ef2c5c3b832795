// Package dirtypkg writes HSDS tabular packages carrying the faults real
// exports carry (issue 14), for the import's tests: languages reusing
// their service's id, blank or odd service statuses, phones without a
// number, child rows without ids, services naming organizations missing
// from the package, URLs without a scheme, unreadable numbers, dates and
// times, and an organization given twice. Every fault is one the import
// repairs, or drops a row for with a reason, so an import of the package
// must succeed (and refuse under --strict).
//
// It writes HSDS 3.0 tables, or (Options.Legacy) the HSDS 1.1 shape:
// physical_addresses.csv, services_at_location.csv, languages named in
// a language column, phones.language, organizations.url, and, with
// Options.LegacyOnlyTables, the 1.x tables with no 3.0 counterpart.
//
// The package holds no real data: names, numbers and places are made up
// from the row's number.
package dirtypkg

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Options say what to write.
type Options struct {
	// Services is how many services (default 40); there is one
	// organization per 5 services, one location per service.
	Services int
	// Legacy writes the HSDS 1.1 shape instead of HSDS 3.0.
	Legacy bool
	// LegacyOnlyTables adds (Legacy only) regular_schedules,
	// holiday_schedules, eligibility, accessibility_for_disabilities,
	// taxonomy (terms, with parents), services_taxonomy, service_area,
	// payments_accepted and required_documents, which the import maps
	// only once it reads 1.x tables.
	LegacyOnlyTables bool
	// UnknownLanguageNames names one language of each service by a
	// name no ISO table holds as written ("Creole"), as 1.x exports do.
	UnknownLanguageNames bool
}

// Package is what Write wrote.
type Package struct {
	Dir string
	// Rows counts the data rows of each file written.
	Rows map[string]int
	// MissingOrganizations are the organization ids services name that
	// the package lacks (each named by several services).
	MissingOrganizations []string
	// ServicesOfMissing counts the services naming a missing organization.
	ServicesOfMissing int
	// PhonesWithoutNumber counts the phone rows without a number: the
	// only rows the import drops (all other faults are repairable).
	PhonesWithoutNumber int
	// LanguagesPerService is how many language rows share each service's id.
	LanguagesPerService int
}

// TotalRows is the number of data rows in the package.
func (p *Package) TotalRows() int {
	n := 0
	for _, r := range p.Rows {
		n += r
	}
	return n
}

type table struct {
	header []string
	rows   [][]string
}

type writer map[string]*table

func (w writer) add(file string, header []string, row ...string) {
	t := w[file]
	if t == nil {
		t = &table{header: header}
		w[file] = t
	}
	if len(row) != len(header) {
		panic(fmt.Sprintf("dirtypkg: %s: %d values for %d columns", file, len(row), len(header)))
	}
	t.rows = append(t.rows, row)
}

// Statuses the services cycle through: blank (most), Village's own in
// other spellings, the usual synonyms, and one no one defines.
var statuses = []string{"", "", "Active", "closed", "", "suspended", "temporarily_closed", "", "Open now?", ""}

// languages each service offers (names 1.x exports use).
var languages = []string{"English", "Spanish", "French", "Vietnamese", "Chinese"}

// Write writes a dirty package into dir (created if need be).
func Write(dir string, o Options) (*Package, error) {
	if o.Services <= 0 {
		o.Services = 40
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := &Package{Dir: dir, Rows: map[string]int{}, LanguagesPerService: len(languages)}
	w := writer{}
	missing := map[string]bool{}
	legacy := o.Legacy

	orgHeader := []string{"id", "name", "description", "email", "website", "uri"}
	if legacy {
		orgHeader = []string{"id", "name", "description", "email", "url"}
	}
	svcHeader := []string{"id", "organization_id", "name", "description", "url", "email", "status", "minimum_age", "maximum_age", "assured_date"}
	if legacy {
		svcHeader = []string{"id", "organization_id", "name", "description", "url", "email", "status"}
	}
	for i := 0; i < o.Services; i++ {
		org := fmt.Sprintf("org-%d", i/5)
		if i%5 == 0 {
			row := []string{org, fmt.Sprintf("Organization %d", i/5), "Made-up organization", fmt.Sprintf("info@org%d.example.org", i/5), fmt.Sprintf("org%d.example.org", i/5)}
			if !legacy {
				row = append(row, fmt.Sprintf("org%d.example.org/about", i/5)) // kept verbatim, format uri
			}
			w.add("organizations.csv", orgHeader, row...)
			if i == 0 {
				w.add("organizations.csv", orgHeader, row...) // given twice, the same
			}
		}
		if i%10 == 9 {
			org = fmt.Sprintf("missing-org-%d", (i/10)%3)
			missing[org] = true
			p.ServicesOfMissing++
		}
		svc := fmt.Sprintf("svc-%d", i)
		loc := fmt.Sprintf("loc-%d", i)
		url := fmt.Sprintf("www.example.org/services/%d", i)
		status := statuses[i%len(statuses)]
		if legacy {
			w.add("services.csv", svcHeader, svc, org, fmt.Sprintf("Service %d", i), "Made-up service", url, "", status)
		} else {
			minAge := "0"
			if i%4 == 0 {
				minAge = "three" // unreadable: dropped
			}
			assured := "2024-03-01"
			if i%6 == 0 {
				assured = "last spring" // unreadable: dropped
			}
			w.add("services.csv", svcHeader, svc, org, fmt.Sprintf("Service %d", i), "Made-up service", url, "", status, minAge, "5", assured)
		}

		lat, lon := fmt.Sprintf("%.4f", 42.0+float64(i%100)/1000), fmt.Sprintf("%.4f", -71.0-float64(i%100)/1000)
		if i%7 == 0 {
			lat = "n/a" // unreadable: dropped (with its longitude)
		}
		w.add("locations.csv", []string{"id", "organization_id", "name", "latitude", "longitude", "url"}, loc, fmt.Sprintf("org-%d", i/5), fmt.Sprintf("Location %d", i), lat, lon, fmt.Sprintf("example.org/places/%d", i))
		addrID := "" // no id: derived
		if i%2 == 0 {
			addrID = fmt.Sprintf("addr-%d", i)
		}
		if legacy {
			w.add("physical_addresses.csv", []string{"id", "location_id", "address_1", "city", "state_province", "postal_code", "country"}, addrID, loc, fmt.Sprintf("%d Main Street", i+1), "Miami", "FL", "33125", "US")
		} else {
			w.add("addresses.csv", []string{"id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"}, addrID, loc, fmt.Sprintf("%d Main Street", i+1), "Miami", "FL", "33125", "US", "physical")
		}
		salID := fmt.Sprintf("sal-%d", i)
		if i%3 == 0 {
			salID = "" // no id: derived
		}
		salFile := "service_at_location.csv"
		if legacy {
			salFile = "services_at_location.csv"
		}
		w.add(salFile, []string{"id", "service_id", "location_id"}, salID, svc, loc)

		// Five languages, each row with its service's id (as a 1.x exporter
		// writes them).
		for k, name := range languages {
			if o.UnknownLanguageNames && k == len(languages)-1 {
				name = "Creole"
			}
			if legacy {
				w.add("languages.csv", []string{"id", "service_id", "location_id", "language"}, svc, svc, "", name)
			} else {
				w.add("languages.csv", []string{"id", "service_id", "name", "code"}, svc, svc, name, "")
			}
		}

		phoneHeader := []string{"id", "service_id", "number", "type"}
		if legacy {
			phoneHeader = []string{"id", "service_id", "number", "type", "language"}
		}
		phone := func(id, number string) {
			row := []string{id, svc, number, "voice"}
			if legacy {
				row = append(row, "English")
			}
			w.add("phones.csv", phoneHeader, row...)
		}
		phone(fmt.Sprintf("ph-%d", i), fmt.Sprintf("305-555-%04d", i%10000))
		if i%5 == 0 {
			phone(fmt.Sprintf("ph-%d-b", i), "") // no number: dropped
			p.PhonesWithoutNumber++
		}
		if i%4 == 1 {
			phone("", fmt.Sprintf("305-555-%04d", (i+5000)%10000)) // no id: derived
		}

		// Contacts: none has an id.
		w.add("contacts.csv", []string{"id", "service_id", "name", "email"}, "", svc, fmt.Sprintf("Contact %d", i), fmt.Sprintf("contact%d@example.org", i))

		if !legacy {
			saID := ""
			if i%2 == 1 {
				saID = fmt.Sprintf("sa-%d", i)
			}
			w.add("service_areas.csv", []string{"id", "service_id", "name", "extent", "extent_type"}, saID, svc, "", "33125", "text")
			opens := "09:00"
			switch i % 8 {
			case 0:
				opens = "nine" // unreadable: dropped
			case 4:
				opens = "9am" // a 12-hour time: read as 09:00
			}
			w.add("schedules.csv", []string{"id", "service_id", "freq", "byday", "opens_at", "closes_at", "interval"}, "", svc, "WEEKLY", "MO,TU,WE", opens, "17:00", "one")
		}
		if legacy && o.LegacyOnlyTables {
			w.add("regular_schedules.csv", []string{"id", "service_id", "location_id", "weekday", "opens_at", "closes_at"}, "", svc, "", "Monday", "9:00 AM", "5:00 PM")
			w.add("holiday_schedules.csv", []string{"id", "service_id", "closed", "opens_at", "closes_at", "start_date", "end_date"}, "", svc, "true", "", "", "2024-12-25", "2024-12-25")
			w.add("eligibility.csv", []string{"id", "service_id", "eligibility"}, svc, svc, "Children 0 to 5 years")
			w.add("accessibility_for_disabilities.csv", []string{"id", "location_id", "accessibility", "details"}, "", loc, "Wheelchair accessible", "Ramp at the side door")
			w.add("service_area.csv", []string{"id", "service_id", "service_area", "description"}, svc, svc, []string{"Miami-Dade County", "33125", "Florida", "North of the river"}[i%4], "")
			w.add("payments_accepted.csv", []string{"id", "service_id", "payment"}, "", svc, "Medicaid")
			w.add("required_documents.csv", []string{"id", "service_id", "document"}, "", svc, "Proof of address")
			w.add("services_taxonomy.csv", []string{"id", "service_id", "taxonomy_id", "taxonomy_detail"}, "", svc, fmt.Sprintf("tx-%d", i%3+1), "")
		}
	}
	if legacy && o.LegacyOnlyTables {
		th := []string{"id", "name", "parent_id", "parent_name", "vocabulary"}
		w.add("taxonomy.csv", th, "tx-0", "Early childhood", "", "", "Made-up taxonomy")
		w.add("taxonomy.csv", th, "tx-1", "Home visiting", "tx-0", "Early childhood", "Made-up taxonomy")
		w.add("taxonomy.csv", th, "tx-2", "Child care", "tx-0", "Early childhood", "Made-up taxonomy")
		w.add("taxonomy.csv", th, "tx-3", "Parenting classes", "tx-0", "Early childhood", "Made-up taxonomy")
	}
	for id := range missing {
		p.MissingOrganizations = append(p.MissingOrganizations, id)
	}
	sort.Strings(p.MissingOrganizations)
	return p, w.write(dir, p)
}

func (w writer) write(dir string, p *Package) error {
	for file, t := range w {
		f, err := os.Create(filepath.Join(dir, file))
		if err != nil {
			return err
		}
		cw := csv.NewWriter(f)
		_ = cw.Write(t.header)
		_ = cw.WriteAll(t.rows)
		if err := cw.Error(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		p.Rows[file] = len(t.rows)
	}
	return nil
}

// WriteOrganizations writes, into dir, a package holding only the named
// organizations (as a later export bringing the organizations a dirty
// package lacked): each named "Organization ID".
func WriteOrganizations(dir string, ids []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	w := writer{}
	for _, id := range ids {
		w.add("organizations.csv", []string{"id", "name", "description"}, id, OrganizationName(id), "The organization the services named")
	}
	return w.write(dir, &Package{Rows: map[string]int{}})
}

// OrganizationName is the name WriteOrganizations gives organization id.
func OrganizationName(id string) string { return "Organization " + id }
