package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"marquee/db"
	"marquee/rules"
)

// channelBody is the body of channel create and update: a channel without
// its id and favorite. In an update every field is optional. logo_url is
// raw so that an update can tell "left out" (nil: unchanged) from null (no
// logo).
type channelBody struct {
	Number  *int32          `json:"number"`
	Name    *string         `json:"name"`
	LogoURL json.RawMessage `json:"logo_url"`
	XMLTVID *string         `json:"xmltv_id"`
}

// apply merges b into base and checks every field given, naming each one
// at fault.
func (b channelBody) apply(base db.ChannelCreateParams) (db.ChannelCreateParams, error) {
	out := base
	var c checks
	if b.Number != nil {
		out.Number = *b.Number
		c.require(out.Number >= 1 && out.Number <= rules.MaxChannelNumber, "number", fmt.Sprintf("must be 1 to %d", rules.MaxChannelNumber))
	}
	if b.Name != nil {
		name, ok := text(*b.Name, 1, rules.MaxChannelName)
		c.require(ok, "name", fmt.Sprintf("must be 1 to %d characters, without control characters", rules.MaxChannelName))
		out.Name = name
	}
	if b.XMLTVID != nil {
		id, ok := text(*b.XMLTVID, 1, rules.MaxXMLTVID)
		c.require(ok, "xmltv_id", fmt.Sprintf("must be 1 to %d characters, without control characters", rules.MaxXMLTVID))
		out.XmltvID = id
	}
	if b.LogoURL != nil {
		var given *string
		if json.Unmarshal(b.LogoURL, &given) != nil {
			return out, badRequest(`field "logo_url" must be a string or null`)
		}
		logo, ok := logoURL(given)
		c.require(ok, "logo_url", fmt.Sprintf("must be an http or https URL of at most %d characters, or null", rules.MaxLogoURL))
		out.LogoUrl = logo
	}
	return out, c.err()
}

// logoURL checks a logo: none (nil), or an absolute http(s) URL.
func logoURL(given *string) (*string, bool) {
	if given == nil {
		return nil, true
	}
	logo, ok := text(*given, 1, rules.MaxLogoURL)
	u, err := url.Parse(logo)
	return &logo, ok && err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// adminChannels serves the admin writes of channels, each audited.
type adminChannels struct {
	pool *db.Pool
}

// channelWriteError words the constraint failures of a channel write.
func channelWriteError(err error) error {
	var ce *db.ConstraintError
	if errors.As(err, &ce) {
		switch ce.Constraint {
		case "channels_number_key":
			return &Error{Status: http.StatusConflict, Detail: "another channel has this number"}
		case "channels_xmltv_id_key":
			return &Error{Status: http.StatusConflict, Detail: "another channel has this xmltv_id"}
		}
	}
	if errors.Is(err, db.ErrNotFound) {
		return notFound("channel")
	}
	return err
}

func (h *adminChannels) create(w http.ResponseWriter, r *http.Request) error {
	var in channelBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var c checks
	c.require(in.Number != nil, "number", "is required")
	c.require(in.Name != nil, "name", "is required")
	c.require(in.XMLTVID != nil, "xmltv_id", "is required")
	if err := c.err(); err != nil {
		return err
	}
	fields, err := in.apply(db.ChannelCreateParams{})
	if err != nil {
		return err
	}
	var created db.Channel
	err = h.pool.InTx(r.Context(), func(q *db.Queries) error {
		var err error
		if created, err = q.ChannelCreate(r.Context(), fields); err != nil {
			return err
		}
		return rules.Audit(r.Context(), q, actor(r.Context()), rules.ChannelCreated, created.ID.String())
	})
	if err != nil {
		return channelWriteError(err)
	}
	writeJSON(w, http.StatusCreated, channelOf(created, false))
	return nil
}

func (h *adminChannels) update(w http.ResponseWriter, r *http.Request) error {
	id, err := channelFromPath(r)
	if err != nil {
		return err
	}
	var in channelBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var updated db.Channel
	err = h.pool.InTx(r.Context(), func(q *db.Queries) error {
		current, err := q.ChannelGetForUpdate(r.Context(), id)
		if err != nil {
			return err
		}
		f, err := in.apply(db.ChannelCreateParams{Number: current.Number, Name: current.Name, LogoUrl: current.LogoUrl, XmltvID: current.XmltvID})
		if err != nil {
			return err
		}
		updated, err = q.ChannelUpdate(r.Context(), db.ChannelUpdateParams{ID: id, Number: f.Number, Name: f.Name, LogoUrl: f.LogoUrl, XmltvID: f.XmltvID})
		if err != nil {
			return err
		}
		return rules.Audit(r.Context(), q, actor(r.Context()), rules.ChannelUpdated, id.String())
	})
	if err != nil {
		return channelWriteError(err)
	}
	writeJSON(w, http.StatusOK, channelOf(updated, false))
	return nil
}

// delete removes a channel with its programmes and every favourite of it.
func (h *adminChannels) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := channelFromPath(r)
	if err != nil {
		return err
	}
	return auditedDelete(w, r, h.pool, "channel", id, rules.DeleteChannel)
}
