package handlers

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"marquee/db/dbtest"
	"marquee/handlers/apitest"
)

// The parental controls through the API: profile locks, and sessions
// narrowed to one profile (a kids device).

// addProfile creates a profile of a through the API.
func (f *fixture) addProfile(t *testing.T, a *account, name string, kids bool) profile {
	t.Helper()
	resp := a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": name, "kids": kids})
	if resp.Status != http.StatusCreated {
		t.Fatalf("create profile %s: %d %s", name, resp.Status, resp.Body)
	}
	var p profile
	resp.JSON(t, &p)
	return p
}

// lock sets the PIN of a's profile p with a's account session.
func lock(t *testing.T, a *account, p profile, pin string) {
	t.Helper()
	resp := a.api.Do(http.MethodPut, profilePath(p, "/lock"), map[string]string{"pin": pin, "password": a.password})
	if resp.Status != http.StatusNoContent {
		t.Fatalf("lock %s: %d %s", p.Name, resp.Status, resp.Body)
	}
}

// narrow asks to narrow the session of token to p, with pin unless "".
func (f *fixture) narrow(token string, p profile, pin string) *apitest.Response {
	body := map[string]any{}
	if pin != "" {
		body["pin"] = pin
	}
	return f.api.As(token).Do(http.MethodPost, profilePath(p, "/session"), body)
}

// narrowedDevice signs a in on a new device and narrows that session to p
// (with pin, if p is locked): a's account as that device sees it.
func (f *fixture) narrowedDevice(t *testing.T, a *account, p profile, pin string) *account {
	t.Helper()
	pair := f.device(t, a)
	return f.narrowed(t, a, pair.AccessToken, p, pin)
}

// narrowed narrows the session of token to p and returns a's account as
// the narrowed session sees it.
func (f *fixture) narrowed(t *testing.T, a *account, token string, p profile, pin string) *account {
	t.Helper()
	resp := f.narrow(token, p, pin)
	if resp.Status != http.StatusOK {
		t.Fatalf("narrow to %s: %d %s", p.Name, resp.Status, resp.Body)
	}
	var n narrowedPair
	resp.JSON(t, &n)
	if n.ProfileID != p.ID || n.AccessToken == "" || n.RefreshToken == "" {
		t.Fatalf("narrowing answered %+v", n)
	}
	d := *a
	d.tokens, d.api, d.profile = n.tokenPair, f.api.As(n.AccessToken), p
	return &d
}

// problemOf is the status and problem type of an answer.
func problemOf(t *testing.T, resp *apitest.Response) string {
	t.Helper()
	if resp.Status < 400 {
		return http.StatusText(resp.Status)
	}
	return resp.Problem(t).Type
}

