package hsds

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/predicate"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/auth"
)

// A service's HSDS last_modified is "the datetime when the service, or any
// related information about the service, has changed" (the spec), and
// modified_after lists what changed on or after a time. Village reads
// "related information" as what the service's document shows: the
// service's phones, schedules, service areas, funding, contacts (and their
// phones), needs (taxonomy terms), program and organization (with the
// organization's phones, contacts and their phones, and funding), and its
// service_at_locations with their phones, schedules, contacts (and their
// phones) and location (with the location's phones and schedules). So
// last_modified is the latest updated_at among those rows that the viewer
// may see (a staff-only phone moves it only for who sees the phone), and a
// service_at_location's modified_after takes its own rows, its location's
// and its service's (not its sibling service_at_locations', which its
// document does not show).
//
// Both are computed in SQL from the rows' updated_at: the date in one
// statement per page of services (joins on the foreign-key indexes), the
// filter as one union of IN subqueries led by the updated_at indexes. A
// related row's deletion leaves no updated_at behind, and its change-feed
// tombstone does not say which service it belonged to: it moves
// last_modified only when the same write changed one of the rows above
// (removing a phone through the service's update, say).

// hop links a row of table to a row of the next table of a path (the
// service, after the last hop): table.col = next.nextCol.
type hop struct{ table, col, nextCol string }

// relatedPath is a set of rows whose updated_at counts for a record: the
// rows of its first hop's table reached through its hops, narrowed by
// visible (what the viewer may see of that table; nil: every row).
type relatedPath struct {
	hops    []hop
	visible func(ctx context.Context) func(*sql.Selector)
}

func visiblePhones(ctx context.Context) func(*sql.Selector) { return auth.VisiblePhones(ctx) }

func visibleFundings(ctx context.Context) func(*sql.Selector) { return auth.VisibleFundings(ctx) }

// under returns the paths of a record's related rows as paths of the
// record's parent, reached from the record by h.
func under(paths []relatedPath, h hop) []relatedPath {
	out := make([]relatedPath, len(paths))
	for i, p := range paths {
		out[i] = relatedPath{hops: append(append([]hop{}, p.hops...), h), visible: p.visible}
	}
	return out
}

// salRelated are the rows a service_at_location's document shows, besides
// itself and its service.
var salRelated = []relatedPath{
	{hops: []hop{{phone.Table, phone.FieldServiceAtLocationID, serviceatlocation.FieldID}}, visible: visiblePhones},
	{hops: []hop{{schedule.Table, schedule.FieldServiceAtLocationID, serviceatlocation.FieldID}}},
	{hops: []hop{{contact.Table, contact.FieldServiceAtLocationID, serviceatlocation.FieldID}}},
	{hops: []hop{{phone.Table, phone.FieldContactID, contact.FieldID},
		{contact.Table, contact.FieldServiceAtLocationID, serviceatlocation.FieldID}}, visible: visiblePhones},
	{hops: []hop{{location.Table, location.FieldID, serviceatlocation.FieldLocationID}}},
	{hops: []hop{{phone.Table, phone.FieldLocationID, serviceatlocation.FieldLocationID}}, visible: visiblePhones},
	{hops: []hop{{schedule.Table, schedule.FieldLocationID, serviceatlocation.FieldLocationID}}},
}

// serviceOwnRelated are the rows a service's document shows, besides
// itself and its service_at_locations' (which a service_at_location's
// document, nesting its service, does not show for its siblings).
var serviceOwnRelated = []relatedPath{
	{hops: []hop{{phone.Table, phone.FieldServiceID, service.FieldID}}, visible: visiblePhones},
	{hops: []hop{{schedule.Table, schedule.FieldServiceID, service.FieldID}}},
	{hops: []hop{{servicearea.Table, servicearea.FieldServiceID, service.FieldID}}},
	{hops: []hop{{funding.Table, funding.FieldServiceID, service.FieldID}}, visible: visibleFundings},
	{hops: []hop{{contact.Table, contact.FieldServiceID, service.FieldID}}},
	{hops: []hop{{phone.Table, phone.FieldContactID, contact.FieldID}, {contact.Table, contact.FieldServiceID, service.FieldID}}, visible: visiblePhones},
	{hops: []hop{{taxonomyterm.Table, taxonomyterm.FieldID, service.NeedsPrimaryKey[1]}, {service.NeedsTable, service.NeedsPrimaryKey[0], service.FieldID}}},
	{hops: []hop{{program.Table, program.FieldID, service.FieldProgramID}}},
	{hops: []hop{{organization.Table, organization.FieldID, service.FieldOrganizationID}}},
	{hops: []hop{{phone.Table, phone.FieldOrganizationID, service.FieldOrganizationID}}, visible: visiblePhones},
	{hops: []hop{{contact.Table, contact.FieldOrganizationID, service.FieldOrganizationID}}},
	{hops: []hop{{phone.Table, phone.FieldContactID, contact.FieldID}, {contact.Table, contact.FieldOrganizationID, service.FieldOrganizationID}}, visible: visiblePhones},
	{hops: []hop{{funding.Table, funding.FieldOrganizationID, service.FieldOrganizationID}}, visible: visibleFundings},
}

