package hsds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"syscall"
)

// DefaultMaxImportFileBytes is the largest file of a package an import
// reads unless ImportOptions.MaxFileBytes says otherwise: a file is read
// whole into memory, so the limit bounds what one file can cost.
const DefaultMaxImportFileBytes int64 = 1 << 30 // 1 GiB

// importFiles is the one way the import reads its package: every name is
// opened through an os.Root on the package's directory, so no symbolic
// link or ".." leads out of it, and only regular files no larger than max
// are read (a device or a FIFO is refused before it is opened, and opened
// non-blocking in case it was swapped in since).
type importFiles struct {
	root *os.Root
	max  int64
}

// importRefusal is a package file the import will not read: the whole
// package is refused, before anything is written.
type importRefusal struct {
	file   string // as messages name it
	path   string // JSON path within file, when the fault is there
	field  string // the column or field at fault, if one is
	reason string
}

func (e *importRefusal) Error() string { return e.message().String() }

func (e *importRefusal) message() ImportMessage {
	return ImportMessage{File: e.file, Path: e.path, Field: e.field, Text: e.reason}
}

// openImportDir opens the package directory dir (itself reached through
// any symbolic link: the caller named it).
func openImportDir(dir string, max int64) (*importFiles, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &importFiles{root: root, max: max}, nil
}

// openImportFile opens the directory of the single-document package file,
// which the caller named, following a symbolic link there; name is the
// file's name within it.
func openImportFile(file string, max int64) (f *importFiles, name string, err error) {
	real, err := filepath.EvalSymlinks(file)
	if err != nil {
		return nil, "", err
	}
	f, err = openImportDir(filepath.Dir(real), max)
	return f, filepath.Base(real), err
}

func (f *importFiles) Close() error { return f.root.Close() }

// stat is what name (slash-separated, within the package) is, following
// symbolic links that stay in the package; file names it in messages. It
// refuses a name that leads out of the package, and anything but a
// regular file of at most max bytes. A name that does not exist is
// fs.ErrNotExist, not a refusal.
func (f *importFiles) stat(name, file string) (fs.FileInfo, error) {
	if !filepath.IsLocal(filepath.FromSlash(name)) {
		return nil, &importRefusal{file: file, reason: "leads out of the package (an absolute path or ..)"}
	}
	fi, err := f.root.Stat(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if l, lerr := f.root.Lstat(name); lerr == nil && l.Mode()&fs.ModeSymlink != 0 {
			return nil, &importRefusal{file: file, reason: "a symbolic link leading out of the package; not followed"}
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &importRefusal{file: file, reason: "cannot be read: " + err.Error()}
	}
	return fi, f.checkInfo(fi, file)
}

// checkInfo refuses anything but a regular file of at most max bytes.
func (f *importFiles) checkInfo(fi fs.FileInfo, file string) error {
	if !fi.Mode().IsRegular() {
		return &importRefusal{file: file, reason: "not a regular file (" + importFileKind(fi.Mode()) + "); only regular files are read"}
	}
	if fi.Size() > f.max {
		return &importRefusal{file: file, reason: fmt.Sprintf("%d bytes, over the limit of %d bytes per package file", fi.Size(), f.max)}
	}
	return nil
}

// importFileKind names what a non-regular file is.
func importFileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "mode " + m.String()
}

// open opens name, checked as read does, to be read as a stream: a read
// past the file limit fails with a refusal.
func (f *importFiles) open(name, file string) (io.ReadCloser, error) {
	if _, err := f.stat(name, file); err != nil {
		return nil, err
	}
	h, err := f.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := h.Stat()
	if err == nil {
		err = f.checkInfo(fi, file)
	}
	if err != nil {
		_ = h.Close()
		return nil, err
	}
	return &importLimitedFile{File: h, left: f.max, max: f.max, file: file}, nil
}

// importLimitedFile reads a package file of at most left more bytes.
type importLimitedFile struct {
	*os.File
	left int64
	max  int64
	file string
}

func (l *importLimitedFile) Read(p []byte) (int, error) {
	n, err := l.File.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, &importRefusal{file: l.file, reason: fmt.Sprintf("grew past the limit of %d bytes per package file while read", l.max)}
	}
	return n, err
}

// read returns the contents of name, checked as stat does.
func (f *importFiles) read(name, file string) ([]byte, error) {
	return f.readInto(nil, name, file)
}

// readInto is read into buf's room, grown to the file's size at once
// (io.ReadAll doubled its way there, a copy each time): a JSON package
// may be tens of thousands of documents, read one after another into one
// buffer.
func (f *importFiles) readInto(buf []byte, name, file string) ([]byte, error) {
	if _, err := f.stat(name, file); err != nil {
		return nil, err
	}
	// Non-blocking: a FIFO put in the file's place since stat would
	// otherwise block this open until a writer came.
	h, err := f.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	fi, err := h.Stat()
	if err != nil {
		return nil, err
	}
	if err := f.checkInfo(fi, file); err != nil {
		return nil, err
	}
	// The size stat gave, and room to see the file grow past it (a read
	// at its end returns nothing only with room left).
	b := bytes.NewBuffer(buf[:0])
	b.Grow(int(min(fi.Size(), f.max)) + bytes.MinRead)
	if _, err := b.ReadFrom(io.LimitReader(h, f.max+1)); err != nil {
		return nil, err
	}
	data := b.Bytes()
	if int64(len(data)) > f.max {
		return nil, &importRefusal{file: file, reason: fmt.Sprintf("grew past the limit of %d bytes per package file while read", f.max)}
	}
	return data, nil
}

