// Package handlers is Marquee's HTTP layer: the route table, the decoding of
// requests and the writing of answers. It reaches the database only through
// db.Queries and the shared writes of rules, and authorization only through
// the middlewares of auth: no handler checks who may do what.
package handlers

import (
	"cmp"
	"net/http"
	"strings"

	gorillahandlers "github.com/gorilla/handlers"
	"github.com/gorilla/mux"

	"marquee/auth"
	"marquee/guide/xmltv"
)

// router is the route table with its guarded subrouters kept at hand, so
// that tests can add a route behind a guard and see the guard hold.
type router struct {
	*mux.Router
	admin   *mux.Router // /v1/admin: Authenticate, RequireAdmin
	viewing *mux.Router // /v1/profiles/{profileID}/...: Profile(auth.Viewing)
	manage  *mux.Router // /v1/profiles/{profileID} and .../lock: Profile(auth.ProfileManage)
	open    *mux.Router // /v1/me, /v1/profiles: AuthenticateAnySession
	session *mux.Router // /v1/me/sessions/{sessionID}: Authenticate, RequireSessionOwner
}

// newRouter builds every route in one table, grouped by the guard they sit behind.
func newRouter(d Deps) *router {
	r := mux.NewRouter()
	// mux reports some wrong methods as unknown paths (a subrouter's other
	// routes hide the method mismatch), so both cases look for the methods
	// the path does take.
	noRoute := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		allowed := allowedMethods(r, req)
		if len(allowed) == 0 {
			writeProblem(w, &Error{Status: http.StatusNotFound, Detail: "no such route"})
			return
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeProblem(w, &Error{Status: http.StatusMethodNotAllowed, Detail: "method " + req.Method + " is not allowed on this route"})
	})
	r.NotFoundHandler, r.MethodNotAllowedHandler = noRoute, noRoute
	// Outermost on every route, before any guard: the route's template for
	// the log and metrics, then the query string's check.
	r.Use(routeTemplate, wellFormedQuery)

	guard := auth.NewGuard(d.Tokens, d.Pool, d.Cache, d.Live, writeError)
	cur := cursors{key: d.CursorKey}
	acc := &accounts{pool: d.Pool, passwords: d.Passwords, sessions: d.Sessions, clients: d.Clients, addrs: d.addrs, cache: d.Cache}
	prof := &profiles{pool: d.Pool, cache: d.Cache, cursors: cur}
	adm := &admin{pool: d.Pool, cursors: cur}
	dev := &devices{pool: d.Pool, sessions: d.Sessions, addrs: d.addrs, cursors: cur}
	cat := &catalog{pool: d.Pool, cursors: cur, walk: cmp.Or(d.SearchWalk, searchWalk)}
	admTitles := &adminTitles{pool: d.Pool}
	par := &parental{sessions: d.Sessions, cache: d.Cache, addrs: d.addrs}
	view := &viewing{pool: d.Pool, heartbeats: d.Heartbeats, cursors: cur}
	tv := &tvGuide{pool: d.Pool, cursors: cur}
	admChannels := &adminChannels{pool: d.Pool}
	exp := &exporter{pool: d.Pool, logger: d.Logger}
	admGuide := &adminGuide{pool: d.Pool, xmltv: xmltv.Options{Lang: d.EPGLang, UnratedMinAge: d.EPGUnratedMinAge}, maxBytes: maxXMLBytes}
	const get, head, post, put, del = http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete

	// mux tries routes in the order of this table, so the busiest come
	// first: the playback heartbeat, every player every 10-30 s. Every route
	// under /v1 needs the database: 503 until the server has reached it.
	v1 := r.PathPrefix("/v1").Subrouter()
	v1.Use(d.Health.gate)

	// One profile: ownership is checked before any handler runs, together
	// with what the group lets a session narrowed to a profile, and an
	// account session naming a locked profile, do (auth.ProfileAccess). Each
	// group is picked by a plain prefix test and its routes spell the whole
	// path, so that a request runs only its routes' regular expressions: a
	// PathPrefix("/profiles/{profileID}") would run one more, twice, on the
	// busiest request (BenchmarkRouteMatch measures the matching).

	// Viewing: everything under /v1/profiles/{profileID}/ but the lock and
	// the session. A narrowed session reaches its own profile's only; a
	// locked profile's refuse every session not narrowed to it.
	views := v1.MatcherFunc(under("/v1/profiles/")).Subrouter()
	views.Use(guard.Profile(auth.Viewing))
	views.Handle("/profiles/{profileID}/bookmarks/{titleID}", quiet(view.heartbeat)).Methods(put)
	views.Handle("/profiles/{profileID}/bookmarks/{titleID}", handlerFunc(view.deleteBookmark)).Methods(del)
	views.Handle("/profiles/{profileID}/bookmarks", handlerFunc(view.continueWatching)).Methods(get)
	views.Handle("/profiles/{profileID}/history", handlerFunc(view.history)).Methods(get)
	views.Handle("/profiles/{profileID}/history", handlerFunc(view.markWatched)).Methods(post)
	views.Handle("/profiles/{profileID}/history", handlerFunc(view.clearHistory)).Methods(del)
	views.Handle("/profiles/{profileID}/watchlist", handlerFunc(view.watchlist)).Methods(get)
	views.Handle("/profiles/{profileID}/watchlist/{titleID}", handlerFunc(view.addToWatchlist)).Methods(put)
	views.Handle("/profiles/{profileID}/watchlist/{titleID}", handlerFunc(view.removeFromWatchlist)).Methods(del)
	views.Handle("/profiles/{profileID}/ratings", handlerFunc(view.ratings)).Methods(get)
	views.Handle("/profiles/{profileID}/ratings/{titleID}", handlerFunc(view.rate)).Methods(put)
	views.Handle("/profiles/{profileID}/ratings/{titleID}", handlerFunc(view.unrate)).Methods(del)
	views.Handle("/profiles/{profileID}/recommendations", handlerFunc(view.recommendations)).Methods(get)
	views.Handle("/profiles/{profileID}/epg/favorites", handlerFunc(tv.favorites)).Methods(get)
	views.Handle("/profiles/{profileID}/epg/favorites/{channelID}", handlerFunc(tv.addFavorite)).Methods(put)
	views.Handle("/profiles/{profileID}/epg/favorites/{channelID}", handlerFunc(tv.removeFavorite)).Methods(del)

	// The profile itself, read: a narrowed session its own, an account
	// session any (locked or not).
	read := v1.MatcherFunc(under("/v1/profiles/")).Subrouter()
	read.Use(guard.Profile(auth.ProfileRead))
	read.Handle("/profiles/{profileID}", handlerFunc(prof.get)).Methods(get)

	// Managing the profile and its lock: account sessions only.
	manage := v1.MatcherFunc(under("/v1/profiles/")).Subrouter()
	manage.Use(guard.Profile(auth.ProfileManage))
	manage.Handle("/profiles/{profileID}", handlerFunc(prof.update)).Methods(put)
	manage.Handle("/profiles/{profileID}", handlerFunc(prof.delete)).Methods(del)
	manage.Handle("/profiles/{profileID}/lock", handlerFunc(par.lock)).Methods(put)
	manage.Handle("/profiles/{profileID}/lock", handlerFunc(par.unlock)).Methods(del)

	// Narrowing the calling session to a profile: any session of the
	// account, to any of its profiles; a locked one's PIN is the check.
	switchTo := v1.MatcherFunc(under("/v1/profiles/")).Subrouter()
	switchTo.Use(guard.Profile(auth.ProfileSwitch))
	switchTo.Handle("/profiles/{profileID}/session", handlerFunc(par.narrow)).Methods(post)

	// The catalog: ?profile_id= is checked like a path profile and, when
	// given, its max_age applies; a narrowed session's profile applies
	// whether or not it is given.
	catalog := v1.PathPrefix("/catalog").Subrouter()
	catalog.Use(guard.AuthenticateAnySession, guard.RequireProfileOwner)
	catalog.Handle("/titles", handlerFunc(cat.browse)).Methods(get)
	catalog.Handle("/titles/{titleID}", handlerFunc(cat.detail)).Methods(get)
	catalog.Handle("/titles/{titleID}/episodes", handlerFunc(cat.episodes)).Methods(get)
	catalog.Handle("/search", handlerFunc(cat.search)).Methods(get)
	catalog.Handle("/genres", handlerFunc(cat.genres)).Methods(get)

	// The programme guide: ?profile_id= as in the catalog.
	epg := v1.PathPrefix("/epg").Subrouter()
	epg.Use(guard.AuthenticateAnySession, guard.RequireProfileOwner)
	epg.Handle("/channels", handlerFunc(tv.channels)).Methods(get)
	epg.Handle("/guide", handlerFunc(tv.guide)).Methods(get)

	// Public: how a client gets and renews its tokens.
	v1.Handle("/auth/register", handlerFunc(acc.register)).Methods(post)
	v1.Handle("/auth/login", handlerFunc(acc.login)).Methods(post)
	v1.Handle("/auth/refresh", handlerFunc(acc.refresh)).Methods(post)
	v1.Handle("/auth/logout", handlerFunc(acc.logout)).Methods(post)

	// Administration: admins only, decided by the database.
	admin := v1.PathPrefix("/admin").Subrouter()
	admin.Use(guard.Authenticate, guard.RequireAdmin)
	admin.Handle("/users", handlerFunc(adm.users)).Methods(get)
	admin.Handle("/users/{userID}/admin", handlerFunc(adm.setAdmin)).Methods(put)
	admin.Handle("/audit", handlerFunc(adm.auditLog)).Methods(get)
	admin.Handle("/titles", handlerFunc(admTitles.create)).Methods(post)
	admin.Handle("/titles/{titleID}", handlerFunc(admTitles.update)).Methods(put)
	admin.Handle("/titles/{titleID}", handlerFunc(admTitles.delete)).Methods(del)
	admin.Handle("/channels", handlerFunc(admChannels.create)).Methods(post)
	admin.Handle("/channels/{channelID}", handlerFunc(admChannels.update)).Methods(put)
	admin.Handle("/channels/{channelID}", handlerFunc(admChannels.delete)).Methods(del)
	admin.Handle("/epg/xmltv", handlerFunc(admGuide.importXMLTV)).Methods(post)

	// One session of the caller's: ownership is checked before any handler
	// runs, as for a profile; account sessions only.
	session := v1.MatcherFunc(under("/v1/me/sessions/")).Subrouter()
	session.Use(guard.Authenticate, guard.RequireSessionOwner)
	session.Handle("/me/sessions/{sessionID}", handlerFunc(dev.end)).Methods(del)

	// Any session of an account, narrowed or not: the account, and the
	// picker of its profiles.
	open := v1.NewRoute().Subrouter()
	open.Use(guard.AuthenticateAnySession)
	open.Handle("/me", handlerFunc(acc.me)).Methods(get)
	open.Handle("/profiles", handlerFunc(prof.list)).Methods(get)

	// Any account session: what a narrowed session may not do.
	user := v1.NewRoute().Subrouter()
	user.Use(guard.Authenticate)
	user.Handle("/me", handlerFunc(acc.deleteAccount)).Methods(del)
	user.Handle("/me/export", handlerFunc(exp.export)).Methods(get)
	user.Handle("/me/sessions", handlerFunc(dev.list)).Methods(get)
	user.Handle("/me/sessions", handlerFunc(dev.endOthers)).Methods(del)
	user.Handle("/me/password", handlerFunc(dev.changePassword)).Methods(put)
	user.Handle("/profiles", handlerFunc(prof.create)).Methods(post)

	// Public: probes and the contract.
	r.HandleFunc("/livez", d.Health.Live).Methods(get, head)
	r.HandleFunc("/readyz", d.Health.Ready).Methods(get, head)
	r.Handle("/openapi.yaml", serveContract(d.OpenAPI)).Methods(get)

	return &router{Router: r, admin: admin, viewing: views, manage: manage, open: open, session: session}
}

