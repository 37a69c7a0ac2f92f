package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"marquee/db"
	"marquee/handlers"
)

// backoff spaces the attempts to reach the database at startup: first,
// then twice as long each time, up to most.
type backoff struct{ first, most time.Duration }

// startupBackoff retries quickly for a database that is just starting and,
// for one that stays down, every half-minute: a fleet of waiting servers
// floods neither the log nor the database.
var startupBackoff = backoff{first: 500 * time.Millisecond, most: 30 * time.Second}

// bringUp waits for the database, applies the pending migrations and lets
// the API serve, retrying after each failure (one log line each) until it
// succeeds or ctx ends. Meanwhile health says why the server is not ready.
func bringUp(ctx context.Context, logger *slog.Logger, health *handlers.Health, migrate func(context.Context) error, retry backoff) {
	wait := retry.first
	for attempt := 1; ; attempt++ {
		why, err := startOnce(ctx, health, migrate)
		if ctx.Err() != nil {
			return
		}
		if why == "" {
			health.Started()
			logger.Info("ready", slog.Int("attempts", attempt))
			return
		}
		health.Wait(why)
		attrs := []slog.Attr{slog.String("reason", why), slog.Int("attempt", attempt), slog.Duration("retry_in", wait)}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		logger.LogAttrs(ctx, slog.LevelWarn, "database not ready", attrs...)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, retry.most)
	}
}

// startOnce makes one attempt. It returns why the server cannot serve yet
// ("" once it can), and, when the database answered but refused (a wrong
// password, a missing database, a failed migration), the error for the log:
// the reason alone says only what a probe may know.
func startOnce(ctx context.Context, health *handlers.Health, migrate func(context.Context) error) (string, error) {
	if err := health.Check(ctx); err != nil {
		if errors.Is(err, db.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			return health.Describe(err), nil
		}
		return health.Describe(err), err
	}
	health.Wait("migrating")
	if err := migrate(ctx); err != nil {
		return "migration failed", err
	}
	return "", nil
}
