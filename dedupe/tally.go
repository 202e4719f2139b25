package dedupe

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"

	bolt "go.etcd.io/bbolt"
)

// A source's learning (learn.go) is counted, not read from the whole
// history on every batch: dedupe.tally keeps, per source, how many of its
// dated records agree and disagree at each place, and how many were
// published how many days after their date; dedupe.numbering.date indexes
// each dated record by its date, with the number the others gave that date
// when the record was counted. A batch takes away and adds its own records,
// and recounts the records dated on the days whose observations it changed
// or whose anchor changed, so the counts stay what the walk over every
// record (Store.learn) gives, at a cost that follows the change.

// tally is one source's counts, as dedupe.tally stores them.
type tally struct {
	Agree    map[string]int `json:"agree,omitempty"`
	Disagree map[string]int `json:"disagree,omitempty"`
	Lags     map[int]int    `json:"lags,omitempty"`
}

func newTally() *tally {
	return &tally{Agree: map[string]int{}, Disagree: map[string]int{}, Lags: map[int]int{}}
}

// count adds (sign 1) or takes away (-1) what rec teaches when the others
// give its date want.
func (t *tally) count(rec *placesOf, want, sign int) {
	if rec.Date == "" {
		return
	}
	if lag, ok := daysBetween(rec.Date, rec.Pub); ok {
		bump(t.Lags, lag, sign)
	}
	t.countPlaces(rec, want, sign)
}

// countPlaces adds or takes away what rec's places teach against want.
func (t *tally) countPlaces(rec *placesOf, want, sign int) {
	for p, agrees := range judged(rec, want) {
		if agrees {
			bump(t.Agree, p.At, sign)
		} else {
			bump(t.Disagree, p.At, sign)
		}
	}
}

// bump adds d to m[k], keeping no zero counts: the walk over every record
// never has them, and the lag is learned from how many lags there are.
func bump[K comparable](m map[K]int, k K, d int) {
	if m[k] += d; m[k] == 0 {
		delete(m, k)
	}
}

// tallies are the counts that one write transaction reads and changes:
// loaded from dedupe.tally when first needed, written back by flush.
type tallies struct {
	tx       *bolt.Tx
	bySource map[string]*tally
	changed  map[string]bool
}

func newTallies(tx *bolt.Tx) *tallies {
	return &tallies{tx: tx, bySource: map[string]*tally{}, changed: map[string]bool{}}
}

// of returns source's counts.
func (ts *tallies) of(source string) (*tally, error) {
	if t, ok := ts.bySource[source]; ok {
		return t, nil
	}
	t := &tally{}
	if _, err := getJSON(ts.tx.Bucket(bucketTally), []byte(source), t); err != nil {
		return nil, fmt.Errorf("tally of %s: %w", source, err)
	}
	// Empty maps are stored as none.
	t.Agree, t.Disagree, t.Lags = orEmpty(t.Agree), orEmpty(t.Disagree), orEmpty(t.Lags)
	ts.bySource[source] = t
	return t, nil
}

// change returns source's counts, to be written back.
func (ts *tallies) change(source string) (*tally, error) {
	ts.changed[source] = true
	return ts.of(source)
}

func orEmpty[K comparable](m map[K]int) map[K]int {
	if m == nil {
		return map[K]int{}
	}
	return m
}

// count adds the record rec, just stored for item k, to its source's
// counts, and indexes it by its date.
func (ts *tallies) count(k []byte, rec *placesOf, a anchors) error {
	if rec.Date == "" {
		return nil
	}
	source := sourceOfKey(k)
	t, err := ts.change(source)
	if err != nil {
		return err
	}
	want := othersNumberIn(ts.tx, a, seriesDaily, rec.Date, source)
	t.count(rec, want, 1)
	return ts.tx.Bucket(bucketNumberingDate).Put(key([]byte(rec.Date), k), num(want))
}

// uncount takes the record rec of item k away from its source's counts,
// with the number it was counted against.
func (ts *tallies) uncount(k []byte, rec *placesOf) error {
	if rec.Date == "" {
		return nil
	}
	dated := ts.tx.Bucket(bucketNumberingDate)
	dk := key([]byte(rec.Date), k)
	t, err := ts.change(sourceOfKey(k))
	if err != nil {
		return err
	}
	t.count(rec, countedWith(dated.Get(dk)), -1)
	return dated.Delete(dk)
}

// countedWith decodes the number a record was counted against.
func countedWith(v []byte) int {
	if len(v) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(v))
}

