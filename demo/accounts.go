package demo

import (
	"context"
	"crypto/rand"
	"errors"

	"marquee/auth"
	"marquee/db"
)

// Account is a demo account; Password is known only when Seed created it.
type Account struct {
	Email    string
	Password string
	Admin    bool
	Created  bool
}

type demoProfile struct {
	name   string
	kids   bool
	maxAge int16
}

var demoAccounts = []struct {
	email, name string
	admin       bool
	profiles    []demoProfile
}{
	{"admin@marquee.test", "Admin", true, []demoProfile{{"Admin", false, 18}}},
	{"demo@marquee.test", "Demo", false, []demoProfile{{"Demo", false, 18}, {"Teen", false, 13}, {"Kids", true, 7}}},
}

// SeedAccounts creates the demo accounts that do not exist yet, each with a
// random password returned here once; existing ones are left as they are.
func SeedAccounts(ctx context.Context, pool *db.Pool, passwords *auth.Passwords) ([]Account, error) {
	var out []Account
	for _, a := range demoAccounts {
		acc := Account{Email: a.email, Admin: a.admin}
		password := rand.Text()
		hash, err := passwords.Hash(ctx, password)
		if err != nil {
			return nil, err
		}
		err = pool.InTx(ctx, func(q *db.Queries) error {
			u, err := q.UserCreate(ctx, db.UserCreateParams{Email: a.email, DisplayName: a.name})
			if err != nil {
				return err
			}
			if err := q.CredentialSet(ctx, db.CredentialSetParams{UserID: u.ID, PasswordHash: hash}); err != nil {
				return err
			}
			if a.admin {
				if _, err := q.UserSetAdmin(ctx, db.UserSetAdminParams{ID: u.ID, IsAdmin: true}); err != nil {
					return err
				}
			}
			for _, p := range a.profiles {
				_, err := q.ProfileCreateIfRoom(ctx, db.ProfileCreateIfRoomParams{UserID: u.ID, Name: p.name, Kids: p.kids, MaxAge: p.maxAge, MaxProfiles: 5})
				if err != nil {
					return err
				}
			}
			return nil
		})
		switch {
		case errors.Is(err, db.ErrConflict):
		case err != nil:
			return nil, err
		default:
			acc.Password, acc.Created = password, true
		}
		out = append(out, acc)
	}
	return out, nil
}
