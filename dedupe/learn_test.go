package dedupe

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// simulated is a translator whose language iswfeed has no words for: it
// titles its posts title(n, date), with a date the reader can read, or
// bare(n) without one.
type simulated struct {
	src   config.Source
	title func(n int, d time.Time) string
	bare  func(n int) string
}

var simulatedTranslators = []simulated{
	{config.Source{Name: "fi", Lang: "fi", Role: config.RoleTranslation},
		func(n int, d time.Time) string { return fmt.Sprintf("Päivitys %d – %s", n, d.Format("2.1.2006")) },
		func(n int) string { return fmt.Sprintf("Päivitys %d", n) }},
	{config.Source{Name: "hu", Lang: "hu", Role: config.RoleTranslation},
		func(n int, d time.Time) string {
			return fmt.Sprintf("Háborús jelentés (%s), %d. szám", d.Format("2006-01-02"), n)
		},
		func(n int) string { return fmt.Sprintf("Háborús jelentés, %d. szám", n) }},
	{config.Source{Name: "sw", Lang: "sw", Role: config.RoleTranslation},
		func(n int, d time.Time) string {
			return fmt.Sprintf("Taarifa ya vita #%d, %s", n, d.Format("02/01/2006"))
		},
		func(n int) string { return fmt.Sprintf("Taarifa ya vita #%d", n) }},
	// Dates by month name in languages with no word list of their own but
	// the world's month names.
	{config.Source{Name: "ro", Lang: "ro", Role: config.RoleTranslation},
		func(n int, d time.Time) string {
			return fmt.Sprintf("Actualizare nr. %d – Evaluarea campaniei ofensive ruse, %d %s %d", n, d.Day(), monthIn(d, "martie", "aprilie"), d.Year())
		},
		func(n int) string { return fmt.Sprintf("Actualizare nr. %d – Evaluarea campaniei ofensive ruse", n) }},
	{config.Source{Name: "el", Lang: "el", Role: config.RoleTranslation},
		func(n int, d time.Time) string {
			return fmt.Sprintf("Ενημέρωση %d: %d %s %d", n, d.Day(), monthIn(d, "Μαρτίου", "Απριλίου"), d.Year())
		},
		func(n int) string { return fmt.Sprintf("Ενημέρωση %d", n) }},
	{config.Source{Name: "hu2", Lang: "hu", Role: config.RoleTranslation},
		func(n int, d time.Time) string {
			return fmt.Sprintf("Frissítés %d – %d. %s %d.", n, d.Year(), monthIn(d, "március", "április"), d.Day())
		},
		func(n int) string { return fmt.Sprintf("Frissítés %d", n) }},
}

// monthIn names d's month, March or April, the simulation's months.
func monthIn(d time.Time, march, april string) string {
	if d.Month() == time.March {
		return march
	}
	return april
}

// The calendar of the simulation: update 399 is 27 March 2023, one a day.
func simulatedDay(i int) (int, time.Time) { return 399 + i, day(2023, 3, 27).AddDate(0, 0, i) }

