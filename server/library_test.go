package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/internal/write"
	"github.com/village-directory/village/server"
)

// The tests in this file submit to the resource library through the HTTP
// handler from chosen client addresses, as the NOW Innovation Forum's
// visitors do: without a key, held for review, limited per address and in
// all.

// libAPI calls the handler directly, so each request can come from an
// address of the test's choosing.
type libAPI struct {
	t testing.TB
	h http.Handler
}

func newLibAPI(t testing.TB, db *store.DB) *libAPI {
	return &libAPI{t: t, h: server.New(db, server.Config{}, discardLog())}
}

// call posts a GraphQL document from addr, with secret as its key when
// not empty, and returns the decoded answer and its raw body.
func (l *libAPI) call(addr, secret, query string, vars map[string]any) (gqlResponse, string, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.RemoteAddr = addr
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	l.h.ServeHTTP(rec, req)
	var out gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		return out, rec.Body.String(), fmt.Errorf("decode response (%d): %v\n%s", rec.Code, err, rec.Body.String())
	}
	out.Status = rec.Code
	return out, rec.Body.String(), nil
}

// ok runs a document that must succeed and decodes its data into dst.
func (l *libAPI) ok(addr, secret, query string, vars map[string]any, dst any) string {
	l.t.Helper()
	res, raw, err := l.call(addr, secret, query, vars)
	if err != nil {
		l.t.Fatal(err)
	}
	if res.Status != http.StatusOK || len(res.Errors) > 0 {
		l.t.Fatalf("from %s: failed (%d): %+v\nquery: %s", addr, res.Status, res.Errors, query)
	}
	if dst != nil {
		if err := json.Unmarshal(res.Data, dst); err != nil {
			l.t.Fatalf("decode data: %v\n%s", err, res.Data)
		}
	}
	return raw
}

// fail runs a document that must fail with code and returns its error.
func (l *libAPI) fail(addr, secret, query string, vars map[string]any, code string) gqlError {
	l.t.Helper()
	res, _, err := l.call(addr, secret, query, vars)
	if err != nil {
		l.t.Fatal(err)
	}
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != code {
		l.t.Fatalf("from %s: want %s, got %d %+v %s\nquery: %s", addr, code, res.Status, res.Errors, res.Data, query)
	}
	return res.Errors[0]
}

const submitDoc = `mutation($in: CreateResourceInput!, $note: String) {
  submitResource(input: $in, note: $note) { submissionToken resource { id status title submitterNote submittedAnonymously submittedAt } }
}`

type submitted struct {
	SubmitResource struct {
		SubmissionToken string
		Resource        struct {
			ID, Status, Title    string
			SubmitterNote        *string
			SubmittedAnonymously *bool
			SubmittedAt          *string
		}
	}
}

// submit submits a tool titled title from addr (with secret, if any).
func (l *libAPI) submit(addr, secret, title string) submitted {
	l.t.Helper()
	var s submitted
	l.ok(addr, secret, submitDoc, map[string]any{"in": map[string]any{"title": title, "kind": "TOOL"}}, &s)
	return s
}

const statusDoc = `query($token: String!) {
  submissionStatus(token: $token) { status submittedAt reviewedAt reviewNote resource { id title } }
}`

type submissionStatus struct {
	SubmissionStatus *struct {
		Status      string
		SubmittedAt string
		ReviewedAt  *string
		ReviewNote  *string
		Resource    *struct{ ID, Title string }
	}
}

// publicTitles lists the library's titles as the public sees them.
func (l *libAPI) publicTitles(addr string) []string {
	l.t.Helper()
	var d struct {
		Resources struct {
			Edges []struct{ Node struct{ Title string } }
		}
	}
	l.ok(addr, "", `{ resources(first: 100) { edges { node { title } } } }`, nil, &d)
	var out []string
	for _, e := range d.Resources.Edges {
		out = append(out, e.Node.Title)
	}
	return out
}

