package main

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
	"iswfeed/publish"
)

// app is the daemon's parts, wired together. The config and the server are
// swapped whole on reload, so requests and polls never see half of a change.
type app struct {
	log    *slog.Logger
	db     *bolt.DB
	store  *dedupe.Store
	poller *fetch.Poller
	// metrics lives as long as the process, so counters survive reloads.
	metrics *prometheus.Registry
	cfg     atomic.Pointer[config.Config]
	server  atomic.Pointer[publish.Server]

	// stopping is set once the daemon stops: rendering is then the next
	// daemon's job.
	stopping atomic.Bool
	// stale is set while the feeds lag behind the store after a failed render;
	// changed while a poll round has stored something the feeds do not show yet.
	stale, changed atomic.Bool
	mu             sync.Mutex
	ingested       map[string]dedupe.Report // the last batch of each source, for poll's table
	// faults holds, by source, the error of an ingest that failed (a full
	// disk, say) until that source's next ingest succeeds; /healthz shows it.
	faults map[string]error
}

// sink hands a source's items to the store and, once per poll round that
// changed something, re-renders the feeds.
type sink struct{ a *app }

var _ fetch.RoundSink = sink{}

// Ingest stores items unless their poll is cancelled (the daemon stops),
// before or during the batch: a batch takes the store's lock for as long as
// it takes, which the next daemon would wait for, so a stop gives it up
// unwritten; the poll's validators are not saved, so its items are fetched
// again. A batch given up is no fault of the store's.
func (s sink) Ingest(ctx context.Context, src config.Source, items []fetch.Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rep, err := s.a.store.IngestBatchContext(ctx, src, items)
	if err != nil && ctx.Err() != nil {
		return err
	}
	s.a.mu.Lock()
	_, failing := s.a.faults[src.Name]
	if err != nil {
		s.a.faults[src.Name] = err
	} else {
		delete(s.a.faults, src.Name)
		s.a.ingested[src.Name] = rep
	}
	s.a.mu.Unlock()
	if err != nil {
		return err
	}
	if failing {
		s.a.log.Info("the store takes items again", "source", src.Name)
	}
	s.a.log.Debug("ingest", "source", src.Name, "seen", rep.Seen, "changed", rep.Changed, "skipped", rep.Skipped, "held", rep.Held)
	if rep.Changed > 0 {
		s.a.changed.Store(true)
	}
	return nil
}

// EndRound re-renders the feeds once for everything the round's polls
// stored, or after a failed render; a round that changed nothing renders
// nothing, nor does the round that Stop ends: the next daemon renders the
// store at its start.
func (s sink) EndRound() {
	if s.a.stopping.Load() {
		return
	}
	switch {
	case s.a.changed.Swap(false):
		s.a.refresh(publish.RenderRound)
	case s.a.stale.Load():
		s.a.refresh(publish.RenderRetry)
	}
}

// refresh re-renders the feeds, counting the render under cause. A failure
// is the site's, not the sources' whose items are already stored: it is
// logged, and retried by the next round or by retryStale.
func (a *app) refresh(cause string) {
	if err := a.server.Load().RefreshFor(cause); err != nil {
		a.stale.Store(true)
		a.log.Error("the feeds could not be rendered; they stay as they were until the next poll retries", "err", err)
		return
	}
	a.stale.Store(false)
}

// openApp opens the store, refusing one another iswfeed holds, and wires
// the daemon's parts to it.
func openApp(cfg *config.Config, log *slog.Logger) (*app, error) {
	db, err := openWritable(cfg.Database)
	if err != nil {
		return nil, stopDaemonFirst(err)
	}
	return newApp(cfg, db, log)
}

// newApp wires the daemon's parts to the open store db; it closes db if
// they cannot be.
func newApp(cfg *config.Config, db *bolt.DB, log *slog.Logger) (*app, error) {
	a := &app{log: log, db: db, ingested: map[string]dedupe.Report{}, faults: map[string]error{}}
	a.cfg.Store(cfg)
	if err := a.init(cfg); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) init(cfg *config.Config) error {
	var err error
	if a.store, err = dedupe.Open(a.db, cfg); err != nil {
		return err
	}
	if n := a.store.Reread(); n > 0 {
		a.log.Info("the stored items were read again by this version's rules", "reader", dedupe.ReaderVersion, "changed", n)
	}
	a.metrics = prometheus.NewRegistry()
	a.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := dedupe.RegisterMetrics(a.metrics, a.store); err != nil {
		return err
	}
	srv, err := a.newServer(cfg, publish.RenderStartup)
	if err != nil {
		return err
	}
	a.server.Store(srv)
	a.poller, err = fetch.NewPoller(cfg, a.db, sink{a}, fetch.Options{Log: a.log, Registry: a.metrics, Version: Version})
	return err
}

// newServer builds the HTTP side for cfg and renders its current feeds,
// counting those renders under cause (the daemon's start or a reload); the
// history is read in the background.
func (a *app) newServer(cfg *config.Config, cause string) (*publish.Server, error) {
	srv := publish.New(cfg, a.store, a.log, publish.Options{Sources: a.sourceStatuses, Health: a.health, Registry: a.metrics,
		Generation: a.generation, StartCause: cause})
	return srv, srv.Start()
}

