package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"iswfeed/config"
)

// loadPaths are what subscribers, people and other sites ask for.
var loadPaths = []string{
	"/feed.atom", "/feed.rss", "/feed.json", "/de/feed.atom", "/en/feed.json", "/", "/updates/373",
	"/api/updates", "/api/updates?limit=5", "/api/updates?lang=de", "/api/updates/373", "/api/sources",
	"/status", "/healthz", "/archive/2023-03.atom", "/icon.svg",
}

// loadClient is one of the concurrent clients: it remembers each path's ETag
// and revalidates with it every other time, and asks for gzip every other time.
type loadClient struct {
	http      *http.Client
	etags     map[string]string
	latencies []time.Duration
	failures  []string
}

func (c *loadClient) request(base string, n int) {
	path := loadPaths[n%len(loadPaths)]
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	conditional := n/len(loadPaths)%2 == 1 && c.etags[path] != ""
	if conditional {
		req.Header.Set("If-None-Match", c.etags[path])
	}
	if n%3 == 0 {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.failures = append(c.failures, fmt.Sprintf("%s: %v", path, err))
		return
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.latencies = append(c.latencies, time.Since(start))
	switch {
	case err != nil:
		c.failures = append(c.failures, fmt.Sprintf("%s: reading the body: %v", path, err))
	case resp.StatusCode == 200:
		c.etags[path] = resp.Header.Get("ETag")
	case resp.StatusCode == 304 && conditional:
	default:
		c.failures = append(c.failures, fmt.Sprintf("%s (conditional %v): %d", path, conditional, resp.StatusCode))
	}
}

// heapAfterGC is the live heap once the garbage is collected.
func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLoadWhileIngesting runs the daemon in the test's process while its
// sources publish a report every half second, and 200 clients ask for feeds,
// pages and the API for 10 s (30 s with ISWFEED_LONG=1), conditionally and
// not, with gzip and without. No request fails, and the heap comes back near
// where it was. It runs in the -race pass of CI (go test -race), where a data
// race fails it; without -race it runs only with ISWFEED_LONG=1.
func TestLoadWhileIngesting(t *testing.T) {
	if !raceBuild && !long() {
		t.Skip("runs under go test -race, or with ISWFEED_LONG=1")
	}
	duration := 10 * time.Second
	if long() {
		duration = 30 * time.Second
	}
	src := newLiveSources(t, 4000)
	for range 55 { // more than a feed holds: some reports are in the archives
		src.advance()
	}
	dir := t.TempDir()
	cfg, err := config.Load(writeLiveConfig(t, dir, "127.0.0.1:0", filepath.Join(dir, "iswfeed.db"), src))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(url string) { urls <- url }, nil)
	}()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := strings.TrimSuffix(<-urls, "/")
	for ready := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		code, body := get(base + "/api/updates/373")
		if code == 200 && strings.Contains(body, `"lang": "de"`) {
			break
		}
		if time.Now().After(ready) {
			t.Fatalf("no translation after 30 s: %d %s", code, body)
		}
	}

	const clients = 200
	warm := &loadClient{http: &http.Client{Timeout: 30 * time.Second}, etags: map[string]string{}}
	for n := range 2 * len(loadPaths) {
		warm.request(base, n)
	}
	baseline := heapAfterGC()

	ingesting := make(chan struct{})
	go func() {
		for {
			select {
			case <-ingesting:
				return
			case <-time.After(500 * time.Millisecond):
				src.revise()
			}
		}
	}()
	transport := &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}
	results := make([]*loadClient, clients)
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	var total atomic.Int64
	start := time.Now()
	for i := range clients {
		c := &loadClient{http: &http.Client{Transport: transport, Timeout: 30 * time.Second}, etags: map[string]string{}}
		results[i] = c
		wg.Go(func() {
			for n := i; time.Now().Before(deadline); n++ {
				c.request(base, n)
				total.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(ingesting)
	transport.CloseIdleConnections()
	var latencies []time.Duration
	var failures []string
	for _, c := range results {
		latencies = append(latencies, c.latencies...)
		failures = append(failures, c.failures...)
	}
	slices.Sort(latencies)
	p50, p99, count := percentile(latencies, 50), percentile(latencies, 99), len(latencies)
	results, latencies = nil, nil
	time.Sleep(2 * time.Second) // the last poll's render ends
	after := heapAfterGC()
	if len(failures) > 0 {
		t.Errorf("%d of %d requests failed, the first: %v", len(failures), total.Load(), failures[:min(5, len(failures))])
	}
	if after > baseline+baseline/2+8<<20 {
		t.Errorf("the heap did not come back: %d MiB before the load, %d MiB after", baseline>>20, after>>20)
	}
	newest := firstDay.AddDate(0, 0, reports(int(src.step.Load()))-1).Format(time.DateOnly)
	last := fmt.Sprintf("Revision %d.", src.revision.Load())
	for ingested := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, body := get(base + "/api/updates/russian-offensive/" + newest); strings.Contains(body, last) {
			break
		}
		if time.Now().After(ingested) {
			t.Fatalf("the last revision (%s) of %s was never served", last, newest)
		}
	}
	_, ups := get(base + "/api/updates?limit=500")
	t.Logf("race %v: %d clients, %d requests in %s: %.0f requests/s, p50 %s, p99 %s; heap %.1f MiB before, %.1f MiB after; %d revisions ingested, %d reports (%d bytes of /api/updates)",
		raceBuild, clients, count, elapsed.Round(time.Millisecond), float64(count)/elapsed.Seconds(),
		p50, p99, float64(baseline)/(1<<20), float64(after)/(1<<20), src.revision.Load(), reports(int(src.step.Load())), len(ups))
}

// percentile is the p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100].Round(10 * time.Microsecond)
}