// TestParental_NarrowedKidsSessionNeverSeesOrWritesAboveItsMaxAge: a
// session narrowed to a kids profile gets the kids view of the catalog and
// the guide whether or not it names its profile (browse, search, detail,
// episodes, guide), and its writes naming an adult title are 404.
func TestParental_NarrowedKidsSessionNeverSeesOrWritesAboveItsMaxAge(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Family")
	kid := f.addProfile(t, a, "Kid", true)
	f.addTitle(t, titleSpec{name: "Bedtime Movie"})
	adult := f.addTitle(t, titleSpec{name: "Night Movie", minAge: 18})
	grim := f.addTitle(t, titleSpec{kind: "series", name: "Grim Series", minAge: 16})
	f.addTitle(t, titleSpec{kind: "episode", name: "Grim Pilot", series: &grim, season: 1, episode: 1})
	f.addGuide(t, []string{"one"}, []show{
		{channel: "one", title: "Cartoons", start: "18:00", minutes: 60},
		{channel: "one", title: "Late Thriller", start: "22:00", minutes: 90, minAge: 18},
	})
	device := f.narrowedDevice(t, a, kid, "")

	for _, q := range []string{"", "?profile_id=" + kid.ID.String()} {
		extra := "" // q, after another parameter
		if q != "" {
			extra = "&" + q[1:]
		}
		if got := names(walkList(t, device, "/v1/catalog/titles"+q)); !slices.Equal(got, []string{"Bedtime Movie"}) {
			t.Errorf("browse%s = %q, want the kids title only", q, got)
		}
		if got := names(search(t, device, "Movie", extra)); !slices.Equal(got, []string{"Bedtime Movie"}) {
			t.Errorf("search%s = %q", q, got)
		}
		if resp := device.api.Do(http.MethodGet, "/v1/catalog/titles/"+adult.String()+q, nil); resp.Status != http.StatusNotFound {
			t.Errorf("detail of an adult title%s = %d, want 404", q, resp.Status)
		}
		if resp := device.api.Do(http.MethodGet, "/v1/catalog/titles/"+grim.String()+"/episodes"+q, nil); resp.Status != http.StatusNotFound {
			t.Errorf("episodes of a 16 series%s = %d, want 404", q, resp.Status)
		}
		if got := getGuide(t, device, "17:00", "23:59", extra).titles(); !slices.Equal(got, []string{"one: Cartoons"}) {
			t.Errorf("guide%s = %q", q, got)
		}
	}
	for _, w := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPut, "/bookmarks/" + adult.String(), map[string]int{"position_seconds": 5}},
		{http.MethodPut, "/watchlist/" + adult.String(), nil},
		{http.MethodPut, "/ratings/" + adult.String(), map[string]int{"score": 5}},
		{http.MethodPost, "/history", map[string]string{"title_id": adult.String()}},
	} {
		if resp := device.api.Do(w.method, profilePath(kid, w.path), w.body); resp.Status != http.StatusNotFound {
			t.Errorf("%s %s of an adult title = %d, want 404", w.method, w.path, resp.Status)
		}
	}
	// The account's own session still sees everything without a profile.
	if got := walkList(t, a, "/v1/catalog/titles"); len(got) != 3 {
		t.Errorf("the account session browses %q", names(got))
	}
}

// TestParental_NarrowedSessionReachesOnlyItsProfile: a session narrowed to
// one profile of an admin's account cannot reach the account's other
// profile (the same 403 as another account's), change or create profiles,
// set locks or reach the administration; it reads the account and the
// picker of every profile.
func TestParental_NarrowedSessionReachesOnlyItsProfile(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.admin(t)
	stranger := f.register(t, "Stranger")
	kid := f.addProfile(t, a, "Kid", true)
	locked := f.addProfile(t, a, "Locked", false)
	lock(t, a, locked, "2468")
	device := f.narrowedDevice(t, a, kid, "")

	notOwner := stranger.api.Do(http.MethodGet, profilePath(a.profile, "/bookmarks"), nil).Body
	for _, path := range []string{
		profilePath(a.profile, ""), profilePath(a.profile, "/bookmarks"), profilePath(a.profile, "/history"),
		profilePath(locked, "/watchlist"), "/v1/catalog/titles?profile_id=" + a.profile.ID.String(),
		"/v1/epg/channels?profile_id=" + a.profile.ID.String(),
	} {
		resp := device.api.Do(http.MethodGet, path, nil)
		if resp.Status != http.StatusForbidden || string(resp.Body) != string(notOwner) {
			t.Errorf("GET %s = %d %s, want the ownership 403 %s", path, resp.Status, resp.Body, notOwner)
		}
	}
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/v1/profiles", map[string]any{"name": "Sneaky"}},
		{http.MethodPut, profilePath(kid, ""), map[string]any{"max_age": 18, "kids": false}},
		{http.MethodDelete, profilePath(kid, ""), nil},
		{http.MethodPut, profilePath(kid, "/lock"), map[string]string{"pin": "1111", "password": a.password}},
		{http.MethodDelete, profilePath(locked, "/lock"), map[string]string{"password": a.password}},
		{http.MethodGet, "/v1/admin/users", nil},
		{http.MethodGet, "/v1/admin/audit", nil},
	} {
		resp := device.api.Do(r.method, r.path, r.body)
		if got := problemOf(t, resp); resp.Status != http.StatusForbidden || got != problemAccountSessionRequired {
			t.Errorf("%s %s = %d %s, want 403 %s", r.method, r.path, resp.Status, got, problemAccountSessionRequired)
		}
	}
	if resp := device.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Errorf("GET /v1/me = %d", resp.Status)
	}
	var picker list[profile]
	device.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &picker)
	var lockedness []string
	for _, p := range picker.Items {
		lockedness = append(lockedness, p.Name+map[bool]string{true: " locked", false: ""}[p.Locked])
	}
	if want := []string{"Admin", "Kid", "Locked locked"}; !slices.Equal(lockedness, want) {
		t.Errorf("the picker = %q, want %q", lockedness, want)
	}
	var own profile
	device.api.Do(http.MethodGet, profilePath(kid, ""), nil).JSON(t, &own)
	if own.ID != kid.ID || !own.Kids || own.MaxAge != 7 {
		t.Errorf("its own profile reads %+v", own)
	}
	if resp := device.api.Do(http.MethodGet, profilePath(kid, "/bookmarks"), nil); resp.Status != http.StatusOK {
		t.Errorf("its own bookmarks = %d", resp.Status)
	}
	// Nothing was changed by the refusals.
	if got := dbtest.Count(t, f.conn, "SELECT count(*) FROM profiles WHERE user_id = $1 AND NOT kids", a.user.ID); got != 2 {
		t.Errorf("the account has %d grown-up profiles, want 2", got)
	}
}

