package xmltv

import (
	"bytes"
	"os"
	"testing"
)

func BenchmarkParse_UKData(b *testing.B) {
	data, err := os.ReadFile(samples + "UK_Data.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse(bytes.NewReader(data), Options{}, nil, func(Programme) error { return nil })
		if err != nil || res.Programmes+res.Skipped != 1964 {
			b.Fatalf("got %+v, %v", res, err)
		}
	}
}
