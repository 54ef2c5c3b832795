package hsds

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// DefaultMaxImportArchiveBytes bounds what a .zip package may hold once
// uncompressed, all its files together, unless
// ImportOptions.MaxArchiveBytes says otherwise; each file is also bounded
// by MaxFileBytes.
const DefaultMaxImportArchiveBytes int64 = 4 << 30 // 4 GiB

// DefaultMaxImportArchiveEntries bounds the entries (files and folders) of a
// .zip package unless ImportOptions.MaxArchiveEntries says otherwise.
const DefaultMaxImportArchiveEntries = 10_000

// importArchiveLimits bound what extracting a .zip package may cost.
type importArchiveLimits struct {
	fileBytes, totalBytes int64
	entries               int
}

// importUnzip extracts the .zip package file into a new temporary folder
// and returns the folder the package is (the archive's one top folder, when
// it holds only that) and a function removing what was extracted. Nothing
// is written outside the temporary folder: an entry whose name leads out of
// it (an absolute path, "..", a backslash), a symbolic link or any entry but a
// file or a folder, a name given twice, more entries than the limit, or
// more bytes than the limits allow once uncompressed (counted as they are
// written, whatever the archive's headers claim) refuses the package.
func importUnzip(file string, lim importArchiveLimits) (dir string, cleanup func(), err error) {
	name := filepath.Base(file)
	zr, err := zip.OpenReader(file)
	if errors.Is(err, zip.ErrInsecurePath) {
		zr.Close()
		return "", nil, &importRefusal{file: name, reason: "an archive entry leads out of the package (an absolute path or ..); nothing extracted"}
	}
	if err != nil {
		return "", nil, &importRefusal{file: name, reason: "not a readable .zip archive: " + err.Error()}
	}
	defer zr.Close()
	if len(zr.File) > lim.entries {
		return "", nil, &importRefusal{file: name, reason: fmt.Sprintf("%d entries, over the limit of %d entries per archive", len(zr.File), lim.entries)}
	}
	tmp, err := os.MkdirTemp("", "village-import-*")
	if err != nil {
		return "", nil, err
	}
	remove := func() { os.RemoveAll(tmp) }
	defer func() {
		if err != nil {
			remove()
		}
	}()
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return "", nil, err
	}
	defer root.Close()
	var total int64
	for _, f := range zr.File {
		entry := name + ": " + f.Name
		clean := path.Clean(f.Name)
		if strings.Contains(f.Name, `\`) || !filepath.IsLocal(filepath.FromSlash(clean)) {
			return "", nil, &importRefusal{file: entry, reason: "an archive entry leading out of the package (an absolute path, .. or a backslash); not extracted"}
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			return "", nil, &importRefusal{file: entry, reason: "a symbolic link in the archive; links are not extracted"}
		case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
			if err := root.MkdirAll(clean, 0o755); err != nil {
				return "", nil, &importRefusal{file: entry, reason: "cannot be extracted: " + err.Error()}
			}
			continue
		case !mode.IsRegular():
			return "", nil, &importRefusal{file: entry, reason: "not a regular file (" + importFileKind(mode) + "); only files and folders are extracted"}
		}
		if d := path.Dir(clean); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return "", nil, &importRefusal{file: entry, reason: "cannot be extracted: " + err.Error()}
			}
		}
		n, err := importUnzipFile(root, f, clean, min(lim.fileBytes, lim.totalBytes-total))
		total += n
		switch {
		case errors.Is(err, errImportTooLarge) && total > lim.totalBytes:
			return "", nil, &importRefusal{file: entry, reason: fmt.Sprintf("the archive holds more than the limit of %d bytes uncompressed", lim.totalBytes)}
		case errors.Is(err, errImportTooLarge):
			return "", nil, &importRefusal{file: entry, reason: fmt.Sprintf("over the limit of %d bytes per package file uncompressed", lim.fileBytes)}
		case errors.Is(err, fs.ErrExist):
			return "", nil, &importRefusal{file: entry, reason: "given twice in the archive"}
		case err != nil:
			return "", nil, &importRefusal{file: entry, reason: "cannot be extracted: " + err.Error()}
		}
	}
	return importArchiveTop(tmp), remove, nil
}

var errImportTooLarge = errors.New("over the limit")

// importUnzipFile writes the archive's file f as name under root, at most
// max bytes of it; it returns the bytes written (max+1 when it was larger).
func importUnzipFile(root *os.Root, f *zip.File, name string, max int64) (int64, error) {
	r, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	w, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, io.LimitReader(r, max+1))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > max {
		err = errImportTooLarge
	}
	return n, err
}

// importArchiveTop is the folder a package extracted into dir is: the
// archive's one top folder when that is all it holds (besides the
// __MACOSX folder and .DS_Store files macOS adds), else dir itself.
func importArchiveTop(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return dir
	}
	var top []os.DirEntry
	for _, e := range entries {
		if e.Name() != "__MACOSX" && e.Name() != ".DS_Store" {
			top = append(top, e)
		}
	}
	if len(top) == 1 && top[0].IsDir() {
		return filepath.Join(dir, top[0].Name())
	}
	return dir
}
