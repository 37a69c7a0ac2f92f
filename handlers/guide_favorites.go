package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"marquee/db"
)

// A profile's favourite channels: the routes sit behind the viewing routes'
// guard (Guard.Profile) and take the profile from it.

func (h *tvGuide) favorites(w http.ResponseWriter, r *http.Request) error {
	return servePage(w, r, h.cursors, "epg.favorites", numberKeyset{},
		func(ctx context.Context, after numberKeyset, limit int32) ([]db.Channel, error) {
			return h.pool.FavoriteList(ctx, db.FavoriteListParams{ProfileID: ownedProfile(ctx).ID, AfterNumber: after.Number, Lim: limit})
		},
		func(c db.Channel) (channel, numberKeyset) { return channelOf(c, true), numberKeyset{Number: c.Number} })
}

// channelFromPath is the {channelID} of the path; a malformed one names no
// channel.
func channelFromPath(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(mux.Vars(r)["channelID"])
	if err != nil {
		return id, notFound("channel")
	}
	return id, nil
}

func (h *tvGuide) addFavorite(w http.ResponseWriter, r *http.Request) error {
	id, err := channelFromPath(r)
	if err == nil {
		err = h.pool.FavoriteAdd(r.Context(), db.FavoriteAddParams{ProfileID: ownedProfile(r.Context()).ID, ChannelID: id})
	}
	var ce *db.ConstraintError
	if errors.As(err, &ce) && ce.Constraint == "favorite_channels_channel_id_fkey" {
		err = notFound("channel")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeFavorite answers 204 whether or not the channel was a favourite, or
// still exists: the outcome the client wants holds either way. Only an id
// that cannot be a channel's is 404, as on every channel route.
func (h *tvGuide) removeFavorite(w http.ResponseWriter, r *http.Request) error {
	id, err := channelFromPath(r)
	if err == nil {
		err = h.pool.FavoriteRemove(r.Context(), db.FavoriteRemoveParams{ProfileID: ownedProfile(r.Context()).ID, ChannelID: id})
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
