package dedupe

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

var (
	spa = config.Source{Name: "spartanat", URL: "https://www.spartanat.com/feed/", Lang: "de", Role: config.RoleTranslation}
)

// openFile opens the bbolt file at path for writing, as the daemon does.
func openFile(t testing.TB, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func openStore(t *testing.T, cfg *config.Config) *Store {
	t.Helper()
	db := openFile(t, filepath.Join(t.TempDir(), "test.db"))
	t.Cleanup(func() { db.Close() })
	if cfg == nil {
		cfg = &config.Config{Sources: []config.Source{isw, spa}}
	}
	s, err := Open(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func isoDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func original(date, title string) fetch.Item {
	return fetch.Item{Source: "isw", Lang: "en", ID: "isw-" + date, Title: title,
		Link:    "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-" + date,
		Content: "<p>original</p>", Published: isoDay(date).Add(23 * time.Hour)}
}

func german(id, title, link string, published string) fetch.Item {
	return fetch.Item{Source: "spartanat", Lang: "de", ID: id, Title: title, Link: link,
		Content: "<p>Übersetzung</p>", Published: isoDay(published)}
}

func ingest(t *testing.T, s *Store, src config.Source, items ...fetch.Item) Report {
	t.Helper()
	rep, err := s.IngestBatch(src, items)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestTranslationArrivingAfterOriginalJoinsItsUpdate(t *testing.T) {
	s := openStore(t, nil)
	clock := isoDay("2022-04-05")
	s.now = func() time.Time { return clock }
	ingest(t, s, isw, original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"))
	before, ok, err := s.UpdateOn(config.DefaultSeries, isoDay("2022-04-04"))
	if err != nil || !ok {
		t.Fatalf("original not stored: %v", err)
	}
	clock = clock.Add(48 * time.Hour)
	ingest(t, s, spa, german("sp-45", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06"))
	after, ok, _ := s.Update(config.DefaultSeries, 45)
	if !ok {
		t.Fatal("update 45 not found through the calendar")
	}
	if after.ID != before.ID {
		t.Errorf("entry id changed from %s to %s", before.ID, after.ID)
	}
	if !after.Updated.After(before.Updated) {
		t.Errorf("updated did not move: %v -> %v", before.Updated, after.Updated)
	}
	if got := after.Langs(); len(got) != 2 || got[0] != "en" || got[1] != "de" {
		t.Errorf("langs = %v, want [en de]", got)
	}
	if after.Variants[1].Content != "<p>Übersetzung</p>" {
		t.Errorf("translation content = %q", after.Variants[1].Content)
	}
}

func TestSameBatchTwiceChangesNothing(t *testing.T) {
	s := openStore(t, nil)
	items := []fetch.Item{
		original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"),
		original("2022-04-09", "Russian Offensive Campaign Assessment, April 9, 2022"),
		{Source: "isw", ID: "iran", Title: "Iran Update, April 9, 2022", Published: isoDay("2022-04-09")},
	}
	first := ingest(t, s, isw, items...)
	if first.Changed != 3 {
		t.Errorf("first batch changed %d items, want 3", first.Changed)
	}
	again := ingest(t, s, isw, items...)
	if again.Changed != 0 {
		t.Errorf("same batch again changed %d items", again.Changed)
	}
	all, _ := s.Updates(Query{Series: []string{config.DefaultSeries}})
	if len(all) != 2 {
		t.Errorf("%d updates, want 2", len(all))
	}
}

func TestNumberOnlyItemWaitsForTheCalendar(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, isw, original("2022-04-09", "Russian Offensive Campaign Assessment, April 9, 2022"))
	rep := ingest(t, s, spa, german("sp-50", "Ukraine: Die Lage 50", "https://www.spartanat.com/?p=50", "2022-04-10"))
	if rep.Held != 1 {
		t.Fatalf("held = %d, want the number-only item held", rep.Held)
	}
	g, _ := s.Gaps([]string{"de"})
	if len(g.Unplaced) != 1 || g.Unplaced[0].Number != 50 {
		t.Errorf("gaps do not list the held item: %+v", g.Unplaced)
	}
	// Another translator's post gives 50 with its date: the held item joins.
	ingest(t, s, spa, german("sp-50b", "Ukraine: Die Lage 50", "https://www.spartanat.com/2022/04/ukraine-die-lage-50-9-april-2022/", "2022-04-10"))
	u, ok, _ := s.Update(config.DefaultSeries, 50)
	if !ok || len(u.Variants) != 2 {
		t.Fatalf("update 50 = %+v", u)
	}
	if g, _ := s.Gaps([]string{"de"}); len(g.Unplaced) != 0 {
		t.Errorf("still unplaced: %+v", g.Unplaced)
	}
}

func TestCorrectedNumberLeavesNoPhantom(t *testing.T) {
	s := openStore(t, &config.Config{Sources: []config.Source{isw, spa}, Series: map[string]config.Series{
		config.DefaultSeries: {Calendar: map[int]config.Date{45: {Time: isoDay("2022-04-04")}, 46: {Time: isoDay("2022-04-05")}}},
	}})
	ingest(t, s, spa, german("sp-x", "Ukraine: Die Lage 46", "https://www.spartanat.com/?p=1", "2022-04-06"))
	if u, ok, _ := s.Update(config.DefaultSeries, 46); !ok || len(u.Variants) != 1 {
		t.Fatalf("wrong number not placed at 46: %+v", u)
	}
	ingest(t, s, spa, german("sp-x", "Ukraine: Die Lage 45", "https://www.spartanat.com/?p=1", "2022-04-06"))
	if _, ok, _ := s.Update(config.DefaultSeries, 46); ok {
		t.Error("phantom update 46 remains after the correction")
	}
	if u, ok, _ := s.Update(config.DefaultSeries, 45); !ok || len(u.Variants) != 1 {
		t.Errorf("corrected item not at 45: %+v", u)
	}
}

func TestSourcesIngestConcurrentlyWithAReload(t *testing.T) {
	s := openStore(t, nil)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 20 {
			d := isoDay("2022-04-01").AddDate(0, 0, i).Format(time.DateOnly)
			if _, err := s.IngestBatch(isw, []fetch.Item{original(d, "Russian Offensive Campaign Assessment, "+isoDay(d).Format("January 2, 2006"))}); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Go(func() {
		for i := range 20 {
			if _, err := s.IngestBatch(spa, []fetch.Item{lage(fmt.Sprint(i), 40+i, "")}); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Go(func() {
		for i := range 5 {
			if err := s.Configure(withAnchors(map[int]string{40 + i: "2022-04-0" + fmt.Sprint(1+i)})); err != nil {
				t.Error(err)
			}
			if _, err := s.Gaps(nil); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if u, ok, _ := s.Update(config.DefaultSeries, 44); !ok || len(u.Variants) != 2 {
		t.Errorf("44 after the last reload = %+v", u)
	}
}

func TestUndatedItemFetchedAgainIsNoEdit(t *testing.T) {
	s := openStore(t, nil)
	it := german("sp-undated", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06")
	it.Undated, it.Updated = true, it.Published
	ingest(t, s, spa, it)
	before, _, _ := s.Update(config.DefaultSeries, 45)
	// The next poll's fetch time, which fetch gives as published and updated.
	it.Published = it.Published.Add(30 * time.Minute)
	it.Updated = it.Published
	if rep := ingest(t, s, spa, it); rep.Changed != 0 {
		t.Errorf("the same undated item fetched again changed %d items", rep.Changed)
	}
	after, _, _ := s.Update(config.DefaultSeries, 45)
	if !after.Updated.Equal(before.Updated) {
		t.Errorf("updated moved from %v to %v", before.Updated, after.Updated)
	}
}