// TestAnonymousSubmissionIsReviewedBeforePublication: a visitor without a
// key submits a tool with a note and gets a token; the tool is nowhere
// public, the token says SUBMITTED; reviewers see it in their queue with
// the note, the time and that it came without a key; the visitor cannot
// review it; once an admin publishes it the token says PUBLISHED and the
// public lists it, while its note stays the reviewers'. A rejection's
// reason reaches the token's holder. Unknown tokens are NOT_FOUND alike,
// and no answer ever shows a token again.
func TestAnonymousSubmissionIsReviewedBeforePublication(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		l := newLibAPI(t, db)
		admin := mustKey(t, db, "Reviewer", auth.Admin)
		reader := mustKey(t, db, "Partner app", auth.Reader)
		const visitor = "203.0.113.7:51000"

		var s submitted
		l.ok(visitor, "", submitDoc, map[string]any{
			"in":   map[string]any{"title": "Community Action Lab Toolkit", "kind": "TOOLKIT", "url": "https://example.org/lab", "summary": "How to run one.\nStep by step."},
			"note": "I run the Dorchester lab; happy to answer questions.",
		}, &s)
		token, sub := s.SubmitResource.SubmissionToken, s.SubmitResource.Resource
		if !strings.HasPrefix(token, "vls_") || len(token) < 4+50 {
			t.Fatalf("token %q: want vls_ and 256 random bits", token)
		}
		if sub.Status != "SUBMITTED" || sub.SubmittedAnonymously == nil || !*sub.SubmittedAnonymously || sub.SubmittedAt == nil {
			t.Fatalf("submitted resource: %+v", sub)
		}
		for _, title := range l.publicTitles(visitor) {
			if title == "Community Action Lab Toolkit" {
				t.Fatal("an unreviewed submission is listed publicly")
			}
		}
		l.fail(visitor, "", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sub.ID}, "NOT_FOUND")
		var n struct{ Node *struct{ ID string } }
		if res, _, _ := l.call(visitor, reader, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sub.ID}); len(res.Errors) == 0 {
			_ = json.Unmarshal(res.Data, &n)
			if n.Node != nil {
				t.Fatal("a reader reads an unreviewed submission")
			}
		}

		var st submissionStatus
		l.ok("198.51.100.9:40000", "", statusDoc, map[string]any{"token": token}, &st)
		if st.SubmissionStatus == nil || st.SubmissionStatus.Status != "SUBMITTED" || st.SubmissionStatus.ReviewedAt != nil ||
			st.SubmissionStatus.Resource != nil || st.SubmissionStatus.SubmittedAt == "" {
			t.Fatalf("status while waiting: %+v", st.SubmissionStatus)
		}

		// The review queue: admins list what waits, with the submitter's note.
		var queue struct {
			Resources struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ID, Title            string
						SubmitterNote        *string
						SubmittedAnonymously *bool
						SubmittedAt          *string
						CreatedAt            string
					}
				}
			}
		}
		queueDoc := `{ resources(first: 100, where: {status: SUBMITTED}, orderBy: {field: CREATED_AT}) {
		  totalCount edges { node { id title submitterNote submittedAnonymously submittedAt createdAt } } } }`
		raw := l.ok(visitor, admin, queueDoc, nil, &queue)
		if queue.Resources.TotalCount != 1 {
			t.Fatalf("review queue: %+v", queue.Resources)
		}
		q := queue.Resources.Edges[0].Node
		if q.ID != sub.ID || q.SubmitterNote == nil || *q.SubmitterNote != "I run the Dorchester lab; happy to answer questions." ||
			q.SubmittedAnonymously == nil || !*q.SubmittedAnonymously || q.SubmittedAt == nil {
			t.Fatalf("queued submission as the reviewer sees it: %+v", q)
		}
		if strings.Contains(raw, token) || strings.Contains(raw, token[4:]) {
			t.Fatal("the review queue shows the submission token")
		}
		// The public's and a reader's view of the queue is empty.
		for who, k := range map[string]string{"anonymous": "", "reader": reader} {
			var none struct{ Resources struct{ TotalCount int } }
			l.ok(visitor, k, `{ resources(where: {status: SUBMITTED}) { totalCount } }`, nil, &none)
			if none.Resources.TotalCount != 0 {
				t.Fatalf("%s counts %d submissions waiting", who, none.Resources.TotalCount)
			}
		}

		// Only an admin reviews.
		review := `mutation($id: ID!, $d: ReviewDecision!, $r: String) { reviewResource(id: $id, decision: $d, reason: $r) { status reviewedAt } }`
		l.fail(visitor, "", review, map[string]any{"id": sub.ID, "d": "PUBLISH"}, "FORBIDDEN")
		l.fail(visitor, reader, review, map[string]any{"id": sub.ID, "d": "PUBLISH"}, "FORBIDDEN")
		l.fail(visitor, "", `mutation($id: ID!) { updateResource(id: $id, input: {status: PUBLISHED}) { id } }`, map[string]any{"id": sub.ID}, "FORBIDDEN")
		l.ok(visitor, admin, review, map[string]any{"id": sub.ID, "d": "PUBLISH"}, nil)

		l.ok(visitor, "", statusDoc, map[string]any{"token": token}, &st)
		if st.SubmissionStatus.Status != "PUBLISHED" || st.SubmissionStatus.ReviewedAt == nil || st.SubmissionStatus.Resource == nil ||
			st.SubmissionStatus.Resource.Title != "Community Action Lab Toolkit" {
			t.Fatalf("status once published: %+v", st.SubmissionStatus)
		}
		listed := false
		for _, title := range l.publicTitles(visitor) {
			listed = listed || title == "Community Action Lab Toolkit"
		}
		if !listed {
			t.Fatal("a published submission is not listed publicly")
		}
		// Published, its note and origin stay the reviewers', staff's and
		// editors' keys included.
		org := db.Client.Organization.Create().SetName("Vital Village").SaveX(context.Background()).ID
		staff, editor := mustKey(t, db, "Call center", auth.Staff), mustKey(t, db, "Vital Village sync", auth.Editor, org)
		for who, k := range map[string]string{"anonymous": "", "reader": reader, "staff": staff, "editor": editor} {
			var pub struct {
				Node struct {
					SubmitterNote        *string
					SubmittedAnonymously *bool
				}
			}
			var list struct {
				Resources struct {
					Edges []struct {
						Node struct {
							SubmitterNote        *string
							SubmittedAnonymously *bool
						}
					}
				}
			}
			l.ok(visitor, k, `query($id: ID!) { node(id: $id) { ... on Resource { submitterNote submittedAnonymously } } }`, map[string]any{"id": sub.ID}, &pub)
			l.ok(visitor, k, `{ resources(first: 100) { edges { node { submitterNote submittedAnonymously } } } }`, nil, &list)
			if pub.Node.SubmitterNote != nil || pub.Node.SubmittedAnonymously != nil {
				t.Fatalf("%s reads what the submitter told the reviewers by node: %+v", who, pub.Node)
			}
			for _, e := range list.Resources.Edges {
				if e.Node.SubmitterNote != nil || e.Node.SubmittedAnonymously != nil {
					t.Fatalf("%s reads what the submitter told the reviewers in the list: %+v", who, e.Node)
				}
			}
		}

		// A rejection: its reason reaches the token's holder.
		other := l.submit(visitor, "", "Buy cheap watches")
		l.ok(visitor, admin, review, map[string]any{"id": other.SubmitResource.Resource.ID, "d": "REJECT", "r": "Not about early childhood."}, nil)
		l.ok(visitor, "", statusDoc, map[string]any{"token": other.SubmitResource.SubmissionToken}, &st)
		if st.SubmissionStatus.Status != "REJECTED" || st.SubmissionStatus.ReviewNote == nil || *st.SubmissionStatus.ReviewNote != "Not about early childhood." ||
			st.SubmissionStatus.Resource != nil {
			t.Fatalf("status once rejected: %+v", st.SubmissionStatus)
		}

		// Unknown tokens: one answer, whatever their shape.
		var messages []string
		for _, bad := range []string{"vls_" + strings.Repeat("a", len(token)-4), "nonsense", "", token + "x", "vlg_" + token[4:]} {
			e := l.fail(visitor, "", statusDoc, map[string]any{"token": bad}, "NOT_FOUND")
			messages = append(messages, e.Message)
		}
		for _, m := range messages {
			if m != messages[0] {
				t.Fatalf("unknown tokens answered differently: %q", messages)
			}
		}

		// No list shows a token or its hash: every resource field, the
		// change feed and node, as an admin.
		raw = l.ok(visitor, admin, `query($id: ID!) {
		  resources(first: 100) { edges { node { id title url summary provenance externalSource externalID reviewNote submitterNote submittedAt reviewedAt places language } } }
		  changes(first: 100) { edges { node { entityType entityID actor operation } } }
		  node(id: $id) { ... on Resource { id title submitterNote } }
		}`, map[string]any{"id": sub.ID}, nil)
		for _, secret := range []string{token, token[4:], other.SubmitResource.SubmissionToken} {
			if strings.Contains(raw, secret) {
				t.Fatal("an admin's lists show a submission token")
			}
		}
		if strings.Contains(raw, hashOf(t, db, sub.ID)) {
			t.Fatal("an admin's lists show a submission token's hash")
		}
	})
}

