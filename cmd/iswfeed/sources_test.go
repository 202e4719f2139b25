package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// liveSources are an ISW-like and a spartanat-like feed on loopback that
// keep publishing: at step s, ISW has the reports of the first s+1 days from
// firstDay, spartanat the translations of all but the last two, and the
// translation of a report four days old is corrected once; each revision
// edits ISW's newest report again. Each feed answers a conditional GET with
// 304 while its step and revision have not moved.
type liveSources struct {
	step     atomic.Int64
	revision atomic.Int64
	// fetched gets a value when a feed was sent whole (not 304), if it has room.
	fetched chan struct{}
	isw     *httptest.Server
	spa     *httptest.Server
	content string
}

// firstDay is update 373's report: 401 is 2023-03-29.
var firstDay = time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)

var germanMonthSlugs = []string{"januar", "februar", "maerz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"}

func newLiveSources(t *testing.T, contentBytes int) *liveSources {
	t.Helper()
	s := &liveSources{fetched: make(chan struct{}, 1), content: strings.Repeat("Russian forces continued limited ground attacks near Kreminna. ", contentBytes/64+1)}
	s.isw = httptest.NewServer(s.handler(s.iswFeed))
	s.spa = httptest.NewServer(s.handler(s.spartanatFeed))
	t.Cleanup(s.isw.Close)
	t.Cleanup(s.spa.Close)
	return s
}

// advance publishes the next step and returns it.
func (s *liveSources) advance() int { return int(s.step.Add(1)) }

// revise edits ISW's newest report.
func (s *liveSources) revise() { s.revision.Add(1) }

// reports is how many reports ISW has published at step; translations is how
// many spartanat has.
func reports(step int) int      { return step + 1 }
func translations(step int) int { return max(0, step-1) }

func (s *liveSources) handler(feed func(step int) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		step := int(s.step.Load())
		etag := fmt.Sprintf(`"step-%d-%d"`, step, s.revision.Load())
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, feed(step))
		select {
		case s.fetched <- struct{}{}:
		default:
		}
	}
}

func iswLink(d time.Time) string {
	return "https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-" + strings.ToLower(d.Format("January-2-2006"))
}

func (s *liveSources) iswFeed(step int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>ISW</title><link>https://www.understandingwar.org/</link>`)
	for i := reports(step) - 1; i >= 0; i-- {
		d, note := firstDay.AddDate(0, 0, i), ""
		if rev := s.revision.Load(); rev > 0 && i == reports(step)-1 {
			note = fmt.Sprintf(" Revision %d.", rev)
		}
		fmt.Fprintf(&b, "<item><title>Russian Offensive Campaign Assessment, %s</title><link>%s</link><guid isPermaLink=\"false\">isw-%d</guid><pubDate>%s</pubDate><description><![CDATA[<p>%s%s</p>]]></description></item>",
			d.Format("January 2, 2006"), iswLink(d), i, d.Add(23*time.Hour).Format(time.RFC1123Z), s.content, note)
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

func (s *liveSources) spartanatFeed(step int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>SPARTANAT</title><link>https://www.spartanat.com</link><language>de</language>`)
	for i := translations(step) - 1; i >= 0; i-- {
		d, n := firstDay.AddDate(0, 0, i), 373+i
		note := ""
		if step-i >= 4 {
			note = " (korrigiert)"
		}
		fmt.Fprintf(&b, "<item><title>Ukraine: Die Lage %d</title><link>https://www.spartanat.com/%s/ukraine-die-lage-%d-%d-%s-%d/</link><guid isPermaLink=\"false\">https://www.spartanat.com/?p=%d</guid><pubDate>%s</pubDate><content:encoded><![CDATA[<p>%s%s</p><p>Das vollständige Russian Offensive Update %d gibt es direkt bei <a href=\"%s\">UNDERSTANDING WAR</a>.</p>]]></content:encoded></item>",
			n, d.Format("2006/01"), n, d.Day(), germanMonthSlugs[d.Month()-1], d.Year(), 190000+n,
			d.Add(48*time.Hour).Format(time.RFC1123Z), s.content, note, n, iswLink(d))
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

// writeLiveConfig writes a config that polls the live sources every second
// into the store at database.
func writeLiveConfig(t *testing.T, dir, listen, database string, s *liveSources) string {
	t.Helper()
	path := filepath.Join(dir, "iswfeed.yaml")
	yaml := fmt.Sprintf(`listen: %s
database: %s
schedule: "@every 1s"
min_interval: 500ms
max_interval: 2s
series:
  russian-offensive:
    calendar: {401: 2023-03-29}
sources:
  - name: isw
    url: %s/feed
    lang: en
    role: original
  - name: spartanat
    url: %s/feed
    lang: de
    role: translation
`, listen, database, s.isw.URL, s.spa.URL)
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