func TestSimulatedTranslatorsLearnTheirNumbering(t *testing.T) {
	cfg := &config.Config{Sources: []config.Source{isw, spa}}
	for _, tr := range simulatedTranslators {
		cfg.Sources = append(cfg.Sources, tr.src)
	}
	s := openStore(t, cfg)
	const days = 10
	truth := map[string]int{}
	for i := range days {
		n, d := simulatedDay(i)
		truth[d.Format(time.DateOnly)] = n
		ingest(t, s, isw, original(d.Format(time.DateOnly), "Russian Offensive Campaign Assessment, "+d.Format("January 2, 2006")))
		// spartanat numbers every report: the calendar the others learn from.
		ingest(t, s, spa, german(fmt.Sprintf("sp-%d", n), fmt.Sprintf("Ukraine: Die Lage %d", n),
			spartanatLink(n, d), d.AddDate(0, 0, 1).Format(time.DateOnly)))
		for _, tr := range simulatedTranslators {
			title := tr.title(n, d)
			if i%3 == 2 { // every third post states no date
				title = tr.bare(n)
			}
			it := fetch.Item{Source: tr.src.Name, Lang: tr.src.Lang, ID: fmt.Sprintf("%s-%d", tr.src.Name, n), Title: title,
				Link: fmt.Sprintf("https://%s.example/p/%d", tr.src.Name, 1000+i), Content: "<p>…</p>",
				Published: d.Add(40 * time.Hour)}
			ingest(t, s, tr.src, it)
			checkNoWrongNumber(t, s, truth, title)
		}
	}
	all, err := s.Updates(Query{Series: []string{config.DefaultSeries}})
	if err != nil || len(all) != days {
		t.Fatalf("%d updates (%v), want %d", len(all), err, days)
	}
	for _, u := range all {
		if u.Number != truth[u.Date.Format(time.DateOnly)] {
			t.Errorf("report of %s numbered %d", u.Date.Format(time.DateOnly), u.Number)
		}
		for _, tr := range simulatedTranslators {
			if _, ok := u.InLang(tr.src.Lang); !ok {
				t.Errorf("update %d has no %s variant: %v", u.Number, tr.src.Lang, u.Langs())
			}
		}
	}
	learned, err := s.Numberings(cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"fi": "title: päivitys N", "hu": "title: jelentés N", "sw": "title: vita N",
		"ro": "title: nr N", "el": "title: ενημέρωση N", "hu2": "title: frissítés N",
		// spartanat's numbers agree with the three translators'
		"spartanat": "title: lage N"}
	for _, l := range learned {
		if l.Pattern != want[l.Source] || len(l.Conflicts) > 0 {
			t.Errorf("%s learned %q with conflicts %v, want %q", l.Source, l.Pattern, l.Conflicts, want[l.Source])
		}
	}
	g, err := s.Gaps(nil)
	if err != nil || len(g.Numbering) != len(learned) {
		t.Fatalf("gaps list %d numberings (%v), want %d", len(g.Numbering), err, len(learned))
	}
	for i, n := range g.Numbering {
		if n.Source != learned[i].Source || n.Pattern != learned[i].Pattern {
			t.Errorf("gaps show %s learned %q, Numberings %s %q", n.Source, n.Pattern, learned[i].Source, learned[i].Pattern)
		}
	}
	if len(g.Unplaced) != 0 {
		t.Errorf("unplaced: %+v", g.Unplaced)
	}
}

// checkNoWrongNumber fails when any stored report carries a number the
// calendar of the simulation does not give its date, or a translation sits
// at a report whose date is not its own.
func checkNoWrongNumber(t *testing.T, s *Store, truth map[string]int, after string) {
	t.Helper()
	all, err := s.Updates(Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		d := u.Date.Format(time.DateOnly)
		if u.Number != 0 && u.Number != truth[d] {
			t.Errorf("after %q: report of %s published as %d, want %d", after, d, u.Number, truth[d])
		}
		for _, v := range u.Variants {
			var n int
			if _, err := fmt.Sscanf(v.ItemID[strings.LastIndexByte(v.ItemID, '-')+1:], "%d", &n); err == nil && v.Source != "isw" && n != truth[d] {
				t.Errorf("after %q: %s's post %d sits at the report of %s", after, v.Source, n, d)
			}
		}
	}
}

func TestNumberPlaces(t *testing.T) {
	for _, c := range []struct{ title, at string }{
		{"Aggiornamento 401 – 29 marzo 2023", "title: aggiornamento N"},
		{"Aktualizacja nr 401", "title: nr N"},
		{"第401号 ロシアの攻勢作戦評価", "title: 第 N"},
		{"401 – Lagebericht", "title: ^ N"},
		{"Tag 466: Update", ""},
	} {
		places := numberPlaces(foldTitle(c.title), "")
		got := ""
		if len(places) > 0 {
			got = places[0].At
		}
		if got != c.at {
			t.Errorf("numberPlaces(%q) = %v, want the first at %q", c.title, places, c.at)
		}
	}
}

