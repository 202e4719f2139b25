package publish

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzAPIUpdates asks /api/updates with arbitrary paths after it and query
// strings: the answer is JSON, a 2xx, 3xx or 4xx, never a server error, a
// page holds no more updates than it may, and its next link is a page that
// holds some.
func FuzzAPIUpdates(f *testing.F) {
	fx := newFixture(f, Options{})
	threeReports(fx)
	for _, seed := range [][2]string{
		{"", ""}, {"", "limit=1"}, {"", "lang=de&limit=2"}, {"", "before=401"}, {"", "before=2023-03-29"},
		{"", "before=russian-offensive/2023-03-29"}, {"/before/401", "limit=1"}, {"/before/russian-offensive/2023-03-28", ""},
		{"/401", ""}, {"/russian-offensive/2023-03-29", ""}, {"", "limit=0"}, {"", "limit=501"}, {"", "limit=-1"},
		{"", "lang=%3Cscript%3E"}, {"", "before=2023-02-30"}, {"/before/%2e%2e", ""}, {"", "limit=1&limit=2"},
		{"", "before=iran-update/2023-03-29"}, {"/before/0401", ""}, {"", "before=99999999999999999999"},
		{"", "limit=2"}, {"/before/russian-offensive/2023-03-29", "limit=2"}, {"", "lang=de&limit=1&before=2023-03-30"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, rest, query string) {
		req, err := http.NewRequest(http.MethodGet, "http://feeds.example.org/api/updates"+rest+"?"+query, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("%s: %d %s", req.URL, rec.Code, rec.Body)
		}
		if rec.Code >= 300 && rec.Code < 400 || rec.Code == http.StatusNotFound && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			return // ServeMux's redirects and its 404 for paths no route matches
		}
		var page struct {
			Updates []json.RawMessage `json:"updates"`
			Next    string            `json:"next"`
			Error   string            `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			t.Fatalf("%s: %d answered with something not JSON: %v\n%s", req.URL, rec.Code, err, rec.Body)
		}
		if rec.Code >= 400 && page.Error == "" {
			t.Fatalf("%s: %d without an error message: %s", req.URL, rec.Code, rec.Body)
		}
		if len(page.Updates) > maxAPILimit {
			t.Fatalf("%s: %d updates on one page", req.URL, len(page.Updates))
		}
		if page.Next == "" {
			return
		}
		next := httptest.NewRecorder()
		fx.srv.ServeHTTP(next, httptest.NewRequest(http.MethodGet, page.Next, nil))
		var after struct {
			Updates []json.RawMessage `json:"updates"`
		}
		if next.Code != http.StatusOK || json.Unmarshal(next.Body.Bytes(), &after) != nil || len(after.Updates) == 0 {
			t.Fatalf("%s: next leads to %s, which answers %d %s", req.URL, page.Next, next.Code, next.Body)
		}
	})
}

// FuzzConditionalHeaders serves a document to arbitrary If-None-Match,
// If-Modified-Since and Accept-Encoding headers: the answer is a 304 with no
// body or a 200 with the document, its own ETag always gets a 304, and an
// If-Modified-Since is read only without an If-None-Match.
func FuzzConditionalHeaders(f *testing.F) {
	modified := time.Date(2023, 3, 29, 22, 0, 0, 0, time.UTC)
	doc := newDocument([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>`), typeAtom, modified)
	for _, seed := range [][3]string{
		{"", "", ""}, {doc.etag, "", ""}, {doc.gzEtag, "", "gzip"}, {"W/" + doc.etag, "", "br, gzip;q=0.5"},
		{`"a", ` + doc.etag + `, "b"`, "", "identity"}, {"*", "", "*"}, {"", modified.Format(http.TimeFormat), "gzip;q=0"},
		{"", "Wed, 29 Mar 2023 21:59:59 GMT", "x-gzip"}, {"", "Wednesday, 29-Mar-23 22:00:00 GMT", "*;q=0, gzip"},
		{"", "Wed Mar 29 22:00:00 2023", "GZIP; Q=1"}, {`"unterminated`, "not a date", "gzip;q=nan"}, {",,,", "", ";;;"},
		{"\"a\"\x00", "Mon, 02 Jan 2006 15:04:05 GMT\r\n", "gzip;q=1e400"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, inm, ims, ae string) {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req := httptest.NewRequest(method, "/feed.atom", nil)
			req.Header["If-None-Match"] = []string{inm}
			req.Header["If-Modified-Since"] = []string{ims}
			req.Header["Accept-Encoding"] = []string{ae}
			rec := httptest.NewRecorder()
			doc.serve(rec, req, cacheControl(time.Minute))
			etag := rec.Header().Get("ETag")
			if etag != doc.etag && etag != doc.gzEtag {
				t.Fatalf("ETag %q is neither of the document's", etag)
			}
			switch rec.Code {
			case http.StatusNotModified:
				if rec.Body.Len() > 0 {
					t.Fatal("a 304 with a body")
				}
			case http.StatusOK:
				checkBody(t, method, rec, doc)
				if inm == etag {
					t.Fatalf("If-None-Match %q, the document's own ETag, got a 200", inm)
				}
				if inm == "" && ims == modified.Format(http.TimeFormat) {
					t.Fatalf("If-Modified-Since %q, the document's own Last-Modified, got a 200", ims)
				}
			default:
				t.Fatalf("answered %d", rec.Code)
			}
		}
	})
}

// checkBody asserts that a 200 carries the document as its headers say.
func checkBody(t *testing.T, method string, rec *httptest.ResponseRecorder, doc *document) {
	t.Helper()
	if method == http.MethodHead {
		if rec.Body.Len() > 0 {
			t.Fatal("HEAD with a body")
		}
		return
	}
	body := rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(body, doc.bytes()) {
		t.Fatalf("the body is not the document: %q", body)
	}
}

// FuzzPlainText checks that a title plainText takes as plain comes out as
// the sanitiser would make it.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"Ukraine: Die Lage 401", `"quoted" 'title'`, " Звіт ISW №401\t", "a\u0001b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if isPlain(s) && plainText(s) != strippedText(s) {
			t.Errorf("plainText(%q) = %q, the sanitiser gives %q", s, plainText(s), strippedText(s))
		}
	})
}
