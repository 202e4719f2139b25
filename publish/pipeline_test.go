package publish

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// pipeline is the daemon's flow inside one test: a real fetch.Poller polls
// loopback sources into a real store, and a Server publishes it, with the poll
// state on /status and /api/sources as the daemon wires it.
type pipeline struct {
	*fixture
	poller *fetch.Poller
}

func newPipeline(t testing.TB, sources []config.Source, edit ...func(*config.Config)) *pipeline {
	t.Helper()
	cfg, db, store := openStore(t, append([]func(*config.Config){func(c *config.Config) { c.Sources = sources }}, edit...)...)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := &pipeline{fixture: &fixture{t: t, cfg: cfg, store: store}}
	p.srv = New(cfg, store, log, Options{Sources: func() ([]SourceStatus, error) { return statesOf(db) }})
	var err error
	if p.poller, err = fetch.NewPoller(cfg, db, pipelineSink{p.fixture}, fetch.Options{Log: log}); err != nil {
		t.Fatal(err)
	}
	p.web = httptest.NewServer(p.srv)
	t.Cleanup(p.web.Close)
	return p
}

// statesOf is the sources' poll state as the daemon hands it to the server.
func statesOf(db *bolt.DB) ([]SourceStatus, error) {
	states, err := fetch.States(db)
	out := make([]SourceStatus, 0, len(states))
	for _, s := range states {
		out = append(out, SourceStatus{Name: s.Name, URL: s.URL, LastStatus: s.LastStatus, LastError: s.PublicError(),
			LastAttempt: s.LastAttempt, LastSuccess: s.LastSuccess})
	}
	return out, err
}

type pipelineSink struct{ f *fixture }

func (s pipelineSink) Ingest(_ context.Context, src config.Source, items []fetch.Item) error {
	if _, err := s.f.store.IngestBatch(src, items); err != nil {
		return err
	}
	return s.f.srv.Refresh()
}

// poll polls every source once and renders the site.
func (p *pipeline) poll() []fetch.Result {
	p.t.Helper()
	results := p.poller.PollAll(context.Background())
	if err := p.srv.Refresh(); err != nil {
		p.t.Fatal(err)
	}
	return results
}

// serveFeed serves body as a feed on its own loopback server.
func serveFeed(t testing.TB, contentType string, body func(r *http.Request) string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		io.WriteString(w, body(r))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestImagesOfAFeedOnAnotherHostResolveAgainstTheArticle(t *testing.T) {
	articles := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(articles.Close)
	article := articles.URL + "/backgrounder/russian-offensive-campaign-assessment-march-29-2023/"
	feeds := serveFeed(t, "application/rss+xml", func(*http.Request) string {
		return `<?xml version="1.0"?><rss version="2.0"><channel><title>ISW</title><link>` + articles.URL + `/</link>
<item><title>Russian Offensive Campaign Assessment, March 29, 2023</title><link>` + article + `</link><guid>isw-401</guid>
<pubDate>Wed, 29 Mar 2023 23:00:00 GMT</pubDate>
<description>&lt;p&gt;&lt;img src="map-401.png" alt="map"&gt; &lt;a href="../bakhmut/"&gt;Bakhmut&lt;/a&gt;&lt;/p&gt;</description></item>
</channel></rss>`
	})
	src := config.Source{Name: "isw", URL: feeds.URL + "/feeds/isw.rss", Lang: "en", Role: config.RoleOriginal}
	p := newPipeline(t, []config.Source{src})
	if r := p.poll(); r[0].Err != nil {
		t.Fatal(r[0].Err)
	}
	wantImg, wantLink := article+"map-401.png", articles.URL+"/backgrounder/bakhmut/"
	for _, path := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/en/feed.atom", "/updates/russian-offensive/2023-03-29", "/api/updates/russian-offensive/2023-03-29"} {
		body := p.get(path, "Accept-Encoding", "identity").body
		for _, want := range []string{wantImg, wantLink} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s (the article's host); it has:\n%.2000s", path, want, body)
			}
		}
		if strings.Contains(body, feeds.URL+"/feeds/map-401.png") || strings.Contains(body, feeds.URL+"/backgrounder") {
			t.Errorf("%s resolves the content against the feed's host", path)
		}
	}
}

