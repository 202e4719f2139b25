package dedupe

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

const (
	benchItems   = 200
	benchContent = 5 << 10
)

var benchFeed = sync.OnceValue(func() []byte { return wordpressFeed(benchItems, benchContent) })

var benchDay0 = isoDay("2022-02-24")

// wordpressFeed writes an RSS 2.0 feed as WordPress serves it: n translated
// reports, each with about size bytes of HTML in content:encoded.
func wordpressFeed(n, size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>SPARTANAT</title><link>https://www.spartanat.com</link><description>Bench</description>
<atom:link href="https://www.spartanat.com/feed/" rel="self" type="application/rss+xml"/>
`)
	para := "<p>Russische Streitkräfte setzten ihre Offensivoperationen bei Bachmut fort &amp; machten <strong>geringe Fortschritte</strong>; " +
		"<a href=\"https://understandingwar.org/\">ISW</a> bewertet die Lage.</p>\n"
	for i := range n {
		d := benchDay0.AddDate(0, 0, i)
		fmt.Fprintf(&b, `<item><title>Ukraine: Die Lage %d</title>
<link>%s</link>
<pubDate>%s</pubDate><dc:creator><![CDATA[Redaktion]]></dc:creator><category><![CDATA[Ukraine]]></category>
<guid isPermaLink="false">https://www.spartanat.com/?p=%d</guid>
<description><![CDATA[Die Lage %d in Kürze]]></description>
<content:encoded><![CDATA[`, i+1, lageLink(i+1, d), d.Add(40*time.Hour).Format(time.RFC1123Z), 10000+i, i+1)
		for w := 0; w < size; w += len(para) {
			b.WriteString(para)
		}
		b.WriteString("]]></content:encoded></item>\n")
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

func lageLink(n int, d time.Time) string {
	return fmt.Sprintf("https://www.spartanat.com/%d/%02d/ukraine-die-lage-%d-%d-%s-%d/",
		d.Year(), d.Month(), n, d.Day(), strings.ToLower(d.Month().String()), d.Year())
}

// toItems converts parsed items as fetch does; shift > 0 renumbers them as if
// they were the next shift*len(items) reports, so each round brings new ones.
func toItems(src config.Source, feed *gofeed.Feed, shift int) []fetch.Item {
	items := make([]fetch.Item, 0, len(feed.Items))
	for i, fi := range feed.Items {
		it := fetch.Item{Source: src.Name, Lang: src.Lang, ID: fi.GUID, Title: strings.TrimSpace(fi.Title),
			Link: fi.Link, Content: fi.Content}
		if fi.PublishedParsed != nil {
			it.Published = fi.PublishedParsed.UTC()
		}
		if shift > 0 {
			n := shift*len(feed.Items) + i + 1
			d := benchDay0.AddDate(0, 0, n-1)
			it.ID = fmt.Sprintf("%s#%d", fi.GUID, shift)
			it.Title = fmt.Sprintf("Ukraine: Die Lage %d", n)
			it.Link = lageLink(n, d)
		}
		items = append(items, it)
	}
	return items
}

func parse(b *testing.B, data []byte) *gofeed.Feed {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	return feed
}

// reportItemsPerSecond reports the items per second of wall time, and the
// process's CPU time (user and system) per op since cpu0 (see cpuTime): on
// a shared machine the CPU time is what compares between runs.
func reportItemsPerSecond(b *testing.B, items int, cpu0 time.Duration) {
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// cpuTime is the CPU time this process has used so far, on every core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkParseOnly(b *testing.B) {
	data := benchFeed()
	b.SetBytes(int64(len(data)))
	items, cpu0 := 0, cpuTime()
	for b.Loop() {
		items += len(parse(b, data).Items)
	}
	reportItemsPerSecond(b, items, cpu0)
}

// benchStore opens a store in a bbolt file on disk with default (synced) writes.
func benchStore(b *testing.B) *Store {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := Open(db, &config.Config{Sources: []config.Source{spa}})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkPipeline(b *testing.B) {
	data := benchFeed()
	b.Run("new items", func(b *testing.B) {
		s := benchStore(b)
		b.SetBytes(int64(len(data)))
		items, round, cpu0 := 0, 0, cpuTime()
		for b.Loop() {
			round++
			batch := toItems(spa, parse(b, data), round)
			rep, err := s.IngestBatch(spa, batch)
			if err != nil || rep.Changed != len(batch) {
				b.Fatalf("changed %d of %d: %v", rep.Changed, len(batch), err)
			}
			items += len(batch)
		}
		reportItemsPerSecond(b, items, cpu0)
	})
	b.Run("fetch.Parse and new items", func(b *testing.B) {
		// The daemon's own path: fetch's normalisation (charset, shape checks,
		// absolute URLs in content) instead of the bare conversion above.
		s := benchStore(b)
		b.SetBytes(int64(len(data)))
		items, round, cpu0 := 0, 0, cpuTime()
		for b.Loop() {
			round++
			parsed, err := fetch.Parse(spa, data, "application/rss+xml", nil, benchDay0)
			if err != nil {
				b.Fatal(err)
			}
			for i := range parsed {
				parsed[i].ID = fmt.Sprintf("%s#%d", parsed[i].ID, round)
			}
			rep, err := s.IngestBatch(spa, parsed)
			if err != nil || rep.Changed != len(parsed) {
				b.Fatalf("changed %d of %d: %v", rep.Changed, len(parsed), err)
			}
			items += len(parsed)
		}
		reportItemsPerSecond(b, items, cpu0)
	})
	b.Run("unchanged batch again", func(b *testing.B) {
		s := benchStore(b)
		if _, err := s.IngestBatch(spa, toItems(spa, parse(b, data), 0)); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
		items, cpu0 := 0, cpuTime()
		for b.Loop() {
			batch := toItems(spa, parse(b, data), 0)
			rep, err := s.IngestBatch(spa, batch)
			if err != nil || rep.Changed != 0 {
				b.Fatalf("changed %d: %v", rep.Changed, err)
			}
			items += len(batch)
		}
		reportItemsPerSecond(b, items, cpu0)
	})
}

// BenchmarkIngest is the store's own share: IngestBatch of already parsed items.
func BenchmarkIngest(b *testing.B) {
	feed := parse(b, benchFeed())
	s := benchStore(b)
	items, round, cpu0 := 0, 0, cpuTime()
	for b.Loop() {
		round++
		batch := toItems(spa, feed, round)
		if _, err := s.IngestBatch(spa, batch); err != nil {
			b.Fatal(err)
		}
		items += len(batch)
	}
	reportItemsPerSecond(b, items, cpu0)
}

// BenchmarkUpdates reads from a store of 2,000 reports, each with an original
// and a translation: the feed (newest 50) and the full scan Gaps makes.
func BenchmarkUpdates(b *testing.B) {
	s := benchStore(b)
	feed := parse(b, benchFeed())
	for round := range 10 {
		batch := toItems(spa, feed, round+1)
		if _, err := s.IngestBatch(spa, batch); err != nil {
			b.Fatal(err)
		}
		originals := make([]fetch.Item, len(batch))
		for i := range batch {
			d := benchDay0.AddDate(0, 0, (round+1)*len(batch)+i)
			originals[i] = original(d.Format(time.DateOnly), "Russian Offensive Campaign Assessment, "+d.Format("January 2, 2006"))
		}
		if _, err := s.IngestBatch(isw, originals); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []struct {
		name string
		q    Query
		want int
	}{
		{"feed of 50 with content", Query{Limit: 50, Content: true}, 50},
		{"all 2000", Query{}, 2000},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if us, err := s.Updates(q.q); err != nil || len(us) != q.want {
					b.Fatalf("%d updates, %v", len(us), err)
				}
			}
		})
	}
	b.Run("gaps", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Gaps(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
