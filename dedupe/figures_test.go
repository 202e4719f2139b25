package dedupe

import (
	"maps"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

// walkedFigures are the store's figures as the walks over every report
// (Stats, Gaps) count them.
func walkedFigures(t *testing.T, s *Store) Figures {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Gaps(nil)
	if err != nil {
		t.Fatal(err)
	}
	return Figures{Stats: st, Unnumbered: len(g.Unnumbered)}
}

// sameFigures tells whether got and want count the same, whatever their
// generations.
func sameFigures(got, want Figures) bool {
	return got.Updates == want.Updates && got.Variants == want.Variants && got.Items == want.Items &&
		got.Held == want.Held && got.Unnumbered == want.Unnumbered &&
		maps.Equal(got.ByLang, want.ByLang) && maps.Equal(got.Skipped, want.Skipped)
}

// TestFiguresAreWhatTheWalksCountReadingWhatChanged reads the figures after
// every batch of sources that agree, disagree and re-date their items, after
// an item is held, a report is renumbered and a report moves: they are what
// the walks over every report count, each read reads only the reports the
// writes since touched, and only the first read every report.
func TestFiguresAreWhatTheWalksCountReadingWhatChanged(t *testing.T) {
	s := openTallyStore(t, tallyConfig(map[int]config.Date{401: {Time: isoDay("2023-03-29")}}), false)
	var steps []func()
	for _, b := range learningBatches() {
		steps = append(steps, func() { ingest(t, s, b.src, b.items...) })
	}
	moved := original("2023-06-01", "Russian Offensive Campaign Assessment, June 1, 2023")
	moved.ID = "isw-moved"
	steps = append(steps,
		func() { // an item the calendar cannot place yet
			ingest(t, s, tallyFi, fetch.Item{Source: "fi", Lang: "fi", ID: "fi-held", Title: "Päivitys 460",
				Link: "https://fi.example/?p=999", Content: "<p>…</p>", Published: isoDay("2023-05-20")})
		},
		func() { ingest(t, s, isw, moved) }, // a report far from the calendar's numbers
		func() { // the report's one item moves to another date: the report is gone
			moved = original("2023-06-02", "Russian Offensive Campaign Assessment, June 2, 2023")
			moved.ID, moved.Updated = "isw-moved", moved.Published.Add(time.Hour)
			ingest(t, s, isw, moved)
		})
	var unnumbered, held bool
	for i, step := range steps {
		before := s.Generation()
		read := s.figures.read
		step()
		got, err := s.Figures()
		if err != nil {
			t.Fatal(err)
		}
		if want := walkedFigures(t, s); !sameFigures(got, want) {
			t.Errorf("after step %d the figures are\n%+v\nwant what the walks count\n%+v", i, got, want)
		}
		if i > 0 {
			ch, ok, err := s.ChangesSince(before)
			if err != nil || !ok {
				t.Fatalf("after step %d the store cannot tell its changes (%v)", i, err)
			}
			if n := s.figures.read - read; n > len(ch.Updates) {
				t.Errorf("after step %d the figures read %d reports, want at most the %d it touched", i, n, len(ch.Updates))
			}
		}
		unnumbered, held = unnumbered || got.Unnumbered > 0, held || got.Held > 0
	}
	if s.figures.fullReads != 1 {
		t.Errorf("the figures read every report %d times, want once", s.figures.fullReads)
	}
	if !unnumbered || !held {
		t.Errorf("no step left a report unnumbered (%v) or an item held (%v): the test tests little", unnumbered, held)
	}
}
