package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/google/uuid"

	"marquee/auth"
	"marquee/db"
	"marquee/rules"
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

// demoAccounts: each account's first profile is named after it, for all
// ages (rules.CreateAccount), and has watched some of the most popular
// science fiction, so that its recommendations say why.
var demoAccounts = []struct {
	email, name string
	admin       bool
	watched     int           // by the first profile
	profiles    []demoProfile // after the first
}{
	{"admin@marquee.test", "Admin", true, 0, nil},
	{"demo@marquee.test", "Demo", false, 5, []demoProfile{{"Teen", false, 13}, {"Kids", true, rules.KidsMaxAge}}},
}

// SeedAccounts creates the demo accounts that do not exist yet, each with a
// random password returned here once; existing ones are left as they are.
// The admin is made one as `marquee promote` would, audited with no actor.
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
			u, first, err := rules.CreateAccount(ctx, q, a.email, a.name, hash)
			if err != nil {
				return err
			}
			if a.admin {
				if _, err := rules.SetAdmin(ctx, q, nil, u.ID, true); err != nil {
					return err
				}
			}
			for _, p := range a.profiles {
				if _, err := rules.CreateProfile(ctx, q, u.ID, rules.Profile{Name: p.name, Kids: p.kids, MaxAge: p.maxAge}); err != nil {
					return err
				}
			}
			return watchSome(ctx, q, first.ID, watches, a.watched)
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

// watchSome puts the first n of titles that still exist in the profile's
// history, a day apart.
func watchSome(ctx context.Context, q *db.Queries, profile uuid.UUID, titles []demoTitle, n int) error {
	var hist db.HistoryInsertManyParams
	for _, t := range titles {
		if len(hist.TitleIds) == n {
			break
		}
		// An admin may have deleted a demo title since the catalog was seeded.
		if ok, err := q.TitleExists(ctx, t.id); err != nil {
			return err
		} else if !ok {
			continue
		}
		hist.ProfileIds, hist.TitleIds = append(hist.ProfileIds, profile), append(hist.TitleIds, t.id)
		hist.WatchedAts = append(hist.WatchedAts, time.Now().Add(-time.Duration(len(hist.TitleIds))*24*time.Hour))
	}
	if len(hist.TitleIds) == 0 {
		return nil
	}
	return q.HistoryInsertMany(ctx, hist)
}
