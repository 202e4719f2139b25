package fetch

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// benchServeEnv makes the test binary serve loopback sources instead of
// running tests, so the benchmark's resident memory is the poller's alone.
const benchServeEnv = "ISWFEED_FETCH_BENCH_SERVE"

func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv(benchServeEnv)); err == nil {
		serveSources(n)
		return
	}
	os.Exit(m.Run())
}

// serveSources listens on n loopback ports, prints their feed URLs, and serves
// 304 to requests that bring back its ETag until standard input closes.
func serveSources(n int) {
	body, _ := os.ReadFile("testdata/wordpress.rss")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Write(body)
	})}
	out := bufio.NewWriter(os.Stdout)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go srv.Serve(ln)
		fmt.Fprintf(out, "http://%s/feed/\n", ln.Addr())
	}
	out.Flush()
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

// BenchmarkPollCycle304 measures one PollAll over 1,000 loopback sources that
// all answer 304. Each source listens on its own 127.0.0.1 port, so each is a
// host of its own and the per-host lock does not serialise them. The servers
// run in a child process; peak-rss-MiB is this process's peak resident set.
func BenchmarkPollCycle304(b *testing.B) {
	const sources = 1000
	urls := startSources(b, sources)
	p, _ := newPoller(b, testConfig(b, "", urls...), openDB(b), &sink{})
	for _, r := range p.PollAll(context.Background()) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	for b.Loop() {
		for _, r := range p.PollAll(context.Background()) {
			if r.Err != nil || !r.NotModified {
				b.Fatalf("%s: %+v", r.Source, r)
			}
		}
	}
	if kb := peakRSSKiB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-rss-MiB")
	}
}

func startSources(b *testing.B, n int) []string {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", benchServeEnv, n))
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	urls := make([]string, 0, n)
	for len(urls) < n && sc.Scan() {
		urls = append(urls, sc.Text())
	}
	if len(urls) != n {
		b.Fatalf("source server gave %d URLs: %v", len(urls), sc.Err())
	}
	return urls
}

// peakRSSKiB reads the process's high-water resident set from /proc (Linux).
func peakRSSKiB() int {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb
		}
	}
	return 0
}
