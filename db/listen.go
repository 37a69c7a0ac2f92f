package db

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// changesChannel is where the database announces changes to accounts and
// profiles (migration 00008).
const changesChannel = "marquee_auth"

// ListenChanges follows the announcements of changed or deleted accounts
// ("user") and profiles ("profile") on a connection of its own, calling
// changed for each, until ctx ends. listening(true) is called once it
// listens, listening(false) as soon as the connection is lost (changes may
// then go unannounced); it reconnects every second until it can.
func ListenChanges(ctx context.Context, conn ConnString, listening func(bool), changed func(kind string, id uuid.UUID)) {
	for ctx.Err() == nil {
		listen(ctx, conn, listening, changed)
		listening(false)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func listen(ctx context.Context, conn ConnString, listening func(bool), changed func(string, uuid.UUID)) {
	cfg, err := directConfig(conn)
	if err != nil {
		return
	}
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return
	}
	defer c.Close(context.WithoutCancel(ctx))
	if _, err := c.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return
	}
	listening(true)
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return
		}
		kind, raw, _ := strings.Cut(n.Payload, ":")
		if id, err := uuid.Parse(raw); err == nil {
			changed(kind, id)
		}
	}
}
