package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/apikey"
	"github.com/village-directory/village/ent/organization"
)

// secretPrefix marks Village secrets, so they are recognisable in configs
// and by secret scanners.
const secretPrefix = "vlg_"

// Roles a key can have.
var KeyRoles = []Role{Reader, Staff, Editor, Admin}

// CreateKey makes a key and returns its secret, which is shown once and
// never stored. An editor key needs at least one organization.
func CreateKey(ctx context.Context, client *ent.Client, name string, role Role, organizations []int) (string, *ent.APIKey, error) {
	switch role {
	case Reader, Staff, Admin:
		if len(organizations) > 0 {
			return "", nil, fmt.Errorf("only editor keys are scoped to organizations")
		}
	case Editor:
		if len(organizations) == 0 {
			return "", nil, fmt.Errorf("an editor key needs the organizations it may write (--org)")
		}
	default:
		return "", nil, fmt.Errorf("unknown role %q (reader, staff, editor or admin)", role)
	}
	for _, id := range organizations {
		if ok, err := client.Organization.Query().Where(organization.ID(id)).Exist(ctx); err != nil {
			return "", nil, err
		} else if !ok {
			return "", nil, fmt.Errorf("organization %d does not exist", id)
		}
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	secret := secretPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
	key, err := client.APIKey.Create().
		SetName(name).
		SetRole(apikey.Role(role)).
		SetPrefix(secret[:len(secretPrefix)+8]).
		SetSecretHash(hash(secret)).
		AddOrganizationIDs(organizations...).
		Save(ctx)
	if err != nil {
		return "", nil, err
	}
	return secret, key, nil
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the viewer a bearer secret acts as. A malformed,
// unknown or revoked secret is ErrUnauthenticated: never anonymous.
func Authenticate(ctx context.Context, client *ent.Client, secret string) (Viewer, error) {
	if !strings.HasPrefix(secret, secretPrefix) || len(secret) < len(secretPrefix)+16 {
		return Viewer{}, fmt.Errorf("%w: not a Village API key", ErrUnauthenticated)
	}
	key, err := client.APIKey.Query().Where(apikey.SecretHash(hash(secret))).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return Viewer{}, fmt.Errorf("%w: unknown API key", ErrUnauthenticated)
	case err != nil:
		return Viewer{}, err
	case key.RevokedAt != nil:
		return Viewer{}, fmt.Errorf("%w: the API key was revoked", ErrUnauthenticated)
	}
	v := Viewer{Role: Role(key.Role), Name: key.Name, KeyID: key.ID}
	if v.Role == Editor { // only editor keys are scoped to organizations
		if v.Organizations, err = key.QueryOrganizations().IDs(ctx); err != nil {
			return Viewer{}, err
		}
	}
	return v, nil
}

// ListKeys returns every key, newest first, with its organizations.
func ListKeys(ctx context.Context, client *ent.Client) ([]*ent.APIKey, error) {
	return client.APIKey.Query().WithOrganizations().Order(ent.Desc(apikey.FieldID)).All(ctx)
}

// RevokeKey revokes a key at once; revoking twice keeps the first time.
func RevokeKey(ctx context.Context, client *ent.Client, id int) error {
	key, err := client.APIKey.Get(ctx, id)
	if err != nil {
		return err
	}
	if key.RevokedAt != nil {
		return nil
	}
	return key.Update().SetRevokedAt(time.Now()).Exec(ctx)
}
