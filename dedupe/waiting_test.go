package dedupe

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
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

func waitingNumberings(t *testing.T, s *Store) string {
	t.Helper()
	g, err := s.Waiting()
	if err != nil {
		t.Fatal(err)
	}
	return jsonOf(t, g.Numbering)
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
	path := filepath.Join(t.TempDir(), "iswfeed.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(db, tallyConfig(map[int]config.Date{401: {Time: isoDay("2023-03-29")}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range learningBatches() {
		if _, err := s.IngestBatch(b.src, b.items); err != nil {
			t.Fatal(err)
		}
	}
	before := walkedNumberings(t, s)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	s, err = Open(ro, tallyConfig(map[int]config.Date{402: {Time: isoDay("2023-03-30")}, 410: {Time: isoDay("2023-03-31")}}))
	if err != nil {
		t.Fatal(err)
	}
	want := walkedNumberings(t, s)
	if want == before {
		t.Fatal("the new anchors change no numbering: the test tests nothing")
	}
	if got := waitingNumberings(t, s); got != want {
		t.Errorf("Waiting lists\n%s\nthe walk gives\n%s", got, want)
	}
}
