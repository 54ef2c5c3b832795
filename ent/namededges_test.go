package ent

import (
	"errors"
	"testing"
	"unsafe"
)

// TestNamedEdges: the nodes loaded under each name, in the order added; a
// name loaded with none is loaded (an empty, non-nil list), one never
// added is not; and the field is no larger than ent's map was, so the
// node structs keep their size.
func TestNamedEdges(t *testing.T) {
	a, b, c := &ServiceArea{ID: 1}, &ServiceArea{ID: 2}, &ServiceArea{ID: 3}
	var s Service
	if _, err := s.NamedServiceAreas("areas"); !IsNotLoaded(err) {
		t.Fatalf("nothing loaded: err = %v, want not loaded", err)
	}
	s.appendNamedServiceAreas("empty")
	s.appendNamedServiceAreas("areas", a)
	s.appendNamedServiceAreas("first", c)
	s.appendNamedServiceAreas("areas", b)
	got, err := s.NamedServiceAreas("areas")
	if err != nil || len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("areas = %v, %v; want [1 2]", got, err)
	}
	// Appending none sets the name's nodes to none, as ent's map did.
	s.appendNamedServiceAreas("areas")
	if got, err := s.NamedServiceAreas("areas"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("areas after appending none = %#v, %v; want an empty non-nil list", got, err)
	}
	if got, err := s.NamedServiceAreas("first"); err != nil || len(got) != 1 || got[0] != c {
		t.Errorf("first = %v, %v; want [3]", got, err)
	}
	if got, err := s.NamedServiceAreas("empty"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty = %#v, %v; want an empty non-nil list", got, err)
	}
	var nl *NotLoadedError
	if _, err := s.NamedServiceAreas("other"); !errors.As(err, &nl) {
		t.Errorf("other: err = %v, want not loaded", err)
	}
	if size, mapSize := unsafe.Sizeof(s.Edges.namedServiceAreas), unsafe.Sizeof(map[string][]*ServiceArea(nil)); size > mapSize {
		t.Errorf("namedEdges is %d bytes, ent's map field %d", size, mapSize)
	}
}

// TestNamedEdgesCopyNotAlias: the first edges added under a name are
// copied, so a caller's slice is never appended to in place.
func TestNamedEdgesCopyNotAlias(t *testing.T) {
	a, b := &ServiceArea{ID: 1}, &ServiceArea{ID: 2}
	in := make([]*ServiceArea, 1, 4)
	in[0] = a
	var n namedEdges[ServiceArea]
	n.add("x", in)
	n.add("x", []*ServiceArea{b})
	if in[:2][1] != nil {
		t.Error("the caller's slice was appended to")
	}
}
