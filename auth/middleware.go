package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"marquee/db"
)

type ctxKey int

const (
	keyUser ctxKey = iota
	keyProfile
)

// UserFrom is the caller, as Authenticate loaded it from the database.
func UserFrom(ctx context.Context) (db.User, bool) {
	u, ok := ctx.Value(keyUser).(db.User)
	return u, ok
}

// ProfileFrom is the profile the request names, once RequireProfileOwner has
// checked that the caller owns it. Handlers take the profile from here only.
func ProfileFrom(ctx context.Context) (db.Profile, bool) {
	p, ok := ctx.Value(keyProfile).(db.Profile)
	return p, ok
}

// Guard holds the three middlewares that every protected route sits behind.
// Failures go to fail, the HTTP layer's one error writer.
type Guard struct {
	tokens *Tokens
	pool   *db.Pool
	fail   func(http.ResponseWriter, *http.Request, error)
}

// NewGuard builds the middlewares.
func NewGuard(tokens *Tokens, pool *db.Pool, fail func(http.ResponseWriter, *http.Request, error)) *Guard {
	return &Guard{tokens: tokens, pool: pool, fail: fail}
}

// Authenticate requires a valid bearer token whose user still exists, and
// puts that user, read from the database, in the request context.
func (g *Guard) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			g.fail(w, r, errMissingToken)
			return
		}
		id, err := g.tokens.Verify(strings.TrimSpace(token))
		if err != nil {
			g.fail(w, r, err)
			return
		}
		user, err := g.pool.UserGet(r.Context(), id)
		if errors.Is(err, db.ErrNotFound) {
			err = ErrInvalidToken // a valid signature for an account that is gone
		}
		if err != nil {
			g.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyUser, user)))
	})
}

// RequireProfileOwner runs after Authenticate. It takes the profile from the
// {profileID} path variable or else the profile_id query parameter, checks in
// one indexed query that the caller owns it, and puts it in the context.
// Another user's profile, an unknown one and a malformed id (or a query
// string that does not parse) get the same 403, so that profiles cannot be
// enumerated. Without either, the request
// goes on with no profile (routes where the profile is optional).
func (g *Guard) RequireProfileOwner(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, named := mux.Vars(r)["profileID"]
		if !named {
			query, err := url.ParseQuery(r.URL.RawQuery)
			if err != nil {
				// A query that does not parse might hide a profile_id.
				g.fail(w, r, errNotOwner)
				return
			}
			values, inQuery := query["profile_id"]
			if !inQuery {
				next.ServeHTTP(w, r)
				return
			}
			if len(values) == 1 {
				raw = values[0]
			}
		}
		user, ok := UserFrom(r.Context())
		if !ok {
			g.fail(w, r, errMissingToken)
			return
		}
		id, err := uuid.Parse(raw)
		if err != nil || len(raw) != len(uuid.Nil.String()) {
			g.fail(w, r, errNotOwner)
			return
		}
		profile, err := g.pool.ProfileGetOwned(r.Context(), db.ProfileGetOwnedParams{ID: id, UserID: user.ID})
		if errors.Is(err, db.ErrNotFound) {
			err = errNotOwner
		}
		if err != nil {
			g.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyProfile, profile)))
	})
}

// RequireAdmin runs after Authenticate: the caller must be an admin
// according to the database row Authenticate read for this very request.
// The token carries no admin claim to trust.
func (g *Guard) RequireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, ok := UserFrom(r.Context())
		if !ok {
			g.fail(w, r, errMissingToken)
			return
		}
		if !user.IsAdmin {
			g.fail(w, r, errNotAdmin)
			return
		}
		next.ServeHTTP(w, r)
	})
}
