package write

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/internal/auth"
)

// The library's submission limits (see the package documentation).
const (
	// SubmissionsPerHour is how many resources one address may submit
	// without an API key in an hour.
	SubmissionsPerHour = 5
	// MaxPendingSubmissions is how many resources submitted without an
	// API key may wait for review at once.
	MaxPendingSubmissions = 500
)

// Lengths a submission's text may have, in characters.
const (
	maxTitle      = 300
	maxSummary    = 5000
	maxNote       = 2000
	maxURL        = 2000
	maxShortText  = 200 // a place, an external source or identifier
	maxProvenance = 1000
	maxPlaces     = 50
	maxLinks      = 50 // topicIDs, programIDs
)

// tokenPrefix marks submission tokens ("Village library submission"), so
// one is told apart from an API key (vlg_) at a glance and by scanners.
const tokenPrefix = "vls_"

// submissionLockKey is the advisory lock that serialises the pending-cap
// check on PostgreSQL ("VILSUBM" in ASCII, as an int64); SQLite's write
// transactions are serialised already (they begin immediate).
const submissionLockKey = 0x56494C5355424D

// Submission is what SubmitResource made: the resource, SUBMITTED, and the
// token its submitter follows it with. The token is shown this once:
// only its hash is stored.
type Submission struct {
	SubmissionToken string
	Resource        *ent.Resource
}

// SubmissionState is what submissionStatus tells a token's holder.
type SubmissionState struct {
	Status      resource.Status
	SubmittedAt time.Time
	ReviewedAt  *time.Time
	ReviewNote  *string
	// ResourceID is the resource's ID once it is published (0 before).
	ResourceID int
}

// RateLimitedError is a submission refused because its address submitted
// SubmissionsPerHour resources in the last hour.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many submissions from your address: at most %d an hour without an API key; retry after %s",
		SubmissionsPerHour, e.RetryAfter.Round(time.Second))
}

// SubmissionsFullError is a submission refused because
// MaxPendingSubmissions submissions without a key wait for review.
type SubmissionsFullError struct{}

func (e *SubmissionsFullError) Error() string {
	return fmt.Sprintf("the review queue is full: %d resources submitted without an API key are waiting for review; try again later, or submit with an API key",
		MaxPendingSubmissions)
}

// ErrNoSubmission answers a submission token that names no submission:
// mistyped, or the resource was deleted. It says nothing more, so tokens
// cannot be probed.
var ErrNoSubmission = errors.New("no submission has this token")

// SubmitResource adds a resource to the library for review, from anyone: it
// arrives SUBMITTED, invisible to all but admins until an admin publishes
// it with ReviewResource. note is the submitter's word to the reviewers.
// Every submission is plain text within length limits; one without an API
// key is also held to SubmissionsPerHour per address and
// MaxPendingSubmissions in all, and may not claim an external identifier.
func (w *Writer) SubmitResource(ctx context.Context, in ent.CreateResourceInput, note *string) (*Submission, error) {
	v, hasViewer := auth.FromContext(ctx)
	anonymous := hasViewer && v.Role == auth.Anonymous
	if in.Status != nil && *in.Status != resource.StatusSUBMITTED {
		return nil, &FieldError{Field: "status", Message: "a submitted resource starts as SUBMITTED; an admin publishes or rejects it with reviewResource"}
	}
	if in.ReviewNote != nil {
		return nil, &FieldError{Field: "reviewNote", Message: "only a reviewer writes a review note (reviewResource)"}
	}
	if note != nil {
		if trimmed := strings.TrimSpace(*note); trimmed == "" {
			note = nil
		} else {
			note = &trimmed
		}
	}
	if err := checkSubmissionText(in, note); err != nil {
		return nil, err
	}
	if anonymous && (in.ExternalSource != nil || in.ExternalID != nil) {
		field := "externalSource"
		if in.ExternalSource == nil {
			field = "externalID"
		}
		return nil, &FieldError{Field: field, Message: "a submission without an API key cannot claim an external identifier"}
	}
	token, hash, err := newSubmissionToken()
	if err != nil {
		return nil, err
	}
	release := func() {}
	if anonymous {
		var wait time.Duration
		var ok bool
		release, wait, ok = w.submissions.reserve(auth.ClientAddress(ctx), time.Now())
		if !ok {
			return nil, &RateLimitedError{RetryAfter: wait}
		}
	}
	submitted := resource.StatusSUBMITTED
	in.Status = &submitted
	now := time.Now()
	var out *ent.Resource
	owned, err := w.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		if anonymous {
			if err := w.holdPendingCap(ctx, c); err != nil {
				return err
			}
		}
		r, err := createIn(auth.AsSubmission(ctx), c, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Resource, error)) {
			b := c.Resource.Create().SetInput(in).SetSubmittedAt(now).SetSubmittedAnonymously(anonymous).
				SetSubmissionTokenHash(hash).SetNillableSubmitterNote(note)
			return b.Mutation(), b.Save
		})
		out = r
		return err
	})
	if err != nil {
		release()
		return nil, err
	}
	return &Submission{SubmissionToken: token, Resource: unwrap(out, owned)}, nil
}

