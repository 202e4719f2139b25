package dedupe

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
)

// batch is one ingest transaction: it records which reports and calendar
// entries the items touched, and settles them in finish.
type batch struct {
	s   *Store
	tx  *bolt.Tx
	now time.Time

	items, content, skipped, byNumber, byDate, reports, placed, held, numOnly, links, byLink, numbering *bolt.Bucket

	// source is the batch's source when it learns a numbering (see
	// learn.go), learned its pattern, override whether the operator set one.
	source   string
	learned  string
	override bool
	// lag is the source's lag in days for its undated items, -1 for none;
	// lagSet is the config's.
	lag    int
	lagSet *int
	// proven are the places where the source's weak numbers teach.
	proven map[string]bool

	dirty   map[string]bool     // report keys whose variants must be rebuilt
	touched map[seriesNum]bool  // numbers whose place in the calendar may have moved
	dates   map[seriesDate]bool // dates whose observations changed
	isHeld  map[string]bool     // item key → held after its last placing in this batch
	linked  map[seriesLink]bool // ISW links whose stated dates changed

	// places are the number places prepare read for the batch's items.
	places map[titleLink][]numberPlace
	// saved holds each item as the batch last wrote it to dedupe.items, so
	// that rebuild and resettle do not decode again what the batch has.
	saved map[string]storedItem
}

type titleLink struct {
	title, link string
}

// knowPlaces keeps the number places prepare read for the batch's items.
func (b *batch) knowPlaces(fresh []*incoming) {
	b.places = make(map[titleLink][]numberPlace, len(fresh))
	for _, in := range fresh {
		if in.item.Role != config.RoleOriginal {
			b.places[titleLink{in.item.Title, in.item.Link}] = in.places
		}
	}
}

// placesOf returns the places of the integers of si's title and slug.
func (b *batch) placesOf(si *storedItem) []numberPlace {
	if p, ok := b.places[titleLink{si.Title, si.Link}]; ok {
		return p
	}
	return numberPlaces(foldTitle(si.Title), slugText(si.Link))
}

type seriesLink struct {
	series, link string
}

type seriesNum struct {
	series string
	number int
}

type seriesDate struct {
	series, date string
}

func (s *Store) batch(tx *bolt.Tx, now time.Time) *batch {
	return &batch{
		s: s, tx: tx, now: now,
		items: tx.Bucket(bucketItems), content: tx.Bucket(bucketContent), skipped: tx.Bucket(bucketSkipped),
		byNumber: tx.Bucket(bucketByNumber), byDate: tx.Bucket(bucketByDate),
		reports: tx.Bucket(bucketReports), placed: tx.Bucket(bucketPlaced),
		held: tx.Bucket(bucketHeld), numOnly: tx.Bucket(bucketNumOnly),
		links: tx.Bucket(bucketLinks), byLink: tx.Bucket(bucketByLink), linked: map[seriesLink]bool{},
		numbering: tx.Bucket(bucketNumbering), lag: -1,
		dirty: map[string]bool{}, touched: map[seriesNum]bool{}, dates: map[seriesDate]bool{},
		isHeld: map[string]bool{}, saved: map[string]storedItem{},
	}
}

// save writes si to dedupe.items and keeps a copy for item.
func (b *batch) save(k []byte, si *storedItem) error {
	b.saved[string(k)] = *si
	return putJSON(b.items, k, si)
}

// item returns the stored item under k: the batch's copy when it wrote one,
// else decoded from dedupe.items (a missing item is the zero storedItem).
func (b *batch) item(k []byte) (storedItem, error) {
	if si, ok := b.saved[string(k)]; ok {
		return si, nil
	}
	b.s.itemsDecoded.Add(1)
	var si storedItem
	_, err := getJSON(b.items, k, &si)
	return si, err
}

// put stores one item, replacing its earlier copy, and reports whether it
// did: the copy stored may have changed since IngestBatch looked.
func (b *batch) put(in *incoming) (bool, error) {
	var old storedItem
	found, err := getJSON(b.items, in.key, &old)
	if err != nil {
		return false, err
	}
	if found {
		if !in.item.supersedes(&old) {
			return false, nil
		}
		if err := b.remove(in.key, &old); err != nil {
			return false, err
		}
	}
	in.item.Changed = b.now
	b.applyLearned(&in.item)
	if err := b.content.Put(in.key, in.packed); err != nil {
		return false, err
	}
	return true, b.add(in.key, &in.item)
}

func (b *batch) remove(k []byte, si *storedItem) error {
	if err := b.forgetPlaces(k); err != nil {
		return err
	}
	if si.Series == "" {
		return b.skipped.Delete(k)
	}
	if err := b.unlink(k, si); err != nil {
		return err
	}
	date := si.reportDate()
	if si.Number > 0 && date != "" {
		if err := b.byNumber.Delete(obsNumberKey(si.Series, si.Number, date, k)); err != nil {
			return err
		}
		if err := b.byDate.Delete(obsDateKey(si.Series, date, si.Number, k)); err != nil {
			return err
		}
		b.observed(si)
	}
	if si.Number > 0 && date == "" {
		if err := b.numOnly.Delete(numberKey(si.Series, si.Number, k)); err != nil {
			return err
		}
	}
	return b.unplace(k, si)
}

