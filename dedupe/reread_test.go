package dedupe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

var updateReader = flag.Bool("update-reader", false, "record today's reads in testdata/reader.golden")

const readerGolden = "testdata/reader.golden"

// todaysReads is what the rules read from every TestRead case and every real
// item, by a key that stays when items are added.
func todaysReads(t *testing.T) map[string]string {
	t.Helper()
	reads := map[string]string{}
	put := func(key string, id identity) {
		for n := 2; reads[key] != ""; n++ {
			key = strings.TrimSuffix(key, "#"+strconv.Itoa(n-1)) + "#" + strconv.Itoa(n)
		}
		date := ""
		if !id.Date.IsZero() {
			date = id.Date.Format(time.DateOnly)
		}
		reads[key] = fmt.Sprintf("%s\t%d\t%s\t%s\t%t", cmpOrNone(id.Series), id.Number, date, id.ISWURL, id.Weak)
	}
	for _, name := range slices.Sorted(maps.Keys(identityCases)) {
		c := identityCases[name]
		r, err := newSourceReader(c.src)
		if err != nil {
			t.Fatal(err)
		}
		put("case "+name, r.Read(c.item(t)))
	}
	for _, it := range readRealItems(t) {
		r, err := newSourceReader(sourceFor(it))
		if err != nil {
			t.Fatal(err)
		}
		put("real "+it.file+" "+it.Title+" "+it.Link, r.Read(fetch.Item{Title: it.Title, Link: it.Link,
			Content: it.Text, Lang: it.Lang, Published: realPublished(it.Published)}))
	}
	return reads
}

func cmpOrNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// TestReaderVersionFollowsTheRules holds ReaderVersion to what the rules
// read: when a change reads any recorded item differently, the version must
// move, so that stores read with the old rules are read again on upgrade.
// Record with: go test ./dedupe -run TestReaderVersionFollowsTheRules -update-reader
func TestReaderVersionFollowsTheRules(t *testing.T) {
	now := todaysReads(t)
	version, golden := readGolden(t)
	var moved []string
	for k, v := range golden {
		if w, ok := now[k]; ok && w != v {
			moved = append(moved, fmt.Sprintf("%s\n  was  %s\n  now  %s", k, v, w))
		}
	}
	slices.Sort(moved)
	added := 0
	for k := range now {
		if _, ok := golden[k]; !ok {
			added++
		}
	}
	switch {
	case version > ReaderVersion:
		t.Fatalf("%s records reader %d, newer than ReaderVersion %d", readerGolden, version, ReaderVersion)
	case len(moved) > 0 && version == ReaderVersion:
		t.Fatalf("the rules read %d recorded items differently than reader %d did, so stores must be read again: "+
			"bump ReaderVersion and record with -update-reader. First:\n%s", len(moved), version, moved[0])
	case *updateReader:
		writeGolden(t, now)
		t.Logf("recorded %d reads as reader %d (%d moved, %d new)", len(now), ReaderVersion, len(moved), added)
	case version < ReaderVersion || added > 0:
		t.Fatalf("%s is reader %d with %d reads missing: record reader %d with -update-reader",
			readerGolden, version, added, ReaderVersion)
	}
}

func readGolden(t *testing.T) (int, map[string]string) {
	t.Helper()
	f, err := os.Open(readerGolden)
	if os.IsNotExist(err) && *updateReader {
		return 0, map[string]string{}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		t.Fatalf("%s is empty", readerGolden)
	}
	version, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "reader "))
	if err != nil {
		t.Fatalf("%s: first line %q, want \"reader N\"", readerGolden, sc.Text())
	}
	reads := map[string]string{}
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "\t=\t")
		if !ok {
			t.Fatalf("%s: bad line %q", readerGolden, sc.Text())
		}
		reads[k] = v
	}
	return version, reads
}

func writeGolden(t *testing.T, reads map[string]string) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "reader %d\n", ReaderVersion)
	for _, k := range slices.Sorted(maps.Keys(reads)) {
		fmt.Fprintf(&b, "%s\t=\t%s\n", k, reads[k])
	}
	if err := os.WriteFile(readerGolden, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// olderRules stand for the rules an older iswfeed read items with: they
// take a blog's own day-of-war count for the daily report's number ("Update
// 54 vom 20. April"), as the built-in weak pattern once did unchecked, and
// see no report in a post that only its text credits to ISW.
type olderRules struct{}

func (olderRules) Read(it fetch.Item) identity {
	if n, ok := strings.CutPrefix(it.Title, "Ukraine-Krieg – Update "); ok {
		num, _ := strconv.Atoi(strings.Fields(n)[0])
		return identity{Series: seriesDaily, Number: num, Date: it.Published.UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)}
	}
	return identity{}
}

