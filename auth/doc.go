// Package auth owns who the caller is and what they may reach: the signing
// secret, access tokens, passwords, refresh sessions, the login throttles
// (of each email and of each client address), the ownership cache, and the
// middlewares that authenticate requests and guard profiles and admin
// routes (Authenticate, AuthenticateAnySession, Profile, RequireProfileOwner,
// RequireAdmin), with the parental controls: what a session narrowed to a
// profile and a locked profile allow (ProfileAccess), PINs and narrowing
// (parental.go). Its refusals
// are the errors of errors.go; it writes no answer itself, but hands every
// refusal to the function NewGuard is given.
//
// It imports db and no other package of Marquee: not handlers, which
// imports it, and not guide; it knows nothing of the catalog or the guide.
package auth
