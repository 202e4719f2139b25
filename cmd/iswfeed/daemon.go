package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"text/tabwriter"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
	"iswfeed/publish"
)

// app is the daemon's parts, wired together.
type app struct {
	cfg    *config.Config
	log    *slog.Logger
	db     *bolt.DB
	store  *dedupe.Store
	server *publish.Server
	poller *fetch.Poller
}

// sink hands a source's items to the store and re-renders the feeds when they changed.
type sink struct{ a *app }

func (s sink) Ingest(_ context.Context, src config.Source, items []fetch.Item) error {
	rep, err := s.a.store.IngestBatch(src, items)
	if err != nil {
		return err
	}
	s.a.log.Debug("ingest", "source", src.Name, "seen", rep.Seen, "changed", rep.Changed, "skipped", rep.Skipped, "held", rep.Held)
	if rep.Changed > 0 {
		return s.a.server.Refresh()
	}
	return nil
}

func openApp(cfg *config.Config, log *slog.Logger) (*app, error) {
	db, err := bolt.Open(cfg.Database, 0o600, &bolt.Options{Timeout: 3 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("the store %s is locked by another iswfeed process", cfg.Database)
		}
		return nil, fmt.Errorf("unable to open the store %s: %w", cfg.Database, err)
	}
	a := &app{cfg: cfg, log: log, db: db}
	if a.store, err = dedupe.Open(db, cfg); err != nil {
		db.Close()
		return nil, err
	}
	a.server = publish.New(cfg, a.store, log, publish.Options{})
	if err := a.server.Refresh(); err != nil {
		db.Close()
		return nil, err
	}
	a.poller = fetch.NewPoller(cfg, sink{a}, log)
	return a, nil
}

func (a *app) Close() error { return a.db.Close() }

func loadConfig(path string) (*config.Config, error) {
	return config.Load(path)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	path := fs.String("config", "", "config file (default ./iswfeed.yaml, else the embedded default)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	a, err := openApp(cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("unable to listen: %w", err)
	}
	srv := &http.Server{Handler: a.server, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("serving", "url", "http://"+ln.Addr().String()+"/feed.atom", "config", cfg.Origin, "database", cfg.Database, "sources", len(cfg.Sources))
	if err := a.poller.Start(ctx); err != nil {
		return err
	}
	go a.poller.PollAll(ctx)
	<-ctx.Done()
	log.Info("stopping")
	a.poller.Stop()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func runPoll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("poll", stderr)
	path := fs.String("config", "", "config file (default ./iswfeed.yaml, else the embedded default)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	a, err := openApp(cfg, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer a.Close()
	results := a.poller.PollAll(ctx)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tITEMS\tTIME\tRESULT")
	failed := 0
	for _, r := range results {
		outcome := "ok"
		if r.Err != nil {
			outcome, failed = r.Err.Error(), failed+1
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", r.Source, r.Items, r.Duration.Round(time.Millisecond), outcome)
	}
	tw.Flush()
	if failed > 0 {
		return fmt.Errorf("%d of %d sources failed", failed, len(results))
	}
	return nil
}

func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	path := fs.String("config", "", "config file to check (default ./iswfeed.yaml, else the embedded default)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	out, err := cfg.YAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "# %s: valid\n%s", cfg.Origin, out)
	return nil
}
