package dedupe

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// The property: a fixed set of items from five sources, split into batches as
// polls would deliver them, ends in the same updates, variants, gaps and
// counts whatever the order the batches arrive in, and whether each batch
// arrives once or twice. Edits and corrections carry a later updated time, as
// Atom and JSON Feed give it, so even a source's own batches may arrive out of
// order.

const propertySeed = 20230329

var (
	propISW    = config.Source{Name: "isw", URL: "https://understandingwar.org/feed/", Lang: "en", Role: config.RoleOriginal}
	propSpa    = config.Source{Name: "spartanat", URL: "https://www.spartanat.com/feed/", Lang: "de", Role: config.RoleTranslation}
	propLage   = config.Source{Name: "lagebericht", URL: "https://lagebericht.example/feed/", Lang: "de", Role: config.RoleTranslation}
	propPL     = config.Source{Name: "raport", URL: "https://raport.example/feed/", Lang: "pl", Role: config.RoleTranslation, Number: `Raport ISW nr (\d+)`}
	propUK     = config.Source{Name: "zvit", URL: "https://zvit.example/feed/", Lang: "uk", Role: config.RoleTranslation, Number: `Звіт ISW №(\d+)`}
	propConfig = &config.Config{
		Sources: []config.Source{propISW, propSpa, propLage, propPL, propUK},
		Series:  map[string]config.Series{config.DefaultSeries: {Calendar: map[int]config.Date{401: {Time: isoDay("2023-03-29")}}}},
	}
)

type sourceBatch struct {
	src   config.Source
	items []fetch.Item
}

var germanMonths = map[time.Month]string{3: "maerz", 4: "april"}

func item(src config.Source, id, title, link string, published time.Time) fetch.Item {
	return fetch.Item{Source: src.Name, Lang: src.Lang, ID: id, Title: title, Link: link,
		Content: "<p>" + title + "</p>", Published: published}
}

func iswReport(date string) fetch.Item {
	d := isoDay(date)
	title := fmt.Sprintf("Russian Offensive Campaign Assessment, %s %d, %d", d.Month(), d.Day(), d.Year())
	slug := fmt.Sprintf("russian-offensive-campaign-assessment-%s-%d-%d", strings.ToLower(d.Month().String()), d.Day(), d.Year())
	return item(propISW, "isw-"+date, title, "https://understandingwar.org/research/russia-ukraine/"+slug+"/", d.Add(23*time.Hour))
}

func spaReport(id string, n int, date string) fetch.Item {
	d := isoDay(date)
	link := fmt.Sprintf("https://www.spartanat.com/%d/%02d/ukraine-die-lage-%d-%d-%s-%d/", d.Year(), d.Month(), n, d.Day(), germanMonths[d.Month()], d.Year())
	return item(propSpa, id, fmt.Sprintf("Ukraine: Die Lage %d", n), link, d.Add(40*time.Hour))
}

func lageReport(date string) fetch.Item {
	d := isoDay(date)
	title := fmt.Sprintf("Russian Offensive Campaign Assessment, %s %d, %d – auf Deutsch", d.Month(), d.Day(), d.Year())
	return item(propLage, "lage-"+date, title, "https://lagebericht.example/?p="+date, d.Add(60*time.Hour))
}

func plReport(id string, n int, published string) fetch.Item {
	return item(propPL, id, fmt.Sprintf("Raport ISW nr %d", n), "https://raport.example/?p="+id, isoDay(published))
}

func ukReport(id string, n int, date string) fetch.Item {
	d := isoDay(date)
	link := fmt.Sprintf("https://zvit.example/%d/%02d/zvit-isw-%d-%d-%s-%d/", d.Year(), d.Month(), n, d.Day(), strings.ToLower(d.Month().String()), d.Year())
	return item(propUK, id, fmt.Sprintf("Звіт ISW №%d", n), link, d.Add(30*time.Hour))
}

