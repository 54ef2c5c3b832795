// Package relay encodes the opaque, stable node IDs the GraphQL API shows.
//
// Inside Village every record has an integer ID that is unique across all
// types (ent's global ID ranges give each type its own block of 2^32 IDs).
// Clients see that integer wrapped as an opaque string, so they never build
// or do arithmetic on IDs and the internal form can change without breaking
// them. The encoding is deterministic: the same record always has the same ID.
package relay

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// prefix versions the encoding so a future change can still read old IDs.
const prefix = "v1:"

// Encode returns the opaque form of an internal ID.
func Encode(id int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.Itoa(id)))
}

// Decode returns the internal ID of an opaque one.
func Decode(s string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), prefix) {
		return 0, fmt.Errorf("%q is not a Village ID", s)
	}
	id, err := strconv.Atoi(string(raw[len(prefix):]))
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%q is not a Village ID", s)
	}
	return id, nil
}

// MarshalID writes an internal ID as its opaque GraphQL form. A response
// holds an ID for every record it shows, so it is written straight into
// the response, with no string made on the way (issue 19: the
// quoted, encoded string took five allocations an ID).
func MarshalID(id int) graphql.Marshaler {
	return marshaledID(id)
}

type marshaledID int

func (id marshaledID) MarshalGQL(w io.Writer) {
	var raw [len(prefix) + 20]byte
	b := strconv.AppendInt(append(raw[:0], prefix...), int64(id), 10)
	var out [2 + (len(prefix)+20)*4/3 + 2]byte
	n := base64.RawURLEncoding.EncodedLen(len(b))
	// The URL alphabet (A-Z, a-z, 0-9, - and _) needs no escaping in JSON.
	out[0] = '"'
	base64.RawURLEncoding.Encode(out[1:1+n], b)
	out[1+n] = '"'
	_, _ = w.Write(out[:n+2])
}

// UnmarshalID reads an opaque GraphQL ID.
func UnmarshalID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("an ID must be a string, got %T", v)
	}
	return Decode(s)
}
