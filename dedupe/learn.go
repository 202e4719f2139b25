package dedupe

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
)

// Word lists trail real translators, so each translation source's numbering
// is learned: every integer of an item's title and slug is noted with its
// place (the field and the word before it: "title: aggiornamento N",
// "title: 第 N"). Where at least minAgreeing of a source's dated items carry,
// at one place, the number that the other sources and the anchors give their
// date, and none carries another, that place is the source's learned pattern:
// it numbers the source's items that the built-in words leave unnumbered,
// also those without a date. A source whose integers at a place disagree
// never learns that place, and its items whose numbers disagree are listed.
//
// The built-in words' weak numbers ("Update 54", "№ 12") are also what
// someone else's own series looks like ("Ukraine-Krieg 2.0 – Update 54 vom
// 20. April"), so they teach the calendar, and place an item, only where
// the source has proven its numbering the same way (minAgreeing agreeing
// items at the number's place, none disagreeing) and the item's number
// agrees with what the other sources give its date; until then the number
// is held back (storedItem.Unproven) and listed when it disagrees.

// minAgreeing is how many agreeing items teach a source its pattern.
const minAgreeing = 3

// numberPlace is one integer of an item's title or slug, and where it stands.
type numberPlace struct {
	At     string `json:"at"`
	Number int    `json:"n"`
}

// placesOf is an item's record in dedupe.numbering: the date it states
// (or writes), the day it was published, and the places of its integers.
type placesOf struct {
	Date   string        `json:"d,omitempty"`
	Pub    string        `json:"pub,omitempty"`
	Places []numberPlace `json:"p"`
	// Read is the weak number the built-in words read, which is listed
	// whenever it disagrees.
	Read int `json:"r,omitempty"`
}

// numberPlaces returns the integers of title and slug outside their dates
// and day counters, each with its place.
func numberPlaces(title, slug string) []numberPlace {
	var out []numberPlace
	for _, f := range []struct{ name, text string }{{"title", title}, {"slug", slug}} {
		masked := maskedText(f.text)
		for i := 0; i < len(masked); {
			if !isDigit(masked[i]) {
				i++
				continue
			}
			j := i
			for j < len(masked) && isDigit(masked[j]) {
				j++
			}
			if n, err := strconv.Atoi(masked[i:j]); err == nil && j-i <= 4 && n > 0 {
				out = append(out, numberPlace{At: f.name + ": " + wordBefore(masked, i) + " N", Number: n})
			}
			i = j
		}
	}
	return out
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// maskedText blanks the dates and day counters of s.
func maskedText(s string) string {
	b := []byte(s)
	for _, d := range slugDatesIn(s) {
		blank(b, d.start, d.end)
	}
	blankDayCounters(b)
	return string(b)
}

// wordBefore returns the lower-case word that precedes byte i of s, over
// spaces and marks ("Nr. 401", "n° 383", "#45"), or "^" at the start.
func wordBefore(s string, i int) string {
	j := i
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		j -= size
	}
	k := j
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:k])
		if !unicode.IsLetter(r) {
			break
		}
		k -= size
	}
	if k == j {
		return "^"
	}
	return strings.ToLower(s[k:j])
}

// numberAt returns the number an item's places hold at place at.
func numberAt(places []numberPlace, at string) int {
	for _, p := range places {
		if p.At == at {
			return p.Number
		}
	}
	return 0
}

// Numbering is what iswfeed learned of one source's numbering.
type Numbering struct {
	Source string `json:"source"`
	// Pattern is the learned place of the number ("title: aggiornamento N"),
	// empty while the source has none; Override is the operator's number:
	// pattern, which wins.
	Pattern  string `json:"pattern,omitempty"`
	Override string `json:"override,omitempty"`
	// Agreeing counts the dated items whose number at Pattern agrees with
	// the calendar of the other sources.
	Agreeing  int              `json:"agreeing"`
	Conflicts []NumberConflict `json:"conflicts,omitempty"`
	// Lag is the days between a report and the source's dated versions of
	// it when at least minAgreeing of them agree and none differs (nil:
	// unknown or inconsistent); LagOverride is the config's lag, which wins.
	Lag         *int `json:"lag,omitempty"`
	LagOverride *int `json:"lag_override,omitempty"`
}

// NumberConflict is an item whose number disagrees with the number the
// other sources and the anchors give its date: it teaches no pattern.
type NumberConflict struct {
	ItemID string `json:"item_id"`
	At     string `json:"at"`
	Number int    `json:"number"`
	Date   string `json:"date"`
	// Calendar is the number the other sources give the date.
	Calendar int `json:"calendar"`
	// read says the built-in words read Number as the item's number.
	read bool
}

// learning is a source's numbering as the stored items teach it.
type learning struct {
	Numbering
	counts
	// proven are the places where minAgreeing items agree and none
	// disagrees: the source's weak numbers there teach.
	proven map[string]bool
}

