package publish

import (
	"cmp"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"iswfeed/dedupe"
)

// routeCase is what a client sees of one request: the URLs are a public
// contract, so each documented route, its methods, its neighbours with a
// trailing slash and its error pages answer as they always have.
type routeCase struct {
	method, path string
	code         int
	// ctype is the Content-Type; body a part of the body (error pages);
	// header a "Name: value" that must be sent.
	ctype, body, header string
}

var documentedRoutes = []routeCase{
	{"GET", "/feed.atom", 200, typeAtom, "", ""},
	{"GET", "/feed.rss", 200, typeRSS, "", ""},
	{"GET", "/feed.json", 200, typeFeed, "", ""},
	{"HEAD", "/feed.atom", 200, typeAtom, "", ""},
	{"GET", "/de/feed.atom", 200, typeAtom, "", ""},
	{"GET", "/de/feed.rss", 200, typeRSS, "", ""},
	{"GET", "/de/feed.json", 200, typeFeed, "", ""},
	{"HEAD", "/de/feed.json", 200, typeFeed, "", ""},
	{"GET", "/en/feed.atom", 200, typeAtom, "", ""},
	{"GET", "/de+/feed.atom", 200, typeAtom, "", ""},
	{"GET", "/de+/feed.rss", 200, typeRSS, "", ""},
	{"GET", "/de+/feed.json", 200, typeFeed, "", ""},
	{"GET", "/en+/feed.atom", 404, typeText, `no feed "en+"; feeds: en, de, de+`, ""},
	{"GET", "/fr/feed.atom", 404, typeText, `no feed "fr"`, ""},
	{"GET", "/de/feed.xml", 404, typeText, "404 page not found", ""},
	{"GET", "/de/", 404, typeText, "404 page not found", ""},
	{"GET", "/de", 404, typeText, "404 page not found", ""},
	{"GET", "/archive/2023-02.atom", 200, typeAtom, "", ""},
	{"GET", "/archive/2023-02.rss", 200, typeRSS, "", ""},
	{"GET", "/archive/2023-02.json", 200, typeFeed, "", ""},
	{"GET", "/archive/en/2023-02.atom", 200, typeAtom, "", ""},
	{"GET", "/archive/de+/2023-02.json", 200, typeFeed, "", ""},
	{"GET", "/archive/de/2023-02.atom", 404, typeText, "no archive for 2023-02; archived months are none yet", ""},
	{"GET", "/archive/2023-03.atom", 404, typeText, "no archive for 2023-03; archived months are 2023-02", ""},
	{"GET", "/archive/2023-02.xml", 404, typeText, "archives are named YYYY-MM.atom", ""},
	{"GET", "/archive/2023-2.atom", 404, typeText, "archives are named YYYY-MM.atom", ""},
	{"GET", "/archive/fr/2023-02.atom", 404, typeText, `no feed "fr"`, ""},
	{"GET", "/archive/", 404, typeText, "404 page not found", ""},
	{"GET", "/", 200, typeHTML, "", ""},
	{"HEAD", "/", 200, typeHTML, "", ""},
	{"GET", "/updates/401", 200, typeHTML, "", ""},
	{"GET", "/updates/russian-offensive/2023-03-29", 200, typeHTML, "", ""},
	{"GET", "/updates/russian-offensive/2023-02-26", 200, typeHTML, "", ""},
	{"GET", "/updates/2023-02-26", 200, typeHTML, "", ""},
	{"GET", "/updates/iran-update/2023-02-26", 404, typeText, "no iran-update report of 2023-02-26", ""},
	{"GET", "/updates/999", 404, typeText, "no update 999", ""},
	{"GET", "/updates/0401", 400, typeText, "neither an update number nor a date", ""},
	{"GET", "/updates/401/", 404, typeText, "404 page not found", ""},
	{"GET", "/updates/", 404, typeText, "404 page not found", ""},
	{"GET", "/updates", 404, typeText, "404 page not found", ""},
	{"GET", "/status", 200, typeHTML, "", ""},
	{"GET", "/status/", 404, typeText, "404 page not found", ""},
	{"GET", "/api", 200, typeJSON, "", ""},
	{"GET", "/api/", 404, typeText, "404 page not found", ""},
	{"GET", "/api/updates", 200, typeJSON, "", ""},
	{"GET", "/api/updates?limit=1&lang=de", 200, typeJSON, "", ""},
	{"GET", "/api/updates?limit=0", 400, typeJSON, `"error"`, ""},
	{"GET", "/api/updates?before=401", 200, typeJSON, "", ""},
	{"GET", "/api/updates/before/401", 200, typeJSON, "", ""},
	{"GET", "/api/updates/before/2023-03-29", 200, typeJSON, "", ""},
	{"GET", "/api/updates/before/russian-offensive/2023-03-29", 200, typeJSON, "", ""},
	{"GET", "/api/updates/before/russian-offensive%2F2023-03-29", 400, typeJSON, `\"russian-offensive/2023-03-29\" is not a date`, ""},
	{"GET", "/api/updates/before/999", 400, typeJSON, "no update 999", ""},
	{"GET", "/api/updates/401", 200, typeJSON, "", ""},
	{"GET", "/api/updates/russian-offensive/2023-03-29", 200, typeJSON, "", ""},
	{"GET", "/api/updates/999", 404, typeJSON, `"error"`, ""},
	{"GET", "/api/updates/abc", 400, typeJSON, `"error"`, ""},
	{"GET", "/api/updates/401/", 404, typeText, "404 page not found", ""},
	{"GET", "/api/sources", 200, typeJSON, "", ""},
	{"GET", "/healthz", 200, typeJSON, `"status": "ok"`, ""},
	{"GET", "/metrics", 200, "", "iswfeed_http_requests_total", ""},
	{"GET", "/icon.svg", 200, typeSVG, "", ""},
	{"GET", "/nothing", 404, typeText, "404 page not found", ""},
	{"GET", "/a/b/c/d", 404, typeText, "404 page not found", ""},
	{"GET", "/feed.atom/", 404, typeText, "404 page not found", ""},
	{"GET", "//feed.atom", 307, "", "", "Location: /feed.atom"},
	{"GET", "/de/../feed.rss", 307, "", "", "Location: /feed.rss"},
	{"POST", "/feed.atom", 405, typeText, "Method Not Allowed", "Allow: GET, HEAD"},
	{"PUT", "/de/feed.atom", 405, typeText, "Method Not Allowed", "Allow: GET, HEAD"},
	{"DELETE", "/", 405, typeText, "Method Not Allowed", "Allow: GET, HEAD"},
	{"POST", "/api/updates", 405, typeText, "Method Not Allowed", "Allow: GET, HEAD"},
	{"OPTIONS", "/status", 405, typeText, "Method Not Allowed", "Allow: GET, HEAD"},
	{"POST", "/nothing", 404, typeText, "404 page not found", ""},
}

