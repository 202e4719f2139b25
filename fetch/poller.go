package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"
	"go.etcd.io/bbolt"

	"iswfeed/config"
)

// stopGrace is how long Stop lets in-flight polls finish before cancelling them.
const stopGrace = 3 * time.Second

// Sink receives the items of one source's successful poll. It must commit them
// before returning: the poller saves the source's validators only afterwards.
type Sink interface {
	Ingest(ctx context.Context, src config.Source, items []Item) error
}

// Options are what a poller is given besides its config, store and sink.
type Options struct {
	// Log receives one line per poll; nil discards them.
	Log *slog.Logger
	// Registry gets the poller's metrics; nil keeps them unregistered.
	Registry prometheus.Registerer
	// Version names iswfeed in the User-Agent.
	Version string
}

// Result is the outcome of one poll of one source.
type Result struct {
	Source string
	// Status is the HTTP status, 0 when no answer came.
	Status      int
	NotModified bool
	Items       int
	// Dropped counts the feed's items past the first 10,000, which were not
	// handed on; Truncated counts the items whose content was cut to 2 MiB.
	Dropped, Truncated int
	// Bytes is the size of the body after decompression.
	Bytes int64
	// ServedBy is the address that answered: the source's URL or a fallback.
	ServedBy string
	Duration time.Duration
	Err      error
	NextPoll time.Time
}

// Poller polls each configured source on its own schedule, independently of
// the others, one request at a time per host and at most
// cfg.Fetch.Concurrency at once.
type Poller struct {
	store    *store
	articles *articleStore
	sink     Sink
	log      *slog.Logger
	metrics  *metrics
	version  string
	limits   *limits
	// endMu keeps the sink's EndRound calls apart, and ending waits for
	// those in flight.
	endMu  sync.Mutex
	ending sync.WaitGroup
	// wake tells the scheduler that a poll ended or the config changed.
	wake chan struct{}

	mu       sync.Mutex // guards the fields below
	cfg      *config.Config
	fetcher  *fetcher
	iv       interval
	scheds   map[string]cron.Schedule // by source name
	states   map[string]State         // as saved, by source name
	inflight map[string]bool
	round    round
	netDown  bool // the last polls all failed to connect
	started  bool
	stop     context.CancelFunc // stops the scheduler
	cancel   context.CancelFunc // cancels polls in flight
	polls    sync.WaitGroup
	loop     sync.WaitGroup
}

// NewPoller returns a poller for cfg's sources that hands their items to sink
// and keeps their state in db, in buckets whose names start with "fetch.".
func NewPoller(cfg *config.Config, db *bbolt.DB, sink Sink, opts Options) (*Poller, error) {
	st, err := newStore(db)
	if err != nil {
		return nil, err
	}
	arts, err := newArticleStore(db)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, err
	}
	states, err := st.load()
	if err != nil {
		return nil, err
	}
	p := &Poller{
		store: st, articles: arts, sink: sink, log: opts.Log, metrics: m, version: opts.Version,
		limits: newLimits(1), wake: make(chan struct{}, 1), states: states, inflight: map[string]bool{},
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if err := p.configure(cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// configure installs cfg; the caller holds p.mu or owns p exclusively.
func (p *Poller) configure(cfg *config.Config) error {
	scheds := make(map[string]cron.Schedule, len(cfg.Sources))
	for _, src := range cfg.Sources {
		s, err := config.ParseSchedule(cfg.ScheduleOf(src))
		if err != nil {
			return fmt.Errorf("fetch: schedule of %s: %w", src.Name, err)
		}
		scheds[src.Name] = s
	}
	if p.fetcher != nil {
		p.fetcher.close()
	}
	p.cfg = cfg
	p.scheds = scheds
	p.fetcher = newFetcher(cfg, p.version)
	p.iv = interval{min: cfg.MinInterval, max: cfg.MaxInterval, jitter: randomFraction}
	p.limits.setMax(cfg.Fetch.Concurrency)
	return nil
}

// job is what one poll needs of the config, copied so a Reload does not change it mid-poll.
type job struct {
	cfg     *config.Config
	fetcher *fetcher
	iv      interval
	scheds  map[string]cron.Schedule
}

func (p *Poller) jobLocked() job {
	return job{cfg: p.cfg, fetcher: p.fetcher, iv: p.iv, scheds: p.scheds}
}

// Start polls every source on its own schedule until Stop or ctx is done:
// each at the first tick of its cron spec that is not before its persisted
// next poll. Sources already due are polled at once.
func (p *Poller) Start(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return errors.New("fetch: poller already started")
	}
	if err := p.prune(p.cfg); err != nil {
		return err
	}
	pollCtx, cancel := context.WithCancel(ctx)
	loopCtx, stop := context.WithCancel(pollCtx)
	p.started, p.stop, p.cancel = true, stop, cancel
	p.loop.Go(func() { p.schedule(loopCtx, pollCtx) })
	return nil
}

// Running reports whether the schedule runs: between Start and Stop.
func (p *Poller) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.started
}

