package fetch

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"iswfeed/config"
)

// Version names iswfeed in the User-Agent.
const Version = "0.1.0"

// Sink receives the items of one source's successful poll. It must commit them
// before returning: the poller saves the source's validators only afterwards.
type Sink interface {
	Ingest(ctx context.Context, src config.Source, items []Item) error
}

// Result is the outcome of one poll of one source.
type Result struct {
	Source   string
	Items    int
	Err      error
	Duration time.Duration
}

// Poller polls the configured sources on their schedules.
type Poller struct {
	cfg     *config.Config
	sink    Sink
	log     *slog.Logger
	fetcher *Fetcher
	cron    *cron.Cron
}

// NewPoller returns a poller for cfg's sources that hands their items to sink.
func NewPoller(cfg *config.Config, sink Sink, log *slog.Logger) *Poller {
	dialer := &net.Dialer{Timeout: cfg.Fetch.ConnectTimeout}
	client := &http.Client{
		Timeout:   cfg.Fetch.Timeout,
		Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: http.ProxyFromEnvironment},
	}
	return &Poller{
		cfg:  cfg,
		sink: sink,
		log:  log,
		fetcher: &Fetcher{
			Client:    client,
			UserAgent: fmt.Sprintf("iswfeed/%s (+%s)", Version, cfg.BaseURL),
			MaxBody:   cfg.Fetch.MaxBodyBytes,
		},
	}
}

// PollAll polls every source once, concurrently, and returns their results in config order.
func (p *Poller) PollAll(ctx context.Context) []Result {
	results := make([]Result, len(p.cfg.Sources))
	var wg sync.WaitGroup
	for i, src := range p.cfg.Sources {
		wg.Go(func() { results[i] = p.Poll(ctx, src) })
	}
	wg.Wait()
	return results
}

// Poll polls one source and hands its items to the sink.
func (p *Poller) Poll(ctx context.Context, src config.Source) Result {
	start := time.Now()
	res := Result{Source: src.Name}
	items, err := p.fetcher.Fetch(ctx, src)
	if err == nil {
		res.Items = len(items)
		err = p.sink.Ingest(ctx, src, items)
	}
	res.Err, res.Duration = err, time.Since(start)
	if err != nil {
		p.log.Warn("poll failed", "source", src.Name, "url", src.URL, "err", err)
	} else {
		p.log.Info("poll", "source", src.Name, "items", res.Items, "duration", res.Duration.Round(time.Millisecond))
	}
	return res
}

// Start runs each source on its cron schedule until Stop.
func (p *Poller) Start(ctx context.Context) error {
	p.cron = cron.New(
		cron.WithLocation(time.UTC),
		cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger), cron.Recover(cron.DefaultLogger)),
	)
	for _, src := range p.cfg.Sources {
		sched, err := config.ParseSchedule(p.cfg.ScheduleOf(src))
		if err != nil {
			return fmt.Errorf("fetch: schedule of %s: %w", src.Name, err)
		}
		p.cron.Schedule(sched, cron.FuncJob(func() { p.Poll(ctx, src) }))
	}
	p.cron.Start()
	return nil
}

// Stop stops the schedule and waits for running polls to finish.
func (p *Poller) Stop() {
	if p.cron != nil {
		<-p.cron.Stop().Done()
	}
}
