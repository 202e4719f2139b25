package dedupe

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Query selects updates. The zero Query selects every update of every series
// without content.
type Query struct {
	// Series limits the result to these series; empty means all.
	Series []string
	// Lang keeps updates that have a variant in this language.
	Lang string
	// Before and After bound the report date, both exclusive, when set.
	Before, After time.Time
	// Limit caps the number of updates, newest first; 0 means no cap.
	Limit int
	// Content fills each variant's Content.
	Content bool
}

// Updates returns the updates q selects, newest report first (then by
// series). Without Content, their Variants are shared with every other
// caller's: read-only (see Update). Reports are keyed by series and date, so each series is read
// newest first and only until Limit matches: a feed of 50 costs the same
// however many reports are stored.
func (s *Store) Updates(q Query) ([]Update, error) {
	var out []Update
	err := s.db.View(func(tx *bolt.Tx) error {
		reports := tx.Bucket(bucketReports)
		if reports == nil {
			return nil
		}
		series := q.Series
		if len(series) == 0 {
			series = storedSeries(reports)
		}
		for _, sr := range slices.Compact(slices.Sorted(slices.Values(series))) {
			found, err := s.seriesUpdates(reports, sr, q)
			if err != nil {
				return err
			}
			out = append(out, found...)
		}
		slices.SortFunc(out, newestFirst)
		if q.Limit > 0 && len(out) > q.Limit {
			out = out[:q.Limit]
		}
		for i := range out {
			s.number(tx, &out[i])
			if q.Content {
				out[i].Variants = slices.Clone(out[i].Variants) // shared with the cache
				if err := fillContent(tx, &out[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe: unable to read updates: %w", err)
	}
	return out, nil
}

// storedSeries lists the series that have reports, jumping from one to the next.
func storedSeries(reports *bolt.Bucket) []string {
	var out []string
	c := reports.Cursor()
	for k, _ := c.First(); k != nil; {
		i := bytes.IndexByte(k, 0)
		if i < 0 {
			k, _ = c.Next()
			continue
		}
		out = append(out, string(k[:i]))
		k, _ = c.Seek(append(bytes.Clone(k[:i]), 1))
	}
	return out
}

// seriesUpdates reads one series' reports that q selects, newest first, up to q.Limit.
func (s *Store) seriesUpdates(reports *bolt.Bucket, series string, q Query) ([]Update, error) {
	var out []Update
	prefix := key([]byte(series), nil)
	c := reports.Cursor()
	k, v := c.Seek(append([]byte(series), 1))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		d, err := time.Parse(time.DateOnly, string(k[len(prefix):]))
		if err != nil {
			return nil, fmt.Errorf("report key %q: %w", k, err)
		}
		if !q.Before.IsZero() && !d.Before(q.Before) {
			continue
		}
		if !q.After.IsZero() && !d.After(q.After) {
			break
		}
		u, err := s.decoded.decode(k, v)
		if err != nil {
			return nil, fmt.Errorf("report %q: %w", k, err)
		}
		if q.Lang != "" {
			if _, ok := u.InLang(q.Lang); !ok {
				continue
			}
		}
		out = append(out, u)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// Update returns update n of a series, found through the calendar. A number
// whose items are all held (the calendar knows no date for it) has no update
// yet: Gaps lists those items as unplaced.
func (s *Store) Update(series string, n int) (Update, bool, error) {
	var u Update
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketReports) == nil {
			return nil
		}
		d, ok := s.pairDate(tx, series, n)
		if !ok {
			return nil
		}
		var err error
		found, err = s.updateOn(tx, series, d, &u)
		return err
	})
	if err != nil {
		return Update{}, false, fmt.Errorf("dedupe: unable to read update %d: %w", n, err)
	}
	return u, found, nil
}

// UpdateOn returns the update of a series for report date d, with content.
func (s *Store) UpdateOn(series string, d time.Time) (Update, bool, error) {
	var u Update
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketReports) == nil {
			return nil
		}
		var err error
		found, err = s.updateOn(tx, series, d.Format(time.DateOnly), &u)
		return err
	})
	if err != nil {
		return Update{}, false, fmt.Errorf("dedupe: unable to read update: %w", err)
	}
	return u, found, nil
}

