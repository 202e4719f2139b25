package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

func loadConfig(path string) (*config.Config, error) {
	return config.Load(path)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "", stderr)
	path := fs.String("config", "", "config file (default ./iswfeed.yaml, else the embedded default)")
	format := fs.String("log-format", "text", "log format: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *format)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errUsage
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	log.Debug("memory", "soft_limit_bytes", limitMemory(memoryLimit))
	return serve(ctx, cfg, log, nil, func() (*config.Config, error) { return loadConfig(*path) })
}

// serve runs the daemon until ctx ends; ready, if set, gets the server's URL
// once it listens; reload, if set, is how SIGHUP reads the config again.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger, ready func(url string), reload func() (*config.Config, error)) error {
	// Caught from the start: a reload sent while the daemon opens would otherwise kill it.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	db, err := waitForStore(ctx, cfg.Database, log)
	if err != nil {
		return stopDaemonFirst(err)
	}
	a, err := newApp(cfg, db, log)
	if err != nil {
		return err
	}
	releasing := false // once stopping, release closes the store
	defer func() {
		if !releasing {
			a.Close()
		}
	}()
	ctx, stop := context.WithCancel(ctx)
	defer stop() // before Close, which waits for the last release's read
	pages := newPageReleaser(a.db, log)
	go pages.every(ctx, releaseEvery)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("unable to listen: %w", err)
	}
	srv := &http.Server{
		Handler: refuseBodies(pages.after(a)),
		// A client gets 10 s for its headers and 30 s for the whole request,
		// so that slow senders (slowloris, dripped bodies) cannot hold
		// connections; feed readers send a few hundred bytes at once.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/"
	log.Info("serving", "url", url, "config", cfg.Origin, "database", cfg.Database, "sources", len(cfg.Sources))
	if err := serveAdmin(ctx, a); err != nil {
		return err
	}
	if _, err := servePprof(ctx, cfg.Pprof, log); err != nil {
		return err
	}
	a.logSources()
	if err := a.poller.Start(ctx); err != nil {
		return err
	}
	if ready != nil {
		ready(url)
	}
	retry := time.NewTicker(time.Minute)
	defer retry.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-retry.C:
			a.retryStale()
		case err := <-served:
			a.poller.Stop()
			return fmt.Errorf("the HTTP server stopped: %w", err)
		case <-hup:
			if reload != nil {
				a.reload(reload)
			} else {
				log.Warn("SIGHUP ignored: this config cannot be reloaded")
			}
		}
	}
	log.Info("stopping")
	releasing = true
	stop()
	a.release(srv)
	return nil
}

// stopWait is how long a stopping daemon waits for what is in progress (a
// batch being stored, a render, requests being answered) before it exits
// without it, so that the next daemon has the store within a second. What
// it leaves is safe to leave: bbolt drops a transaction that was not
// committed, and a poll whose items were not committed saved no validators,
// so they are fetched again.
const stopWait = 500 * time.Millisecond

// release stops the poller and the HTTP server and closes the store, waiting
// for them up to stopWait; what is still running then goes on in the
// background, so that a process that exits lets go of the store's lock.
// The round in progress renders nothing: the next daemon renders the store.
func (a *app) release(srv *http.Server) {
	a.stopping.Store(true)
	wait, cancel := context.WithTimeout(context.Background(), stopWait)
	defer cancel()
	answered := make(chan struct{})
	go func() {
		// Shutdown closes the listener at once, for the next daemon.
		if err := srv.Shutdown(wait); err != nil {
			srv.Close()
			a.log.Warn("stopping: requests still being answered were cut off", "err", err)
		}
		close(answered)
	}()
	released := make(chan struct{})
	go func() {
		a.poller.Stop()
		<-answered // requests read the store until they end
		a.Close()
		close(released)
	}()
	select {
	case <-released:
	case <-wait.Done():
		a.log.Warn("stopping without waiting for the work in progress (storing a batch, or rendering); what it did not commit is fetched again at the next start", "waited", stopWait)
	}
}

// releaseEvery is how often the daemon hands back the pages of the store
// that reads outside requests touched: a render reads every report.
const releaseEvery = 2 * time.Second

// releasingPages releases db's touched pages (releasePages) every
// releaseEvery until ctx ends, when a read began since the last release.
// Faulting a page back in costs a minor fault, as the page stays in the page
// cache.
func releasingPages(ctx context.Context, db *bolt.DB, log *slog.Logger) {
	newPageReleaser(db, log).every(ctx, releaseEvery)
}

