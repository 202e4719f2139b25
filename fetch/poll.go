package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"iswfeed/config"
)

// poll fetches one source (its URL, then its fallback addresses while they
// fail), hands its items to the sink and returns the result and the
// source's new state. t holds the source's host and a slot of the pool;
// poll ends it once the requests are done.
func (p *Poller) poll(ctx context.Context, j job, t *turn, src config.Source, before State, tick time.Time) (Result, State) {
	start := time.Now()
	st := stateFor(src, before)
	st.LastAttempt = start.UTC()
	st.NetworkDown = false

	resp, addr, err := p.fetchFirst(ctx, j, t, src, st)
	var feed parsed
	if err == nil && resp.IsModified() {
		feed, err = parse(src, resp.body, resp.header.Get("Content-Type"), resp.url, start)
		if err == nil && src.FullText {
			p.fullText(ctx, j, t, src, feed.items)
		}
	}
	// Nothing more is sent: the host and the slot are free for other polls
	// while the sink stores.
	t.end()
	if err == nil && resp.IsModified() {
		if ierr := p.ingest(ctx, src, feed.items); ierr != nil {
			err = failure(src.Name, ErrSink, ierr.Error(), ierr)
		}
	}
	now := time.Now()
	res := Result{Source: src.Name, Duration: now.Sub(start), Err: err, ServedBy: addr}
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
		st.LastError, st.ErrorKind = err.Error(), kindOf(err)
	} else {
		res.Items, res.Dropped, res.Truncated = len(feed.items), feed.dropped, feed.truncated
		st.LastSuccess = now.UTC()
		st.ConsecutiveFailures = 0
		st.LastError, st.ErrorKind = "", ""
		st.remember(addr, resp)
	}
	st.NextPoll = j.iv.next(j.scheds[src.Name], tick, now, asked, st.ConsecutiveFailures).UTC()
	res.NextPoll = st.NextPoll
	p.metrics.observe(res)
	return res, st
}

// fetchFirst GETs the source's addresses in order until one answers with
// something other than a challenge, a network failure or a 5xx. Each
// address gets its own validators. It returns the answer and its address,
// or the last address's failure.
func (p *Poller) fetchFirst(ctx context.Context, j job, t *turn, src config.Source, st State) (*response, string, error) {
	addrs := src.Addresses()
	var resp *response
	var err error
	for i, addr := range addrs {
		if i > 0 {
			p.log.Info("poll: trying a fallback address", "source", src.Name, "address", i, "after", err)
			wait, cancel := context.WithTimeout(ctx, j.cfg.Fetch.Timeout)
			werr := t.moveTo(wait, hostOf(addr))
			cancel()
			if werr != nil {
				return resp, addrs[i-1], err
			}
		}
		resp, err = j.fetcher.get(ctx, request{
			source: src.Name, url: addr, accept: acceptFeeds,
			Validators: st.validatorsOf(addr), maxBody: j.cfg.Fetch.MaxBodyBytes,
		})
		if !fallsBack(resp, err) {
			return resp, addr, err
		}
	}
	return resp, addrs[len(addrs)-1], err
}

// fallsBack reports whether an answer sends the poll on to the next address:
// a CDN's challenge, no connection or answer at all, or a server error.
func fallsBack(resp *response, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, ErrChallenge), errors.Is(err, ErrNetwork), errors.Is(err, ErrTimeout), errors.Is(err, ErrSlow):
		return true
	}
	return resp != nil && resp.status >= http.StatusInternalServerError
}

// ingest hands items to the sink, turning a panic into an error, since
// polls run in goroutines of their own.
func (p *Poller) ingest(ctx context.Context, src config.Source, items []Item) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("sink panicked", "source", src.Name, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	return p.sink.Ingest(ctx, src, items)
}

// networkDown reports whether a PollAll's failures look like the network
// rather than the sources: every source polled failed to connect, and every
// other configured source's last poll got no answer either. One source alone proves nothing.
func networkDown(results []Result, polled []int, states map[string]State, all []config.Source) bool {
	if len(polled) == 0 || len(all) < 2 {
		return false
	}
	inRun := map[string]bool{}
	for _, i := range polled {
		if !errors.Is(results[i].Err, ErrNetwork) {
			return false
		}
		inRun[results[i].Source] = true
	}
	for _, src := range all {
		// A source that answered at all, even 403, proves the network works.
		if !inRun[src.Name] && !states[src.Name].unreached() {
			return false
		}
	}
	return true
}

// forgiveNetwork keeps a source's failure count as it was before a poll that
// failed only because the network was down, and polls it again on schedule.
func forgiveNetwork(j job, src config.Source, before, after State, now time.Time) State {
	after.ConsecutiveFailures = stateFor(src, before).ConsecutiveFailures
	after.NetworkDown = true
	after.NextPoll = j.iv.next(j.scheds[src.Name], now, now, 0, 0).UTC()
	return after
}
