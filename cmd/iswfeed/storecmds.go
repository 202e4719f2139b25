package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"

	"iswfeed/config"
	"iswfeed/publish"
)

// The read commands: each asks one read of the store (reads.go), where the
// store is, and prints its answer (print.go) or, with -json, the answer's
// public view as the HTTP API shows it.

// viewFlags are the flags of every command that reads the store.
type viewFlags struct {
	config *string
	json   *bool
}

func addViewFlags(fs *flag.FlagSet) viewFlags {
	return viewFlags{
		config: fs.String("config", "", "config file naming the store (default ./iswfeed.yaml, else the embedded default)"),
		json:   fs.Bool("json", false, "print JSON for scripts instead of a table (the HTTP API's shape)"),
	}
}

// askAndPrint runs the read name and prints its answer with print, or as JSON.
func askAndPrint[T any](f viewFlags, stdout io.Writer, name string, params url.Values, print func(io.Writer, T) error) error {
	_, acc, err := openConfigAccess(*f.config)
	if err != nil {
		return err
	}
	defer acc.Close()
	answer, err := ask[T](acc, name, params)
	if err != nil {
		return err
	}
	if *f.json {
		return printJSON(stdout, answer)
	}
	return print(stdout, answer)
}

// required reports a missing required flag as a usage error.
func required(fs *flag.FlagSet, name, value string) error {
	if value != "" {
		return nil
	}
	fmt.Fprintf(fs.Output(), "%s: -%s is required\n", fs.Name(), name)
	fs.Usage()
	return errUsage
}

func runUpdates(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("updates", "", stderr)
	vf := addViewFlags(fs)
	lang := fs.String("lang", "", "only updates available in this language")
	limit := fs.Int("limit", 20, "at most this many updates, newest first (0: all)")
	series := fs.String("series", config.DefaultSeries, "series to list (all: every series)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	params := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *lang != "" {
		params.Set("lang", *lang)
	}
	if *series != "all" {
		params.Set("series", *series)
	}
	return askAndPrint(vf, stdout, "updates", params, printUpdates)
}

func runShow(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("show", "NUMBER|YYYY-MM-DD", stderr)
	vf := addViewFlags(fs)
	series := fs.String("series", config.DefaultSeries, "series of the update")
	if err := fs.Parse(args); err != nil {
		return errUsageOrHelp(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	return askAndPrint(vf, stdout, "update", url.Values{"series": {*series}, "key": {fs.Arg(0)}}, printUpdate)
}

func runSources(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sources", "", stderr)
	vf := addViewFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return askAndPrint(vf, stdout, "sources", nil, printSources)
}

func runGaps(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("gaps", "", stderr)
	vf := addViewFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return askAndPrint(vf, stdout, "gaps", nil, func(w io.Writer, g publish.GapsDoc) error {
		printGaps(w, g.Gaps)
		return nil
	})
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "", stderr)
	path := fs.String("config", "", "config file naming the store")
	dir := fs.String("dir", "", "write the documents under this directory (required)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the export into this file (go tool pprof reads it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required(fs, "dir", *dir); err != nil {
		return err
	}
	if *profile != "" {
		stop, err := startCPUProfile(*profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	cfg, acc, err := openConfigAccess(*path)
	if err != nil {
		return err
	}
	defer acc.Close()
	local, err := snapshot(ctx, cfg, acc)
	if err != nil {
		return err
	}
	defer local.Close()
	// An export reads every report's content once: without releasing the
	// pages it touched, its RSS would grow to the store's size. serve's soft
	// memory limit is not set here: at 10k reports about 50 MB are live and
	// the peak is 187 MiB; GOMEMLIMIT=96MiB holds it to 131 MiB for 22 % more
	// CPU (run side by side, 2026-12-08).
	ctx, stop := context.WithCancel(ctx)
	defer stop() // before local.Close, which waits for the last release's read
	go releasingPages(ctx, local.local.db, slog.New(slog.NewTextHandler(stderr, nil)))
	if err := publish.Export(ctx, cfg, local.local.store, *dir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported the feeds, pages and API of %s to %s\n", cfg.Database, *dir)
	return nil
}
