package dedupe

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
)

// follower is a reader that read every report once and then only what
// ChangesSince names, as publish does.
type follower struct {
	generation uint64
	byKey      map[string]Update
}

func (f *follower) follow(t *testing.T, s *Store) int {
	t.Helper()
	ch, ok, err := s.ChangesSince(f.generation)
	if err != nil || !ok {
		t.Fatalf("ChangesSince(%d) = ok %v, %v; want the changes", f.generation, ok, err)
	}
	for _, u := range ch.Updates {
		f.byKey[u.Series+" "+u.Date.Format(time.DateOnly)] = u
	}
	for _, g := range ch.Gone {
		delete(f.byKey, g.Series+" "+g.Date)
	}
	f.generation = ch.Generation
	return len(ch.Updates) + len(ch.Gone)
}

// shown is what a reader shows of updates: numbers and variants, in order.
func shown(ups []Update) string {
	var b strings.Builder
	for _, u := range ups {
		fmt.Fprintf(&b, "%s %s #%d %s %s\n", u.Series, u.Date.Format(time.DateOnly), u.Number, u.ISWURL, u.Updated)
		for _, v := range u.Variants {
			fmt.Fprintf(&b, "  %s %s %s %s %s\n", v.Lang, v.Source, v.ItemID, v.Title, v.Changed)
		}
	}
	return b.String()
}

func (f *follower) updates() []Update {
	var out []Update
	for _, u := range f.byKey {
		out = append(out, u)
	}
	slices.SortFunc(out, newestFirst)
	return out
}

func openPropertyStore(t *testing.T) *Store {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "store.db"), 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(db, propConfig)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newSourceReader(propPL)
	if err != nil {
		t.Fatal(err)
	}
	s.settings().readers[propPL.Name] = linkingReader{r}
	clock := isoDay("2023-04-05")
	s.now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	return s
}

// The property batches move items between reports, correct numbers, hold and
// place number-only items and renumber reports through the calendar: after
// each, in any order, a reader that applies only the changes holds what
// reading every report gives.
func TestChangesSinceKeepAReaderAsReadingEverything(t *testing.T) {
	batches := propertyBatches()
	for p := range 40 {
		order := make([]int, len(batches))
		for i := range order {
			order[i] = i
		}
		rand.New(rand.NewPCG(uint64(propertySeed+p), 0)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		s := openPropertyStore(t)
		f := &follower{byKey: map[string]Update{}}
		for step, i := range order {
			ingest(t, s, batches[i].src, batches[i].items...)
			f.follow(t, s)
			all, err := s.Updates(Query{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := shown(f.updates()), shown(all); got != want {
				t.Fatalf("order %v, after batch %d (step %d): the follower holds\n%s\nreading everything gives\n%s", order, i, step, got, want)
			}
		}
	}
}

func TestChangesSinceNameOnlyWhatAWriteTouched(t *testing.T) {
	s := openStore(t, withAnchors(map[int]string{401: "2023-03-29"}))
	f := &follower{byKey: map[string]Update{}}
	var items []time.Time
	for d := isoDay("2023-01-01"); d.Before(isoDay("2023-03-30")); d = d.AddDate(0, 0, 1) {
		ingest(t, s, isw, original(d.Format(time.DateOnly), "Russian Offensive Campaign Assessment, "+d.Format("January 2, 2006")))
		items = append(items, d)
	}
	f.follow(t, s)
	if len(f.byKey) != len(items) {
		t.Fatalf("the follower holds %d reports, want %d", len(f.byKey), len(items))
	}
	if n := f.follow(t, s); n != 0 {
		t.Errorf("with nothing written, %d reports are named", n)
	}
	ingest(t, s, spa, spaReport("sp-400", 400, "2023-03-28"))
	if n := f.follow(t, s); n == 0 || n > 2 {
		t.Errorf("a translation of one report names %d reports, want 1 or 2", n)
	}
	if u := f.byKey[config.DefaultSeries+" 2023-03-28"]; u.Number != 400 || len(u.Variants) != 2 {
		t.Errorf("the translated report reads #%d with %d variants, want #400 with 2", u.Number, len(u.Variants))
	}
}

func TestChangesSinceAsksForEverythingAfterNewAnchors(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, isw, original("2023-03-29", "Russian Offensive Campaign Assessment, March 29, 2023"))
	before := s.Generation()
	if err := s.Configure(withAnchors(map[int]string{401: "2023-03-29"})); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.ChangesSince(before); ok || err != nil {
		t.Errorf("after new anchors ChangesSince = ok %v, %v; want not ok: any report may be renumbered", ok, err)
	}
	if _, ok, _ := s.ChangesSince(s.Generation()); !ok {
		t.Error("a reader that read after the new anchors is told to read everything again")
	}
}

func TestChangeLogForgetsItsOldestWritesPastItsBound(t *testing.T) {
	var gen atomic.Uint64
	l := changeLog{limit: 3}
	for i := range 4 {
		w := l.begin()
		l.note(fmt.Sprint("report ", i), fmt.Sprint("other ", i))
		l.commit(w, &gen)
	}
	if _, _, ok := l.since(0); ok {
		t.Error("a reader from before the forgotten writes is told what changed")
	}
	keys, generation, ok := l.since(3)
	if !ok || generation != 4 || !slices.Equal(slices.Sorted(slices.Values(keys)), []string{"other 3", "report 3"}) {
		t.Errorf("since(3) = %q, %d, %v; want the last write's two reports at generation 4", keys, generation, ok)
	}
}

func TestChangesSinceNameAReportThatLosesItsNumberToAnother(t *testing.T) {
	s := openStore(t, nil)
	f := &follower{byKey: map[string]Update{}}
	ingest(t, s, isw, original("2023-03-27", "Russian Offensive Campaign Assessment, March 27, 2023"),
		original("2023-03-28", "Russian Offensive Campaign Assessment, March 28, 2023"))
	ingest(t, s, spa, spaReport("sp-a", 400, "2023-03-27"))
	f.follow(t, s)
	if n := f.byKey[config.DefaultSeries+" 2023-03-27"].Number; n != 400 {
		t.Fatalf("27 March reads #%d, want #400", n)
	}
	// Two posts give 400 to 28 March: 27 March keeps its items but not its number.
	ingest(t, s, spa, spaReport("sp-b", 400, "2023-03-28"), spaReport("sp-c", 400, "2023-03-28"))
	f.follow(t, s)
	for date, want := range map[string]int{"2023-03-27": 0, "2023-03-28": 400} {
		if n := f.byKey[config.DefaultSeries+" "+date].Number; n != want {
			t.Errorf("after the change, %s reads #%d, want #%d", date, n, want)
		}
	}
}
