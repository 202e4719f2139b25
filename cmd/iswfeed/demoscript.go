package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"
)

// demoScript is what the moving demo's sample sources publish as time goes
// by: ISW a report every tick, spartanat its German translation a tick later
// and a Ukrainian site its own two ticks later. ISW's feed is down (a CDN
// challenge page) from 3.5 to 6.5 ticks, so that two reports arrive as
// translations first, and spartanat first numbers one report wrongly and
// corrects the title a tick and a half later. The first two reports are
// there, in every language, from the start.
type demoScript struct {
	start time.Time
	tick  time.Duration
	now   func() time.Time
}

// demoFirstDate is the date of report demoFirstNumber, as spartanat counts.
var demoFirstDate = time.Date(2023, time.March, 29, 0, 0, 0, 0, time.UTC)

const (
	demoFirstNumber = 401
	demoFeedItems   = 10
	// demoTypo is the report that spartanat first posts under the wrong
	// number demoTypoNumber, its digits swapped.
	demoTypo       = 3
	demoTypoNumber = 440
)

// elapsed is the demo's time in ticks.
func (d *demoScript) elapsed() float64 {
	return float64(d.now().Sub(d.start)) / float64(d.tick)
}

// appears is when, in ticks, report i appears in lang.
func appears(i int, lang string) float64 {
	if i < 2 {
		return 0
	}
	delay := map[string]float64{"en": 0, "de": 1, "uk": 2}[lang]
	return float64(i-1) + delay
}

// published lists the reports that lang's source shows now, newest first.
func (d *demoScript) published(lang string) []int {
	now := d.elapsed()
	var out []int
	for i := 0; appears(i, lang) <= now; i++ {
		out = append([]int{i}, out...)
	}
	return out[:min(len(out), demoFeedItems)]
}

func (d *demoScript) iswDown() bool {
	e := d.elapsed()
	return e >= 3.5 && e < 6.5
}

func demoDate(i int) time.Time { return demoFirstDate.AddDate(0, 0, i) }

var (
	englishMonths = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	germanMonths  = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	germanSlugs   = []string{"januar", "februar", "maerz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"}
	ukMonths      = []string{"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"}
)

// iswURL is ISW's page of report i.
func iswURL(i int) string {
	d := demoDate(i)
	return fmt.Sprintf("https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-%s-%d-%d",
		strings.ToLower(englishMonths[d.Month()-1]), d.Day(), d.Year())
}

