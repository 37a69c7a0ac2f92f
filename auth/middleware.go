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
	keyClaims
	keySession
)

// UserFrom is the caller, as Authenticate loaded it from the database.
func UserFrom(ctx context.Context) (db.User, bool) {
	u, ok := ctx.Value(keyUser).(db.User)
	return u, ok
}

// ClaimsFrom is what the caller's access token says, once Authenticate has
// verified it: the account, the session and the profile it is narrowed to.
func ClaimsFrom(ctx context.Context) (Claims, bool) {
	c, ok := ctx.Value(keyClaims).(Claims)
	return c, ok
}

// ProfileFrom is the profile the request names, once RequireProfileOwner has
// checked that the caller owns it. Handlers take the profile from here only.
func ProfileFrom(ctx context.Context) (db.Profile, bool) {
	p, ok := ctx.Value(keyProfile).(db.Profile)
	return p, ok
}

// SessionFrom is the session the request names, once RequireSessionOwner
// has checked that it is a live one of the caller's.
func SessionFrom(ctx context.Context) (db.Session, bool) {
	s, ok := ctx.Value(keySession).(db.Session)
	return s, ok
}

// Guard holds the middlewares that every protected route sits behind.
// Failures go to fail, the HTTP layer's one error writer.
type Guard struct {
	tokens   *Tokens
	pool     *db.Pool
	cache    *OwnershipCache // may be nil: every check then asks the database
	sessions *LiveSessions   // may be nil, likewise
	fail     func(http.ResponseWriter, *http.Request, error)
}

// NewGuard builds the middlewares.
func NewGuard(tokens *Tokens, pool *db.Pool, cache *OwnershipCache, sessions *LiveSessions,
	fail func(http.ResponseWriter, *http.Request, error)) *Guard {
	return &Guard{tokens: tokens, pool: pool, cache: cache, sessions: sessions, fail: fail}
}

// Authenticate requires a valid bearer token whose session is live (not
// ended, narrowed as the token says) and whose user still exists, and puts
// that user, read from the database, and the token's claims in the request
// context: one query. On a route under /v1/profiles/{profileID},
// RequireProfileOwner makes that check together with the ownership check,
// in one query (the playback heartbeat's path), or answers both from its
// caches: until then the context holds only the claims. (A {profileID}
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
		claims, err := g.tokens.Verify(strings.TrimSpace(token))
		if err != nil {
			g.fail(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), keyClaims, claims)
		if _, named := mux.Vars(r)["profileID"]; named {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		user, err := g.caller(ctx, claims)
		if err != nil {
			g.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, keyUser, user)))
	})
}

// caller reads the account of claims, if their session is live.
func (g *Guard) caller(ctx context.Context, claims Claims) (db.User, error) {
	gen := g.sessions.generation()
	row, err := g.pool.UserGetBySession(ctx, db.UserGetBySessionParams{
		SessionID: claims.Session, UserID: claims.User, NarrowedTo: claims.Profile,
	})
	if errors.Is(err, db.ErrNotFound) {
		// A valid signature for a session that ended or an account that is gone.
		return db.User{}, ErrInvalidToken
	}
	if err != nil {
		return db.User{}, err
	}
	g.sessions.put(gen, claims, row.SessionExpiresAt)
	return row.User, nil
}

// canonicalUUIDLength is the length of the only form of profile or session
// id accepted (uuid.Parse also takes braces, a urn: prefix and no hyphens).
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
// A proven ownership is remembered (see OwnershipCache), and so is a live
// session (see LiveSessions).
func (g *Guard) owned(ctx context.Context, id uuid.UUID) (context.Context, error) {
	if user, loaded := UserFrom(ctx); loaded {
		return g.ownedBy(ctx, user, id)
	}
	claims, ok := ClaimsFrom(ctx)
	if !ok {
		return ctx, errMissingToken
	}
	if e, ok := g.cache.get(claims.User, id); ok && g.sessions.live(claims) {
		ctx = context.WithValue(ctx, keyUser, e.user)
		return context.WithValue(ctx, keyProfile, e.profile), nil
	}
	gen, sessionGen := g.cache.generation(), g.sessions.generation()
	row, err := g.pool.ProfileGetOwnedBySession(ctx, db.ProfileGetOwnedBySessionParams{
		ID: id, SessionID: claims.Session, UserID: claims.User, NarrowedTo: claims.Profile,
	})
	if errors.Is(err, db.ErrNotFound) {
		// Not yours, or your session is over: only the failure pays for
		// telling them apart.
		if _, err := g.caller(ctx, claims); err != nil {
			return ctx, err
		}
		return ctx, errNotOwner
	}
	if err != nil {
		return ctx, err
	}
	g.cache.put(gen, row.User, row.Profile)
	g.sessions.put(sessionGen, claims, row.SessionExpiresAt)
	ctx = context.WithValue(ctx, keyUser, row.User)
	return context.WithValue(ctx, keyProfile, row.Profile), nil
}

// ownedBy is owned for a caller whose session Authenticate has checked.
func (g *Guard) ownedBy(ctx context.Context, user db.User, id uuid.UUID) (context.Context, error) {
	if e, ok := g.cache.get(user.ID, id); ok {
		return context.WithValue(ctx, keyProfile, e.profile), nil
	}
	gen := g.cache.generation()
	row, err := g.pool.ProfileGetOwnedWithUser(ctx, db.ProfileGetOwnedWithUserParams{ID: id, UserID: user.ID})
	if errors.Is(err, db.ErrNotFound) {
		return ctx, errNotOwner
	}
	if err != nil {
		return ctx, err
	}
	g.cache.put(gen, row.User, row.Profile)
	return context.WithValue(ctx, keyProfile, row.Profile), nil
}

// RequireSessionOwner runs after Authenticate on the routes that name a
// session ({sessionID}): the session must be a live one of the caller's,
// checked in one primary-key query, and goes into the context. Another
// account's session, an unknown or ended one and a malformed id get the
// same 404, before any handler runs, so that one account cannot learn
// another's session ids.
func (g *Guard) RequireSessionOwner(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, ok := UserFrom(r.Context())
		if !ok {
			g.fail(w, r, errMissingToken)
			return
		}
		raw := mux.Vars(r)["sessionID"]
		id, err := uuid.Parse(raw)
		if err != nil || len(raw) != canonicalUUIDLength {
			g.fail(w, r, errNoSuchSession)
			return
		}
		session, err := g.pool.SessionGetOwned(r.Context(), db.SessionGetOwnedParams{ID: id, UserID: user.ID})
		if errors.Is(err, db.ErrNotFound) {
			err = errNoSuchSession
		}
		if err != nil {
			g.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keySession, session)))
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
