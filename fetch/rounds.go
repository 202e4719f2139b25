package fetch

import (
	"runtime/debug"
	"time"
)

// A RoundSink is a Sink that is told when a poll round ends, so that it acts
// once on everything the round's polls stored (the daemon renders its feeds
// then, not after each source).
//
// A round is the polls that run together: it opens when a poll starts while
// none runs, and ends when no poll runs and none is due, that is when every
// source polled in it has answered or given up; or, if one of its polls
// handed items to the sink, fetch.round_wait (5 s by default) after the
// first that did, whichever comes first: a source that hangs delays what the
// others brought by no more than that. The polls still running then belong to the next round.
// Sources on one schedule are due at the same tick and so make one round;
// sources on schedules of their own make rounds of their own. A PollAll is a
// round by itself.
type RoundSink interface {
	Sink
	// EndRound is called once after the last poll of each round that handed
	// items to the sink (as Ingest, whatever it stored), and at Stop for the
	// round in progress; never for a round whose polls all answered 304 or
	// failed. Calls never overlap.
	EndRound()
}

// Round ends, the label of iswfeed_poll_rounds_total.
const (
	roundAnswered = "answered" // every poll of it answered or gave up
	roundDeadline = "deadline" // fetch.round_wait after its first delivery
	roundStopped  = "stopped"  // the poller stopped
)

// round is the scheduler's round in progress; the poller's mu guards it.
type round struct {
	// seq names the round, so that a deadline that fires late ends only its own.
	seq       uint64
	open      bool        // a poll of it was started
	delivered bool        // one of its polls handed items to the sink
	deadline  *time.Timer // ends it fetch.round_wait after its first delivery
}

// delivered reports whether a poll handed items to the sink, which stored them.
func (r Result) delivered() bool { return r.Err == nil && r.Status != 0 && !r.NotModified }

// joinRoundLocked counts a poll that the scheduler starts in the round in
// progress, opening one if none is; p.mu is held.
func (p *Poller) joinRoundLocked() { p.round.open = true }

// deliveredLocked records that a poll of the round in progress handed items
// to the sink, and sets the round's deadline at the first, by the config in
// force then; p.mu is held.
func (p *Poller) deliveredLocked() {
	if p.round.delivered {
		return
	}
	p.round.delivered = true
	seq := p.round.seq
	p.round.deadline = time.AfterFunc(p.cfg.Fetch.RoundWait, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.round.seq == seq {
			p.endRoundLocked(roundDeadline)
		}
	})
}

// idleLocked ends the round in progress if no poll runs; dispatch calls it
// after it started every source that is due and can start, so that nothing
// running means nothing due either. p.mu is held.
func (p *Poller) idleLocked() {
	if p.round.open && len(p.inflight) == 0 {
		p.endRoundLocked(roundAnswered)
	}
}

// endRoundLocked ends the round in progress and opens the next, which holds
// the polls still running, if any; p.mu is held. The sink is told in the
// background, so that the scheduler never waits for it.
func (p *Poller) endRoundLocked(how string) {
	ended := p.round
	if ended.deadline != nil {
		ended.deadline.Stop()
	}
	p.round = round{seq: ended.seq + 1, open: len(p.inflight) > 0}
	if !ended.delivered {
		p.metrics.rounds.WithLabelValues(how).Inc()
		return
	}
	p.ending.Go(func() { p.tellRound(how) })
}

// tellRound tells the sink that a round which handed it items ended, and
// counts the round once the sink is done with it.
func (p *Poller) tellRound(how string) {
	p.endMu.Lock()
	defer p.endMu.Unlock()
	defer p.metrics.rounds.WithLabelValues(how).Inc()
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("sink panicked at the end of a round", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if rs, ok := p.sink.(RoundSink); ok {
		rs.EndRound()
	}
}

// endPollAll ends the round of a PollAll before it returns, so that its
// caller finds what the polls brought acted on.
func (p *Poller) endPollAll(results []Result) {
	for _, r := range results {
		if r.delivered() {
			p.tellRound(roundAnswered)
			return
		}
	}
	p.metrics.rounds.WithLabelValues(roundAnswered).Inc()
}
