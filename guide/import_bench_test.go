package guide

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
	"marquee/guide/xmltv"
	"marquee/guide/xmltv/xmltvtest"
)

// The import benchmark runs against the database BENCH_DATABASE_URL names
// (make bench-guide). Its channels have XMLTV ids starting "bench-", which
// it deletes (with their programmes) before each fresh import and when it
// is done, leaving the database as it found it.

// benchGuide is a generated document of 105 channels and 40,215 programmes
// (945 more are zero-length and skipped), 33 MB.
var benchGuide = xmltvtest.Guide{IDPrefix: "bench-", Channels: 105, Programmes: 383}

func benchPool(b *testing.B) (*db.Pool, db.ConnString) {
	b.Helper()
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("BENCH_DATABASE_URL is not set: run make bench-guide")
	}
	conn := db.NewConnString(url)
	pool, err := db.Open(context.Background(), conn, db.PoolConfig{Size: 2, Overflow: 0, Recycle: time.Hour, Timeout: 5 * time.Second, PrePing: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool, conn
}

// BenchmarkImport40kProgrammes: the whole import of the 40,215-programme
// document into a guide without its channels (parse, stage, merge, commit),
// then the same document again, which changes nothing.
func BenchmarkImport40kProgrammes(b *testing.B) {
	pool, conn := benchPool(b)
	document, gen := benchGuide.Bytes()
	want := Counts{Channels: gen.Channels, Programmes: gen.Programmes, Skipped: gen.Skipped}
	b.Cleanup(func() { dbtest.Exec(b, conn, "DELETE FROM channels WHERE xmltv_id LIKE 'bench-%'") })
	run := func(b *testing.B) {
		got, err := Import(context.Background(), pool, XMLTV(bytes.NewReader(document), xmltv.Options{}), nil)
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("counts %+v, want %+v", got, want)
		}
	}
	b.Run("fresh", func(b *testing.B) {
		b.SetBytes(int64(len(document)))
		for range b.N {
			b.StopTimer()
			dbtest.Exec(b, conn, "DELETE FROM channels WHERE xmltv_id LIKE 'bench-%'")
			b.StartTimer()
			run(b)
		}
	})
	b.Run("again", func(b *testing.B) {
		b.SetBytes(int64(len(document)))
		for range b.N {
			run(b)
		}
	})
	b.Run("parse-only", func(b *testing.B) {
		b.SetBytes(int64(len(document)))
		for range b.N {
			if _, err := xmltv.Parse(bytes.NewReader(document), xmltv.Options{}, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
