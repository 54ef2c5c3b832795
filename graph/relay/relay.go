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

// MarshalID writes an internal ID as its opaque GraphQL form.
func MarshalID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(Encode(id)))
	})
}

// UnmarshalID reads an opaque GraphQL ID.
func UnmarshalID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("an ID must be a string, got %T", v)
	}
	return Decode(s)
}