// generation is the id of the store's last write: every ingest and every
// save of the poll states moves it.
func (a *app) generation() uint64 {
	var id int
	a.db.View(func(tx *bolt.Tx) error {
		id = tx.ID()
		return nil
	})
	return uint64(id)
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.server.Load().ServeHTTP(w, r) }

func (a *app) Close() error { return a.db.Close() }

// retryStale re-renders the feeds if the last render failed; serve calls it
// on a timer, since most rounds answer 304 and end without telling the sink.
func (a *app) retryStale() {
	if a.stale.Load() {
		a.refresh(publish.RenderRetry)
	}
}

// logSources says, once at start, how each source stood when the daemon last
// ran: a restart within a source's interval polls nothing at once.
func (a *app) logSources() {
	states, err := sourceStatuses(a.cfg.Load(), a.db, fetch.State.ErrorText)
	if err != nil {
		a.log.Error("unable to read the sources' state", "err", err)
		return
	}
	for _, s := range states {
		args := []any{"source", s.Name, "url", s.URL, "next_poll", s.NextPoll.Format(time.RFC3339)}
		switch {
		case s.LastAttempt.IsZero():
			a.log.Info("source never polled: polling now", "source", s.Name, "url", s.URL)
		case s.LastError != "":
			a.log.Warn("source failing since the last run", append(args, "failures", s.ConsecutiveFailures, "err", s.LastError)...)
		default:
			a.log.Info("source ok at the last run", append(args, "last_success", s.LastSuccess.Format(time.RFC3339))...)
		}
	}
}

// lastIngest returns what the last batch of a source did.
func (a *app) lastIngest(source string) (dedupe.Report, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rep, ok := a.ingested[source]
	return rep, ok
}

// sourceStatuses joins the configured sources with their poll state, for
// the public /status and /api/sources: a failure is told by its kind alone.
func (a *app) sourceStatuses() ([]publish.SourceStatus, error) {
	return sourceStatuses(a.cfg.Load(), a.db, fetch.State.PublicError)
}

// healthBody is /healthz's answer.
type healthBody struct {
	Status      string               `json:"status"`
	Scheduler   bool                 `json:"scheduler"`
	StoreBytes  int64                `json:"store_bytes"`
	LastSuccess map[string]time.Time `json:"last_success"`
	// FeedsStale says the last render failed: the feeds lag behind the store.
	FeedsStale bool   `json:"feeds_stale,omitempty"`
	Error      string `json:"error,omitempty"`
}

// health is 200 when the store is readable and takes items, and the
// scheduler runs; otherwise its status and error say why.
func (a *app) health() (any, bool) {
	body := healthBody{Status: "ok", Scheduler: a.poller.Running(), LastSuccess: map[string]time.Time{}, FeedsStale: a.stale.Load()}
	err := a.db.View(func(tx *bolt.Tx) error {
		body.StoreBytes = tx.Size()
		return nil
	})
	if err == nil {
		var states []fetch.State
		states, err = fetch.States(a.db)
		for _, s := range states {
			if !s.LastSuccess.IsZero() {
				body.LastSuccess[s.Name] = s.LastSuccess
			}
		}
	}
	fault := a.fault()
	switch {
	case err != nil:
		body.Status, body.Error = "store unreadable", err.Error()
	case fault != nil:
		body.Status, body.Error = "store not taking items", fault.Error()
	case !body.Scheduler:
		body.Status = "scheduler stopped"
	}
	return body, body.Status == "ok"
}

// fault is the error of a source whose last ingest failed, the first by
// name, or nil.
func (a *app) fault() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	names := slices.Sorted(maps.Keys(a.faults))
	if len(names) == 0 {
		return nil
	}
	return a.faults[names[0]]
}

// reload applies a new config to the running daemon. Each part is prepared
// before any is switched, so a config that does not load or apply is rejected
// whole and the old one keeps running.
func (a *app) reload(load func() (*config.Config, error)) {
	cfg, err := load()
	if err != nil {
		a.log.Error("reload: new config rejected, the old one keeps running", "err", err)
		return
	}
	old := a.cfg.Load()
	if cfg.Listen != old.Listen || cfg.Database != old.Database {
		a.log.Warn("reload: listen and database take effect only after a restart", "listen", old.Listen, "database", old.Database)
		cfg.Listen, cfg.Database = old.Listen, old.Database
	}
	rejected := func(err error) {
		if rerr := a.store.Configure(old); rerr != nil {
			a.log.Error("reload: unable to go back to the old calendar anchors and patterns", "err", rerr)
		}
		a.log.Error("reload: new config rejected, the old one keeps running", "err", err)
	}
	if err := a.store.Configure(cfg); err != nil {
		a.log.Error("reload: new config rejected, the old one keeps running", "err", err)
		return
	}
	srv, err := a.newServer(cfg, publish.RenderReload)
	if err != nil {
		rejected(err)
		return
	}
	if err := a.poller.Reload(cfg); err != nil {
		rejected(err)
		return
	}
	a.cfg.Store(cfg)
	a.server.Store(srv)
	a.mu.Lock()
	maps.DeleteFunc(a.faults, func(name string, _ error) bool { _, ok := cfg.Source(name); return !ok })
	a.mu.Unlock()
	// A round that ended between newServer and the swap refreshed the old server.
	a.refresh(publish.RenderReload)
	a.log.Info("reload: config applied", "config", cfg.Origin, "sources", len(cfg.Sources))
}