// serviceRelated are all the rows a service's document shows besides
// itself.
var serviceRelated = func() []relatedPath {
	salHop := hop{serviceatlocation.Table, serviceatlocation.FieldServiceID, service.FieldID}
	out := append([]relatedPath{}, serviceOwnRelated...)
	out = append(out, relatedPath{hops: []hop{salHop}})
	return append(out, under(salRelated, salHop)...)
}()

// changedSince selects the IDs of the rows of root (the table the path
// ends at) one of whose path's rows changed at or after t: an IN subquery
// per hop, led by the first table's updated_at index.
func (p relatedPath) changedSince(ctx context.Context, b *sql.DialectBuilder, root string, t time.Time) *sql.Selector {
	first := b.Table(p.hops[0].table)
	sub := b.Select(first.C(p.hops[0].col)).From(first).Where(sql.GTE(first.C(fieldUpdatedAt), t))
	if p.visible != nil {
		p.visible(ctx)(sub)
	}
	for i := 1; i < len(p.hops); i++ {
		tb := b.Table(p.hops[i].table)
		sub = b.Select(tb.C(p.hops[i].col)).From(tb).Where(sql.In(tb.C(p.hops[i-1].nextCol), sub))
	}
	if last := p.hops[len(p.hops)-1]; last.nextCol != "id" {
		r := b.Table(root)
		sub = b.Select(r.C("id")).From(r).Where(sql.In(r.C(last.nextCol), sub))
	}
	return sub
}

// changedIDs selects the IDs of the rows of root that changed at or after
// t, themselves or through one of paths: one union, so the database
// builds one set (an OR of as many subqueries costs PostgreSQL's planner
// enough to compile it).
func changedIDs(ctx context.Context, b *sql.DialectBuilder, root string, paths []relatedPath, t time.Time, more ...*sql.Selector) *sql.Selector {
	r := b.Table(root)
	u := b.Select(r.C("id")).From(r).Where(sql.GTE(r.C(fieldUpdatedAt), t))
	for _, p := range paths {
		u.UnionAll(p.changedSince(ctx, b, root, t))
	}
	for _, m := range more {
		u.UnionAll(m)
	}
	return u
}

// fieldUpdatedAt is the update time column of every directory record.
const fieldUpdatedAt = "updated_at"

// ServiceModifiedSince is the modified_after filter on services: the
// service, or a row its document shows that the viewer in ctx may see,
// changed at or after t.
func ServiceModifiedSince(ctx context.Context, t time.Time) predicate.Service {
	t = t.UTC()
	return func(s *sql.Selector) {
		s.Where(sql.In(s.C(service.FieldID), changedIDs(ctx, sql.Dialect(s.Dialect()), service.Table, serviceRelated, t)))
	}
}

// ServiceAtLocationModifiedSince is the modified_after filter on
// service_at_locations: it, a row its document shows (its location,
// phones, schedules, contacts) or its service, as the service's document
// shows it, changed at or after t.
func ServiceAtLocationModifiedSince(ctx context.Context, t time.Time) predicate.ServiceAtLocation {
	t = t.UTC()
	return func(s *sql.Selector) {
		b := sql.Dialect(s.Dialect())
		sal := b.Table(serviceatlocation.Table)
		ofServices := b.Select(sal.C(serviceatlocation.FieldID)).From(sal).
			Where(sql.In(sal.C(serviceatlocation.FieldServiceID), changedIDs(ctx, b, service.Table, serviceOwnRelated, t)))
		s.Where(sql.In(s.C(serviceatlocation.FieldID), changedIDs(ctx, b, serviceatlocation.Table, salRelated, t, ofServices)))
	}
}

