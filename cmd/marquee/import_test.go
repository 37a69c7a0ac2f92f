package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
	"marquee/guide/xmltv/xmltvtest"
)

func TestImportXMLTV_ImportsOnceAuditsAndReportsCounts(t *testing.T) {
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	ctx := context.Background()
	file := xmltvtest.File(t, "latin1.xml")
	vars := env(dbVars(t, conn, "EPG_UNRATED_MIN_AGE", "7")...)
	var out bytes.Buffer
	if err := run(ctx, []string{"import-xmltv", file}, vars, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	const counts = "3 channels, 8 programmes, 1 skipped"
	if !strings.Contains(out.String(), counts) {
		t.Fatalf("output %q", out.String())
	}
	before := dbtest.Snapshot(t, conn)
	out.Reset()
	if err := run(ctx, []string{"import-xmltv", file}, vars, &out, io.Discard); err != nil || !strings.Contains(out.String(), counts) {
		t.Fatalf("again: %q %v", out.String(), err)
	}
	if dbtest.Snapshot(t, conn) != before {
		t.Fatal("importing the file again changed the database")
	}
	if got, want := dbtest.AuditLog(t, pool), []string{"epg.import epg:xmltv by operator", "epg.import epg:xmltv by operator"}; !slices.Equal(got, want) {
		t.Fatalf("audit = %q, want %q", got, want)
	}
	// EPG_UNRATED_MIN_AGE reached the import: the first channel's four
	// programmes, which have no rating, are for 7 and over.
	rows, _ := pool.ChannelGuide(ctx, db.ChannelGuideParams{Every: true})
	for maxAge, want := range map[int16]int{7: 4, 0: 0} {
		progs, err := pool.ProgrammeWindow(ctx, db.ProgrammeWindowParams{ChannelIds: []string{rows[0].Channel.ID.String()},
			FromAt: time.Date(2024, 3, 11, 0, 0, 0, 0, time.UTC), ToAt: time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC), MaxAge: maxAge})
		if err != nil || len(progs) != want {
			t.Fatalf("%d programmes for max_age %d, want %d; %v", len(progs), maxAge, want, err)
		}
	}
}

func TestImportXMLTV_BadFileOrArguments_ChangeNothing(t *testing.T) {
	t.Parallel()
	conn := dbtest.NewDatabase(t)
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(bad, []byte("<tv>\n<channel id=\"a\"/>\n<programme channel=\"a\" start=\"soon\"><title>T</title></programme>\n</tv>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	vars := env(dbVars(t, conn)...)
	before := dbtest.Snapshot(t, conn)
	err := run(ctx, []string{"import-xmltv", bad}, vars, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "nothing imported") || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("malformed file: %v", err)
	}
	if dbtest.Snapshot(t, conn) != before {
		t.Fatal("a malformed file changed the database")
	}
	if err := run(ctx, []string{"import-xmltv", filepath.Join(t.TempDir(), "missing.xml")}, vars, io.Discard, io.Discard); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	for _, args := range [][]string{{"import-xmltv"}, {"import-xmltv", "a.xml", "b.xml"}} {
		if err := run(ctx, args, vars, io.Discard, io.Discard); !errors.Is(err, errUsage) {
			t.Fatalf("%q: %v", args, err)
		}
	}
	err = run(ctx, []string{"import-xmltv", bad}, env(dbVars(t, conn, "EPG_UNRATED_MIN_AGE", "12")...), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "EPG_UNRATED_MIN_AGE must be one of") {
		t.Fatalf("odd EPG_UNRATED_MIN_AGE: %v", err)
	}
}