// holdPendingCap refuses a submission without a key once
// MaxPendingSubmissions such submissions wait for review. The count and
// the insert that follows are one step for concurrent submitters: on
// PostgreSQL an advisory lock held until the transaction ends serialises
// them (the count runs after it is taken, so it sees every submission
// committed before); SQLite runs one write transaction at a time.
func (w *Writer) holdPendingCap(ctx context.Context, c *ent.Client) error {
	ctx = auth.WithoutReadRules(ctx) // pending submissions are hidden from their submitters
	pg, err := w.isPostgres(ctx, c)
	if err != nil {
		return err
	}
	if pg {
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", submissionLockKey); err != nil {
			return fmt.Errorf("submission lock: %w", err)
		}
	}
	n, err := c.Resource.Query().Where(resource.StatusEQ(resource.StatusSUBMITTED), resource.SubmittedAnonymously(true)).Count(ctx)
	if err != nil {
		return err
	}
	if n >= MaxPendingSubmissions {
		return &SubmissionsFullError{}
	}
	return nil
}

// isPostgres tells the client's dialect, asked of the first query built
// and then remembered.
func (w *Writer) isPostgres(ctx context.Context, c *ent.Client) (bool, error) {
	switch w.dialect.Load() {
	case 1:
		return false, nil
	case 2:
		return true, nil
	}
	var pg bool
	if _, err := c.Resource.Query().Where(func(s *sql.Selector) {
		pg = s.Dialect() == dialect.Postgres
		s.Where(sql.False())
	}).Exist(ctx); err != nil {
		return false, err
	}
	if pg {
		w.dialect.Store(2)
	} else {
		w.dialect.Store(1)
	}
	return pg, nil
}

// SubmissionStatus tells the holder of a submission token where its
// submission stands. The token is the right to know: the look-up reads
// the submission whoever asks, and answers only its review state (the
// resource itself is for whoever may read it). An unknown or malformed
// token is ErrNoSubmission.
func (w *Writer) SubmissionStatus(ctx context.Context, token string) (*SubmissionState, error) {
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, tokenPrefix) || len(token) != len(tokenPrefix)+tokenChars {
		return nil, ErrNoSubmission
	}
	r, err := w.client.Resource.Query().Where(resource.SubmissionTokenHash(hashToken(token))).
		Select(resource.FieldStatus, resource.FieldSubmittedAt, resource.FieldReviewedAt, resource.FieldReviewNote, resource.FieldCreatedAt).
		Only(auth.WithoutReadRules(ctx))
	if ent.IsNotFound(err) {
		return nil, ErrNoSubmission
	}
	if err != nil {
		return nil, err
	}
	st := &SubmissionState{Status: r.Status, SubmittedAt: r.CreatedAt, ReviewedAt: r.ReviewedAt}
	if r.SubmittedAt != nil {
		st.SubmittedAt = *r.SubmittedAt
	}
	if r.ReviewNote != "" {
		st.ReviewNote = &r.ReviewNote
	}
	if r.Status == resource.StatusPUBLISHED {
		st.ResourceID = r.ID
	}
	return st, nil
}