// hashOf reads the stored token hash of a resource (by its global ID).
func hashOf(t *testing.T, db *store.DB, gid string) string {
	t.Helper()
	id, err := relay.Decode(gid)
	if err != nil {
		t.Fatal(err)
	}
	r := db.Client.Resource.GetX(context.Background(), id)
	if r.SubmissionTokenHash == nil || *r.SubmissionTokenHash == "" {
		t.Fatal("no token hash stored")
	}
	return *r.SubmissionTokenHash
}

// TestSubmissionsPerAddress: five submissions an hour from one address
// without a key; the sixth is RATE_LIMITED with a retryAfter within the
// hour, and nothing is written. Another address, and a key from the same
// address, still submit; an IPv6 /64 counts as one address; a refused
// (non-plain-text) submission spends nothing.
func TestSubmissionsPerAddress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		l := newLibAPI(t, db)
		reader := mustKey(t, db, "Partner app", auth.Reader)
		const addr = "192.0.2.10:1234"
		l.fail(addr, "", submitDoc, map[string]any{"in": map[string]any{"title": "<b>Bold</b> tool", "kind": "TOOL"}}, "BAD_USER_INPUT")
		for i := range write.SubmissionsPerHour {
			l.submit(addr, "", fmt.Sprintf("Tool %d", i))
		}
		before := db.Client.Resource.Query().CountX(context.Background())
		e := l.fail("192.0.2.10:9999", "", submitDoc, map[string]any{"in": map[string]any{"title": "Tool 6", "kind": "TOOL"}}, "RATE_LIMITED")
		retry, _ := e.Extensions["retryAfter"].(float64)
		if retry < 1 || retry > 3600 {
			t.Fatalf("retryAfter %v, want seconds within the hour: %+v", e.Extensions["retryAfter"], e)
		}
		if after := db.Client.Resource.Query().CountX(context.Background()); after != before {
			t.Fatalf("a refused submission wrote %d resources", after-before)
		}
		l.submit("192.0.2.11:1234", "", "Another address's tool")
		l.submit(addr, reader, "A partner's tool from the same address")

		// IPv6: one /64 is one address.
		for i := range write.SubmissionsPerHour {
			l.submit(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), "", fmt.Sprintf("v6 tool %d", i))
		}
		l.fail("[2001:db8:1:2:ffff::1]:443", "", submitDoc, map[string]any{"in": map[string]any{"title": "v6 tool 6", "kind": "TOOL"}}, "RATE_LIMITED")
		l.submit("[2001:db8:1:3::1]:443", "", "Next /64's tool")
	})
}

