package hsds

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"unsafe"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
)

// An export streams: services and organizations are loaded, written and
// let go a batch of exportBatch at a time, and so is the change history,
// so an export's memory does not grow with the directory (the 20,000
// services of the synthetic national directory export in well under
// 300 MB). Only the small tables (taxonomies, terms, and the locations,
// programs and funding attached to no organization) are held whole. The
// CSV form needs each table sorted by id: its rows are encoded as they
// come and spilled to one temporary file per table, and each table is
// sorted alone when its file is written (see csvSpill).

// exportSource is what an export writes, in the order it writes it.
type exportSource struct {
	// serviceIDs and organizationIDs are the HSDS ids of the documents the
	// JSON form will write (the files the manifest lists before writing).
	serviceIDs, organizationIDs []string
	// services and organizations call yield with each batch in ID order.
	services      func(yield func([]Service) error) error
	organizations func(yield func([]Organization) error) error
	locations     []Location
	programs      []Program
	fundings      []Funding
	taxonomies    []Taxonomy
	terms         []TaxonomyTerm
	// metadata calls yield with the change history a batch at a time;
	// mayHaveMetadata says whether it may yield any.
	metadata        func(yield func([]Metadata) error) error
	mayHaveMetadata bool
}

// memorySource is the exportSource of a Directory already in memory.
func memorySource(d *Directory) *exportSource {
	src := &exportSource{
		services:      func(yield func([]Service) error) error { return yield(d.Services) },
		organizations: func(yield func([]Organization) error) error { return yield(d.Organizations) },
		locations:     d.Locations, programs: d.Programs, fundings: d.Fundings,
		taxonomies: d.Taxonomies, terms: d.TaxonomyTerms,
		metadata:        func(yield func([]Metadata) error) error { return yield(d.Metadata) },
		mayHaveMetadata: len(d.Metadata) > 0,
	}
	for _, s := range d.Services {
		src.serviceIDs = append(src.serviceIDs, s.ID)
	}
	for _, o := range d.Organizations {
		src.organizationIDs = append(src.organizationIDs, o.ID)
	}
	return src
}

// databaseSource is the exportSource of the directory as ctx may see it,
// read a batch at a time as the export writes.
func databaseSource(ctx context.Context, client *ent.Client) (*exportSource, error) {
	dir, err := store.DirectoryID(ctx, client)
	if err != nil {
		return nil, err
	}
	src := &exportSource{}
	for _, k := range []struct {
		kind string
		ids  *[]string
	}{{KindService, &src.serviceIDs}, {KindOrganization, &src.organizationIDs}} {
		rows, err := queryIDRows(ctx, client, k.kind, nil, 0)
		if err != nil {
			return nil, fmt.Errorf("load %s ids: %w", k.kind, err)
		}
		for _, r := range rows {
			*k.ids = append(*k.ids, r.hsdsID(dir, k.kind))
		}
	}
	src.services = func(yield func([]Service) error) error {
		return inBatches(ctx, func(after int) ([]Service, int, error) {
			list, err := Services(ctx, client, client.Service.Query().Where(service.IDGT(after)).Order(service.ByID()).Limit(exportBatch))
			if err != nil || len(list) < exportBatch {
				return list, 0, err
			}
			last, err := client.Service.Query().Where(service.IDGT(after)).Order(service.ByID()).Offset(exportBatch - 1).FirstID(ctx)
			return list, last, err
		}, yield)
	}
	src.organizations = func(yield func([]Organization) error) error {
		return inBatches(ctx, func(after int) ([]Organization, int, error) {
			list, err := Organizations(ctx, client, client.Organization.Query().Where(organization.IDGT(after)).Order(organization.ByID()).Limit(exportBatch))
			if err != nil || len(list) < exportBatch {
				return list, 0, err
			}
			last, err := client.Organization.Query().Where(organization.IDGT(after)).Order(organization.ByID()).Offset(exportBatch - 1).FirstID(ctx)
			return list, last, err
		}, yield)
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
		src.locations = append(src.locations, m.Location(l))
	}
	progs, err := client.Program.Query().Where(program.OrganizationIDIsNil()).Order(program.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load programs: %w", err)
	}
	for _, p := range progs {
		src.programs = append(src.programs, m.Program(p))
	}
	funds, err := client.Funding.Query().
		Where(funding.OrganizationIDIsNil(), funding.ServiceIDIsNil(), funding.ProgramIDNotNil()).
		Order(funding.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load fundings: %w", err)
	}
	for _, f := range funds {
		src.fundings = append(src.fundings, m.Funding(f))
	}
	if src.taxonomies, err = Taxonomies(ctx, client); err != nil {
		return nil, err
	}
	if src.terms, err = TaxonomyTerms(ctx, client, client.TaxonomyTerm.Query().Order(taxonomyterm.ByID())); err != nil {
		return nil, err
	}
	for _, code := range VillageTerms {
		src.terms = append(src.terms, VillageTerm(code))
	}
	if auth.IsStaff(ctx) {
		if src.mayHaveMetadata, err = client.ChangeEvent.Query().Exist(ctx); err != nil {
			return nil, fmt.Errorf("load change history: %w", err)
		}
	}
	src.metadata = func(yield func([]Metadata) error) error { return changeHistoryEach(ctx, client, yield) }
	return src, nil
}