// TestOpenReadsAgainWhatOlderRulesStored: a store whose items were read by
// older rules is read again by today's when it is opened, once; what moved
// is placed anew, and an undated item keeps its first date, so that the next
// poll of it changes nothing.
func TestOpenReadsAgainWhatOlderRulesStored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	blog := config.Source{Name: "blog", Lang: "de", Role: config.RoleTranslation, URL: "https://blog.example/feed"}
	cfg := &config.Config{Sources: []config.Source{blog}}
	first := at("2023-04-21T08:00:00Z")
	items := []fetch.Item{
		// The blog's own series: its numbers are no daily report's.
		{Source: "blog", Lang: "de", ID: "b1", Title: "Ukraine-Krieg – Update 54 vom 20. April", Link: "https://blog.example/update-54",
			Content: "<p>Tag 54 unserer Serie.</p>", Published: first, Updated: first},
		// A translation credited to ISW in its text only, which the feed left undated.
		{Source: "blog", Lang: "de", ID: "b2", Title: "Ukraine: Die Lage am 20. April", Link: "https://blog.example/lage",
			Content:   "<p>Russische Streitkräfte setzten ihre Angriffe in der Ukraine fort, so das Institute for the Study of War (ISW).</p>",
			Published: first, Updated: first, Undated: true},
	}

	db := openFile(t, path)
	s, err := Open(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	set := *s.settings()
	set.readers = map[string]identityReader{"blog": olderRules{}}
	s.set.Store(&set)
	if _, err := s.IngestBatch(blog, items); err != nil {
		t.Fatal(err)
	}
	if got := numbered(t, s); !slices.Equal(got, []int{54}) {
		t.Fatalf("the older rules' store publishes numbers %v, want [54]: the fixture does not stand for them", got)
	}
	// The store as an iswfeed before reader versions wrote it: no version,
	// no Undated field in its items.
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Delete(keyReader); err != nil {
			return err
		}
		items := tx.Bucket(bucketItems)
		for _, k := range keysUnder(items, nil, 0) {
			var raw map[string]any
			if err := json.Unmarshal(items.Get(k), &raw); err != nil {
				return err
			}
			delete(raw, "undated")
			v, _ := json.Marshal(raw)
			if err := items.Put(k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openFile(t, path)
	defer db.Close()
	s, err = Open(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Reread() != 2 {
		t.Errorf("Open read %d items differently, want 2", s.Reread())
	}
	if got := numbered(t, s); len(got) != 0 {
		t.Errorf("after reading again the store publishes numbers %v, want none", got)
	}
	ups, err := s.Updates(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || ups[0].Series != seriesDaily || len(ups[0].Variants) != 1 || ups[0].Variants[0].ItemID != "b2" {
		t.Fatalf("after reading again: %+v, want b2 alone, as a version of the daily report", ups)
	}

	// The next poll brings the undated item with a later fetch date: it is the same item.
	again := items[1]
	again.Published, again.Updated = first.Add(6*time.Hour), first.Add(6*time.Hour)
	rep, err := s.IngestBatch(blog, []fetch.Item{again})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changed != 0 {
		t.Errorf("the undated item polled again changed %d items: its first date was lost in reading it again", rep.Changed)
	}
	db.Close()

	db = openFile(t, path)
	if s, err = Open(db, cfg); err != nil {
		t.Fatal(err)
	}
	if s.Reread() != 0 {
		t.Errorf("a second Open read %d items again, want 0: the store keeps its reader version", s.Reread())
	}
}

// numbered returns the numbers of the daily reports s publishes.
func numbered(t *testing.T, s *Store) []int {
	t.Helper()
	ups, err := s.Updates(Query{})
	if err != nil {
		t.Fatal(err)
	}
	var ns []int
	for _, u := range ups {
		if u.Number > 0 {
			ns = append(ns, u.Number)
		}
	}
	return ns
}
