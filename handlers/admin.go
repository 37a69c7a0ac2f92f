package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"marquee/db"
)

// admin serves the administration of accounts and the audit log. Every
// route of it sits behind auth.RequireAdmin; every write records an audit
// row in its own transaction.
type admin struct {
	pool    *db.Pool
	cursors cursors
}

// audit records an admin write; call it inside the write's transaction.
func audit(ctx context.Context, q *db.Queries, action, target string) error {
	actor := caller(ctx).ID
	return q.AuditRecord(ctx, db.AuditRecordParams{ActorID: &actor, Action: action, Target: target})
}

func (h *admin) users(w http.ResponseWriter, r *http.Request) error {
	return servePage(w, r, h.cursors, "admin.users", keyset{At: time.Unix(0, 0).UTC().AddDate(-100, 0, 0)}, // before any account
		func(ctx context.Context, after keyset, limit int32) ([]db.User, error) {
			return h.pool.UserList(ctx, db.UserListParams{AfterCreatedAt: after.At, AfterID: after.ID, Lim: limit})
		},
		func(u db.User) (user, keyset) { return userOf(u), keyset{At: u.CreatedAt, ID: u.ID} })
}

func (h *admin) setAdmin(w http.ResponseWriter, r *http.Request) error {
	id, err := uuid.Parse(mux.Vars(r)["userID"])
	if err != nil {
		return notFound("user")
	}
	var in struct {
		IsAdmin *bool `json:"is_admin"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.IsAdmin == nil {
		return invalid(FieldError{Field: "is_admin", Message: "is required"})
	}
	action := "user.admin.revoke"
	if *in.IsAdmin {
		action = "user.admin.grant"
	}
	var updated db.User
	err = h.pool.InTx(r.Context(), func(q *db.Queries) error {
		admins, err := q.AdminsLock(r.Context())
		if err != nil {
			return err
		}
		if !*in.IsAdmin && len(admins) == 1 && admins[0] == id {
			return &Error{Status: http.StatusConflict, Detail: "this is the last admin; make another admin first"}
		}
		if updated, err = q.UserSetAdmin(r.Context(), db.UserSetAdminParams{ID: id, IsAdmin: *in.IsAdmin}); err != nil {
			return err
		}
		return audit(r.Context(), q, action, "user:"+id.String())
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userOf(updated))
	return nil
}

// auditEntry is the API's view of an audit row.
type auditEntry struct {
	ID      uuid.UUID  `json:"id"`
	ActorID *uuid.UUID `json:"actor_id"`
	Action  string     `json:"action"`
	Target  string     `json:"target"`
	At      time.Time  `json:"at"`
}

func auditEntryOf(a db.AuditLog) auditEntry {
	return auditEntry{ID: a.ID, ActorID: a.ActorID, Action: a.Action, Target: a.Target, At: a.At.UTC()}
}

func (h *admin) auditLog(w http.ResponseWriter, r *http.Request) error {
	return servePage(w, r, h.cursors, "admin.audit", keyset{At: time.Now().AddDate(100, 0, 0), ID: uuid.Max}, // after any entry
		func(ctx context.Context, before keyset, limit int32) ([]db.AuditLog, error) {
			return h.pool.AuditList(ctx, db.AuditListParams{BeforeAt: before.At, BeforeID: before.ID, Lim: limit})
		},
		func(a db.AuditLog) (auditEntry, keyset) { return auditEntryOf(a), keyset{At: a.At, ID: a.ID} })
}
