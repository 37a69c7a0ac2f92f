package handlers

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"marquee/auth"
	"marquee/db"
	"marquee/rules"
)

// profiles serves the caller's viewing profiles.
type profiles struct {
	pool    *db.Pool
	cache   *auth.OwnershipCache // told of this instance's own profile writes at once
	cursors cursors
}

// profile is the API's view of a profile.
type profile struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Kids      bool      `json:"kids"`
	MaxAge    int16     `json:"max_age"`
	Locked    bool      `json:"locked"`
	CreatedAt time.Time `json:"created_at"`
}

func profileOf(p db.Profile) profile {
	return profile{ID: p.ID, Name: p.Name, Kids: p.Kids, MaxAge: p.MaxAge, Locked: p.Locked, CreatedAt: p.CreatedAt.UTC()}
}

// profileBody is the body of create and update; every field is optional in
// an update.
type profileBody struct {
	Name   *string `json:"name"`
	Kids   *bool   `json:"kids"`
	MaxAge *int16  `json:"max_age"`
}

// apply merges body into base and checks the result: a name of 1 to 100
// characters, max_age one of the maturity levels, a kids profile at most
// rules.KidsMaxAge. A profile becoming a kids one without a max_age gets
// rules.KidsMaxAge.
func (b profileBody) apply(base rules.Profile) (rules.Profile, error) {
	out := base
	var c checks
	if b.Name != nil {
		name, ok := text(*b.Name, 1, maxDisplayName)
		c.require(ok, "name", "must be 1 to 100 characters, without control characters")
		out.Name = name
	}
	if b.Kids != nil {
		out.Kids = *b.Kids
	}
	if b.MaxAge != nil {
		out.MaxAge = *b.MaxAge
		c.maturity("max_age", out.MaxAge)
	} else if out.Kids && out.MaxAge > rules.KidsMaxAge {
		out.MaxAge = rules.KidsMaxAge
	}
	c.require(!out.Kids || out.MaxAge <= rules.KidsMaxAge, "max_age", fmt.Sprintf("a kids profile has max_age 0 or %d", rules.KidsMaxAge))
	return out, c.err()
}

func (h *profiles) list(w http.ResponseWriter, r *http.Request) error {
	return serveAll(w, r, h.cursors, "profiles", func(ctx context.Context) ([]db.Profile, error) {
		return h.pool.ProfileListByUser(ctx, caller(ctx).ID)
	}, profileOf)
}

func (h *profiles) create(w http.ResponseWriter, r *http.Request) error {
	var in profileBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return invalid(FieldError{Field: "name", Message: "is required"})
	}
	fields, err := in.apply(rules.Profile{MaxAge: rules.Adult})
	if err != nil {
		return err
	}
	var created db.Profile
	err = h.pool.InTx(r.Context(), func(q *db.Queries) error {
		var err error
		created, err = rules.CreateProfile(r.Context(), q, caller(r.Context()).ID, fields)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, profileOf(created))
	return nil
}

func (h *profiles) get(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, profileOf(ownedProfile(r.Context())))
	return nil
}

func (h *profiles) update(w http.ResponseWriter, r *http.Request) error {
	var in profileBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p := ownedProfile(r.Context())
	fields, err := in.apply(rules.Profile{Name: p.Name, Kids: p.Kids, MaxAge: p.MaxAge})
	if err != nil {
		return err
	}
	updated, err := h.pool.ProfileUpdate(r.Context(), db.ProfileUpdateParams{
		ID: p.ID, UserID: p.UserID, Name: fields.Name, Kids: fields.Kids, MaxAge: fields.MaxAge,
	})
	h.cache.ForgetProfile(p.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, profileOf(updated))
	return nil
}

func (h *profiles) delete(w http.ResponseWriter, r *http.Request) error {
	p := ownedProfile(r.Context())
	err := h.pool.ProfileDelete(r.Context(), db.ProfileDeleteParams{ID: p.ID, UserID: p.UserID})
	h.cache.ForgetProfile(p.ID)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ownedProfile is the profile a profile guard (Guard.Profile,
// RequireProfileOwner) checked; the router only sends requests to handlers
// that call it from behind one.
func ownedProfile(ctx context.Context) db.Profile {
	p, ok := auth.ProfileFrom(ctx)
	if !ok {
		panic("handlers: no checked profile: route registered outside a profile guard")
	}
	return p
}
