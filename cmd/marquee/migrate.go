package main

import (
	"context"
	"io"

	"github.com/sethvargo/go-envconfig"

	"marquee/db"
)

// migrate runs `marquee migrate [up|down|status]` (up by default).
func migrate(ctx context.Context, env envconfig.Lookuper, args []string, stdout, stderr io.Writer) error {
	command := "up"
	switch {
	case len(args) == 1:
		command = args[0]
	case len(args) > 1:
		return usageError(stderr, "migrate takes one of up, down, status")
	}
	switch command {
	case "up", "down", "status":
	default:
		return usageError(stderr, "migrate takes one of up, down, status")
	}
	cfg, err := loadDBConfig(ctx, env)
	if err != nil {
		return err
	}
	return db.Migrate(ctx, cfg.Direct(), command, stdout)
}
