// Package handlers is Marquee's HTTP layer: the route table, the decoding of
// requests and the writing of answers. It reaches the database only through
// db.Queries, and authorization only through the middlewares of auth: no
// handler checks who may do what.
package handlers

import (
	"log/slog"
	"net/http"
	"strings"

	gorillahandlers "github.com/gorilla/handlers"
	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"marquee/db"
)

// Deps is what the HTTP layer needs from the rest of the program.
type Deps struct {
	Logger             *slog.Logger
	Pool               *db.Pool
	Health             *Health
	Metrics            prometheus.Registerer
	CORSAllowedOrigins []string
	OpenAPI            []byte // the contract, served at /openapi.yaml
}

// router is the route table with its guarded subrouters kept at hand.
type router struct {
	*mux.Router
}

// newRouter builds every route in one table, grouped by the guard they sit behind.
func newRouter(d Deps) *router {
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeProblem(w, &Error{Status: http.StatusNotFound, Detail: "no such route"})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Allow", strings.Join(allowedMethods(r, req), ", "))
		writeProblem(w, &Error{Status: http.StatusMethodNotAllowed, Detail: "method " + req.Method + " is not allowed on this route"})
	})
	r.Use(routeTemplate)

	// Public: probes and the contract.
	r.HandleFunc("/livez", d.Health.Live).Methods(http.MethodGet)
	r.HandleFunc("/readyz", d.Health.Ready).Methods(http.MethodGet)
	r.Handle("/openapi.yaml", serveContract(d.OpenAPI)).Methods(http.MethodGet)

	return &router{Router: r}
}

// NewHandler is the whole HTTP stack: observation (request ID, access log,
// metrics, panic recovery), CORS, then the router.
func NewHandler(d Deps) http.Handler {
	return wrap(d, newRouter(d).Router)
}

func wrap(d Deps, r *mux.Router) http.Handler {
	return observe(d.Logger, newHTTPMetrics(d.Metrics), varyOrigin(cors(d.CORSAllowedOrigins)(r)))
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
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := req.Clone(req.Context())
		probe.Method = m
		var match mux.RouteMatch
		if r.Match(probe, &match) && match.MatchErr == nil {
			methods = append(methods, m)
		}
	}
	return methods
}

// serveContract serves openapi.yaml as it is embedded in the binary.
func serveContract(spec []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(spec)
	})
}
