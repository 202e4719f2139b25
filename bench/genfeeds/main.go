// Command genfeeds writes synthetic feed files for `iswfeed import`: N daily
// reports of ISW's Russian offensive series in English (RSS, like ISW's feed),
// German (RSS, like spartanat), Ukrainian (Atom), Russian (RSS) and French
// (Atom), each with about SIZE bytes of HTML content (or, with -minsize, between
// MINSIZE and SIZE), so that a benchmark runs on a store of realistic size.
//
//	go run ./bench/genfeeds -dir DIR [-reports 60] [-size 30000] [-minsize 0] [-urls FILE]
//
// It writes DIR/isw.xml, DIR/spartanat.xml, DIR/ukrainian.atom, DIR/russian.xml
// and DIR/french.atom, each of at most 1,000 reports; more go to isw-2.xml,
// isw-3.xml and so on. Report i is update 401+i of 2023-03-29 plus i days, the
// anchor of the built-in calendar, so every item is placed. With -urls it also
// writes the server paths of every document those reports make (pages, API,
// feeds and archives of every language), one a line, for a crawler.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// anchorNumber and anchorDate are the built-in calendar's anchor (update 401).
const anchorNumber = 401

var anchorDate = time.Date(2023, 3, 29, 0, 0, 0, 0, time.UTC)

// report is one daily report as the three sources would post it.
type report struct {
	Number  int
	Date    time.Time
	EN      string
	DE      string
	UK      string
	RU      string
	FR      string
	Posted  time.Time
	LongEN  string // "March 29, 2023"
	SlugEN  string // "march-29-2023"
	DateUK  string // "29 березня 2023"
	DateDE  string // "29. März 2023"
	DateRU  string // "29 марта 2023"
	DateFR  string // "29 mars 2023"
	PostsDE time.Time
	PostsUK time.Time
	PostsRU time.Time
	PostsFR time.Time
}

func main() {
	dir := flag.String("dir", "", "directory to write the feed files into (required)")
	n := flag.Int("reports", 60, "number of daily reports")
	size := flag.Int("size", 30000, "approximate bytes of HTML content per item (the most, with -minsize)")
	minSize := flag.Int("minsize", 0, "when set, each item's content is between this and -size bytes")
	urls := flag.String("urls", "", "also write the paths of every document the reports make into this file")
	flag.Parse()
	if *dir == "" || *n < 1 || *size < 100 || *minSize > *size {
		flag.Usage()
		os.Exit(2)
	}
	rs := reports(*n, cmp.Or(*minSize, *size), *size)
	err := write(*dir, rs)
	if err == nil && *urls != "" {
		err = writeURLs(*urls, rs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genfeeds:", err)
		os.Exit(1)
	}
}

func reports(n, minSize, maxSize int) []report {
	// A fixed seed: the same files, and so the same documents, on every run.
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]report, 0, n)
	for i := n - 1; i >= 0; i-- { // newest first, as feeds list them
		d := anchorDate.AddDate(0, 0, i)
		r := report{
			Number: anchorNumber + i, Date: d,
			Posted: d.Add(24*time.Hour + 5*time.Minute), PostsDE: d.Add(32 * time.Hour), PostsUK: d.Add(33 * time.Hour),
			LongEN: d.Format("January 2, 2006"), SlugEN: strings.ToLower(d.Format("January-2-2006")),
			DateDE: fmt.Sprintf("%d. %s %d", d.Day(), monthsDE[d.Month()-1], d.Year()),
			DateUK: fmt.Sprintf("%d %s %d", d.Day(), monthsUK[d.Month()-1], d.Year()),
			DateRU: fmt.Sprintf("%d %s %d", d.Day(), monthsRU[d.Month()-1], d.Year()),
			DateFR: fmt.Sprintf("%d %s %d", d.Day(), monthsFR[d.Month()-1], d.Year()),
		}
		size := func() int { return minSize + rng.IntN(maxSize-minSize+1) }
		r.EN = prose(rng, wordsEN, size())
		r.DE = prose(rng, wordsDE, size())
		r.UK = prose(rng, wordsUK, size())
		r.RU = prose(rng, wordsRU, size())
		r.FR = prose(rng, wordsFR, size())
		out = append(out, r)
	}
	return out
}

// prose is about size bytes of paragraphs of random words: text that gzip
// compresses about as well as a real report, unlike a repeated sentence.
func prose(rng *rand.Rand, words []string, size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString("<p>")
		for range 40 + rng.IntN(40) {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "(%d km, %d).</p>\n", rng.IntN(200), 1000+rng.IntN(9000))
	}
	return b.String()
}

