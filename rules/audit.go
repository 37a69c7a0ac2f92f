package rules

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"marquee/db"
)

// Action is an audited write, as the audit log names it (GET
// /v1/admin/audit): the kind of object it changes, a dot, and what it did.
type Action string

// The audited writes.
const (
	AdminGranted   Action = "user.admin.grant"
	AdminRevoked   Action = "user.admin.revoke"
	AccountDeleted Action = "user.delete"
	TitleCreated   Action = "title.create"
	TitleUpdated   Action = "title.update"
	TitleDeleted   Action = "title.delete"
	ChannelCreated Action = "channel.create"
	ChannelUpdated Action = "channel.update"
	ChannelDeleted Action = "channel.delete"
	GuideImported  Action = "epg.import"
	// A spent refresh token presented again, most likely stolen: its
	// session was ended. The actor is the account the token belongs to.
	SessionReused Action = "session.reuse"
)

// GuideSourceXMLTV names the object of GuideImported: the guide an XMLTV
// document replaced.
const GuideSourceXMLTV = "xmltv"

// Audit records that actor (nil: an operator at the command line) did action
// to the object which names (an id, or GuideSourceXMLTV): the row's target
// is the action's kind of object and which, "title:<id>". Call it inside the
// transaction of the write, so that the write and its record stand or fall
// together.
func Audit(ctx context.Context, q *db.Queries, actor *uuid.UUID, action Action, which string) error {
	kind, _, _ := strings.Cut(string(action), ".")
	return q.AuditRecord(ctx, db.AuditRecordParams{ActorID: actor, Action: string(action), Target: kind + ":" + which})
}

// DeleteTitle deletes a title (a series with its episodes), audited;
// db.ErrNotFound when there is no such title.
func DeleteTitle(ctx context.Context, q *db.Queries, actor *uuid.UUID, id uuid.UUID) error {
	return deleteAudited(ctx, q, actor, TitleDeleted, id, q.TitleDelete)
}

// DeleteChannel deletes a channel with its programmes and every favourite
// of it, audited; db.ErrNotFound when there is no such channel.
func DeleteChannel(ctx context.Context, q *db.Queries, actor *uuid.UUID, id uuid.UUID) error {
	return deleteAudited(ctx, q, actor, ChannelDeleted, id, q.ChannelDelete)
}

// deleteAudited deletes with del, which reports how many rows went, and
// records action.
func deleteAudited(ctx context.Context, q *db.Queries, actor *uuid.UUID, action Action, id uuid.UUID,
	del func(context.Context, uuid.UUID) (int64, error)) error {
	n, err := del(ctx, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return db.ErrNotFound
	}
	return Audit(ctx, q, actor, action, id.String())
}
