package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mmcdole/gofeed"

	"iswfeed/config"
)

// corpusSites serves the feeds of testdata/corpus/<poll>/ and lets a test
// move every site on to a later poll, as if days had passed.
type corpusSites struct {
	mu   sync.Mutex
	poll string
}

// corpusTypes is what each site says its feed is: the German site declares
// ISO-8859-1 only in its XML prolog, the Ukrainian one only in its header.
var corpusTypes = map[string]string{
	"isw.xml":       "application/rss+xml; charset=UTF-8",
	"spartanat.xml": "application/rss+xml; charset=UTF-8",
	"lage-at.xml":   "text/xml",
	"uk.atom":       "application/atom+xml; charset=windows-1251",
	"ru.xml":        "application/rss+xml",
}

func (c *corpusSites) moveTo(poll string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.poll = poll
}

func (c *corpusSites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Path)
	c.mu.Lock()
	poll := c.poll
	c.mu.Unlock()
	body, err := os.ReadFile(filepath.Join("testdata", "corpus", poll, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", corpusTypes[name])
	w.Write(body)
}

// corpusReport is what a subscriber should find for one report.
type corpusReport struct {
	number int
	// langs counts the versions linked per language: one alternate, and
	// related links for the language's other sources (RFC 4287 allows one
	// alternate per type and hreflang).
	langs map[string]int
}

// corpusAfter lists the reports a subscriber should see after each poll, by
// date. A number 0 means the report carries none yet.
var corpusAfter = map[string]map[string]corpusReport{
	"poll1": {
		"2023-03-27": {399, map[string]int{"en": 1, "de": 2}},
		"2023-03-28": {400, map[string]int{"en": 1, "de": 2}},
		"2023-03-29": {401, map[string]int{"en": 1, "de": 2, "uk": 1, "ru": 1}},
		"2023-03-30": {420, map[string]int{"en": 1, "de": 1, "uk": 1}}, // spartanat's typo, the only number given
		"2023-03-31": {0, map[string]int{"en": 1, "ru": 1}},            // no source numbers it yet
	},
	"poll2": {
		"2023-03-27": {399, map[string]int{"en": 1, "de": 2}},
		"2023-03-28": {400, map[string]int{"en": 1, "de": 2}},
		"2023-03-29": {401, map[string]int{"en": 1, "de": 2, "uk": 1, "ru": 1}},
		"2023-03-30": {402, map[string]int{"en": 1, "de": 1, "uk": 1}},
		"2023-03-31": {403, map[string]int{"en": 1, "de": 1, "ru": 1}},
		"2023-04-01": {404, map[string]int{"en": 1, "de": 2, "uk": 1}},
	},
}

// corpusAbsent is what must have left the feed after a poll: titles as they
// were before their sites corrected them.
var corpusAbsent = map[string][]string{
	"poll2": {"Die Lage 420", `Сводка ISW от 31 марта"`},
}

// TestCorpusOfUnseenFeeds polls five sites that write the same reports in
// five languages, encodings and habits, twice, days apart, and checks what a
// subscriber of the merged feed and a user of the API would see.
func TestCorpusOfUnseenFeeds(t *testing.T) {
	sites := &corpusSites{poll: "poll1"}
	a, web := corpusApp(t, sites)

	ids := map[string]string{} // report date -> entry id, as first seen
	for _, poll := range []string{"poll1", "poll2"} {
		sites.moveTo(poll)
		for _, r := range a.poller.PollAll(context.Background()) {
			if r.Err != nil {
				t.Fatalf("%s: poll %s: %v", poll, r.Source, r.Err)
			}
		}
		want := corpusAfter[poll]
		t.Run(poll+"/feed has one entry per report with each language's versions", func(t *testing.T) {
			body, feed := getFeed(t, web.URL+"/feed.atom")
			if len(feed.Items) != len(want) {
				t.Errorf("feed.atom has %d entries, want %d:\n%s", len(feed.Items), len(want), body)
			}
			seen := map[string]bool{}
			for _, it := range feed.Items {
				if seen[it.GUID] {
					t.Errorf("entry id %s appears twice", it.GUID)
				}
				seen[it.GUID] = true
				date := entryDate(it.GUID)
				w, ok := want[date]
				if !ok {
					t.Errorf("unexpected entry %q (%s)", it.Title, it.GUID)
					continue
				}
				if got := versions(t, body, it.GUID); !mapsEqual(got, w.langs) {
					t.Errorf("entry %s: versions per language %v, want %v", date, got, w.langs)
				}
				if old, ok := ids[date]; ok && old != it.GUID {
					t.Errorf("entry for %s changed its id from %s to %s", date, old, it.GUID)
				}
				ids[date] = it.GUID
			}
			for _, absent := range append(corpusAbsent[poll], "Iran Update", "China-Taiwan", "Occupation", "Rucksack", "Wetter", "День 400", "день 400") {
				if strings.Contains(body, absent) {
					t.Errorf("feed.atom contains %q", absent)
				}
			}
		})
		t.Run(poll+"/API gives each report its number and date", func(t *testing.T) {
			got := apiNumbers(t, web.URL+"/api/updates")
			wantNumbers := map[string]int{}
			for date, w := range want {
				wantNumbers[date] = w.number
			}
			if !mapsEqual(got, wantNumbers) {
				t.Errorf("/api/updates dates and numbers\n got  %v\n want %v", got, wantNumbers)
			}
		})
		t.Run(poll+"/relative links are made absolute against xml:base", func(t *testing.T) {
			body, _ := getFeed(t, web.URL+"/uk/feed.atom")
			if !strings.Contains(body, "https://uk.example/novyny/zvit-isw-401") {
				t.Errorf("the Ukrainian feed lacks the absolute link of Звіт ISW №401:\n%s", body)
			}
			if !strings.Contains(body, "Оцінка російської наступальної кампанії") {
				t.Errorf("the Ukrainian feed lost its windows-1251 title:\n%s", body)
			}
		})
	}
}

// TestCorpusPolledAgainChangesNothing polls the same corpus twice: a
// subscriber's conditional GET must still match.
func TestCorpusPolledAgainChangesNothing(t *testing.T) {
	sites := &corpusSites{poll: "poll2"}
	a, web := corpusApp(t, sites)
	var etags []string
	for range 2 {
		a.poller.PollAll(context.Background())
		resp, err := http.Get(web.URL + "/feed.atom")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		etags = append(etags, resp.Header.Get("ETag"))
	}
	if etags[0] == "" || etags[0] != etags[1] {
		t.Errorf("feed.atom ETag %q after the first poll, %q after the same feeds again", etags[0], etags[1])
	}
}

// corpusApp starts the daemon's app on the five corpus sites and serves it.
func corpusApp(t *testing.T, sites *corpusSites) (*app, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(sites)
	t.Cleanup(srv.Close)
	cfg := testConfig(t,
		config.Source{Name: "isw", URL: srv.URL + "/isw/isw.xml", Lang: "en", Role: config.RoleOriginal},
		config.Source{Name: "spartanat", URL: srv.URL + "/spartanat/spartanat.xml", Lang: "de", Role: config.RoleTranslation},
		config.Source{Name: "lage-at", URL: srv.URL + "/lage/lage-at.xml", Lang: "de", Role: config.RoleTranslation},
		config.Source{Name: "zvit", URL: srv.URL + "/uk/uk.atom", Lang: "uk", Role: config.RoleTranslation},
		config.Source{Name: "svodka", URL: srv.URL + "/ru/ru.xml", Lang: "ru", Role: config.RoleTranslation},
	)
	a, err := openApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	web := httptest.NewServer(a)
	t.Cleanup(web.Close)
	return a, web
}

func getFeed(t *testing.T, u string) (string, *gofeed.Feed) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, b)
	}
	feed, err := gofeed.NewParser().ParseString(string(b))
	if err != nil {
		t.Fatalf("GET %s does not parse: %v\n%s", u, err, b)
	}
	return string(b), feed
}