func rssTime(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// iswFeed is ISW's RSS feed now.
func (d *demoScript) iswFeed() string {
	var items strings.Builder
	for _, i := range d.published("en") {
		day := demoDate(i)
		date := fmt.Sprintf("%s %d, %d", englishMonths[day.Month()-1], day.Day(), day.Year())
		fmt.Fprintf(&items, `<item><title>Russian Offensive Campaign Assessment, %s</title><link>%s</link><pubDate>%s</pubDate>`+
			`<guid isPermaLink="false">https://understandingwar.org/?p=%d</guid><content:encoded><![CDATA[<p><strong>Key Takeaways</strong></p>`+
			`<ul><li>Russian forces continued offensive operations on %s.</li></ul><p><img src="/wp-content/uploads/2023/map-%d.png" alt="Map"></p>]]></content:encoded></item>`+"\n",
			date, iswURL(i), rssTime(day.Add(23*time.Hour+5*time.Minute)), 13000+i, date, demoFirstNumber+i)
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Institute for the Study of War (moving demo)</title><link>https://understandingwar.org</link>
<description>A built-in sample of ISW's feed that publishes a report every tick</description><language>en-US</language>
` + items.String() + "</channel></rss>\n"
}

// spartanatFeed is spartanat's RSS feed now.
func (d *demoScript) spartanatFeed() string {
	var items strings.Builder
	for _, i := range d.published("de") {
		day := demoDate(i)
		n := demoFirstNumber + i
		shown := n
		if i == demoTypo && d.elapsed() < appears(i, "de")+1.5 {
			shown = demoTypoNumber
		}
		fmt.Fprintf(&items, `<item><title>Ukraine: Die Lage %d</title><link>https://www.spartanat.com/%s/ukraine-die-lage-%d-%d-%s-%d/</link><pubDate>%s</pubDate>`+
			`<guid isPermaLink="false">https://www.spartanat.com/?p=%d</guid><content:encoded><![CDATA[<p>Russische Truppen setzten am %d. %s %d ihre Offensivoperationen fort.</p>`+
			`<p>Das vollständige Russian Offensive Update %d gibt es direkt bei <a href="%s">UNDERSTANDING WAR</a>.</p>]]></content:encoded></item>`+"\n",
			shown, day.Format("2006/01"), n, day.Day(), germanSlugs[day.Month()-1], day.Year(), rssTime(day.Add(32*time.Hour)),
			190000+n, day.Day(), germanMonths[day.Month()-1], day.Year(), shown, iswURL(i))
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>SPARTANAT (moving demo)</title><link>https://www.spartanat.com</link>
<description>A built-in sample of spartanat's German translations</description><language>de</language>
` + items.String() + "</channel></rss>\n"
}

// ukrainianFeed is the Ukrainian translator's Atom feed now, with relative
// links under xml:base.
func (d *demoScript) ukrainianFeed() string {
	var entries strings.Builder
	updated := demoFirstDate
	for _, i := range d.published("uk") {
		day := demoDate(i)
		n := demoFirstNumber + i
		posted := day.Add(33 * time.Hour)
		if posted.After(updated) {
			updated = posted
		}
		date := fmt.Sprintf("%d %s %d", day.Day(), ukMonths[day.Month()-1], day.Year())
		fmt.Fprintf(&entries, `<entry><title>Звіт ISW №%d: оцінка російського наступу на %s</title><link rel="alternate" href="isw/%d/"/>`+
			`<id>tag:ukr.example,2023:isw-%d</id><updated>%s</updated><content type="html">%s</content></entry>`+"\n",
			n, date, n, n, posted.Format(time.RFC3339),
			html.EscapeString(fmt.Sprintf(`<p>Російські війська продовжили наступальні операції %s року.</p><p>Джерело: <a href="%s">ISW</a></p>`, date, iswURL(i))))
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk" xml:base="https://ukr.example/">
<title>Переклади звітів ISW (moving demo)</title><id>tag:ukr.example,2023:feed</id><updated>` + updated.Format(time.RFC3339) + `</updated>
<link rel="self" href="feed.atom"/>
` + entries.String() + "</feed>\n"
}

// demoChallenge is what ISW's CDN answers automated clients at times.
const demoChallenge = `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><p>Checking your browser before accessing understandingwar.org.</p></body></html>`

// ServeHTTP serves the sample feeds as they are now, with ETags, so that the
// daemon's conditional polls get 304 while nothing changed.
func (d *demoScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body, kind string
	switch r.URL.Path {
	case "/isw.xml":
		if d.iswDown() {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, demoChallenge)
			return
		}
		body, kind = d.iswFeed(), "application/rss+xml; charset=utf-8"
	case "/spartanat.xml":
		body, kind = d.spartanatFeed(), "application/rss+xml; charset=utf-8"
	case "/ukrainian.atom":
		body, kind = d.ukrainianFeed(), "application/atom+xml; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", kind)
	fmt.Fprint(w, body)
}

// story tells the operator what the moving demo will show, and when.
func (d *demoScript) story() string {
	at := func(ticks float64) string {
		return (time.Duration(ticks * float64(d.tick))).Round(time.Second).String()
	}
	return fmt.Sprintf("Every %s ISW publishes the next report; the German translation follows %s later, the Ukrainian %s later.\n"+
		"At %s spartanat posts update %d as %d and corrects it at %s; ISW's feed is down from %s to %s, so reports %d and %d arrive as translations first.\n",
		at(1), at(1), at(2), at(appears(demoTypo, "de")), demoFirstNumber+demoTypo, demoTypoNumber, at(appears(demoTypo, "de")+1.5),
		at(3.5), at(6.5), demoFirstNumber+5, demoFirstNumber+6)
}
