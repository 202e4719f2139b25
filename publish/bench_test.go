package publish

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
)

// bigStore fills a fixture with n daily reports, each with an original and a
// German translation of realistic size.
func bigStore(b *testing.B, n int) *fixture {
	b.Helper()
	f := newFixture(b, Options{})
	body := strings.Repeat(`<p>Russian forces continued offensive operations <a href="/x">near Bakhmut</a>.</p>`, 300)
	start := day("2022-02-24")
	var en, de []fetch.Item
	for i := range n {
		date := start.AddDate(0, 0, i).Format(time.DateOnly)
		en = append(en, original(date, body))
		de = append(de, german(i+1, date, body))
	}
	if _, err := f.store.IngestBatch(isw, en); err != nil {
		b.Fatal(err)
	}
	if _, err := f.store.IngestBatch(spa, de); err != nil {
		b.Fatal(err)
	}
	return f
}

func serveBench(b *testing.B, f *fixture, headers ...string) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, "/feed.atom", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	for b.Loop() {
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusNotModified {
			b.Fatal(rec.Code)
		}
	}
}

func BenchmarkServeFeedNotModified(b *testing.B) {
	f := bigStore(b, 100)
	if err := f.srv.Refresh(); err != nil {
		b.Fatal(err)
	}
	etag := f.srv.site.Load().docs["/feed.atom"].etag
	serveBench(b, f, "If-None-Match", etag)
}

func BenchmarkServeFeedGzip(b *testing.B) {
	f := bigStore(b, 100)
	if err := f.srv.Refresh(); err != nil {
		b.Fatal(err)
	}
	serveBench(b, f, "Accept-Encoding", "gzip")
}

