package fetch

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/robfig/cron/v3"

	"iswfeed/config"
)

// interval decides when a source is polled next.
type interval struct {
	min, max time.Duration
	// jitter draws a random fraction in [0,1); tests fix it.
	jitter func() float64
}

// next returns the later of the cron schedule's next tick after tick and now
// plus the delay the site asked for (or the backoff after failures), clamped
// to [now+min, now+max]. A little jitter spreads sources that a site or a
// backoff pushes past their tick, so they do not all return at once.
func (iv interval) next(sched cron.Schedule, tick, now time.Time, asked time.Duration, failures int) time.Time {
	wait := max(asked, iv.backoff(failures))
	if wait > 0 {
		wait += time.Duration(iv.jitter() * 0.1 * float64(wait))
	}
	at := now.Add(wait)
	if sched != nil {
		if c := sched.Next(tick); c.After(at) {
			at = c
		}
	}
	return clampTime(at, now.Add(iv.min), now.Add(iv.max))
}

// backoff doubles from the minimum interval with each consecutive failure.
func (iv interval) backoff(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	d := iv.min
	for i := 1; i < failures && d < iv.max; i++ {
		d *= 2
	}
	return min(d, iv.max)
}

func clampTime(t, lo, hi time.Time) time.Time {
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t
}

func randomFraction() float64 { return rand.Float64() }

// maxTick is the longest the scheduler sleeps before it looks again, so a
// clock step or a missed wake-up costs at most this much.
const maxTick = time.Second

// schedule starts each source's poll when it is due and its host and a slot
// are free, until loopCtx ends; polls run with pollCtx. No poll waits for
// another to end, except one on its host, which it must not overlap.
func (p *Poller) schedule(loopCtx, pollCtx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-loopCtx.Done():
			return
		case <-timer.C:
		case <-p.wake:
		}
		timer.Reset(p.dispatch(pollCtx, time.Now()))
	}
}

// dispatch starts every due source that can start now, earliest first, ends
// the round if nothing runs, and returns how long until the next one may be due.
func (p *Poller) dispatch(ctx context.Context, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	j := p.jobLocked()
	var due []config.Source
	wait := maxTick
	for _, src := range j.cfg.Sources {
		if p.inflight[src.Name] {
			continue
		}
		if at := p.states[src.Name].NextPoll; at.After(now) {
			wait = min(wait, at.Sub(now))
			continue
		}
		due = append(due, src)
	}
	slices.SortStableFunc(due, func(a, b config.Source) int {
		return p.states[a.Name].NextPoll.Compare(p.states[b.Name].NextPoll)
	})
	for _, src := range due {
		t, ok := p.limits.tryStart(hostOf(src.URL))
		if !ok {
			continue // its host or the pool is busy: the poll that ends wakes us
		}
		p.inflight[src.Name] = true
		p.joinRoundLocked()
		st := p.states[src.Name]
		p.polls.Go(func() {
			defer p.nudge() // the next dispatch ends the round if this was its last poll
			tick := st.NextPoll
			if tick.IsZero() {
				tick = now
			}
			res, next := p.poll(ctx, j, t, src, st, tick)
			if res.delivered() {
				p.mu.Lock()
				p.deliveredLocked()
				p.mu.Unlock()
			}
			p.settle(ctx, j, src, st, res, next)
		})
	}
	p.idleLocked()
	return wait
}

// settle saves the state of one scheduled poll as soon as it ends (its items
// are already committed), so the status pages are current within a second.
func (p *Poller) settle(ctx context.Context, j job, src config.Source, before State, res Result, next State) {
	defer func() {
		p.mu.Lock()
		delete(p.inflight, src.Name)
		p.mu.Unlock()
	}()
	if ctx.Err() != nil && errors.Is(res.Err, context.Canceled) {
		return // stopped, not failed: poll again after the restart
	}
	p.mu.Lock()
	if cur, ok := p.cfg.Source(src.Name); !ok || cur.URL != src.URL {
		p.mu.Unlock()
		return // removed or moved by a reload while it ran
	}
	if errors.Is(res.Err, ErrNetwork) && p.othersUnreached(src.Name) {
		if !p.netDown {
			p.log.Error("network looks down: every source failed to connect; not counting it against them", "sources", len(p.cfg.Sources))
		}
		p.netDown = true
		next = forgiveNetwork(j, src, before, next, time.Now())
		res.NextPoll = next.NextPoll
	} else if res.Status != 0 {
		p.netDown = false
	}
	p.mu.Unlock()
	p.logResult(res)
	if err := p.store.saveSoon(next); err != nil {
		p.log.Error("poll state not saved", "source", src.Name, "err", err)
	}
	p.mu.Lock()
	p.states[src.Name] = next
	p.mu.Unlock()
}

// othersUnreached reports whether every other configured source's last poll
// got no answer; p.mu is held. One source alone proves nothing.
func (p *Poller) othersUnreached(name string) bool {
	if len(p.cfg.Sources) < 2 {
		return false
	}
	for _, src := range p.cfg.Sources {
		if src.Name != name && !p.states[src.Name].unreached() {
			return false
		}
	}
	return true
}