func (s *Store) updateOn(tx *bolt.Tx, series, date string, u *Update) (bool, error) {
	found, err := getReport(tx.Bucket(bucketReports), reportKey(series, date), u)
	if err != nil || !found {
		return false, err
	}
	s.number(tx, u)
	return true, fillContent(tx, u)
}

// number fills an update's number from the calendar, and its ISW URL from
// its original where a report stored before ISWURL existed lacks it.
func (s *Store) number(tx *bolt.Tx, u *Update) {
	u.Number, _ = s.numberOf(tx, u.Series, u.Date)
	if u.ISWURL == "" {
		u.ISWURL = originalURL(u.Variants, nil)
	}
}

// fillContent copies each variant's content out of the transaction.
func fillContent(tx *bolt.Tx, u *Update) error {
	b := tx.Bucket(bucketContent)
	for i := range u.Variants {
		v := &u.Variants[i]
		var err error
		if v.Content, err = unpackContent(b.Get(itemKey(v.Source, v.ItemID))); err != nil {
			return err
		}
	}
	return nil
}

// Stats counts what the store holds.
type Stats struct {
	Updates  int            `json:"updates"`
	Variants int            `json:"variants"`
	ByLang   map[string]int `json:"by_lang"`
	Items    int            `json:"items"`
	Skipped  map[string]int `json:"skipped"`
	Held     int            `json:"held"`
}

// Stats returns the store's counts.
func (s *Store) Stats() (Stats, error) {
	st := Stats{ByLang: map[string]int{}, Skipped: map[string]int{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketReports) == nil {
			return nil
		}
		err := tx.Bucket(bucketReports).ForEach(func(_, v []byte) error {
			var u Update
			if err := decodeReport(v, &u); err != nil {
				return err
			}
			st.Updates++
			st.Variants += len(u.Variants)
			for _, l := range u.Langs() {
				st.ByLang[l]++
			}
			return nil
		})
		if err != nil {
			return err
		}
		return countItems(tx, &st)
	})
	if err != nil {
		return Stats{}, fmt.Errorf("dedupe: unable to count: %w", err)
	}
	return st, nil
}

// ItemCounts returns the counts of Stats that read no report (Items, Held,
// Skipped), so that a reader who keeps the counts of reports from the
// changes (ChangesSince) reads what changed, not the history.
func (s *Store) ItemCounts() (Stats, error) {
	st := Stats{ByLang: map[string]int{}, Skipped: map[string]int{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketReports) == nil {
			return nil
		}
		return countItems(tx, &st)
	})
	if err != nil {
		return Stats{}, fmt.Errorf("dedupe: unable to count: %w", err)
	}
	return st, nil
}

// countItems fills st's counts of items, held and skipped.
func countItems(tx *bolt.Tx, st *Stats) error {
	st.Items = tx.Bucket(bucketItems).Stats().KeyN
	st.Held = tx.Bucket(bucketHeld).Stats().KeyN
	return tx.Bucket(bucketSkipped).ForEach(func(k, _ []byte) error {
		st.Skipped[string(k[:bytes.IndexByte(k, 0)])]++
		return nil
	})
}

// Gaps is what the store could not complete: reports missing a language,
// reports whose number is unknown, items that could not be placed, and
// calendar conflicts.
type Gaps struct {
	// Missing maps a language to the reports that have no variant in it,
	// newest first.
	Missing map[string][]Ref `json:"missing"`
	// Unnumbered lists reports whose number the calendar does not know yet.
	Unnumbered []Ref `json:"unnumbered"`
	// Unplaced lists items of a series that have no date the calendar knows.
	Unplaced  []Unplaced `json:"unplaced"`
	Conflicts []Conflict `json:"conflicts"`
	// Numbering is what each translation source's items taught of its
	// numbering: the learned pattern and the items that disagree.
	Numbering []Numbering `json:"numbering"`
}

