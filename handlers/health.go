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
// format (application/health+json).
type Health struct {
	check    func(context.Context) error // asks the database a trivial question
	timeout  time.Duration               // READINESS_TIMEOUT
	draining atomic.Bool
}

// NewHealth makes the probes; check is bounded by timeout.
func NewHealth(check func(context.Context) error, timeout time.Duration) *Health {
	return &Health{check: check, timeout: timeout}
}

// Drain makes /readyz fail from now on, so that load balancers stop sending
// traffic while in-flight requests finish.
func (h *Health) Drain() { h.draining.Store(true) }

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

// Ready answers 200 when PostgreSQL answers a query within the timeout. The
// check runs apart from the answer, so that a database that accepts
// connections and never replies still gets a 503 on time.
func (h *Health) Ready(w http.ResponseWriter, r *http.Request) {
	if h.draining.Load() {
		writeHealth(w, http.StatusServiceUnavailable, healthBody{Status: "fail", Output: "shutting down"})
		return
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.check(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}

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
		c.Output = h.describe(err)
	}
	writeHealth(w, status, healthBody{Status: c.Status, Checks: map[string][]healthCheck{"postgres:responseTime": {c}}})
}

// describe says what went wrong in a few words, never quoting the driver
// (which could name hosts or users).
func (h *Health) describe(err error) string {
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
