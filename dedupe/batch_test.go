package dedupe

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// readerFunc lets a test say what identity each item carries.
type readerFunc func(fetch.Item) identity

func (f readerFunc) Read(it fetch.Item) identity { return f(it) }

func txID(t *testing.T, s *Store) int {
	t.Helper()
	var id int
	if err := s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

func mustUpdateOn(t *testing.T, s *Store, date string) Update {
	t.Helper()
	u, ok, err := s.UpdateOn(config.DefaultSeries, isoDay(date))
	if err != nil || !ok {
		t.Fatalf("no update on %s (err %v)", date, err)
	}
	return u
}

func TestSameReportPostedTwiceKeepsOneVariant(t *testing.T) {
	first := german("sp-a", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-05")
	second := german("sp-b", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022-2/", "2022-04-05")
	second.Link = "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/?repost"
	for name, order := range map[string][]fetch.Item{"in order": {first, second}, "reversed": {second, first}} {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, nil)
			for _, it := range order {
				ingest(t, s, spa, it)
			}
			u := mustUpdateOn(t, s, "2022-04-04")
			if len(u.Variants) != 1 || u.Variants[0].ItemID != "sp-b" {
				t.Errorf("variants = %+v, want only sp-b (same time, greater id)", u.Variants)
			}
		})
	}
}

func TestLaterRepostWinsItsSlot(t *testing.T) {
	s := openStore(t, nil)
	older := german("sp-b", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-05")
	newer := german("sp-a", "Ukraine: Die Lage 45 (neu)", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06")
	ingest(t, s, spa, newer, older)
	if u := mustUpdateOn(t, s, "2022-04-04"); len(u.Variants) != 1 || u.Variants[0].ItemID != "sp-a" {
		t.Errorf("variants = %+v, want the later post sp-a", u.Variants)
	}
}

func TestCopiesOfOneItemInABatchDoNotDependOnOrder(t *testing.T) {
	a := original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022")
	b := a
	b.Content = "<p>edited</p>"
	for name, order := range map[string][]fetch.Item{"a then b": {a, b}, "b then a": {b, a}} {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, nil)
			ingest(t, s, isw, order...)
			before := txID(t, s)
			if rep := ingest(t, s, isw, order...); rep.Changed != 0 {
				t.Errorf("same batch again changed %d items", rep.Changed)
			}
			if txID(t, s) != before {
				t.Error("same batch again wrote a transaction")
			}
			if u := mustUpdateOn(t, s, "2022-04-04"); len(u.Variants) != 1 {
				t.Errorf("variants = %+v", u.Variants)
			}
		})
	}
}

func TestOlderCopyArrivingLateDoesNotUndoAnEdit(t *testing.T) {
	s := openStore(t, nil)
	v1 := original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022")
	v2 := v1
	v2.Title += " (updated)"
	v2.Updated = v1.Published.Add(time.Hour)
	ingest(t, s, isw, v2)
	if rep := ingest(t, s, isw, v1); rep.Changed != 0 {
		t.Errorf("stale copy changed %d items", rep.Changed)
	}
	if u := mustUpdateOn(t, s, "2022-04-04"); u.Variants[0].Title != v2.Title {
		t.Errorf("title = %q, want the edit", u.Variants[0].Title)
	}
}

