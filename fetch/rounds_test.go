package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"iswfeed/config"
)

// roundSink records, at each EndRound, how many Ingests it had had.
type roundSink struct {
	sink
	ends []int // guarded by sink.mu
}

func (s *roundSink) EndRound() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ends = append(s.ends, s.calls)
}

func (s *roundSink) ended() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ends)
}

// gated is a source whose requests wait until the test opens its gate.
type gated struct {
	*httptest.Server
	mu      sync.Mutex
	gate    chan struct{}
	waiting bool
}

func newGated(t *testing.T) *gated {
	g := &gated{gate: make(chan struct{})}
	body := fixture(t, "wordpress.rss")
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		gate := g.gate
		g.waiting = true
		g.mu.Unlock()
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		g.mu.Lock()
		g.waiting = false
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	t.Cleanup(func() {
		g.CloseClientConnections()
		g.Close()
	})
	return g
}

func (g *gated) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.gate)
	g.gate = make(chan struct{})
}

func (g *gated) isWaiting() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting
}

// roundsConfig is the config of urls, all on one hourly schedule (so each
// is polled once, at once), with timeouts beyond the tests' and roundWait.
func roundsConfig(t *testing.T, roundWait time.Duration, urls ...string) *config.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("schedule: \"@every 1h\"\nmin_interval: 1m\nmax_interval: 6h\nfetch: {timeout: 2m, first_byte_timeout: 2m}\nsources:\n")
	for i, u := range urls {
		fmt.Fprintf(&b, "  - {name: src%d, url: %q, lang: de, role: translation}\n", i, u)
	}
	cfg, err := config.Parse([]byte(b.String()), "test")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Fetch.RoundWait = roundWait // beyond what the config allows, for the tests whose deadline never comes
	return cfg
}

// roundsPoller starts a poller on roundsConfig's sources.
func roundsPoller(t *testing.T, s Sink, roundWait time.Duration, urls ...string) (*Poller, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	p, err := NewPoller(roundsConfig(t, roundWait, urls...), openDB(t), s, Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p, reg
}

// waitRounds waits until reg counts n rounds, by how they ended if end is set.
func waitRounds(t *testing.T, reg *prometheus.Registry, end string, n float64) {
	t.Helper()
	count := func() float64 {
		var sum float64
		for key, v := range gather(t, reg) {
			if strings.HasPrefix(key, "iswfeed_poll_rounds_total,") && (end == "" || key == "iswfeed_poll_rounds_total,end="+end) {
				sum += v
			}
		}
		return sum
	}
	for deadline := time.Now().Add(30 * time.Second); count() < n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("rounds (%q) counted: %v, want %v: %v", end, count(), n, gather(t, reg))
		}
	}
}

func TestSourcesDueTogetherMakeOneRound(t *testing.T) {
	body := fixture(t, "wordpress.rss")
	var urls []string
	for range 3 {
		urls = append(urls, serve(t, "application/rss+xml", body).URL)
	}
	s := &roundSink{}
	_, reg := roundsPoller(t, s, time.Hour, urls...)
	waitRounds(t, reg, "answered", 1)
	if got := s.ended(); !slices.Equal(got, []int{3}) {
		t.Errorf("EndRound saw %v Ingests; want one call after all three", got)
	}
}

func TestARoundOfNotModifiedTellsTheSinkNothing(t *testing.T) {
	srv := newConditionalServer(t)
	s := &roundSink{}
	p, _ := newPoller(t, testConfig(t, "", srv.URL), openDB(t), s)
	if r := pollOne(t, p); r.Err != nil || r.NotModified {
		t.Fatalf("first poll: %+v", r)
	}
	if r := pollOne(t, p); !r.NotModified {
		t.Fatalf("second poll: %+v", r)
	}
	if got := s.ended(); !slices.Equal(got, []int{1}) {
		t.Errorf("EndRound saw %v Ingests; want one call, after the first poll only", got)
	}
}

func TestAHangingSourceEndsItsRoundAtTheDeadline(t *testing.T) {
	fast := serve(t, "application/rss+xml", fixture(t, "wordpress.rss"))
	slow := newGated(t)
	s := &roundSink{}
	_, reg := roundsPoller(t, s, 100*time.Millisecond, fast.URL, slow.URL)
	waitRounds(t, reg, "deadline", 1)
	if !slow.isWaiting() {
		t.Fatal("the hanging source answered before its round's deadline")
	}
	if got := s.ended(); !slices.Equal(got, []int{1}) {
		t.Errorf("EndRound at the deadline saw %v Ingests; want one call after the fast source's", got)
	}
	slow.open()
	waitRounds(t, reg, "", 2)
	if got := s.ended(); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("EndRound saw %v Ingests; want one more call after the late answer", got)
	}
}

func TestStopEndsTheRoundInProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for Stop's grace")
	}
	fast := serve(t, "application/rss+xml", fixture(t, "wordpress.rss"))
	slow := newGated(t)
	s := &roundSink{}
	p, reg := roundsPoller(t, s, time.Hour, fast.URL, slow.URL)
	fastPolledSlowWaiting(t, s, slow)
	p.Stop()
	if got := s.ended(); !slices.Equal(got, []int{1}) {
		t.Errorf("EndRound by Stop saw %v Ingests; want one call after the fast source's", got)
	}
	waitRounds(t, reg, "stopped", 1)
}

func TestAReloadedRoundWaitEndsTheRoundsAfterIt(t *testing.T) {
	fast := serve(t, "application/rss+xml", fixture(t, "wordpress.rss"))
	slow := newGated(t)
	s := &roundSink{}
	p, reg := roundsPoller(t, s, time.Hour, fast.URL, slow.URL)
	fastPolledSlowWaiting(t, s, slow)
	slow.open()
	waitRounds(t, reg, "answered", 1)

	// The sources a reload adds are polled at once: a round of their own,
	// which the new round_wait ends while its slow source still hangs.
	slower := newGated(t)
	next := roundsConfig(t, 100*time.Millisecond, fast.URL, slow.URL, serve(t, "application/rss+xml", fixture(t, "wordpress.rss")).URL, slower.URL)
	if err := p.Reload(next); err != nil {
		t.Fatal(err)
	}
	waitRounds(t, reg, "deadline", 1)
	if !slower.isWaiting() {
		t.Fatal("the hanging source answered before its round's deadline")
	}
	if got := s.ended(); !slices.Equal(got, []int{2, 3}) {
		t.Errorf("EndRound saw %v Ingests; want a call after the first round's two and one at the deadline after the added fast source's", got)
	}
}

// fastPolledSlowWaiting waits until the fast source src0 has been stored and
// the slow one hangs in its answer: a round open on its slow source.
func fastPolledSlowWaiting(t *testing.T, s *roundSink, slow *gated) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); s.of("src0") == nil || !slow.isWaiting(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the fast source was not polled")
		}
	}
}