// seedPending adds n resources submitted without a key, waiting for
// review, as internal code.
func seedPending(t testing.TB, c *ent.Client, n int) {
	t.Helper()
	ctx := context.Background()
	for start := 0; start < n; start += 100 {
		var b []*ent.ResourceCreate
		for i := start; i < min(n, start+100); i++ {
			b = append(b, c.Resource.Create().SetTitle(fmt.Sprintf("Waiting %d", i)).SetKind(resource.KindTOOL).
				SetStatus(resource.StatusSUBMITTED).SetSubmittedAnonymously(true))
		}
		c.Resource.CreateBulk(b...).ExecX(ctx)
	}
}

func pendingAnonymous(c *ent.Client) int {
	return c.Resource.Query().Where(resource.StatusEQ(resource.StatusSUBMITTED), resource.SubmittedAnonymously(true)).CountX(context.Background())
}

// TestPendingSubmissionsCap: at most 500 submissions without a key wait
// for review; the 501st is SUBMISSIONS_FULL, while a key still submits;
// once a reviewer clears one, there is room again.
func TestPendingSubmissionsCap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		l := newLibAPI(t, db)
		admin := mustKey(t, db, "Reviewer", auth.Admin)
		reader := mustKey(t, db, "Partner app", auth.Reader)
		seedPending(t, db.Client, write.MaxPendingSubmissions-1)
		last := l.submit("192.0.2.20:1", "", "The 500th")
		e := l.fail("192.0.2.21:1", "", submitDoc, map[string]any{"in": map[string]any{"title": "The 501st", "kind": "TOOL"}}, "SUBMISSIONS_FULL")
		if !strings.Contains(e.Message, "500") {
			t.Errorf("message %q does not say the limit", e.Message)
		}
		if n := pendingAnonymous(db.Client); n != write.MaxPendingSubmissions {
			t.Fatalf("%d waiting, want %d", n, write.MaxPendingSubmissions)
		}
		l.submit("192.0.2.21:1", reader, "A partner's tool")
		l.ok("192.0.2.21:1", admin, `mutation($id: ID!) { reviewResource(id: $id, decision: REJECT, reason: "Duplicate") { id } }`,
			map[string]any{"id": last.SubmitResource.Resource.ID}, nil)
		l.submit("192.0.2.21:1", "", "Room again")
	})
}