func TestEveryDocumentedRouteAnswersAsBefore(t *testing.T) {
	f := newFixture(t, Options{Registry: prometheus.NewRegistry()})
	threeReports(f)
	f.web.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, c := range documentedRoutes {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := f.do(c.method, c.path)
			if r.StatusCode != c.code {
				t.Fatalf("%d %q, want %d", r.StatusCode, r.body, c.code)
			}
			if c.ctype != "" && r.Header.Get("Content-Type") != c.ctype {
				t.Errorf("Content-Type %q, want %q", r.Header.Get("Content-Type"), c.ctype)
			}
			if !strings.Contains(r.body, c.body) || c.method == "HEAD" && r.body != "" {
				t.Errorf("body %q, want one containing %q", r.body, c.body)
			}
			if name, value, ok := strings.Cut(c.header, ": "); ok && r.Header.Get(name) != value {
				t.Errorf("%s: %q, want %q", name, r.Header.Get(name), value)
			}
		})
	}
}

// documentAt finds a path's document through the routes as the mux routes a
// request, wildcards and escapes included, so that an export holds the bytes
// a GET answers with.
func TestDocumentAtAnswersAsAGetDoes(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	for _, c := range documentedRoutes {
		if c.method != "GET" || strings.Contains(c.path, "?") || c.code == 307 {
			continue
		}
		t.Run(c.path, func(t *testing.T) {
			doc, err := f.srv.documentAt(t.Context(), c.path)
			r := f.get(c.path)
			switch {
			case c.path == "/healthz" || c.path == "/metrics" || c.body == "404 page not found":
				if err == nil {
					t.Errorf("a document for %s, which is none", c.path)
				}
			case r.StatusCode != 200:
				// The error, answered as the server answers errors, is the page a GET gets.
				rec := httptest.NewRecorder()
				f.srv.fail(rec, httptest.NewRequest(http.MethodGet, c.path, nil), err)
				if rec.Code != r.StatusCode || rec.Body.String() != r.body {
					t.Errorf("err %v, answered %d %q; a GET gets %d %q", err, rec.Code, rec.Body, r.StatusCode, r.body)
				}
			case err != nil:
				t.Errorf("err %v; a GET gets %d", err, r.StatusCode)
			case string(doc.bytes()) != r.body:
				t.Errorf("document differs from what a GET gets")
			}
		})
	}
}

func TestFindResolvesANumberOrADateWithinItsSeries(t *testing.T) {
	ups := []dedupe.Update{ // newest first, then by series, as a site holds them
		{Series: "iran-update", Date: day("2023-03-29"), Number: 401},
		{Series: defaultSeries, Date: day("2023-03-29"), Number: 401},
		{Series: defaultSeries, Date: day("2023-03-28"), Number: 400},
		{Series: defaultSeries, Date: day("2023-03-27"), Number: 400}, // a conflict: the newer has it
		{Series: "iran-update", Date: day("2023-03-26")},
		{Series: defaultSeries, Date: day("2023-03-25")},
	}
	st := &site{updates: ups}
	cases := []struct {
		series, key string
		want        string // the date found, or the error
	}{
		{"", "401", "2023-03-29"},
		{"iran-update", "401", "2023-03-29"},
		{"", "400", "2023-03-28"},
		{"", "399", "no update 399"},
		{"", "2023-03-25", "2023-03-25"},
		{defaultSeries, "2023-03-27", "2023-03-27"},
		{"iran-update", "2023-03-26", "2023-03-26"},
		{"iran-update", "2023-03-25", "no iran-update report of 2023-03-25"},
		{"", "2023-03-26", "no russian-offensive report of 2023-03-26"},
		{"", "0400", `"0400" is neither an update number nor a date (YYYY-MM-DD)`},
	}
	for _, c := range cases {
		u, err := st.find(c.series, c.key)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = u.Date.Format(time.DateOnly)
			if want := cmp.Or(c.series, defaultSeries); u.Series != want {
				t.Errorf("find(%q, %q) is of series %s, want %s", c.series, c.key, u.Series, want)
			}
		}
		if got != c.want {
			t.Errorf("find(%q, %q) = %s, want %s", c.series, c.key, got, c.want)
		}
	}
}