func TestSourceSecretsAppearInNoPublicResponse(t *testing.T) {
	const secret = "s3cr3tpw"
	const token = "t0k3n"
	good := serveFeed(t, "application/rss+xml", func(*http.Request) string {
		return `<?xml version="1.0"?><rss version="2.0"><channel><title>ISW</title>
<item><title>Russian Offensive Campaign Assessment, March 29, 2023</title><link>?p=401</link><guid>isw-401</guid>
<pubDate>Wed, 29 Mar 2023 23:00:00 GMT</pubDate>
<description>&lt;img src="map.png"&gt;&lt;a href="#fn1"&gt;1&lt;/a&gt;&lt;a href=""&gt;self&lt;/a&gt;</description></item>
</channel></rss>`
	})
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // its polls fail, and /status shows the error
	withSecrets := func(base string) string {
		return strings.Replace(base, "http://", "http://reader:"+secret+"@", 1) + "/feed?token=" + token
	}
	sources := []config.Source{
		{Name: "isw", URL: withSecrets(good.URL), Lang: "en", Role: config.RoleOriginal},
		{Name: "gone", URL: withSecrets(downURL), Lang: "de", Role: config.RoleTranslation},
	}
	p := newPipeline(t, sources)
	results := p.poll()
	for _, r := range results {
		if r.Source == "isw" && r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	paths := []string{"/", "/status", "/api/sources", "/api/updates", "/api/updates/russian-offensive/2023-03-29",
		"/updates/russian-offensive/2023-03-29", "/feed.atom", "/feed.rss", "/feed.json", "/en/feed.atom", "/en/feed.rss", "/en/feed.json", "/api"}
	for _, path := range paths {
		r := p.get(path, "Accept-Encoding", "identity")
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, r.StatusCode)
		}
		for _, s := range []string{secret, token, "reader:"} {
			if strings.Contains(r.body, s) {
				t.Errorf("%s shows the source URL's %q:\n%.3000s", path, s, r.body)
			}
		}
	}
	status := p.get("/api/sources").body
	if !strings.Contains(status, `"url": "`+good.URL+`/feed"`) {
		t.Errorf("/api/sources does not show the address without its secrets (%s/feed):\n%s", good.URL, status)
	}
	if atom := p.get("/feed.atom").body; !strings.Contains(atom, `<source>`) || !strings.Contains(atom, good.URL+"/feed") {
		t.Errorf("the merged feed does not attribute the entry to %s/feed:\n%s", good.URL, atom)
	}
}

func TestPollErrorsShowAddressesWithoutSecrets(t *testing.T) {
	tests := []struct{ in, want string }{
		{`fetch: isw: Get "http://reader:***@feeds.example.net/feed?token=t0k3n": stopped after 10 redirects`,
			`fetch: isw: Get "http://feeds.example.net/feed": stopped after 10 redirects`},
		{"redirect to https://a.example/x?sig=abc refused", "redirect to https://a.example/x refused"},
		{"connection refused", "connection refused"},
	}
	for _, tt := range tests {
		if got := publicText(tt.in); got != tt.want {
			t.Errorf("publicText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// oneItemFeed serves an RSS feed of ISW's report of March 29, 2023 with the
// given title suffix and link, both XML-escaped here.
func oneItemFeed(t testing.TB, titleSuffix, link string) *httptest.Server {
	return serveFeed(t, "application/rss+xml", func(*http.Request) string {
		return `<?xml version="1.0"?><rss version="2.0"><channel><title>ISW</title>
<item><title>Russian Offensive Campaign Assessment, March 29, 2023` + esc(titleSuffix) + `</title><link>` + esc(link) + `</link><guid>isw-401</guid>
<pubDate>Wed, 29 Mar 2023 23:00:00 GMT</pubDate><description>&lt;p&gt;Report.&lt;/p&gt;</description></item>
</channel></rss>`
	})
}

var currentDocuments = []string{"/", "/updates/russian-offensive/2023-03-29", "/api/updates", "/api/updates/russian-offensive/2023-03-29",
	"/feed.atom", "/feed.rss", "/feed.json", "/en/feed.atom", "/en/feed.rss", "/en/feed.json"}

func TestUnsafeItemLinksAreWrittenNowhere(t *testing.T) {
	for _, link := range []string{"javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", " JaVaScRiPt:alert(1)"} {
		t.Run(link, func(t *testing.T) {
			feed := oneItemFeed(t, "", link)
			p := newPipeline(t, []config.Source{{Name: "isw", URL: feed.URL + "/feed/", Lang: "en", Role: config.RoleOriginal}})
			p.poll()
			if r := p.get("/api/updates/russian-offensive/2023-03-29"); r.StatusCode != http.StatusOK {
				t.Fatalf("the item with an unsafe link was not kept: %d", r.StatusCode)
			}
			for _, path := range currentDocuments {
				body := strings.ToLower(p.get(path, "Accept-Encoding", "identity").body)
				for _, scheme := range []string{"javascript:", "data:text", "vbscript:"} {
					if strings.Contains(body, scheme) {
						t.Errorf("%s writes the item's %s link:\n%.2000s", path, scheme, body)
					}
				}
			}
		})
	}
}

func TestA5MBTitleIsNotRepublished(t *testing.T) {
	feed := oneItemFeed(t, " "+strings.Repeat("ISW ", 5<<20/4), "/backgrounder/report-401")
	p := newPipeline(t, []config.Source{{Name: "isw", URL: feed.URL + "/feed/", Lang: "en", Role: config.RoleOriginal}})
	p.poll()
	for _, path := range currentDocuments {
		r := p.get(path, "Accept-Encoding", "identity")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
		if len(r.body) > 64<<10 || strings.Contains(r.body, strings.Repeat("ISW ", 300)) {
			t.Errorf("%s is %d bytes: it carries more than the 1 KiB a title may have", path, len(r.body))
		}
	}
}
