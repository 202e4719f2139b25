package dedupe

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
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

// Updates returns the updates q selects, newest report first.
func (s *Store) Updates(q Query) ([]Update, error) {
	var out []Update
	err := s.db.View(func(tx *bolt.Tx) error {
		reports := tx.Bucket(bucketReports)
		if reports == nil {
			return nil
		}
		err := reports.ForEach(func(k, v []byte) error {
			series := string(k[:bytes.IndexByte(k, 0)])
			if len(q.Series) > 0 && !slices.Contains(q.Series, series) {
				return nil
			}
			var u Update
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("report %q: %w", k, err)
			}
			if !q.Before.IsZero() && !u.Date.Before(q.Before) || !q.After.IsZero() && !u.Date.After(q.After) {
				return nil
			}
			if q.Lang != "" {
				if _, ok := u.InLang(q.Lang); !ok {
					return nil
				}
			}
			out = append(out, u)
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(out, func(a, b Update) int {
			return cmp.Or(b.Date.Compare(a.Date), cmp.Compare(a.Series, b.Series))
		})
		if q.Limit > 0 && len(out) > q.Limit {
			out = out[:q.Limit]
		}
		for i := range out {
			if err := s.complete(tx, &out[i], q.Content); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe: unable to read updates: %w", err)
	}
	return out, nil
}

// Update returns update n of a series, found through the calendar.
func (s *Store) Update(series string, n int) (Update, bool, error) {
	var d time.Time
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketByNumber) != nil {
			d, ok = s.dateOf(tx, series, n)
		}
		return nil
	})
	if err != nil || !ok {
		return Update{}, false, err
	}
	return s.UpdateOn(series, d)
}

// UpdateOn returns the update of a series for report date d, with content.
func (s *Store) UpdateOn(series string, d time.Time) (Update, bool, error) {
	var u Update
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		reports := tx.Bucket(bucketReports)
		if reports == nil {
			return nil
		}
		var err error
		found, err = getJSON(reports, reportKey(series, d.Format(time.DateOnly)), &u)
		if err != nil || !found {
			return err
		}
		return s.complete(tx, &u, true)
	})
	if err != nil {
		return Update{}, false, fmt.Errorf("dedupe: unable to read update: %w", err)
	}
	return u, found, nil
}

// complete fills an update's number from the calendar and, when asked, its
// variants' content.
func (s *Store) complete(tx *bolt.Tx, u *Update, content bool) error {
	u.Number, _ = s.numberOf(tx, u.Series, u.Date)
	if !content {
		return nil
	}
	items := tx.Bucket(bucketItems)
	for i := range u.Variants {
		v := &u.Variants[i]
		si, ok, err := decodeItem(items, itemKey(v.Source, v.ItemID))
		if err != nil {
			return err
		}
		if ok {
			v.Content = si.Content
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
			if err := json.Unmarshal(v, &u); err != nil {
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
		st.Items = tx.Bucket(bucketItems).Stats().KeyN
		st.Held = tx.Bucket(bucketHeld).Stats().KeyN
		return tx.Bucket(bucketSkipped).ForEach(func(k, _ []byte) error {
			st.Skipped[string(k[:bytes.IndexByte(k, 0)])]++
			return nil
		})
	})
	if err != nil {
		return Stats{}, fmt.Errorf("dedupe: unable to count: %w", err)
	}
	return st, nil
}

// Gaps is what the store could not complete: reports missing a language,
// reports whose number is unknown, items that could not be placed, and
// calendar conflicts.
type Gaps struct {
	// Missing maps a language to the reports that have no variant in it.
	Missing map[string][]Ref `json:"missing"`
	// Unnumbered lists reports whose number the calendar does not know yet.
	Unnumbered []Ref `json:"unnumbered"`
	// Unplaced lists items of a series that have no date the calendar knows.
	Unplaced  []Unplaced `json:"unplaced"`
	Conflicts []Conflict `json:"conflicts"`
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

// Gaps lists the gaps of the given series (all when none are given); langs are
// the languages expected for every report.
func (s *Store) Gaps(langs []string, series ...string) (Gaps, error) {
	g := Gaps{Missing: map[string][]Ref{}}
	all, err := s.Updates(Query{Series: series})
	if err != nil {
		return g, err
	}
	for _, u := range all {
		ref := Ref{Series: u.Series, Number: u.Number, Date: u.Date.Format(time.DateOnly)}
		if u.Number == 0 {
			g.Unnumbered = append(g.Unnumbered, ref)
		}
		for _, l := range langs {
			if _, ok := u.InLang(l); !ok {
				g.Missing[l] = append(g.Missing[l], ref)
			}
		}
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketHeld) == nil {
			return nil
		}
		if err := s.unplaced(tx, &g, series); err != nil {
			return err
		}
		g.Conflicts = s.conflicts(tx, series)
		return nil
	})
	if err != nil {
		return g, fmt.Errorf("dedupe: unable to read gaps: %w", err)
	}
	return g, nil
}

func (s *Store) unplaced(tx *bolt.Tx, g *Gaps, series []string) error {
	items := tx.Bucket(bucketItems)
	return tx.Bucket(bucketHeld).ForEach(func(k, _ []byte) error {
		sr, n, ik, ok := parseNumberKey(k)
		if !ok || len(series) > 0 && !slices.Contains(series, sr) {
			return nil
		}
		si, found, err := decodeItem(items, ik)
		if err != nil || !found {
			return err
		}
		g.Unplaced = append(g.Unplaced, Unplaced{Source: si.Source, ItemID: si.ID, Title: si.Title, URL: si.Link, Series: sr, Number: n})
		return nil
	})
}

// conflicts walks the observations once per series and number.
func (s *Store) conflicts(tx *bolt.Tx, series []string) []Conflict {
	var out []Conflict
	seen := map[string]bool{}
	c := tx.Bucket(bucketByNumber).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		sr, n, _, ok := parseNumberKey(k)
		if !ok || len(series) > 0 && !slices.Contains(series, sr) {
			continue
		}
		id := sr + "#" + strconv.Itoa(n)
		if seen[id] {
			continue
		}
		seen[id] = true
		dates := s.observedDates(tx, sr, n)
		anchor, anchored := s.anchors[sr][n]
		if len(dates) < 2 && (!anchored || dates[anchor.Format(time.DateOnly)] > 0 || len(dates) == 0) {
			continue
		}
		chosen, _ := s.dateOf(tx, sr, n)
		out = append(out, Conflict{Series: sr, Number: n, Claims: slices.Sorted(maps.Keys(dates)), Chosen: chosen.Format(time.DateOnly), Anchored: anchored})
	}
	c = tx.Bucket(bucketByDate).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		parts := bytes.SplitN(k, []byte{0}, 3)
		if len(parts) < 3 || len(series) > 0 && !slices.Contains(series, string(parts[0])) {
			continue
		}
		sr, date := string(parts[0]), string(parts[1])
		if seen[sr+"@"+date] {
			continue
		}
		seen[sr+"@"+date] = true
		nums := s.observedNumbers(tx, sr, date)
		if len(nums) < 2 {
			continue
		}
		d, _ := time.Parse(time.DateOnly, date)
		chosen, _ := s.numberOf(tx, sr, d)
		_, anchored := s.anchoredNumber(sr, date)
		claims := make([]string, 0, len(nums))
		for _, n := range slices.Sorted(maps.Keys(nums)) {
			claims = append(claims, strconv.Itoa(n))
		}
		out = append(out, Conflict{Series: sr, Date: date, Claims: claims, Chosen: strconv.Itoa(chosen), Anchored: anchored})
	}
	return out
}
