package publish

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pollStates stands for the daemon's poll states: the test changes them and
// moves the generation, as a saved poll cycle does.
type pollStates struct {
	mu    sync.Mutex
	err   string
	reads int
	gen   atomic.Uint64
}

func (p *pollStates) sources() ([]SourceStatus, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reads++
	return []SourceStatus{{Name: "spartanat", URL: spa.URL, Lang: "de", Role: "translation", LastError: p.err}}, nil
}

func (p *pollStates) fail(msg string) {
	p.mu.Lock()
	p.err = msg
	p.mu.Unlock()
	p.gen.Add(1)
}

func (p *pollStates) readCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads
}

func TestStatusIsRenderedOncePerChange(t *testing.T) {
	polls := &pollStates{}
	f := newFixture(t, Options{Sources: polls.sources, Generation: polls.gen.Load})
	threeReports(f)
	first := f.get("/status")
	for range 50 {
		if r := f.get("/status"); r.StatusCode != 200 || r.Header.Get("ETag") != first.Header.Get("ETag") {
			t.Fatalf("/status changed with nothing changed: %d %s", r.StatusCode, r.Header.Get("ETag"))
		}
	}
	if n := polls.readCount(); n != 1 {
		t.Errorf("51 requests with nothing changed rendered /status %d times, want 1", n)
	}

	f.ingest(isw, original("2023-03-30", "<p>March 30 report.</p>"))
	polls.gen.Add(1)
	if r := f.get("/status"); !strings.Contains(r.body, "4 reports") {
		t.Errorf("/status after a new report does not count it:\n%s", r.body)
	}

	polls.fail("upstream said 503")
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(f.get("/status").body, "upstream said 503") {
		if time.Now().After(deadline) {
			t.Fatal("/status never showed the failed poll")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStatusWithoutAGenerationIsAtMostASecondOld(t *testing.T) {
	polls := &pollStates{}
	f := newFixture(t, Options{Sources: polls.sources})
	threeReports(f)
	start := time.Now()
	for range 20 {
		f.get("/status")
	}
	if n, most := polls.readCount(), 2+int(time.Since(start)/statusMaxAge); n > most {
		t.Errorf("20 requests rendered /status %d times, want at most %d", n, most)
	}
	polls.fail("upstream said 503")
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(f.get("/status").body, "upstream said 503") {
		if time.Now().After(deadline) {
			t.Fatal("/status never showed the failed poll")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkStatus compares /status as served between changes with /status
// rendered afresh at 1,000 reports.
func BenchmarkStatus(b *testing.B) {
	f := bigStore(b, 1000)
	if err := f.srv.Refresh(); err != nil {
		b.Fatal(err)
	}
	var gen atomic.Uint64
	f.srv.opts.Generation = gen.Load
	req := httptest.NewRequest(http.MethodGet, "/status", nil)
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			f.srv.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
	b.Run("changed", func(b *testing.B) {
		for b.Loop() {
			gen.Add(1)
			f.srv.status.at = time.Time{}
			f.srv.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}