func BenchmarkRefresh(b *testing.B) {
	f := bigStore(b, 1000)
	b.Run("unchanged store", func(b *testing.B) {
		if err := f.srv.Refresh(); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := f.srv.Refresh(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("one translation changed", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			it := german(1000, "2024-11-19", fmt.Sprintf("<p>edit %d</p>", i))
			b.StopTimer()
			if _, err := f.store.IngestBatch(spa, []fetch.Item{it}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := f.srv.Refresh(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold: every entry sanitised", func(b *testing.B) {
		for b.Loop() {
			f.srv.mu.Lock()
			clear(f.srv.entries)
			f.srv.mu.Unlock()
			f.srv.site.Store(&site{docs: map[string]*document{}, lazy: map[string]*document{}})
			if err := f.srv.Refresh(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// discardWriter is a ResponseWriter that keeps its header map and drops the
// body, so that a benchmark measures the handler, not a recorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// BenchmarkServeBeside serves /feed.atom through ServeHTTP (with metrics, as
// the daemon does) and through a bare handler that sends the same headers
// of the same document: what iswfeed adds per request.
func BenchmarkServeBeside(b *testing.B) {
	f := bigStore(b, 100)
	f.srv = New(f.cfg, f.store, f.srv.log, Options{Registry: prometheus.NewRegistry()})
	if err := f.srv.Refresh(); err != nil {
		b.Fatal(err)
	}
	doc := f.srv.site.Load().docs["/feed.atom"]
	doc.gzipped()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		gz := r.Header.Get("Accept-Encoding") == "gzip"
		etag := doc.etagHeader
		if gz {
			etag = doc.gzEtagHeader
		}
		h["Etag"], h["Vary"], h["Cache-Control"], h["Last-Modified"] = etag, varyHeader, f.srv.cacheControl, doc.modifiedHeader
		h["Link"] = doc.header["Link"]
		if r.Header.Get("If-None-Match") == etag[0] {
			w.WriteHeader(304)
			return
		}
		h["Content-Encoding"], h["Content-Type"], h["Content-Length"] = gzipHeader, doc.typeHeader, doc.gzLengthHeader
		w.WriteHeader(200)
		w.Write(doc.gz)
	})
	for name, hdr := range map[string][]string{"304": {"If-None-Match", doc.gzEtag, "Accept-Encoding", "gzip"}, "gzip": {"Accept-Encoding", "gzip"}} {
		for hname, h := range map[string]http.Handler{"iswfeed": f.srv, "bare": bare} {
			b.Run(name+"/"+hname, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/feed.atom", nil)
				req.Header.Set(hdr[0], hdr[1])
				if len(hdr) > 2 {
					req.Header.Set(hdr[2], hdr[3])
				}
				w := &discardWriter{h: http.Header{}}
				for b.Loop() {
					clear(w.h)
					h.ServeHTTP(w, req)
				}
				if w.code != 200 && w.code != 304 {
					b.Fatal(w.code)
				}
			})
		}
	}
}

// BenchmarkServeRoutes serves, through ServeHTTP, a request of each kind the
// mux routes: what routing and the route's lookup cost beside the answer.
func BenchmarkServeRoutes(b *testing.B) {
	f := bigStore(b, 1000)
	f.srv = New(f.cfg, f.store, f.srv.log, Options{Registry: prometheus.NewRegistry()})
	if err := f.srv.Refresh(); err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/feed.atom", "/de/feed.atom", "/de+/feed.json", "/archive/2023-02.atom",
		"/updates/401", "/updates/russian-offensive/2023-03-29", "/api/updates/401", "/api", "/icon.svg", "/nothing"} {
		b.Run(strings.ReplaceAll(path, "/", "_"), func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			w := &discardWriter{h: http.Header{}}
			f.srv.ServeHTTP(w, req)
			if etag := w.h.Get("ETag"); etag != "" {
				req.Header.Set("If-None-Match", etag) // a 304: the answer costs least beside the routing
			}
			for b.Loop() {
				clear(w.h)
				f.srv.ServeHTTP(w, req)
			}
			if w.code != http.StatusNotModified && path != "/nothing" {
				b.Fatalf("%s: %d", path, w.code)
			}
		})
	}
}

// BenchmarkStatusAtScale renders /status afresh on a copy of a large store
// such as bench/scale.sh builds, after a poll that stored nothing and after
// one that stored a report: ISWFEED_BENCH_STORE names the copy's bbolt file
// (it gains a report per iteration) and ISWFEED_BENCH_CONFIG its config.
func BenchmarkStatusAtScale(b *testing.B) {
	dbPath, cfgPath := os.Getenv("ISWFEED_BENCH_STORE"), os.Getenv("ISWFEED_BENCH_CONFIG")
	if dbPath == "" || cfgPath == "" {
		b.Skip("ISWFEED_BENCH_STORE and ISWFEED_BENCH_CONFIG name a copy of a large store and its config")
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	store, err := dedupe.Open(db, cfg)
	if err != nil {
		b.Fatal(err)
	}
	var gen atomic.Uint64
	srv := New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Generation: gen.Load})
	if err := srv.Refresh(); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/status", nil)
	serve := func(b *testing.B) {
		gen.Add(1)
		srv.status.at = time.Time{} // past statusMaxAge
		w := &discardWriter{h: http.Header{}}
		srv.ServeHTTP(w, req)
		if w.code != 0 && w.code != http.StatusOK {
			b.Fatal(w.code)
		}
	}
	serve(b)
	b.Run("poll stored nothing", func(b *testing.B) {
		for b.Loop() {
			serve(b)
		}
	})
	src, _ := cfg.Source("isw")
	d := time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC)
	b.Run("poll stored a report", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			d = d.AddDate(0, 0, 1)
			it := original(d.Format(time.DateOnly), "<p>New.</p>")
			if _, err := store.IngestBatch(src, []fetch.Item{it}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			serve(b)
		}
	})
}

// BenchmarkFind resolves the oldest of 10,000 daily reports by number and by
// date, as a report page or an API lookup does on its first request.
func BenchmarkFind(b *testing.B) {
	ups := make([]dedupe.Update, 10000)
	start := day("2022-02-24")
	for i := range ups {
		ups[i] = dedupe.Update{Series: defaultSeries, Date: start.AddDate(0, 0, len(ups)-1-i), Number: len(ups) - i}
	}
	st := &site{updates: ups}
	for _, key := range []string{"1", "2022-02-24"} {
		b.Run(key, func(b *testing.B) {
			for b.Loop() {
				if _, err := st.find("", key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
