package main

import (
	"context"
	"log/slog"
	"time"

	"marquee/handlers"
)

// backoff spaces the attempts to reach the database at startup: first,
// then twice as long each time, up to most.
type backoff struct{ first, most time.Duration }

// startupBackoff retries quickly for a database that is just starting, and
// every half-minute at most for one that stays down, so that a fleet of
// waiting servers neither floods the log nor the database.
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

// startOnce makes one attempt. It returns why the server cannot serve yet,
// "" once it can, and for a failed migration the error for the log (the
// reason alone says what a probe may know).
func startOnce(ctx context.Context, health *handlers.Health, migrate func(context.Context) error) (string, error) {
	if err := health.Check(ctx); err != nil {
		return health.Describe(err), nil
	}
	health.Wait("migrating")
	if err := migrate(ctx); err != nil {
		return "migration failed", err
	}
	return "", nil
}