// inBatches calls load with the ID after which to read (0 first, then the
// last ID load returned) until load returns no next ID, and yield with
// each batch loaded.
func inBatches[T any](ctx context.Context, load func(after int) ([]T, int, error), yield func([]T) error) error {
	for after := 0; ; {
		if err := ctx.Err(); err != nil {
			return err
		}
		list, last, err := load(after)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			if err := yield(list); err != nil {
				return err
			}
		}
		if last == 0 {
			return nil
		}
		after = last
	}
}

// historyBatch is how many change events the history reads at once.
const historyBatch = 5000

// changeHistoryEach calls yield with the change history (see
// ChangeHistory) a batch at a time.
func changeHistoryEach(ctx context.Context, client *ent.Client, yield func([]Metadata) error) error {
	if !auth.IsStaff(ctx) {
		return nil
	}
	dir, err := store.DirectoryID(ctx, client)
	if err != nil {
		return err
	}
	ids, err := hsdsIDsOf(ctx, client, dir)
	if err != nil {
		return err
	}
	for after := 0; ; {
		events, err := client.ChangeEvent.Query().Where(changeevent.IDGT(after)).Order(changeevent.ByID()).Limit(historyBatch).All(ctx)
		if err != nil {
			return fmt.Errorf("load change history: %w", err)
		}
		out := make([]Metadata, 0, len(events))
		for _, e := range events {
			if md, ok := historyEntry(dir, ids, e); ok {
				out = append(out, md)
			}
		}
		if len(out) > 0 {
			if err := yield(out); err != nil {
				return err
			}
		}
		if len(events) < historyBatch {
			return nil
		}
		after = events[len(events)-1].ID
	}
}

// exportJSON writes src in HSDS's JSON form (see ExportJSON).
func exportJSON(src *exportSource, dir string) (ExportCounts, error) {
	var c ExportCounts
	var files []string
	for _, id := range src.serviceIDs {
		files = append(files, "services/"+id+".json")
	}
	for _, id := range src.organizationIDs {
		files = append(files, "organizations/"+id+".json")
	}
	files = append(files, "taxonomies.json", "taxonomy_terms.json")
	for _, opt := range []struct {
		path string
		some bool
	}{{"locations.json", len(src.locations) > 0}, {"programs.json", len(src.programs) > 0},
		{"funding.json", len(src.fundings) > 0}, {"metadata.json", src.mayHaveMetadata}} {
		if opt.some {
			files = append(files, opt.path)
		}
	}
	target, err := replaceExport(dir, "json", files)
	if err != nil {
		return c, err
	}
	// The manifest lists, at the end, the files written (a record added or
	// removed since the ids were read changes them).
	var written []string
	write := func(path string, v any) error {
		written = append(written, path)
		return writeJSON(filepath.Join(dir, filepath.FromSlash(path)), v)
	}
	err = src.services(func(list []Service) error {
		for i := range list {
			if err := write("services/"+list[i].ID+".json", &list[i]); err != nil {
				return err
			}
		}
		c.Services += len(list)
		return nil
	})
	if err != nil {
		return c, err
	}
	err = src.organizations(func(list []Organization) error {
		for i := range list {
			if err := write("organizations/"+list[i].ID+".json", &list[i]); err != nil {
				return err
			}
		}
		c.Organizations += len(list)
		return nil
	})
	if err != nil {
		return c, err
	}
	if err := write("taxonomies.json", src.taxonomies); err != nil {
		return c, err
	}
	if err := write("taxonomy_terms.json", src.terms); err != nil {
		return c, err
	}
	for _, opt := range []struct {
		path string
		n    int
		v    any
	}{{"locations.json", len(src.locations), src.locations}, {"programs.json", len(src.programs), src.programs},
		{"funding.json", len(src.fundings), src.fundings}} {
		if opt.n > 0 {
			if err := write(opt.path, opt.v); err != nil {
				return c, err
			}
		}
	}
	n, err := writeJSONArray(filepath.Join(dir, "metadata.json"), src.metadata)
	if err != nil {
		return c, err
	}
	if n > 0 {
		written = append(written, "metadata.json")
	}
	target.files = written
	return c, target.finish()
}