func TestItalianSourceLearnsAfterThreeAgreeingPosts(t *testing.T) {
	it := config.Source{Name: "it", Lang: "it", Role: config.RoleTranslation}
	s := openStore(t, &config.Config{Sources: []config.Source{isw, spa, it},
		Series: map[string]config.Series{config.DefaultSeries: {Calendar: map[int]config.Date{401: {Time: day(2023, 3, 29)}}}}})
	months := []string{"marzo", "aprile"}
	post := func(n int, d time.Time, dated bool) fetch.Item {
		title := fmt.Sprintf("Aggiornamento %d", n)
		if dated {
			title += fmt.Sprintf(" – %d %s %d", d.Day(), months[d.Month()-3], d.Year())
		}
		return fetch.Item{ID: fmt.Sprintf("it-%d", n), Lang: "it", Title: title,
			Link: fmt.Sprintf("https://it.example/?p=%d", n), Published: d.Add(30 * time.Hour)}
	}
	for i := range 5 {
		n, d := 401+i, day(2023, 3, 29).AddDate(0, 0, i)
		ingest(t, s, spa, german(fmt.Sprintf("sp-%d", n), fmt.Sprintf("Ukraine: Die Lage %d", n),
			spartanatLink(n, d), d.AddDate(0, 0, 1).Format(time.DateOnly)))
	}
	for i := range 3 {
		n, d := 401+i, day(2023, 3, 29).AddDate(0, 0, i)
		ingest(t, s, it, post(n, d, true))
	}
	ingest(t, s, it, post(404, day(2023, 4, 1), false))
	u, ok, err := s.Update(config.DefaultSeries, 404)
	if err != nil || !ok {
		t.Fatalf("update 404 not found: %v", err)
	}
	if _, ok := u.InLang("it"); !ok {
		t.Errorf("the undated \"Aggiornamento 404\" is not in update 404: %v", u.Langs())
	}
}

func spartanatLink(n int, d time.Time) string {
	return fmt.Sprintf("https://www.spartanat.com/2023/%02d/ukraine-die-lage-%d-%d-%s-%d/", d.Month(), n, d.Day(), d.Month(), d.Year())
}

func TestDayCounterSourceNeverLearns(t *testing.T) {
	counter := config.Source{Name: "blog", Lang: "de", Role: config.RoleTranslation}
	s := openStore(t, &config.Config{Sources: []config.Source{isw, spa, counter}})
	for i := range 5 {
		n, d := simulatedDay(i)
		ingest(t, s, spa, german(fmt.Sprintf("sp-%d", n), fmt.Sprintf("Ukraine: Die Lage %d", n), spartanatLink(n, d), d.AddDate(0, 0, 1).Format(time.DateOnly)))
		// The blog counts its own posts: "Folge 300 vom 27.03.2023".
		ingest(t, s, counter, fetch.Item{ID: fmt.Sprintf("blog-%d", 300+i), Title: fmt.Sprintf("Folge %d vom %s", 300+i, d.Format("02.01.2006")),
			Link: fmt.Sprintf("https://blog.example/folge-%d", 300+i), Published: d.Add(30 * time.Hour)})
	}
	ns, err := s.Numberings([]config.Source{counter})
	if err != nil || len(ns) != 1 {
		t.Fatalf("numberings = %v, %v", ns, err)
	}
	if ns[0].Pattern != "" {
		t.Errorf("a source counting its own posts learned %q", ns[0].Pattern)
	}
	if c := ns[0].Conflicts; len(c) != 10 || c[0].ItemID != "blog-300" || c[0].Number != 300 || c[0].Calendar != 399 {
		t.Errorf("its numbers are not listed as conflicts: %+v", ns[0].Conflicts)
	}
}

func TestDailySummariesTakeTheSourcesLag(t *testing.T) {
	news := config.Source{Name: "news", Lang: "pl", Role: config.RoleTranslation}
	summary := func(id, title string, published time.Time) fetch.Item {
		return fetch.Item{ID: id, Lang: "pl", Title: title, Link: "https://news.example/" + id, Published: published}
	}
	morning := func(d time.Time, after int) time.Time { return d.AddDate(0, 0, after).Add(7 * time.Hour) }
	for _, c := range []struct {
		name   string
		lags   []int // days after the report of each dated summary
		config *int
		first  bool   // the undated summary arrives before the dated ones
		want   string // the report the undated summary joins, "" when held
	}{
		{"three agreeing dated items teach a lag of one day", []int{1, 1, 1}, nil, false, "2023-04-01"},
		{"an undated summary held before is placed once the lag is learned", []int{1, 1, 1}, nil, true, "2023-04-01"},
		{"two dated items teach nothing", []int{1, 1}, nil, false, ""},
		{"an inconsistent lag is never applied", []int{1, 2, 1}, nil, false, ""},
		{"the config's lag wins over the learned one", []int{1, 1, 1}, new(int), false, "2023-04-02"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := news
			src.Lag = c.config
			s := openStore(t, &config.Config{Sources: []config.Source{isw, src}})
			undated := summary("undated", "Raport ISW: Rosjanie tracą impet", morning(day(2023, 4, 1), 1))
			if c.first {
				ingest(t, s, src, undated)
			}
			for i, lag := range c.lags {
				d := day(2023, 3, 27).AddDate(0, 0, i)
				ingest(t, s, isw, original(d.Format(time.DateOnly), "Russian Offensive Campaign Assessment, "+d.Format("January 2, 2006")))
				ingest(t, s, src, summary(fmt.Sprintf("dated-%d", i), fmt.Sprintf("Raport ISW z %d marca 2023: Rosjanie nacierają", d.Day()), morning(d, lag)))
			}
			ingest(t, s, src, undated)
			got := ""
			all, _ := s.Updates(Query{Lang: "pl"})
			for _, u := range all {
				for _, v := range u.Variants {
					if v.ItemID == "undated" {
						got = u.Date.Format(time.DateOnly)
					}
				}
			}
			if got != c.want {
				t.Errorf("the undated summary sits at %q, want %q", got, c.want)
			}
		})
	}
}

