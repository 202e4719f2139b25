package publish

import (
	"strings"
	"testing"
)

// storedBeforeTheRules writes to the fixture's store, as an older version or
// a hostile feed before a rule existed could have, items whose links and
// content carry what fetch no longer lets in. They go to the store as they
// are: fetch's checks are not on that way.
func storedBeforeTheRules(f *fixture) {
	f.t.Helper()
	feb := original("2023-02-26", `<p>February.</p>`)
	feb.Link = "java\x01script:alert('link')"
	mar28 := original("2023-03-28", `<p><a href="vbscript:msgbox('vb')">vb</a>
<a href="//evil.example/protocol-relative">pr</a> <a href="/relative/path">rel</a>
<img src="https://u:p@img.example/chart.png" alt="chart"> <a href="https://good.example/kept">good</a>
<a href="mailto:someone@example.org">mail</a> <img src="data:image/png;base64,AAAA" alt="inline">
<blockquote cite="javascript:alert('cite')">quote</blockquote></p>`)
	mar28.Link = "data:text/html,<script>alert('data')</script>"
	mar29 := original("2023-03-29", `<p><a href="JaVaScRiPt:alert('content')">js</a>
<a href="https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023">ISW</a></p>`)
	de := german(401, "2023-03-29", `<p>Die Lage.</p>`)
	de.Link = "https://user:pw@www.spartanat.com/2023/03/ukraine-die-lage-401-29-maerz-2023/"
	f.ingest(isw, feb, mar28, mar29)
	f.ingest(spa, de)
}

func TestStoredLinksPassTheIngestRulesWhenPublished(t *testing.T) {
	f := newFixture(t, Options{})
	storedBeforeTheRules(f)
	bad := []string{"javascript:", "JaVaScRiPt", "vbscript:", "data:", "mailto:", "evil.example", "/relative/path",
		"u:p@", "user:pw@", "alert(", "ZgotmplZ"}
	good := map[string]string{ // a good link and the report that holds it
		"https://good.example/kept":                                             "2023-03-28",
		"https://img.example/chart.png":                                         "2023-03-28",
		"https://www.spartanat.com/2023/03/ukraine-die-lage-401-29-maerz-2023/": "2023-03-29",
		"https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023": "2023-03-29",
	}
	paths := []string{"/", "/updates/401", "/updates/russian-offensive/2023-03-28", "/updates/russian-offensive/2023-02-26",
		"/api/updates?limit=500", "/api/updates/401", "/api/updates/russian-offensive/2023-03-28",
		"/api/updates/russian-offensive/2023-02-26"}
	for _, v := range []string{"", "/en", "/de", "/de+"} {
		for _, format := range formats {
			paths = append(paths, v+"/feed."+format)
		}
	}
	for _, format := range formats {
		paths = append(paths, "/archive/2023-02."+format, "/archive/en/2023-02."+format)
	}
	for _, p := range paths {
		r := f.get(p)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, r.StatusCode, r.body)
			continue
		}
		for _, b := range bad {
			if i := strings.Index(r.body, b); i >= 0 {
				t.Errorf("%s carries %q: …%s…", p, b, r.body[max(i-80, 0):min(i+80, len(r.body))])
			}
		}
	}
	pages := map[string]string{
		"2023-03-28": f.get("/updates/russian-offensive/2023-03-28").body,
		"2023-03-29": f.get("/updates/401").body,
	}
	for link, date := range good {
		for _, format := range formats {
			if !strings.Contains(f.get("/feed."+format).body, link) {
				t.Errorf("/feed.%s lost the good link %s", format, link)
			}
		}
		if !strings.Contains(pages[date], link) {
			t.Errorf("the page of %s lost the good link %s", date, link)
		}
	}
}
