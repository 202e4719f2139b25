package dedupe

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"maps"
	"slices"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
)

// A source's learning (learn.go) is counted, not read from the whole
// history on every batch: dedupe.tally keeps, per source, how many of its
// dated records agree and disagree at each place, and how many show each
// lag; dedupe.numbering.date indexes each dated record by its date, with
// the number the others gave that date when the record was counted. A batch
// takes away and adds its own records, and recounts the records dated on
// the days whose observations it changed or whose anchor changed, so the
// counts stay what the walk over every record (Store.learn) gives, at a cost
// that follows the change. Each count is a key of its own, so reading a
// source's counts costs the places it uses, not the lags its history shows.

// counts are what a source's dated records teach.
type counts struct {
	agree, disagree map[string]int
	// lags is how many distinct lags the records show (2 for two or more);
	// lag is one of them and lagged how many records show it.
	lags, lag, lagged int
}

// The kinds of count in a dedupe.tally key.
var (
	tallyAgree    = []byte("a")
	tallyDisagree = []byte("d")
	tallyLag      = []byte("l")
)

// tallyOf reads source's counts from dedupe.tally.
func tallyOf(tx *bolt.Tx, source string) counts {
	b := tx.Bucket(bucketTally)
	c := counts{agree: map[string]int{}, disagree: map[string]int{}}
	for _, kind := range []struct {
		name []byte
		m    map[string]int
	}{{tallyAgree, c.agree}, {tallyDisagree, c.disagree}} {
		prefix := key([]byte(source), kind.name, nil)
		for k, v := range withPrefix(b, prefix) {
			kind.m[string(k[len(prefix):])] = unnum(v)
		}
	}
	prefix := key([]byte(source), tallyLag, nil)
	for k, v := range withPrefix(b, prefix) {
		if c.lags >= 2 {
			break
		}
		c.lags++
		c.lag, c.lagged = unnum(k[len(prefix):]), unnum(v)
	}
	return c
}

// tally adds (sign 1) or takes away (-1) what rec, a record of source,
// teaches when the others give its date want.
func tally(tx *bolt.Tx, source string, rec *placesOf, want, sign int) error {
	b := tx.Bucket(bucketTally)
	if lag, ok := daysBetween(rec.Date, rec.Pub); ok {
		if err := bump(b, key([]byte(source), tallyLag, num(lag)), sign); err != nil {
			return err
		}
	}
	return tallyPlaces(b, source, rec, want, sign)
}

// tallyPlaces adds or takes away what rec's places teach against want.
func tallyPlaces(b *bolt.Bucket, source string, rec *placesOf, want, sign int) error {
	for p, agrees := range judged(rec, want) {
		kind := tallyDisagree
		if agrees {
			kind = tallyAgree
		}
		if err := bump(b, key([]byte(source), kind, []byte(p.At)), sign); err != nil {
			return err
		}
	}
	return nil
}

// bump adds d to the count at k, keeping no zero count: the walk over
// every record never has one, and a lag is learned from how many there are.
func bump(b *bolt.Bucket, k []byte, d int) error {
	n := unnum(b.Get(k)) + d
	if n == 0 {
		return b.Delete(k)
	}
	return b.Put(k, num(n))
}

// unnum decodes a number that num encoded; 0 for none.
func unnum(v []byte) int {
	if len(v) != 8 {
		return 0
	}
	return int(int64(binary.BigEndian.Uint64(v)))
}

// countRecord adds rec, the record just stored for item k, to its source's
// counts, and indexes it by its date with the number the anchors a, else
// the other sources, give the date.
func countRecord(tx *bolt.Tx, k []byte, rec *placesOf, a anchors) error {
	if rec.Date == "" {
		return nil
	}
	source := sourceOfKey(k)
	want := othersNumberIn(tx, a, seriesDaily, rec.Date, source)
	if err := tally(tx, source, rec, want, 1); err != nil {
		return err
	}
	return tx.Bucket(bucketNumberingDate).Put(key([]byte(rec.Date), k), num(want))
}

// uncountRecord takes rec, the record of item k, away from its source's
// counts, with the number it was counted against.
func uncountRecord(tx *bolt.Tx, k []byte, rec *placesOf) error {
	if rec.Date == "" {
		return nil
	}
	dated := tx.Bucket(bucketNumberingDate)
	dk := key([]byte(rec.Date), k)
	if err := tally(tx, sourceOfKey(k), rec, unnum(dated.Get(dk)), -1); err != nil {
		return err
	}
	return dated.Delete(dk)
}