func TestStoreWrittenBeforeLearningLearnsOnOpen(t *testing.T) {
	it := config.Source{Name: "it", Lang: "it", Role: config.RoleTranslation}
	cfg := &config.Config{Sources: []config.Source{isw, spa, it}}
	path := filepath.Join(t.TempDir(), "old.db")
	db := openFile(t, path)
	s, err := Open(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		n, d := simulatedDay(i)
		ingest(t, s, spa, german(fmt.Sprintf("sp-%d", n), fmt.Sprintf("Ukraine: Die Lage %d", n), spartanatLink(n, d), d.AddDate(0, 0, 1).Format(time.DateOnly)))
	}
	// An older iswfeed stored the Italian posts and learned nothing.
	err = db.Update(func(tx *bolt.Tx) error {
		b := s.batch(tx, time.Now())
		for i := range 4 {
			n, d := simulatedDay(i)
			title := fmt.Sprintf("Aggiornamento %d – %d marzo 2023", n, d.Day())
			if i == 3 {
				title = fmt.Sprintf("Aggiornamento %d", n)
			}
			si := storedItem{Source: "it", Role: config.RoleTranslation, Lang: "it", ID: fmt.Sprintf("it-%d", n),
				Title: title, Link: fmt.Sprintf("https://it.example/?p=%d", n), Published: d.Add(30 * time.Hour)}
			if err := b.add(itemKey("it", si.ID), &si); err != nil {
				return err
			}
		}
		if err := b.finish(); err != nil {
			return err
		}
		return tx.DeleteBucket(bucketNumbering)
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, err = Open(db, cfg); err != nil {
		t.Fatal(err)
	}
	ns, err := s.Numberings([]config.Source{it})
	if err != nil || len(ns) != 1 || ns[0].Pattern != "title: aggiornamento N" {
		t.Fatalf("numberings after open = %+v, %v", ns, err)
	}
	n, _ := simulatedDay(3)
	u, ok, err := s.Update(config.DefaultSeries, n)
	if err != nil || !ok {
		t.Fatalf("update %d not found: %v", n, err)
	}
	if _, ok := u.InLang("it"); !ok {
		t.Errorf("the undated Italian post is not in update %d: %v", n, u.Langs())
	}
	db.Close()
}

// A blog's own numbered series ("Ukraine-Krieg 2.0 – Update 300 vom
// 27.03.2023") is read by the built-in words as update numbers; its numbers
// disagree with spartanat's, so they never teach the calendar, are listed as
// conflicts, and no report is ever published under one of them, whichever
// source posts a day first.
func TestOwnSeriesSourceNeverTeachesTheCalendar(t *testing.T) {
	blog := config.Source{Name: "blog", Lang: "de", Role: config.RoleTranslation}
	s := openStore(t, &config.Config{Sources: []config.Source{isw, spa, blog}})
	const days = 5
	truth := map[string]int{}
	for i := range days {
		n, d := simulatedDay(i)
		truth[d.Format(time.DateOnly)] = n
		sp := german(fmt.Sprintf("sp-%d", n), fmt.Sprintf("Ukraine: Die Lage %d", n), spartanatLink(n, d), d.AddDate(0, 0, 1).Format(time.DateOnly))
		own := fetch.Item{ID: fmt.Sprintf("blog-%d", 300+i), Lang: "de",
			Title: fmt.Sprintf("Ukraine-Krieg 2.0 – Update %d vom %s", 300+i, d.Format("02.01.2006")),
			Link:  fmt.Sprintf("https://blog.example/?p=%d", 9000+i), Published: d.Add(30 * time.Hour)}
		if i == 0 { // nothing can tell the blog's first number wrong before spartanat's
			ingest(t, s, spa, sp)
			ingest(t, s, blog, own)
		} else {
			ingest(t, s, blog, own)
			ingest(t, s, spa, sp)
		}
		// The blog's next post states no date: it must not land on report 300+i+1.
		bare := fetch.Item{ID: fmt.Sprintf("blog-bare-%d", i), Lang: "de", Title: fmt.Sprintf("Ukraine-Krieg 2.0 – Update %d", 300+days+i),
			Link: fmt.Sprintf("https://blog.example/?p=%d", 9100+i), Published: d.Add(31 * time.Hour)}
		ingest(t, s, blog, bare)
		all, err := s.Updates(Query{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range all {
			if d := u.Date.Format(time.DateOnly); u.Number != truth[d] {
				t.Errorf("day %d: the report of %s is published as %d, want %d", i, d, u.Number, truth[d])
			}
		}
	}
	for i := range days {
		if u, ok, _ := s.Update(config.DefaultSeries, 300+i); ok {
			t.Errorf("the blog's number %d names the report of %s", 300+i, u.Date.Format(time.DateOnly))
		}
	}
	ns, err := s.Numberings([]config.Source{blog})
	if err != nil || len(ns) != 1 {
		t.Fatalf("numberings = %v, %v", ns, err)
	}
	if ns[0].Pattern != "" || len(ns[0].Conflicts) < days {
		t.Errorf("the blog learned %q with conflicts %+v, want none learned and its %d dated posts listed", ns[0].Pattern, ns[0].Conflicts, days)
	}
	sp, _ := s.Numberings([]config.Source{spa})
	if len(sp) != 1 || len(sp[0].Conflicts) != 0 {
		t.Errorf("spartanat, which agrees with the calendar, lists conflicts: %+v", sp)
	}
}

// A translator whose "Update N" agrees with the calendar teaches once it has
// proven so: its undated post waits unplaced until three dated posts agree,
// and then joins the report its number names.
func TestWeakNumbersTeachOnceTheSourceAgrees(t *testing.T) {
	en := config.Source{Name: "en", Lang: "en", Role: config.RoleTranslation}
	s := openStore(t, &config.Config{Sources: []config.Source{isw, spa, en}})
	for i := range 5 {
		n, d := simulatedDay(i)
		ingest(t, s, spa, german(fmt.Sprintf("sp-%d", n), fmt.Sprintf("Ukraine: Die Lage %d", n), spartanatLink(n, d), d.AddDate(0, 0, 1).Format(time.DateOnly)))
	}
	post := func(i int, dated bool) fetch.Item {
		n, d := simulatedDay(i)
		title := fmt.Sprintf("Ukraine Update %d", n)
		if dated {
			title += " – " + d.Format("02.01.2006")
		}
		return fetch.Item{ID: fmt.Sprintf("en-%d", n), Lang: "en", Title: title,
			Link: fmt.Sprintf("https://en.example/?p=%d", 500+i), Published: d.Add(30 * time.Hour)}
	}
	last, _ := simulatedDay(4)
	ingest(t, s, en, post(4, false))
	ingest(t, s, en, post(0, true), post(1, true))
	if u, _, _ := s.Update(config.DefaultSeries, last); u.hasSource("en") {
		t.Errorf("the undated \"Ukraine Update %d\" joined its report before its source agreed three times", last)
	}
	ingest(t, s, en, post(2, true))
	u, ok, err := s.Update(config.DefaultSeries, last)
	if err != nil || !ok || !u.hasSource("en") {
		t.Errorf("after three agreeing posts, update %d has no post of en: %+v, %v", last, u.Variants, err)
	}
}

func (u Update) hasSource(name string) bool {
	return slices.ContainsFunc(u.Variants, func(v Variant) bool { return v.Source == name })
}
