package publish

import (
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
)

var (
	isw = config.Source{Name: "isw", URL: "https://www.understandingwar.org/feed/", Lang: "en", Role: config.RoleOriginal}
	spa = config.Source{Name: "spartanat", URL: "https://www.spartanat.com/feed/", Lang: "de", Role: config.RoleTranslation}
)

// fixture is a store in a real bbolt file, a server on it and an httptest
// server in front.
type fixture struct {
	t     testing.TB
	cfg   *config.Config
	db    *bolt.DB
	store *dedupe.Store
	srv   *Server
	web   *httptest.Server
}

func newFixture(t testing.TB, opts Options, edit ...func(*config.Config)) *fixture {
	t.Helper()
	cfg, db, store := openStore(t, append([]func(*config.Config){func(c *config.Config) { c.Sources = []config.Source{isw, spa} }}, edit...)...)
	f := &fixture{t: t, cfg: cfg, db: db, store: store}
	f.srv = New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	if err := f.srv.Refresh(); err != nil {
		t.Fatal(err)
	}
	f.web = httptest.NewServer(f.srv)
	t.Cleanup(f.web.Close)
	return f
}

// openStore opens a store in a real bbolt file for a config with a test
// base URL, edited and then read as the daemon reads its file.
func openStore(t testing.TB, edit ...func(*config.Config)) (*config.Config, *bolt.DB, *dedupe.Store) {
	t.Helper()
	cfg := &config.Config{BaseURL: "https://feeds.example.org/"}
	for _, e := range edit {
		e(cfg)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err = config.Parse(out, "test"); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(t.TempDir(), "iswfeed.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store, err := dedupe.Open(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, db, store
}

// ingest stores items of one source and refreshes the server, as the daemon does.
func (f *fixture) ingest(src config.Source, items ...fetch.Item) {
	f.t.Helper()
	if _, err := f.store.IngestBatch(src, items); err != nil {
		f.t.Fatal(err)
	}
	if err := f.srv.Refresh(); err != nil {
		f.t.Fatal(err)
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// original is ISW's report of date, with content.
func original(date, content string) fetch.Item {
	d := day(date)
	slug := strings.ToLower(d.Format("January-2-2006"))
	return fetch.Item{Source: "isw", Lang: "en", ID: "isw-" + date,
		Title:   "Russian Offensive Campaign Assessment, " + d.Format("January 2, 2006"),
		Link:    "https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-" + slug,
		Content: content, Published: d.Add(23 * time.Hour)}
}

var germanMonths = []string{"januar", "februar", "maerz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"}

// german is spartanat's translation of update n, the report of date.
func german(n int, date, content string) fetch.Item {
	d := day(date)
	return fetch.Item{Source: "spartanat", Lang: "de", ID: fmt.Sprintf("sp-%d", n),
		Title:   fmt.Sprintf("Ukraine: Die Lage %d", n),
		Link:    fmt.Sprintf("https://www.spartanat.com/%s/ukraine-die-lage-%d-%d-%s-%d/", d.Format("2006/01"), n, d.Day(), germanMonths[d.Month()-1], d.Year()),
		Content: content, Published: d.Add(48 * time.Hour)}
}

// response is what a client saw.
type response struct {
	*http.Response
	body string
}

// do sends a request with headers given as name, value pairs; it does not
// decompress, so that tests see the bytes on the wire.
func (f *fixture) do(method, path string, headers ...string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.web.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := f.web.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{resp, string(b)}
}

func (f *fixture) get(path string, headers ...string) response {
	f.t.Helper()
	return f.do(http.MethodGet, path, headers...)
}

func gunzip(t testing.TB, s string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// threeReports is a small history: reports of 26 February, 28 and 29 March
// 2023, the last translated into German as update 401.
func threeReports(f *fixture) {
	f.t.Helper()
	f.ingest(isw,
		original("2023-02-26", "<p>February report.</p>"),
		original("2023-03-28", "<p>March 28 report.</p>"),
		original("2023-03-29", "<p>March 29 report.</p>"),
	)
	f.ingest(spa, german(401, "2023-03-29", "<p>Die Lage am 29. März.</p>"))
}