// importEntry is one entry of a package directory: its name and whether
// it is a directory (a symbolic link is what it points to).
type importEntry struct {
	name string
	dir  bool
}

// list returns the entries of the package directory dir ("." for the
// top), sorted by name. A symbolic link is resolved in the package; one
// leading out of it refuses the package, whether or not the import would
// read it (a package is its directory).
func (f *importFiles) list(dir string) ([]importEntry, error) {
	d, err := f.root.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	des, err := d.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	sort.Slice(des, func(i, j int) bool { return des[i].Name() < des[j].Name() })
	out := make([]importEntry, 0, len(des))
	for _, de := range des {
		e := importEntry{name: de.Name(), dir: de.IsDir()}
		if de.Type()&fs.ModeSymlink != 0 {
			name := path.Join(dir, de.Name())
			fi, err := f.root.Stat(name)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				// A dangling link: refused when read.
			case err != nil:
				return nil, &importRefusal{file: name, reason: "a symbolic link leading out of the package; not followed"}
			default:
				e.dir = fi.IsDir()
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// dataPackageResources returns the files a datapackage.json's resources
// name (slash-separated, within the package, in any folder), refusing
// the package when one leads outside it (an absolute path, "..", a URL, a
// link out of it) or is a file it would refuse to read. A resource that
// that does not exist, or a descriptor that cannot be read, is named in
// the notes returned (the folder's own tables are read then). When no
// resource is where the descriptor says but one sub-folder of subdirs
// holds them (Open211 Miami's names organizations.csv, which is in
// data/), they are read there and movedTo names that folder.
func (f *importFiles) dataPackageResources(subdirs []string) (resources, notes []string, movedTo string, err error) {
	const file = "datapackage.json"
	data, err := f.read(file, file)
	if err != nil {
		return nil, nil, "", err
	}
	var dp struct {
		Resources []struct {
			Path json.RawMessage `json:"path"`
		} `json:"resources"`
	}
	if json.Unmarshal(data, &dp) != nil {
		return nil, []string{file + ": not a data package descriptor (malformed JSON); the folder's tables are read"}, "", nil
	}
	type named struct{ where, path string }
	var all []named
	for i, r := range dp.Resources {
		var paths []string
		var one string
		list := false
		if json.Unmarshal(r.Path, &one) == nil {
			paths = []string{one}
		} else if json.Unmarshal(r.Path, &paths) == nil {
			list = true
		} else {
			continue
		}
		for j, p := range paths {
			where := fmt.Sprintf("$.resources[%d].path", i)
			if list {
				where += fmt.Sprintf("[%d]", j)
			}
			if u, err := url.Parse(p); err == nil && len(u.Scheme) > 1 {
				return nil, nil, "", &importRefusal{file: file, path: where, reason: fmt.Sprintf("resource %q: not a file of the package (remote resources are not read)", p)}
			}
			all = append(all, named{where, p})
		}
	}
	// resolve finds the resources in dir; refusals only where dir is the
	// package's own folder (what the descriptor says).
	resolve := func(dir string, base bool) (found, missing []string, err error) {
		for _, n := range all {
			p := n.path
			if base {
				p = path.Join(dir, path.Base(filepath.ToSlash(p)))
			} else if dir != "." {
				if !filepath.IsLocal(filepath.FromSlash(p)) {
					continue
				}
				p = path.Join(dir, filepath.ToSlash(p))
			}
			_, err := f.stat(p, p)
			var r *importRefusal
			switch {
			case errors.As(err, &r):
				if dir != "." {
					continue
				}
				return nil, nil, &importRefusal{file: file, path: n.where, reason: fmt.Sprintf("resource %q: %s", p, r.reason)}
			case errors.Is(err, fs.ErrNotExist):
				missing = append(missing, fmt.Sprintf("%s %s: resource %q is not in the package; not read", file, n.where, p))
				continue
			case err != nil:
				return nil, nil, err
			}
			found = append(found, path.Clean(filepath.ToSlash(p)))
		}
		return found, missing, nil
	}
	resources, notes, err = resolve(".", false)
	if err != nil || len(resources) > 0 || len(all) == 0 {
		return resources, notes, "", err
	}
	// Paths relative to another folder (the exporter's own:
	// "tmp/datapackage/data/services.csv") are looked for by their file
	// name too, at the top and in each sub-folder.
	tie := false
	for _, d := range append([]string{"."}, subdirs...) {
		for _, base := range []bool{false, true} {
			if d == "." && !base {
				continue
			}
			found, missing, err := resolve(d, base)
			if err != nil {
				return nil, nil, "", err
			}
			switch {
			case len(found) > len(resources):
				resources, notes, movedTo, tie = found, missing, d, false
			case len(found) == len(resources) && len(found) > 0 && d != movedTo:
				tie = true
			}
		}
	}
	if tie {
		resources, notes, err = resolve(".", false)
		return resources, notes, "", err
	}
	return resources, notes, movedTo, nil
}