func (b *batch) add(k []byte, si *storedItem) error {
	if err := b.notePlaces(k, si); err != nil {
		return err
	}
	if si.Series == "" {
		if err := b.skipped.Put(k, []byte(si.Title)); err != nil {
			return err
		}
		return b.save(k, si)
	}
	if err := b.link(k, si); err != nil {
		return err
	}
	date := si.reportDate()
	if si.Number > 0 && date != "" {
		if err := b.byNumber.Put(obsNumberKey(si.Series, si.Number, date, k), nil); err != nil {
			return err
		}
		if err := b.byDate.Put(obsDateKey(si.Series, date, si.Number, k), nil); err != nil {
			return err
		}
		b.observed(si)
	}
	if si.Number > 0 && date == "" {
		// Placed through the calendar in finish, once this batch's observations are in.
		if err := b.numOnly.Put(numberKey(si.Series, si.Number, k), nil); err != nil {
			return err
		}
		b.touched[seriesNum{si.Series, si.Number}] = true
	}
	place := ""
	if date != "" {
		place = string(reportKey(si.Series, date))
	}
	return b.place(k, si, place)
}

// observed notes that an observation of si's number and date came or went.
func (b *batch) observed(si *storedItem) {
	b.touched[seriesNum{si.Series, si.Number}] = true
	b.dates[seriesDate{si.Series, si.reportDate()}] = true
}

// link indexes si's ISW link: the date it states for the link, or, when it
// states none, its wish to take the link's date, which it takes now.
func (b *batch) link(k []byte, si *storedItem) error {
	if si.ISWURL == "" {
		return nil
	}
	lk := linkKey(si.Series, si.ISWURL, k)
	if si.Date != "" {
		b.linked[seriesLink{si.Series, normalLink(si.ISWURL)}] = true
		return b.links.Put(lk, []byte(si.Date))
	}
	si.LinkDate = b.s.linkDate(b.tx, si.Series, si.ISWURL)
	return b.byLink.Put(lk, nil)
}

func (b *batch) unlink(k []byte, si *storedItem) error {
	if si.ISWURL == "" {
		return nil
	}
	lk := linkKey(si.Series, si.ISWURL, k)
	if si.Date != "" {
		b.linked[seriesLink{si.Series, normalLink(si.ISWURL)}] = true
		return b.links.Delete(lk)
	}
	return b.byLink.Delete(lk)
}

// relink gives the items waiting on a link whose dates changed the link's
// date now. Only stated dates feed the links index, so one pass settles it.
func (b *batch) relink(sl seriesLink) error {
	date := b.s.linkDate(b.tx, sl.series, sl.link)
	prefix := key([]byte(sl.series), []byte(sl.link), nil)
	return b.resettle(keysUnder(b.byLink, prefix, len(prefix)),
		func(si *storedItem) bool { return si.LinkDate == date },
		func(ik []byte, si *storedItem) error {
			if err := b.remove(ik, si); err != nil {
				return err
			}
			return b.add(ik, si)
		})
}

// place puts the item at report key place, or holds it when place is empty,
// and saves it.
func (b *batch) place(k []byte, si *storedItem, place string) error {
	si.Place = place
	b.isHeld[string(k)] = place == ""
	if place == "" {
		if err := b.held.Put(numberKey(si.Series, si.Number, k), nil); err != nil {
			return err
		}
	} else {
		if err := b.placed.Put(key([]byte(place), k), nil); err != nil {
			return err
		}
		b.dirty[place] = true
	}
	return b.save(k, si)
}

func (b *batch) unplace(k []byte, si *storedItem) error {
	if si.Place == "" {
		return b.held.Delete(numberKey(si.Series, si.Number, k))
	}
	b.dirty[si.Place] = true
	return b.placed.Delete(key([]byte(si.Place), k))
}

// finish places number-only items through the settled calendar and rebuilds
// every report the batch touched.
func (b *batch) finish() error {
	for sl := range b.linked {
		if err := b.relink(sl); err != nil {
			return err
		}
	}
	// A number's date depends on the numbers given to that date too: when a
	// date's observations change, every number seen on it may move.
	for sd := range b.dates {
		for n := range b.s.observedNumbers(b.tx, sd.series, sd.date) {
			b.touched[seriesNum{sd.series, n}] = true
		}
	}
	for sn := range b.touched {
		if err := b.replace(sn); err != nil {
			return err
		}
	}
	for place := range b.dirty {
		if err := b.rebuild(place); err != nil {
			return err
		}
	}
	if err := b.settleTallies(); err != nil {
		return err
	}
	b.logChanges()
	return nil
}

// heldOf counts the items among in that are held after finish.
func (b *batch) heldOf(in []*incoming) int {
	n := 0
	for _, x := range in {
		if b.isHeld[string(x.key)] {
			n++
		}
	}
	return n
}

