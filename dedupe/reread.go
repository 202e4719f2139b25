package dedupe

import (
	"bytes"
	"fmt"
	"strconv"

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
const ReaderVersion = 1

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
// many items read differently.
func (s *Store) rereadAll(tx *bolt.Tx) (int, error) {
	b := s.batch(tx, s.now().UTC())
	configured := map[string]config.Source{}
	for _, src := range s.settings().sources {
		configured[src.Name] = src
	}
	changed := 0
	var (
		source string
		reader identityReader
		src    config.Source
	)
	for _, k := range keysWith(b.items, nil) {
		var old storedItem
		if _, err := getJSON(b.items, k, &old); err != nil {
			return 0, fmt.Errorf("item %q: %w", k, err)
		}
		if old.Source != source {
			if err := b.relearn(); err != nil {
				return 0, err
			}
			var err error
			if src, reader, err = s.sourceFor(configured, &old); err != nil {
				return 0, err
			}
			if err := b.learnFor(src); err != nil {
				return 0, err
			}
			source = old.Source
		}
		html, err := unpackContent(b.content.Get(k))
		if err != nil {
			return 0, fmt.Errorf("item %q: %w", k, err)
		}
		it := old.fetchItem(src, html)
		fresh := newStoredItem(src, it, reader.Read(it))
		if bytes.Equal(fresh.Hash, old.Hash) {
			continue // read as before
		}
		changed++
		fresh.Changed = old.Changed
		if err := b.remove(k, &old); err != nil {
			return 0, err
		}
		b.applyLearned(&fresh)
		if err := b.add(k, &fresh); err != nil {
			return 0, err
		}
	}
	if err := b.relearn(); err != nil {
		return 0, err
	}
	return changed, b.finish()
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
