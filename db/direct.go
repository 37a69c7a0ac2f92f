package db

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// directConnectTimeout bounds the setup of the connections this package
// opens outside the pool (migrations, LISTEN) when the connection string
// sets no connect_timeout: against a server that drops packets, a connect
// would otherwise wait as long as the kernel retries (minutes), and a
// server starting before its database would not notice the database back.
const directConnectTimeout = 10 * time.Second

// directConfig parses conn for a connection outside the pool.
func directConfig(conn ConnString) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(conn.Value())
	if err != nil {
		// pgx quotes the connection string in some parse errors: never pass them on.
		return nil, errors.New("not a valid PostgreSQL connection string")
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = directConnectTimeout
	}
	return cfg, nil
}