// TestPendingSubmissionsCapUnderConcurrency: submissions racing for the
// last places in the queue, from as many addresses: exactly as many as
// there were places get in, every other one is SUBMISSIONS_FULL, and the
// queue holds 500, on both backends.
func TestPendingSubmissionsCapUnderConcurrency(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		l := newLibAPI(t, db)
		const places, racers = 8, 24
		seedPending(t, db.Client, write.MaxPendingSubmissions-places)
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			accepted int
			full     int
			others   []string
		)
		start := make(chan struct{})
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, raw, err := l.call(fmt.Sprintf("198.51.100.%d:80", i+1), "", submitDoc,
					map[string]any{"in": map[string]any{"title": fmt.Sprintf("Racer %d", i), "kind": "TOOL"}})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					others = append(others, err.Error())
				case len(res.Errors) == 0:
					accepted++
				case res.Errors[0].Extensions["code"] == "SUBMISSIONS_FULL":
					full++
				default:
					others = append(others, raw)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(others) > 0 {
			t.Fatalf("unexpected answers: %q", others)
		}
		if accepted != places || full != racers-places {
			t.Fatalf("%d accepted, %d refused as full; want %d and %d", accepted, full, places, racers-places)
		}
		if n := pendingAnonymous(db.Client); n != write.MaxPendingSubmissions {
			t.Fatalf("%d waiting, want %d", n, write.MaxPendingSubmissions)
		}
	})
}

