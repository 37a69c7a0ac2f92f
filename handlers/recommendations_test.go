package handlers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"marquee/demo"
)

func recommend(t *testing.T, a *account, p profile) []recommendation {
	t.Helper()
	var out list[recommendation]
	resp := a.api.Do(http.MethodGet, profilePath(p, "/recommendations?limit=50"), nil)
	if resp.Status != http.StatusOK {
		t.Fatalf("recommendations: %d %s", resp.Status, resp.Body)
	}
	resp.JSON(t, &out)
	return out.Items
}

// watch marks titles watched for a profile.
func watch(t *testing.T, a *account, p profile, titles ...uuid.UUID) {
	t.Helper()
	for _, id := range titles {
		if resp := a.api.Do(http.MethodPost, profilePath(p, "/history"), map[string]any{"title_id": id}); resp.Status != http.StatusCreated {
			t.Fatalf("mark watched: %d %s", resp.Status, resp.Body)
		}
	}
}

func TestRecommendations_TheObviousNextTitleComesFirst(t *testing.T) {
	t.Parallel()
	f := setup(t)
	arrival := f.addTitle(t, titleSpec{name: "Arrival", genres: []string{"sci-fi"}})
	sicario := f.addTitle(t, titleSpec{name: "Sicario", genres: []string{"thriller"}})
	comedy := f.addTitle(t, titleSpec{name: "Some Comedy", genres: []string{"comedy"}})
	for i := range 8 {
		f.addTitle(t, titleSpec{name: fmt.Sprintf("Filler %d", i), genres: []string{"drama"}})
	}
	// Five viewers watched Arrival, then Sicario; three others only the comedy.
	for range 5 {
		v := f.register(t, "Fan")
		watch(t, v, v.profile, arrival, sicario)
	}
	for range 3 {
		v := f.register(t, "Other")
		watch(t, v, v.profile, comedy)
	}
	me := f.register(t, "Me")
	watch(t, me, me.profile, arrival)

	recs := recommend(t, me, me.profile)
	if len(recs) == 0 || recs[0].Title.ID != sicario || recs[0].Reason != "Because you watched Arrival" {
		t.Fatalf("first recommendation = %+v, want Sicario because of Arrival", recs)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Score > recs[i-1].Score {
			t.Fatalf("not best first: %v after %v", recs[i].Score, recs[i-1].Score)
		}
	}
	// A new profile gets what is popular.
	var fresh profile
	me.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "New"}).JSON(t, &fresh)
	recs = recommend(t, me, fresh)
	if len(recs) == 0 || recs[0].Reason != "Popular now" || (recs[0].Title.ID != arrival && recs[0].Title.ID != sicario) {
		t.Fatalf("a new profile's first recommendation = %+v, want a popular title", recs)
	}
}

// TestRecommendations_OneOtherViewerCannotBeReadBack: after watching a
// title only one or two other profiles watched, a profile is not told what
// they watched next ("Because you watched..."); once three did, it is. Nor
// do viewers reached through another of its titles vouch for the rare one.
func TestRecommendations_OneOtherViewerCannotBeReadBack(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rare := f.addTitle(t, titleSpec{name: "Rare Documentary"})
	private := f.addTitle(t, titleSpec{name: "Private Taste"})
	popular := f.addTitle(t, titleSpec{name: "Popular Film"})
	for range 2 {
		v := f.register(t, "Ordinary")
		watch(t, v, v.profile, popular, private)
	}
	spy := f.register(t, "Spy")
	watch(t, spy, spy.profile, popular, rare)
	for backers := 1; backers <= 3; backers++ {
		v := f.register(t, "Viewer")
		watch(t, v, v.profile, rare, private)
		var because bool
		for _, r := range recommend(t, spy, spy.profile) {
			because = because || r.Title.ID == private && r.Reason == "Because you watched Rare Documentary"
		}
		if because != (backers >= 3) {
			t.Errorf("with %d other viewers of both: recommended because of the rare title: %v", backers, because)
		}
	}
}

// TestRecommendations_TheDemoIsToldWhy: on the demo data of `marquee
// seed`, the demo account's Demo profile gets recommendations that say why
// ("Because you watched..."), not only what is popular.
func TestRecommendations_TheDemoIsToldWhy(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := demo.SeedCatalog(ctx, f.pool, demo.DefaultTitles, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedViewing(ctx, f.pool, demo.DefaultProfiles, demo.DefaultEvents, demo.DefaultTitles); err != nil {
		t.Fatal(err)
	}
	accounts, err := demo.SeedAccounts(ctx, f.pool, f.deps.Passwords, demo.DefaultTitles)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(accounts, func(a demo.Account) bool { return a.Email == "demo@marquee.test" })
	tokens := f.login(t, accounts[i].Email, accounts[i].Password)
	me := &account{api: f.api.As(tokens.AccessToken)}
	var profiles list[profile]
	me.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &profiles)
	d := slices.IndexFunc(profiles.Items, func(p profile) bool { return p.Name == "Demo" })
	if d < 0 {
		t.Fatalf("no Demo profile among %+v", profiles.Items)
	}
	var because []string
	for _, r := range recommend(t, me, profiles.Items[d]) {
		if strings.HasPrefix(r.Reason, "Because you watched ") {
			because = append(because, r.Title.Name)
		}
	}
	if len(because) == 0 {
		t.Fatal("the Demo profile is recommended nothing because of what it watched")
	}
	t.Logf("recommended because of what the Demo profile watched: %v", because)
}