// writeJSONArray writes the values each yields to path as one indented
// JSON array, as writeJSON would write them as a slice, and returns how
// many it wrote. With none, path is not left behind.
func writeJSONArray[T any](path string, each func(yield func([]T) error) error) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	n := 0
	err = each(func(list []T) error {
		for i := range list {
			b, err := json.MarshalIndent(&list[i], "  ", "  ")
			if err != nil {
				return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
			}
			sep := ",\n  "
			if n == 0 {
				sep = "[\n  "
			}
			w.WriteString(sep)
			w.Write(b)
			n++
		}
		return nil
	})
	if err == nil && n > 0 {
		_, err = w.WriteString("\n]\n")
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n == 0 {
		err = os.Remove(path)
	}
	return n, err
}

// exportCSV writes src as HSDS's tabular data package (see ExportCSV).
func exportCSV(src *exportSource, dir string) (ExportCounts, error) {
	c := ExportCounts{Rows: map[string]int{}}
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
	spill, err := newCSVSpill(tables)
	if err != nil {
		return c, err
	}
	defer spill.remove()
	err = src.services(func(list []Service) error {
		c.Services += len(list)
		// A service's nested organization and program are listed once
		// each among the organizations and programs: leave the copies out.
		for i := range list {
			s := list[i]
			s.Organization, s.Program = nil, nil
			if err := spill.addValue("service", &s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	err = src.organizations(func(list []Organization) error {
		c.Organizations += len(list)
		return addEach(spill, "organization", list)
	})
	if err != nil {
		return c, err
	}
	for _, err := range []error{
		addEach(spill, "location", src.locations), addEach(spill, "program", src.programs),
		addEach(spill, "funding", src.fundings), addEach(spill, "taxonomy", src.taxonomies),
		addEach(spill, "taxonomy_term", src.terms),
		src.metadata(func(list []Metadata) error { return addEach(spill, "metadata", list) }),
	} {
		if err != nil {
			return c, err
		}
	}
	for _, res := range tables {
		n, err := spill.writeTable(res, filepath.Join(dir, res.Path))
		if err != nil {
			return c, err
		}
		c.Rows[res.Path] = n
	}
	if err := os.WriteFile(filepath.Join(dir, "datapackage.json"), specDataPackage, 0o644); err != nil {
		return c, err
	}
	return c, target.finish()
}

func addEach[T any](spill *csvSpill, table string, list []T) error {
	for i := range list {
		if err := spill.addValue(table, &list[i]); err != nil {
			return err
		}
	}
	return nil
}

// csvSpill holds the CSV export's rows, flattened and encoded, in one
// temporary file per table until the table is written.
type csvSpill struct {
	dir     string
	headers map[string][]DataPackageField
	files   map[string]*bufio.Writer
	handles []*os.File
	line    bytes.Buffer
	cells   []string
}

func newCSVSpill(tables []DataPackageResource) (*csvSpill, error) {
	dir, err := os.MkdirTemp("", "village-export-")
	if err != nil {
		return nil, err
	}
	s := &csvSpill{dir: dir, headers: map[string][]DataPackageField{}, files: map[string]*bufio.Writer{}}
	for _, res := range tables {
		s.headers[res.Name] = res.Schema.Fields
	}
	return s, nil
}

func (s *csvSpill) remove() {
	for _, f := range s.handles {
		f.Close()
	}
	os.RemoveAll(s.dir)
}

// addValue flattens v, an HSDS object of table, into rows of its table and
// of the tables of the objects it nests, as ExportCSV's tables hold them.
func (s *csvSpill) addValue(table string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("flatten: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("flatten: %w", err)
	}
	return s.add(table, m)
}

// add spills the row of obj and those of the objects it nests.
func (s *csvSpill) add(table string, obj map[string]any) error {
	row := map[string]any{}
	for k, v := range obj {
		child, nested := childTables[k]
		switch v := v.(type) {
		case []any:
			if nested {
				for _, x := range v {
					if m, ok := x.(map[string]any); ok {
						if err := s.add(child, m); err != nil {
							return err
						}
					}
				}
			}
		case map[string]any:
			if nested {
				if err := s.add(child, v); err != nil {
					return err
				}
			}
		default:
			row[k] = v
		}
	}
	fields, ok := s.headers[table]
	if !ok {
		return nil // no table of the package
	}
	id, _ := row["id"].(string)
	key := id
	if table == "language" {
		key = languageOwner(row)
	}
	s.cells = s.cells[:0]
	for _, f := range fields {
		s.cells = append(s.cells, csvCell(f, csvValue(row[f.Name])))
	}
	s.line.Reset()
	w := csv.NewWriter(&s.line)
	_ = w.Write(s.cells)
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	f, err := s.file(table)
	if err != nil {
		return err
	}
	if table != "language" {
		id = "" // the key is the id
	}
	return writeSpillRecord(f, key, id, s.line.Bytes())
}

func (s *csvSpill) file(table string) (*bufio.Writer, error) {
	if w, ok := s.files[table]; ok {
		return w, nil
	}
	f, err := os.Create(filepath.Join(s.dir, table))
	if err != nil {
		return nil, err
	}
	s.handles = append(s.handles, f)
	w := bufio.NewWriterSize(f, 1<<16)
	s.files[table] = w
	return w, nil
}

// writeSpillRecord writes the sort key, the id (empty when it is the key)
// and the encoded CSV line, each preceded by its length.
func writeSpillRecord(w *bufio.Writer, key, id string, line []byte) error {
	var n [binary.MaxVarintLen64]byte
	for _, part := range [][]byte{[]byte(key), []byte(id), line} {
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(part)))])
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// spilledRow is one row of a table read back: its sort key, id and line.
type spilledRow struct{ key, id, line string }

// writeTable writes table res to path: its header, then its rows sorted by
// id (a language's by the record it belongs to, in the order its record
// lists them), the first of the rows sharing an id only; it returns how
// many rows it wrote.
func (s *csvSpill) writeTable(res DataPackageResource, path string) (int, error) {
	var rows []spilledRow
	if w, ok := s.files[res.Name]; ok {
		if err := w.Flush(); err != nil {
			return 0, err
		}
		// The flattening's garbage and the last table's rows are given
		// back first: a table's rows are most of what an export holds.
		debug.FreeOSMemory()
		b, err := os.ReadFile(filepath.Join(s.dir, res.Name))
		if err != nil {
			return 0, err
		}
		// The rows are slices of the file read, which is not copied (nor
		// changed) to make them strings.
		var all string
		if len(b) > 0 {
			all = unsafe.String(&b[0], len(b))
		}
		for off := 0; off < len(all); {
			var parts [3]string
			for i := range parts {
				n, k := binary.Uvarint([]byte(all[off:min(off+binary.MaxVarintLen64, len(all))]))
				if k <= 0 || off+k+int(n) > len(all) {
					return 0, fmt.Errorf("export: spilled %s rows unreadable", res.Name)
				}
				off += k
				parts[i] = all[off : off+int(n)]
				off += int(n)
			}
			if res.Name != "language" {
				parts[1] = parts[0]
			}
			rows = append(rows, spilledRow{parts[0], parts[1], parts[2]})
		}
	}
	// First occurrence of an id wins, as the rows came.
	if res.Name == "language" {
		seen := map[string]bool{}
		kept := rows[:0]
		for _, r := range rows {
			if !seen[r.id] {
				seen[r.id] = true
				kept = append(kept, r)
			}
		}
		rows = kept
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].key < rows[j].key })
	} else {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].key < rows[j].key })
		kept := rows[:0]
		for i, r := range rows {
			if i == 0 || r.id != rows[i-1].id {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	header := make([]string, len(res.Schema.Fields))
	for i, fd := range res.Schema.Fields {
		header[i] = fd.Name
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	cw.Flush()
	for _, r := range rows {
		io.WriteString(w, r.line)
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return len(rows), err
}