// modifiedBatch is how many services ServicesModified asks about in one
// statement: each path names them all, and a statement binds at most
// 32,766 values on SQLite.
const modifiedBatch = 500

// ServicesModified returns the HSDS last_modified of the services ids name
// (those the viewer in ctx may see): the latest updated_at of each service
// and the rows its document shows, in one statement per 500 services.
func ServicesModified(ctx context.Context, client *ent.Client, ids []int) (map[int]time.Time, error) {
	out := make(map[int]time.Time, len(ids))
	for start := 0; start < len(ids); start += modifiedBatch {
		part := ids[start:min(start+modifiedBatch, len(ids))]
		var rows []struct {
			ID       int    `json:"id"`
			Modified dbTime `json:"modified"`
		}
		// ent's builders offer no other hook to join a derived table than
		// the selector a predicate gets, which also says which dialect to
		// write.
		err := client.Service.Query().Where(service.IDIn(part...), joinModified(ctx, part)).Select(service.FieldID).Scan(ctx, &rows)
		if err != nil {
			return nil, fmt.Errorf("load services' last change: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = time.Time(r.Modified)
		}
	}
	return out, nil
}

// dbTime scans a time as either backend returns a computed one: a
// time.Time (PostgreSQL), or SQLite's text, which Village writes in UTC
// in one format (see internal/store).
type dbTime time.Time

func (t *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*t = dbTime(v)
		return nil
	case []byte:
		return t.Scan(string(v))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if x, err := time.Parse(layout, v); err == nil {
				*t = dbTime(x)
				return nil
			}
		}
		return fmt.Errorf("hsds: cannot read %q as a time", v)
	}
	return fmt.Errorf("hsds: cannot read %T as a time", v)
}

// rowsOf selects (sid, at): the ID of each service ids name and the
// updated_at of each of the path's rows related to it, the path's tables
// joined on their foreign keys.
func (p relatedPath) rowsOf(ctx context.Context, b *sql.DialectBuilder, ids []int) *sql.Selector {
	tables := make([]*sql.SelectTable, len(p.hops))
	for i, h := range p.hops {
		tables[i] = b.Table(h.table).As(fmt.Sprintf("r%d", i))
	}
	last := len(p.hops) - 1
	sid := tables[last].C(p.hops[last].col)
	var svc *sql.SelectTable
	if p.hops[last].nextCol != service.FieldID {
		svc = b.Table(service.Table).As("rs")
		sid = svc.C(service.FieldID)
	}
	sub := b.Select().AppendSelectAs(sid, "sid").AppendSelectAs(tables[0].C(fieldUpdatedAt), "at").From(tables[0])
	for i := 1; i < len(p.hops); i++ {
		sub.Join(tables[i]).On(tables[i-1].C(p.hops[i-1].col), tables[i].C(p.hops[i-1].nextCol))
	}
	if svc != nil {
		sub.Join(svc).On(tables[last].C(p.hops[last].col), svc.C(p.hops[last].nextCol))
	}
	sub.Where(sql.InInts(sid, ids...))
	if p.visible != nil {
		p.visible(ctx)(sub)
	}
	return sub
}

// joinModified joins to a selector of the services ids name the column
// "modified": the latest updated_at of each and of the rows its document
// shows that the viewer in ctx may see. It is one set (a union of a join
// per path, grouped), which PostgreSQL hashes; a subquery per path and
// service costs its planner enough to compile the statement.
func joinModified(ctx context.Context, ids []int) func(*sql.Selector) {
	return func(s *sql.Selector) {
		b := sql.Dialect(s.Dialect())
		own := b.Table(service.Table).As("rs")
		u := b.Select().AppendSelectAs(own.C(service.FieldID), "sid").AppendSelectAs(own.C(fieldUpdatedAt), "at").From(own).
			Where(sql.InInts(own.C(service.FieldID), ids...))
		for _, p := range serviceRelated {
			u.UnionAll(p.rowsOf(ctx, b, ids))
		}
		m := b.Select().AppendSelect("sid").AppendSelectAs(sql.Max("at"), "modified").From(u.As("x")).GroupBy("sid").As("m")
		s.Join(m).On(s.C(service.FieldID), m.C("sid"))
		s.AppendSelectAs(m.C("modified"), "modified")
	}
}