// tokenChars is the length of a token after its prefix: 32 random bytes
// (256 bits) in unpadded base32.
var tokenChars = base32.StdEncoding.WithPadding(base32.NoPadding).EncodedLen(32)

// newSubmissionToken returns a new token and the hash stored for it.
func newSubmissionToken() (token, hash string, err error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", err
	}
	token = tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
	return token, hashToken(token), nil
}

// hashToken is what is stored of a token: its SHA-256. A token is 256
// random bits, so a plain hash is as safe as a slow one.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// markup is what plain text may not hold: the start of an HTML or XML tag,
// comment or declaration (<a, </, <!, <?), or a character reference
// (&amp;, &#60;, &#x3c;). "ages 0<5" and "Q&A" stay plain text.
var markup = regexp.MustCompile(`<[A-Za-z!/?]|&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);`)

// plainText checks one text a submitter wrote: no markup, no control
// characters (but line breaks and tabs in multiline text), no bidirectional
// overrides that would make it read otherwise than it is stored, and at
// most max characters.
func plainText(field, s string, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return &FieldError{Field: field, Message: "is not valid UTF-8 text"}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return &FieldError{Field: field, Message: fmt.Sprintf("is %d characters long; at most %d", n, max)}
	}
	if m := markup.FindString(s); m != "" {
		return &FieldError{Field: field, Message: fmt.Sprintf("must be plain text: markup such as %q (an HTML tag or character reference) is not accepted", m+"…")}
	}
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			if !multiline && (r == '\n' || r == '\r') {
				return &FieldError{Field: field, Message: "must be one line"}
			}
			return &FieldError{Field: field, Message: fmt.Sprintf("must not contain control characters (found U+%04X)", r)}
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return &FieldError{Field: field, Message: fmt.Sprintf("must not contain bidirectional text controls (found U+%04X)", r)}
		}
	}
	return nil
}

// checkSubmissionText holds a submission's text fields to plainText and
// its lists to their lengths. The URL must also be an absolute http(s)
// URL, which the schema's validator checks for every resource.
func checkSubmissionText(in ent.CreateResourceInput, note *string) error {
	type text struct {
		field     string
		value     *string
		max       int
		multiline bool
	}
	title := in.Title
	for _, t := range []text{
		{"title", &title, maxTitle, false},
		{"url", in.URL, maxURL, false},
		{"summary", in.Summary, maxSummary, true},
		{"provenance", in.Provenance, maxProvenance, true},
		{"externalSource", in.ExternalSource, maxShortText, false},
		{"externalID", in.ExternalID, maxShortText, false},
		{"note", note, maxNote, true},
	} {
		if t.value == nil {
			continue
		}
		if err := plainText(t.field, *t.value, t.max, t.multiline); err != nil {
			return err
		}
	}
	if len(in.Places) > maxPlaces {
		return &FieldError{Field: "places", Message: fmt.Sprintf("names %d places; at most %d", len(in.Places), maxPlaces)}
	}
	for i, p := range in.Places {
		if err := plainText(fmt.Sprintf("places[%d]", i), p, maxShortText, false); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		field string
		ids   []int
	}{{"topicIDs", in.TopicIDs}, {"programIDs", in.ProgramIDs}} {
		if len(l.ids) > maxLinks {
			return &FieldError{Field: l.field, Message: fmt.Sprintf("names %d records; at most %d", len(l.ids), maxLinks)}
		}
	}
	return nil
}