// Ref names a report.
type Ref struct {
	Series string `json:"series"`
	Number int    `json:"number,omitempty"`
	Date   string `json:"date"`
}

// Unplaced is an item held until the calendar can place it.
type Unplaced struct {
	Source string `json:"source"`
	ItemID string `json:"item_id"`
	Title  string `json:"title"`
	URL    string `json:"url"`
	Series string `json:"series"`
	Number int    `json:"number,omitempty"`
}

// Gaps lists the gaps of the given series (all when none are given). langs
// are the languages expected for every report; when nil, every language that
// some stored report has is expected.
func (s *Store) Gaps(langs []string, series ...string) (Gaps, error) {
	g := Gaps{Missing: map[string][]Ref{}}
	all, err := s.Updates(Query{Series: series})
	if err != nil {
		return g, err
	}
	// Without explicit langs, a language is expected in a series once some
	// source has carried that series in it; a series without numbers (ISW's
	// other updates) has no number to miss.
	bySeries := map[string][]Update{}
	numbered := map[string]bool{}
	for _, u := range all {
		bySeries[u.Series] = append(bySeries[u.Series], u)
		numbered[u.Series] = numbered[u.Series] || u.Number > 0
	}
	expected := map[string][]string{}
	for series, updates := range bySeries {
		expected[series] = langs
		if langs == nil {
			expected[series] = langsOf(updates)
		}
	}
	for _, u := range all {
		ref := Ref{Series: u.Series, Number: u.Number, Date: u.Date.Format(time.DateOnly)}
		if u.Number == 0 && numbered[u.Series] {
			g.Unnumbered = append(g.Unnumbered, ref)
		}
		for _, l := range expected[u.Series] {
			if _, ok := u.InLang(l); !ok {
				g.Missing[l] = append(g.Missing[l], ref)
			}
		}
	}
	waiting, err := s.Waiting(series...)
	g.Unplaced, g.Conflicts, g.Numbering = waiting.Unplaced, waiting.Conflicts, waiting.Numbering
	return g, err
}

// Waiting returns the gaps that read no report: the items of the given
// series (all when none are given) that could not be placed, calendar
// conflicts and each translation source's numbering; Missing and Unnumbered
// stay empty.
func (s *Store) Waiting(series ...string) (Gaps, error) {
	g := Gaps{Missing: map[string][]Ref{}}
	memo := s.readConflicts() // before the transaction, as the memo's log must be
	defer memo.done()
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketHeld) == nil {
			return nil
		}
		if err := s.unplaced(tx, &g, series); err != nil {
			return err
		}
		g.Conflicts = memo.conflicts(tx, series)
		g.Numbering = s.numberings(tx, s.settings().sources)
		return nil
	})
	if err != nil {
		return g, fmt.Errorf("dedupe: unable to read gaps: %w", err)
	}
	return g, nil
}

func langsOf(updates []Update) []string {
	seen := map[string]bool{}
	for _, u := range updates {
		for _, v := range u.Variants {
			seen[v.Lang] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func (s *Store) unplaced(tx *bolt.Tx, g *Gaps, series []string) error {
	items := tx.Bucket(bucketItems)
	return tx.Bucket(bucketHeld).ForEach(func(k, _ []byte) error {
		sr, n, ik, ok := parseNumberKey(k)
		if !ok || len(series) > 0 && !slices.Contains(series, sr) {
			return nil
		}
		var si storedItem
		found, err := getJSON(items, ik, &si)
		if err != nil || !found {
			return err
		}
		g.Unplaced = append(g.Unplaced, Unplaced{Source: si.Source, ItemID: si.ID, Title: si.Title, URL: si.Link, Series: sr, Number: n})
		return nil
	})
}
