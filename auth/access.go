package auth

import "marquee/db"

// ProfileAccess is what a group of routes naming a profile lets two kinds
// of session do: a session narrowed to a profile (a kids device, say), and
// an account session naming a locked profile. Guard.Profile applies it once
// ownership is proven, so that a handler never sees a request its group
// does not admit.
type ProfileAccess struct {
	narrowed reach // the account's profiles a narrowed session may name
	locked   bool  // whether an account session may name a locked profile
}

// reach is the part of its account that a narrowed session may name.
type reach int

const (
	reachNone reach = iota // none: ErrAccountSessionRequired
	reachOwn               // its own profile; another gets the ownership 403
	reachAny               // any profile of its account
)

// The access of each group of profile routes.
var (
	// Viewing: a profile's viewing state (bookmarks, history, watchlist,
	// ratings, recommendations, favourite channels) and ?profile_id=. A
	// narrowed session reaches its own profile's only; a locked profile's
	// are refused to every session not narrowed to it (ErrProfileLocked).
	Viewing = ProfileAccess{narrowed: reachOwn}
	// ProfileRead: the profile itself, read. A narrowed session reads its
	// own; an account session any, locked or not.
	ProfileRead = ProfileAccess{narrowed: reachOwn, locked: true}
	// ProfileManage: changing or deleting the profile, setting or removing
	// its PIN: account sessions only.
	ProfileManage = ProfileAccess{narrowed: reachNone, locked: true}
	// ProfileSwitch: narrowing the calling session to the profile: any
	// session of the account, to any of its profiles (a locked one's PIN is
	// the route's own check).
	ProfileSwitch = ProfileAccess{narrowed: reachAny, locked: true}
)

// admit decides, once the caller's ownership of p is proven, whether the
// session of c may use p.
func (a ProfileAccess) admit(c Claims, p db.Profile) error {
	switch {
	case c.Profile == nil && p.Locked && !a.locked:
		return ErrProfileLocked
	case c.Profile == nil:
		return nil
	case a.narrowed == reachNone:
		return ErrAccountSessionRequired
	case a.narrowed == reachOwn && *c.Profile != p.ID:
		return errNotOwner
	}
	return nil
}

// notOwned is the refusal of a profile the caller does not own (or a
// malformed id): the ownership 403, the same for every such profile, except
// on a group closed to narrowed sessions, which refuses them whatever the
// profile.
func (a ProfileAccess) notOwned(c Claims) error {
	if c.Profile != nil && a.narrowed == reachNone {
		return ErrAccountSessionRequired
	}
	return errNotOwner
}
