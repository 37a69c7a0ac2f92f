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
	keySubject
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
	cache  *OwnershipCache // may be nil: every check then asks the database
	fail   func(http.ResponseWriter, *http.Request, error)
}

// NewGuard builds the middlewares.
func NewGuard(tokens *Tokens, pool *db.Pool, cache *OwnershipCache, fail func(http.ResponseWriter, *http.Request, error)) *Guard {
	return &Guard{tokens: tokens, pool: pool, cache: cache, fail: fail}
}

// Authenticate requires a valid bearer token whose user still exists, and
// puts that user, read from the database, in the request context. On a
// route under /v1/profiles/{profileID}, RequireProfileOwner reads the user
// together with the profile, in one query (the playback heartbeat's path):
// until then the context holds only the token's subject. (A {profileID}
// route registered without RequireProfileOwner would have no user at all,
// and the authorization suite, which expects a deleted account's token to
// be refused there, would fail.)
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
		if _, named := mux.Vars(r)["profileID"]; named {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keySubject, id)))
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

// canonicalUUIDLength is the length of the only form of profile id accepted
// (uuid.Parse also takes braces, a urn: prefix and no hyphens).
const canonicalUUIDLength = len("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")

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
				// A query that does not parse might hide a profile_id. (The
				// server refuses such queries before any guard; this one
				// does not rely on it.)
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
		id, err := uuid.Parse(raw)
		if err != nil || len(raw) != canonicalUUIDLength {
			g.fail(w, r, errNotOwner)
			return
		}
		ctx, err := g.owned(r.Context(), id)
		if err != nil {
			g.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// owned checks that the caller owns profile id and returns the context with
// the profile (and, if Authenticate left it to this check, the user) in it.
// A proven ownership is remembered (see OwnershipCache).
func (g *Guard) owned(ctx context.Context, id uuid.UUID) (context.Context, error) {
	user, loaded := UserFrom(ctx)
	subject, _ := ctx.Value(keySubject).(uuid.UUID)
	if loaded {
		subject = user.ID
	}
	if subject == uuid.Nil {
		return ctx, errMissingToken
	}
	if e, ok := g.cache.get(subject, id); ok {
		if !loaded {
			ctx = context.WithValue(ctx, keyUser, e.user)
		}
		return context.WithValue(ctx, keyProfile, e.profile), nil
	}
	gen := g.cache.generation()
	row, err := g.pool.ProfileGetOwnedWithUser(ctx, db.ProfileGetOwnedWithUserParams{ID: id, UserID: subject})
	if errors.Is(err, db.ErrNotFound) {
		if loaded {
			return ctx, errNotOwner
		}
		// Not yours, or you are gone: only the failure pays for telling them apart.
		if _, err := g.pool.UserGet(ctx, subject); errors.Is(err, db.ErrNotFound) {
			return ctx, ErrInvalidToken
		} else if err != nil {
			return ctx, err
		}
		return ctx, errNotOwner
	}
	if err != nil {
		return ctx, err
	}
	g.cache.put(gen, row.User, row.Profile)
	if !loaded {
		ctx = context.WithValue(ctx, keyUser, row.User)
	}
	return context.WithValue(ctx, keyProfile, row.Profile), nil
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