// sourceOfKey returns the source of an item key.
func sourceOfKey(k []byte) string {
	source, _, _ := bytes.Cut(k, []byte{0})
	return string(source)
}

// settleTallies recounts the records dated on dates, whose observations
// changed, and on the dates whose anchor differs from the one the counts
// were made with, against the number a, else the others, give each date now.
func settleTallies(tx *bolt.Tx, dates []string, a anchors) error {
	meta := tx.Bucket(bucketMeta)
	counted := map[string]int{}
	if v := meta.Get(keyTallyAnchors); v != nil {
		if err := json.Unmarshal(v, &counted); err != nil {
			return err
		}
	}
	moved := !maps.Equal(counted, a.numbers)
	if moved {
		for d := range union(counted, a.numbers) {
			if n, ok := a.numbers[d]; !ok || n != counted[d] {
				dates = append(dates, d)
			}
		}
	}
	for _, d := range dates {
		if err := recount(tx, d, a); err != nil {
			return err
		}
	}
	if !moved {
		return nil
	}
	if len(a.numbers) == 0 {
		return meta.Delete(keyTallyAnchors)
	}
	v, err := json.Marshal(a.numbers)
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
// give the date now is not the one it was counted against.
func recount(tx *bolt.Tx, date string, a anchors) error {
	type moved struct {
		k        []byte
		from, to int
	}
	var all []moved
	wants := map[string]int{}
	prefix := key([]byte(date), nil)
	dated := tx.Bucket(bucketNumberingDate)
	for k, v := range withPrefix(dated, prefix) {
		source := sourceOfKey(k[len(prefix):])
		want, ok := wants[source]
		if !ok {
			want = othersNumberIn(tx, a, seriesDaily, date, source)
			wants[source] = want
		}
		if from := unnum(v); from != want {
			all = append(all, moved{bytes.Clone(k), from, want})
		}
	}
	numbering, b := tx.Bucket(bucketNumbering), tx.Bucket(bucketTally)
	for _, m := range all {
		ik := m.k[len(prefix):]
		var rec placesOf
		if _, err := getJSON(numbering, ik, &rec); err != nil {
			return err
		}
		source := sourceOfKey(ik)
		if err := tallyPlaces(b, source, &rec, m.from, -1); err != nil {
			return err
		}
		if err := tallyPlaces(b, source, &rec, m.to, 1); err != nil {
			return err
		}
		if err := dated.Put(m.k, num(m.to)); err != nil {
			return err
		}
	}
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

// settleTallies brings the counts in step with what the batch changed.
func (b *batch) settleTallies() error {
	if b.numbering == nil {
		return nil
	}
	return settleTallies(b.tx, b.dailyDates(), b.s.anchorsOf(seriesDaily))
}

// learning derives what counts c teach source: the pattern, the proven
// places and the lag.
func (c counts) learning(source string) learning {
	l := learning{Numbering: Numbering{Source: source}, counts: c, proven: map[string]bool{}}
	var best string
	// Sorted backwards, so that the title's place wins a tie with the slug's.
	for _, at := range slices.Backward(slices.Sorted(maps.Keys(c.agree))) {
		if c.agree[at] < minAgreeing || c.disagree[at] > 0 {
			continue
		}
		l.proven[at] = true
		if best == "" || c.agree[at] > c.agree[best] {
			best = at
		}
	}
	l.Pattern, l.Agreeing = best, c.agree[best]
	if c.lags == 1 && c.lagged >= minAgreeing && c.lag >= 0 && c.lag <= config.MaxLag {
		lag := c.lag
		l.Lag = &lag
	}
	return l
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
// kept no counts). It counts without anchors, as it notes; the first settle
// then recounts the anchored dates with the config's.
func migrateTo4(tx *bolt.Tx) error {
	if err := resetTallies(tx); err != nil {
		return err
	}
	numbering := tx.Bucket(bucketNumbering)
	for _, k := range keysUnder(numbering, nil, 0) {
		var rec placesOf
		if _, err := getJSON(numbering, k, &rec); err != nil {
			continue // never counted, as the walk skips it
		}
		if err := countRecord(tx, k, &rec, anchors{}); err != nil {
			return err
		}
	}
	return nil
}
