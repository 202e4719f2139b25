package dedupe

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"maps"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The calendar is not stored as such: it is derived from the observations of
// the items currently stored (each one that yields a number and a date) and
// the operator's anchors. So a corrected item takes its wrong observation with
// it, and the result does not depend on the order in which items arrived.
//
// An anchor always decides its number and its date. Elsewhere a number n and a
// date d are paired only when d is the date most items give n and n is the
// number most items give d: so the calendar is one-to-one, and a number that
// loses a disagreement stays unplaced (and listed) rather than landing on
// another number's report.

// anchors are the operator's calendar of one series, both ways.
type anchors struct {
	dates   map[int]string
	numbers map[string]int
	// clashes lists anchor dates given to several numbers; the smallest wins.
	clashes map[string][]int
}

func newAnchors(cal map[int]time.Time) anchors {
	a := anchors{dates: map[int]string{}, numbers: map[string]int{}, clashes: map[string][]int{}}
	for _, n := range slices.Sorted(maps.Keys(cal)) {
		d := cal[n].Format(time.DateOnly)
		a.dates[n] = d
		if m, ok := a.numbers[d]; ok {
			if len(a.clashes[d]) == 0 {
				a.clashes[d] = []int{m}
			}
			a.clashes[d] = append(a.clashes[d], n)
			continue
		}
		a.numbers[d] = n
	}
	return a
}

func (s *Store) anchorsOf(series string) anchors { return s.settings().anchors[series] }

// numberOf returns the number of the report of date d, if the calendar knows it.
func (s *Store) numberOf(tx *bolt.Tx, series string, d time.Time) (int, bool) {
	date := d.Format(time.DateOnly)
	a := s.anchorsOf(series)
	if n, ok := a.numbers[date]; ok {
		return n, true
	}
	n, ok := s.bestNumber(tx, series, date)
	if !ok {
		return 0, false
	}
	if back, ok := s.bestDate(tx, series, n); !ok || back != date {
		return 0, false
	}
	return n, true
}

func (s *Store) pairDate(tx *bolt.Tx, series string, n int) (string, bool) {
	if d, ok := s.anchorsOf(series).dates[n]; ok {
		return d, true
	}
	d, ok := s.bestDate(tx, series, n)
	if !ok {
		return "", false
	}
	if back, ok := s.bestNumber(tx, series, d); !ok || back != n {
		return "", false
	}
	return d, true
}

// bestDate returns the date most items give n (the earliest on a tie), leaving
// out dates that an anchor gives to another number.
func (s *Store) bestDate(tx *bolt.Tx, series string, n int) (string, bool) {
	counts := s.observedDates(tx, series, n)
	for d := range counts {
		if m, ok := s.anchorsOf(series).numbers[d]; ok && m != n {
			delete(counts, d)
		}
	}
	if len(counts) == 0 {
		return "", false
	}
	return pickMost(counts, cmp.Compare[string]), true
}

// bestNumber returns the number most items give date d (the smallest on a
// tie), leaving out numbers that an anchor puts on another date.
func (s *Store) bestNumber(tx *bolt.Tx, series, date string) (int, bool) {
	counts := s.observedNumbers(tx, series, date)
	for n := range counts {
		if ad, ok := s.anchorsOf(series).dates[n]; ok && ad != date {
			delete(counts, n)
		}
	}
	if len(counts) == 0 {
		return 0, false
	}
	return pickMost(counts, cmp.Compare[int]), true
}

func (s *Store) observedDates(tx *bolt.Tx, series string, n int) map[string]int {
	counts := map[string]int{}
	prefix := key([]byte(series), num(n), nil)
	for k := range withPrefix(tx.Bucket(bucketByNumber), prefix) {
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
	for k := range withPrefix(tx.Bucket(bucketByDate), prefix) {
		rest := k[len(prefix):]
		if len(rest) >= 8 {
			counts[int(binary.BigEndian.Uint64(rest[:8]))]++
		}
	}
	return counts
}

// linkDate returns the date most items state for an ISW link (the earliest
// on a tie), or "".
func (s *Store) linkDate(tx *bolt.Tx, series, link string) string {
	counts := map[string]int{}
	prefix := key([]byte(series), []byte(normalLink(link)), nil)
	for _, v := range withPrefix(tx.Bucket(bucketLinks), prefix) {
		counts[string(v)]++
	}
	if len(counts) == 0 {
		return ""
	}
	return pickMost(counts, cmp.Compare[string])
}

// pickMost returns the key with the highest count, the least by less on a tie.
func pickMost[K comparable](counts map[K]int, less func(a, b K) int) K {
	keys := slices.Collect(maps.Keys(counts))
	return slices.MinFunc(keys, func(a, b K) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), less(a, b))
	})
}

