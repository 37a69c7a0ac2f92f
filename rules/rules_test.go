package rules

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/db/dbtest"
)

// candidateAges are the levels and their neighbours, and ages no level is.
func candidateAges() []int {
	ages := []int{-1, 5, 12, 21, 99, 255}
	for _, l := range levels {
		ages = append(ages, l-1, l, l+1)
	}
	slices.Sort(ages)
	return slices.Compact(ages)
}

// TestMaturityLevels_AgreeWithTheSchema writes every candidate age where
// the schema stores one (a profile's max_age, a title's and a programme's
// min_age): the database takes exactly the levels.
func TestMaturityLevels_AgreeWithTheSchema(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	ctx := context.Background()
	var user db.User
	var channel db.Channel
	err := pool.InTx(ctx, func(q *db.Queries) error {
		var err error
		if user, err = q.UserCreate(ctx, db.UserCreateParams{Email: "levels@example.com", DisplayName: "Levels"}); err != nil {
			return err
		}
		channel, err = q.ChannelCreate(ctx, db.ChannelCreateParams{Number: 1, Name: "One", XmltvID: "one"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime := int32(60)
	writes := map[string]func(q *db.Queries, age int16) error{
		"profiles_max_age_level": func(q *db.Queries, age int16) error {
			_, err := q.ProfileCreateIfRoom(ctx, db.ProfileCreateIfRoomParams{UserID: user.ID, Name: "P", MaxAge: age, MaxProfiles: 1})
			return err
		},
		"titles_min_age_level": func(q *db.Queries, age int16) error {
			_, err := q.TitleCreate(ctx, db.TitleCreateParams{Kind: "movie", Name: "T", ReleaseYear: 2000, MinAge: age, RuntimeSeconds: &runtime})
			return err
		},
		"programmes_min_age_level": func(q *db.Queries, age int16) error {
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			return q.ProgrammeUpsertMany(ctx, db.ProgrammeUpsertManyParams{
				ChannelIds: []uuid.UUID{channel.ID}, Starts: []time.Time{start}, Ends: []time.Time{start.Add(time.Hour)},
				Titles: []string{"T"}, Synopses: []string{""}, MinAges: []int16{age}, Categories: []string{""},
			})
		},
	}
	for constraint, write := range writes {
		for _, age := range candidateAges() {
			// Each write rolls back, so that the next finds room for it.
			errRollback := errors.New("roll back")
			err := pool.InTx(ctx, func(q *db.Queries) error {
				if err := write(q, int16(age)); err != nil {
					return err
				}
				return errRollback
			})
			switch stored := errors.Is(err, errRollback); {
			case stored != IsMaturityLevel(age):
				t.Errorf("%s: age %d stored %t, but IsMaturityLevel says %t (%v)", constraint, age, stored, IsMaturityLevel(age), err)
			case !stored && !strings.Contains(err.Error(), constraint):
				t.Errorf("%s: age %d refused by something else: %v", constraint, age, err)
			}
		}
	}
}

// TestChannelLimits_AgreeWithTheSchema writes channels at each limit and
// one past it: the database takes the first and refuses the second.
func TestChannelLimits_AgreeWithTheSchema(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	ctx := context.Background()
	valid := db.ChannelCreateParams{Number: 1, Name: "N", XmltvID: "x"}
	logo := func(n int) *string {
		s := "https://" + strings.Repeat("l", n-len("https://"))
		return &s
	}
	for _, c := range []struct {
		constraint string
		at, past   func(p *db.ChannelCreateParams)
	}{
		{"channels_number_range", func(p *db.ChannelCreateParams) { p.Number = MaxChannelNumber }, func(p *db.ChannelCreateParams) { p.Number = MaxChannelNumber + 1 }},
		{"channels_number_range", func(p *db.ChannelCreateParams) { p.Number = 1 }, func(p *db.ChannelCreateParams) { p.Number = 0 }},
		{"channels_name_length", func(p *db.ChannelCreateParams) { p.Name = strings.Repeat("é", MaxChannelName) }, func(p *db.ChannelCreateParams) { p.Name = strings.Repeat("é", MaxChannelName+1) }},
		{"channels_xmltv_id_length", func(p *db.ChannelCreateParams) { p.XmltvID = strings.Repeat("é", MaxXMLTVID) }, func(p *db.ChannelCreateParams) { p.XmltvID = strings.Repeat("é", MaxXMLTVID+1) }},
		{"channels_logo_url_length", func(p *db.ChannelCreateParams) { p.LogoUrl = logo(MaxLogoURL) }, func(p *db.ChannelCreateParams) { p.LogoUrl = logo(MaxLogoURL + 1) }},
	} {
		for i, set := range []func(*db.ChannelCreateParams){c.at, c.past} {
			p := valid
			set(&p)
			errRollback := errors.New("roll back")
			err := pool.InTx(ctx, func(q *db.Queries) error {
				if _, err := q.ChannelCreate(ctx, p); err != nil {
					return err
				}
				return errRollback
			})
			if past := i == 1; past == errors.Is(err, errRollback) || past && !strings.Contains(err.Error(), c.constraint) {
				t.Errorf("%s, past the limit %t: %v", c.constraint, past, err)
			}
		}
	}
}

func TestMaturityAtLeast_RoundsUpToALevel(t *testing.T) {
	t.Parallel()
	for age, want := range map[int]int{-5: 0, 0: 0, 1: 7, 7: 7, 8: 13, 12: 13, 13: 13, 14: 16, 16: 16, 17: 18, 18: 18, 19: 18, 1000: 18} {
		if got := MaturityAtLeast(age); got != want {
			t.Errorf("MaturityAtLeast(%d) = %d, want %d", age, got, want)
		}
	}
	if got := MaturityLevels(); got != "0, 7, 13, 16, 18" {
		t.Errorf("MaturityLevels() = %q", got)
	}
}

func TestCreateProfile_StopsAtMaxProfiles(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	ctx := context.Background()
	var user db.User
	err := pool.InTx(ctx, func(q *db.Queries) error {
		var err error
		user, _, err = CreateAccount(ctx, q, "five@example.com", "Five", "hash")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The account's first profile counts: MaxProfiles-1 more fit, and no
	// more, even when all are asked for at once.
	results := make(chan error, MaxProfiles)
	for i := range MaxProfiles {
		go func() {
			results <- pool.InTx(ctx, func(q *db.Queries) error {
				_, err := CreateProfile(ctx, q, user.ID, Profile{Name: "P" + strconv.Itoa(i), MaxAge: Adult})
				return err
			})
		}()
	}
	refused := 0
	for range MaxProfiles {
		if err := <-results; errors.Is(err, ErrProfileLimit) {
			refused++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if profiles, err := pool.ProfileListByUser(ctx, user.ID); err != nil || len(profiles) != MaxProfiles || refused != 1 {
		t.Fatalf("%d profiles (%v), %d refused; want %d and 1", len(profiles), err, refused, MaxProfiles)
	}
}

func TestSetAdmin_AuditsAndKeepsTheLastAdmin(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	ctx := context.Background()
	var ann, bob db.User
	err := pool.InTx(ctx, func(q *db.Queries) error {
		var err error
		if ann, _, err = CreateAccount(ctx, q, "ann@example.com", "Ann", "hash"); err != nil {
			return err
		}
		if bob, _, err = CreateAccount(ctx, q, "bob@example.com", "Bob", "hash"); err != nil {
			return err
		}
		if _, err = SetAdmin(ctx, q, nil, ann.ID, true); err != nil {
			return err
		}
		_, err = SetAdmin(ctx, q, &ann.ID, bob.ID, true)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	setAdmin := func(actor *uuid.UUID, user uuid.UUID, admin bool) error {
		return pool.InTx(ctx, func(q *db.Queries) error {
			_, err := SetAdmin(ctx, q, actor, user, admin)
			return err
		})
	}
	if err := setAdmin(&ann.ID, bob.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := setAdmin(&ann.ID, ann.ID, false); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("revoking the last admin: %v, want ErrLastAdmin", err)
	}
	if err := setAdmin(nil, uuid.New(), true); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("granting no one: %v, want db.ErrNotFound", err)
	}
	want := []string{
		"user.admin.revoke user:" + bob.ID.String() + " by " + ann.ID.String(),
		"user.admin.grant user:" + bob.ID.String() + " by " + ann.ID.String(),
		"user.admin.grant user:" + ann.ID.String() + " by operator",
	}
	if got := dbtest.AuditLog(t, pool); !slices.Equal(got, want) {
		t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDelete_AuditsOnlyWhatWentAway(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	ctx := context.Background()
	channel, err := pool.ChannelCreate(ctx, db.ChannelCreateParams{Number: 1, Name: "One", XmltvID: "one"})
	if err != nil {
		t.Fatal(err)
	}
	runtime := int32(60)
	title, err := pool.TitleCreate(ctx, db.TitleCreateParams{Kind: "movie", Name: "T", ReleaseYear: 2000, RuntimeSeconds: &runtime})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		del  func(context.Context, *db.Queries, *uuid.UUID, uuid.UUID) error
		id   uuid.UUID
		want string
	}{
		{DeleteChannel, channel.ID, "channel.delete channel:" + channel.ID.String()},
		{DeleteTitle, title, "title.delete title:" + title.String()},
	} {
		del := func() error { return pool.InTx(ctx, func(q *db.Queries) error { return c.del(ctx, q, nil, c.id) }) }
		if err := del(); err != nil {
			t.Fatal(err)
		}
		if err := del(); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("%s again: %v, want db.ErrNotFound", c.want, err)
		}
		if log := dbtest.AuditLog(t, pool); log[0] != c.want+" by operator" {
			t.Fatalf("audit log %q, want %s first", log, c.want)
		}
	}
}

// TestDeleteAccount_TwoAdminsAtOnce_OneRemains: two admins delete
// themselves at once. The second waits for the first's lock on the admins,
// then finds itself the last one; an account already gone is
// db.ErrNotFound. Each deletion is audited as done by the account itself.
func TestDeleteAccount_TwoAdminsAtOnce_OneRemains(t *testing.T) {
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	ctx := context.Background()
	var ann, bob db.User
	err := pool.InTx(ctx, func(q *db.Queries) error {
		var err error
		if ann, _, err = CreateAccount(ctx, q, "ann@example.com", "Ann", "hash"); err != nil {
			return err
		}
		if bob, _, err = CreateAccount(ctx, q, "bob@example.com", "Bob", "hash"); err != nil {
			return err
		}
		if _, err = SetAdmin(ctx, q, nil, ann.ID, true); err != nil {
			return err
		}
		_, err = SetAdmin(ctx, q, nil, bob.ID, true)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	deleted, commit := make(chan struct{}), make(chan struct{})
	first, second := make(chan error, 1), make(chan error, 1)
	go func() {
		first <- pool.InTx(ctx, func(q *db.Queries) error {
			if err := DeleteAccount(ctx, q, ann.ID); err != nil {
				return err
			}
			close(deleted)
			<-commit
			return nil
		})
	}()
	select {
	case <-deleted:
	case err := <-first:
		t.Fatalf("the first deletion: %v", err)
	}
	go func() {
		second <- pool.InTx(ctx, func(q *db.Queries) error { return DeleteAccount(ctx, q, bob.ID) })
	}()
	for dbtest.Count(t, conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 0 {
		select {
		case err := <-second:
			close(commit)
			t.Fatalf("the second deletion did not wait for the first: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	close(commit)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("the second deletion: %v, want ErrLastAdmin", err)
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM users WHERE is_admin"); n != 1 {
		t.Fatalf("%d admins left, want 1", n)
	}
	if err := pool.InTx(ctx, func(q *db.Queries) error { return DeleteAccount(ctx, q, ann.ID) }); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("deleting a deleted account: %v, want db.ErrNotFound", err)
	}
	want := "user.delete user:" + ann.ID.String() + " by " + ann.ID.String()
	if log := dbtest.AuditLog(t, pool); len(log) != 3 || log[0] != want {
		t.Fatalf("audit log %q, want %s first", log, want)
	}
}
