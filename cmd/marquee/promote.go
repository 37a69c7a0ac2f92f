package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sethvargo/go-envconfig"

	"marquee/auth"
	"marquee/db"
	"marquee/rules"
)

// promote runs `marquee promote EMAIL`: the account becomes an admin, and
// the audit log says so (with no actor: an operator did it).
func promote(ctx context.Context, env envconfig.Lookuper, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 {
		return usageError(stderr, "promote takes one email address")
	}
	pool, err := openDatabase(ctx, env, &DBConfig{})
	if err != nil {
		return err
	}
	defer pool.Close()
	email := auth.NormaliseEmail(args[0])
	var u db.User
	err = pool.InTx(ctx, func(q *db.Queries) error {
		var err error
		if u, err = q.UserGetByEmail(ctx, email); err != nil {
			return err
		}
		u, err = rules.SetAdmin(ctx, q, nil, u.ID, true)
		return err
	})
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no account with email %s", email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%s) is now an admin\n", u.Email, u.ID)
	return nil
}
