package dedupe

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

func withAnchors(cal map[int]string) *config.Config {
	c := map[int]config.Date{}
	for n, d := range cal {
		c[n] = config.Date{Time: isoDay(d)}
	}
	return &config.Config{Sources: []config.Source{isw, spa},
		Series: map[string]config.Series{config.DefaultSeries: {Calendar: c}}}
}

// lage is a spartanat post of update n, with the report date in its slug when date is set.
func lage(id string, n int, date string) fetch.Item {
	link := fmt.Sprintf("https://www.spartanat.com/?p=%s", id)
	if date != "" {
		d := isoDay(date)
		link = fmt.Sprintf("https://www.spartanat.com/%d/%02d/ukraine-die-lage-%d-%d-%s-%d/",
			d.Year(), d.Month(), n, d.Day(), map[time.Month]string{3: "maerz", 4: "april"}[d.Month()], d.Year())
	}
	return german(id, fmt.Sprintf("Ukraine: Die Lage %d", n), link, "2022-04-20")
}

func conflictOf(g Gaps, number int, date string) (Conflict, bool) {
	for _, c := range g.Conflicts {
		if c.Number == number && c.Date == date {
			return c, true
		}
	}
	return Conflict{}, false
}

func TestCalendarConflicts(t *testing.T) {
	tests := []struct {
		name    string
		anchors map[int]string
		items   []fetch.Item
		number  int
		date    string
		claims  []string
		chosen  string
	}{
		{"one date given two numbers: the most given wins", nil,
			[]fetch.Item{lage("a", 50, "2022-04-09"), lage("b", 50, "2022-04-09"), lage("c", 51, "2022-04-09")},
			0, "2022-04-09", []string{"50", "51"}, "50"},
		{"one number given two dates: the earliest wins a tie", nil,
			[]fetch.Item{lage("a", 50, "2022-04-10"), lage("b", 50, "2022-04-09")},
			50, "", []string{"2022-04-09", "2022-04-10"}, "2022-04-09"},
		{"items against an anchor's number: the anchor wins", map[int]string{50: "2022-04-09"},
			[]fetch.Item{lage("a", 50, "2022-04-10")},
			50, "", []string{"2022-04-10"}, "2022-04-09"},
		{"items against an anchor's date: the anchor wins", map[int]string{50: "2022-04-09"},
			[]fetch.Item{lage("a", 51, "2022-04-09")},
			0, "2022-04-09", []string{"51"}, "50"},
		{"two anchors on one date: the smallest wins", map[int]string{50: "2022-04-09", 52: "2022-04-09"},
			nil, 0, "2022-04-09", []string{"50", "52"}, "50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, withAnchors(tc.anchors))
			ingest(t, s, spa, tc.items...)
			g, err := s.Gaps(nil)
			if err != nil {
				t.Fatal(err)
			}
			c, ok := conflictOf(g, tc.number, tc.date)
			if !ok {
				t.Fatalf("conflict for %d/%s not listed: %+v", tc.number, tc.date, g.Conflicts)
			}
			if !slices.Equal(c.Claims, tc.claims) || c.Chosen != tc.chosen || c.Anchored != (tc.anchors != nil) {
				t.Errorf("conflict = %+v, want claims %v chosen %s", c, tc.claims, tc.chosen)
			}
		})
	}
}

func TestCalendarIsOneToOne(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, spa, lage("a", 50, "2022-04-09"), lage("b", 50, "2022-04-09"), lage("c", 51, "2022-04-09"), lage("d", 51, ""))
	if u := mustUpdateOn(t, s, "2022-04-09"); u.Number != 50 {
		t.Errorf("report of 9 April has number %d, want 50", u.Number)
	}
	if _, ok, _ := s.Update(config.DefaultSeries, 51); ok {
		t.Error("51, outvoted on its only date, still finds a report")
	}
	g, _ := s.Gaps(nil)
	if len(g.Unplaced) != 1 || g.Unplaced[0].ItemID != "d" {
		t.Errorf("unplaced = %+v, want the number-only post of 51", g.Unplaced)
	}
}

