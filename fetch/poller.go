package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"go.etcd.io/bbolt"

	"iswfeed/config"
)

// Version names iswfeed in the User-Agent.
const Version = "0.2.0"

// stopGrace is how long Stop lets in-flight polls finish before cancelling them.
const stopGrace = 3 * time.Second

// Sink receives the items of one source's successful poll. It must commit them
// before returning: the poller saves the source's validators only afterwards.
type Sink interface {
	Ingest(ctx context.Context, src config.Source, items []Item) error
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
	Bytes    int64
	Duration time.Duration
	Err      error
	NextPoll time.Time
}

// Poller polls the configured sources on their schedules, one request at a
// time per host and at most cfg.Fetch.Concurrency at once.
type Poller struct {
	store *store
	sink  Sink
	log   *slog.Logger
	hosts hostLocks

	mu       sync.Mutex // guards the fields below
	cfg      *config.Config
	fetcher  *fetcher
	iv       interval
	scheds   map[string]cron.Schedule // by source name
	slots    chan struct{}
	inflight map[string]bool
	cron     *cron.Cron
	runCtx   context.Context
	cancel   context.CancelFunc
	running  sync.WaitGroup
}

// NewPoller returns a poller for cfg's sources that hands their items to sink
// and keeps their state in db, in buckets whose names start with "fetch.".
func NewPoller(cfg *config.Config, db *bbolt.DB, sink Sink, log *slog.Logger) (*Poller, error) {
	st, err := newStore(db)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Poller{store: st, sink: sink, log: log, inflight: map[string]bool{}}
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
	p.fetcher = newFetcher(cfg)
	p.iv = interval{min: cfg.MinInterval, max: cfg.MaxInterval, jitter: randomFraction}
	p.slots = make(chan struct{}, max(cfg.Fetch.Concurrency, 1))
	return nil
}

// PollAll polls every source now, still conditionally, and returns their
// results in config order.
func (p *Poller) PollAll(ctx context.Context) []Result {
	p.mu.Lock()
	srcs := p.cfg.Sources
	p.mu.Unlock()
	return p.cycle(ctx, srcs, time.Now(), every)
}

// Start polls every source on its cron schedule, at the first tick that is
// not before the source's persisted next poll, until Stop or ctx is done.
// Sources already due are polled at once.
func (p *Poller) Start(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cron != nil {
		return errors.New("fetch: poller already started")
	}
	if err := p.prune(p.cfg); err != nil {
		return err
	}
	p.runCtx, p.cancel = context.WithCancel(ctx)
	logger := cronLogger{p.log}
	p.cron = cron.New(
		cron.WithLocation(time.UTC),
		cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)),
		cron.WithLogger(logger),
	)
	p.scheduleLocked()
	p.cron.Start()
	runCtx, srcs := p.runCtx, p.cfg.Sources
	p.goCycle(runCtx, srcs)
	return nil
}

// scheduleLocked adds one cron job per distinct schedule: each tick is a
// cycle over the sources that share it.
func (p *Poller) scheduleLocked() {
	for _, e := range p.cron.Entries() {
		p.cron.Remove(e.ID)
	}
	seen := map[string]bool{}
	for _, src := range p.cfg.Sources {
		spec := p.cfg.ScheduleOf(src)
		if seen[spec] {
			continue
		}
		seen[spec] = true
		p.cron.Schedule(p.scheds[src.Name], cron.FuncJob(func() { p.tick(spec) }))
	}
}

func (p *Poller) tick(spec string) {
	p.mu.Lock()
	ctx := p.runCtx
	var srcs []config.Source
	for _, src := range p.cfg.Sources {
		if p.cfg.ScheduleOf(src) == spec {
			srcs = append(srcs, src)
		}
	}
	p.mu.Unlock()
	if ctx != nil && ctx.Err() == nil {
		p.cycle(ctx, srcs, time.Now(), dueAt)
	}
}

// Running reports whether the schedule runs: between Start and Stop.
func (p *Poller) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cron != nil
}