// lagFor returns the lag in days that applies to a source's undated items:
// set, the config's, else the learned one, else -1 (unknown or inconsistent).
func (l learning) lagFor(set *int) int {
	switch {
	case set != nil:
		return *set
	case l.Lag != nil:
		return *l.Lag
	}
	return -1
}

// daysBetween returns how many days pub is after date, both YYYY-MM-DD.
func daysBetween(date, pub string) (int, bool) {
	d, err1 := time.Parse(time.DateOnly, date)
	p, err2 := time.Parse(time.DateOnly, pub)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return int(p.Sub(d) / (24 * time.Hour)), true
}

// learn reads what source's stored items teach of its numbering, walking
// every record of the source: the whole-history computation that the
// tallies a batch keeps (tally.go) always equal, and the only one that lists
// the conflicts item by item.
func (s *Store) learn(tx *bolt.Tx, source string) learning {
	c := counts{agree: map[string]int{}, disagree: map[string]int{}}
	lags := map[int]int{}
	var conflicts []NumberConflict
	b := tx.Bucket(bucketNumbering)
	if b == nil {
		return c.learning(source)
	}
	prefix := key([]byte(source), nil)
	for k, v := range withPrefix(b, prefix) {
		var rec placesOf
		if err := json.Unmarshal(v, &rec); err != nil || rec.Date == "" {
			continue
		}
		if lag, ok := daysBetween(rec.Date, rec.Pub); ok {
			lags[lag]++
		}
		want := s.othersNumber(tx, seriesDaily, rec.Date, source)
		for p, agrees := range judged(&rec, want) {
			if agrees {
				c.agree[p.At]++
				continue
			}
			c.disagree[p.At]++
			conflicts = append(conflicts, NumberConflict{ItemID: string(k[len(prefix):]), At: p.At,
				Number: p.Number, Date: rec.Date, Calendar: want, read: p.Number == rec.Read})
		}
	}
	for lag, n := range lags {
		c.lags, c.lag, c.lagged = len(lags), lag, n
	}
	l := c.learning(source)
	// A place is a numbering where some item agrees, or where as many items
	// as teach a pattern carry numbers (a day counter, the source's own
	// series); a headline's count ("6 mesi") is no conflict, a number the
	// built-in words read always is.
	l.Conflicts = slices.DeleteFunc(conflicts, func(c NumberConflict) bool {
		return !c.read && l.agree[c.At] == 0 && l.disagree[c.At] < minAgreeing
	})
	return l
}

// judged yields the places of rec whose number could be an update number of
// its date, each with whether it is want, the number the others give the
// date; nothing when they give none.
func judged(rec *placesOf, want int) iter.Seq2[numberPlace, bool] {
	return func(yield func(numberPlace, bool) bool) {
		if want == 0 || rec.Date == "" {
			return
		}
		day, _ := time.Parse(time.DateOnly, rec.Date)
		for _, p := range rec.Places {
			if recent(plausible(p.Number, day), day) == 0 {
				continue // a post id, a count: no update number of that day
			}
			if !yield(p, p.Number == want) {
				return
			}
		}
	}
}

// othersNumber returns the number that the anchors, else most items of
// other sources, give date in series (the smallest on a tie); 0 if none.
func (s *Store) othersNumber(tx *bolt.Tx, series, date, source string) int {
	return othersNumberIn(tx, s.anchorsOf(series), series, date, source)
}

// othersNumberIn is othersNumber with the anchors a of the series.
func othersNumberIn(tx *bolt.Tx, a anchors, series, date, source string) int {
	if n, ok := a.numbers[date]; ok {
		return n
	}
	counts := map[int]int{}
	prefix := key([]byte(series), []byte(date), nil)
	own := key([]byte(source), nil)
	for k := range withPrefix(tx.Bucket(bucketByDate), prefix) {
		rest := k[len(prefix):]
		if len(rest) < 9 || bytes.HasPrefix(rest[9:], own) {
			continue
		}
		counts[int(binary.BigEndian.Uint64(rest[:8]))]++
	}
	if len(counts) == 0 {
		return 0
	}
	return pickMost(counts, cmp.Compare[int])
}

