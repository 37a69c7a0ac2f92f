package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var want = regexp.MustCompile(`(?://|#) want "((?:[^"\\]|\\.)+)"`)

// checkWants compares findings with the files of dir: every line marked
// `// want "..."` (or `# want "..."`) must be reported with a message that
// contains the text, and nothing else may be.
func checkWants(t *testing.T, findings []finding, dir string) {
	t.Helper()
	got := map[string]string{} // file:line → message
	for _, f := range findings {
		key := filepath.Base(f.pos.Filename) + ":" + strconv.Itoa(f.pos.Line)
		if got[key] != "" {
			t.Errorf("%s reported twice: %q and %q", key, got[key], f.msg)
		}
		got[key] = f.msg
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	wanted := 0
	for _, entry := range files {
		file, err := os.Open(filepath.Join(dir, entry.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(file)
		for line := 1; sc.Scan(); line++ {
			key := entry.Name() + ":" + strconv.Itoa(line)
			m := want.FindStringSubmatch(sc.Text())
			if m != nil {
				wanted++
				text, err := strconv.Unquote(`"` + m[1] + `"`)
				if err != nil {
					t.Fatalf("%s: odd want %q", key, m[1])
				}
				if !strings.Contains(got[key], text) {
					t.Errorf("%s: got %q, want %q", key, got[key], text)
				}
			} else if got[key] != "" {
				t.Errorf("%s: unexpected finding %q", key, got[key])
			}
			delete(got, key)
		}
		file.Close()
	}
	if wanted == 0 {
		t.Errorf("no want markers in %s", dir)
	}
	if len(got) > 0 {
		t.Errorf("findings past the end of the files: %v", got)
	}
}

// TestLint_CatchesPlantedViolations runs the lint over a package of planted
// violations: every line marked `// want "..."` must be reported with that
// message, and nothing else.
func TestLint_CatchesPlantedViolations(t *testing.T) {
	findings, err := lint(".", []string{"./testdata/planted"})
	if err != nil {
		t.Fatal(err)
	}
	checkWants(t, findings, "testdata/planted")
}

func TestLint_LeavesCleanCodeAlone(t *testing.T) {
	findings, err := lint(".", []string{"./testdata/clean"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("clean code reported: %s", f)
	}
}

// TestScripts_CatchSplicedShellValues runs the script check over planted
// violations, each line marked `# want "..."`, and over scripts that give
// psql their values as variables, which must pass.
func TestScripts_CatchSplicedShellValues(t *testing.T) {
	findings, err := lintScripts("testdata/scripts")
	if err != nil {
		t.Fatal(err)
	}
	checkWants(t, findings, "testdata/scripts")
}
