package fetch

import (
	"context"
	"net/url"
	"strings"
	"sync"
)

// limits is the poller's concurrency control: at most max polls at once
// (the worker pool) and one request at a time per host (host:port as in the URL).
// It never makes a caller wait while it holds a host, so it cannot deadlock.
type limits struct {
	mu     sync.Mutex
	max    int
	active int
	busy   map[string]bool
	// freed is closed and replaced whenever a slot or a host is released.
	freed chan struct{}
}

func newLimits(max int) *limits {
	return &limits{max: max, busy: map[string]bool{}, freed: make(chan struct{})}
}

// setMax changes the pool's size; polls beyond it finish as they are.
func (l *limits) setMax(n int) {
	l.mu.Lock()
	l.max = max(n, 1)
	l.mu.Unlock()
	l.notify()
}

// tryStart takes a slot and host if both are free, without waiting.
func (l *limits) tryStart(host string) (*turn, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.takeLocked(host) {
		return nil, false
	}
	return &turn{l: l, host: host}, true
}

// takeLocked takes a slot and host if both are free; l.mu is held.
func (l *limits) takeLocked(host string) bool {
	if l.active >= l.max || l.busy[host] {
		return false
	}
	l.active++
	l.busy[host] = true
	return true
}

// startAny waits until a slot and the host of one of hosts are free, takes
// them and returns that host's index.
func (l *limits) startAny(ctx context.Context, hosts []string) (int, *turn, error) {
	for {
		l.mu.Lock()
		freed := l.freed
		for i, h := range hosts {
			if l.takeLocked(h) {
				l.mu.Unlock()
				return i, &turn{l: l, host: h}, nil
			}
		}
		l.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		}
	}
}

// waitHost takes host, waiting while another request holds it.
func (l *limits) waitHost(ctx context.Context, host string) error {
	for {
		l.mu.Lock()
		freed := l.freed
		if !l.busy[host] {
			l.busy[host] = true
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (l *limits) releaseHost(host string) {
	l.mu.Lock()
	delete(l.busy, host)
	l.mu.Unlock()
	l.notify()
}

func (l *limits) releaseSlot() {
	l.mu.Lock()
	l.active--
	l.mu.Unlock()
	l.notify()
}

func (l *limits) notify() {
	l.mu.Lock()
	close(l.freed)
	l.freed = make(chan struct{})
	l.mu.Unlock()
}

// turn is one poll's place in the pool and the host it may send to now.
type turn struct {
	l     *limits
	host  string
	ended bool
}

// moveTo gives up the turn's host and takes another (a fallback address, an
// article's page), waiting for it; on an error the turn holds no host.
func (t *turn) moveTo(ctx context.Context, host string) error {
	if host == t.host {
		return nil
	}
	t.leaveHost()
	if err := t.l.waitHost(ctx, host); err != nil {
		return err
	}
	t.host = host
	return nil
}

// leaveHost gives the turn's host back, keeping its slot: the poll goes on
// without sending anything more to it (storing items, say).
func (t *turn) leaveHost() {
	if t.host != "" {
		t.l.releaseHost(t.host)
		t.host = ""
	}
}

// end gives the turn's slot and host back; ending it again does nothing.
func (t *turn) end() {
	t.leaveHost()
	if !t.ended {
		t.ended = true
		t.l.releaseSlot()
	}
}

// hostOf returns the host:port a URL's requests go to, the key of the per-host limit.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return strings.ToLower(u.Host)
}
