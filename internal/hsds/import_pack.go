package hsds

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"sync"
	"time"
)

// A mapped record's fields and links, once complete (its Village
// attributes restored: see finish), are packed: encoded end to end
// (importPacker) and appended to the package's spill, where its rows'
// values are, and read back when the record is written (unpack). A
// record then holds their place in the spill, one word, not a field (32
// bytes), a boxed value and a string per value: the records of the
// national package held 90 MB of fields and values on the heap, most of
// the import's peak (see doc.go, Import memory).
//
// The encoding gives back each value as it was given, of the same Go
// type: text, numbers, booleans, times in UTC, lists of text and the
// string types of ent's enums (servicearea.Kind…) are encoded; any other
// value (an eligibility, a list of delivery modes: a few per service) is
// kept on the heap in the spill's others, and its place encoded.

// The tags of packed values.
const (
	packNil byte = iota
	packString
	packFalse
	packTrue
	packInt
	packInt64
	packFloat
	packTime     // UTC, as time.Time.MarshalBinary gives it
	packStrings  // []string, not nil
	packNilSlice // []string(nil)
	packNamed    // a string type (an ent enum), by its place in importPackTypes
	packOther    // kept in the spill's others, by its place there
)

// importPackTypes are the string types met in packed values, each given
// a number, the same for every import of the process.
var importPackTypes struct {
	sync.Mutex
	list []reflect.Type
	num  map[reflect.Type]int
}

func importPackType(t reflect.Type) int {
	importPackTypes.Lock()
	defer importPackTypes.Unlock()
	if n, ok := importPackTypes.num[t]; ok {
		return n
	}
	if importPackTypes.num == nil {
		importPackTypes.num = map[reflect.Type]int{}
	}
	n := len(importPackTypes.list)
	importPackTypes.list = append(importPackTypes.list, t)
	importPackTypes.num[t] = n
	return n
}

func importPackTypeOf(n int) (reflect.Type, bool) {
	importPackTypes.Lock()
	defer importPackTypes.Unlock()
	if n < 0 || n >= len(importPackTypes.list) {
		return nil, false
	}
	return importPackTypes.list[n], true
}

// importKindByNumber numbers the record kinds, for packed links.
var importKindByNumber = []*importKind{importOrgKind, importLocKind, importSvcKind, importAreaKind, importSALKind,
	importContactKind, importPhoneKind, importScheduleKind, importProgramKind, importTermKind, importFundingKind}

func importKindNumber(k *importKind) int {
	for i, x := range importKindByNumber {
		if x == k {
			return i
		}
	}
	return -1
}

// packValue appends v, tagged, to b; a value it cannot encode goes to
// others.
func packValue(b []byte, v any, others *[]any) []byte {
	putString := func(b []byte, s string) []byte {
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	}
	switch x := v.(type) {
	case nil:
		return append(b, packNil)
	case string:
		return putString(append(b, packString), x)
	case bool:
		if x {
			return append(b, packTrue)
		}
		return append(b, packFalse)
	case int:
		return binary.AppendVarint(append(b, packInt), int64(x))
	case int64:
		return binary.AppendVarint(append(b, packInt64), x)
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, packFloat), math.Float64bits(x))
	case time.Time:
		if x.Location() == time.UTC {
			if t, err := x.MarshalBinary(); err == nil {
				return putString(append(b, packTime), string(t))
			}
		}
	case []string:
		if x == nil {
			return append(b, packNilSlice)
		}
		b = binary.AppendUvarint(append(b, packStrings), uint64(len(x)))
		for _, s := range x {
			b = putString(b, s)
		}
		return b
	default:
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
			b = binary.AppendUvarint(append(b, packNamed), uint64(importPackType(rv.Type())))
			return putString(b, rv.String())
		}
	}
	*others = append(*others, v)
	return binary.AppendUvarint(append(b, packOther), uint64(len(*others)-1))
}

// importUnpacker reads what packValue wrote.
type importUnpacker struct {
	b      []byte
	others []any
	err    error
	// names are the field names read, each one string.
	names map[string]string
}

func (u *importUnpacker) fail(format string, args ...any) {
	if u.err == nil {
		u.err = fmt.Errorf("reading back a mapped record: "+format, args...)
	}
	u.b = nil
}

func (u *importUnpacker) uvarint() uint64 {
	x, n := binary.Uvarint(u.b)
	if n <= 0 {
		u.fail("bad number")
		return 0
	}
	u.b = u.b[n:]
	return x
}

func (u *importUnpacker) bytes() []byte {
	n := u.uvarint()
	if n > uint64(len(u.b)) {
		u.fail("short text")
		return nil
	}
	s := u.b[:n]
	u.b = u.b[n:]
	return s
}

func (u *importUnpacker) string() string { return string(u.bytes()) }

// name reads a field name, the same string for every record.
func (u *importUnpacker) name() string {
	b := u.bytes()
	if s, ok := u.names[string(b)]; ok {
		return s
	}
	if u.names == nil {
		u.names = map[string]string{}
	}
	s := string(b)
	u.names[s] = s
	return s
}