// Stop stops the schedule. Polls in flight get a few seconds to finish and
// are then cancelled; Stop returns when they have ended.
func (p *Poller) Stop() {
	p.mu.Lock()
	c, cancel := p.cron, p.cancel
	p.cron = nil
	p.mu.Unlock()
	if c == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		<-c.Stop().Done()
		p.running.Wait()
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
	p.fetcher.close()
	p.mu.Unlock()
}

// Reload switches to cfg without a restart: added sources (and any other that
// is due) are polled at once, removed ones forgotten, and the state of the others is kept (a
// source whose URL changed starts afresh, without the old URL's validators).
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
	if p.cron != nil {
		p.scheduleLocked()
		runCtx, srcs := p.runCtx, p.cfg.Sources
		p.goCycle(runCtx, srcs)
	}
	return nil
}

// prune forgets the state of sources that cfg no longer names; p.mu is held.
func (p *Poller) prune(cfg *config.Config) error {
	states, err := p.store.load()
	if err != nil {
		return err
	}
	var gone []string
	for name := range states {
		if _, ok := cfg.Source(name); !ok {
			gone = append(gone, name)
		}
	}
	return p.store.remove(gone...)
}

// job is what one cycle needs of the config, copied so a Reload does not change it mid-cycle.
type job struct {
	cfg     *config.Config
	fetcher *fetcher
	iv      interval
	scheds  map[string]cron.Schedule
	slots   chan struct{}
}

// selection picks, from a cycle's sources, those to poll at tick.
type selection func(st State, tick time.Time) bool

// every polls each source, whatever it asked for: `iswfeed poll`.
func every(State, time.Time) bool { return true }

// dueAt polls the sources whose next poll has come, within a second.
func dueAt(st State, tick time.Time) bool { return !st.NextPoll.After(tick.Add(time.Second)) }

// goCycle polls the due sources in the background, outside cron.
func (p *Poller) goCycle(ctx context.Context, srcs []config.Source) {
	p.running.Go(func() { p.cycle(ctx, srcs, time.Now(), dueAt) })
}

// ErrPanic is wrapped by the error of a sink that panicked: the source fails
// that poll, and the daemon and the other sources go on.
var ErrPanic = errors.New("fetch: the sink panicked")

// ingest hands items to the sink, turning a panic into an error; cron's
// Recover cannot see it, since polls run in the cycle's own goroutines.
func (p *Poller) ingest(ctx context.Context, src config.Source, items []Item) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("sink panicked", "source", src.Name, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	return p.sink.Ingest(ctx, src, items)
}

// cycle polls the sources of srcs that poll selects, and saves their states
// in one transaction at the end.
func (p *Poller) cycle(ctx context.Context, srcs []config.Source, tick time.Time, poll selection) []Result {
	// States are read under p.mu, where another cycle marks and unmarks its
	// sources in flight, and saves them before unmarking: so a source is
	// either busy here or read with what that cycle saved, never stale.
	p.mu.Lock()
	states, err := p.store.load()
	if err != nil {
		p.mu.Unlock()
		p.log.Error("poll cycle skipped", "err", err)
		return errResults(srcs, err)
	}
	j := job{cfg: p.cfg, fetcher: p.fetcher, iv: p.iv, scheds: p.scheds, slots: p.slots}
	var polled []int
	results := make([]Result, len(srcs))
	for i, src := range srcs {
		results[i] = Result{Source: src.Name, NextPoll: states[src.Name].NextPoll}
		if !poll(states[src.Name], tick) || p.inflight[src.Name] {
			continue
		}
		p.inflight[src.Name] = true
		polled = append(polled, i)
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		for _, i := range polled {
			delete(p.inflight, srcs[i].Name)
		}
		p.mu.Unlock()
	}()

	next := make([]State, len(srcs))
	q := newQueue(srcs, polled)
	var wg sync.WaitGroup
	for range min(cap(j.slots), len(polled)) {
		wg.Go(func() {
			for i, ok := q.take(); ok; i, ok = q.take() {
				src := srcs[i]
				st := stateFor(src, states[src.Name])
				results[i], next[i] = p.pollSource(ctx, j, src, st, tick)
				q.done(i)
			}
		})
	}
	wg.Wait()

	netDown := networkDown(results, polled, states, j.cfg.Sources)
	if netDown {
		p.log.Error("network looks down: every source failed to connect; not counting it against them", "sources", len(polled))
	}
	save := make([]State, 0, len(polled))
	for _, i := range polled {
		if ctx.Err() != nil && errors.Is(results[i].Err, context.Canceled) {
			continue // stopped, not failed: poll again after the restart
		}
		if netDown {
			next[i] = forgiveNetwork(j, srcs[i], states[srcs[i].Name], next[i], tick)
			results[i].NextPoll = next[i].NextPoll
		}
		save = append(save, next[i])
		p.logResult(results[i])
	}
	if err := p.store.save(save...); err != nil {
		p.log.Error("poll states not saved", "err", err)
	}
	return results
}