// Numberings returns what iswfeed learned of the numbering of each of
// sources that is a translation source, in their order (Gaps lists the
// configured sources' too).
func (s *Store) Numberings(sources []config.Source) ([]Numbering, error) {
	var out []Numbering
	err := s.db.View(func(tx *bolt.Tx) error {
		out = s.numberings(tx, sources)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe: unable to read the numberings: %w", err)
	}
	return out, nil
}

func (s *Store) numberings(tx *bolt.Tx, sources []config.Source) []Numbering {
	out := []Numbering{}
	counted := s.talliesCurrent(tx)
	for _, src := range sources {
		if src.Role == config.RoleOriginal {
			continue
		}
		n := s.numbering(tx, src.Name, counted)
		n.Override, n.LagOverride = src.Number, src.Lag
		out = append(out, n)
	}
	return out
}

// numbering is what source's records teach. The counts that the batches
// keep (tally.go) give it, when they were counted with the anchors in force
// (counted), at the cost of the places the source uses; the walk over the
// source's records, which costs its history, is needed only to list the
// records that disagree, so a source none of whose records disagree is not
// walked.
func (s *Store) numbering(tx *bolt.Tx, source string, counted bool) Numbering {
	if counted {
		if c := tallyOf(tx, source); len(c.disagree) == 0 {
			return c.learning(source).Numbering
		}
	}
	s.learnWalks.Add(1)
	return s.learn(tx, source).Numbering
}

// talliesCurrent says whether the counts were last settled with the daily
// series' anchors in force: a store read with other anchors than it was
// written with (read-only, so that Configure settles nothing) has them as
// they were.
func (s *Store) talliesCurrent(tx *bolt.Tx) bool {
	if tx.Bucket(bucketTally) == nil || tx.Bucket(bucketNumberingDate) == nil {
		return false
	}
	counted := map[string]int{}
	if v := tx.Bucket(bucketMeta).Get(keyTallyAnchors); v != nil && json.Unmarshal(v, &counted) != nil {
		return false
	}
	return maps.Equal(counted, s.anchorsOf(seriesDaily).numbers)
}

// notePlaces records the places of an item's integers, and the date it is
// placed by, for its source's learning.
func (b *batch) notePlaces(k []byte, si *storedItem) error {
	if si.Role == config.RoleOriginal || b.numbering == nil {
		return nil
	}
	if err := b.forgetPlaces(k); err != nil {
		return err
	}
	places := b.placesOf(si)
	if len(places) == 0 && si.Series != seriesDaily {
		return nil
	}
	rec := placesOf{Places: places}
	if si.NumberBy == weakBy || si.Unproven > 0 {
		rec.Read = cmp.Or(si.Unproven, si.Number)
	}
	if si.Series == seriesDaily || si.Series == "" {
		// The lag is learned from the dates items state, not from lags; the
		// title and slug are read again only when the item states none.
		rec.Date = cmp.Or(si.Date, si.LinkDate)
		if rec.Date == "" {
			rec.Date = writtenDate(si)
		}
	}
	if !si.Published.IsZero() {
		rec.Pub = si.Published.UTC().Format(time.DateOnly)
	}
	if err := putJSON(b.numbering, k, &rec); err != nil {
		return err
	}
	return countRecord(b.tx, k, &rec, b.s.anchorsOf(seriesDaily))
}

// forgetPlaces removes the record of item k from its source's learning.
func (b *batch) forgetPlaces(k []byte) error {
	if b.numbering == nil {
		return nil
	}
	v := b.numbering.Get(k)
	if v == nil {
		return nil
	}
	var rec placesOf
	if json.Unmarshal(v, &rec) == nil { // a record that does not decode was never counted
		if err := uncountRecord(b.tx, k, &rec); err != nil {
			return err
		}
	}
	return b.numbering.Delete(k)
}

// writtenDate is the date an item of no series writes in its title, else
// its slug: what it is compared with the calendar by.
func writtenDate(si *storedItem) string {
	ref := si.Published
	dates := resolve(datesIn(foldTitle(si.Title)), ref)
	if len(dates) == 0 {
		dates = resolve(slugDatesIn(slugText(si.Link)), ref)
	}
	if len(dates) == 0 {
		return ""
	}
	return dates[0].Format(time.DateOnly)
}

// applyLearned numbers si by its source's learned pattern, when the reader
// left it without a number and the operator set no pattern of their own.
func (b *batch) applyLearned(si *storedItem) {
	if si.Role == config.RoleOriginal || si.Series != "" && si.Series != seriesDaily {
		return
	}
	if si.NumberBy == weakBy && si.Number > 0 && !b.provenNumber(si) {
		si.Unproven, si.Number = si.Number, 0
	}
	if b.learned != "" && si.Number == 0 {
		n := numberAt(b.placesOf(si), b.learned)
		if n = recent(plausible(n, si.Published), si.Published); n > 0 {
			if si.Series == "" {
				// The item is a report by its number alone: the date it writes is its own.
				si.SeriesBy, si.Date = learnedBy, writtenDate(si)
			}
			si.Number, si.Series, si.NumberBy = n, seriesDaily, learnedBy
		}
	}
	// A report that states no date, no number and no ISW link is the
	// source's version of the report lag days before its publication.
	if b.lag >= 0 && si.Series == seriesDaily && si.Number == 0 && si.Date == "" && si.ISWURL == "" && !si.Published.IsZero() {
		pub := si.Published.UTC().Truncate(24 * time.Hour)
		si.LagDate = pub.AddDate(0, 0, -b.lag).Format(time.DateOnly)
	}
}

// provenNumber reports whether si's weak number may teach: its place is
// proven for the source, and the other sources give its date no other number.
func (b *batch) provenNumber(si *storedItem) bool {
	places := b.placesOf(si)
	i := slices.IndexFunc(places, func(p numberPlace) bool { return p.Number == si.Number })
	if i < 0 || !b.proven[places[i].At] {
		return false
	}
	date := cmp.Or(si.Date, si.LinkDate)
	if date == "" {
		return true
	}
	want := b.s.othersNumber(b.tx, si.Series, date, si.Source)
	return want == 0 || want == si.Number
}

// derived returns si as the source's current pattern and lag make it, from
// what its own words say.
func (b *batch) derived(si *storedItem) storedItem {
	c := si.asRead()
	b.applyLearned(&c)
	return c
}

// asRead returns si as the reader left it, before its source's learning.
func (si *storedItem) asRead() storedItem {
	c := *si
	if c.NumberBy == learnedBy {
		c.Number, c.NumberBy = 0, ""
	}
	if c.Unproven > 0 {
		c.Number, c.NumberBy, c.Unproven = c.Unproven, weakBy, 0
	}
	if c.SeriesBy == learnedBy {
		c.Series, c.SeriesBy, c.Date = "", "", ""
	}
	c.LagDate = ""
	return c
}

// learnedBy marks what a source's learned pattern gave an item, weakBy a
// number that a weak pattern of the built-in words read.
const (
	learnedBy = "learned"
	weakBy    = "weak"
)

// learnFor makes the batch learn src's numbering, unless src is ISW's own
// or the operator gave it a number pattern.
func (b *batch) learnFor(src config.Source) error {
	b.source, b.override, b.lagSet, b.learned, b.lag, b.proven = "", false, nil, "", -1, nil
	if src.Role == config.RoleOriginal || b.numbering == nil {
		return nil
	}
	b.source, b.override, b.lagSet = src.Name, src.Number != "", src.Lag
	l, err := b.learning(src.Name)
	if err != nil {
		return err
	}
	if !b.override {
		b.learned = l.Pattern
	}
	b.lag, b.proven = l.lagFor(src.Lag), l.proven
	return nil
}

// learning is what the stored items teach source now: the tallies the
// batches keep, or, for a Store that tests hold them to, the walk over every
// record.
func (b *batch) learning(source string) (learning, error) {
	if b.s.learnByWalk {
		return b.s.learn(b.tx, source), nil
	}
	if err := b.settleTallies(); err != nil {
		return learning{}, err
	}
	return tallyOf(b.tx, source).learning(source), nil
}

// relearn settles the source's pattern after the batch's items are in: when
// it changed, every stored item of the source is numbered again by it.
func (b *batch) relearn() error {
	if b.source == "" {
		return nil
	}
	l, err := b.learning(b.source)
	if err != nil {
		return err
	}
	pattern := l.Pattern
	if b.override {
		pattern = ""
	}
	lag := l.lagFor(b.lagSet)
	if pattern == b.learned && lag == b.lag && maps.Equal(l.proven, b.proven) {
		return nil
	}
	b.learned, b.lag, b.proven = pattern, lag, l.proven
	prefix := key([]byte(b.source), nil)
	return b.resettle(keysUnder(b.numbering, prefix, 0),
		func(si *storedItem) bool {
			c := b.derived(si)
			return c.Number == si.Number && c.Series == si.Series && c.Date == si.Date && c.LagDate == si.LagDate &&
				c.Unproven == si.Unproven
		},
		func(ik []byte, si *storedItem) error {
			if err := b.remove(ik, si); err != nil {
				return err
			}
			*si = b.derived(si)
			return b.add(ik, si)
		})
}

// learnStored fills dedupe.numbering from the items of a store written
// before it existed, and lets each configured translation source learn and
// number its items from them.
func (s *Store) learnStored(tx *bolt.Tx) error {
	if err := resetTallies(tx); err != nil {
		return err
	}
	b := s.batch(tx, s.now().UTC())
	for _, k := range keysUnder(b.items, nil, 0) {
		var si storedItem
		if _, err := getJSON(b.items, k, &si); err != nil {
			return fmt.Errorf("item %q: %w", k, err)
		}
		if err := b.notePlaces(k, &si); err != nil {
			return err
		}
	}
	for _, src := range s.settings().sources {
		if err := b.learnFor(src); err != nil {
			return err
		}
		b.learned, b.lag, b.proven = "", -1, nil // nothing stored was derived yet
		if err := b.relearn(); err != nil {
			return err
		}
	}
	return b.finish()
}
