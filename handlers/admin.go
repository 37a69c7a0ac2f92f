package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"marquee/db"
	"marquee/rules"
)

// admin serves the administration of accounts and the audit log. Every
// route of it sits behind auth.RequireAdmin; every write records an audit
// row in its own transaction.
type admin struct {
	pool    *db.Pool
	cursors cursors
}

// actor is the admin an audit row names: the caller.
func actor(ctx context.Context) *uuid.UUID {
	id := caller(ctx).ID
	return &id
}

// adminUser is an account as the admin list shows it: with its number of
// live sessions (signed-in devices).
type adminUser struct {
	user
	Sessions int64 `json:"sessions"`
}

func (h *admin) users(w http.ResponseWriter, r *http.Request) error {
	return servePage(w, r, h.cursors, "admin.users", keyset{At: time.Unix(0, 0).UTC().AddDate(-100, 0, 0)}, // before any account
		func(ctx context.Context, after keyset, limit int32) ([]db.UserListRow, error) {
			return h.pool.UserList(ctx, db.UserListParams{AfterCreatedAt: after.At, AfterID: after.ID, Lim: limit})
		},
		func(u db.UserListRow) (adminUser, keyset) {
			return adminUser{user: userOf(u.User), Sessions: u.Sessions}, keyset{At: u.User.CreatedAt, ID: u.User.ID}
		})
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
	var updated db.User
	err = h.pool.InTx(r.Context(), func(q *db.Queries) error {
		var err error
		updated, err = rules.SetAdmin(r.Context(), q, actor(r.Context()), id, *in.IsAdmin)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userOf(updated))
	return nil
}

// auditedDelete deletes the object id names with del (rules.DeleteTitle,
// rules.DeleteChannel), which records it, in one transaction, and answers
// 204; no such object is a 404 naming what.
func auditedDelete(w http.ResponseWriter, r *http.Request, pool *db.Pool, what string, id uuid.UUID,
	del func(context.Context, *db.Queries, *uuid.UUID, uuid.UUID) error) error {
	err := pool.InTx(r.Context(), func(q *db.Queries) error { return del(r.Context(), q, actor(r.Context()), id) })
	if errors.Is(err, db.ErrNotFound) {
		return notFound(what)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
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