// NewHandler is the whole HTTP stack: observation (request ID, access log,
// metrics, panic recovery, the headers of every answer), the warning of an
// X-Forwarded-For that no proxy is trusted for, CORS, then the router.
func NewHandler(d Deps) http.Handler {
	return wrap(d, newRouter(d).Router)
}

func wrap(d Deps, r *mux.Router) http.Handler {
	return observe(d.Logger, newHTTPMetrics(d.Metrics), d.addrs.warnForwarded(varyOrigin(cors(d.CORSAllowedOrigins)(r))))
}

// cors allows exactly the origins configured, with the methods and request
// headers of the API contract. An empty list allows no origin at all
// (gorilla/handlers would read an empty list as "any origin").
func cors(origins []string) func(http.Handler) http.Handler {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	return gorillahandlers.CORS(
		gorillahandlers.AllowedOriginValidator(func(origin string) bool { return allowed[origin] }),
		gorillahandlers.AllowedMethods([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions}),
		gorillahandlers.AllowedHeaders([]string{"Authorization", "Content-Type", "Accept"}),
		gorillahandlers.ExposedHeaders([]string{"Retry-After", "WWW-Authenticate", "X-Request-ID"}),
		gorillahandlers.MaxAge(600),
	)
}

// allowedMethods lists the methods some route accepts for req's path, for
// the Allow header of a 405.
func allowedMethods(r *mux.Router, req *http.Request) []string {
	var methods []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := req.Clone(req.Context())
		probe.Method = m
		var match mux.RouteMatch
		if r.Match(probe, &match) && match.MatchErr == nil {
			methods = append(methods, m)
		}
	}
	return methods
}

// under matches the requests whose path starts with prefix.
func under(prefix string) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool { return strings.HasPrefix(r.URL.Path, prefix) }
}

// serveContract serves openapi.yaml as it is embedded in the binary.
func serveContract(spec []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(spec)
	})
}
