// Command iswfeed follows ISW's daily reports and their translations and
// serves one merged feed. See README.md for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Version is iswfeed's release; it names iswfeed in the User-Agent too.
const Version = "0.2.0"

// errUsage marks a command line that could not be understood; main exits 2.
var errUsage = errors.New("usage")

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands []command

func init() {
	commands = []command{
		{"serve", "run the daemon: poll on schedule, serve the merged feed", runServe},
		{"poll", "poll every source once, now, and print what each gave", runPoll},
		{"demo", "serve built-in sample sources that publish as you watch, and the daemon against them, offline", runDemo},
		{"sources", "show each source's health: last poll, next poll, failures", runSources},
		{"updates", "list the stored updates, newest first", runUpdates},
		{"show", "show one update with all its versions", runShow},
		{"gaps", "list missing translations, unplaced items and calendar conflicts", runGaps},
		{"import", "backfill history from saved feed files", runImport},
		{"export", "write every feed document (and .gz) for nginx or a CDN", runExport},
		{"backup", "write a consistent copy of the store, even while the daemon runs", runBackup},
		{"restore", "verify a backup and put it in place of the store", runRestore},
		{"check", "validate a config (and a store file) and print the effective config", runCheck},
		{"version", "print iswfeed's version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "iswfeed %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "iswfeed: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: iswfeed <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'iswfeed <command> -h' for a command's flags.")
}

// newFlags returns a flag set for a command whose usage names the command,
// says what it does and lists its flags.
// operands names the arguments after the flags, if the command takes any.
func newFlags(name, operands string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("iswfeed "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: iswfeed %s [flags] %s\n\n%s.\n\nflags:\n", name, operands, summaryOf(name))
		fs.PrintDefaults()
	}
	return fs
}

func summaryOf(name string) string {
	for _, c := range commands {
		if c.name == name {
			return strings.ToUpper(c.summary[:1]) + c.summary[1:]
		}
	}
	return ""
}

// errUsageOrHelp passes -h through and turns any other flag error into errUsage.
func errUsageOrHelp(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsageOrHelp(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	switch format {
	case "text":
		return slog.New(quietFullDisk(slog.NewTextHandler(w, opts))), nil
	case "json":
		return slog.New(quietFullDisk(slog.NewJSONHandler(w, opts))), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "iswfeed %s\n", Version)
	return nil
}