// replace moves the number-only items of one number to where the calendar
// now puts them.
func (b *batch) replace(sn seriesNum) error {
	place := ""
	if d, ok := b.s.pairDate(b.tx, sn.series, sn.number); ok {
		place = string(reportKey(sn.series, d))
	}
	prefix := numberKey(sn.series, sn.number, nil)
	return b.resettle(keysUnder(b.numOnly, prefix, len(prefix)),
		func(si *storedItem) bool { return si.Place == place },
		func(ik []byte, si *storedItem) error {
			if err := b.unplace(ik, si); err != nil {
				return err
			}
			return b.place(ik, si, place)
		})
}

// resettle moves, with move, each item of keys that settled says is not where
// it belongs.
func (b *batch) resettle(keys [][]byte, settled func(*storedItem) bool, move func([]byte, *storedItem) error) error {
	for _, ik := range keys {
		si, err := b.item(ik)
		if err != nil {
			return err
		}
		if settled(&si) {
			continue
		}
		if err := move(ik, &si); err != nil {
			return err
		}
	}
	return nil
}

// rebuild recomputes a report's variants from the items placed at it; a report
// left without items is deleted, so a corrected number leaves no phantom. It
// writes only when the variants differ from the stored ones.
func (b *batch) rebuild(place string) error {
	pk := []byte(place)
	prefix := key(pk, nil)
	best := map[[2]string]*storedItem{}
	var named []string
	for k := range withPrefix(b.placed, prefix) {
		si, err := b.item(k[len(prefix):])
		if err != nil {
			return err
		}
		slot := [2]string{si.Lang, si.Source}
		if cur := best[slot]; cur == nil || si.newer(cur) {
			best[slot] = &si
		}
		if si.ISWURL != "" && si.Role != config.RoleOriginal {
			named = append(named, si.ISWURL)
		}
	}
	if len(best) == 0 {
		b.s.decoded.forget(pk)
		return b.reports.Delete(pk)
	}
	var old Update
	exists, err := getReport(b.reports, pk, &old)
	if err != nil {
		return err
	}
	u := old
	if !exists {
		parts := splitKey(pk)
		u = Update{Series: string(parts[0]), Published: b.now}
		u.Date, _ = time.Parse(time.DateOnly, string(parts[1]))
		u.ID = mintID(u.Series, u.Date)
	}
	u.Variants = make([]Variant, 0, len(best))
	for _, si := range best {
		u.Variants = append(u.Variants, si.variant())
	}
	sortVariants(u.Variants)
	u.ISWURL = originalURL(u.Variants, named)
	if exists && sameVariants(old.Variants, u.Variants) && old.ISWURL == u.ISWURL {
		return nil
	}
	u.Updated = b.now
	return putReport(b.reports, pk, &u)
}

// mintID gives a report its entry id. It depends only on series and report
// date, so it is the same whichever item arrives first, and never changes.
func mintID(series string, date time.Time) string {
	return "urn:iswfeed:" + series + ":" + date.Format(time.DateOnly)
}

func sameVariants(a, b []Variant) bool {
	return slices.EqualFunc(a, b, func(x, y Variant) bool {
		return x.Lang == y.Lang && x.Source == y.Source && x.ItemID == y.ItemID && x.Changed.Equal(y.Changed)
	})
}

// replaceAll re-places every number-only item, e.g. after the anchors changed.
func (s *Store) replaceAll(tx *bolt.Tx) error {
	b := s.batch(tx, s.now().UTC())
	c := b.numOnly.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if series, n, _, ok := parseNumberKey(k); ok {
			b.touched[seriesNum{series, n}] = true
		}
	}
	return b.finish()
}

// Calendar observations and held items are indexed by these keys:
//
//	obs.number: series 0 number(8) 0 date 0 itemkey
//	obs.date:   series 0 date 0 number(8) 0 itemkey
//	held, numonly: series 0 number(8) 0 itemkey
func obsNumberKey(series string, n int, date string, k []byte) []byte {
	return key([]byte(series), num(n), []byte(date), k)
}

func obsDateKey(series, date string, n int, k []byte) []byte {
	return key([]byte(series), []byte(date), num(n), k)
}

// links:  series 0 link 0 itemkey → the date the item states
// bylink: series 0 link 0 itemkey → empty, items that take the link's date
func linkKey(series, link string, k []byte) []byte {
	return key([]byte(series), []byte(normalLink(link)), k)
}

// normalLink is an ISW link as the links index keys it: without scheme,
// "www." or a trailing slash, in lower case.
func normalLink(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return strings.TrimSuffix(strings.TrimPrefix(u, "www."), "/")
}

func numberKey(series string, n int, k []byte) []byte {
	return key([]byte(series), num(n), k)
}

func parseNumberKey(k []byte) (series string, n int, item []byte, ok bool) {
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k) < i+1+8+1 {
		return "", 0, nil, false
	}
	return string(k[:i]), int(binary.BigEndian.Uint64(k[i+1 : i+9])), k[i+10:], true
}
