// Command sqllint enforces that no SQL is built in Go: all of it lives in
// queries/*.sql and reaches the database through the code sqlc generates.
//
// It reports, in every hand-written Go file of the packages it is given,
// fmt.Sprintf and its kin, string concatenation (+ and +=), strings.Join,
// strings.Replace and WriteString whenever text that reads like SQL (in
// upper or lower case) reaches them and the result is not a compile-time
// constant: a literal, a named constant, or a variable (package-level or
// local) assigned such text anywhere in its package.
//
// That only package db calls the driver is depguard's rule (.golangci.yml):
// db hands out nothing that sends SQL but its Queries, so a package that
// may not import the driver cannot send SQL text of its own.
//
// With -scripts DIR it also reports, in the shell scripts under DIR, a
// shell expansion spliced into SQL text (see shell.go).
//
// Usage: go run ./cmd/sqllint [-scripts .ci] ./...
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
)

func main() {
	scripts := flag.String("scripts", "", "also check the shell scripts under this directory")
	flag.Parse()
	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	findings, err := lint(".", patterns)
	if err == nil && *scripts != "" {
		var more []finding
		more, err = lintScripts(*scripts)
		findings = append(findings, more...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sqllint:", err)
		os.Exit(2)
	}
	sort.Slice(findings, func(i, j int) bool { return findings[i].before(findings[j]) })
	for _, f := range findings {
		fmt.Println(f)
	}
	if len(findings) > 0 {
		fmt.Fprintf(os.Stderr, "sqllint: %d finding(s): put SQL in queries/*.sql and call it through db.Queries; give psql shell values as variables\n", len(findings))
		os.Exit(1)
	}
}