// Stop stops the schedule. Polls in flight get a few seconds to finish and
// are then cancelled; Stop ends their round and returns when they and the
// sink's EndRound have ended.
func (p *Poller) Stop() {
	p.mu.Lock()
	started, stop, cancel := p.started, p.stop, p.cancel
	p.started = false
	p.mu.Unlock()
	if !started {
		return
	}
	stop()
	p.loop.Wait()
	done := make(chan struct{})
	go func() {
		p.polls.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopGrace):
		cancel()
		<-done
	}
	cancel()
	p.mu.Lock()
	if p.round.open || p.round.delivered {
		p.endRoundLocked(roundStopped)
	}
	p.fetcher.close()
	p.mu.Unlock()
	p.ending.Wait()
}

// Reload switches to cfg without a restart: added sources (and any other that
// is due) are polled at once, removed ones forgotten, and the state of the
// others is kept (a source whose URL changed starts afresh, without the old
// URL's validators). Polls in flight finish with the config they started with;
// a new fetch.round_wait applies to rounds whose first items arrive after it.
func (p *Poller) Reload(cfg *config.Config) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Prune first: if it fails, the poller is still wholly on the old config.
	if err := p.prune(cfg); err != nil {
		return err
	}
	if err := p.configure(cfg); err != nil {
		return err
	}
	p.nudge()
	return nil
}

// prune forgets the state and articles of sources that cfg no longer names; p.mu is held.
func (p *Poller) prune(cfg *config.Config) error {
	var gone []string
	for name := range p.states {
		if _, ok := cfg.Source(name); !ok {
			gone = append(gone, name)
		}
	}
	if err := p.store.remove(gone...); err != nil {
		return err
	}
	if err := p.articles.remove(gone...); err != nil {
		return err
	}
	for _, name := range gone {
		delete(p.states, name)
	}
	return nil
}

// nudge wakes the scheduler without waiting.
func (p *Poller) nudge() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// PollAll polls every source now, still conditionally, and returns their
// results in config order, once the sink's EndRound has acted on them: a
// PollAll is a round. Sources polled by the schedule at that moment are left
// to it, with an empty result.
func (p *Poller) PollAll(ctx context.Context) []Result {
	p.mu.Lock()
	j := p.jobLocked()
	srcs := j.cfg.Sources
	results := make([]Result, len(srcs))
	var polled []int
	before := make([]State, len(srcs))
	for i, src := range srcs {
		before[i] = p.states[src.Name]
		results[i] = Result{Source: src.Name, NextPoll: before[i].NextPoll}
		if !p.inflight[src.Name] {
			p.inflight[src.Name] = true
			polled = append(polled, i)
		}
	}
	p.mu.Unlock()

	next := make([]State, len(srcs))
	q := &queue{pending: slices.Clone(polled), host: func(i int) string { return hostOf(srcs[i].URL) }}
	var wg sync.WaitGroup
	for range min(max(j.cfg.Fetch.Concurrency, 1), len(polled)) {
		wg.Go(func() {
			for i, t, ok := q.take(ctx, p.limits); ok; i, t, ok = q.take(ctx, p.limits) {
				results[i], next[i] = p.poll(ctx, j, t, srcs[i], before[i], time.Now())
			}
		})
	}
	wg.Wait()
	p.settleAll(ctx, j, polled, results, before, next)
	p.endPollAll(results)
	return results
}

