package dedupe

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// Changes are the reports that a Store's writes after some generation
// touched, as they are now.
type Changes struct {
	// Generation is the store's generation these changes bring a reader to.
	Generation uint64
	// Updates are the touched reports that exist, without content, newest
	// first: their record was written, or the calendar may have given them
	// another number.
	Updates []Update
	// Gone are the touched reports that no longer exist.
	Gone []Ref
}

// ChangesSince returns the reports of series (all when none are given) that
// the writes this Store committed after generation since touched, so that a
// reader holding the reports as of since reads what changed, not the
// history. ok is false when the store cannot tell (its log no longer reaches
// back to since, or new anchors may have renumbered any report): the reader
// must read every report again with Updates. A report written meanwhile may
// be returned again by the next call; none is missed.
func (s *Store) ChangesSince(since uint64, series ...string) (Changes, bool, error) {
	keys, generation, ok := s.changes.since(since)
	ch := Changes{Generation: generation}
	if !ok {
		return ch, false, nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		reports := tx.Bucket(bucketReports)
		if reports == nil {
			return nil
		}
		for _, k := range keys {
			parts := splitKey([]byte(k))
			if len(parts) != 2 || len(series) > 0 && !slices.Contains(series, string(parts[0])) {
				continue
			}
			v := reports.Get([]byte(k))
			if v == nil {
				ch.Gone = append(ch.Gone, Ref{Series: string(parts[0]), Date: string(parts[1])})
				continue
			}
			u, err := s.decoded.decode([]byte(k), v)
			if err != nil {
				return fmt.Errorf("report %q: %w", k, err)
			}
			s.number(tx, &u)
			ch.Updates = append(ch.Updates, u)
		}
		return nil
	})
	if err != nil {
		return Changes{}, false, fmt.Errorf("dedupe: unable to read the changed reports: %w", err)
	}
	slices.SortFunc(ch.Updates, newestFirst)
	return ch, true, nil
}

// changeLog remembers, for each write a Store committed, the report keys it
// touched. It holds at most limit keys (maxLoggedReports when 0): past that
// it forgets its oldest writes, and a reader from before them reads
// everything again.
type changeLog struct {
	limit   int
	mu      sync.Mutex
	pending *loggedWrite  // the write in progress, nil outside one
	writes  []loggedWrite // committed, oldest first
	keys    int           // the keys writes hold
	// floor is the newest generation the log cannot answer from: a reader
	// at floor or later reads changes, one before it everything.
	floor uint64
}

type loggedWrite struct {
	generation uint64
	reports    map[string]bool
	all        bool // every report may have changed
}

const maxLoggedReports = 1 << 16

// begin starts logging a write; it runs under bbolt's writer lock, as note
// does, so the write in progress is the caller's.
func (l *changeLog) begin() *loggedWrite {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = &loggedWrite{reports: map[string]bool{}}
	return l.pending
}

// note logs that the write in progress touched these report keys; outside
// a logged write (Open's) it does nothing.
func (l *changeLog) note(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		return
	}
	for _, k := range keys {
		l.pending.reports[k] = true
	}
}

// noteAll logs that the write in progress may touch every report.
func (l *changeLog) noteAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending != nil {
		l.pending.all = true
	}
}

// commit gives the committed write w the next generation, in the same step
// as it joins the log, so a reader sees both or neither.
func (l *changeLog) commit(w *loggedWrite, generation *atomic.Uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == w {
		l.pending = nil
	}
	w.generation = generation.Add(1)
	l.writes = append(l.writes, *w)
	l.keys += len(w.reports)
	for len(l.writes) > 1 && l.keys > cmp.Or(l.limit, maxLoggedReports) {
		l.keys -= len(l.writes[0].reports)
		l.floor = l.writes[0].generation
		l.writes = slices.Delete(l.writes, 0, 1)
	}
}

// since returns the report keys the writes after generation g touched, in
// no order, and the generation they bring a reader to.
func (l *changeLog) since(g uint64) ([]string, uint64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	generation := g
	seen := map[string]bool{}
	var keys []string
	for _, w := range l.writes {
		if w.generation <= g {
			continue
		}
		if w.all {
			return nil, l.latest(), false
		}
		generation = max(generation, w.generation)
		for k := range w.reports {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if g < l.floor {
		return nil, l.latest(), false
	}
	return keys, max(generation, l.latest()), true
}

func (l *changeLog) latest() uint64 {
	if len(l.writes) == 0 {
		return l.floor
	}
	return l.writes[len(l.writes)-1].generation
}

// logChanges logs the reports the batch touched: those it rebuilt, and those
// whose number the calendar may have moved. A report's number changes only
// when the observations of its date change, or those of the number its date
// is most given, and then that number is touched and still observed on it.
func (b *batch) logChanges() {
	var keys []string
	for place := range b.dirty {
		keys = append(keys, place)
	}
	for sd := range b.dates {
		keys = append(keys, string(reportKey(sd.series, sd.date)))
	}
	for sn := range b.touched {
		for d := range b.s.observedDates(b.tx, sn.series, sn.number) {
			keys = append(keys, string(reportKey(sn.series, d)))
		}
	}
	b.s.changes.note(keys...)
}

// newestFirst orders updates as Updates returns them: newest report date
// first, then by series.
func newestFirst(a, b Update) int {
	return cmp.Or(b.Date.Compare(a.Date), cmp.Compare(a.Series, b.Series))
}
