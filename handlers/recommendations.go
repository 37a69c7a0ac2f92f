package handlers

import (
	"net/http"

	"github.com/google/uuid"

	"marquee/db"
)

// Recommendation tuning: how much of everyone's viewing one request reads.
const (
	recLiked  = 20 // the profile's latest likes that seed co-occurrence
	recFanout = 25 // profiles per liked title, the latest to watch or like it
	recDepth  = 20 // titles per such profile, its latest watches
	// recBackers: the distinct other accounts whose profiles must lead from
	// a liked title to a candidate before that liked title counts for it
	// (and can be its reason, "Because you watched..."). With one, a profile
	// that watched a rare title would see another's latest watches; counting
	// profiles, an account's own profiles could stand in for the others.
	recBackers = 3
)

// recommendation is an entry of the recommendations.
type recommendation struct {
	Title  title   `json:"title"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}

// taste is what a profile has seen and what of it it liked.
type taste struct {
	seen        []uuid.UUID        // watched, rated, in progress, and the series of each
	liked       []uuid.UUID        // watched (not rated 1 or 2) or rated 4 or 5, newest first, and within max_age
	likedListed []uuid.UUID        // the same, as listed titles (an episode's series)
	watched     map[uuid.UUID]bool // which liked titles were watched (the others were rated)
}

// tasteOf sums up a profile's viewing, newest first.
func tasteOf(rows []db.RecommendationTasteRow) taste {
	// Empty, not nil: a nil slice is sent as NULL, and "<> ALL (NULL)" is never true.
	t := taste{seen: []uuid.UUID{}, liked: []uuid.UUID{}, likedListed: []uuid.UUID{}, watched: map[uuid.UUID]bool{}}
	seen := map[uuid.UUID]bool{}
	score := map[uuid.UUID]int16{}
	for _, r := range rows {
		for _, id := range []uuid.UUID{r.TitleID, r.ListedID} {
			if !seen[id] {
				seen[id] = true
				t.seen = append(t.seen, id)
			}
		}
		if r.Score > 0 {
			score[r.TitleID] = r.Score
		}
		if r.Watched {
			t.watched[r.TitleID] = true
		}
	}
	added := map[uuid.UUID]bool{}
	for _, r := range rows {
		s, rated := score[r.TitleID]
		likes := s >= 4 || t.watched[r.TitleID] && (!rated || s >= 3)
		if likes && r.Visible && !added[r.TitleID] && len(t.liked) < recLiked {
			added[r.TitleID] = true
			t.liked = append(t.liked, r.TitleID)
			t.likedListed = append(t.likedListed, r.ListedID)
		}
	}
	return t
}

// reason says in a viewer's words why a title is recommended.
func (t taste) reason(r db.RecommendationListRow) string {
	switch {
	case r.CoWeight > 0 && t.watched[r.Because]:
		return "Because you watched " + r.BecauseName
	case r.CoWeight > 0:
		return "Because you liked " + r.BecauseName
	case r.GenreN > 0:
		return "Because you like " + r.GenreName
	case r.Plays > 0:
		return "Popular now"
	}
	return "New in the catalog"
}

func (h *viewing) recommendations(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err == nil && page.cursor != "" {
		err = badRequest("recommendations come in one page of ?limit= titles: there is no cursor")
	}
	if err != nil {
		return err
	}
	p := ownedProfile(r.Context())
	rows, err := h.pool.RecommendationTaste(r.Context(), db.RecommendationTasteParams{ProfileID: p.ID, MaxAge: p.MaxAge})
	if err != nil {
		return err
	}
	t := tasteOf(rows)
	recs, err := h.pool.RecommendationList(r.Context(), db.RecommendationListParams{
		UserID: p.UserID, Liked: t.liked, LikedListed: t.likedListed, Seen: t.seen, MaxAge: p.MaxAge,
		Fanout: recFanout, Depth: recDepth, MinBackers: recBackers, Lim: int32(page.limit),
	})
	if err != nil {
		return err
	}
	out := list[recommendation]{Items: make([]recommendation, len(recs))}
	for i, rec := range recs {
		out.Items[i] = recommendation{Title: titleOf(rec.TitleDetail), Score: rec.Score, Reason: t.reason(rec)}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