func TestUpdatedMovesWhenAVariantArrivesChangesOrLeaves(t *testing.T) {
	s := openStore(t, nil)
	clock := isoDay("2022-04-05")
	s.now = func() time.Time { return clock }
	tick := func() { clock = clock.Add(time.Hour) }
	ingest(t, s, isw, original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"))
	created := mustUpdateOn(t, s, "2022-04-04")

	steps := []struct {
		name  string
		src   config.Source
		item  fetch.Item
		moves bool
	}{
		{"a translation arrives", spa, german("sp-45", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06"), true},
		{"the same translation again", spa, german("sp-45", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06"), false},
		{"the translation is edited", spa, german("sp-45", "Ukraine: Die Lage 45 – korrigiert", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06"), true},
		{"the translation stops being a report", spa, german("sp-45", "In eigener Sache", "https://www.spartanat.com/2022/04/in-eigener-sache/", "2022-04-06"), true},
	}
	prev := created
	for _, st := range steps {
		tick()
		ingest(t, s, st.src, st.item)
		u := mustUpdateOn(t, s, "2022-04-04")
		if moved := !u.Updated.Equal(prev.Updated); moved != st.moves {
			t.Errorf("%s: updated moved = %v, want %v", st.name, moved, st.moves)
		}
		if u.ID != created.ID || !u.Published.Equal(created.Published) {
			t.Errorf("%s: id/published changed: %s %v", st.name, u.ID, u.Published)
		}
		prev = u
	}
	if got := prev.Langs(); len(got) != 1 || got[0] != "en" {
		t.Errorf("langs after the translation left = %v", got)
	}
	st, _ := s.Stats()
	if st.Skipped["spartanat"] != 1 {
		t.Errorf("skipped = %v, want the edited post counted", st.Skipped)
	}
}

func TestItemMovingSeriesLeavesItsOldReport(t *testing.T) {
	s := openStore(t, nil)
	series := config.DefaultSeries
	s.settings().readers["isw"] = readerFunc(func(it fetch.Item) identity {
		return identity{Series: series, Date: isoDay("2022-04-04")}
	})
	it := original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022")
	ingest(t, s, isw, it)
	series = "iran-update"
	it.Title = "Iran Update, April 4, 2022"
	ingest(t, s, isw, it)
	if _, ok, _ := s.UpdateOn(config.DefaultSeries, isoDay("2022-04-04")); ok {
		t.Error("the item's old report remains")
	}
	if _, ok, _ := s.UpdateOn("iran-update", isoDay("2022-04-04")); !ok {
		t.Error("the item is not in its new series")
	}
}

func TestBatchItemsAreReadOnEveryCore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	s := openStore(t, nil)
	// Each reading waits until another is under way: read one at a time,
	// the first would wait for ever.
	var arrived atomic.Int32
	both := make(chan struct{})
	s.settings().readers["isw"] = readerFunc(func(it fetch.Item) identity {
		if arrived.Add(1) == 2 {
			close(both)
		}
		select {
		case <-both:
		case <-time.After(10 * time.Second):
			t.Error("no other item was read while this one was")
		}
		return identity{Series: config.DefaultSeries, Date: isoDay(it.ID[len("isw-"):])}
	})
	rep := ingest(t, s, isw, original("2022-04-04", "a"), original("2022-04-05", "b"))
	if rep.Changed != 2 || rep.Placed != 2 {
		t.Errorf("report %+v, want both items placed", rep)
	}
}

func TestABatchDecodesOnlyTheItemsItDidNotWrite(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s,
		isw, original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"),
		original("2022-04-05", "Russian Offensive Campaign Assessment, April 5, 2022"))
	if n := s.itemsDecoded.Load(); n != 0 {
		t.Errorf("the first batch decoded %d items again, want none: it wrote them", n)
	}
	ingest(t, s, spa, german("sp-45", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-05"))
	if n := s.itemsDecoded.Load(); n != 1 {
		t.Errorf("the second batch decoded %d items, want 1: the original its translation joins", n)
	}
	if u := mustUpdateOn(t, s, "2022-04-04"); len(u.Variants) != 2 {
		t.Errorf("variants = %+v, want the original and its translation", u.Variants)
	}
}

func TestAnItemFetchedAgainUnchangedIsNotReadAgain(t *testing.T) {
	s := openStore(t, nil)
	lage := german("sp-45", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-05")
	other := german("sp-x", "In eigener Sache", "https://www.spartanat.com/2022/04/in-eigener-sache/", "2022-04-05")
	first := ingest(t, s, spa, lage, other)
	read := s.itemsRead.Load()
	again := ingest(t, s, spa, lage, other)
	if n := s.itemsRead.Load() - read; n != 0 {
		t.Errorf("the same items fetched again were read %d times, want none", n)
	}
	if again.Skipped != first.Skipped || again.Changed != 0 {
		t.Errorf("report again %+v, first %+v: want the same skipped, nothing changed", again, first)
	}
	edited := lage
	edited.Content += "<p>Nachtrag</p>"
	ingest(t, s, spa, edited, other)
	if n := s.itemsRead.Load() - read; n != 1 {
		t.Errorf("%d items read after one was edited, want that one", n)
	}
	cfg := &config.Config{Sources: []config.Source{isw, spa}}
	cfg.Sources[1].Number = `Lage (\d+)`
	if err := s.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	read = s.itemsRead.Load()
	ingest(t, s, cfg.Sources[1], edited, other)
	if n := s.itemsRead.Load() - read; n != 2 {
		t.Errorf("%d items read after the source's number pattern changed, want both", n)
	}
}
