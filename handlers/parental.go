package handlers

import (
	"net/http"
	"unicode/utf8"

	"github.com/google/uuid"

	"marquee/auth"
)

// parental serves profile locks and the sessions narrowed to a profile.
// Who may call each route is the guards' business (router.go): the lock
// routes take account sessions only, narrowing any session of the account.
type parental struct {
	sessions *auth.Sessions
	cache    *auth.OwnershipCache // told of this instance's own lock changes at once
	addrs    *clientAddrs
}

// A PIN is 4 to 6 ASCII digits.
const (
	minPIN = 4
	maxPIN = 6
)

func validPIN(pin string) bool {
	if len(pin) < minPIN || len(pin) > maxPIN {
		return false
	}
	for i := range len(pin) {
		if pin[i] < '0' || pin[i] > '9' {
			return false
		}
	}
	return true
}

// password checks a field that will be compared with the account's
// password: none longer than any account can have.
func (c *checks) password(field, pw string) {
	c.require(pw != "" && utf8.RuneCountInString(pw) <= maxPassword, field, "is required: the account's password")
}

func (h *parental) lock(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PIN      string `json:"pin"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var c checks
	c.require(validPIN(in.PIN), "pin", "must be 4 to 6 digits (0-9)")
	c.password("password", in.Password)
	if err := c.err(); err != nil {
		return err
	}
	p := ownedProfile(r.Context())
	err := h.sessions.SetPIN(r.Context(), h.addrs.of(r), caller(r.Context()), p, in.Password, in.PIN)
	h.cache.ForgetProfile(p.ID)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *parental) unlock(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var c checks
	c.password("password", in.Password)
	if err := c.err(); err != nil {
		return err
	}
	p := ownedProfile(r.Context())
	err := h.sessions.RemovePIN(r.Context(), h.addrs.of(r), caller(r.Context()), p, in.Password)
	h.cache.ForgetProfile(p.ID)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// narrowedPair is the answer of narrowing: a token pair, like login's, and
// the profile it is narrowed to.
type narrowedPair struct {
	tokenPair
	ProfileID uuid.UUID `json:"profile_id"`
}

// narrow narrows the calling session to the profile of the path.
func (h *parental) narrow(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PIN *string `json:"pin"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p := ownedProfile(r.Context())
	var c checks
	c.require(in.PIN == nil || validPIN(*in.PIN), "pin", "must be 4 to 6 digits (0-9)")
	c.require(in.PIN != nil || !p.Locked, "pin", "is required: the profile is locked")
	if err := c.err(); err != nil {
		return err
	}
	var pin string
	if in.PIN != nil {
		pin = *in.PIN
	}
	claims, _ := auth.ClaimsFrom(r.Context())
	pair, err := h.sessions.Narrow(r.Context(), claims, p, pin)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, narrowedPair{tokenPairOf(pair), p.ID})
	return nil
}