// TestParental_TokensIssuedBeforeNarrowingAre401: narrowing spends the
// session's refresh token and the session's earlier access token is 401 at
// once, on cached routes too; presenting the spent refresh token again is
// reuse, which ends the session, narrowed tokens included.
func TestParental_TokensIssuedBeforeNarrowingAre401(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	a := f.register(t, "Before")
	kid := f.addProfile(t, a, "Kid", true)
	pair := f.device(t, a)
	before := f.api.As(pair.AccessToken)
	for range 2 { // the second is answered from the caches
		if resp := before.Do(http.MethodGet, profilePath(a.profile, "/bookmarks"), nil); resp.Status != http.StatusOK {
			t.Fatalf("before narrowing: %d", resp.Status)
		}
	}
	device := f.narrowed(t, a, pair.AccessToken, kid, "")
	for _, path := range []string{"/v1/me", profilePath(a.profile, "/bookmarks"), profilePath(kid, "/bookmarks"), "/v1/catalog/genres"} {
		if resp := before.Do(http.MethodGet, path, nil); resp.Status != http.StatusUnauthorized {
			t.Errorf("the access token from before narrowing, GET %s = %d, want 401", path, resp.Status)
		}
	}
	if resp := device.api.Do(http.MethodGet, profilePath(kid, "/bookmarks"), nil); resp.Status != http.StatusOK {
		t.Fatalf("the narrowed token = %d", resp.Status)
	}
	// The narrowed session refreshes narrowed.
	var next tokenPair
	resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{device.tokens.RefreshToken})
	resp.JSON(t, &next)
	if resp.Status != http.StatusOK {
		t.Fatalf("refresh of the narrowed session = %d", resp.Status)
	}
	if resp := f.api.As(next.AccessToken).Do(http.MethodGet, profilePath(a.profile, "/bookmarks"), nil); resp.Status != http.StatusForbidden {
		t.Fatalf("the refreshed token on another profile = %d, want 403", resp.Status)
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{pair.RefreshToken}); resp.Status != http.StatusUnauthorized {
		t.Fatalf("the refresh token spent by narrowing = %d, want 401", resp.Status)
	}
	if resp := f.api.As(next.AccessToken).Do(http.MethodGet, profilePath(kid, "/bookmarks"), nil); resp.Status != http.StatusUnauthorized {
		t.Fatalf("after reuse of a spent refresh token, the narrowed session's token = %d, want 401", resp.Status)
	}
	if resp := a.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("the account's first session = %d", resp.Status)
	}
}

