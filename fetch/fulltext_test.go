package fetch

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.etcd.io/bbolt"
)

// teaserSite is a source whose feed gives only teasers of its articles:
// 401's page answers with the article (304 to its ETag), 400's fails while
// broken is set, and 399 links a page on a loopback address no source names.
type teaserSite struct {
	*httptest.Server
	teaser401 atomic.Value // string
	broken    atomic.Bool
	elsewhere string
	// elsewhereHits counts the requests that reached the page no source names.
	elsewhereHits *atomic.Int64

	mu   sync.Mutex
	hits map[string][]string // If-None-Match of each request, by path
}

func newTeaserSite(t *testing.T) *teaserSite {
	t.Helper()
	other, otherHits := listenOn(t, "127.0.0.2")
	s := &teaserSite{hits: map[string][]string{}, elsewhere: other.URL + "/2023/03/die-lage-399/", elsewhereHits: otherHits}
	s.teaser401.Store("Die russischen Streitkräfte setzten ihre Offensivoperationen fort […]")
	s.broken.Store(true)
	article := fixture(t, "article.html")
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path] = append(s.hits[r.URL.Path], r.Header.Get("If-None-Match"))
		s.mu.Unlock()
		switch r.URL.Path {
		case "/feed/":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>SPARTANAT</title><link>%[1]s/</link>
<item><title>Ukraine: Die Lage 401</title><link>%[1]s/2023/03/die-lage-401/</link><guid>p401</guid><pubDate>Thu, 30 Mar 2023 17:45:00 +0000</pubDate><description>%[2]s</description></item>
<item><title>Ukraine: Die Lage 400</title><link>%[1]s/2023/03/die-lage-400/</link><guid>p400</guid><pubDate>Wed, 29 Mar 2023 17:40:00 +0000</pubDate><description>Kurzfassung 400.</description></item>
<item><title>Ukraine: Die Lage 399</title><link>%[3]s</link><guid>p399</guid><pubDate>Tue, 28 Mar 2023 17:40:00 +0000</pubDate><description>Kurzfassung 399.</description></item>
</channel></rss>`, s.URL, s.teaser401.Load(), s.elsewhere)
		case "/2023/03/die-lage-401/":
			if r.Header.Get("If-None-Match") == `"a401"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"a401"`)
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			w.Write(article)
		case "/2023/03/die-lage-400/":
			if s.broken.Load() {
				http.Error(w, "down", http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			w.Write(article)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *teaserSite) requests(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits[path]...)
}

func TestFullText(t *testing.T) {
	site := newTeaserSite(t)
	db := openDB(t)
	sk := &sink{}
	cfg := testConfig(t, "", site.URL+"/feed/")
	cfg.Sources[0].FullText = true
	reg := prometheus.NewRegistry()
	p, err := NewPoller(cfg, db, sk, Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	content := func(guid string) string {
		for _, it := range sk.of("src0") {
			if it.ID == guid {
				return it.Content
			}
		}
		t.Fatalf("no item %s", guid)
		return ""
	}
	if r := pollOne(t, p); r.Err != nil {
		t.Fatal(r.Err)
	}
	t.Run("the article replaces the teaser, with absolute URLs and without the page's chrome", func(t *testing.T) {
		c := content("p401")
		for _, want := range []string{"Bachmut", "Saporischschja", `src="` + site.URL + `/wp-content/uploads/2023/03/karte-401.png"`, `href="` + site.URL + `/2023/03/archiv/"`} {
			if !strings.Contains(c, want) {
				t.Errorf("article lacks %q:\n%s", want, c)
			}
		}
		for _, unwanted := range []string{"Rucksack", "Impressum", "Offensivoperationen fort […]"} {
			if strings.Contains(c, unwanted) {
				t.Errorf("article has %q:\n%s", unwanted, c)
			}
		}
	})
	t.Run("a page that fails keeps the teaser", func(t *testing.T) {
		if c := content("p400"); c != "Kurzfassung 400." {
			t.Errorf("content %q", c)
		}
	})
	t.Run("a page on a private address that no source names is not fetched", func(t *testing.T) {
		if c := content("p399"); c != "Kurzfassung 399." || site.elsewhereHits.Load() != 0 {
			t.Errorf("content %q; %d requests reached the private address", c, site.elsewhereHits.Load())
		}
	})

	if r := pollOne(t, p); r.Err != nil {
		t.Fatal(r.Err)
	}
	t.Run("an unchanged item's page is never fetched twice", func(t *testing.T) {
		if n := len(site.requests("/2023/03/die-lage-401/")); n != 1 {
			t.Errorf("page fetched %d times", n)
		}
		if !strings.Contains(content("p401"), "Bachmut") {
			t.Errorf("the second poll handed on the teaser: %s", content("p401"))
		}
	})
	t.Run("a failed page waits for its backoff", func(t *testing.T) {
		if n := len(site.requests("/2023/03/die-lage-400/")); n != 1 {
			t.Errorf("failed page fetched %d times in two polls", n)
		}
	})

	site.teaser401.Store("Ein geänderter Anreißer.")
	site.broken.Store(false)
	expireBackoffs(t, p, "src0")
	if r := pollOne(t, p); r.Err != nil {
		t.Fatal(r.Err)
	}
	t.Run("a changed item's page is fetched again, conditionally", func(t *testing.T) {
		reqs := site.requests("/2023/03/die-lage-401/")
		if len(reqs) != 2 || reqs[1] != `"a401"` {
			t.Errorf("requests with If-None-Match %q", reqs)
		}
		if !strings.Contains(content("p401"), "Bachmut") {
			t.Errorf("304 lost the article: %s", content("p401"))
		}
	})
	t.Run("a failed page is tried again after its backoff", func(t *testing.T) {
		if n := len(site.requests("/2023/03/die-lage-400/")); n != 2 || !strings.Contains(content("p400"), "Bachmut") {
			t.Errorf("fetched %d times; content %q", n, content("p400"))
		}
	})
	t.Run("each page fetch is counted by outcome", func(t *testing.T) {
		got := gather(t, reg)
		// 401 fetched, 400 fetched after its retry; 401 unchanged once; 400 failed once, 399 refused twice.
		for outcome, want := range map[string]float64{"ok": 2, "not_modified": 1, "error": 3} {
			if key := "iswfeed_full_text_fetches_total,outcome=" + outcome + ",source=src0"; got[key] != want {
				t.Errorf("%s = %v, want %v", key, got[key], want)
			}
		}
	})
}

// expireBackoffs moves every failed article's next try of a source into the past.
func expireBackoffs(t *testing.T, p *Poller, source string) {
	t.Helper()
	expired := 0
	err := p.store.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(articleBucket).Bucket([]byte(source))
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var a article
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			if a.Failures == 0 {
				continue
			}
			a.RetryAt = time.Now().Add(-time.Minute)
			v, _ := json.Marshal(a)
			if err := b.Put(k, v); err != nil {
				return err
			}
			expired++
		}
		return nil
	})
	if err != nil || expired == 0 {
		t.Fatalf("expired %d failed articles: %v", expired, err)
	}
}
