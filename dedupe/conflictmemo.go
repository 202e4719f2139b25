package dedupe

import (
	"cmp"
	"maps"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// conflictMemo keeps the calendar's conflicts of every series between calls
// of Waiting, so that a call after a batch judges again the numbers and
// dates the batch's writes touched, not every number and date of the
// history. A conflict of a date depends on the observations of the date and
// of the number it is most given; one of a number, on the observations of
// the number and of the date it is most given; both on the anchors. A batch
// logs (changeLog) every date whose observations it changed and every date
// still observed by a number whose observations it changed, so the dates
// the log names since the memo, the numbers observed on them, and the
// numbers whose memoed conflict claims one of them are all that can have
// changed. New anchors (Configure) are a write that may touch everything,
// or, on a store that is not written, settings of their own: either way the
// memo is made again by the walk.
type conflictMemo struct {
	mu         sync.Mutex
	known      bool
	generation uint64    // the store's, as of the memo
	set        *settings // the anchors the memo was judged with
	numbers    map[seriesNum]Conflict
	dates      map[seriesDate]Conflict
	// walks counts the walks over every number and date: what tests hold
	// the memo to.
	walks int
}

// memoRead is one call's use of the memo: what the store's log said had
// changed since it, taken before the call's read transaction began, so
// that a write the transaction does not see is judged again next time.
type memoRead struct {
	m          *conflictMemo
	s          *Store
	keys       []string
	generation uint64
	ok         bool
}

// readConflicts takes the memo for one read; call done when the read ends.
func (s *Store) readConflicts() *memoRead {
	m := &s.conflictMemo
	m.mu.Lock()
	r := &memoRead{m: m, s: s}
	if m.known {
		r.keys, r.generation, r.ok = s.changes.since(m.generation)
	} else {
		r.generation = s.Generation()
	}
	return r
}

func (r *memoRead) done() { r.m.mu.Unlock() }

// conflicts lists the conflicts of the given series as Store.conflicts
// does: of every series from the memo, brought up to tx, of some series
// by the walk.
func (r *memoRead) conflicts(tx *bolt.Tx, series []string) []Conflict {
	s, m := r.s, r.m
	if len(series) > 0 {
		return s.conflicts(tx, series)
	}
	set := s.set.Load()
	if !m.known || !r.ok || m.set != set {
		r.walk(tx, set)
	} else {
		r.judgeAgain(tx)
	}
	m.generation = r.generation
	var out []Conflict // nil when there are none, as the walk gives
	for _, sn := range slices.SortedFunc(maps.Keys(m.numbers), func(a, b seriesNum) int {
		return cmp.Or(cmp.Compare(a.series, b.series), cmp.Compare(a.number, b.number))
	}) {
		out = append(out, m.numbers[sn])
	}
	for _, sd := range slices.SortedFunc(maps.Keys(m.dates), func(a, b seriesDate) int {
		return cmp.Or(cmp.Compare(a.series, b.series), cmp.Compare(a.date, b.date))
	}) {
		out = append(out, m.dates[sd])
	}
	return append(out, s.anchorClashes(func(string) bool { return true })...)
}

// walk makes the memo again from every number and date.
func (r *memoRead) walk(tx *bolt.Tx, set *settings) {
	s, m := r.s, r.m
	m.known, m.set, m.walks = true, set, m.walks+1
	m.numbers, m.dates = map[seriesNum]Conflict{}, map[seriesDate]Conflict{}
	all := func(string) bool { return true }
	s.numberConflicts(tx, all, func(cf Conflict) { m.numbers[seriesNum{cf.Series, cf.Number}] = cf })
	s.dateConflicts(tx, all, func(cf Conflict) { m.dates[seriesDate{cf.Series, cf.Date}] = cf })
}

// judgeAgain judges the dates the log names, and the numbers that may
// depend on them, again.
func (r *memoRead) judgeAgain(tx *bolt.Tx) {
	s, m := r.s, r.m
	dates := map[seriesDate]bool{}
	for _, k := range r.keys {
		if parts := splitKey([]byte(k)); len(parts) == 2 {
			dates[seriesDate{string(parts[0]), string(parts[1])}] = true
		}
	}
	numbers := map[seriesNum]bool{}
	for sd := range dates {
		for n := range s.observedNumbers(tx, sd.series, sd.date) {
			numbers[seriesNum{sd.series, n}] = true
		}
	}
	for sn, cf := range m.numbers {
		for _, d := range cf.Claims {
			if dates[seriesDate{sn.series, d}] {
				numbers[sn] = true
				break
			}
		}
	}
	for sd := range dates {
		if cf, ok := s.dateConflict(tx, sd.series, sd.date); ok {
			m.dates[sd] = cf
		} else {
			delete(m.dates, sd)
		}
	}
	for sn := range numbers {
		if cf, ok := s.numberConflict(tx, sn.series, sn.number); ok {
			m.numbers[sn] = cf
		} else {
			delete(m.numbers, sn)
		}
	}
}
