package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
)

type ctxKey int

const (
	keyRequest ctxKey = iota
)

// requestInfo travels with a request: filled in by the layers that know each
// part, read by the access log and the metrics when the request ends.
type requestInfo struct {
	id     string
	route  string       // the route's path template; empty when no route matched
	quiet  bool         // the route is marked quiet: a quick success is not logged
	logger *slog.Logger // the server's: requestLogger adds the request ID
}

func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(keyRequest).(*requestInfo); ok {
		return info
	}
	return &requestInfo{logger: slog.Default()}
}

// requestLogger is the request's logger, which carries its request ID. It
// is made when something is logged (rarely: the access log adds the ID
// itself), not for every request.
func (info *requestInfo) requestLogger() *slog.Logger {
	if info.id == "" {
		return info.logger
	}
	return info.logger.With(slog.String("request_id", info.id))
}

// loggerFrom is the request's logger, which carries its request ID.
func loggerFrom(ctx context.Context) *slog.Logger { return infoFrom(ctx).requestLogger() }

// maxRequestIDLength bounds an incoming X-Request-ID; longer or odd ones are replaced.
const maxRequestIDLength = 128

// validRequestID accepts the characters of UUIDs and common tracing IDs, so
// that a client cannot inject anything into logs through the header.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// observe is the outermost layer: it gives the request its ID, recovers a
// panic into a logged 500, and when the request ends records its duration
// and writes one access-log line (but for a quick success on a quiet
// route). It never logs headers, bodies or tokens. Every answer, whoever
// writes it (a handler, a problem, the router's 404 and 405, the CORS
// layer's preflights), carries its ID and nosniff: a browser must not guess
// an answer's type from its content, or a JSON string that looks like HTML
// could run as a page of this origin.
func observe(logger *slog.Logger, m *httpMetrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		w.Header().Set("X-Request-ID", id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		info := &requestInfo{id: id, logger: logger}
		r = r.WithContext(context.WithValue(r.Context(), keyRequest, info))
		rec := &statusRecorder{ResponseWriter: w}

		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				info.requestLogger().Error("panic", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				if rec.status == 0 {
					writeProblem(rec, &Error{Status: http.StatusInternalServerError, Detail: "an internal error occurred; quote the X-Request-ID header when reporting it"})
				}
			}
			elapsed := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			route := info.route
			if route == "" {
				route = "unmatched"
			}
			m.observe(route, r.Method, status, elapsed)
			if info.quiet && status < http.StatusBadRequest && elapsed < slowRequest {
				return
			}
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
				slog.Int64("bytes", rec.bytes),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// slowRequest: a request on a quiet route that takes this long is logged
// even when it succeeds (four times the heartbeat's p99 target).
const slowRequest = 100 * time.Millisecond

// quiet marks a route of very high volume, the playback heartbeat: its
// successes are counted and timed by the metrics
// (marquee_http_request_duration_seconds) but not written one by one to the
// access log; its failures and slow answers are. At a heartbeat every 10 s
// per viewer the log would otherwise hold a line per viewer every 10 s, and
// writing those lines costs the server heartbeats it could have answered.
func quiet(next handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).quiet = true
		next.ServeHTTP(w, r)
	})
}

// wellFormedQuery refuses with 400 a query string that does not parse, or
// whose names or values are not valid UTF-8 or hold NUL: the handlers read
// parameters with r.URL.Query(), which drops the pairs that do not parse
// (a mistyped ?limit=5% would quietly give the default page), and the
// database refuses such text with an error.
func wellFormedQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			if err := checkQuery(r.URL.RawQuery); err != nil {
				writeError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func checkQuery(raw string) error {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return badRequest("the query string is malformed: %s", err)
	}
	bad := func(s string) bool { return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 }
	for name, vs := range values {
		if bad(name) || slices.ContainsFunc(vs, bad) {
			return badRequest("the query string holds invalid UTF-8 or NUL")
		}
	}
	return nil
}

// routeTemplate runs inside the router, where the matched route is known.
func routeTemplate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route := mux.CurrentRoute(r); route != nil {
			if tpl, err := route.GetPathTemplate(); err == nil {
				infoFrom(r.Context()).route = tpl
			}
		}
		next.ServeHTTP(w, r)
	})
}

// varyOrigin marks every answer as depending on Origin, so that a shared
// cache never serves one origin's CORS answer to another. gorilla/handlers
// only does so when more than one origin is configured.
func varyOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status and size of an answer.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