// TestParental_LockedProfileRefusesTheAccountSession: once locked, a
// profile's viewing routes and ?profile_id= answer the account's session
// 403 profile-locked, at once although the caches vouched for it a moment
// before, while its management routes still serve it; a session narrowed
// to it with its PIN views it. Unlocking gives it back.
func TestParental_LockedProfileRefusesTheAccountSession(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	a := f.register(t, "Locker")
	teen := f.addProfile(t, a, "Teen", false)
	film := f.addTitle(t, titleSpec{name: "Film"})
	heartbeat := func(api *apitest.Client) *apitest.Response {
		return api.Do(http.MethodPut, profilePath(teen, "/bookmarks/"+film.String()), map[string]int{"position_seconds": 5})
	}
	for range 2 {
		if resp := heartbeat(a.api); resp.Status != http.StatusNoContent {
			t.Fatalf("heartbeat before the lock = %d", resp.Status)
		}
	}
	lock(t, a, teen, "482916")
	for _, r := range []struct {
		method, path string
	}{
		{http.MethodGet, profilePath(teen, "/bookmarks")},
		{http.MethodGet, profilePath(teen, "/recommendations")},
		{http.MethodGet, profilePath(teen, "/epg/favorites")},
		{http.MethodGet, "/v1/catalog/titles?profile_id=" + teen.ID.String()},
		{http.MethodGet, "/v1/epg/channels?profile_id=" + teen.ID.String()},
	} {
		resp := a.api.Do(r.method, r.path, nil)
		if got := problemOf(t, resp); resp.Status != http.StatusForbidden || got != problemProfileLocked {
			t.Errorf("%s %s = %d %s, want 403 %s", r.method, r.path, resp.Status, got, problemProfileLocked)
		}
	}
	if resp := heartbeat(a.api); resp.Status != http.StatusForbidden {
		t.Errorf("heartbeat after the lock = %d, want 403", resp.Status)
	}
	var p profile
	a.api.Do(http.MethodGet, profilePath(teen, ""), nil).JSON(t, &p)
	if !p.Locked {
		t.Error("the locked profile reads locked: false")
	}
	if resp := a.api.Do(http.MethodPut, profilePath(teen, ""), map[string]any{"name": "Teenager"}); resp.Status != http.StatusOK {
		t.Errorf("renaming the locked profile = %d", resp.Status)
	}
	// Its session, with the PIN.
	if resp := f.narrow(f.device(t, a).AccessToken, teen, ""); resp.Status != http.StatusUnprocessableEntity {
		t.Errorf("narrowing to a locked profile without its PIN = %d, want 422", resp.Status)
	}
	if resp := f.narrow(f.device(t, a).AccessToken, teen, "000000"); problemOf(t, resp) != problemWrongPIN {
		t.Errorf("a wrong PIN = %d %s, want 403 %s", resp.Status, resp.Body, problemWrongPIN)
	}
	device := f.narrowedDevice(t, a, teen, "482916")
	for range 2 {
		if resp := heartbeat(device.api); resp.Status != http.StatusNoContent {
			t.Fatalf("heartbeat of the narrowed session = %d", resp.Status)
		}
	}
	if resp := device.api.Do(http.MethodGet, "/v1/catalog/titles?profile_id="+teen.ID.String(), nil); resp.Status != http.StatusOK {
		t.Errorf("its catalog = %d", resp.Status)
	}
	// Unlocked: the account views it again, the narrowed session goes on.
	if resp := a.api.Do(http.MethodDelete, profilePath(teen, "/lock"), map[string]string{"password": "wrong password!"}); problemOf(t, resp) != problemWrongPassword {
		t.Errorf("unlock with a wrong password = %d %s", resp.Status, resp.Body)
	}
	if resp := a.api.Do(http.MethodDelete, profilePath(teen, "/lock"), map[string]string{"password": a.password}); resp.Status != http.StatusNoContent {
		t.Fatalf("unlock = %d %s", resp.Status, resp.Body)
	}
	if resp := heartbeat(a.api); resp.Status != http.StatusNoContent {
		t.Errorf("heartbeat of the account after unlocking = %d", resp.Status)
	}
	if resp := heartbeat(device.api); resp.Status != http.StatusNoContent {
		t.Errorf("heartbeat of the narrowed session after unlocking = %d", resp.Status)
	}
}

