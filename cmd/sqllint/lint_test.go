package main

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var want = regexp.MustCompile(`// want "([^"]+)"`)

// TestLint_CatchesPlantedViolations runs the lint over a package of planted
// violations: every line marked `// want "..."` must be reported with that
// message, and nothing else.
func TestLint_CatchesPlantedViolations(t *testing.T) {
	findings, err := lint(".", []string{"./testdata/planted"}, []string{"marquee/db"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, f := range findings {
		parts := strings.SplitN(f.pos, ":", 3)
		if len(parts) < 2 {
			t.Fatalf("odd position %q", f.pos)
		}
		line, err := strconv.Atoi(parts[1])
		if err != nil {
			t.Fatalf("odd position %q", f.pos)
		}
		if got[line] != "" {
			t.Errorf("line %d reported twice: %q and %q", line, got[line], f.msg)
		}
		got[line] = f.msg
	}
	file, err := os.Open("testdata/planted/planted.go")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for line := 1; sc.Scan(); line++ {
		m := want.FindStringSubmatch(sc.Text())
		switch {
		case m == nil && got[line] != "":
			t.Errorf("line %d: unexpected finding %q", line, got[line])
		case m != nil && !strings.Contains(got[line], m[1]):
			t.Errorf("line %d: got %q, want %q", line, got[line], m[1])
		}
		delete(got, line)
	}
	if len(got) > 0 {
		t.Errorf("findings past the end of the file: %v", got)
	}
}

func TestLint_LeavesCleanCodeAlone(t *testing.T) {
	findings, err := lint(".", []string{"./testdata/clean"}, []string{"marquee/db"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("clean code reported: %s", f)
	}
}

func TestLint_AllowsDriverCallsInsideDB(t *testing.T) {
	findings, err := lint(".", []string{"./testdata/planted"}, []string{"marquee/cmd/sqllint/testdata/planted"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if strings.Contains(f.msg, "outside package db") {
			t.Errorf("a driver call in an allowed package was reported: %s", f)
		}
	}
}