// edited returns it with a new title, updated an hour after it was published.
func edited(it fetch.Item, title string) fetch.Item {
	it.Title, it.Content = title, "<p>"+title+"</p>"
	it.Updated = it.Published.Add(time.Hour)
	return it
}

func propertyBatches() []sourceBatch {
	iswEdit := edited(iswReport("2023-03-28"), "Russian Offensive Campaign Assessment, March 28, 2023 | ISW")
	iswRepost := iswReport("2023-03-30")
	iswRepost.ID, iswRepost.Link = "isw-2023-03-30-0", strings.TrimSuffix(iswRepost.Link, "/")+"-0/"
	iran := item(propISW, "isw-iran-0329", "Iran Update, March 29, 2023", "https://understandingwar.org/research/middle-east/iran-update-march-29-2023/", isoDay("2023-03-29").Add(22*time.Hour))
	unrelated := item(propISW, "isw-press", "ISW Launches New Interactive Map", "https://understandingwar.org/press/new-map/", isoDay("2023-03-30"))

	spaRepost := spaReport("sp-400-b", 400, "2023-03-28")
	spaRepost.Published = spaRepost.Published.Add(2 * time.Hour)
	// A second post of 399 outvotes the Ukrainian 398 of the same date: the
	// Polish 398, placed through that 398 while it stood alone, must be held.
	spaRepost399 := spaReport("sp-399-b", 399, "2023-03-27")
	spaRepost399.Published = spaRepost399.Published.Add(2 * time.Hour)

	plWrong := plReport("pl-402", 403, "2023-04-01")
	// 404's only date is the one ISW's original gives the link in its content.
	plLinked := plReport("pl-404", 404, "2023-04-03")
	plLinked.Content += `<p>Źródło: <a href="` + iswReport("2023-04-01").Link + `">ISW</a></p>`
	ukWrong := ukReport("uk-403", 404, "2023-04-01")
	ukCorrected := ukReport("uk-403", 403, "2023-03-31")
	ukCorrected.Published, ukCorrected.Updated = ukWrong.Published, ukWrong.Published.Add(time.Hour)

	return []sourceBatch{
		{propISW, []fetch.Item{iswReport("2023-03-27"), iswReport("2023-03-28"), iswReport("2023-03-29"), iran, unrelated}},
		{propISW, []fetch.Item{iswReport("2023-03-29"), iswEdit, iswReport("2023-03-30"), iswRepost, iswReport("2023-03-31"), iswReport("2023-04-01")}},
		{propSpa, []fetch.Item{spaReport("sp-399", 399, "2023-03-27"), spaReport("sp-400", 400, "2023-03-28"), spaReport("sp-401", 401, "2023-03-29")}},
		{propSpa, []fetch.Item{spaRepost, spaRepost399, spaReport("sp-402", 402, "2023-03-30"), spaReport("sp-403", 403, "2023-03-31")}},
		{propLage, []fetch.Item{lageReport("2023-03-27"), lageReport("2023-03-28")}},
		{propLage, []fetch.Item{lageReport("2023-03-30"), edited(lageReport("2023-03-28"), "Russian Offensive Campaign Assessment, March 28, 2023 – auf Deutsch (korrigiert)")}},
		{propPL, []fetch.Item{plReport("pl-398", 398, "2023-03-29"), plReport("pl-399", 399, "2023-03-29"), plReport("pl-400", 400, "2023-03-30"), plWrong}},
		{propPL, []fetch.Item{edited(plWrong, "Raport ISW nr 402"), plReport("pl-405", 405, "2023-04-03"), plLinked, plReport("pl-post", 0, "2023-04-03")}},
		{propUK, []fetch.Item{ukReport("uk-398", 398, "2023-03-27"), ukReport("uk-401", 401, "2023-03-29"), ukReport("uk-400", 401, "2023-03-28"), ukWrong}},
		{propUK, []fetch.Item{ukCorrected, ukReport("uk-402", 402, "2023-03-30")}},
	}
}