// TestParental_LockValidatesThePINAndChecksThePassword: a PIN is 4 to 6
// ASCII digits, else 422; a wrong password is 403 wrong-password and
// counts in the login throttle; nothing is locked by a refused request.
func TestParental_LockValidatesThePINAndChecksThePassword(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Validate")
	for _, pin := range []any{"123", "1234567", "12a4", "١٢٣٤", " 1234", "", 1234} {
		resp := a.api.Do(http.MethodPut, profilePath(a.profile, "/lock"), map[string]any{"pin": pin, "password": a.password})
		if resp.Status != http.StatusUnprocessableEntity && resp.Status != http.StatusBadRequest {
			t.Errorf("PIN %q = %d, want 422 (400 for a wrong type)", pin, resp.Status)
		}
	}
	resp := a.api.Do(http.MethodPut, profilePath(a.profile, "/lock"), map[string]any{"pin": "1234", "password": "not the password"})
	if got := problemOf(t, resp); resp.Status != http.StatusForbidden || got != problemWrongPassword {
		t.Errorf("a wrong password = %d %s, want 403 %s", resp.Status, got, problemWrongPassword)
	}
	if got := dbtest.Count(t, f.conn, "SELECT failures FROM login_failures WHERE email = $1", a.user.Email); got != 1 {
		t.Errorf("the wrong password counts %d failures for the email, want 1", got)
	}
	if got := dbtest.Count(t, f.conn, "SELECT count(*) FROM profiles WHERE locked"); got != 0 {
		t.Errorf("%d profiles locked by refused requests", got)
	}
	for _, pin := range []string{"0000", "987654"} {
		lock(t, a, a.profile, pin)
	}
}

// TestParental_PINThrottleLocksAndReleases: five wrong PINs for a profile
// within 15 minutes, and the next attempt, even with the right PIN, is 429
// with Retry-After and costs no PIN check; once the oldest failure is 15
// minutes old (the test moves the recorded times back, as the clock
// would), the right PIN narrows. Another profile is not affected.
func TestParental_PINThrottleLocksAndReleases(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Throttle")
	kid := f.addProfile(t, a, "Kid", true)
	other := f.addProfile(t, a, "Other", false)
	lock(t, a, kid, "1357")
	lock(t, a, other, "2468")
	token := a.tokens.AccessToken
	for i := range 5 {
		if resp := f.narrow(token, kid, "0000"); resp.Status != http.StatusForbidden || problemOf(t, resp) != problemWrongPIN {
			t.Fatalf("wrong PIN %d = %d %s", i+1, resp.Status, resp.Body)
		}
	}
	resp := f.narrow(token, kid, "1357")
	if resp.Status != http.StatusTooManyRequests {
		t.Fatalf("the right PIN after five wrong ones = %d, want 429", resp.Status)
	}
	if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" || len(ra) > 3 {
		t.Errorf("Retry-After %q, want 1..900 seconds", ra)
	}
	if got := dbtest.Count(t, f.conn, "SELECT cardinality(attempts) FROM profile_pin_failures WHERE profile_id = $1", kid.ID); got != 5 {
		t.Errorf("%d attempts recorded, want the 5 wrong ones: a throttled attempt is not counted", got)
	}
	// The other profile's PIN is its own.
	f.narrowedDevice(t, a, other, "2468")
	// Fifteen minutes later.
	dbtest.Exec(t, f.conn, `UPDATE profile_pin_failures
		SET attempts = ARRAY(SELECT x - interval '15 minutes' FROM unnest(attempts) x ORDER BY 1)
		WHERE profile_id = $1`, kid.ID)
	device := f.narrowed(t, a, token, kid, "1357")
	if resp := device.api.Do(http.MethodGet, profilePath(kid, "/bookmarks"), nil); resp.Status != http.StatusOK {
		t.Fatalf("the narrowed session = %d", resp.Status)
	}
}