// pageReleaser releases the store's touched pages (releasePages) once reads
// are done with them, and only when a read transaction began since its last
// release, so that a daemon serving its current feeds from memory does not
// release at all. Releases run one at a time.
type pageReleaser struct {
	db  *bolt.DB
	log *slog.Logger
	// seen is db's read transactions begun as of the last release, its own
	// included; -1 releases next time.
	seen atomic.Int64

	mu     sync.Mutex // held by the release under way
	failed bool       // releasing failed once: it is not tried again
}

func newPageReleaser(db *bolt.DB, log *slog.Logger) *pageReleaser {
	p := &pageReleaser{db: db, log: log}
	p.seen.Store(-1)
	return p
}

// release releases the store's pages if a read began since the last release.
func (p *pageReleaser) release() {
	if int64(p.db.Stats().TxN) == p.seen.Load() {
		return // most requests: without the lock
	}
	// A release under way releases this request's pages too, or finds the
	// request's read open and leaves seen at -1 for the next call: requests
	// do not queue for it.
	if !p.mu.TryLock() {
		return
	}
	defer p.mu.Unlock()
	before := p.db.Stats()
	if p.failed || int64(before.TxN) == p.seen.Load() {
		return
	}
	if err := releasePages(p.db); err != nil {
		p.failed = true
		p.log.Warn("unable to release the store's pages; RSS counts every page reads touched", "err", err)
		return
	}
	// A read that was open meanwhile may touch pages after the release: the
	// next call releases again, whatever began since.
	seen := int64(-1)
	if before.OpenTxN == 0 {
		seen = int64(before.TxN) + 1 // this release's own read
	}
	p.seen.Store(seen)
}

// every releases every interval until ctx ends.
func (p *pageReleaser) every(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.release()
		}
	}
}

// after releases the pages that h's request read before the request ends
// (the last of its response is written after h returns), so that what any
// request read, an archive, an API page, a crawler's sweep of the history,
// leaves the daemon's RSS when its answer is sent, not seconds later: at the
// cost of a read transaction and a madvise for each request that read the
// store (7-13 µs on the 10,000-report store here, re-faulting the pages
// of the next read included), nothing for the current feeds,
// which are served from memory.
func (p *pageReleaser) after(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		p.release()
	})
}

// maxHeaderBytes bounds a request's headers; larger ones get 431.
const maxHeaderBytes = 32 << 10

// refuseBodies answers a request that carries a body with 413 and closes the
// connection: nothing on the server reads one, and net/http would otherwise
// wait for the body before answering, to reuse the connection.
func refuseBodies(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			w.Header().Set("Connection", "close")
			http.Error(w, "this server takes no request bodies", http.StatusRequestEntityTooLarge)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func runPoll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("poll", "", stderr)
	path := fs.String("config", "", "config file (default ./iswfeed.yaml, else the embedded default)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	a, err := openApp(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	results := a.poller.PollAll(ctx)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATUS\tITEMS\tNEW/CHANGED\tSKIPPED\tHELD\tTIME\tNEXT POLL\tRESULT")
	failed := 0
	for _, r := range results {
		outcome := "ok"
		switch {
		case r.Err != nil:
			outcome, failed = r.Err.Error(), failed+1
		case r.NotModified:
			outcome = "not modified"
		}
		if src, ok := cfg.Source(r.Source); ok && r.Err == nil && r.ServedBy != "" && r.ServedBy != src.URL {
			outcome += fmt.Sprintf(" (from fallback urls[%d])", slices.Index(src.URLs, r.ServedBy))
		}
		rep, _ := a.lastIngest(r.Source)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", r.Source, statusText(r.Status), r.Items,
			rep.Changed, rep.Skipped, rep.Held, r.Duration.Round(time.Millisecond), ago(r.NextPoll), outcome)
	}
	tw.Flush()
	if failed > 0 && failed == len(results) && allNetwork(results) {
		return fmt.Errorf("no source could be reached: the network looks down")
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d sources failed", failed, len(results))
	}
	return nil
}

func allNetwork(results []fetch.Result) bool {
	for _, r := range results {
		if !errors.Is(r.Err, fetch.ErrNetwork) {
			return false
		}
	}
	return true
}

func statusText(code int) string {
	if code == 0 {
		return "-"
	}
	return strconv.Itoa(code)
}

func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "", stderr)
	path := fs.String("config", "", "config file to check (default ./iswfeed.yaml, else the embedded default)")
	store := fs.String("store", "", "also verify this store file (bbolt consistency and schema check)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *store != "" {
		if err := checkStoreFile(*store); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "# %s: consistent\n", *store)
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
