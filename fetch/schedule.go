package fetch

import (
	"math/rand/v2"
	"time"

	"github.com/robfig/cron/v3"
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