var iswHref = regexp.MustCompile(`href="(https://understandingwar\.org/[^"]+)"`)

// linkingReader stands in for the identity reader's coming support for the
// ISW link at the end of a translation.
type linkingReader struct{ *sourceReader }

func (r linkingReader) Read(it fetch.Item) identity {
	id := r.sourceReader.Read(it)
	if m := iswHref.FindStringSubmatch(it.Content); m != nil && id.Series != "" && id.ISWURL == "" {
		id.ISWURL = m[1]
	}
	return id
}

// snapshot is the state a subscriber or operator can see, timestamps left out.
type snapshot struct {
	Updates []snapUpdate
	Gaps    Gaps
	Stats   Stats
}

type snapUpdate struct {
	ID, Series, Date string
	Number           int
	Variants         []string
}

func takeSnapshot(s *Store) (snapshot, error) {
	all, err := s.Updates(Query{})
	if err != nil {
		return snapshot{}, err
	}
	var snap snapshot
	for _, u := range all {
		su := snapUpdate{ID: u.ID, Series: u.Series, Date: u.Date.Format(time.DateOnly), Number: u.Number}
		for _, v := range u.Variants {
			su.Variants = append(su.Variants, strings.Join([]string{v.Lang, v.Source, v.Role, v.ItemID, v.Title, v.URL}, " | "))
		}
		snap.Updates = append(snap.Updates, su)
	}
	if snap.Gaps, err = s.Gaps(nil); err != nil {
		return snapshot{}, err
	}
	snap.Stats, err = s.Stats()
	return snap, err
}

func (sn snapshot) String() string {
	b, _ := json.MarshalIndent(sn, "", "  ")
	return string(b)
}

// feed opens a fresh store in dir and feeds it the batches in order, each
// times times. NoSync only skips fsync, which the property does not depend on.
func feed(dir string, batches []sourceBatch, order []int, times int) (snapshot, error) {
	db, err := bolt.Open(filepath.Join(dir, "store.db"), 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return snapshot{}, err
	}
	defer db.Close()
	s, err := Open(db, propConfig)
	if err != nil {
		return snapshot{}, err
	}
	r, err := newSourceReader(propPL)
	if err != nil {
		return snapshot{}, err
	}
	s.settings().readers[propPL.Name] = linkingReader{r}
	clock := isoDay("2023-04-05")
	s.now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	for _, i := range order {
		for range times {
			if _, err := s.IngestBatch(batches[i].src, batches[i].items); err != nil {
				return snapshot{}, err
			}
		}
	}
	return takeSnapshot(s)
}

// permutation is one seeded run of the property: the batches in a shuffled
// order, each fed once or (every other seed) twice.
type permutation struct {
	seed  uint64
	order []int
	times int
}

func (p permutation) String() string {
	return fmt.Sprintf("seed %d (order %v, each batch %d×)", p.seed, p.order, p.times)
}

