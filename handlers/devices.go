package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"marquee/auth"
	"marquee/db"
)

// devices serves the caller's sessions, one per signed-in device: the list,
// signing one device or every other device out, and the password change,
// which signs the other devices out too. Ending sessions is auth's
// (auth.Sessions), so that each instance forgets an ended one at once.
type devices struct {
	pool     *db.Pool
	sessions *auth.Sessions
	addrs    *clientAddrs
	cursors  cursors
}

// session is the API's view of a session.
type session struct {
	ID         uuid.UUID  `json:"id"`
	Device     string     `json:"device"`
	ProfileID  *uuid.UUID `json:"profile_id"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt time.Time  `json:"last_used_at"`
	Current    bool       `json:"current"`
}

// beforeAnyUse is where a list of sessions, most recently used first,
// starts: before any use.
func beforeAnyUse() keyset { return keyset{At: time.Now().AddDate(100, 0, 0), ID: uuid.Max} }

// callerSession is the id of the session the request's token names.
func callerSession(ctx context.Context) uuid.UUID {
	c, ok := auth.ClaimsFrom(ctx)
	if !ok {
		panic("handlers: no token claims: route registered outside the Authenticate guard")
	}
	return c.Session
}

func (h *devices) list(w http.ResponseWriter, r *http.Request) error {
	me, current := caller(r.Context()).ID, callerSession(r.Context())
	return servePage(w, r, h.cursors, "me.sessions", beforeAnyUse(),
		func(ctx context.Context, before keyset, limit int32) ([]db.SessionListRow, error) {
			return h.pool.SessionList(ctx, db.SessionListParams{UserID: me, BeforeUsedAt: before.At, BeforeID: before.ID, Lim: limit})
		},
		func(s db.SessionListRow) (session, keyset) {
			return session{ID: s.ID, Device: s.Device, ProfileID: s.ProfileID, CreatedAt: s.CreatedAt.UTC(),
				LastUsedAt: s.LastUsedAt.UTC(), Current: s.ID == current}, keyset{At: s.LastUsedAt, ID: s.ID}
		})
}

// end signs out the device of the session auth.RequireSessionOwner found;
// the caller's own session too, if it names it.
func (h *devices) end(w http.ResponseWriter, r *http.Request) error {
	s, ok := auth.SessionFrom(r.Context())
	if !ok {
		panic("handlers: no session: route registered outside the RequireSessionOwner guard")
	}
	if err := h.sessions.End(r.Context(), caller(r.Context()).ID, s.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// endOthers signs out every device of the account but the caller's.
func (h *devices) endOthers(w http.ResponseWriter, r *http.Request) error {
	if err := h.sessions.EndOthers(r.Context(), caller(r.Context()).ID, callerSession(r.Context())); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// changePassword replaces the caller's password once the current one is
// given again, and signs out every other device of the account.
func (h *devices) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var c checks
	c.require(in.CurrentPassword != "", "current_password", "is required")
	c.newPassword("new_password", in.NewPassword)
	if err := c.err(); err != nil {
		return err
	}
	ctx := r.Context()
	err := h.sessions.ChangePassword(ctx, h.addrs.of(r), caller(ctx), callerSession(ctx), in.CurrentPassword, in.NewPassword)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
