package hsds

import (
	"bufio"
	"fmt"
	"os"
)

// importSpill holds the values of a package's rows off the Go heap: each
// row's values (compactValues) are appended to a temporary file, removed
// once the import ends, and read back by offset (ReadAt) when the mapper
// asks for a value. What the kernel caches of the file is page cache, not
// the process's resident memory (as a mapping of it would be). Read
// values are copies: a record that keeps one holds that value alone, not
// its row. Without a file (tests, or none could be made) the values are
// kept in memory in the same form.
type importSpill struct {
	f    *os.File
	w    *bufio.Writer
	mem  []byte // the values, when there is no file
	size int64
	err  error // the first write or read that failed
	// The rows last read out of order, with their values: the mapper
	// reads a row's values one after another, often of two or three rows
	// in turn (a row and its copy, a record and the row it links to).
	// Reading the row after the last one read, or one a little past the
	// window (a table walked in order), reads ahead a window of the file
	// (win), so a pass over a table takes a read per window,
	// not per row; a row read out of order is read alone, into the oldest
	// of slots.
	slots   [importSpillSlots]importSpillSlot
	scratch []byte // values, for add (see values)
	oldest  int
	win     importSpillWin
	next    int64
	// What packs mapped records (import_pack.go): the values it cannot
	// encode, a buffer for the next record, the field names read back
	// (one string each) and the window records are read back through.
	others     []any
	recScratch []byte
	names      map[string]string
	recWin     importSpillWin
}

// importSpillWin is a window of the spill file read ahead: buf, from off.
type importSpillWin struct {
	buf []byte
	off int64
}

// at is the n bytes at off, when the window holds them.
func (w *importSpillWin) at(off int64, n int) ([]byte, bool) {
	if off >= w.off && off+int64(n) <= w.off+int64(len(w.buf)) {
		return w.buf[off-w.off : off-w.off+int64(n)], true
	}
	return nil, false
}

// end is where the window ends in the file.
func (w *importSpillWin) end() int64 { return w.off + int64(len(w.buf)) }

// importSpillSlots is how many rows read out of order the spill keeps.
const importSpillSlots = 4

// importSpillSlot is a row read out of order and its values.
type importSpillSlot struct {
	r   *importRow
	buf []byte
}

// importSpillWindow is how much of the spill a read in order reads ahead.
const importSpillWindow = 256 << 10

// newImportSpill makes the spill file, in the system's temporary folder,
// and removes its name at once where the system allows (the open file
// stays readable; nothing is left behind whatever becomes of the
// process); without one, the values stay in memory.
func newImportSpill() *importSpill {
	f, err := os.CreateTemp("", "village-import-*.values")
	if err != nil {
		return &importSpill{}
	}
	_ = os.Remove(f.Name())
	return &importSpill{f: f, w: bufio.NewWriterSize(f, 256<<10)}
}

// Close closes the file (and removes it, where its name could not be
// removed while open).
func (s *importSpill) Close() {
	if s == nil || s.f == nil {
		return
	}
	name := s.f.Name()
	_ = s.f.Close()
	_ = os.Remove(name)
	s.f, s.w, s.slots = nil, nil, [importSpillSlots]importSpillSlot{}
}

// importLayout is where the values of a set of rows are: the position
// of each column (the rows of a CSV file, or the JSON objects with the
// same fields, share one) and the spill holding them.
type importLayout struct {
	cols  map[string]int
	spill *importSpill
	// path: a JSON object's path follows its values (see jsonPath).
	path bool
}

// importSpillMaxRow bounds the values of a row the spill holds (a row's
// place is 40 bits of offset and 24 of length, one word): a row of 16
// MiB or more keeps its values in memory, in its map.
const importSpillMaxRow = 1 << 24

// newRow stores a row's values vals (by the layout's positions) and
// gives the row, without its file and place.
func (l *importLayout) newRow(vals []string) *importRow {
	data := l.spill.values(vals)
	if len(data) >= importSpillMaxRow {
		r := &importRow{v: make(map[string]string, len(l.cols))}
		for c, i := range l.cols {
			if i < len(vals) {
				r.v[c] = vals[i]
			}
		}
		return r
	}
	return &importRow{lay: l, at: l.spill.add(data)}
}

// values is vals in compactValues's form, in a buffer the next call
// reuses: for add, which copies it.
func (s *importSpill) values(vals []string) []byte {
	s.scratch = compactValues(s.scratch[:0], vals)
	if cap(s.scratch) > importSpillWindow {
		b := s.scratch
		s.scratch = nil // a large row's room is not kept
		return b
	}
	return s.scratch
}

// add stores the values of a row (compactValues's form, shorter than
// importSpillMaxRow) and gives where they are: offset << 24 | length.
func (s *importSpill) add(data []byte) uint64 {
	at := uint64(s.size)<<24 | uint64(len(data))
	s.size += int64(len(data))
	if s.f == nil {
		s.mem = append(s.mem, data...)
		return at
	}
	if _, err := s.w.Write(data); err != nil && s.err == nil {
		s.err = err
	}
	return at
}

// row gives the stored values of r (nil when it has none).
func (s *importSpill) row(r *importRow) []byte {
	off, n := int64(r.at>>24), int(r.at&(importSpillMaxRow-1))
	if n == 0 {
		return nil
	}
	for i := range s.slots {
		if s.slots[i].r == r {
			return s.slots[i].buf
		}
	}
	if s.f == nil {
		return s.mem[off : off+int64(n)]
	}
	// In order: right after the row read before, or a little past the
	// window (a table's rows of a JSON package lie between the other
	// tables' rows of each document, compacted a document at a time).
	winEnd := s.win.end()
	sequential := off == s.next || (len(s.win.buf) > 0 && off >= winEnd && off-winEnd < importSpillWindow)
	s.next = off + int64(n)
	if b, ok := s.win.at(off, n); ok {
		return b
	}
	if sequential {
		return s.readAhead(&s.win, off, n)
	}
	s.flush()
	slot := &s.slots[s.oldest]
	s.oldest = (s.oldest + 1) % importSpillSlots
	if cap(slot.buf) < n {
		slot.buf = make([]byte, n)
	}
	slot.buf = slot.buf[:n]
	if !s.read(slot.buf, off) {
		slot.r = nil
		return nil
	}
	slot.r = r
	return slot.buf
}

// readAhead reads into w a window of the file from off (importSpillWindow,
// or n bytes when more) and gives its first n bytes.
func (s *importSpill) readAhead(w *importSpillWin, off int64, n int) []byte {
	s.flush()
	size := int(min(max(int64(n), importSpillWindow), s.size-off))
	if size < n {
		if s.err == nil {
			s.err = fmt.Errorf("reading back the package's values: %d bytes at %d, past the end (%d)", n, off, s.size)
		}
		return nil
	}
	if cap(w.buf) < size {
		w.buf = make([]byte, size)
	}
	w.buf = w.buf[:size]
	if !s.read(w.buf, off) {
		w.buf = w.buf[:0]
		return nil
	}
	w.off = off
	return w.buf[:n]
}

// flush writes what is buffered to the file, for a read of it.
func (s *importSpill) flush() {
	if s.w.Buffered() > 0 {
		if err := s.w.Flush(); err != nil && s.err == nil {
			s.err = err
		}
	}
}

// read reads len(b) bytes of the file at off, noting a failure in s.err.
func (s *importSpill) read(b []byte, off int64) bool {
	if _, err := s.f.ReadAt(b, off); err != nil {
		if s.err == nil {
			s.err = fmt.Errorf("reading back the package's values: %w", err)
		}
		return false
	}
	return true
}
