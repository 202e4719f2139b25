package dedupe

import (
	"bytes"
	"cmp"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The calendar is not stored as such: it is derived from the observations of
// the items currently stored (each one that yields a number and a date) and
// the operator's anchors. So a corrected item takes its wrong observation with
// it, and the result does not depend on the order in which items arrived.

// dateOf returns the report date of update n: the anchor, else the date most
// items give for n (the earliest on a tie), leaving out dates that an anchor
// gives to another number.
func (s *Store) dateOf(tx *bolt.Tx, series string, n int) (time.Time, bool) {
	if d, ok := s.anchors[series][n]; ok {
		return d, true
	}
	counts := s.observedDates(tx, series, n)
	for d := range counts {
		if m, ok := s.anchoredNumber(series, d); ok && m != n {
			delete(counts, d)
		}
	}
	if len(counts) == 0 {
		return time.Time{}, false
	}
	d := pickMost(counts, func(a, b string) int { return cmp.Compare(a, b) })
	t, err := time.Parse(time.DateOnly, d)
	return t, err == nil
}

// numberOf returns the number of the report of date d: the anchor, else the
// number most items give for d (the smallest on a tie), leaving out numbers
// that an anchor puts on another date.
func (s *Store) numberOf(tx *bolt.Tx, series string, d time.Time) (int, bool) {
	if n, ok := s.anchoredNumber(series, d.Format(time.DateOnly)); ok {
		return n, true
	}
	counts := s.observedNumbers(tx, series, d.Format(time.DateOnly))
	for n := range counts {
		if ad, ok := s.anchors[series][n]; ok && !ad.Equal(d) {
			delete(counts, n)
		}
	}
	if len(counts) == 0 {
		return 0, false
	}
	return pickMost(counts, cmp.Compare[int]), true
}

func (s *Store) anchoredNumber(series, date string) (int, bool) {
	for n, d := range s.anchors[series] {
		if d.Format(time.DateOnly) == date {
			return n, true
		}
	}
	return 0, false
}

func (s *Store) observedDates(tx *bolt.Tx, series string, n int) map[string]int {
	counts := map[string]int{}
	prefix := key([]byte(series), num(n), nil)
	c := tx.Bucket(bucketByNumber).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		rest := k[len(prefix):]
		if len(rest) >= len(time.DateOnly) {
			counts[string(rest[:len(time.DateOnly)])]++
		}
	}
	return counts
}

func (s *Store) observedNumbers(tx *bolt.Tx, series, date string) map[int]int {
	counts := map[int]int{}
	prefix := key([]byte(series), []byte(date), nil)
	c := tx.Bucket(bucketByDate).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		rest := k[len(prefix):]
		if len(rest) >= 8 {
			counts[int(beUint(rest[:8]))]++
		}
	}
	return counts
}

// pickMost returns the key with the highest count, the least by less on a tie.
func pickMost[K comparable](counts map[K]int, less func(a, b K) int) K {
	keys := slices.Collect(maps.Keys(counts))
	return slices.MinFunc(keys, func(a, b K) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), less(a, b))
	})
}

// Conflict is a disagreement in a series' calendar: one number given several
// dates, one date given several numbers, or items that contradict an anchor.
type Conflict struct {
	Series string `json:"series"`
	Number int    `json:"number,omitempty"`
	Date   string `json:"date,omitempty"`
	// Claims lists what the items say (dates for a number, numbers for a date).
	Claims []string `json:"claims"`
	// Chosen is what the calendar uses.
	Chosen string `json:"chosen"`
	// Anchored says the operator's anchor decided it.
	Anchored bool `json:"anchored"`
}
