// Package schema holds Marquee's database migrations, written for goose and
// embedded in the binary so that `marquee migrate` and `marquee serve` need no
// files on disk. sqlc reads the same files to learn the schema.
package schema

import "embed"

// FS holds every migration, applied in the order of their numeric prefixes.
//
//go:embed *.sql
var FS embed.FS