func TestNumberOnlyHeldHasNoUpdate(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, spa, lage("x", 77, ""))
	u, ok, err := s.Update(config.DefaultSeries, 77)
	if err != nil || ok {
		t.Errorf("Update(77) = %+v, %v, %v; want not found", u, ok, err)
	}
	if g, _ := s.Gaps(nil); len(g.Unplaced) != 1 || g.Unplaced[0].Number != 77 {
		t.Errorf("unplaced = %+v", g.Unplaced)
	}
}

func TestAnchorsChangingBetweenOpensMoveHeldItems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	db := openFile(t, path)
	defer db.Close()
	open := func(cal map[int]string) *Store {
		s, err := Open(db, withAnchors(cal))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open(map[int]string{50: "2022-04-09"})
	ingest(t, s, spa, lage("x", 50, ""))
	if u, ok, _ := s.Update(config.DefaultSeries, 50); !ok || u.Date != isoDay("2022-04-09") {
		t.Fatalf("50 not placed on its anchor: %+v", u)
	}
	s = open(map[int]string{50: "2022-04-10"})
	if _, ok, _ := s.UpdateOn(config.DefaultSeries, isoDay("2022-04-09")); ok {
		t.Error("the report of the old anchor remains")
	}
	if u, ok, _ := s.Update(config.DefaultSeries, 50); !ok || u.Date != isoDay("2022-04-10") {
		t.Errorf("50 did not move to its new anchor: %+v", u)
	}
	s = open(nil)
	if _, ok, _ := s.Update(config.DefaultSeries, 50); ok {
		t.Error("50 still placed with no anchor")
	}
	if g, _ := s.Gaps(nil); len(g.Unplaced) != 1 {
		t.Errorf("unplaced = %+v, want the post of 50 held", g.Unplaced)
	}
}

func TestConfigureMovesHeldItemsAtOnce(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, spa, lage("x", 50, ""))
	if err := s.Configure(withAnchors(map[int]string{50: "2022-04-09"})); err != nil {
		t.Fatal(err)
	}
	if u, ok, _ := s.Update(config.DefaultSeries, 50); !ok || len(u.Variants) != 1 {
		t.Errorf("50 not placed on its new anchor: %+v", u)
	}
}

func TestNumberWithAnISWLinkTakesTheLinksDate(t *testing.T) {
	link := "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-2022-04-04"
	translation := german("sp-link", "Ukraine: Die Lage 45", "https://www.spartanat.com/?p=45", "2022-04-06")
	linking := readerFunc(func(it fetch.Item) identity {
		return identity{Series: config.DefaultSeries, Number: 45, ISWURL: strings.ToUpper(link) + "/"}
	})
	orig := original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022")
	steps := map[string][]string{"original first": {"isw", "spartanat"}, "translation first": {"spartanat", "isw"}}
	for name, order := range steps {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, nil)
			s.settings().readers["spartanat"] = linking
			for _, src := range order {
				if src == "isw" {
					ingest(t, s, isw, orig)
				} else {
					ingest(t, s, spa, translation)
				}
			}
			u, ok, _ := s.Update(config.DefaultSeries, 45)
			if !ok || u.Date != isoDay("2022-04-04") || len(u.Variants) != 2 {
				t.Fatalf("Update(45) = %+v, want the report of 4 April with both variants", u)
			}
			withdrawn := orig
			withdrawn.Title, withdrawn.Updated = "Correction notice", orig.Published.Add(time.Hour)
			withdrawn.Link = "https://understandingwar.org/backgrounder/correction-notice"
			ingest(t, s, isw, withdrawn)
			if _, ok, _ := s.Update(config.DefaultSeries, 45); ok {
				t.Error("45 keeps a date after the only item dating its link left")
			}
			if g, _ := s.Gaps(nil); len(g.Unplaced) != 1 || g.Unplaced[0].ItemID != "sp-link" {
				t.Errorf("unplaced = %+v, want the translation held", g.Unplaced)
			}
		})
	}
}
