package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"iswfeed/config"
)

// testConfig returns a config for the given source URLs with limits small
// enough that the slow cases end in a couple of seconds.
func testConfig(t testing.TB, extra string, urls ...string) *config.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("base_url: https://feeds.example.org/\nschedule: \"@every 30m\"\nmin_interval: 1m\nmax_interval: 6h\n")
	b.WriteString("fetch:\n  connect_timeout: 1s\n  timeout: 2s\n  max_body_bytes: 1048576\n  concurrency: 8\n")
	b.WriteString(extra)
	b.WriteString("sources:\n")
	for i, u := range urls {
		fmt.Fprintf(&b, "  - {name: src%d, url: %q, lang: de, role: translation}\n", i, u)
	}
	cfg, err := config.Parse([]byte(b.String()), "test")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func openDB(t testing.TB) *bbolt.DB {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "iswfeed.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sink records what the poller hands on; err makes Ingest fail.
type sink struct {
	mu    sync.Mutex
	items map[string][]Item
	calls int
	err   error
}

func (s *sink) Ingest(_ context.Context, src config.Source, items []Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return s.err
	}
	if s.items == nil {
		s.items = map[string][]Item{}
	}
	s.items[src.Name] = items
	return nil
}

func (s *sink) of(name string) []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.items[name]
}

// logBuffer collects log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newPoller(t testing.TB, cfg *config.Config, db *bbolt.DB, s Sink) (*Poller, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	p, err := NewPoller(cfg, db, s, Options{Log: slog.New(slog.NewTextHandler(logs, nil)), Version: testVersion})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p, logs
}

// testVersion is what the tests' pollers call iswfeed's version.
const testVersion = "0.0.0-test"

// pollScheduled polls one source now as the schedule would, state saved as
// soon as it ends, and returns its result.
func pollScheduled(t testing.TB, p *Poller, name string) Result {
	t.Helper()
	ctx := context.Background()
	p.mu.Lock()
	j := p.jobLocked()
	src, ok := j.cfg.Source(name)
	st := p.states[name]
	p.inflight[name] = true
	p.mu.Unlock()
	if !ok {
		t.Fatalf("no source %s", name)
	}
	turn, ok := p.limits.tryStart(hostOf(src.URL))
	if !ok {
		t.Fatalf("%s's host is busy", name)
	}
	res, next := p.poll(ctx, j, turn, src, st, time.Now())
	p.settle(ctx, j, src, st, res, next)
	return res
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve returns a server that answers every request with body and type.
func serve(t testing.TB, contentType string, body []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func stateOf(t testing.TB, db *bbolt.DB, name string) State {
	t.Helper()
	states, err := States(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no state for %s in %v", name, states)
	return State{}
}

func pollOne(t testing.TB, p *Poller) Result {
	t.Helper()
	res := p.PollAll(context.Background())
	if len(res) != 1 {
		t.Fatalf("got %d results, want 1", len(res))
	}
	return res[0]
}

func wantErr(t testing.TB, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want one wrapping %q", err, want)
	}
}
