// Command marquee is Marquee's one binary: the API server and the operator
// commands around it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sethvargo/go-envconfig"
)

const usage = `usage: marquee [command]

commands:
  serve                      run the API (the default)
  migrate [up|down|status]   apply, roll back or list the database migrations
  seed [--titles N] [--profiles N] [--events N] [--channels N]
                             add the demo catalog, viewing, guide and accounts (idempotent)
  import-xmltv FILE          import an XMLTV programme guide (idempotent)
  promote EMAIL              make an existing account an admin
`

// errUsage marks a command line that could not be understood.
var errUsage = errors.New("see usage above")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one kills at once.
	context.AfterFunc(ctx, stop)
	if err := run(ctx, os.Args[1:], envconfig.OsLookuper(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "marquee: %v\n", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// run is the whole program, with its environment passed in so that tests can
// run it in-process.
func run(ctx context.Context, args []string, env envconfig.Lookuper, stdout, stderr io.Writer) error {
	command := "serve"
	if len(args) > 0 {
		command, args = args[0], args[1:]
	}
	switch command {
	case "serve":
		if len(args) > 0 {
			return usageError(stderr, "serve takes no arguments")
		}
		return serve(ctx, env, stderr, startupBackoff)
	case "migrate":
		return migrate(ctx, env, args, stdout, stderr)
	case "seed":
		return seed(ctx, env, args, stdout, stderr)
	case "import-xmltv":
		return importXMLTV(ctx, env, args, stdout, stderr)
	case "promote":
		return promote(ctx, env, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError(stderr, fmt.Sprintf("unknown command %q", command))
}

func usageError(stderr io.Writer, msg string) error {
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%s: %w", msg, errUsage)
}
