package publish

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"iswfeed/config"
)

// requireTool returns the path of an external command a test needs. Without
// it the test is skipped, except under CI=true, where a missing tool fails:
// CI must prove what the tests claim.
func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := name + " is not installed (Debian package " + debianPackage + ")"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run this check")
	}
	t.Skip(msg + "; skipping")
	return ""
}

// writeFeeds renders a varied store's feeds and archives into files.
func writeFeeds(t *testing.T, exts ...string) []string {
	t.Helper()
	f := newFixture(t, Options{}, func(c *config.Config) { c.Hubs = []string{"https://hub.example.org/"} })
	f.ingest(isw,
		original("2023-02-26", `<p>February & <b>bold</b> <img src="map.png" onerror="x()"> ]]> </p><script>alert(1)</script>`),
		original("2023-03-29", `<p>March 29 <a href="/x?a=1&b=2">link</a> <iframe src="https://e.example/"></iframe></p>`))
	f.ingest(spa, german(401, "2023-03-29", "<p>Die Lage am 29. März: «Ü» \x01</p>"))
	dir := t.TempDir()
	var files []string
	for _, p := range []string{"/feed", "/de/feed", "/en/feed", "/de+/feed", "/archive/2023-02", "/archive/en/2023-02", "/archive/de+/2023-02"} {
		for _, ext := range exts {
			r := f.get(p + "." + ext)
			if r.StatusCode != 200 {
				t.Fatalf("%s.%s: %d", p, ext, r.StatusCode)
			}
			name := filepath.Join(dir, strings.ReplaceAll(strings.Trim(p, "/"), "/", "_")+"."+ext)
			if err := os.WriteFile(name, []byte(r.body), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, name)
		}
	}
	return files
}

func TestAtomIsValidAgainstTheRFC4287Schema(t *testing.T) {
	jing := requireTool(t, "jing", "jing")
	files := writeFeeds(t, "atom")
	out, err := exec.Command(jing, append([]string{"-c", filepath.Join("testdata", "atom.rnc")}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("jing: %v\n%s", err, out)
	}
}

// feedparserPython finds a python3 that imports feedparser, Debian's first:
// a python3 earlier on PATH (pyenv, a venv) does not see Debian's modules.
func feedparserPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import feedparser").Run() == nil {
			return p
		}
	}
	requireTool(t, "python3 with feedparser", "python3-feedparser")
	return ""
}

const feedparserCheck = `
import sys, feedparser
bad = 0
for path in sys.argv[1:]:
    d = feedparser.parse(path)
    if d.bozo:
        print(path, "bozo:", d.bozo_exception); bad = 1
    elif not d.entries or not d.feed.get("title"):
        print(path, "no title or entries"); bad = 1
    for e in d.entries:
        if not e.get("id") or not e.get("link") or not e.get("title"):
            print(path, "entry without id, link or title:", e.get("id")); bad = 1
sys.exit(bad)
`

func TestAtomAndRSSParseWithoutBozoInFeedparser(t *testing.T) {
	python := feedparserPython(t)
	files := writeFeeds(t, "atom", "rss")
	out, err := exec.Command(python, append([]string{"-c", feedparserCheck}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("feedparser: %v\n%s", err, out)
	}
}

func TestEveryFeedParsesWithGofeed(t *testing.T) {
	for _, file := range writeFeeds(t, "atom", "rss", "json") {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		feed := parseFeed(t, string(b))
		if feed.Title == "" || len(feed.Items) == 0 {
			t.Errorf("%s: title %q, %d items", filepath.Base(file), feed.Title, len(feed.Items))
		}
		for _, it := range feed.Items {
			if it.GUID == "" || it.Link == "" || it.Title == "" || strings.Contains(it.Content+it.Description, "<script") {
				t.Errorf("%s: item %+v", filepath.Base(file), it)
			}
		}
	}
}

func TestJSONFeedHasWhatVersion11Requires(t *testing.T) {
	for _, file := range writeFeeds(t, "json") {
		b, _ := os.ReadFile(file)
		var f map[string]any
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if f["version"] != "https://jsonfeed.org/version/1.1" || f["title"] == "" {
			t.Errorf("%s: version %v, title %v", file, f["version"], f["title"])
		}
		items, ok := f["items"].([]any)
		if !ok {
			t.Fatalf("%s: items is not an array", file)
		}
		for _, it := range items {
			m := it.(map[string]any)
			_, html := m["content_html"].(string)
			if id, _ := m["id"].(string); id == "" || !html {
				t.Errorf("%s: item without id or content_html: %v", file, m)
			}
			for k := range m {
				if !strings.HasPrefix(k, "_") && !jsonFeedItemKeys[k] {
					t.Errorf("%s: item key %q is not JSON Feed 1.1", file, k)
				}
			}
		}
		for k := range f {
			if !strings.HasPrefix(k, "_") && !jsonFeedKeys[k] {
				t.Errorf("%s: key %q is not JSON Feed 1.1", file, k)
			}
		}
	}
}

var jsonFeedKeys = map[string]bool{"version": true, "title": true, "home_page_url": true, "feed_url": true, "description": true,
	"user_comment": true, "next_url": true, "icon": true, "favicon": true, "authors": true, "language": true, "expired": true, "hubs": true, "items": true}

var jsonFeedItemKeys = map[string]bool{"id": true, "url": true, "external_url": true, "title": true, "content_html": true, "content_text": true,
	"summary": true, "image": true, "banner_image": true, "date_published": true, "date_modified": true, "authors": true, "tags": true,
	"language": true, "attachments": true}