func write(dir string, rs []report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, tmpl := range map[string]*template.Template{
		"isw.xml": iswTmpl, "spartanat.xml": spartanatTmpl, "ukrainian.atom": ukrainianTmpl,
		"russian.xml": russianTmpl, "french.atom": frenchTmpl,
	} {
		for i, part := range slices.Collect(slices.Chunk(rs, perFile)) {
			if err := writeFeed(filepath.Join(dir, partName(name, i)), tmpl, part); err != nil {
				return err
			}
		}
	}
	return nil
}

// perFile is the most reports one file holds: a feed parser rightly refuses
// a document of hundreds of megabytes.
const perFile = 1000

// partName is the name of a source's i-th file: isw.xml, isw-2.xml, ...
func partName(name string, i int) string {
	if i == 0 {
		return name
	}
	ext := filepath.Ext(name)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), i+1, ext)
}

func writeFeed(name string, tmpl *template.Template, rs []report) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	err = tmpl.Execute(f, rs)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// writeURLs writes the paths a server makes of rs: the pages and API entries
// of every report, and the current feeds and monthly archives of the merged
// feed and of every language, in every format.
func writeURLs(name string, rs []report) error {
	var b strings.Builder
	b.WriteString("/\n/api\n/api/updates\n")
	months := map[string]bool{}
	for _, r := range rs {
		// The reader takes update numbers of at most four digits (a fifth is
		// decades away, and would read postcodes and years as numbers): a
		// report numbered beyond has its pages by date only.
		key := strconv.Itoa(r.Number)
		if r.Number > 9999 {
			key = r.Date.Format(time.DateOnly)
		}
		fmt.Fprintf(&b, "/updates/%s\n/api/updates/%s\n", key, key)
		months[r.Date.Format("2006-01")] = true
	}
	delete(months, rs[0].Date.Format("2006-01")) // the newest month is open: in the current feeds
	for _, prefix := range []string{"", "en/", "de/", "uk/", "ru/", "fr/"} {
		for _, f := range []string{"atom", "rss", "json"} {
			fmt.Fprintf(&b, "/%sfeed.%s\n", prefix, f)
			for m := range months {
				fmt.Fprintf(&b, "/archive/%s%s.%s\n", prefix, m, f)
			}
		}
	}
	return os.WriteFile(name, []byte(b.String()), 0o644)
}

var funcs = template.FuncMap{
	"rfc822":  func(t time.Time) string { return t.Format(time.RFC1123Z) },
	"rfc3339": func(t time.Time) string { return t.Format(time.RFC3339) },
}

var iswTmpl = template.Must(template.New("isw").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Institute for the Study of War (synthetic)</title>
<link>https://understandingwar.org</link>
<description>Synthetic reports for benchmarks</description>
<language>en-US</language>
{{range .}}<item>
<title>Russian Offensive Campaign Assessment, {{.LongEN}}</title>
<link>https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-{{.SlugEN}}</link>
<pubDate>{{rfc822 .Posted}}</pubDate>
<guid isPermaLink="false">https://understandingwar.org/?p={{.Number}}00</guid>
<description><![CDATA[Key takeaways of {{.LongEN}}.]]></description>
<content:encoded><![CDATA[<p><strong>Key Takeaways</strong></p>{{.EN}}<p><img src="/wp-content/uploads/2023/map-{{.Number}}.png" alt="Map"></p>]]></content:encoded>
</item>
{{end}}</channel>
</rss>
`))

var spartanatTmpl = template.Must(template.New("spartanat").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>SPARTANAT (synthetic)</title>
<link>https://www.spartanat.com</link>
<description>Synthetic translations for benchmarks</description>
<language>de</language>
{{range .}}<item>
<title>Ukraine: Die Lage {{.Number}}</title>
<link>https://www.spartanat.com/{{.Date.Format "2006/01"}}/ukraine-die-lage-{{.Number}}/</link>
<pubDate>{{rfc822 .PostsDE}}</pubDate>
<guid isPermaLink="false">https://www.spartanat.com/?p=19{{.Number}}</guid>
<content:encoded><![CDATA[<p>Lage vom {{.DateDE}}.</p>{{.DE}}<p>Das vollständige Russian Offensive Update {{.Number}} gibt es direkt bei <a href="https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-{{.SlugEN}}">UNDERSTANDING WAR</a>.</p>]]></content:encoded>
</item>
{{end}}</channel>
</rss>
`))

