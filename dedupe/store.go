package dedupe

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// SchemaVersion is the layout of dedupe's buckets described in the package
// documentation. A future layout bumps it and migrates in Open.
const SchemaVersion = 4

var (
	bucketMeta     = []byte("dedupe.meta")
	bucketItems    = []byte("dedupe.items")
	bucketContent  = []byte("dedupe.content")
	bucketSkipped  = []byte("dedupe.skipped")
	bucketByNumber = []byte("dedupe.obs.number")
	bucketByDate   = []byte("dedupe.obs.date")
	bucketReports  = []byte("dedupe.reports")
	bucketPlaced   = []byte("dedupe.placed")
	bucketHeld     = []byte("dedupe.held")
	bucketNumOnly  = []byte("dedupe.numonly")
	bucketLinks    = []byte("dedupe.links")
	bucketByLink   = []byte("dedupe.bylink")
	// bucketNumbering is the translation sources' learning (see learn.go).
	bucketNumbering = []byte("dedupe.numbering")
	// bucketTally and bucketNumberingDate keep it counted (see tally.go).
	bucketTally         = []byte("dedupe.tally")
	bucketNumberingDate = []byte("dedupe.numbering.date")

	allBuckets = [][]byte{bucketMeta, bucketItems, bucketContent, bucketSkipped, bucketByNumber,
		bucketByDate, bucketReports, bucketPlaced, bucketHeld, bucketNumOnly, bucketLinks, bucketByLink, bucketNumbering,
		bucketTally, bucketNumberingDate}

	keySchema = []byte("schema")
	// keyTallyAnchors holds the daily series' anchors the tallies were counted with.
	keyTallyAnchors = []byte("tally.anchors")
)

// ErrSchema is returned when the store was written by a newer iswfeed.
var ErrSchema = errors.New("dedupe: store schema is newer than this iswfeed")

// Store keeps every report once, with its variants, in dedupe's bbolt buckets.
// It does not own the bbolt handle: the caller opens it, may share it with
// other packages' buckets, and closes it after the last use of the Store.
type Store struct {
	db  *bolt.DB
	set atomic.Pointer[settings]
	// counters are the store's Prometheus counters, once registered.
	counters atomic.Pointer[counters]
	now      func() time.Time
	// generation counts this Store's committed writes; see Generation.
	generation atomic.Uint64
	// changes logs which reports each of those writes touched.
	changes changeLog
	decoded decodedReports
	// reread counts the items Open read differently than their store's
	// older rules had (see ReaderVersion).
	reread int
	// itemsRead counts the fetched items batches read (see latestCopies),
	// and itemsDecoded the items batches decoded again from
	// dedupe.items (see batch.item): what tests hold ingest's shortcuts to.
	itemsRead, itemsDecoded atomic.Uint64
	// learnByWalk makes batches learn by walking every record of the source
	// (Store.learn), not from the tallies: what tests hold the tallies to.
	learnByWalk bool
	// learnWalks counts the walks over a source's records that reading
	// the numberings made (see numbering): what tests hold Waiting to.
	learnWalks atomic.Int64
	// conflictMemo keeps the calendar's conflicts between Waiting's calls.
	conflictMemo conflictMemo
	// figures keeps what Figures returns between its calls.
	figures keptFigures
}

// Generation changes after every write this Store commits (a batch that
// changed something, new anchors), so that a reader whose copy of the
// updates dates from the same generation can skip reading them again. Writes
// by another process or another Store on the same file are not counted.
func (s *Store) Generation() uint64 { return s.generation.Load() }

// update runs fn in a read-write transaction and, once it is committed,
// counts the write and logs the reports it touched.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		w := s.changes.begin()
		tx.OnCommit(func() { s.changes.commit(w, &s.generation) })
		return fn(tx)
	})
}

// settings is what Configure takes from the config; it is swapped whole, so
// a config reload may run while sources are ingested.
type settings struct {
	anchors map[string]anchors
	readers map[string]identityReader
	sources []config.Source
}

func (s *Store) settings() *settings { return s.set.Load() }

// identityReader reads what an item says about its report; *sourceReader is the one
// used outside tests.
type identityReader interface {
	Read(fetch.Item) identity
}

