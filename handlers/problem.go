package handlers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"marquee/auth"
	"marquee/db"
	"marquee/guide"
	"marquee/guide/xmltv"
	"marquee/rules"
)

// Error is an answer meant for the client: its status, a detail a person can
// act on, and for validation errors the fields at fault. Any other error a
// handler returns is an internal error: logged, and answered with a bare 500.
type Error struct {
	Status     int
	Type       string // a problem type of the contract's (problemWrongPassword ...); else about:blank
	Detail     string
	Fields     []FieldError
	RetryAfter int // seconds; sent as Retry-After when positive
	challenge  string
}

// challenge is the WWW-Authenticate header of a 401 (RFC 6750): it says
// invalid_token when a token was presented and refused.
func challenge(err error) string {
	if errors.Is(err, auth.ErrInvalidToken) {
		return `Bearer realm="marquee", error="invalid_token"`
	}
	return `Bearer realm="marquee"`
}

// FieldError names one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Detail) }

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Detail: fmt.Sprintf(format, args...)}
}

func notFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Detail: what + " not found"}
}

// invalid is a 422 listing every field at fault.
func invalid(fields ...FieldError) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Detail: "the request has invalid values", Fields: fields}
}

// The problem types that let clients tell apart cases sharing a status
// (relative URIs, as RFC 9457 allows); every other problem is about:blank.
const (
	problemWrongPassword          = "/problems/wrong-password"
	problemWrongPIN               = "/problems/wrong-pin"
	problemProfileLocked          = "/problems/profile-locked"
	problemAccountSessionRequired = "/problems/account-session-required"
)

// problem is an RFC 9457 problem details body.
type problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// Seconds a client should wait before retrying when the database is down
// (or not yet reached) or the pool is exhausted.
const (
	retryUnavailable = 5
	retryPoolTimeout = 1
)

// statusClientClosed is logged (never seen by anyone) when the client went
// away before its answer was ready.
const statusClientClosed = 499

// writeError is the one place where an error becomes an HTTP answer.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := apiError(err)
	if e == nil {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			w.WriteHeader(statusClientClosed)
			return
		}
		loggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelError, "internal error", slog.String("error", err.Error()))
		e = &Error{Status: http.StatusInternalServerError, Detail: "an internal error occurred; quote the X-Request-ID header when reporting it"}
	}
	writeProblem(w, e)
}

// handlerFunc is a handler that returns its error rather than writing it:
// ServeHTTP writes it through writeError, so that the mapping from error to
// answer lives in one place and a forgotten return cannot answer twice. A
// handler returns an error only before it has written anything.
type handlerFunc func(http.ResponseWriter, *http.Request) error

func (fn handlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := fn(w, r); err != nil {
		writeError(w, r, err)
	}
}

// apiError maps the errors of the packages below onto client answers, or nil
// for an internal error.
func apiError(err error) *Error {
	var (
		e         *Error
		throttled *auth.ThrottledError
		overLimit *http.MaxBytesError
		document  *xmltv.SyntaxError
		badGuide  *guide.InvalidError
	)
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &overLimit):
		return tooLarge(overLimit.Limit)
	case errors.As(err, &document) && errors.Is(err, xmltv.ErrTooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Detail: documentFault(document)}
	case errors.As(err, &document):
		return badRequest("%s", documentFault(document))
	case errors.As(err, &badGuide):
		return &Error{Status: http.StatusUnprocessableEntity, Detail: badGuide.Msg}
	case errors.Is(err, auth.ErrUnauthenticated):
		return &Error{Status: http.StatusUnauthorized, Detail: err.Error(), challenge: challenge(err)}
	case errors.Is(err, auth.ErrWrongPassword):
		return &Error{Status: http.StatusForbidden, Type: problemWrongPassword, Detail: err.Error()}
	case errors.Is(err, auth.ErrWrongPIN):
		return &Error{Status: http.StatusForbidden, Type: problemWrongPIN, Detail: err.Error()}
	case errors.Is(err, auth.ErrProfileLocked):
		return &Error{Status: http.StatusForbidden, Type: problemProfileLocked, Detail: err.Error()}
	case errors.Is(err, auth.ErrAccountSessionRequired):
		return &Error{Status: http.StatusForbidden, Type: problemAccountSessionRequired, Detail: err.Error()}
	case errors.Is(err, auth.ErrForbidden):
		return &Error{Status: http.StatusForbidden, Detail: err.Error()}
	case errors.Is(err, auth.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, rules.ErrProfileLimit):
		return &Error{Status: http.StatusConflict, Detail: rules.ErrProfileLimit.Error()}
	case errors.Is(err, rules.ErrLastAdmin):
		return &Error{Status: http.StatusConflict, Detail: rules.ErrLastAdmin.Error()}
	case errors.As(err, &throttled):
		return &Error{Status: http.StatusTooManyRequests, Detail: throttled.Error(), RetryAfter: max(1, int(math.Ceil(throttled.RetryAfter.Seconds())))}
	case errors.Is(err, auth.ErrBusy):
		return &Error{Status: http.StatusServiceUnavailable, Detail: err.Error(), RetryAfter: retryPoolTimeout}
	case errors.Is(err, db.ErrPoolTimeout):
		return &Error{Status: http.StatusServiceUnavailable, Detail: "the service is busy; retry shortly", RetryAfter: retryPoolTimeout}
	case errors.Is(err, db.ErrUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Detail: "the database is unavailable; retry shortly", RetryAfter: retryUnavailable}
	case errors.Is(err, errStarting):
		return &Error{Status: http.StatusServiceUnavailable, Detail: errStarting.Error(), RetryAfter: retryUnavailable}
	case errors.Is(err, db.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Detail: "not found"}
	case errors.Is(err, db.ErrMissingReference):
		// What the request names was deleted while it ran.
		return &Error{Status: http.StatusNotFound, Detail: "not found: it was just deleted"}
	case errors.Is(err, db.ErrConflict):
		return &Error{Status: http.StatusConflict, Detail: "conflicts with an existing resource"}
	}
	return nil
}

// documentFault says where an XMLTV document broke, for whoever uploaded it.
func documentFault(e *xmltv.SyntaxError) string {
	return fmt.Sprintf("the XMLTV document is refused at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func writeProblem(w http.ResponseWriter, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if e.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", cmp.Or(e.challenge, `Bearer realm="marquee"`))
	}
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(problem{
		Type:   cmp.Or(e.Type, "about:blank"),
		Title:  http.StatusText(e.Status),
		Status: e.Status,
		Detail: e.Detail,
		Errors: e.Fields,
	})
}
