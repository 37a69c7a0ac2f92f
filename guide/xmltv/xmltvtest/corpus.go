package xmltvtest

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html/charset"
)

// Corpus returns the *.xml files of the folder XMLTV_CORPUS names: XMLTV
// documents from the real world, which a repository cannot hold but a
// machine that has them can run its tests over. Without XMLTV_CORPUS the
// test is skipped; a folder holding no such file fails it, so that a
// mistyped path does not pass for a corpus run.
func Corpus(t testing.TB) []string {
	t.Helper()
	dir := os.Getenv("XMLTV_CORPUS")
	if dir == "" {
		t.Skip("XMLTV_CORPUS is not set: no real-world XMLTV corpus to run over")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("XMLTV_CORPUS=%s holds no *.xml file", dir)
	}
	return files
}

// Tally counts what a document holds: the distinct ids of the <channel>
// elements under the root, and the <programme> elements there. It reads with
// encoding/xml alone, so that tests can check the counts an import reports
// against something other than the parser that produced them.
func Tally(r io.Reader) (channels, programmes int, err error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	d := xml.NewDecoder(br)
	d.CharsetReader = charset.NewReaderLabel
	ids := map[string]bool{}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return len(ids), programmes, nil
		}
		if err != nil {
			return 0, 0, err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			switch el.Name.Local {
			case "channel":
				for _, a := range el.Attr {
					if a.Name.Local == "id" {
						ids[strings.TrimSpace(a.Value)] = true
					}
				}
			case "programme":
				programmes++
			}
		case xml.EndElement:
			depth--
		}
	}
}