func TestRecommendations_NewProfileOnAnUnwatchedCatalog(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "First")
	f.addTitle(t, titleSpec{name: "Only Film"})
	recs := recommend(t, a, a.profile)
	if len(recs) != 1 || recs[0].Reason != "New in the catalog" {
		t.Fatalf("recommendations = %+v", recs)
	}
	empty := setup(t)
	b := empty.register(t, "Nobody")
	if recs := recommend(t, b, b.profile); len(recs) != 0 {
		t.Fatalf("an empty catalog recommends %+v", recs)
	}
}

// TestRecommendations_NeverSeenOrAboveMaxAge: over random viewing on a
// random catalog, no profile is ever recommended a title it watched, rated,
// is watching (nor the series of such an episode), or one above its max_age.
func TestRecommendations_NeverSeenOrAboveMaxAge(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rng := rand.New(rand.NewPCG(3, 4))
	ages := []int16{0, 7, 13, 16, 18}
	genres := []string{"drama", "comedy", "action", "kids"}
	var titles []uuid.UUID
	seriesOf := map[uuid.UUID]uuid.UUID{}
	for i := range 30 {
		titles = append(titles, f.addTitle(t, titleSpec{name: fmt.Sprintf("T%d", i), minAge: ages[rng.IntN(5)], genres: []string{genres[rng.IntN(4)]}}))
	}
	for i := range 3 {
		s := f.addTitle(t, titleSpec{kind: "series", name: fmt.Sprintf("S%d", i), minAge: ages[rng.IntN(3)]})
		for e := range 3 {
			ep := f.addTitle(t, titleSpec{kind: "episode", name: "E", series: &s, season: 1, episode: int16(e + 1), minAge: 0})
			titles = append(titles, ep)
			seriesOf[ep] = s
		}
	}
	type viewer struct {
		a    *account
		p    profile
		seen map[uuid.UUID]bool
	}
	var viewers []viewer
	for i := range 6 {
		a := f.register(t, "V")
		var p profile
		a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "P", "max_age": ages[i%5]}).JSON(t, &p)
		v := viewer{a, p, map[uuid.UUID]bool{}}
		for _, id := range rng.Perm(len(titles))[:10] {
			title := titles[id]
			var status int
			switch rng.IntN(3) {
			case 0:
				status = a.api.Do(http.MethodPost, profilePath(p, "/history"), map[string]any{"title_id": title}).Status
			case 1:
				status = a.api.Do(http.MethodPut, profilePath(p, "/ratings/"+title.String()), map[string]int{"score": 1 + rng.IntN(5)}).Status
			default:
				status = a.api.Do(http.MethodPut, profilePath(p, "/bookmarks/"+title.String()), map[string]int{"position_seconds": 10}).Status
			}
			if status < 300 {
				v.seen[title] = true
				if s, ok := seriesOf[title]; ok {
					v.seen[s] = true
				}
			}
		}
		viewers = append(viewers, v)
	}
	for _, v := range viewers {
		recs := recommend(t, v.a, v.p)
		if len(recs) == 0 {
			t.Errorf("profile (max_age %d) got no recommendations", v.p.MaxAge)
		}
		for _, r := range recs {
			if v.seen[r.Title.ID] {
				t.Errorf("recommended %q, which the profile has seen", r.Title.Name)
			}
			if r.Title.MinAge > v.p.MaxAge {
				t.Errorf("recommended %q (min_age %d) to a profile with max_age %d", r.Title.Name, r.Title.MinAge, v.p.MaxAge)
			}
			if r.Title.Kind == "episode" {
				t.Errorf("recommended the episode %q", r.Title.Name)
			}
			if r.Score < 0 || r.Score > 1 || r.Reason == "" {
				t.Errorf("recommendation %+v", r)
			}
		}
	}
}

// addProfile adds a profile to account a.
func addProfile(t *testing.T, a *account, body map[string]any) profile {
	t.Helper()
	resp := a.api.Do(http.MethodPost, "/v1/profiles", body)
	if resp.Status != http.StatusCreated {
		t.Fatalf("add profile: %d %s", resp.Status, resp.Body)
	}
	var p profile
	resp.JSON(t, &p)
	return p
}

