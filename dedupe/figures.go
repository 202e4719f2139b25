package dedupe

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Figures are what a store holds, as Stats counts it, and how many of its
// reports have no number in a series that has numbers, as Gaps lists them:
// what /status and the metrics show.
type Figures struct {
	Stats
	Unnumbered int
	// Generation is the store's generation as of the figures, so that a
	// reader can tell whether what it derived from them is still current.
	Generation uint64
}

// Figures returns the store's figures. The Store keeps them from its changes
// (ChangesSince): a call reads nothing when the Store has not written since
// the last, the reports its writes touched when its change log reaches back,
// and every report otherwise, so it costs the change, not the history. ByLang
// and Skipped are the caller's.
func (s *Store) Figures() (Figures, error) {
	return s.figures.catchUp(s)
}

// keptFigures are a Store's figures, with what each report adds to them, so
// that a changed or gone report is taken away before it is counted again.
type keptFigures struct {
	mu       sync.Mutex
	known    bool // the figures have been read once
	figures  Figures
	reports  map[string]reportFigure
	langSets map[string][]string // one copy of each reportFigure.langs
	byLang   map[string]int
	// withNumber and withoutNumber count each series' reports with and
	// without a number: a series that has numbers misses those it lacks.
	withNumber, withoutNumber map[string]int
	// read counts the reports read, and fullReads the reads of every
	// report: what keeping the figures costs, for tests.
	read, fullReads int
}

// reportFigure is what one report adds to the figures.
type reportFigure struct {
	series   string
	variants int
	langs    []string
	numbered bool
}

// catchUp brings the figures to the store s as it is now and returns them.
func (f *keptFigures) catchUp(s *Store) (Figures, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	generation := s.Generation() // before the reads: a write after it is read next time
	if !f.known || generation != f.figures.Generation {
		if err := f.readReports(s, generation); err != nil {
			f.known = false // read everything next time, rather than keep what may be stale
			return Figures{}, err
		}
		items, err := s.ItemCounts()
		if err != nil {
			f.known = false
			return Figures{}, err
		}
		f.figures.Items, f.figures.Held, f.figures.Skipped = items.Items, items.Held, items.Skipped
	}
	out := f.figures
	out.ByLang, out.Skipped = maps.Clone(f.byLang), maps.Clone(f.figures.Skipped)
	out.Unnumbered = f.unnumbered()
	return out, nil
}

// readReports counts the reports the store's writes since the figures'
// generation touched, or every report when the store cannot tell them.
func (f *keptFigures) readReports(s *Store, generation uint64) error {
	if f.known {
		ch, ok, err := s.ChangesSince(f.figures.Generation)
		if err != nil {
			return err
		}
		if ok {
			for _, g := range ch.Gone {
				f.remove(string(reportKey(g.Series, g.Date)))
			}
			for i := range ch.Updates {
				u := &ch.Updates[i]
				f.put(string(reportKey(u.Series, u.Date.Format(time.DateOnly))), u)
			}
			f.read += len(ch.Updates)
			f.figures.Generation = ch.Generation
			return nil
		}
	}
	return f.readAll(s, generation)
}

// readAll counts every report, numbered as Updates numbers them.
func (f *keptFigures) readAll(s *Store, generation uint64) error {
	f.known, f.figures, f.fullReads = true, Figures{Generation: generation}, f.fullReads+1
	f.reports, f.langSets, f.byLang = map[string]reportFigure{}, map[string][]string{}, map[string]int{}
	f.withNumber, f.withoutNumber = map[string]int{}, map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketReports)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			u, err := s.decoded.decode(k, v)
			if err != nil {
				return fmt.Errorf("report %q: %w", k, err)
			}
			s.number(tx, &u)
			f.put(string(k), &u)
			f.read++
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("dedupe: unable to count the reports: %w", err)
	}
	return nil
}

// put counts u, the report at key k, in place of what was counted of it.
func (f *keptFigures) put(k string, u *Update) {
	f.remove(k)
	langs := u.Langs()
	joined := strings.Join(langs, ",")
	if held, ok := f.langSets[joined]; ok {
		langs = held
	} else {
		f.langSets[joined] = langs
	}
	r := reportFigure{series: u.Series, variants: len(u.Variants), langs: langs, numbered: u.Number > 0}
	f.reports[k] = r
	f.count(r, 1)
}

// remove takes away what was counted of the report at key k.
func (f *keptFigures) remove(k string) {
	if r, ok := f.reports[k]; ok {
		f.count(r, -1)
		delete(f.reports, k)
	}
}

func (f *keptFigures) count(r reportFigure, sign int) {
	f.figures.Updates += sign
	f.figures.Variants += sign * r.variants
	for _, l := range r.langs {
		if f.byLang[l] += sign; f.byLang[l] == 0 {
			delete(f.byLang, l)
		}
	}
	if r.numbered {
		f.withNumber[r.series] += sign
	} else {
		f.withoutNumber[r.series] += sign
	}
}

// unnumbered counts the reports without a number in a series that has
// numbers, as Gaps lists them.
func (f *keptFigures) unnumbered() int {
	n := 0
	for series, without := range f.withoutNumber {
		if f.withNumber[series] > 0 {
			n += without
		}
	}
	return n
}
