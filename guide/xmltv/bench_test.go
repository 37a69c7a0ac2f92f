package xmltv

import (
	"bytes"
	"testing"

	"marquee/guide/xmltv/xmltvtest"
)

// BenchmarkParse_Generated2000Programmes parses a generated guide of 5
// channels and 2,000 programmes (1.6 MB), with no callbacks to speak of.
func BenchmarkParse_Generated2000Programmes(b *testing.B) {
	data, want := xmltvtest.Guide{IDPrefix: "bench-", Channels: 5, Programmes: 400}.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse(bytes.NewReader(data), Options{}, nil, func(Programme) error { return nil })
		if err != nil || res.Programmes != want.Programmes || res.Skipped != want.Skipped {
			b.Fatalf("got %+v, %v; want %+v", res, err, want)
		}
	}
}
