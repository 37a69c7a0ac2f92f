package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

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
	name    string
	kids    bool
	maxAge  int16
	watched int // the most popular science fiction it has watched, so that its recommendations say why
}

var demoAccounts = []struct {
	email, name string
	admin       bool
	profiles    []demoProfile
}{
	{"admin@marquee.test", "Admin", true, []demoProfile{{"Admin", false, 18, 0}}},
	{"demo@marquee.test", "Demo", false, []demoProfile{{"Demo", false, 18, 5}, {"Teen", false, 13, 0}, {"Kids", true, 7, 0}}},
}

// SeedAccounts creates the demo accounts that do not exist yet, each with a
// random password returned here once; existing ones are left as they are.
// On an error it returns the accounts made before it too.
// The Demo profile has watched a few of the first `titles` demo titles (the
// catalog SeedCatalog made), so that a newcomer's recommendations say why.
func SeedAccounts(ctx context.Context, pool *db.Pool, passwords *auth.Passwords, titles int) ([]Account, error) {
	watches := playableOf(titles).byGenre["sci-fi"]
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
				pr, err := q.ProfileCreateIfRoom(ctx, db.ProfileCreateIfRoomParams{UserID: u.ID, Name: p.name, Kids: p.kids, MaxAge: p.maxAge, MaxProfiles: 5})
				if err != nil {
					return err
				}
				var hist db.HistoryInsertManyParams
				for _, t := range watches {
					if len(hist.TitleIds) == p.watched {
						break
					}
					// An admin may have deleted a demo title since the catalog was seeded.
					if ok, err := q.TitleExists(ctx, t.id); err != nil {
						return err
					} else if !ok {
						continue
					}
					hist.ProfileIds, hist.TitleIds = append(hist.ProfileIds, pr.ID), append(hist.TitleIds, t.id)
					hist.WatchedAts = append(hist.WatchedAts, time.Now().Add(-time.Duration(len(hist.TitleIds))*24*time.Hour))
				}
				if len(hist.TitleIds) == 0 {
					continue
				}
				if err := q.HistoryInsertMany(ctx, hist); err != nil {
					return err
				}
			}
			return nil
		})
		switch {
		case errors.Is(err, db.ErrConflict):
		case err != nil:
			return out, err // with the accounts made so far, whose passwords must still be shown
		default:
			acc.Password, acc.Created = password, true
		}
		out = append(out, acc)
	}
	return out, nil
}
