package dedupe

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// walkedNumberings is what Waiting listed of the numberings before it read
// the counts: the walk over every record of each translation source.
func walkedNumberings(t *testing.T, s *Store) string {
	t.Helper()
	out := []Numbering{}
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, src := range s.settings().sources {
			if src.Role == config.RoleOriginal {
				continue
			}
			n := s.learn(tx, src.Name).Numbering
			n.Override, n.LagOverride = src.Number, src.Lag
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return jsonOf(t, out)
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitingJSON is the JSON of the part of s.Waiting() that part picks.
func waitingJSON(t *testing.T, s *Store, part func(Gaps) any) string {
	t.Helper()
	g, err := s.Waiting()
	if err != nil {
		t.Fatal(err)
	}
	return jsonOf(t, part(g))
}

func waitingNumberings(t *testing.T, s *Store) string {
	t.Helper()
	return waitingJSON(t, s, func(g Gaps) any { return g.Numbering })
}

// TestWaitingNumberingsAreTheWalks checks that the numberings Waiting reads
// from the counts are, after every batch of sources that agree, disagree
// and correct themselves, and after new anchors, what the walk over every
// record gives.
func TestWaitingNumberingsAreTheWalks(t *testing.T) {
	s := openTallyStore(t, tallyConfig(map[int]config.Date{401: {Time: isoDay("2023-03-29")}}), false)
	for i, b := range learningBatches() {
		if _, err := s.IngestBatch(b.src, b.items); err != nil {
			t.Fatal(err)
		}
		if got, want := waitingNumberings(t, s), walkedNumberings(t, s); got != want {
			t.Errorf("after batch %d: Waiting lists\n%s\nthe walk gives\n%s", i, got, want)
		}
	}
	if err := s.Configure(tallyConfig(map[int]config.Date{402: {Time: isoDay("2023-03-30")}, 410: {Time: isoDay("2023-03-31")}})); err != nil {
		t.Fatal(err)
	}
	if got, want := waitingNumberings(t, s), walkedNumberings(t, s); got != want {
		t.Errorf("after new anchors: Waiting lists\n%s\nthe walk gives\n%s", got, want)
	}
}

// TestWaitingWalksOnlySourcesWhoseRecordsDisagree checks that Waiting reads
// a source whose records all agree from its counts, at the cost of its
// places, and walks a source's records only to list those that disagree.
func TestWaitingWalksOnlySourcesWhoseRecordsDisagree(t *testing.T) {
	s := openTallyStore(t, tallyConfig(nil), false)
	batches := learningBatches()
	for _, b := range batches[:5] { // isw's reports and spartanat's, corrected: all agree
		if _, err := s.IngestBatch(b.src, b.items); err != nil {
			t.Fatal(err)
		}
	}
	before := s.learnWalks.Load()
	if got, want := waitingNumberings(t, s), walkedNumberings(t, s); got != want {
		t.Fatalf("Waiting lists\n%s\nthe walk gives\n%s", got, want)
	}
	if n := s.learnWalks.Load() - before; n != 0 {
		t.Errorf("Waiting walked %d sources' records, none of which disagrees", n)
	}
	if _, err := s.IngestBatch(batches[5].src, batches[5].items); err != nil { // the Finnish source, once wrong
		t.Fatal(err)
	}
	before = s.learnWalks.Load()
	got := waitingNumberings(t, s)
	if n := s.learnWalks.Load() - before; n != 1 {
		t.Errorf("Waiting walked %d sources' records, want the Finnish source's alone", n)
	}
	if want := walkedNumberings(t, s); got != want {
		t.Errorf("Waiting lists\n%s\nthe walk gives\n%s", got, want)
	}
}

// TestWaitingWithAnchorsTheCountsWereNotMadeWithIsTheWalk checks a store
// read with anchors other than those its counts were settled with (a
// read-only store, which Configure does not write to): Waiting gives what
// the walk gives with the anchors in force.
func TestWaitingWithAnchorsTheCountsWereNotMadeWithIsTheWalk(t *testing.T) {
	s := openStoreFile(t, tallyConfig(map[int]config.Date{401: {Time: isoDay("2023-03-29")}}))
	for _, b := range learningBatches() {
		if _, err := s.IngestBatch(b.src, b.items); err != nil {
			t.Fatal(err)
		}
	}
	before := walkedNumberings(t, s)
	s = reopenReadOnly(t, s, tallyConfig(map[int]config.Date{402: {Time: isoDay("2023-03-30")}, 410: {Time: isoDay("2023-03-31")}}))
	want := walkedNumberings(t, s)
	if want == before {
		t.Fatal("the new anchors change no numbering: the test tests nothing")
	}
	if got := waitingNumberings(t, s); got != want {
		t.Errorf("Waiting lists\n%s\nthe walk gives\n%s", got, want)
	}
}

// openStoreFile opens a store with cfg in a new file, which
// reopenReadOnly can open again.
func openStoreFile(t *testing.T, cfg *config.Config) *Store {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "iswfeed.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reopenReadOnly closes s's file and opens it again read-only, as a store
// with cfg.
func reopenReadOnly(t *testing.T, s *Store, cfg *config.Config) *Store {
	t.Helper()
	path := s.db.Path()
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	s, err = Open(ro, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// walkedConflicts is the walk over every number and date of the calendar.
func walkedConflicts(t *testing.T, s *Store) string {
	t.Helper()
	var out []Conflict
	if err := s.db.View(func(tx *bolt.Tx) error { out = s.conflicts(tx, nil); return nil }); err != nil {
		t.Fatal(err)
	}
	return jsonOf(t, out)
}

func waitingConflicts(t *testing.T, s *Store) string {
	t.Helper()
	return waitingJSON(t, s, func(g Gaps) any { return g.Conflicts })
}

// TestWaitingConflictsAreTheWalks checks the conflicts Waiting keeps from
// call to call: whatever the order of the batches (those of the learning
// and of the arrival-order properties: wrong numbers, corrections,
// reposts), after each of them, after new anchors and after a batch that
// follows them, they are what the walk over every number and date gives,
// and only the first call and the new anchors walked.
func TestWaitingConflictsAreTheWalks(t *testing.T) {
	changed := 0
	for _, set := range []struct {
		name    string
		batches []sourceBatch
		open    func(t *testing.T) *Store
	}{
		{"learning", learningBatches(), func(t *testing.T) *Store {
			return openTallyStore(t, tallyConfig(map[int]config.Date{401: {Time: isoDay("2023-03-29")}}), false)
		}},
		{"arrival", propertyBatches(), func(t *testing.T) *Store {
			s := openTallyStore(t, propConfig, false)
			r, err := newSourceReader(propPL)
			if err != nil {
				t.Fatal(err)
			}
			s.settings().readers[propPL.Name] = linkingReader{r}
			return s
		}},
	} {
		for p := range 8 {
			order := make([]int, len(set.batches))
			for i := range order {
				order[i] = i
			}
			if p > 0 {
				rand.New(rand.NewPCG(uint64(propertySeed+p), 0)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			}
			t.Run(fmt.Sprint(set.name, order), func(t *testing.T) {
				s := set.open(t)
				last := ""
				check := func(after string) {
					t.Helper()
					got, want := waitingConflicts(t, s), walkedConflicts(t, s)
					if got != want {
						t.Errorf("after %s: Waiting lists\n%s\nthe walk gives\n%s", after, got, want)
					}
					if want != last {
						changed++
					}
					last = want
				}
				check("no batch")
				for _, i := range order {
					if _, err := s.IngestBatch(set.batches[i].src, set.batches[i].items); err != nil {
						t.Fatal(err)
					}
					check(fmt.Sprintf("batch %d", i))
				}
				if w := s.conflictMemo.walks; w != 1 {
					t.Errorf("Waiting walked every number and date %d times over the batches, want once", w)
				}
				anchors := map[int]config.Date{402: {Time: isoDay("2023-03-30")}, 410: {Time: isoDay("2023-03-31")}}
				cfg := *propConfig
				if set.name == "learning" {
					cfg = *tallyConfig(nil)
				}
				cfg.Series = map[string]config.Series{config.DefaultSeries: {Calendar: anchors}}
				if err := s.Configure(&cfg); err != nil {
					t.Fatal(err)
				}
				check("new anchors")
				b := set.batches[order[0]]
				if _, err := s.IngestBatch(b.src, []fetch.Item{edited(b.items[0], b.items[0].Title+" (korjattu)")}); err != nil {
					t.Fatal(err)
				}
				check("a batch after new anchors")
			})
		}
	}
	if changed < 20 {
		t.Errorf("the conflicts changed %d times over the runs: the test tests little", changed)
	}
}

// TestWaitingForgetsTheConflictOfANumberNoItemGivesAnyMore moves both items
// of a number given two dates to other numbers: the number is observed
// nowhere, and its conflict goes.
func TestWaitingForgetsTheConflictOfANumberNoItemGivesAnyMore(t *testing.T) {
	s := openStore(t, withAnchors(nil))
	ingest(t, s, spa, lage("a", 50, "2022-04-10"), lage("b", 50, "2022-04-09"))
	if got := waitingConflicts(t, s); !strings.Contains(got, `"number":50`) {
		t.Fatalf("Waiting lists %s, without 50's two dates", got)
	}
	var moved []fetch.Item
	for _, it := range []fetch.Item{lage("a", 60, "2022-04-10"), lage("b", 59, "2022-04-09")} {
		it.Updated = it.Published.Add(time.Hour)
		moved = append(moved, it)
	}
	ingest(t, s, spa, moved...)
	if got, want := waitingConflicts(t, s), walkedConflicts(t, s); got != want {
		t.Errorf("Waiting lists\n%s\nthe walk gives\n%s", got, want)
	}
}

// TestWaitingOnAStoreThatIsNotWrittenJudgesNewAnchors configures a store
// opened read-only with new anchors, which writes nothing: the conflicts
// Waiting lists are judged with them.
func TestWaitingOnAStoreThatIsNotWrittenJudgesNewAnchors(t *testing.T) {
	s := openStoreFile(t, withAnchors(nil))
	ingest(t, s, spa, lage("a", 50, "2022-04-10"), lage("b", 51, "2022-04-11"))
	s = reopenReadOnly(t, s, withAnchors(nil))
	before := waitingConflicts(t, s)
	if err := s.Configure(withAnchors(map[int]string{50: "2022-04-11"})); err != nil {
		t.Fatal(err)
	}
	got, want := waitingConflicts(t, s), walkedConflicts(t, s)
	if want == before {
		t.Fatal("the new anchor makes no conflict: the test tests nothing")
	}
	if got != want {
		t.Errorf("Waiting lists\n%s\nthe walk gives\n%s", got, want)
	}
}