// stateFor returns a source's stored state, started afresh when its URL changed.
func stateFor(src config.Source, st State) State {
	if st.URL != src.URL {
		return State{Name: src.Name, URL: src.URL, OKCount: st.OKCount, NotModifiedCount: st.NotModifiedCount, ErrorCount: st.ErrorCount}
	}
	return st
}

// networkDown reports whether this cycle's failures look like the network
// rather than the sources: every source polled failed to connect, and every
// other configured source's last poll got no answer either (a cycle may hold only the
// sources that share a schedule or are due). One source alone proves nothing.
func networkDown(results []Result, polled []int, states map[string]State, all []config.Source) bool {
	if len(polled) == 0 || len(all) < 2 {
		return false
	}
	inCycle := map[string]bool{}
	for _, i := range polled {
		if !errors.Is(results[i].Err, ErrNetwork) {
			return false
		}
		inCycle[results[i].Source] = true
	}
	for _, src := range all {
		st := states[src.Name]
		// A source that answered at all, even 403, proves the network works.
		unreached := st.NetworkDown || st.ConsecutiveFailures > 0 && st.LastStatus == 0
		if !inCycle[src.Name] && !unreached {
			return false
		}
	}
	return true
}

// forgiveNetwork keeps a source's failure count as it was before a poll that
// failed only because the network was down, and polls it again on schedule.
func forgiveNetwork(j job, src config.Source, before, after State, tick time.Time) State {
	after.ConsecutiveFailures = stateFor(src, before).ConsecutiveFailures
	after.NetworkDown = true
	after.NextPoll = j.iv.next(j.scheds[src.Name], tick, time.Now(), 0, 0)
	return after
}

func errResults(srcs []config.Source, err error) []Result {
	results := make([]Result, len(srcs))
	for i, src := range srcs {
		results[i] = Result{Source: src.Name, Err: err}
	}
	return results
}

