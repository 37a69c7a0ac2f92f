package handlers

import (
	"net/http"

	"marquee/db"
	"marquee/guide"
	"marquee/guide/xmltv"
	"marquee/rules"
)

// adminGuide serves the XMLTV import of the guide.
type adminGuide struct {
	pool     *db.Pool
	xmltv    xmltv.Options // EPG_LANG, EPG_UNRATED_MIN_AGE
	maxBytes int64         // maxXMLBytes
}

// importAnswer is what an import did (see guide.Counts).
type importAnswer struct {
	Channels   int `json:"channels"`
	Programmes int `json:"programmes"`
	Skipped    int `json:"skipped"`
}

// importXMLTV streams the uploaded document into the guide in one
// transaction, audited; a malformed or hostile one changes nothing.
func (h *adminGuide) importXMLTV(w http.ResponseWriter, r *http.Request) error {
	body, err := xmlBody(w, r, h.maxBytes)
	if err != nil {
		return err
	}
	counts, err := guide.Import(r.Context(), h.pool, guide.XMLTV(body, h.xmltv), func(q *db.Queries) error {
		return rules.Audit(r.Context(), q, actor(r.Context()), rules.GuideImported, rules.GuideSourceXMLTV)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, importAnswer{Channels: counts.Channels, Programmes: counts.Programmes, Skipped: counts.Skipped})
	return nil
}
