package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/sethvargo/go-envconfig"

	"marquee/auth"
	"marquee/demo"
	"marquee/guide"
)

// seed runs `marquee seed [--titles N] [--profiles N] [--events N]
// [--channels N]`: the demo catalog, viewing activity, guide and accounts,
// added where missing. Passwords are printed when accounts are created,
// never again.
func seed(ctx context.Context, env envconfig.Lookuper, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("seed", flag.ContinueOnError)
	flags.SetOutput(stderr)
	titles := flags.Int("titles", demo.DefaultTitles, "how many catalog titles to make sure exist")
	profiles := flags.Int("profiles", demo.DefaultProfiles, "how many demo viewing profiles (households of five)")
	events := flags.Int("events", demo.DefaultEvents, "about how many viewing events those profiles have")
	channels := flags.Int("channels", demo.DefaultChannels, "how many guide channels to make sure exist")
	if err := flags.Parse(args); err != nil || flags.NArg() > 0 || *titles < 0 || *profiles < 0 || *events < 0 ||
		*channels < 0 || *channels > guide.MaxChannels {
		return usageError(stderr, fmt.Sprintf("seed takes --titles N, --profiles N, --events N (each ≥ 0) and --channels N (0 ≤ N ≤ %d)", guide.MaxChannels))
	}
	pool, err := openDatabase(ctx, env, &DBConfig{})
	if err != nil {
		return err
	}
	defer pool.Close()

	start := time.Now()
	last := time.Now()
	added, err := demo.SeedCatalog(ctx, pool, *titles, func(done int) {
		if time.Since(last) > 5*time.Second {
			fmt.Fprintf(stdout, "catalog: %d of %d titles\n", done, *titles)
			last = time.Now()
		}
	})
	if err != nil {
		return fmt.Errorf("seed catalog: %w", err)
	}
	total, err := pool.TitleCount(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalog: %d titles (%d added in %s)\n", total, added, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	viewers, err := demo.SeedViewing(ctx, pool, *profiles, *events, *titles)
	if err != nil {
		return fmt.Errorf("seed viewing: %w", err)
	}
	fmt.Fprintf(stdout, "viewing: %d profiles with about %d events (%d profiles added in %s)\n",
		*profiles, *events, viewers, time.Since(start).Round(time.Millisecond))

	now := time.Now()
	seeded, err := demo.SeedGuide(ctx, pool, *channels, now)
	if err != nil {
		return fmt.Errorf("seed guide: %w", err)
	}
	first, end := demo.GuideDays(now)
	fmt.Fprintf(stdout, "guide: %d channels, %d programmes from %s to %s UTC (in %s)\n", seeded.Channels, seeded.Programmes,
		first.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly), time.Since(now).Round(time.Millisecond))

	passwords, err := auth.NewPasswords(auth.OWASP, passwordConcurrency())
	if err != nil {
		return err
	}
	accounts, err := demo.SeedAccounts(ctx, pool, passwords, *titles)
	for _, a := range accounts {
		role := "viewer"
		if a.Admin {
			role = "admin"
		}
		if a.Created {
			fmt.Fprintf(stdout, "account: %-22s password %s  (%s; shown only now)\n", a.Email, a.Password, role)
		} else {
			fmt.Fprintf(stdout, "account: %-22s already exists (%s); its password was shown when it was created\n", a.Email, role)
		}
	}
	if err != nil {
		return fmt.Errorf("seed accounts: %w", err)
	}
	fmt.Fprintf(stdout, "log in: curl -s -X POST %s/v1/auth/login -H 'Content-Type: application/json' -d '{\"email\":\"demo@marquee.test\",\"password\":\"...\"}'\n", loginAddr(env))
	return nil
}

// loginAddr is where a local client reaches `marquee serve` under env's
// HTTP_ADDR (":8080" by default): a listener on every interface is
// reached on localhost.
func loginAddr(env envconfig.Lookuper) string {
	addr, ok := env.Lookup("HTTP_ADDR")
	if !ok || addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
