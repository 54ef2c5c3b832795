package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Codes of a request refused in trusted-documents mode, as Apollo Router
// names them (clients already handle them).
const (
	// CodePersistedQueryNotFound: the id or hash names no trusted document.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	// CodePersistedQueryNotInList: a document sent as text is not one of
	// the trusted documents.
	CodePersistedQueryNotInList = "PERSISTED_QUERY_NOT_IN_LIST"
)

// DocIDExtension is where the transports put a request's doc_id (Relay's
// persisted-query form, or documentId), among the request's extensions.
const DocIDExtension = "doc_id"

// TrustedDocuments are the only documents a server in trusted-documents
// mode runs, by their ids: Relay's ids and Apollo's sha256 hashes. A
// document sent as text runs when it is, byte for byte, one of them.
type TrustedDocuments struct {
	byID   map[string]string
	byHash map[string]bool // sha256 (hex) of every text
}

// apolloManifest is Apollo's persisted-query manifest
// (generate-persisted-query-manifest).
type apolloManifest struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Operations []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Body string `json:"body"`
	} `json:"operations"`
}

// LoadTrustedDocuments reads path: Apollo's persisted-query manifest
// ({"format": "apollo-persisted-query-manifest", "operations": [{"id",
// "body"}…]}) or Relay's map of ids to texts ({"<id>": "<text>"}, as
// relay-compiler's persistConfig writes).
func LoadTrustedDocuments(path string) (*TrustedDocuments, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	docs, err := ParseTrustedDocuments(raw)
	if err != nil {
		return nil, fmt.Errorf("trusted documents %s: %w", path, err)
	}
	return docs, nil
}

// ParseTrustedDocuments reads a manifest as LoadTrustedDocuments does.
func ParseTrustedDocuments(raw []byte) (*TrustedDocuments, error) {
	docs := &TrustedDocuments{byID: map[string]string{}, byHash: map[string]bool{}}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if _, ok := probe["operations"]; ok {
		var m apolloManifest
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("an Apollo persisted-query manifest: %w", err)
		}
		if m.Format != "" && m.Format != "apollo-persisted-query-manifest" {
			return nil, fmt.Errorf("format %q: want apollo-persisted-query-manifest", m.Format)
		}
		for i, op := range m.Operations {
			if op.ID == "" || op.Body == "" {
				return nil, fmt.Errorf("operations[%d] (%s): id and body are required", i, op.Name)
			}
			docs.add(op.ID, op.Body)
		}
	} else {
		for id, v := range probe {
			var text string
			if err := json.Unmarshal(v, &text); err != nil || text == "" {
				return nil, fmt.Errorf("%q: a Relay map's values are document texts (strings)", id)
			}
			docs.add(id, text)
		}
	}
	if len(docs.byID) == 0 {
		return nil, fmt.Errorf("lists no documents")
	}
	return docs, nil
}

func (d *TrustedDocuments) add(id, text string) {
	d.byID[id] = text
	sum := sha256.Sum256([]byte(text))
	hash := hex.EncodeToString(sum[:])
	d.byHash[hash] = true
	d.byID[hash] = text // Apollo clients send the hash as sha256Hash
}

// Len is how many documents are listed (0 for nil: no trusted-documents
// mode).
func (d *TrustedDocuments) Len() int {
	if d == nil {
		return 0
	}
	return len(d.byHash)
}

// trustedDocuments runs only listed documents: by id (doc_id), by hash
// (extensions.persistedQuery.sha256Hash) or as a listed text. It takes the
// place of automatic persisted queries, so no request can register a new
// document.
type trustedDocuments struct{ docs *TrustedDocuments }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = trustedDocuments{}

func (trustedDocuments) ExtensionName() string                   { return "TrustedDocuments" }
func (trustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

func (t trustedDocuments) MutateOperationParameters(_ context.Context, params *graphql.RawParams) *gqlerror.Error {
	id, err := persistedID(params)
	if err != nil {
		return err
	}
	if id != "" {
		text, ok := t.docs.byID[id]
		if !ok {
			return coded(CodePersistedQueryNotFound, "PersistedQueryNotFound: %q is not one of this server's trusted documents", id)
		}
		if params.Query != "" && params.Query != text {
			return coded(CodePersistedQueryNotInList, "the query sent differs from the trusted document %q: send the id alone", id)
		}
		params.Query = text
		return nil
	}
	sum := sha256.Sum256([]byte(params.Query))
	if !t.docs.byHash[hex.EncodeToString(sum[:])] {
		return coded(CodePersistedQueryNotInList, "this server runs trusted documents only: send a listed document's id (doc_id, or extensions.persistedQuery.sha256Hash)")
	}
	return nil
}

// persistedID returns the document id a request names: its doc_id, or its
// persisted query's sha256Hash; "" when it names none.
func persistedID(params *graphql.RawParams) (string, *gqlerror.Error) {
	if v, ok := params.Extensions[DocIDExtension]; ok {
		id, _ := v.(string)
		if id == "" {
			return "", coded(CodeBadRequest, "doc_id must be a non-empty string")
		}
		return id, nil
	}
	pq, ok := params.Extensions["persistedQuery"]
	if !ok {
		return "", nil
	}
	m, _ := pq.(map[string]any)
	hash, _ := m["sha256Hash"].(string)
	if hash == "" {
		return "", coded(CodeBadRequest, "extensions.persistedQuery needs a sha256Hash")
	}
	return hash, nil
}

// docIDWithoutTrustedDocuments refuses a doc_id when the server lists no
// documents to look it up in (automatic persisted queries go by hash).
type docIDWithoutTrustedDocuments struct{}

func (docIDWithoutTrustedDocuments) ExtensionName() string                   { return "DocID" }
func (docIDWithoutTrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

func (docIDWithoutTrustedDocuments) MutateOperationParameters(_ context.Context, params *graphql.RawParams) *gqlerror.Error {
	if _, ok := params.Extensions[DocIDExtension]; ok {
		return coded(CodePersistedQueryNotFound, "PersistedQueryNotFound: this server lists no trusted documents to look a doc_id up in; send the query")
	}
	return nil
}

func coded(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, code)
	return err
}