// Open prepares dedupe's buckets in db, migrating an older layout, and returns
// the store with the operator's calendar anchors from cfg. On a read-only db it
// creates and migrates nothing: every read works on what is there.
func Open(db *bolt.DB, cfg *config.Config) (*Store, error) {
	s := &Store{db: db, now: time.Now}
	if err := s.configure(cfg); err != nil {
		return nil, err
	}
	if db.IsReadOnly() {
		err := db.View(func(tx *bolt.Tx) error {
			_, err := schemaOf(tx)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("dedupe: unable to open store: %w", err)
		}
		return s, nil
	}
	err := db.Update(func(tx *bolt.Tx) error {
		version, err := schemaOf(tx)
		if err != nil {
			return err
		}
		unlearned := version > 0 && tx.Bucket(bucketNumbering) == nil
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if err := migrate(tx, version); err != nil {
			return err
		}
		if unlearned {
			if err := s.learnStored(tx); err != nil {
				return fmt.Errorf("learning the stored items' numbering: %w", err)
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
			return err
		}
		if version > 0 && readerOf(tx) != ReaderVersion {
			n, err := s.rereadAll(tx)
			if err != nil {
				return fmt.Errorf("reading the stored items again: %w", err)
			}
			s.reread = n
		}
		if err := tx.Bucket(bucketMeta).Put(keyReader, []byte(strconv.Itoa(ReaderVersion))); err != nil {
			return err
		}
		return s.replaceAll(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe: unable to open store: %w", err)
	}
	return s, nil
}

// Reread returns how many stored items Open found read differently by this
// iswfeed's rules than by the ones that stored them, and placed anew.
func (s *Store) Reread() int { return s.reread }

// schemaOf returns the layout version of the store in tx: 0 when it is new.
func schemaOf(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(keySchema)
	if v == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, fmt.Errorf("dedupe: schema version %q is not a number", v)
	}
	if n > SchemaVersion {
		return 0, fmt.Errorf("%w: version %d, this binary knows %d", ErrSchema, n, SchemaVersion)
	}
	return n, nil
}

// migrations[v] brings a store of layout v-1 to v.
var migrations = map[int]func(*bolt.Tx) error{2: migrateTo2, 3: migrateTo3, 4: migrateTo4}

// migrate brings a store of layout version from up to SchemaVersion, step by
// step; every bucket already exists. A new store (version 0) has nothing to
// migrate.
func migrate(tx *bolt.Tx, from int) error {
	for v := from + 1; from > 0 && v <= SchemaVersion; v++ {
		if err := migrations[v](tx); err != nil {
			return fmt.Errorf("migrating schema %d to %d: %w", v-1, v, err)
		}
	}
	return nil
}

// migrateTo2 moves each item's content out of its record into dedupe.content
// (schema 1 kept it inline) and indexes the dates of ISW links in
// dedupe.links (schema 1 only stored items whose ISW link came with a date).
func migrateTo2(tx *bolt.Tx) error {
	items, content, links := tx.Bucket(bucketItems), tx.Bucket(bucketContent), tx.Bucket(bucketLinks)
	type moved struct{ k, v []byte }
	var all []moved
	err := items.ForEach(func(k, v []byte) error {
		all = append(all, moved{bytes.Clone(k), bytes.Clone(v)})
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range all {
		var v1 struct {
			Content string `json:"content"`
		}
		var si storedItem
		if err := json.Unmarshal(m.v, &v1); err != nil {
			return fmt.Errorf("item %q: %w", m.k, err)
		}
		if err := json.Unmarshal(m.v, &si); err != nil {
			return fmt.Errorf("item %q: %w", m.k, err)
		}
		if err := content.Put(m.k, []byte(v1.Content)); err != nil {
			return err
		}
		if si.Series != "" && si.ISWURL != "" && si.Date != "" {
			if err := links.Put(linkKey(si.Series, si.ISWURL, m.k), []byte(si.Date)); err != nil {
				return err
			}
		}
		if err := putJSON(items, m.k, &si); err != nil {
			return err
		}
	}
	return nil
}

// Configure takes new sources' number patterns and calendar anchors from cfg,
// e.g. on a config reload, and on a writable store moves the number-only items
// that the new anchors place differently. Items already stored are not read again.
func (s *Store) Configure(cfg *config.Config) error {
	prev := s.set.Load()
	if err := s.configure(cfg); err != nil {
		return err
	}
	if s.db.IsReadOnly() {
		return nil
	}
	// New anchors may renumber any report.
	err := s.update(func(tx *bolt.Tx) error {
		s.changes.noteAll()
		return s.replaceAll(tx)
	})
	if err != nil {
		s.set.Store(prev) // nothing was written: keep the old config whole
		return fmt.Errorf("dedupe: unable to apply the new calendar anchors: %w", err)
	}
	return nil
}

func (s *Store) configure(cfg *config.Config) error {
	all := map[string]anchors{}
	for name, series := range cfg.Series {
		cal := map[int]time.Time{}
		for n, d := range series.Calendar {
			cal[n] = d.Time
		}
		all[name] = newAnchors(cal)
	}
	readers := map[string]identityReader{}
	for _, src := range cfg.Sources {
		r, err := newSourceReader(src)
		if err != nil {
			return fmt.Errorf("dedupe: source %s: %w", src.Name, err)
		}
		readers[src.Name] = r
	}
	s.set.Store(&settings{anchors: all, readers: readers, sources: cfg.Sources})
	return nil
}

// Report counts what one batch did.
type Report struct {
	Seen    int
	Skipped int
	// Changed counts items that were new or differed from their stored copy.
	Changed int
	// Held counts the batch's changed items of a series that could not be placed yet.
	Held int
	// Placed counts the batch's changed items of a series that sit in an update.
	Placed int
}

// IngestBatch stores one source's items in one transaction. Feeding the same
// batch twice changes nothing and writes nothing. Within the batch, and
// against what is stored, a copy of an item older than the one kept (by its
// updated, else published time) is ignored, so late or repeated copies cannot
// undo an edit.
func (s *Store) IngestBatch(src config.Source, items []fetch.Item) (Report, error) {
	return s.IngestBatchContext(context.Background(), src, items)
}

// IngestBatchContext is IngestBatch, given up when ctx ends (the daemon
// stops): between items and before the write commits, so that a long batch
// does not keep a stopping daemon, or the next one, waiting for the store's
// lock. A batch given up writes nothing: its transaction is rolled back, and
// the error is ctx's.
func (s *Store) IngestBatchContext(ctx context.Context, src config.Source, items []fetch.Item) (Report, error) {
	rep, err := s.ingestBatch(ctx, src, items)
	if err == nil {
		s.observe(src.Name, rep)
	}
	return rep, err
}

func (s *Store) ingestBatch(ctx context.Context, src config.Source, items []fetch.Item) (Report, error) {
	givenUp := func(err error) (Report, error) {
		return Report{}, fmt.Errorf("dedupe: ingest of %s given up: %w", src.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return givenUp(err)
	}
	reader := s.settings().readers[src.Name]
	if reader == nil {
		r, err := newSourceReader(src)
		if err != nil {
			return Report{}, fmt.Errorf("dedupe: source %s: %w", src.Name, err)
		}
		reader = r
	}
	rep := Report{Seen: len(items)}
	stored, err := s.storedCopies(src, items)
	if err != nil {
		return Report{}, fmt.Errorf("dedupe: unable to ingest %s: %w", src.Name, err)
	}
	fresh := changedItems(s.latestCopies(src, items, reader, stored, &rep), stored)
	if len(fresh) == 0 {
		return rep, nil
	}
	// Compressing the content of a long batch takes seconds: it is given
	// up between chunks.
	for chunk := range slices.Chunk(fresh, prepareChunk) {
		if err := ctx.Err(); err != nil {
			return givenUp(err)
		}
		prepare(chunk)
	}
	if err := ctx.Err(); err != nil {
		return givenUp(err)
	}
	now := s.now().UTC()
	err = s.update(func(tx *bolt.Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := s.batch(tx, now)
		b.knowPlaces(fresh)
		if err := b.learnFor(src); err != nil {
			return err
		}
		rep.Changed = 0
		reports := 0
		for _, in := range fresh {
			if err := ctx.Err(); err != nil {
				return err
			}
			changed, err := b.put(in)
			if err != nil {
				return err
			}
			if changed {
				rep.Changed++
				if in.item.Series != "" {
					reports++
				}
			}
		}
		if err := b.relearn(); err != nil {
			return err
		}
		if err := b.finish(); err != nil {
			return err
		}
		rep.Held = b.heldOf(fresh)
		rep.Placed = reports - rep.Held
		return ctx.Err() // the last moment to give up: after it, the write commits
	})
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return givenUp(err)
	}
	if err != nil {
		return Report{}, fmt.Errorf("dedupe: unable to ingest %s: %w", src.Name, err)
	}
	return rep, nil
}

// prepareChunk is how many items a batch prepares between its looks at
// whether it is given up: a few dozen milliseconds of compressing.
const prepareChunk = 256

// incoming is one item on its way into the store.
type incoming struct {
	key     []byte
	item    storedItem
	content string
	// packed is content as dedupe.content keeps it, and places the places
	// of the integers of a translation's title and slug: both are made
	// by prepare, on every core, before the write transaction.
	packed []byte
	places []numberPlace
}

// prepare compresses the content of the items a batch will write and reads
// the places of their numbers, on every core, so that the one write
// transaction does neither.
func prepare(fresh []*incoming) {
	onEveryCore(len(fresh), func(i int) {
		in := fresh[i]
		in.packed = packContent(in.content)
		if in.item.Role != config.RoleOriginal {
			in.places = numberPlaces(foldTitle(in.item.Title), slugText(in.item.Link))
		}
	})
}

// latestCopies reads every item, on every core, and keeps one copy per item
// id: the newest, and on a tie the one with the greatest hash, so the
// batch's order does not matter. An item stored from the same input is not
// read again: its stored reading stands, with the fetched copy's dates.
func (s *Store) latestCopies(src config.Source, items []fetch.Item, reader identityReader, stored map[string]*storedItem, rep *Report) []*incoming {
	read := make([]incoming, len(items))
	onEveryCore(len(items), func(i int) {
		it := items[i]
		k, input := itemKey(src.Name, it.ID), inputOf(src, it, reader)
		if old := stored[string(k)]; input != nil && old != nil && bytes.Equal(old.Input, input) {
			si := old.asRead()
			si.Published, si.Updated = it.Published.UTC(), it.Updated.UTC()
			read[i] = incoming{key: k, item: si, content: it.Content}
			return
		}
		s.itemsRead.Add(1)
		read[i] = incoming{key: k, item: newStoredItem(src, it, reader.Read(it)), content: it.Content}
		read[i].item.Input = input
	})
	out := make([]*incoming, 0, len(items))
	byID := make(map[string]int, len(items))
	for i, it := range items {
		in := &read[i]
		if in.item.Series == "" {
			rep.Skipped++
		}
		if i, dup := byID[it.ID]; dup {
			if in.item.laterCopy(&out[i].item) {
				out[i] = in
			}
			continue
		}
		byID[it.ID] = len(out)
		out = append(out, in)
	}
	return out
}

// storedCopies returns the stored copies of items, read once for both
// latestCopies and changedItems. It only reads, so a batch that changes
// nothing costs no write.
func (s *Store) storedCopies(src config.Source, items []fetch.Item) (map[string]*storedItem, error) {
	stored := map[string]*storedItem{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketItems)
		if b == nil {
			return nil
		}
		for _, it := range items {
			k := itemKey(src.Name, it.ID)
			var si storedItem
			if found, err := getJSON(b, k, &si); err != nil {
				return fmt.Errorf("item %q: %w", k, err)
			} else if found {
				stored[string(k)] = &si
			}
		}
		return nil
	})
	return stored, err
}

// inputOf hashes what reading it depends on: every field of it, and the
// source and rules of reader. It is nil for a reader other than a
// sourceReader (a test's), whose rules it cannot see.
func inputOf(src config.Source, it fetch.Item, reader identityReader) []byte {
	r, ok := reader.(*sourceReader)
	if !ok {
		return nil
	}
	number := ""
	if r.number != nil {
		number = r.number.String()
	}
	published, updated := it.Published.UTC().String(), it.Updated.UTC().String()
	if it.Undated {
		published, updated = "undated", "undated" // as in newStoredItem
	}
	return hashFields(strconv.Itoa(ReaderVersion), strconv.FormatBool(r.original), number,
		src.Name, src.Role, src.Lang, it.Source, it.Lang, it.ID, it.Title, it.Link, it.Content, it.Author, it.FeedTitle,
		published, updated, strconv.FormatBool(it.Undated), strconv.FormatBool(it.Truncated))
}

// hashFields is the SHA-256 of the fields, each followed by a zero byte.
// They pass through one small buffer: hash.Hash takes bytes, and a field
// converted to bytes would copy an item's content to the heap.
func hashFields(fields ...string) []byte {
	h := sha256.New()
	buf := make([]byte, 1024)
	for _, f := range fields {
		for len(f) > 0 {
			n := copy(buf, f)
			h.Write(buf[:n])
			f = f[n:]
		}
		buf[0] = 0
		h.Write(buf[:1])
	}
	return h.Sum(nil)
}

// changedItems returns the incoming items that are new, or newer than and
// different from their stored copy. The write transaction looks again
// (batch.put): a copy stored since is not overwritten by an older one.
func changedItems(in []*incoming, stored map[string]*storedItem) []*incoming {
	var fresh []*incoming
	for _, x := range in {
		if old := stored[string(x.key)]; old == nil || x.item.supersedes(old) {
			fresh = append(fresh, x)
		}
	}
	return fresh
}

// storedItem is an item as dedupe keeps it, with what was read from it and
// where it was placed. Its content is kept apart, in dedupe.content.
type storedItem struct {
	Source    string    `json:"source"`
	Role      string    `json:"role"`
	Lang      string    `json:"lang"`
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Link      string    `json:"link"`
	FeedTitle string    `json:"feed_title,omitempty"`
	Published time.Time `json:"published"`
	Updated   time.Time `json:"updated"`
	Series    string    `json:"series"`
	Number    int       `json:"number,omitempty"`
	// Date is the report date the item states.
	Date   string `json:"date,omitempty"`
	ISWURL string `json:"isw_url,omitempty"`
	// LinkDate is the date that other items state for the item's ISW link,
	// when the item states none.
	LinkDate string `json:"link_date,omitempty"`
	// Hash covers everything the item says, content included.
	Hash []byte `json:"hash"`
	// Input is a hash of the item as fetched and of the rules that read it
	// (see inputOf): when a fetched copy has the same, reading it again
	// would give the same Hash.
	Input   []byte    `json:"input,omitempty"`
	Changed time.Time `json:"changed"`
	// Place is the report key the item is placed at, empty while held.
	Place string `json:"place,omitempty"`
	// NumberBy and SeriesBy are "learned" when the source's learned
	// numbering gave the item its number, and its series; NumberBy is
	// "weak" when a weak pattern read the number.
	NumberBy string `json:"number_by,omitempty"`
	SeriesBy string `json:"series_by,omitempty"`
	// Unproven is a weak number held back from the calendar while its
	// source has not proven to agree with it, or when it disagrees.
	Unproven int `json:"unproven,omitempty"`
	// LagDate is the date the source's lag gives an item that states none.
	LagDate string `json:"lag_date,omitempty"`
	// Undated is set when the item's feed gave it no date: Published is
	// when it was first fetched.
	Undated bool `json:"undated,omitempty"`
}

func newStoredItem(src config.Source, it fetch.Item, id identity) storedItem {
	si := storedItem{
		Source: src.Name, Role: src.Role, Lang: it.Lang, ID: it.ID,
		Title: it.Title, Link: it.Link, FeedTitle: it.FeedTitle,
		Published: it.Published.UTC(), Updated: it.Updated.UTC(),
		Series: id.Series, Number: id.Number, ISWURL: id.ISWURL, Undated: it.Undated,
	}
	if id.Weak && id.Number > 0 {
		si.NumberBy = weakBy
	}
	if si.Lang == "" {
		si.Lang = src.Lang
	}
	if !id.Date.IsZero() {
		si.Date = id.Date.Format(time.DateOnly)
	}
	// An undated item is dated by its fetch, published and updated: that
	// date must not make each poll look like an edit.
	published, updated := si.Published.String(), si.Updated.String()
	if it.Undated {
		published, updated = "undated", "undated"
	}
	si.Hash = si.hash(it.Content, published, updated)
	return si
}

// hash covers what the item says: its fields, its content, and its dates as
// given.
func (si *storedItem) hash(content, published, updated string) []byte {
	return hashFields(si.Role, si.Lang, si.Title, si.Link, content, si.Series,
		strconv.Itoa(si.Number), si.Date, si.ISWURL, published, updated)
}

func (si *storedItem) variant() Variant {
	return Variant{
		Lang: si.Lang, Source: si.Source, Role: si.Role, Title: si.Title, URL: si.Link,
		FeedTitle: si.FeedTitle, ItemID: si.ID, Published: si.Published, Changed: si.Changed,
	}
}

// reportDate is the date the item is placed by: its own, else its link's.
func (si *storedItem) reportDate() string { return cmp.Or(si.Date, si.LinkDate, si.LagDate) }

// stamp is when the item says it was last written.
func (si *storedItem) stamp() time.Time {
	if si.Updated.IsZero() {
		return si.Published
	}
	return si.Updated
}

// supersedes reports whether si, a copy of the same item as o, should replace
// it: it differs and is not older. Equal stamps let an edit through (RSS
// rarely dates edits); between copies of one batch the greater hash wins.
func (si *storedItem) supersedes(o *storedItem) bool {
	if bytes.Equal(si.Hash, o.Hash) {
		return false
	}
	return !si.stamp().Before(o.stamp())
}

// laterCopy reports whether si should win over o, another copy of the same
// item in one batch: the later stamp, then the greater hash.
func (si *storedItem) laterCopy(o *storedItem) bool {
	if a, b := si.stamp(), o.stamp(); !a.Equal(b) {
		return a.After(b)
	}
	return bytes.Compare(si.Hash, o.Hash) > 0
}

// newer reports whether si should stand for its (language, source) rather than
// o, another item of the same source: the later stamp, then the greater id.
func (si *storedItem) newer(o *storedItem) bool {
	if a, b := si.stamp(), o.stamp(); !a.Equal(b) {
		return a.After(b)
	}
	return si.ID > o.ID
}

// Key encoding: parts joined by 0x00; numbers as 8 big-endian bytes so that
// keys sort by number; dates as YYYY-MM-DD.
func key(parts ...[]byte) []byte { return bytes.Join(parts, []byte{0}) }

// withPrefix yields, in key order, each key of bkt that starts with prefix,
// and its value; both are valid only for the transaction, and only until the
// loop's body writes to bkt.
func withPrefix(bkt *bolt.Bucket, prefix []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(k, v []byte) bool) {
		c := bkt.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if !yield(k, v) {
				return
			}
		}
	}
}

// keysUnder returns a copy of each key in bkt that starts with prefix, from
// byte from on (0 keeps the whole key, len(prefix) the rest), collected
// before any of them moves.
func keysUnder(bkt *bolt.Bucket, prefix []byte, from int) [][]byte {
	var keys [][]byte
	for k := range withPrefix(bkt, prefix) {
		keys = append(keys, bytes.Clone(k[from:]))
	}
	return keys
}

func num(n int) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return b[:]
}

func itemKey(source, id string) []byte { return key([]byte(source), []byte(id)) }

func reportKey(series, date string) []byte { return key([]byte(series), []byte(date)) }

func splitKey(k []byte) [][]byte { return bytes.Split(k, []byte{0}) }

func getJSON(b *bolt.Bucket, k []byte, v any) (bool, error) {
	data := b.Get(k)
	if data == nil {
		return false, nil
	}
	return true, json.Unmarshal(data, v)
}

// putJSON stores v as JSON, without escaping HTML characters (nothing here is
// written into HTML as it is, and escaping only makes records larger).
func putJSON(b *bolt.Bucket, k []byte, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return b.Put(k, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
