package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sethvargo/go-envconfig"

	"marquee/db"
	"marquee/guide"
	"marquee/guide/xmltv"
	"marquee/rules"
)

// importConfig is the environment of `marquee import-xmltv`: the database
// and the guide's settings, as `marquee serve` reads them; no secret.
type importConfig struct {
	DBConfig
	EPGLang          string `env:"EPG_LANG, default=en"`
	EPGUnratedMinAge int    `env:"EPG_UNRATED_MIN_AGE, default=0"`
}

func (c importConfig) validate() error {
	return errors.Join(append(guideErrors(c.EPGLang, c.EPGUnratedMinAge), c.DBConfig.validate())...)
}

// importXMLTV runs `marquee import-xmltv FILE`: the guide import of
// POST /v1/admin/epg/xmltv, for operators, audited with no actor. Like the
// route, it changes nothing unless the whole file imports.
func importXMLTV(ctx context.Context, env envconfig.Lookuper, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 {
		return usageError(stderr, "import-xmltv takes one XMLTV file")
	}
	file, err := os.Open(args[0]) //nolint:gosec // the operator names the file to import
	if err != nil {
		return err
	}
	defer file.Close()
	var cfg importConfig
	pool, err := openDatabase(ctx, env, &cfg)
	if err != nil {
		return err
	}
	defer pool.Close()

	start := time.Now()
	opts := xmltv.Options{Lang: cfg.EPGLang, UnratedMinAge: cfg.EPGUnratedMinAge}
	counts, err := guide.Import(ctx, pool, guide.XMLTV(file, opts), func(q *db.Queries) error {
		return rules.Audit(ctx, q, nil, rules.GuideImported, rules.GuideSourceXMLTV)
	})
	if err != nil {
		return fmt.Errorf("%s: nothing imported: %w", args[0], err)
	}
	fmt.Fprintf(stdout, "%s: %d channels, %d programmes, %d skipped (in %s)\n",
		args[0], counts.Channels, counts.Programmes, counts.Skipped, time.Since(start).Round(time.Millisecond))
	return nil
}
