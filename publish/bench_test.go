package publish

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
