package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"marquee/auth"
	"marquee/db/dbtest"
)

func TestGenerate_DemoCatalogCoversKindsGenresAndEveryAge(t *testing.T) {
	t.Parallel()
	kinds, genres, ages := map[string]int{}, map[string]bool{}, map[int16]bool{}
	ids := map[string]bool{}
	for i := range DefaultTitles {
		ti := generate(i)
		kinds[ti.kind]++
		ages[ti.minAge] = true
		for _, g := range ti.genres {
			genres[g] = true
		}
		if ids[ti.id.String()] {
			t.Fatalf("title %d repeats an id", i)
		}
		ids[ti.id.String()] = true
		if ti.kind == "episode" && generate(i-int(ti.number)-int(ti.season-1)*perSeason).id != ti.series {
			t.Fatalf("episode %d does not follow its series", i)
		}
		if g := generate(i); g.name != ti.name || g.minAge != ti.minAge {
			t.Fatalf("title %d differs between two generations", i)
		}
	}
	if DefaultTitles < 2000 || kinds["movie"] == 0 || kinds["series"] == 0 || kinds["episode"] < kinds["series"]*seasons*perSeason {
		t.Fatalf("kinds %v", kinds)
	}
	if len(genres) != len(allGenres) {
		t.Fatalf("genres used: %v", genres)
	}
	for _, age := range []int16{0, 7, 13, 16, 18} {
		if !ages[age] {
			t.Fatalf("no title with min_age %d", age)
		}
	}
}

func TestSeed_IdempotentAndPrefixOfLargerCatalogs(t *testing.T) {
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	ctx := context.Background()
	if added, err := SeedCatalog(ctx, pool, 130, nil); err != nil || added != 130 {
		t.Fatalf("first seed: %d, %v", added, err)
	}
	snapshot := dbtest.Snapshot(t, conn)
	if added, err := SeedCatalog(ctx, pool, 130, nil); err != nil || added != 0 {
		t.Fatalf("second seed added %d, %v", added, err)
	}
	if dbtest.Snapshot(t, conn) != snapshot {
		t.Fatal("a second seed changed the database")
	}
	if added, err := SeedCatalog(ctx, pool, 160, nil); err != nil || added != 30 {
		t.Fatalf("growing to 160 added %d, %v", added, err)
	}
}

func TestSeedAccounts_PasswordsWorkAndAreShownOnce(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	ctx := context.Background()
	passwords, err := auth.NewPasswords(auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	first, err := SeedAccounts(ctx, pool, passwords, 0)
	if err != nil || len(first) != len(demoAccounts) {
		t.Fatalf("%+v %v", first, err)
	}
	var admin uuid.UUID
	for _, a := range first {
		creds, err := pool.UserCredentials(ctx, a.Email)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := passwords.Verify(ctx, creds.PasswordHash, a.Password); !a.Created || err != nil || !ok {
			t.Fatalf("%s: the printed password does not log in", a.Email)
		}
		u, _ := pool.UserGet(ctx, creds.ID)
		if u.IsAdmin != a.Admin {
			t.Fatalf("%s: admin %v", a.Email, u.IsAdmin)
		}
		if a.Admin {
			admin = u.ID
		}
	}
	// The admin was made one as `marquee promote` makes one: audited, with
	// no actor.
	if got, want := dbtest.AuditLog(t, pool), []string{"user.admin.grant user:" + admin.String() + " by operator"}; !slices.Equal(got, want) {
		t.Fatalf("audit = %q, want %q", got, want)
	}
	again, err := SeedAccounts(ctx, pool, passwords, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range again {
		if a.Created || a.Password != "" {
			t.Fatalf("%s created again or its password shown again", a.Email)
		}
	}
}

// TestSeedAccounts_DemoProfileSkipsADeletedTitle: the Demo profile's
// history names demo titles; one an admin deleted is skipped, and the
// accounts are made all the same.
func TestSeedAccounts_DemoProfileSkipsADeletedTitle(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the whole demo catalog")
	}
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	ctx := context.Background()
	if _, err := SeedCatalog(ctx, pool, DefaultTitles, nil); err != nil {
		t.Fatal(err)
	}
	watches := playableOf(DefaultTitles).byGenre["sci-fi"]
	if _, err := pool.TitleDelete(ctx, watches[0].id); err != nil {
		t.Fatal(err)
	}
	passwords, err := auth.NewPasswords(auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := SeedAccounts(ctx, pool, passwords, DefaultTitles)
	if err != nil || len(accounts) != len(demoAccounts) {
		t.Fatalf("%+v %v", accounts, err)
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM history h JOIN profiles p ON p.id = h.profile_id WHERE p.name = 'Demo' AND h.title_id <> $1", watches[0].id); n != 5 {
		t.Fatalf("the Demo profile has watched %d other titles, want 5", n)
	}
}
