package hsds

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// ExportManifest is the file an export writes into its directory beside
// the package: the files it wrote (paths relative to the directory, with
// slashes), so the next export into the directory can tell its own files
// from anyone else's. It has no .json or .csv extension, so an import of
// the directory does not take it for part of the package.
const ExportManifest = ".village-export"

// exportSubdirs are the directories an export writes into (the JSON form).
var exportSubdirs = []string{"services", "organizations"}

type exportManifest struct {
	Generator string   `json:"generator"` // "village"
	Format    string   `json:"format"`
	Files     []string `json:"files"`
}

// ForeignContentError is an export refused because its directory holds
// what no earlier Village export wrote there: the export would leave it
// beside the package (where an import would read it) or have to delete
// it.
type ForeignContentError struct {
	Dir, Path string
}

func (e *ForeignContentError) Error() string {
	return fmt.Sprintf("%s is not empty and holds %s, which no Village export wrote: export into a new or empty directory, "+
		"or into one that holds only an earlier Village export (which is then replaced)", e.Dir, e.Path)
}

// CheckExportDir reports whether an export may write into dir: it does not
// exist, is empty, or holds only an earlier Village export (its manifest,
// the files the manifest lists and the directories they are in). It
// returns the files of that earlier export.
func CheckExportDir(dir string) ([]string, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	listed := map[string]bool{}
	b, err := os.ReadFile(filepath.Join(dir, ExportManifest))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Not ours: report a file of it.
		return nil, &ForeignContentError{Dir: dir, Path: entries[0].Name()}
	case err != nil:
		return nil, err
	}
	var m exportManifest
	if err := json.Unmarshal(b, &m); err != nil || m.Generator != "village" {
		return nil, &ForeignContentError{Dir: dir, Path: ExportManifest + " (not a Village export's manifest)"}
	}
	for _, f := range m.Files {
		listed[f] = true
	}
	var present []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
			return nil
		case d.IsDir() && slices.Contains(exportSubdirs, rel):
			return nil
		case d.Type().IsRegular() && (rel == ExportManifest || listed[rel]):
			if rel != ExportManifest {
				present = append(present, rel)
			}
			return nil
		}
		// Anything else (another file, a link, a deeper directory) is not
		// what an export writes.
		return &ForeignContentError{Dir: dir, Path: rel}
	})
	if err != nil {
		return nil, err
	}
	return present, nil
}

// exportTarget is a directory an export is writing.
type exportTarget struct {
	dir, format string
	files       []string
}

// replaceExport prepares dir for an export in format that writes files
// (paths relative to dir, with slashes): it refuses a directory
// CheckExportDir refuses, removes the earlier export's files that the new
// one does not write again, and creates dir and its subdirectories. The
// manifest always lists every file of either export that may be present,
// so an export cut short leaves a directory the next one still recognises.
// Call finish once every file is written.
func replaceExport(dir, format string, files []string) (*exportTarget, error) {
	old, err := CheckExportDir(dir)
	if err != nil {
		return nil, err
	}
	t := &exportTarget{dir: dir, format: format, files: files}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := t.writeManifest(append(slices.Clone(files), old...)); err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, f := range files {
		keep[f] = true
	}
	for _, f := range old {
		if !keep[f] {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(f))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	for _, sub := range exportSubdirs {
		needed := slices.ContainsFunc(files, func(f string) bool { return filepath.ToSlash(filepath.Dir(f)) == sub })
		if needed || format == "json" {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
				return nil, err
			}
			continue
		}
		// The earlier export's, now empty (CheckExportDir allows nothing
		// else in it): a CSV package has none.
		if err := os.Remove(filepath.Join(dir, sub)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return t, nil
}

// finish writes the manifest of the export's own files.
func (t *exportTarget) finish() error { return t.writeManifest(t.files) }

func (t *exportTarget) writeManifest(files []string) error {
	files = slices.Clone(files)
	sort.Strings(files)
	files = slices.Compact(files)
	b, err := json.MarshalIndent(exportManifest{Generator: "village", Format: t.format, Files: files}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(t.dir, ExportManifest), append(b, '\n'), 0o644)
}
