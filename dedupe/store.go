package dedupe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// SchemaVersion is the layout of dedupe's buckets described in the package
// documentation. A future layout bumps it and migrates in Open.
const SchemaVersion = 1

var (
	bucketMeta     = []byte("dedupe.meta")
	bucketItems    = []byte("dedupe.items")
	bucketSkipped  = []byte("dedupe.skipped")
	bucketByNumber = []byte("dedupe.obs.number")
	bucketByDate   = []byte("dedupe.obs.date")
	bucketReports  = []byte("dedupe.reports")
	bucketPlaced   = []byte("dedupe.placed")
	bucketHeld     = []byte("dedupe.held")
	bucketNumOnly  = []byte("dedupe.numonly")

	allBuckets = [][]byte{bucketMeta, bucketItems, bucketSkipped, bucketByNumber, bucketByDate,
		bucketReports, bucketPlaced, bucketHeld, bucketNumOnly}

	keySchema = []byte("schema")
)

// ErrSchema is returned when the store was written by a newer iswfeed.
var ErrSchema = errors.New("dedupe: store schema is newer than this iswfeed")

// Store keeps every report once, with its variants, in dedupe's bbolt buckets.
type Store struct {
	db      *bolt.DB
	anchors map[string]map[int]time.Time
	readers map[string]*Reader
	now     func() time.Time
}

// Open prepares dedupe's buckets in db (unless db is read-only) and returns the
// store, with the operator's calendar anchors from cfg.
func Open(db *bolt.DB, cfg *config.Config) (*Store, error) {
	s := &Store{db: db, anchors: map[string]map[int]time.Time{}, readers: map[string]*Reader{}, now: time.Now}
	if err := s.Configure(cfg); err != nil {
		return nil, err
	}
	if db.IsReadOnly() {
		return s, s.checkSchema()
	}
	err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keySchema); v != nil {
			if n, _ := strconv.Atoi(string(v)); n > SchemaVersion {
				return fmt.Errorf("%w: version %d, this binary knows %d", ErrSchema, n, SchemaVersion)
			}
		}
		if err := meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
			return err
		}
		return s.replaceAll(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe: unable to open store: %w", err)
	}
	return s, nil
}

func (s *Store) checkSchema() error {
	return s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return nil
		}
		if n, _ := strconv.Atoi(string(meta.Get(keySchema))); n > SchemaVersion {
			return fmt.Errorf("%w: version %d, this binary knows %d", ErrSchema, n, SchemaVersion)
		}
		return nil
	})
}

// Configure takes the sources' number patterns and the calendar anchors from
// cfg. Items already placed move when the new anchors say so on the next Open
// or ingest of their number.
func (s *Store) Configure(cfg *config.Config) error {
	anchors := map[string]map[int]time.Time{}
	for name, series := range cfg.Series {
		for n, d := range series.Calendar {
			if anchors[name] == nil {
				anchors[name] = map[int]time.Time{}
			}
			anchors[name][n] = d.Time
		}
	}
	readers := map[string]*Reader{}
	for _, src := range cfg.Sources {
		r, err := NewReader(src)
		if err != nil {
			return fmt.Errorf("dedupe: source %s: %w", src.Name, err)
		}
		readers[src.Name] = r
	}
	s.anchors, s.readers = anchors, readers
	return nil
}

// Ingest stores one source's batch of items in one transaction; it implements
// fetch.Sink.
func (s *Store) Ingest(_ context.Context, src config.Source, items []fetch.Item) error {
	_, err := s.IngestBatch(src, items)
	return err
}

// Report counts what one batch did.
type Report struct {
	Seen    int
	Skipped int
	// Changed counts items that were new or differed from their stored copy.
	Changed int
	// Held counts items of a series that could not be placed yet.
	Held int
}

// IngestBatch stores one source's items in one transaction. Feeding the same
// batch twice changes nothing.
func (s *Store) IngestBatch(src config.Source, items []fetch.Item) (Report, error) {
	reader := s.readers[src.Name]
	if reader == nil {
		var err error
		if reader, err = NewReader(src); err != nil {
			return Report{}, fmt.Errorf("dedupe: source %s: %w", src.Name, err)
		}
	}
	var rep Report
	now := s.now().UTC()
	err := s.db.Update(func(tx *bolt.Tx) error {
		rep = Report{}
		b := s.batch(tx, now)
		for _, it := range items {
			rep.Seen++
			id := reader.Read(it)
			changed, err := b.put(src, it, id)
			if err != nil {
				return err
			}
			if changed {
				rep.Changed++
			}
			if id.Series == "" {
				rep.Skipped++
			}
		}
		if err := b.finish(); err != nil {
			return err
		}
		rep.Held = b.heldCount
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("dedupe: unable to ingest %s: %w", src.Name, err)
	}
	return rep, nil
}

// storedItem is an item as dedupe keeps it, with what was read from it and
// where it was placed.
type storedItem struct {
	Source    string    `json:"source"`
	Role      string    `json:"role"`
	Lang      string    `json:"lang"`
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Link      string    `json:"link"`
	Content   string    `json:"content"`
	Published time.Time `json:"published"`
	Updated   time.Time `json:"updated"`
	Series    string    `json:"series"`
	Number    int       `json:"number,omitempty"`
	Date      string    `json:"date,omitempty"`
	ISWURL    string    `json:"isw_url,omitempty"`
	Hash      []byte    `json:"hash"`
	Changed   time.Time `json:"changed"`
	// Place is the report key the item is placed at, empty while held.
	Place string `json:"place,omitempty"`
}

func newStoredItem(src config.Source, it fetch.Item, id Identity) storedItem {
	si := storedItem{
		Source: src.Name, Role: src.Role, Lang: it.Lang, ID: it.ID,
		Title: it.Title, Link: it.Link, Content: it.Content,
		Published: it.Published.UTC(), Updated: it.Updated.UTC(),
		Series: id.Series, Number: id.Number, ISWURL: id.ISWURL,
	}
	if si.Lang == "" {
		si.Lang = src.Lang
	}
	if !id.Date.IsZero() {
		si.Date = id.Date.Format(time.DateOnly)
	}
	h := sha256.New()
	for _, f := range []string{si.Role, si.Lang, si.Title, si.Link, si.Content, si.Series,
		strconv.Itoa(si.Number), si.Date, si.ISWURL, si.Published.String(), si.Updated.String()} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	si.Hash = h.Sum(nil)
	return si
}

func (si *storedItem) variant() Variant {
	return Variant{
		Lang: si.Lang, Source: si.Source, Role: si.Role, Title: si.Title, URL: si.Link,
		ItemID: si.ID, Published: si.Published, Changed: si.Changed,
	}
}

// newer reports whether si should stand for its (language, source) rather than o.
func (si *storedItem) newer(o *storedItem) bool {
	a, b := si.Updated, o.Updated
	if a.IsZero() {
		a = si.Published
	}
	if b.IsZero() {
		b = o.Published
	}
	if !a.Equal(b) {
		return a.After(b)
	}
	return si.ID > o.ID
}

// Key encoding: parts joined by 0x00; numbers as 8 big-endian bytes so that
// keys sort by number; dates as YYYY-MM-DD.
func key(parts ...[]byte) []byte { return bytes.Join(parts, []byte{0}) }

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

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}
