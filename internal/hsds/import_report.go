package hsds

import (
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// WarningGroup is the warnings of one kind: how many, and the first three
// (in package order) as examples.
type WarningGroup struct {
	Kind     string          `json:"kind"`
	Count    int             `json:"count"`
	Examples []ImportMessage `json:"examples"`
}

// importGroupExamples is how many examples a WarningGroup shows.
const importGroupExamples = 3

// ImportWarningsKept is how many warnings of each kind a Report keeps
// as messages (Report.Warnings); the others are only counted.
const ImportWarningsKept = 100

// warningKind is the group a warning is counted in.
func warningKind(m ImportMessage) string {
	if m.Kind == "" {
		return "other"
	}
	return m.Kind
}

// addWarning counts a warning, and keeps it when fewer than
// ImportWarningsKept of its kind are kept already.
func (r *Report) addWarning(m ImportMessage) {
	if r.warningCounts == nil {
		r.warningCounts = map[string]int{}
		for _, w := range r.Warnings { // set before counting began
			r.warningCounts[warningKind(w)]++
		}
	}
	k := warningKind(m)
	r.warningCounts[k]++
	if r.warningCounts[k] <= ImportWarningsKept {
		r.Warnings = append(r.Warnings, m)
	}
}

// WarningCount is how many warnings the import gave, those Warnings does
// not keep included.
func (r *Report) WarningCount() int {
	if r.warningCounts == nil {
		return len(r.Warnings)
	}
	n := 0
	for _, c := range r.warningCounts {
		n += c
	}
	return n
}

// WarningGroups groups the report's warnings by kind, the largest group
// first (ties by kind), each counting every warning of its kind.
func (r *Report) WarningGroups() []WarningGroup {
	groups := groupMessages(r.Warnings)
	if r.warningCounts != nil {
		for i := range groups {
			groups[i].Count = max(groups[i].Count, r.warningCounts[groups[i].Kind])
		}
		sortGroups(groups)
	}
	return groups
}

func groupMessages(ms []ImportMessage) []WarningGroup {
	idx := map[string]int{}
	var out []WarningGroup
	for _, m := range ms {
		k := m.Kind
		if k == "" {
			k = "other"
		}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, WarningGroup{Kind: k})
		}
		out[i].Count++
		if len(out[i].Examples) < importGroupExamples {
			out[i].Examples = append(out[i].Examples, m)
		}
	}
	sortGroups(out)
	return out
}

// sortGroups puts the largest group first (ties by kind).
func sortGroups(out []WarningGroup) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
}

// TableAccount says what became of the rows of one source table (a CSV
// file; in the JSON form, the objects of one table, in any document):
// every
// row read was imported as given, imported repaired (a warning names
// it), or dropped; Read = Imported + Repaired + Dropped.
type TableAccount struct {
	File     string `json:"file"`  // JSON form: the document, or "(N files)"
	Table    string `json:"table"` // the HSDS 3.0 table the rows were read as
	Read     int    `json:"read"`
	Imported int    `json:"imported"`
	Repaired int    `json:"repaired"`
	Dropped  int    `json:"dropped"`
	// DroppedFor counts the dropped rows by the kind of the warning that
	// says why (each dropped row has one).
	DroppedFor []KindCount `json:"dropped_for,omitempty"`
}

// KindCount is a number of rows for one warning kind.
type KindCount struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// importKindVerb matches the verbs of a message's format.
var importKindVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// importKindOf is the kind of a warning given no kind of its own: its
// format, each value replaced by "…" (so "no %s with id %s in the
// package; link dropped" groups every dangling link).
func importKindOf(format string) string {
	if k, ok := importKinds.Load(format); ok {
		return k.(string)
	}
	k := importKindVerb.ReplaceAllString(format, "…")
	importKinds.Store(format, k)
	return k
}

// importKinds caches importKindOf: a large package warns about
// thousands of rows with a few formats.
var importKinds sync.Map