// TestParental_SwitchingBetweenProfiles: a narrowed session switches to
// another unlocked profile of its account and stays narrowed (to that
// one); a locked one needs its PIN; another account's profile is the
// ownership 403.
func TestParental_SwitchingBetweenProfiles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Switch")
	stranger := f.register(t, "Stranger")
	kid := f.addProfile(t, a, "Kid", true)
	sibling := f.addProfile(t, a, "Sibling", true)
	parent := f.addProfile(t, a, "Parent", false)
	lock(t, a, parent, "9753")
	device := f.narrowedDevice(t, a, kid, "")
	switched := f.narrowed(t, a, device.tokens.AccessToken, sibling, "")
	if resp := switched.api.Do(http.MethodGet, profilePath(sibling, "/bookmarks"), nil); resp.Status != http.StatusOK {
		t.Errorf("the switched session on its profile = %d", resp.Status)
	}
	if resp := switched.api.Do(http.MethodGet, profilePath(kid, "/bookmarks"), nil); resp.Status != http.StatusForbidden {
		t.Errorf("the switched session on its former profile = %d, want 403", resp.Status)
	}
	if resp := switched.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "X"}); problemOf(t, resp) != problemAccountSessionRequired {
		t.Errorf("the switched session is not narrowed: POST /v1/profiles = %d", resp.Status)
	}
	if resp := device.api.Do(http.MethodGet, profilePath(kid, "/bookmarks"), nil); resp.Status != http.StatusUnauthorized {
		t.Errorf("the token from before the switch = %d, want 401", resp.Status)
	}
	if resp := f.narrow(switched.tokens.AccessToken, parent, ""); resp.Status != http.StatusUnprocessableEntity {
		t.Errorf("switching to a locked profile without its PIN = %d, want 422", resp.Status)
	}
	if resp := f.narrow(switched.tokens.AccessToken, parent, "1111"); problemOf(t, resp) != problemWrongPIN {
		t.Errorf("switching to a locked profile with a wrong PIN = %d %s", resp.Status, resp.Body)
	}
	if resp := f.narrow(switched.tokens.AccessToken, stranger.profile, ""); resp.Status != http.StatusForbidden || problemOf(t, resp) != "about:blank" {
		t.Errorf("switching to another account's profile = %d %s, want the ownership 403", resp.Status, resp.Body)
	}
	grown := f.narrowed(t, a, switched.tokens.AccessToken, parent, "9753")
	if resp := grown.api.Do(http.MethodGet, profilePath(parent, "/bookmarks"), nil); resp.Status != http.StatusOK {
		t.Errorf("the session switched to the locked profile = %d", resp.Status)
	}
}