// reasons is each recommendation as "title: reason".
func reasons(recs []recommendation) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Title.Name + ": " + r.Reason
	}
	return out
}

// TestRecommendations_SiblingProfilesDoNotVouchForAnotherAccount: an
// attacker whose two other profiles watched L then C cannot learn, from
// "Because you watched L", that one other account also watched L then C,
// nor from that account's three profiles; backers are other accounts,
// counted once each. Three other accounts are enough.
func TestRecommendations_SiblingProfilesDoNotVouchForAnotherAccount(t *testing.T) {
	t.Parallel()
	f := setup(t)
	lead := f.addTitle(t, titleSpec{name: "Lead Film"})
	secret := f.addTitle(t, titleSpec{name: "Secret Film"})
	for i := range 5 {
		f.addTitle(t, titleSpec{name: fmt.Sprintf("Filler %d", i)})
	}
	attacker := f.register(t, "Attacker")
	for i := range 2 {
		sibling := addProfile(t, attacker, map[string]any{"name": fmt.Sprintf("Sibling %d", i)})
		watch(t, attacker, sibling, lead, secret)
	}
	watch(t, attacker, attacker.profile, lead)
	because := func() bool {
		t.Helper()
		recs := recommend(t, attacker, attacker.profile)
		var found bool
		for _, r := range recs {
			if strings.Contains(r.Reason, "Lead Film") {
				if r.Title.ID != secret || r.Reason != "Because you watched Lead Film" {
					t.Fatalf("unexpected reason naming the lead title: %q", reasons(recs))
				}
				found = true
			}
		}
		return found
	}

	victim := f.register(t, "Victim")
	watch(t, victim, victim.profile, lead, secret)
	if because() {
		t.Error("one other account and two of the attacker's own profiles made the secret title appear because of the lead one")
	}
	for i := range 2 {
		p := addProfile(t, victim, map[string]any{"name": fmt.Sprintf("Household %d", i)})
		watch(t, victim, p, lead, secret)
	}
	if because() {
		t.Error("one other account's three profiles made the secret title appear because of the lead one")
	}
	second := f.register(t, "Second")
	watch(t, second, second.profile, lead, secret)
	if because() {
		t.Error("two other accounts made the secret title appear because of the lead one")
	}
	third := f.register(t, "Third")
	watch(t, third, third.profile, lead, secret)
	if !because() {
		t.Errorf("three other accounts watched the lead title, then the secret one: recommended %q", reasons(recommend(t, attacker, attacker.profile)))
	}
}

// TestRecommendations_LoweredProfileIsNotToldOfTitlesAboveItsAge: a profile
// that watched an 18 title and is then lowered to 7 is never told
// "Because you watched" it, nor recommended anything above 7.
func TestRecommendations_LoweredProfileIsNotToldOfTitlesAboveItsAge(t *testing.T) {
	t.Parallel()
	f := setup(t)
	adult := f.addTitle(t, titleSpec{name: "Adult Thriller", minAge: 18, genres: []string{"thriller"}})
	cartoon := f.addTitle(t, titleSpec{name: "Cartoon", genres: []string{"kids"}})
	sequel := f.addTitle(t, titleSpec{name: "Adult Sequel", minAge: 18, genres: []string{"thriller"}})
	teen := f.addTitle(t, titleSpec{name: "Teen Drama", minAge: 13, genres: []string{"drama"}})
	for range 3 {
		v := f.register(t, "Viewer")
		watch(t, v, v.profile, adult, cartoon, sequel, teen)
	}
	a := f.register(t, "Parent")
	watch(t, a, a.profile, adult)
	if got := reasons(recommend(t, a, a.profile)); !slices.Contains(got, "Cartoon: Because you watched Adult Thriller") {
		t.Fatalf("at 18, recommended %q, want the cartoon because of the thriller", got)
	}

	if resp := a.api.Do(http.MethodPut, profilePath(a.profile, ""), map[string]any{"max_age": 7}); resp.Status != http.StatusOK {
		t.Fatalf("lower the profile: %d %s", resp.Status, resp.Body)
	}
	recs := recommend(t, a, a.profile)
	if len(recs) == 0 {
		t.Fatal("a lowered profile is recommended nothing")
	}
	for _, r := range recs {
		if strings.Contains(r.Reason, "Adult") {
			t.Errorf("a profile lowered to 7 is told %q about %q", r.Reason, r.Title.Name)
		}
		if r.Title.MinAge > 7 {
			t.Errorf("a profile lowered to 7 is recommended %q (min_age %d)", r.Title.Name, r.Title.MinAge)
		}
	}
}