// repairf warns about a row with a kind of its own (the Warn… constants).
func (m *importMapper) repairf(r *importRow, kind, field, format string, args ...any) {
	msg := r.msg(field, format, args...)
	msg.Kind = kind
	m.rep.addWarning(msg)
	// The latest kind: a row dropped after a repair (a phone given an id,
	// then found to have no number) is dropped for the last.
	m.warned[r] = kind
}

// tableNo is the number of table in m.tableNames.
func (m *importMapper) tableNo(table string) uint16 {
	i := slices.Index(m.tableNames, table)
	if i < 0 {
		i = len(m.tableNames)
		m.tableNames = append(m.tableNames, table)
	}
	return uint16(i)
}

// snapshotRows notes every row the package holds, before mapping merges
// copies away, for the accounting.
func (m *importMapper) snapshotRows() {
	names := make([]string, 0, len(m.pkg.tables))
	for n := range m.pkg.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	size := len(m.pkg.legacyFolded)
	for _, n := range names {
		size += len(m.pkg.tables[n].rows)
	}
	m.all = slices.Grow(m.all, size)
	m.allStart = make(map[string]int, len(names))
	for _, n := range names {
		m.allStart[n] = len(m.all)
		var copies []importTableRow
		for _, r := range m.pkg.tables[n].rows {
			m.all = append(m.all, importTableRow{r, m.tableNo(n), r.src == nil, 0})
			if r.src != nil {
				m.converted = true
			}
			// The copies of a nested record counted as read
			// (nestedCopy) are merged copies, as forgetCopy lists them.
			if c := m.pkg.copies[r]; c > 0 {
				copies = append(copies, importTableRow{m.standIn(r.file), m.tableNo(n), true, c - 1})
			}
		}
		m.all = append(m.all, copies...)
	}
	m.pkg.copies = nil // counted in all
	// Legacy rows folded into another row (an eligibility text into its
	// service) are source rows too.
	if len(m.pkg.legacyFolded) > 0 || len(m.pkg.legacyTables) > 0 {
		m.converted = true
	}
	folded := make([]*importRow, 0, len(m.pkg.legacyFolded))
	for src := range m.pkg.legacyFolded {
		folded = append(folded, src)
	}
	sort.Slice(folded, func(i, j int) bool {
		if folded[i].file != folded[j].file {
			return folded[i].file < folded[j].file
		}
		return folded[i].line < folded[j].line
	})
	for _, src := range folded {
		m.all = append(m.all, importTableRow{src, m.tableNo(importFileTable(src.file)), false, 0})
	}
	// So are the rows of 1.x/2.0 tables that became no 3.0 row (an
	// eligibility text naming no service): dropped, for the warning the
	// conversion gave them.
	legacy := make([]string, 0, len(m.pkg.legacyTables))
	for n := range m.pkg.legacyTables {
		legacy = append(legacy, n)
	}
	sort.Strings(legacy)
	for _, n := range legacy {
		for _, r := range m.pkg.legacyTables[n].rows {
			if m.pkg.legacyUsed[r] {
				continue
			}
			if kind, ok := m.pkg.legacyWarned[r]; ok {
				if _, seen := m.warned[r]; !seen {
					m.warned[r] = kind
				}
			}
			m.all = append(m.all, importTableRow{r, m.tableNo(importFileTable(r.file)), false, 0})
		}
	}
}

// importTableRow is a row read and its table (16 bytes: there is one per
// row of the package).
type importTableRow struct {
	row   *importRow
	table uint16 // m.tableNames

	// own: the row was read as a row of table (not converted from a 1.x
	// row of another table): a file's account is named after that table.
	own bool
	// more is how many other rows of the table the row stands for: the
	// row standing for a file's copies or forgotten rows (forgetCopy,
	// forgetConsumed) is listed once (compactAll).
	more uint32
}