// TestParental_SettingAPINEndsTheSessionsNarrowedToIt: a PIN set or changed
// on a profile ends the sessions narrowed to it (access and refresh tokens
// 401 at once), not those narrowed to another profile nor the account's.
func TestParental_SettingAPINEndsTheSessionsNarrowedToIt(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	a := f.register(t, "Pins")
	kid := f.addProfile(t, a, "Kid", true)
	other := f.addProfile(t, a, "Other", true)
	for _, pin := range []string{"", "1234"} { // setting, then changing
		onKid := f.narrowedDevice(t, a, kid, pin)
		onOther := f.narrowedDevice(t, a, other, "")
		for _, d := range []*account{onKid, onOther} {
			for range 2 {
				if resp := d.api.Do(http.MethodGet, profilePath(d.profile, "/bookmarks"), nil); resp.Status != http.StatusOK {
					t.Fatalf("before the PIN: %d", resp.Status)
				}
			}
		}
		lock(t, a, kid, map[string]string{"": "1234", "1234": "5678"}[pin])
		if resp := onKid.api.Do(http.MethodGet, profilePath(kid, "/bookmarks"), nil); resp.Status != http.StatusUnauthorized {
			t.Errorf("PIN %q → new: the session narrowed to the profile = %d, want 401", pin, resp.Status)
		}
		if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{onKid.tokens.RefreshToken}); resp.Status != http.StatusUnauthorized {
			t.Errorf("PIN %q → new: its refresh token = %d, want 401", pin, resp.Status)
		}
		if resp := onOther.api.Do(http.MethodGet, profilePath(other, "/bookmarks"), nil); resp.Status != http.StatusOK {
			t.Errorf("PIN %q → new: the session narrowed to another profile = %d", pin, resp.Status)
		}
	}
	if resp := a.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Errorf("the account session = %d", resp.Status)
	}
}

// TestParental_DeletingAProfileEndsItsNarrowedSessions: the sessions
// narrowed to a deleted (locked) profile end with it, and so does its PIN;
// they cannot widen to the account.
func TestParental_DeletingAProfileEndsItsNarrowedSessions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	a := f.register(t, "Deleter")
	kid := f.addProfile(t, a, "Kid", true)
	lock(t, a, kid, "1029")
	device := f.narrowedDevice(t, a, kid, "1029")
	for range 2 {
		device.api.Do(http.MethodGet, profilePath(kid, "/bookmarks"), nil)
	}
	if resp := a.api.Do(http.MethodDelete, profilePath(kid, ""), nil); resp.Status != http.StatusNoContent {
		t.Fatalf("delete = %d", resp.Status)
	}
	for _, path := range []string{"/v1/me", "/v1/profiles", "/v1/catalog/titles", profilePath(a.profile, "/bookmarks")} {
		if resp := device.api.Do(http.MethodGet, path, nil); resp.Status != http.StatusUnauthorized {
			t.Errorf("GET %s with the deleted profile's session = %d, want 401", path, resp.Status)
		}
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{device.tokens.RefreshToken}); resp.Status != http.StatusUnauthorized {
		t.Errorf("its refresh token = %d, want 401", resp.Status)
	}
	if got := dbtest.Count(t, f.conn, "SELECT count(*) FROM sessions WHERE user_id = $1", a.user.ID); got != 1 {
		t.Errorf("%d sessions left, want the account's own", got)
	}
	if got := dbtest.Count(t, f.conn, "SELECT count(*) FROM profile_pins WHERE profile_id = $1", kid.ID); got != 0 {
		t.Errorf("the deleted profile's PIN is still stored")
	}
}

// TestParental_PINStoredOnlyAsAHash: the PIN is nowhere in the database but
// as an argon2id hash in profile_pins, and no answer carries it.
func TestParental_PINStoredOnlyAsAHash(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Hash")
	const pin = "730519"
	lock(t, a, a.profile, pin)
	hashes := dbtest.Strings(t, f.conn, "SELECT pin_hash FROM profile_pins WHERE profile_id = $1", a.profile.ID)
	if len(hashes) != 1 || !strings.HasPrefix(hashes[0], "$argon2id$") || strings.Contains(hashes[0], pin) {
		t.Fatalf("stored %q, want one argon2id hash", hashes)
	}
	dump := strings.ReplaceAll(dbtest.Snapshot(t, f.conn), hashes[0], "")
	if strings.Contains(dump, pin) {
		t.Fatal("the PIN is stored in clear")
	}
	body := a.api.Do(http.MethodGet, "/v1/profiles", nil).Body
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil || strings.Contains(string(body), "argon2") || strings.Contains(string(body), pin) {
		t.Fatalf("the picker shows %s", body)
	}
}
