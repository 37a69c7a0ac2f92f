// Package xmltvtest gives the tests of the programme guide their XMLTV
// input: the project's own small documents (testdata/, each written for what
// its tests prove), large documents generated at test time, and the opt-in
// corpus of real-world files that XMLTV_CORPUS names.
//
// Only tests import it. It imports nothing of Marquee, so that the tests of
// guide/xmltv itself can use it.
package xmltvtest

import (
	"embed"
	"os"
	"path/filepath"
	"testing"
)

// The documents, described at the top of each:
//
//	latin1.xml     declared ISO-8859-1 and written in it; three channels, no ratings
//	bom.xml        UTF-8 with a byte-order mark; a numeric display-name; ratings in several systems
//	languages.xml  titles, descriptions and categories in several languages, with and without lang
//	channels.xml   numeric and non-numeric display-names; icons of several schemes
//	schedule.xml   programmes without a stop, of zero length, too long, twice at one start, on no channel
//
//go:embed testdata/*.xml
var documents embed.FS

// Document returns the bytes of the test document name, as above.
func Document(t testing.TB, name string) []byte {
	t.Helper()
	b, err := documents.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatalf("xmltvtest: %v", err)
	}
	return b
}

// File writes the test document name into a temporary folder of t's and
// returns its path, for code that reads files.
func File(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, Document(t, name), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