func TestArrivalOrderDoesNotMatter(t *testing.T) {
	batches := propertyBatches()
	inOrder := make([]int, len(batches))
	for i := range inOrder {
		inOrder[i] = i
	}
	want, err := feed(t.TempDir(), batches, inOrder, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkExpected(t, want)

	runs := []permutation{{0, inOrder, 2}, {0, append(slices.Clone(inOrder), inOrder...), 1}}
	const permutations = 200
	for p := range permutations {
		seed := uint64(propertySeed + p)
		order := slices.Clone(inOrder)
		rand.New(rand.NewPCG(seed, 0)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		runs = append(runs, permutation{seed, order, 1 + p%2})
	}
	// A few workers overlap the file system's waits; each run has its own file.
	failures := make([]string, len(runs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range next {
				got, err := feed(t.TempDir(), batches, runs[i].order, runs[i].times)
				switch {
				case err != nil:
					failures[i] = fmt.Sprintf("%v: %v", runs[i], err)
				case got.String() != want.String():
					failures[i] = fmt.Sprintf("%v differs:\n%s\nwant:\n%s", runs[i], got, want)
				}
			}
		})
	}
	for i := range runs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, f := range failures {
		if f != "" {
			t.Fatal(f)
		}
	}
}

// checkExpected asserts what a reader of the merged feed would notice.
func checkExpected(t *testing.T, sn snapshot) {
	t.Helper()
	byDate := map[string]snapUpdate{}
	for _, u := range sn.Updates {
		if u.Series == config.DefaultSeries {
			byDate[u.Date] = u
		}
	}
	wantNumbers := map[string]int{"2023-03-27": 399, "2023-03-28": 400, "2023-03-29": 401, "2023-03-30": 402, "2023-03-31": 403, "2023-04-01": 404}
	for date, n := range wantNumbers {
		if u, ok := byDate[date]; !ok || u.Number != n || u.ID != "urn:iswfeed:"+config.DefaultSeries+":"+date {
			t.Errorf("report of %s = %+v, want number %d", date, u, n)
		}
	}
	if len(byDate) != len(wantNumbers) {
		t.Errorf("%d daily reports, want %d (no phantom from a corrected number): %v", len(byDate), len(wantNumbers), sn)
	}
	wantSources := map[string][]string{
		"2023-03-27": {"isw", "lagebericht", "raport", "spartanat", "zvit"},
		"2023-03-28": {"isw", "lagebericht", "raport", "spartanat", "zvit"},
		"2023-03-29": {"isw", "spartanat", "zvit"},
		"2023-03-30": {"isw", "lagebericht", "raport", "spartanat", "zvit"},
		"2023-03-31": {"isw", "spartanat", "zvit"},
		"2023-04-01": {"isw", "raport"},
	}
	for date, want := range wantSources {
		var got []string
		for _, v := range byDate[date].Variants {
			got = append(got, strings.Split(v, " | ")[1])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("sources of %s = %v, want %v", date, got, want)
		}
	}
	if v := byDate["2023-03-28"].Variants; !strings.Contains(strings.Join(v, "\n"), "sp-400-b") || !strings.Contains(strings.Join(v, "\n"), "| ISW") {
		t.Errorf("28 March does not show the later repost and the edit: %v", v)
	}
	if v := strings.Join(byDate["2023-03-30"].Variants, "\n"); strings.Contains(v, "isw-2023-03-30 |") {
		t.Errorf("30 March keeps the earlier of ISW's two posts: %v", v)
	}
	if u := sn.Gaps.Unplaced; len(u) != 3 || u[0].ItemID != "pl-post" || u[1].ItemID != "pl-398" || u[2].ItemID != "pl-405" {
		t.Errorf("unplaced = %+v, want pl-post (names ISW, states no date), pl-398 and pl-405", u)
	}
	if c, ok := conflictOf(sn.Gaps, 0, "2023-03-27"); !ok || c.Chosen != "399" {
		t.Errorf("the 398 against 399 of 27 March is not listed as won by 399: %+v", sn.Gaps.Conflicts)
	}
	if _, ok := conflictOf(sn.Gaps, 401, ""); !ok {
		t.Errorf("the Ukrainian 401 of 28 March against the anchor is not listed: %+v", sn.Gaps.Conflicts)
	}
	wantMissing := []Ref{{config.DefaultSeries, 403, "2023-03-31"}, {config.DefaultSeries, 401, "2023-03-29"}}
	if missing := sn.Gaps.Missing["pl"]; !slices.Equal(missing, wantMissing) {
		t.Errorf("missing pl = %+v, want %+v", missing, wantMissing)
	}
	if sn.Stats.Skipped["raport"] != 0 {
		t.Errorf("skipped = %v, want raport's unnumbered post held, as it names ISW", sn.Stats.Skipped)
	}
}
