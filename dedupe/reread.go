package dedupe

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// ReaderVersion names the rules that read an item's series, number, date and
// ISW link. A store remembers the version its items were read with; when an
// iswfeed with other rules opens it, every stored item is read again (Open),
// so that a rule's fix reaches the history as well as the items its sources
// still list. Bump it with every change to what the rules read: the golden
// reads in testdata/reader.golden tell (TestReaderVersionFollowsTheRules).
const ReaderVersion = 5

var keyReader = []byte("reader")

// readerOf returns the ReaderVersion the store's items were read with: 0 for
// a store written before versions were kept.
func readerOf(tx *bolt.Tx) int {
	n, _ := strconv.Atoi(string(tx.Bucket(bucketMeta).Get(keyReader)))
	return n
}

// rereadAll reads every stored item again with today's rules and, where the
// reading changed, takes the item out of where it was and places it anew;
// each source then learns again from what its items now say. It returns how
// many items read differently. Items are read a chunk at a time on every
// core, and placed in key order, one source after the other.
func (s *Store) rereadAll(tx *bolt.Tx) (int, error) {
	b := s.batch(tx, s.now().UTC())
	configured := map[string]config.Source{}
	for _, src := range s.settings().sources {
		configured[src.Name] = src
	}
	keys := keysUnder(b.items, nil, 0)
	changed, source := 0, ""
	for len(keys) > 0 {
		chunk := make([]rereadItem, min(len(keys), rereadChunk))
		for i := range chunk {
			r := &chunk[i]
			r.key = keys[i]
			if _, err := getJSON(b.items, r.key, &r.old); err != nil {
				return 0, fmt.Errorf("item %q: %w", r.key, err)
			}
			var err error
			if r.html, err = unpackContent(b.content.Get(r.key)); err != nil {
				return 0, fmt.Errorf("item %q: %w", r.key, err)
			}
			if r.src, r.reader, err = s.sourceFor(configured, &r.old); err != nil {
				return 0, err
			}
		}
		keys = keys[len(chunk):]
		readAll(chunk)
		for i := range chunk {
			r := &chunk[i]
			if r.old.Source != source {
				if err := b.relearn(); err != nil {
					return 0, err
				}
				if err := b.learnFor(r.src); err != nil {
					return 0, err
				}
				source = r.old.Source
			}
			n, err := b.settle(r)
			if err != nil {
				return 0, err
			}
			changed += n
		}
	}
	if err := b.relearn(); err != nil {
		return 0, err
	}
	return changed, b.finish()
}

// rereadChunk is how many items rereadAll holds at once, content included.
const rereadChunk = 256

// rereadItem is one stored item on its way through rereadAll.
type rereadItem struct {
	key    []byte
	old    storedItem
	html   string
	src    config.Source
	reader identityReader
	fresh  storedItem
}

// readAll reads each item of chunk again, on every core.
func readAll(chunk []rereadItem) {
	onEveryCore(len(chunk), func(i int) {
		r := &chunk[i]
		it := r.old.fetchItem(r.src, r.html)
		r.fresh = newStoredItem(r.src, it, r.reader.Read(it))
	})
}

// onEveryCore calls read(i) for each i below n, on every core: reading an
// item is the costly part of ingest, and one item's reading needs no other's.
func onEveryCore(n int, read func(i int)) {
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				read(int(i))
			}
		})
	}
	wg.Wait()
}

// settle stores what reading r again gave: nothing when it reads as it was
// stored, the new hash alone when only that moved (an undated item's, whose
// updated date no longer counts), else the item placed anew. It returns 1
// when the item's reading changed.
func (b *batch) settle(r *rereadItem) (int, error) {
	old, fresh := &r.old, &r.fresh
	if bytes.Equal(fresh.Hash, old.Hash) {
		return 0, nil
	}
	asRead := old.asRead()
	if fresh.Series == asRead.Series && fresh.Number == asRead.Number && fresh.Date == asRead.Date &&
		fresh.ISWURL == asRead.ISWURL && fresh.NumberBy == asRead.NumberBy && fresh.Role == old.Role {
		old.Hash, old.Undated, old.Input = fresh.Hash, fresh.Undated, nil // read by older rules
		return 0, b.save(r.key, old)
	}
	fresh.Changed = old.Changed
	if err := b.remove(r.key, old); err != nil {
		return 0, err
	}
	b.applyLearned(fresh)
	return 1, b.add(r.key, fresh)
}

// sourceFor returns the source an item came from, as configured, else as
// the item remembers it (a source since removed from the config), and its
// reader.
func (s *Store) sourceFor(configured map[string]config.Source, si *storedItem) (config.Source, identityReader, error) {
	src, ok := configured[si.Source]
	if !ok {
		src = config.Source{Name: si.Source, Role: si.Role, Lang: si.Lang}
	}
	if r := s.settings().readers[src.Name]; r != nil {
		return src, r, nil
	}
	r, err := newSourceReader(src)
	if err != nil {
		return src, nil, fmt.Errorf("source %s: %w", src.Name, err)
	}
	return src, r, nil
}

// fetchItem is the item si was stored from, with its content html, as the
// reader saw it. Whether its date was the fetch's (Undated) is remembered
// since reader 1; before, the item's hash tells: the rules that stored it
// hashed "undated" in place of such an item's published date (and, since
// reader 1, of its updated date).
func (si *storedItem) fetchItem(src config.Source, html string) fetch.Item {
	it := fetch.Item{Source: si.Source, Lang: si.Lang, ID: si.ID, Title: si.Title, Link: si.Link,
		Content: html, FeedTitle: si.FeedTitle, Published: si.Published, Updated: si.Updated, Undated: si.Undated}
	if !si.Undated {
		c := si.asRead()
		c.Role = src.Role
		if old := si.Role; old != "" {
			c.Role = old
		}
		it.Undated = bytes.Equal(c.hash(html, "undated", si.Updated.String()), si.Hash) ||
			bytes.Equal(c.hash(html, "undated", "undated"), si.Hash)
	}
	return it
}
