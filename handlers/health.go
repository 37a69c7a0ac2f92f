package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"marquee/db"
)

// Health answers the liveness and readiness probes in the IETF health check
// format (application/health+json), and holds the server's readiness: while
// it waits (for its database, for its migrations), /readyz says why and
// every route that needs the database answers 503.
type Health struct {
	check    func(context.Context) error // asks the database a trivial question
	timeout  time.Duration               // READINESS_TIMEOUT
	waiting  atomic.Pointer[string]      // why the server cannot serve yet; nil once it can
	draining atomic.Bool
}

// NewHealth makes the probes of a server that serves at once; check is
// bounded by timeout.
func NewHealth(check func(context.Context) error, timeout time.Duration) *Health {
	return &Health{check: check, timeout: timeout}
}

// Wait holds the API back until Started: /readyz answers 503 with why as
// its output, and the routes that need the database answer 503.
func (h *Health) Wait(why string) { h.waiting.Store(&why) }

// Started lets the API serve.
func (h *Health) Started() { h.waiting.Store(nil) }

// Drain makes /readyz fail from now on, so that load balancers stop sending
// traffic while in-flight requests finish.
func (h *Health) Drain() { h.draining.Store(true) }

// errStarting refuses a request that needs the database before the server
// has reached it.
var errStarting = errors.New("the service is starting; retry shortly")

// gate answers 503 until the server has started. mux applies a router's
// middlewares to each request as it matches it, so the gate decides per
// request, and once started hands back next itself: a request pays one
// atomic load and no allocation (the heartbeat route is the busiest).
func (h *Health) gate(next http.Handler) http.Handler {
	if h.waiting.Load() != nil {
		return refuseStarting
	}
	return next
}

var refuseStarting http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, errStarting)
})

type healthBody struct {
	Status string                   `json:"status"`
	Output string                   `json:"output,omitempty"`
	Checks map[string][]healthCheck `json:"checks,omitempty"`
}

type healthCheck struct {
	ComponentType string  `json:"componentType"`
	Status        string  `json:"status"`
	ObservedValue float64 `json:"observedValue"`
	ObservedUnit  string  `json:"observedUnit"`
	Time          string  `json:"time"`
	Output        string  `json:"output,omitempty"`
}

// Live answers 200 as long as the process serves HTTP; it touches nothing else.
func (h *Health) Live(w http.ResponseWriter, _ *http.Request) {
	writeHealth(w, http.StatusOK, healthBody{Status: "pass"})
}

// Ready answers 200 when the server has started and PostgreSQL answers a
// query within the timeout.
func (h *Health) Ready(w http.ResponseWriter, r *http.Request) {
	if h.draining.Load() {
		writeHealth(w, http.StatusServiceUnavailable, healthBody{Status: "fail", Output: "shutting down"})
		return
	}
	if why := h.waiting.Load(); why != nil {
		writeHealth(w, http.StatusServiceUnavailable, healthBody{Status: "fail", Output: *why})
		return
	}
	start := time.Now()
	err := h.Check(r.Context())
	c := healthCheck{
		ComponentType: "datastore",
		Status:        "pass",
		ObservedValue: float64(time.Since(start).Microseconds()) / 1000,
		ObservedUnit:  "ms",
		Time:          start.UTC().Format(time.RFC3339),
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusServiceUnavailable
		c.Status = "fail"
		c.Output = h.Describe(err)
	}
	writeHealth(w, status, healthBody{Status: c.Status, Checks: map[string][]healthCheck{"postgres:responseTime": {c}}})
}

// Check asks the database its trivial question. The question runs apart
// from the wait, so that a database that accepts connections and never
// replies still fails the check on time.
func (h *Health) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.check(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Describe says in a few words why a Check failed, never quoting the driver
// (which could name hosts or users).
func (h *Health) Describe(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, db.ErrPoolTimeout):
		return fmt.Sprintf("database unreachable: timeout after %s", h.timeout)
	case errors.Is(err, db.ErrUnavailable):
		return "database unreachable: connection failed"
	}
	return "database check failed"
}

// writeHealth sends the length too, so that a HEAD gets the very headers of
// a GET (the server drops a HEAD's body).
func writeHealth(w http.ResponseWriter, status int, body healthBody) {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(body)
	h := w.Header()
	h.Set("Content-Type", "application/health+json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
