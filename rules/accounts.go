package rules

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"marquee/db"
)

// MaxProfiles is how many profiles an account may have (openapi.yaml,
// createProfile).
const MaxProfiles = 5

var (
	// ErrProfileLimit refuses a profile to an account that has MaxProfiles.
	ErrProfileLimit = fmt.Errorf("an account has at most %d profiles", MaxProfiles)
	// ErrLastAdmin refuses to revoke the rights of the only admin, which
	// would leave the platform with no one to administer it.
	ErrLastAdmin = errors.New("this is the last admin; make another admin first")
)

// Profile is a profile's writable fields.
type Profile struct {
	Name   string
	Kids   bool
	MaxAge int16
}

// CreateAccount makes an account with its password hash and its first
// profile, named after it, for all ages.
func CreateAccount(ctx context.Context, q *db.Queries, email, displayName, passwordHash string) (db.User, db.Profile, error) {
	u, err := q.UserCreate(ctx, db.UserCreateParams{Email: email, DisplayName: displayName})
	if err != nil {
		return u, db.Profile{}, err
	}
	if err := q.CredentialSet(ctx, db.CredentialSetParams{UserID: u.ID, PasswordHash: passwordHash}); err != nil {
		return u, db.Profile{}, err
	}
	p, err := CreateProfile(ctx, q, u.ID, Profile{Name: displayName, MaxAge: Adult})
	return u, p, err
}

// CreateProfile adds a profile to user's account unless it has MaxProfiles
// already (ErrProfileLimit). It locks the account until the caller's
// transaction ends, so that concurrent creations cannot pass the limit
// together.
func CreateProfile(ctx context.Context, q *db.Queries, user uuid.UUID, p Profile) (db.Profile, error) {
	if _, err := q.UserLock(ctx, user); err != nil {
		return db.Profile{}, err
	}
	created, err := q.ProfileCreateIfRoom(ctx, db.ProfileCreateIfRoomParams{
		UserID: user, Name: p.Name, Kids: p.Kids, MaxAge: p.MaxAge, MaxProfiles: MaxProfiles,
	})
	if errors.Is(err, db.ErrNotFound) {
		return created, ErrProfileLimit
	}
	return created, err
}

// DeleteAccount deletes user's account with everything under it, audited as
// done by the account itself (the audit log keeps its id); the last admin's
// is ErrLastAdmin, and an account that is already gone db.ErrNotFound. It
// locks the admins until the caller's transaction ends, as SetAdmin does,
// so that two admins deleting themselves, or one deleting itself while
// revoking the other, cannot leave the platform with none.
func DeleteAccount(ctx context.Context, q *db.Queries, user uuid.UUID) error {
	admins, err := q.AdminsLock(ctx)
	if err != nil {
		return err
	}
	if len(admins) == 1 && admins[0] == user {
		return ErrLastAdmin
	}
	return deleteAudited(ctx, q, &user, AccountDeleted, user, q.UserDelete)
}

// SetAdmin grants or revokes user's admin rights, audited as done by actor
// (nil: an operator at the command line); revoking the last admin's is
// ErrLastAdmin. It locks the admins until the caller's transaction ends, so
// that two admins revoking each other at once cannot both succeed.
func SetAdmin(ctx context.Context, q *db.Queries, actor *uuid.UUID, user uuid.UUID, admin bool) (db.User, error) {
	admins, err := q.AdminsLock(ctx)
	if err != nil {
		return db.User{}, err
	}
	if !admin && len(admins) == 1 && admins[0] == user {
		return db.User{}, ErrLastAdmin
	}
	updated, err := q.UserSetAdmin(ctx, db.UserSetAdminParams{ID: user, IsAdmin: admin})
	if err != nil {
		return updated, err
	}
	action := AdminRevoked
	if admin {
		action = AdminGranted
	}
	return updated, Audit(ctx, q, actor, action, user.String())
}