var ukrainianTmpl = template.Must(template.New("ukrainian").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk" xml:base="https://ukr.example/">
<title>Переклади звітів ISW (synthetic)</title>
<id>tag:ukr.example,2023:feed</id>
<updated>2023-06-01T09:00:00Z</updated>
{{range .}}<entry>
<title>Звіт ISW №{{.Number}}: оцінка російського наступу на {{.DateUK}}</title>
<link rel="alternate" href="isw/{{.Number}}/"/>
<id>tag:ukr.example,2023:isw-{{.Number}}</id>
<updated>{{rfc3339 .PostsUK}}</updated>
<content type="html"><![CDATA[{{.UK}}<p>Джерело: <a href="https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-{{.SlugEN}}">ISW</a></p>]]></content>
</entry>
{{end}}</feed>
`))

var russianTmpl = template.Must(template.New("russian").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Переводы отчётов ISW (synthetic)</title>
<link>https://rus.example</link>
<description>Synthetic translations for benchmarks</description>
<language>ru</language>
{{range .}}<item>
<title>Оценка российской наступательной кампании, {{.DateRU}}</title>
<link>https://rus.example/isw/{{.Date.Format "2006-01-02"}}/</link>
<pubDate>{{rfc822 .PostsRU}}</pubDate>
<guid isPermaLink="false">https://rus.example/?p={{.Number}}</guid>
<content:encoded><![CDATA[{{.RU}}<p>Источник: <a href="https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-{{.SlugEN}}">Институт изучения войны</a></p>]]></content:encoded>
</item>
{{end}}</channel>
</rss>
`))

var frenchTmpl = template.Must(template.New("french").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr" xml:base="https://fra.example/">
<title>Traductions des rapports de l'ISW (synthetic)</title>
<id>tag:fra.example,2023:feed</id>
<updated>2023-06-01T09:00:00Z</updated>
{{range .}}<entry>
<title>Évaluation de la campagne offensive russe, {{.DateFR}}</title>
<link rel="alternate" href="isw/{{.Date.Format "2006-01-02"}}/"/>
<id>tag:fra.example,2023:isw-{{.Number}}</id>
<updated>{{rfc3339 .PostsFR}}</updated>
<content type="html"><![CDATA[{{.FR}}<p>Source : <a href="https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-{{.SlugEN}}">ISW</a></p>]]></content>
</entry>
{{end}}</feed>
`))

var (
	monthsRU = []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	monthsFR = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	monthsDE = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	monthsUK = []string{"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"}

	wordsEN = strings.Fields(`Russian Ukrainian forces continued offensive operations near Bakhmut Avdiivka Kreminna Svatove
		Kupiansk Marinka Vuhledar the and of in on at along toward line front axis assault counterattack
		artillery strikes drones reported claimed geolocated footage indicates advanced marginally positions
		southern northern eastern western Donetsk Luhansk Kharkiv Zaporizhia Kherson oblast milbloggers
		General Staff Ministry of Defense mobilization reserves logistics ammunition shortages likely assess`)
	wordsDE = strings.Fields(`Russische ukrainische Truppen setzten ihre Offensivoperationen fort bei nahe Bachmut Awdijiwka
		Kreminna Swatowe Kupjansk Marjinka Wuhledar die der das und von im am entlang Richtung Front Achse
		Angriff Gegenangriff Artillerie Angriffe Drohnen berichtet behauptet geolokalisiert Aufnahmen zeigen
		vorgerückt Stellungen südlich nördlich östlich westlich Oblast Generalstab Verteidigungsministerium
		Mobilmachung Reserven Logistik Munition Mangel wahrscheinlich bewertet`)
	wordsUK = strings.Fields(`російські українські війська продовжили наступальні операції поблизу Бахмута Авдіївки Кремінної
		Сватового Купʼянська Мар'їнки Вугледара та і в на біля уздовж напрямку фронту атаки контратаки
		артилерійські удари дрони повідомили заявили геолоковані кадри свідчать просунулися позиції
		південніше північніше східніше західніше області Генштаб Міністерство оборони мобілізація резерви
		логістика боєприпаси нестача ймовірно оцінюємо`)
	wordsRU = strings.Fields(`российские украинские войска продолжили наступательные операции вблизи Бахмута Авдеевки
		Кременной Сватово Купянска Марьинки Угледара и в на у вдоль направлении фронта атаки контратаки
		артиллерийские удары дроны сообщили заявили геолоцированные кадры указывают продвинулись позиции
		южнее севернее восточнее западнее области Генштаб Министерство обороны мобилизация резервы
		логистика боеприпасы нехватка вероятно оцениваем`)
	wordsFR = strings.Fields(`les forces russes ukrainiennes ont poursuivi des opérations offensives près de Bakhmout Avdiïvka
		Kreminna Svatove Koupiansk Marinka Vouhledar et de la le dans sur le long vers ligne front axe assaut
		contre-attaque frappes d'artillerie drones ont rapporté affirmé images géolocalisées indiquent avancé
		positions sud nord est ouest oblast état-major ministère de la Défense mobilisation réserves
		logistique munitions pénuries probablement évaluons`)
)