// account fills Report.Tables: a row no record holds (stored, kept
// verbatim or merged into its copy) is dropped, and one that a warning
// names is repaired. A dropped row without a warning of its own gets one,
// so no row is silently left out. Rows read from one source row (a
// legacy CSV row split into several) count once: dropped when all are,
// repaired when any is.
func (m *importMapper) account() {
	const imported, repaired, dropped = rowImported, rowRepaired, rowDropped
	type key struct{ file, table string }
	// A source row, kept small: packages run to millions of rows.
	type origin struct{ account, file, line int32 }
	var accounts []*TableAccount
	accountOf := map[key]int32{}
	// The accounts named after a row read as a row of their table: rows
	// converted from a file's rows (a 1.x phone's languages) come first
	// when their table sorts first, and must not name the file's account.
	named := map[int32]bool{}
	fileOf := map[string]int32{}
	files := map[int32]map[string]bool{} // JSON: the documents of a table
	state := map[origin]uint8{}
	reason := map[origin]string{}
	// A folded legacy row is imported with the row it was folded into.
	for src, into := range m.pkg.legacyFolded {
		if into.consumed {
			src.consumed = true
		}
	}
	for _, tr := range m.all {
		r, table := tr.row, m.tableNames[tr.table]
		k := key{r.file, ""}
		if m.pkg.form != "csv" {
			k = key{"", table} // a directory of JSON documents may hold one per service
		}
		ai, ok := accountOf[k]
		if !ok {
			ai = int32(len(accounts))
			accountOf[k] = ai
			accounts = append(accounts, &TableAccount{File: r.file, Table: table})
			files[ai] = map[string]bool{}
			named[ai] = tr.own
		}
		if tr.own && !named[ai] {
			accounts[ai].Table, named[ai] = table, true
		}
		files[ai][r.file] = true
		fi, ok := fileOf[r.file]
		if !ok {
			fi = int32(len(fileOf))
			fileOf[r.file] = fi
		}
		s, why := imported, ""
		switch {
		case !r.consumed:
			s = dropped
			kind, ok := m.warned[r]
			if !ok {
				kind = WarnNotImported
				m.repairf(r, kind, "", "%s row held by no record of the package; not imported", table)
			}
			why = kind
		default:
			if _, ok := m.warned[r]; ok {
				s = repaired
			}
		}
		a := accounts[ai]
		if r.line <= 0 || !m.converted {
			// A JSON object, or a CSV row of a package read as it is
			// (no row converted from another shares its file and
			// line): its own source row, counted without a map entry
			// per row.
			for range 1 + tr.more {
				accountRow(a, s, why)
			}
			continue
		}
		o := origin{ai, fi, r.line}
		prev, seen := state[o]
		switch {
		case !seen:
			state[o] = s
		case prev == dropped || s == repaired:
			state[o] = s
		}
		if s == dropped && reason[o] == "" {
			reason[o] = why
		}
	}
	for o, s := range state {
		accountRow(accounts[o.account], s, reason[o])
	}
	// The documents whose copies of a nested record were counted with
	// its first row (importPackage.nestedCopy) hold rows of its table too.
	for table, docs := range m.pkg.copyFiles {
		if ai, ok := accountOf[key{"", table}]; ok {
			for i, w := range docs {
				for ; w != 0; w &= w - 1 {
					files[ai][m.pkg.docs[i*64+bits.TrailingZeros64(w)]] = true
				}
			}
		}
	}
	for i, a := range accounts {
		if n := len(files[int32(i)]); n > 1 {
			a.File = fmt.Sprintf("(%d files)", n)
		}
		sort.Slice(a.DroppedFor, func(i, j int) bool { return a.DroppedFor[i].Kind < a.DroppedFor[j].Kind })
		m.rep.Tables = append(m.rep.Tables, *a)
	}
	sort.SliceStable(m.rep.Tables, func(i, j int) bool {
		a, b := m.rep.Tables[i], m.rep.Tables[j]
		if m.pkg.form == "csv" {
			return a.File < b.File
		}
		return a.Table < b.Table
	})
}

// What became of a source row.
const (
	rowImported uint8 = iota + 1
	rowRepaired
	rowDropped
)