// Conflict is a disagreement in a series' calendar: one number given several
// dates, one date given several numbers, items that contradict an anchor, or
// anchors that give one date to several numbers.
type Conflict struct {
	Series string `json:"series"`
	Number int    `json:"number,omitempty"`
	Date   string `json:"date,omitempty"`
	// Claims lists what the items (or anchors) say: dates for a number,
	// numbers for a date.
	Claims []string `json:"claims"`
	// Chosen is what the calendar uses; empty when it leaves the question open.
	Chosen string `json:"chosen"`
	// Anchored says the operator's anchor decided it.
	Anchored bool `json:"anchored"`
}

// conflicts lists the calendar's conflicts in the given series (all when none
// are given), numbers first, then dates, each in key order.
func (s *Store) conflicts(tx *bolt.Tx, series []string) []Conflict {
	var out []Conflict
	want := func(sr string) bool { return len(series) == 0 || slices.Contains(series, sr) }
	keep := func(cf Conflict) { out = append(out, cf) }
	s.numberConflicts(tx, want, keep)
	s.dateConflicts(tx, want, keep)
	return append(out, s.anchorClashes(want)...)
}

// numberConflicts calls keep with the conflict of each observed number of
// the series that want takes, in key order. The walk visits one key per
// number and seeks past the rest.
func (s *Store) numberConflicts(tx *bolt.Tx, want func(string) bool, keep func(Conflict)) {
	c := tx.Bucket(bucketByNumber).Cursor()
	for k, _ := c.First(); k != nil; {
		sr, n, _, ok := parseNumberKey(k)
		if !ok {
			k, _ = c.Next()
			continue
		}
		if want(sr) {
			if cf, ok := s.numberConflict(tx, sr, n); ok {
				keep(cf)
			}
		}
		k, _ = c.Seek(after(numberKey(sr, n, nil)))
	}
}

// dateConflicts calls keep with the conflict of each observed date of the
// series that want takes, in key order, as numberConflicts does numbers.
func (s *Store) dateConflicts(tx *bolt.Tx, want func(string) bool, keep func(Conflict)) {
	c := tx.Bucket(bucketByDate).Cursor()
	for k, _ := c.First(); k != nil; {
		parts := bytes.SplitN(k, []byte{0}, 3)
		if len(parts) < 3 {
			k, _ = c.Next()
			continue
		}
		if want(string(parts[0])) {
			if cf, ok := s.dateConflict(tx, string(parts[0]), string(parts[1])); ok {
				keep(cf)
			}
		}
		k, _ = c.Seek(after(key(parts[0], parts[1], nil)))
	}
}

// anchorClashes lists the anchors of the series that want takes that give
// one date several numbers.
func (s *Store) anchorClashes(want func(string) bool) []Conflict {
	var out []Conflict
	for _, sr := range slices.Sorted(maps.Keys(s.settings().anchors)) {
		if !want(sr) {
			continue
		}
		a := s.anchorsOf(sr)
		for _, d := range slices.Sorted(maps.Keys(a.clashes)) {
			out = append(out, Conflict{Series: sr, Date: d, Claims: itoas(a.clashes[d]),
				Chosen: strconv.Itoa(a.numbers[d]), Anchored: true})
		}
	}
	return out
}

// numberConflict reports number n when items give it several dates, or a date
// other than its anchor; a number no item gives is none.
func (s *Store) numberConflict(tx *bolt.Tx, series string, n int) (Conflict, bool) {
	dates := s.observedDates(tx, series, n)
	anchor, anchored := s.anchorsOf(series).dates[n]
	if len(dates) == 0 || len(dates) < 2 && (!anchored || dates[anchor] > 0) {
		return Conflict{}, false
	}
	chosen, _ := s.pairDate(tx, series, n)
	return Conflict{Series: series, Number: n, Claims: slices.Sorted(maps.Keys(dates)),
		Chosen: chosen, Anchored: anchored}, true
}

// dateConflict reports date d when items give it several numbers, or a number
// other than its anchor; a date no item gives is none.
func (s *Store) dateConflict(tx *bolt.Tx, series, date string) (Conflict, bool) {
	nums := s.observedNumbers(tx, series, date)
	anchor, anchored := s.anchorsOf(series).numbers[date]
	if len(nums) == 0 || len(nums) < 2 && (!anchored || nums[anchor] > 0) {
		return Conflict{}, false
	}
	cf := Conflict{Series: series, Date: date, Claims: itoas(slices.Sorted(maps.Keys(nums))), Anchored: anchored}
	d, _ := time.Parse(time.DateOnly, date)
	if n, ok := s.numberOf(tx, series, d); ok {
		cf.Chosen = strconv.Itoa(n)
	}
	return cf, true
}

// after returns the least key greater than every key that starts with prefix,
// prefix ending in the 0x00 separator.
func after(prefix []byte) []byte {
	k := bytes.Clone(prefix)
	k[len(k)-1] = 1
	return k
}

func itoas(ns []int) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return out
}
