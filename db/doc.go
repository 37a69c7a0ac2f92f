// Package db owns Marquee's access to PostgreSQL: the queries that sqlc
// generates from queries/*.sql (never edited by hand), the connection pool
// and its transactions, the readiness probe, the migrations of schema, the
// translation of driver errors into this package's errors (errors.go), the
// heartbeat writer's group commit, and the listener of the change
// announcements.
//
// It is the only package of the service that imports the driver (pgx):
// callers meet its errors, never pgx's. It imports schema and no other
// package of Marquee: no HTTP, no auth, no handlers.
package db