// accountRow adds one source row to a: imported, repaired, or dropped
// for the warning kind why.
func accountRow(a *TableAccount, s uint8, why string) {
	a.Read++
	switch s {
	case rowImported:
		a.Imported++
	case rowRepaired:
		a.Repaired++
	default:
		a.Dropped++
		for i := range a.DroppedFor {
			if a.DroppedFor[i].Kind == why {
				a.DroppedFor[i].Count++
				return
			}
		}
		a.DroppedFor = append(a.DroppedFor, KindCount{why, 1})
	}
}

// ReportJSON is the report as `village import --report FILE` writes it.
// Field names are stable; a later version may add fields, never rename
// or remove one.
type ReportJSON struct {
	Path    string `json:"path"`
	Form    string `json:"form"`
	Profile string `json:"profile"`
	Source  string `json:"source"`
	DryRun  bool   `json:"dry_run"`
	Strict  bool   `json:"strict"`
	// Refused is true when nothing was written for a fault (Errors).
	Refused bool                   `json:"refused"`
	Records map[string]RecordsJSON `json:"records"`
	Tables  []TableAccount         `json:"tables"`
	Errors  []ImportMessage        `json:"errors"`
	// Warnings are grouped by kind (the first three of each kind given).
	Warnings []WarningGroup `json:"warnings"`
	Notes    []string       `json:"notes"`
	Ignored  []string       `json:"ignored"`
}

// RecordsJSON counts the records of one Village type.
type RecordsJSON struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// JSON is the report in its JSON form.
func (r *Report) JSON() ReportJSON {
	out := ReportJSON{Path: r.Path, Form: r.Form, Profile: r.Profile, Source: r.Source, DryRun: r.DryRun, Strict: r.Strict,
		Refused: len(r.Errors) > 0, Records: map[string]RecordsJSON{}, Tables: r.Tables, Errors: r.Errors,
		Warnings: r.WarningGroups(), Notes: r.Notes, Ignored: r.Ignored}
	for n, c := range r.Types {
		out.Records[n] = RecordsJSON{c.Created, c.Updated, c.Unchanged}
	}
	if out.Tables == nil {
		out.Tables = []TableAccount{}
	}
	if out.Errors == nil {
		out.Errors = []ImportMessage{}
	}
	if out.Warnings == nil {
		out.Warnings = []WarningGroup{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	if out.Ignored == nil {
		out.Ignored = []string{}
	}
	return out
}

// WriteJSON writes the report's JSON form, indented.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.JSON())
}

// writeTables prints the accounting of the source tables for people.
func (r *Report) writeTables(b *strings.Builder) {
	if len(r.Tables) == 0 {
		return
	}
	b.WriteString("source rows (read = imported + repaired + dropped):\n")
	for _, t := range r.Tables {
		name := t.File
		switch base := strings.TrimSuffix(path.Base(t.File), path.Ext(t.File)); {
		case strings.EqualFold(path.Ext(t.File), ".json") || strings.HasPrefix(t.File, "("):
			name = t.Table + " in " + t.File
		case t.Table != "" && base != t.Table:
			name += " (" + t.Table + ")"
		}
		fmt.Fprintf(b, "  %-30s %d read, %d imported, %d repaired, %d dropped", name, t.Read, t.Imported, t.Repaired, t.Dropped)
		if len(t.DroppedFor) > 0 {
			var why []string
			for _, d := range t.DroppedFor {
				why = append(why, fmt.Sprintf("%d %s", d.Count, d.Kind))
			}
			fmt.Fprintf(b, " (%s)", strings.Join(why, ", "))
		}
		b.WriteString("\n")
	}
}

// writeWarnings prints the warnings grouped by kind, with their first
// examples.
func (r *Report) writeWarnings(b *strings.Builder) {
	if r.WarningCount() == 0 {
		return
	}
	fmt.Fprintf(b, "warnings (%d):\n", r.WarningCount())
	for _, g := range r.WarningGroups() {
		fmt.Fprintf(b, "  %s (%d):\n", g.Kind, g.Count)
		for _, e := range g.Examples {
			b.WriteString("    " + e.String() + "\n")
		}
		if g.Count > len(g.Examples) {
			fmt.Fprintf(b, "    … and %d more\n", g.Count-len(g.Examples))
		}
	}
}
