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

// Authenticate requires a valid bearer token of an account session: its
// session is live (not ended, narrowed as the token says), its user still
// exists, and the session is not narrowed to a profile. It puts that user,
// read from the database, and the token's claims in the request context:
// one query. A session narrowed to a profile is refused with
// ErrAccountSessionRequired once it has proved live (an ended session's
// token is 401 everywhere): a route is closed to narrowed sessions unless
// its group says otherwise (AuthenticateAnySession, Profile).
func (g *Guard) Authenticate(next http.Handler) http.Handler {
	return g.authenticate(false, next)
}

// AuthenticateAnySession is Authenticate for the route groups open to
// sessions narrowed to a profile: the account itself and its picker of
// profiles, the catalog and the guide (where RequireProfileOwner then
// applies the narrowed profile).
func (g *Guard) AuthenticateAnySession(next http.Handler) http.Handler {
	return g.authenticate(true, next)
}

func (g *Guard) authenticate(narrowedToo bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, err := g.bearer(r)
		if err != nil {
			g.fail(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), keyClaims, claims)
		user, err := g.caller(ctx, claims)
		if err != nil {
			g.fail(w, r, err)
			return
		}
		if claims.Profile != nil && !narrowedToo {
			g.fail(w, r, ErrAccountSessionRequired)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, keyUser, user)))
	})
}

// bearer verifies the request's bearer token.
func (g *Guard) bearer(r *http.Request) (Claims, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return Claims{}, errMissingToken
	}
	return g.tokens.Verify(strings.TrimSpace(token))
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

// parseProfileID parses a profile id in its canonical form only.
func parseProfileID(raw string) (uuid.UUID, bool) {
	id, err := uuid.Parse(raw)
	return id, err == nil && len(raw) == canonicalUUIDLength
}

// Profile guards a group of routes under /v1/profiles/{profileID}: it
// requires a valid bearer token, checks in one indexed query that its
// session is live and that the caller owns the profile of the path (or
// answers both from its caches: the playback heartbeat's path), applies the
// group's access a to sessions narrowed to a profile and to locked
// profiles, and puts the user and the profile in the context. Another
// user's profile, an unknown one and a malformed id get the same 403, so
// that profiles cannot be enumerated; so does another profile of the
// account to a session narrowed to one (see ProfileAccess). A route with no
// {profileID} is refused likewise: the group holds none.
func (g *Guard) Profile(a ProfileAccess) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			claims, err := g.bearer(r)
			if err != nil {
				g.fail(w, r, err)
				return
			}
			id, ok := parseProfileID(mux.Vars(r)["profileID"])
			if !ok {
				g.fail(w, r, a.notOwned(claims))
				return
			}
			ctx, err := g.owned(context.WithValue(r.Context(), keyClaims, claims), id, a)
			if err != nil {
				g.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// RequireProfileOwner runs after Authenticate or AuthenticateAnySession on
// the routes where a profile is optional (the catalog, the guide). It takes
// the profile from the profile_id query parameter (or a {profileID} path
// variable), checks that the caller owns it under the rules of Viewing, and
// puts it in the context. Another user's profile, an unknown one and a
// malformed id (or a query string that does not parse) get the same 403, so
// that profiles cannot be enumerated. Without one, a session narrowed to a
// profile gets its own, so that its max_age applies whether or not the
// client names it; an account session goes on with no profile.
func (g *Guard) RequireProfileOwner(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := ClaimsFrom(r.Context())
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
			switch {
			case !inQuery && claims.Profile == nil:
				next.ServeHTTP(w, r)
				return
			case !inQuery:
				raw = claims.Profile.String()
			case len(values) == 1:
				raw = values[0]
			}
		}
		id, ok := parseProfileID(raw)
		if !ok {
			g.fail(w, r, errNotOwner)
			return
		}
		ctx, err := g.owned(r.Context(), id, Viewing)
		if err != nil {
			g.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// owned checks that the caller owns profile id and that access a lets its
// session use it, and returns the context with the profile (and, if
// Authenticate has not loaded it, the user) in it. A proven ownership is
// remembered (see OwnershipCache), and so is a live session (see
// LiveSessions).
func (g *Guard) owned(ctx context.Context, id uuid.UUID, a ProfileAccess) (context.Context, error) {
	claims, ok := ClaimsFrom(ctx)
	if !ok {
		return ctx, errMissingToken
	}
	if user, loaded := UserFrom(ctx); loaded {
		return g.ownedBy(ctx, claims, user, id, a)
	}
	if e, ok := g.cache.get(claims.User, id); ok && g.sessions.live(claims) {
		ctx = context.WithValue(ctx, keyUser, e.user)
		return context.WithValue(ctx, keyProfile, e.profile), a.admit(claims, e.profile)
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
		return ctx, a.notOwned(claims)
	}
	if err != nil {
		return ctx, err
	}
	g.cache.put(gen, row.User, row.Profile)
	g.sessions.put(sessionGen, claims, row.SessionExpiresAt)
	ctx = context.WithValue(ctx, keyUser, row.User)
	return context.WithValue(ctx, keyProfile, row.Profile), a.admit(claims, row.Profile)
}

// ownedBy is owned for a caller whose session Authenticate has checked.
func (g *Guard) ownedBy(ctx context.Context, claims Claims, user db.User, id uuid.UUID, a ProfileAccess) (context.Context, error) {
	if e, ok := g.cache.get(user.ID, id); ok {
		return context.WithValue(ctx, keyProfile, e.profile), a.admit(claims, e.profile)
	}
	gen := g.cache.generation()
	row, err := g.pool.ProfileGetOwnedWithUser(ctx, db.ProfileGetOwnedWithUserParams{ID: id, UserID: user.ID})
	if errors.Is(err, db.ErrNotFound) {
		return ctx, a.notOwned(claims)
	}
	if err != nil {
		return ctx, err
	}
	g.cache.put(gen, row.User, row.Profile)
	return context.WithValue(ctx, keyProfile, row.Profile), a.admit(claims, row.Profile)
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