// TestSubmissionsArePlainText: markup, control characters and overlong
// text are BAD_USER_INPUT naming the field; a URL must be http(s); a
// submission without a key claims no external identifier; plain text that
// merely looks like markup passes. Nobody but an admin adds a resource
// directly.
func TestSubmissionsArePlainText(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		l := newLibAPI(t, db)
		reader := mustKey(t, db, "Partner app", auth.Reader)
		addr := 0
		next := func() string { addr++; return fmt.Sprintf("192.0.2.%d:1", addr) } // a fresh address each: no rate limit
		in := func(extra map[string]any) map[string]any {
			m := map[string]any{"title": "Guide", "kind": "GUIDE"}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		for _, c := range []struct {
			name  string
			input map[string]any
			note  any
			field string
		}{
			{"a tag in the title", in(map[string]any{"title": "Safe sleep <script>alert(1)</script>"}), nil, "input.title"},
			{"a closing tag in the summary", in(map[string]any{"summary": "Read this</p>"}), nil, "input.summary"},
			{"a comment", in(map[string]any{"summary": "ok <!-- hidden -->"}), nil, "input.summary"},
			{"a character reference", in(map[string]any{"title": "Tips &lt;for parents&gt;"}), nil, "input.title"},
			{"a numeric reference", in(map[string]any{"title": "Tips &#60;b&#62;"}), nil, "input.title"},
			{"a tag in the note", in(nil), `<a href="https://spam.example">win</a>`, "note"},
			{"a control character in a place", in(map[string]any{"places": []string{"Boston", "Roxbury\u0007"}}), nil, "input.places[1]"},
			{"a line break in the title", in(map[string]any{"title": "Two\nlines"}), nil, "input.title"},
			{"a bidirectional override", in(map[string]any{"title": "Guide \u202Egnp.exe"}), nil, "input.title"},
			{"a javascript URL", in(map[string]any{"url": "javascript:alert(1)"}), nil, "input.url"},
			{"an ftp URL", in(map[string]any{"url": "ftp://example.org/guide.pdf"}), nil, "input.url"},
			{"a title too long", in(map[string]any{"title": strings.Repeat("a", 301)}), nil, "input.title"},
			{"a note too long", in(nil), strings.Repeat("a", 2001), "note"},
			{"an external identifier without a key", in(map[string]any{"externalSource": "forum", "externalID": "1"}), nil, "input.externalSource"},
		} {
			e := l.fail(next(), "", submitDoc, map[string]any{"in": c.input, "note": c.note}, "BAD_USER_INPUT")
			if e.Extensions["field"] != c.field {
				t.Errorf("%s: field %v, want %s (%s)", c.name, e.Extensions["field"], c.field, e.Message)
			}
		}
		if n := db.Client.Resource.Query().CountX(context.Background()); n != 0 {
			t.Fatalf("refused submissions wrote %d resources", n)
		}
		// Plain text that looks a little like markup.
		s := submitted{}
		l.ok(next(), "", submitDoc, map[string]any{"in": in(map[string]any{
			"title":   "Q&A: when is a child <5 ready? (0 < age, 2 > 1)",
			"summary": "Tabs\tand\nline breaks are fine. AT&T's program & more.",
			"url":     "https://example.org/guide?a=1&b=2",
		}), "note": "Line one.\nLine two."}, &s)
		if s.SubmitResource.Resource.Title != "Q&A: when is a child <5 ready? (0 < age, 2 > 1)" {
			t.Fatalf("plain text changed: %q", s.SubmitResource.Resource.Title)
		}
		// A key's submission is plain text too, and it may claim an identifier.
		e := l.fail(next(), reader, submitDoc, map[string]any{"in": in(map[string]any{"title": "<i>Guide</i>"})}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.title" {
			t.Errorf("a key's markup: field %v", e.Extensions["field"])
		}
		l.ok(next(), reader, submitDoc, map[string]any{"in": in(map[string]any{"externalSource": "partner", "externalID": "42"})}, nil)
		// createResource is an admin's: it bypasses no submission rule.
		for _, k := range []string{"", reader} {
			l.fail(next(), k, `mutation { createResource(input: {title: "Direct", kind: GUIDE}) { id } }`, nil, "FORBIDDEN")
		}
	})
}
