package guide

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
	"marquee/guide/xmltv"
)

// The import benchmark runs against the database BENCH_DATABASE_URL names
// (make bench-guide). Its channels have XMLTV ids starting "bench-", which
// it deletes (with their programmes) before each fresh import and when it
// is done, leaving the database as it found it.

// benchCopies of UK_Data.xml make a document of 105 channels and 40,215
// programmes (1,029 more are zero-length and skipped).
const benchCopies = 21

// benchDocument is UK_Data.xml with its body repeated benchCopies times,
// each copy's channel ids rewritten ("UK_RT_2667" becomes
// "bench-3-UK_RT_2667"), so that every copy is a channel set of its own.
func benchDocument(b *testing.B) []byte {
	b.Helper()
	raw, err := os.ReadFile(samples + "UK_Data.xml")
	if err != nil {
		b.Fatal(err)
	}
	open := bytes.Index(raw, []byte("<channel "))
	end := bytes.LastIndex(raw, []byte("</tv>"))
	var doc bytes.Buffer
	doc.Write(raw[:open])
	for i := range benchCopies {
		doc.Write(bytes.ReplaceAll(raw[open:end], []byte(`"UK_RT_`), fmt.Appendf(nil, `"bench-%d-UK_RT_`, i)))
	}
	doc.Write(raw[end:])
	return doc.Bytes()
}

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
	document := benchDocument(b)
	b.Cleanup(func() { dbtest.Exec(b, conn, "DELETE FROM channels WHERE xmltv_id LIKE 'bench-%'") })
	run := func(b *testing.B) {
		counts, err := Import(context.Background(), pool, XMLTV(bytes.NewReader(document), xmltv.Options{}), nil)
		if err != nil {
			b.Fatal(err)
		}
		if want := (Counts{Channels: 5 * benchCopies, Programmes: 1915 * benchCopies, Skipped: 49 * benchCopies}); counts != want {
			b.Fatalf("counts %+v, want %+v", counts, want)
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