// sourceOfKey returns the source of an item key.
func sourceOfKey(k []byte) string {
	source, _, _ := bytes.Cut(k, []byte{0})
	return string(source)
}

// settle recounts the records dated on dates, whose observations changed,
// and on the dates whose anchor differs from the one they were counted
// with, against the number the others give each date now.
func (ts *tallies) settle(dates []string, a anchors) error {
	meta := ts.tx.Bucket(bucketMeta)
	counted := map[string]int{}
	if v := meta.Get(keyTallyAnchors); v != nil {
		if err := json.Unmarshal(v, &counted); err != nil {
			return err
		}
	}
	anchorsMoved := !maps.Equal(counted, a.numbers)
	if anchorsMoved {
		for d := range union(counted, a.numbers) {
			if m, ok := a.numbers[d]; !ok || m != counted[d] {
				dates = append(dates, d)
			}
		}
	}
	for _, d := range dates {
		if err := ts.recount(d, a); err != nil {
			return err
		}
	}
	if !anchorsMoved {
		return nil
	}
	v, err := json.Marshal(orEmpty(a.numbers))
	if err != nil {
		return err
	}
	return meta.Put(keyTallyAnchors, v)
}

// union returns the keys of a and b.
func union(a, b map[string]int) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// recount counts each record dated date again where the number the others
// give the date is not the one it was counted against.
func (ts *tallies) recount(date string, a anchors) error {
	type moved struct {
		k        []byte
		from, to int
	}
	var all []moved
	wants := map[string]int{}
	prefix := key([]byte(date), nil)
	c := ts.tx.Bucket(bucketNumberingDate).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		ik := k[len(prefix):]
		source := sourceOfKey(ik)
		want, ok := wants[source]
		if !ok {
			want = othersNumberIn(ts.tx, a, seriesDaily, date, source)
			wants[source] = want
		}
		if from := countedWith(v); from != want {
			all = append(all, moved{bytes.Clone(k), from, want})
		}
	}
	numbering, dated := ts.tx.Bucket(bucketNumbering), ts.tx.Bucket(bucketNumberingDate)
	for _, m := range all {
		ik := m.k[len(prefix):]
		var rec placesOf
		if _, err := getJSON(numbering, ik, &rec); err != nil {
			return err
		}
		t, err := ts.change(sourceOfKey(ik))
		if err != nil {
			return err
		}
		t.countPlaces(&rec, m.from, -1)
		t.countPlaces(&rec, m.to, 1)
		if err := dated.Put(m.k, num(m.to)); err != nil {
			return err
		}
	}
	return nil
}

// flush writes back the counts that changed.
func (ts *tallies) flush() error {
	b := ts.tx.Bucket(bucketTally)
	for source := range ts.changed {
		t := ts.bySource[source]
		if len(t.Agree) == 0 && len(t.Disagree) == 0 && len(t.Lags) == 0 {
			if err := b.Delete([]byte(source)); err != nil {
				return err
			}
			continue
		}
		if err := putJSON(b, []byte(source), t); err != nil {
			return err
		}
	}
	clear(ts.changed)
	return nil
}

// dailyDates returns the dates of the daily series whose observations the
// batch changed.
func (b *batch) dailyDates() []string {
	var out []string
	for sd := range b.dates {
		if sd.series == seriesDaily {
			out = append(out, sd.date)
		}
	}
	return out
}

// settleTallies brings the counts in step with the batch's changes and
// writes them back, before the batch commits.
func (b *batch) settleTallies() error {
	if err := b.tallies.settle(b.dailyDates(), b.s.anchorsOf(seriesDaily)); err != nil {
		return err
	}
	return b.tallies.flush()
}

// resetTallies empties the counts, for a store whose records are written again.
func resetTallies(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketTally, bucketNumberingDate} {
		if err := tx.DeleteBucket(name); err != nil && err != bolt.ErrBucketNotFound {
			return err
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Delete(keyTallyAnchors)
}

// migrateTo4 counts what every stored record teaches its source (schema 3
// kept no counts). It counts without anchors, which it notes; the first
// settle then recounts the anchored dates with the config's.
func migrateTo4(tx *bolt.Tx) error {
	if err := resetTallies(tx); err != nil {
		return err
	}
	ts := newTallies(tx)
	for _, k := range keysWith(tx.Bucket(bucketNumbering), nil) {
		var rec placesOf
		if _, err := getJSON(tx.Bucket(bucketNumbering), k, &rec); err != nil {
			continue // never counted, as the walk skips it
		}
		if err := ts.count(k, &rec, anchors{}); err != nil {
			return err
		}
	}
	return ts.flush()
}