// pollSource waits for the source's host and a free slot (either may be
// taken by another cycle running at the same time), then polls it.
func (p *Poller) pollSource(ctx context.Context, j job, src config.Source, st State, tick time.Time) (Result, State) {
	release, err := p.hosts.lock(ctx, hostOf(src.URL))
	if err == nil {
		defer release()
		select {
		case j.slots <- struct{}{}:
			defer func() { <-j.slots }()
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		err = failure(src.Name, ErrTimeout, "cancelled while waiting for its turn", err)
		return Result{Source: src.Name, Err: err}, st
	}
	return p.poll(ctx, j, src, st, tick)
}

// poll fetches one source, hands new items to the sink and returns the
// result and the source's new state.
func (p *Poller) poll(ctx context.Context, j job, src config.Source, st State, tick time.Time) (Result, State) {
	start := time.Now()
	res := Result{Source: src.Name}
	st.LastAttempt = start.UTC()
	st.NetworkDown = false

	resp, err := j.fetcher.get(ctx, src, st.validators())
	var feed parsed
	if err == nil && resp.IsModified() {
		feed, err = parse(src, resp.body, resp.header.Get("Content-Type"), resp.url, start)
		if err == nil {
			if ierr := p.ingest(ctx, src, feed.items); ierr != nil {
				err = failure(src.Name, ErrSink, ierr.Error(), ierr)
			}
		}
	}
	now := time.Now()
	res.Duration = now.Sub(start)
	res.Err = err
	st.LastStatus = 0
	var asked time.Duration
	if resp != nil {
		res.Status, res.Bytes = resp.status, int64(len(resp.body))
		res.NotModified = !resp.IsModified()
		st.LastStatus = resp.status
		asked = max(resp.askedDelay(), feed.ttl)
	}
	if err != nil {
		st.ErrorCount++
		st.ConsecutiveFailures++
		st.LastError = err.Error()
	} else {
		res.Items, res.Dropped, res.Truncated = len(feed.items), feed.dropped, feed.truncated
		st.LastSuccess = now.UTC()
		st.ConsecutiveFailures = 0
		st.LastError = ""
		st.remember(resp)
	}
	st.NextPoll = j.iv.next(j.scheds[src.Name], tick, now, asked, st.ConsecutiveFailures).UTC()
	res.NextPoll = st.NextPoll
	observe(res)
	return res, st
}

// remember takes the validators of a successful answer. A 200 replaces them
// with exactly what it carried; a 304 changes nothing but may refresh them.
func (st *State) remember(resp *response) {
	if resp.IsModified() {
		st.OKCount++
		st.ETag, st.LastModified = resp.ETag(), resp.LastModified()
		return
	}
	st.NotModifiedCount++
	if etag := resp.ETag(); etag != "" {
		st.ETag = etag
	}
	if lm := resp.LastModified(); lm != "" && newer(lm, st.LastModified) {
		st.LastModified = lm
	}
}

// newer reports whether HTTP date a is after b (or b is not a date).
func newer(a, b string) bool {
	ta, err := http.ParseTime(a)
	if err != nil {
		return false
	}
	tb, err := http.ParseTime(b)
	return err != nil || ta.After(tb)
}

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

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return strings.ToLower(u.Host)
}

// queue hands a cycle's sources to its workers, never two of one host at
// once, so a worker does not sit waiting for a host while others are free.
type queue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	hosts   []string // by source index
	pending []int
	busy    map[string]bool
}

func newQueue(srcs []config.Source, polled []int) *queue {
	q := &queue{hosts: make([]string, len(srcs)), pending: append([]int(nil), polled...), busy: map[string]bool{}}
	q.cond = sync.NewCond(&q.mu)
	for _, i := range polled {
		q.hosts[i] = hostOf(srcs[i].URL)
	}
	return q
}

// take returns the next source whose host is free, waiting while all pending
// sources' hosts are busy; ok is false once nothing is pending.
func (q *queue) take() (i int, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) > 0 {
		for k, i := range q.pending {
			if !q.busy[q.hosts[i]] {
				q.pending = append(q.pending[:k], q.pending[k+1:]...)
				q.busy[q.hosts[i]] = true
				return i, true
			}
		}
		q.cond.Wait()
	}
	return 0, false
}

func (q *queue) done(i int) {
	q.mu.Lock()
	delete(q.busy, q.hosts[i])
	q.mu.Unlock()
	q.cond.Broadcast()
}

// hostLocks lets one request at a time reach each host (host:port as in the URL).
type hostLocks struct {
	mu    sync.Mutex
	locks map[string]chan struct{}
}

func (h *hostLocks) lock(ctx context.Context, host string) (release func(), err error) {
	h.mu.Lock()
	if h.locks == nil {
		h.locks = map[string]chan struct{}{}
	}
	ch, ok := h.locks[host]
	if !ok {
		ch = make(chan struct{}, 1)
		h.locks[host] = ch
	}
	h.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// cronLogger sends robfig/cron's messages (panics among them) to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