// entryDate returns the report date of an entry id "urn:iswfeed:<series>:<date>".
func entryDate(id string) string { return id[strings.LastIndexByte(id, ':')+1:] }

// versions counts the links of the Atom entry with id per hreflang, and
// fails when a language has more than one alternate.
func versions(t *testing.T, atom, id string) map[string]int {
	i := strings.Index(atom, "<id>"+id+"</id>")
	if i < 0 {
		return nil
	}
	start := strings.LastIndex(atom[:i], "<entry")
	end := i + strings.Index(atom[i:], "</entry>")
	langs, alternates := map[string]int{}, map[string]int{}
	for _, part := range strings.Split(atom[start:end], "<link")[1:] {
		part = part[:strings.IndexByte(part, '>')]
		j := strings.Index(part, `hreflang="`)
		if j < 0 {
			continue
		}
		lang := part[j+len(`hreflang="`):]
		lang = lang[:strings.IndexByte(lang, '"')]
		langs[lang]++
		if strings.Contains(part, `rel="alternate"`) {
			alternates[lang]++
		}
	}
	for lang := range langs {
		if alternates[lang] != 1 {
			t.Errorf("entry %s has %d alternates in %q, want 1", id, alternates[lang], lang)
		}
	}
	return langs
}

func apiNumbers(t *testing.T, u string) map[string]int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Updates []struct {
			Series string `json:"series"`
			Number int    `json:"number"`
			Date   string `json:"date"`
		} `json:"updates"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, up := range out.Updates {
		if up.Series != config.DefaultSeries {
			t.Errorf("/api/updates lists %s %s", up.Series, up.Date)
		}
		if _, dup := got[up.Date]; dup {
			t.Errorf("/api/updates lists %s twice", up.Date)
		}
		got[up.Date] = up.Number
	}
	return got
}

func mapsEqual[K comparable](a, b map[K]int) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]K, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	return !slices.ContainsFunc(keys, func(k K) bool { v, ok := b[k]; return !ok || v != a[k] })
}