// queue hands PollAll's sources to its workers, each when its host and a
// slot are free, so no worker sits waiting for a host while others are free.
type queue struct {
	mu      sync.Mutex
	pending []int // source indexes
	host    func(i int) string
}

// take returns the next source that may start and its turn; ok is false once
// nothing is pending or ctx ended (what is pending then stays unpolled).
func (q *queue) take(ctx context.Context, l *limits) (i int, t *turn, ok bool) {
	for {
		q.mu.Lock()
		waiting := slices.Clone(q.pending)
		q.mu.Unlock()
		if len(waiting) == 0 {
			return 0, nil, false
		}
		hosts := make([]string, len(waiting))
		for k, i := range waiting {
			hosts[k] = q.host(i)
		}
		k, t, err := l.startAny(ctx, hosts)
		if err != nil {
			return 0, nil, false
		}
		q.mu.Lock()
		at := slices.Index(q.pending, waiting[k])
		if at >= 0 {
			q.pending = slices.Delete(q.pending, at, at+1)
		}
		q.mu.Unlock()
		if at >= 0 {
			return waiting[k], t, true
		}
		t.end() // another worker took it meanwhile
	}
}

// settleAll judges a PollAll as a whole (was it the network?), saves the
// states in one transaction and logs each result.
func (p *Poller) settleAll(ctx context.Context, j job, polled []int, results []Result, before, next []State) {
	srcs := j.cfg.Sources
	p.mu.Lock()
	netDown := networkDown(results, polled, p.states, srcs)
	p.netDown = netDown
	p.mu.Unlock()
	if netDown {
		p.log.Error("network looks down: every source failed to connect; not counting it against them", "sources", len(polled))
	}
	save := make([]State, 0, len(polled))
	for _, i := range polled {
		switch {
		case results[i].Err == nil && results[i].Status == 0 && next[i].Name == "":
			// never polled: cancelled while waiting for its turn
			results[i].Err = failure(srcs[i].Name, ErrTimeout, "cancelled while waiting for its turn", ctx.Err())
			continue
		case ctx.Err() != nil && errors.Is(results[i].Err, context.Canceled):
			continue // stopped, not failed: poll again after the restart
		case netDown:
			next[i] = forgiveNetwork(j, srcs[i], before[i], next[i], time.Now())
			results[i].NextPoll = next[i].NextPoll
		}
		save = append(save, next[i])
		p.logResult(results[i])
	}
	if err := p.store.save(save...); err != nil {
		p.log.Error("poll states not saved", "err", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range save {
		p.states[st.Name] = st
	}
	for _, i := range polled {
		delete(p.inflight, srcs[i].Name)
	}
	p.nudge()
}

// ErrPanic is wrapped by the error of a sink that panicked: the source fails
// that poll, and the daemon and the other sources go on.
var ErrPanic = errors.New("fetch: the sink panicked")

func (p *Poller) logResult(r Result) {
	args := []any{"source", r.Source, "status", r.Status, "duration", r.Duration.Round(time.Millisecond), "next_poll", r.NextPoll.Format(time.RFC3339)}
	switch {
	case r.Err != nil:
		p.log.Warn("poll failed", append(args, "err", r.Err)...)
	case r.NotModified:
		p.log.Info("poll: not modified", args...)
	case r.Dropped > 0 || r.Truncated > 0:
		p.log.Warn("poll: feed cut to bounds", append(args, "items", r.Items, "bytes", r.Bytes, "items_dropped", r.Dropped, "contents_truncated", r.Truncated)...)
	default:
		p.log.Info("poll", append(args, "items", r.Items, "bytes", r.Bytes)...)
	}
}
