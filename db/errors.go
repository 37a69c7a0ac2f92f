package db

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The errors a caller of this package can meet. Every driver error is turned
// into one of these (or left as an internal error) by translate, so that no
// caller ever inspects pgx or PostgreSQL error codes.
var (
	// ErrNotFound: the statement found no row.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique constraint refused the write (23505).
	ErrConflict = errors.New("conflict")
	// ErrMissingReference: a foreign key named a row that does not exist (23503).
	ErrMissingReference = errors.New("referenced row does not exist")
	// ErrUnavailable: the database cannot be reached or refused the connection.
	ErrUnavailable = errors.New("database unavailable")
	// ErrPoolTimeout: no connection became free within DB_POOL_TIMEOUT.
	ErrPoolTimeout = wrapped{ErrUnavailable, "timed out waiting for a database connection"}
)

type wrapped struct {
	kind error
	msg  string
}

func (w wrapped) Error() string { return w.msg }
func (w wrapped) Unwrap() error { return w.kind }

// ConstraintError is ErrConflict or ErrMissingReference together with the
// name of the constraint, so that a handler can say which field clashed.
type ConstraintError struct {
	Kind       error
	Constraint string
}

func (e *ConstraintError) Error() string { return e.Kind.Error() + " (" + e.Constraint + ")" }
func (e *ConstraintError) Unwrap() error { return e.Kind }

// translate maps a driver error onto this package's errors. Unknown errors
// pass through unchanged: they are internal errors, logged and answered 500.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &ConstraintError{Kind: ErrConflict, Constraint: pgErr.ConstraintName}
		case "23503":
			return &ConstraintError{Kind: ErrMissingReference, Constraint: pgErr.ConstraintName}
		case "57P01", "57P02", "57P03", "53300":
			// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
			return wrapped{ErrUnavailable, "database unavailable: " + pgErr.Code}
		}
		if len(pgErr.Code) == 5 && pgErr.Code[:2] == "08" { // connection exception
			return wrapped{ErrUnavailable, "database unavailable: " + pgErr.Code}
		}
		return err
	}
	if isConnectionError(err) {
		return wrapped{ErrUnavailable, "database unavailable: connection failed"}
	}
	return err
}

// isConnectionError reports a failure of the connection itself rather than
// of the statement: the server is down, restarting or unreachable.
func isConnectionError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) ||
		pgconn.SafeToRetry(err)
}