func (u *importUnpacker) value() any {
	if len(u.b) == 0 {
		u.fail("no value")
		return nil
	}
	tag := u.b[0]
	u.b = u.b[1:]
	switch tag {
	case packNil:
		return nil
	case packString:
		return u.string()
	case packFalse:
		return false
	case packTrue:
		return true
	case packInt, packInt64:
		x, n := binary.Varint(u.b)
		if n <= 0 {
			u.fail("bad number")
			return nil
		}
		u.b = u.b[n:]
		if tag == packInt {
			return int(x)
		}
		return x
	case packFloat:
		if len(u.b) < 8 {
			u.fail("short number")
			return nil
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(u.b))
		u.b = u.b[8:]
		return f
	case packTime:
		var t time.Time
		if err := t.UnmarshalBinary(u.bytes()); err != nil {
			u.fail("bad time: %v", err)
			return nil
		}
		return t.UTC()
	case packStrings:
		n := u.uvarint()
		if n > uint64(len(u.b)) {
			u.fail("short list")
			return nil
		}
		out := make([]string, n)
		for i := range out {
			out[i] = u.string()
		}
		return out
	case packNilSlice:
		return []string(nil)
	case packNamed:
		t, ok := importPackTypeOf(int(u.uvarint()))
		if !ok {
			u.fail("unknown type")
			return nil
		}
		return reflect.ValueOf(u.string()).Convert(t).Interface()
	case packOther:
		i := u.uvarint()
		if i >= uint64(len(u.others)) {
			u.fail("unknown value")
			return nil
		}
		return u.others[i]
	}
	u.fail("unknown tag %d", tag)
	return nil
}

// packRecord encodes r's fields and links: their counts, then each field
// (name, value) and each link (field, kind, HSDS id).
func packRecord(b []byte, r *importRec, others *[]any) []byte {
	b = binary.AppendUvarint(b, uint64(len(r.fieldList())))
	b = binary.AppendUvarint(b, uint64(len(r.refList())))
	for _, f := range r.fieldList() {
		b = binary.AppendUvarint(b, uint64(len(f.Name)))
		b = append(b, f.Name...)
		b = packValue(b, f.Value, others)
	}
	for _, ref := range r.refList() {
		b = binary.AppendUvarint(b, uint64(len(ref.field)))
		b = append(b, ref.field...)
		b = binary.AppendUvarint(b, uint64(importKindNumber(ref.kind)+1))
		b = binary.AppendUvarint(b, uint64(len(ref.extID)))
		b = append(b, ref.extID...)
	}
	return b
}

// unpackRecord reads what packRecord wrote.
func (u *importUnpacker) record() ([]importField, []importRef) {
	nf, nr := u.uvarint(), u.uvarint()
	if nf+nr > uint64(len(u.b)) {
		u.fail("short record")
		return nil, nil
	}
	fields := make([]importField, 0, nf)
	for range nf {
		name := u.name()
		fields = append(fields, importField{Name: name, Value: u.value()})
	}
	var refs []importRef
	if nr > 0 {
		refs = make([]importRef, 0, nr)
	}
	for range nr {
		field := u.name()
		var kind *importKind
		if k := int(u.uvarint()) - 1; k >= 0 && k < len(importKindByNumber) {
			kind = importKindByNumber[k]
		} else {
			u.fail("unknown kind")
		}
		refs = append(refs, importRef{field: field, kind: kind, extID: u.string()})
	}
	if u.err != nil {
		return nil, nil
	}
	return fields, refs
}

// pack moves r's fields and links to the spill s (see above).
func (r *importRec) pack(s *importSpill) {
	if s == nil || r.packed != 0 {
		return
	}
	s.recScratch = packRecord(s.recScratch[:0], r, &s.others)
	if len(s.recScratch) >= importSpillMaxRow {
		return // kept as they are
	}
	r.packed = s.add(s.recScratch)
	r.spill = s
	r.body = nil
	if cap(s.recScratch) > importSpillWindow {
		s.recScratch = nil
	}
}

// unpack gives r's fields and links back, from the spill when packed
// (r keeps them packed: each call reads them again).
func (r *importRec) unpack() ([]importField, []importRef, error) {
	if r.packed == 0 {
		return r.fieldList(), r.refList(), nil
	}
	s := r.spill
	b := s.packedRecord(r.packed)
	if b == nil {
		if s.err != nil {
			return nil, nil, s.err
		}
		return nil, nil, fmt.Errorf("reading back a mapped record: %s %s not found", r.kind.Name, r.extID)
	}
	u := importUnpacker{b: b, others: s.others, names: s.names}
	fields, refs := u.record()
	s.names = u.names
	if u.err != nil && s.err == nil {
		s.err = u.err
	}
	return fields, refs, u.err
}

// unpacked restores r's fields and links from the spill (for the write,
// or anything that changes them), leaving r unpacked.
func (r *importRec) unpacked() error {
	if r.packed == 0 {
		return nil
	}
	fields, refs, err := r.unpack()
	if err != nil {
		// The spill's error refuses the import once mapped (Import checks
		// it): a record changed without its fields must not be written.
		if r.spill.err == nil {
			r.spill.err = err
		}
		return err
	}
	r.body, r.packed, r.spill = &importRecBody{fields, refs}, 0, nil
	return nil
}

// readPacked reads back what add stored at at, on its own (not through
// a window: a record's history is read out of order, and seldom).
func (s *importSpill) readPacked(at uint64) []byte {
	off, n := int64(at>>24), int(at&(importSpillMaxRow-1))
	if s.f == nil {
		if off+int64(n) > int64(len(s.mem)) {
			return nil
		}
		return s.mem[off : off+int64(n)]
	}
	s.flush()
	b := make([]byte, n)
	if !s.read(b, off) {
		return nil
	}
	return b
}

// packedRecord reads back a record's packed fields (at as add gave it).
// Records are written in the order they were packed: a read past the
// last reads ahead a window of the file, apart from the rows' window.
func (s *importSpill) packedRecord(at uint64) []byte {
	off, n := int64(at>>24), int(at&(importSpillMaxRow-1))
	if s.f == nil {
		if off+int64(n) > int64(len(s.mem)) {
			return nil
		}
		return s.mem[off : off+int64(n)]
	}
	if b, ok := s.recWin.at(off, n); ok {
		return b
	}
	return s.readAhead(&s.recWin, off, n)
}
