package auth

import (
	"context"
	"errors"
	"net/netip"
	"slices"
)

// Role is what a viewer may do.
type Role string

// The roles, from least to most trusted.
const (
	Anonymous Role = "ANONYMOUS" // no key: public reads
	Reader    Role = "READER"    // a partner app's key: public reads, identified
	Staff     Role = "STAFF"     // call centers: also confidential locations, staff-only phones, internal notes
	Editor    Role = "EDITOR"    // writes its own organizations' records; reads like staff for those
	Admin     Role = "ADMIN"     // everything
)

// Viewer is who a request acts as.
type Viewer struct {
	Role Role
	// Name is the key's name: the change feed's actor.
	Name string
	// KeyID is the API key's ID (0 for anonymous and the CLI).
	KeyID int
	// Organizations are the organizations an editor may write.
	Organizations []int
}

// ErrForbidden is returned for a write (or read) the viewer may not make.
var ErrForbidden = errors.New("forbidden")

// ErrUnauthenticated is returned for a wrong, malformed or revoked key.
var ErrUnauthenticated = errors.New("unauthenticated")

type viewerKey struct{}

// WithViewer returns ctx acting as v.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// FromContext returns the viewer ctx acts as, and whether it carries one
// (a context without a viewer is trusted internal code).
func FromContext(ctx context.Context) (Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(Viewer)
	return v, ok
}

// Consequence returns ctx with an admin's rights under the same name (the
// change feed's actor), for the writes that a change already authorized
// entails and the caller did not ask for: removing links (list entries of
// other records) to records it deleted. Never for a write a caller names.
func Consequence(ctx context.Context) context.Context {
	v, ok := FromContext(ctx)
	if !ok {
		return ctx
	}
	return WithViewer(ctx, Viewer{Role: Admin, Name: Actor(ctx), KeyID: v.KeyID})
}

// Actor is the name the change feed records for writes made in ctx.
func Actor(ctx context.Context) string {
	if v, ok := FromContext(ctx); ok && v.Name != "" {
		return v.Name
	}
	if v, ok := FromContext(ctx); ok {
		return string(v.Role)
	}
	return "cli"
}

// SeesRestricted reports whether ctx may read restricted fields (confidential
// addresses, staff-only phones, internal notes) of records owned by the
// given organizations (nil: the record has no owner).
func SeesRestricted(ctx context.Context, owners ...int) bool {
	v, ok := FromContext(ctx)
	if !ok {
		return true
	}
	switch v.Role {
	case Staff, Admin:
		return true
	case Editor:
		return slices.ContainsFunc(owners, func(o int) bool { return slices.Contains(v.Organizations, o) })
	}
	return false
}

// IsAdmin reports whether ctx is an admin (or trusted internal code).
func IsAdmin(ctx context.Context) bool {
	v, ok := FromContext(ctx)
	return !ok || v.Role == Admin
}

// IsStaff reports whether ctx reads as staff everywhere (staff, admin, or
// internal code).
func IsStaff(ctx context.Context) bool {
	v, ok := FromContext(ctx)
	return !ok || v.Role == Staff || v.Role == Admin
}

type addressKey struct{}

// WithClientAddress returns ctx carrying the network address the request
// came from (the server sets it with the viewer). The library's
// submissions are limited by it; it is never stored.
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addressKey{}, addr)
}

// ClientAddress is the address ctx's request came from ("" when unknown:
// internal code, or a caller that set none).
func ClientAddress(ctx context.Context) string {
	addr, _ := ctx.Value(addressKey{}).(string)
	return addr
}

// AddressForLimits is addr as the limits count callers (the request rate
// limit and the library's submissions): an IPv4-mapped IPv6 address as
// its IPv4 address, an IPv6 address as its /64, which one subscriber
// usually holds whole (counting each address would give one caller 2^64
// budgets), and anything that is no IP address as it is.
func AddressForLimits(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

type submissionKey struct{}

// AsSubmission returns ctx for the one write that submits a library
// resource for review (package write's SubmitResource, after its limits
// and plain-text checks): the write guard lets any viewer, anonymous
// included, create a resource only so, and only as SUBMITTED.
func AsSubmission(ctx context.Context) context.Context {
	return context.WithValue(ctx, submissionKey{}, true)
}

func isSubmission(ctx context.Context) bool {
	ok, _ := ctx.Value(submissionKey{}).(bool)
	return ok
}
