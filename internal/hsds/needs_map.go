package hsds

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/taxonomyterm"
)

// A needs crosswalk (village import --needs-map FILE.csv) maps the terms of
// an imported vocabulary to Village's family needs, so that match(needs:)
// finds the services tagged with them. It is a CSV file with a header row
// naming these columns, in any order (others are ignored):
//
//	vocabulary  the imported term's vocabulary (its HSDS taxonomy's name,
//	            as the term's vocabulary field holds it)
//	term        the term's code, or its name when no term has that code
//	            (case-insensitive); also accepted: term_code_or_name, code
//	need        the code of a need of the village-needs vocabulary
//	            (home-visiting, …); blank clears the term's mapping
//
// A row naming an unknown need, or a header without these columns, refuses
// the file before anything is written; a row naming no term of the
// vocabulary is a warning. Setting a mapping a term already has changes
// nothing, so a crosswalk applied again logs no event.

// NeedsMapRow is one row of a needs crosswalk.
type NeedsMapRow struct {
	Row                    int // 1 = first data row
	Vocabulary, Term, Need string
}

// NeedsMapResult says what applying a crosswalk did.
type NeedsMapResult struct {
	Mapped, Unchanged int
	Warnings          []ImportMessage
}

// ReadNeedsMap reads a crosswalk file and checks every need it names
// against the needs vocabulary in client.
func ReadNeedsMap(ctx context.Context, client *ent.Client, path string) ([]NeedsMapRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("needs map: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("needs map %s: read the header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "term_code_or_name", "code":
			h = "term"
		}
		if _, ok := col[h]; !ok {
			col[h] = i
		}
	}
	for _, want := range []string{"vocabulary", "term", "need"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("needs map %s: no %s column (the header must name vocabulary, term and need)", path, want)
		}
	}
	needs, err := client.TaxonomyTerm.Query().Where(taxonomyterm.VocabularyEQ(schema.NeedsVocabulary)).
		Select(taxonomyterm.FieldCode).Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("needs map: read the needs vocabulary: %w", err)
	}
	known := map[string]bool{}
	for _, n := range needs {
		known[n] = true
	}
	var out []NeedsMapRow
	for n := 1; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("needs map %s: %w", path, err)
		}
		cell := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := NeedsMapRow{Row: n, Vocabulary: cell("vocabulary"), Term: cell("term"), Need: cell("need")}
		if row.Vocabulary == "" && row.Term == "" && row.Need == "" {
			continue
		}
		for _, f := range []struct{ name, v string }{{"vocabulary", row.Vocabulary}, {"term", row.Term}} {
			if f.v == "" {
				return nil, fmt.Errorf("needs map %s row %d field %s: empty", path, n, f.name)
			}
		}
		if row.Vocabulary == schema.NeedsVocabulary {
			return nil, fmt.Errorf("needs map %s row %d field vocabulary: %s is the needs vocabulary itself", path, n, row.Vocabulary)
		}
		if row.Need != "" && !known[row.Need] {
			return nil, fmt.Errorf("needs map %s row %d field need: %q is not a need of the %s vocabulary", path, n, row.Need, schema.NeedsVocabulary)
		}
		out = append(out, row)
	}
	return out, nil
}

// ApplyNeedsMap sets the need of every term the rows name, in one
// transaction (see ReadNeedsMap); file names the crosswalk in warnings.
func ApplyNeedsMap(ctx context.Context, client *ent.Client, file string, rows []NeedsMapRow) (NeedsMapResult, error) {
	var res NeedsMapResult
	tx, err := client.Tx(ctx)
	if err != nil {
		return res, err
	}
	c := tx.Client()
	needIDs := map[string]int{}
	for _, row := range rows {
		terms, err := c.TaxonomyTerm.Query().Where(taxonomyterm.VocabularyEQ(row.Vocabulary), taxonomyterm.CodeEqualFold(row.Term)).All(ctx)
		if err == nil && len(terms) == 0 {
			terms, err = c.TaxonomyTerm.Query().Where(taxonomyterm.VocabularyEQ(row.Vocabulary), taxonomyterm.NameEqualFold(row.Term)).All(ctx)
		}
		if err != nil {
			_ = tx.Rollback()
			return res, fmt.Errorf("needs map %s row %d: %w", file, row.Row, err)
		}
		if len(terms) == 0 {
			res.Warnings = append(res.Warnings, ImportMessage{File: file, Row: row.Row, Field: "term",
				Text: fmt.Sprintf("no term %q in vocabulary %q; row not applied", row.Term, row.Vocabulary)})
			continue
		}
		var want *int
		if row.Need != "" {
			id, ok := needIDs[row.Need]
			if !ok {
				id, err = c.TaxonomyTerm.Query().Where(taxonomyterm.VocabularyEQ(schema.NeedsVocabulary), taxonomyterm.Code(row.Need)).OnlyID(ctx)
				if err != nil {
					_ = tx.Rollback()
					return res, fmt.Errorf("needs map %s row %d field need: %w", file, row.Row, err)
				}
				needIDs[row.Need] = id
			}
			want = &id
		}
		for _, t := range terms {
			if (t.NeedID == nil && want == nil) || (t.NeedID != nil && want != nil && *t.NeedID == *want) {
				res.Unchanged++
				continue
			}
			u := c.TaxonomyTerm.UpdateOne(t)
			if want != nil {
				u.SetNeedID(*want)
			} else {
				u.ClearNeed()
			}
			if err := u.Exec(ctx); err != nil {
				_ = tx.Rollback()
				return res, fmt.Errorf("needs map %s row %d: term %q: %w", file, row.Row, t.Code, err)
			}
			res.Mapped++
		}
	}
	if err := tx.Commit(); err != nil {
		return NeedsMapResult{}, fmt.Errorf("needs map: commit: %w", err)
	}
	return res, nil
}
