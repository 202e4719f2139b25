package dedupe

import (
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

func datesOf(us []Update) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Date.Format(time.DateOnly)
	}
	return out
}

func TestUpdatesQuery(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, isw,
		original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"),
		original("2022-04-05", "Russian Offensive Campaign Assessment, April 5, 2022"),
		original("2022-04-06", "Russian Offensive Campaign Assessment, April 6, 2022"),
		original("2022-04-07", "Russian Offensive Campaign Assessment, April 7, 2022"))
	s.settings().readers["isw"] = readerFunc(func(it fetch.Item) identity { return identity{Series: "iran-update", Date: isoDay("2022-04-05")} })
	ingest(t, s, isw, fetch.Item{ID: "iran", Title: "Iran Update, April 5, 2022", Published: isoDay("2022-04-05")})
	ingest(t, s, spa, lage("de5", 46, "2022-04-05"))

	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"all, newest first", Query{}, []string{"2022-04-07", "2022-04-06", "2022-04-05", "2022-04-05", "2022-04-04"}},
		{"one series", Query{Series: []string{config.DefaultSeries}}, []string{"2022-04-07", "2022-04-06", "2022-04-05", "2022-04-04"}},
		{"limit", Query{Series: []string{config.DefaultSeries}, Limit: 2}, []string{"2022-04-07", "2022-04-06"}},
		{"before and after are exclusive", Query{Before: isoDay("2022-04-07"), After: isoDay("2022-04-04")}, []string{"2022-04-06", "2022-04-05", "2022-04-05"}},
		{"language", Query{Lang: "de"}, []string{"2022-04-05"}},
		{"language with limit skips the rest", Query{Lang: "en", Limit: 1, After: isoDay("2022-04-05")}, []string{"2022-04-07"}},
		{"unknown series", Query{Series: []string{"china-taiwan"}}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Updates(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if d := datesOf(got); !slices.Equal(d, tc.want) {
				t.Errorf("dates = %v, want %v", d, tc.want)
			}
		})
	}
	all, _ := s.Updates(Query{Series: []string{config.DefaultSeries}, Content: true})
	if all[2].Number != 46 || all[2].Variants[1].Content == "" {
		t.Errorf("5 April = %+v, want number 46 and content", all[2])
	}
}

func TestGapsWithoutLanguagesUsesTheStoredOnes(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, isw,
		original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"),
		original("2022-04-05", "Russian Offensive Campaign Assessment, April 5, 2022"))
	ingest(t, s, spa, lage("de4", 45, "2022-04-04"))
	g, err := s.Gaps(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Missing) != 1 || len(g.Missing["de"]) != 1 || g.Missing["de"][0].Date != "2022-04-05" {
		t.Errorf("missing = %+v, want only de of 5 April", g.Missing)
	}
	if len(g.Unnumbered) != 1 || g.Unnumbered[0].Date != "2022-04-05" {
		t.Errorf("unnumbered = %+v", g.Unnumbered)
	}
}

func fileStore(t *testing.T) (string, *bolt.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	db := openFile(t, path)
	return path, db
}

func TestReadOnlyHandleServesEveryRead(t *testing.T) {
	path, db := fileStore(t)
	s, err := Open(db, withAnchors(map[int]string{45: "2022-04-04"}))
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, isw, original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"))
	ingest(t, s, spa, lage("held", 99, ""))
	db.Close()

	ro, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s, err = Open(ro, withAnchors(map[int]string{45: "2022-04-04"}))
	if err != nil {
		t.Fatal(err)
	}
	if u, ok, err := s.Update(config.DefaultSeries, 45); err != nil || !ok || u.Variants[0].Content == "" {
		t.Errorf("Update(45) = %+v, %v, %v", u, ok, err)
	}
	if us, err := s.Updates(Query{Lang: "en"}); err != nil || len(us) != 1 {
		t.Errorf("Updates = %d, %v", len(us), err)
	}
	if g, err := s.Gaps(nil); err != nil || len(g.Unplaced) != 1 {
		t.Errorf("Gaps = %+v, %v", g, err)
	}
	if st, err := s.Stats(); err != nil || st.Updates != 1 || st.Held != 1 {
		t.Errorf("Stats = %+v, %v", st, err)
	}
	if _, err := s.IngestBatch(isw, []fetch.Item{original("2022-04-05", "Russian Offensive Campaign Assessment, April 5, 2022")}); err == nil {
		t.Error("ingest into a read-only store succeeded")
	}
}

func TestReadOnlyHandleOnAnEmptyFile(t *testing.T) {
	path, db := fileStore(t)
	db.Close()
	ro, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s, err := Open(ro, &config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if us, err := s.Updates(Query{}); err != nil || len(us) != 0 {
		t.Errorf("Updates = %v, %v", us, err)
	}
	if _, ok, err := s.Update(config.DefaultSeries, 1); err != nil || ok {
		t.Errorf("Update = %v, %v", ok, err)
	}
	if _, err := s.Gaps(nil); err != nil {
		t.Error(err)
	}
	if _, err := s.Stats(); err != nil {
		t.Error(err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path, db := fileStore(t)
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keySchema, []byte("99"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(db, &config.Config{}); !errors.Is(err, ErrSchema) {
		t.Errorf("read-write open: err = %v, want ErrSchema", err)
	}
	db.Close()
	ro, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := Open(ro, &config.Config{}); !errors.Is(err, ErrSchema) {
		t.Errorf("read-only open: err = %v, want ErrSchema", err)
	}
}

func TestSchemaOneMigratesContentOut(t *testing.T) {
	_, db := fileStore(t)
	defer db.Close()
	s, err := Open(db, &config.Config{Sources: []config.Source{isw, spa}})
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, isw, original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"))
	// Rewrite the store as schema 1 had it: content inside the item record.
	err = db.Update(func(tx *bolt.Tx) error {
		k := itemKey("isw", "isw-2022-04-04")
		var rec map[string]any
		if err := json.Unmarshal(tx.Bucket(bucketItems).Get(k), &rec); err != nil {
			return err
		}
		rec["content"] = "<p>kept</p>"
		v, _ := json.Marshal(rec)
		if err := tx.Bucket(bucketItems).Put(k, v); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketContent, bucketLinks, bucketByLink} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, err = Open(db, &config.Config{Sources: []config.Source{isw, spa}}); err != nil {
		t.Fatal(err)
	}
	u := mustUpdateOn(t, s, "2022-04-04")
	if u.Variants[0].Content != "<p>kept</p>" {
		t.Errorf("content after migration = %q", u.Variants[0].Content)
	}
	_ = db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != strconv.Itoa(SchemaVersion) {
			t.Errorf("schema = %s, want %d", v, SchemaVersion)
		}
		if n := tx.Bucket(bucketLinks).Stats().KeyN; n != 1 {
			t.Errorf("%d ISW links indexed, want the original's", n)
		}
		return nil
	})
}

func TestItemCountsAndWaitingAreStatsAndGapsWithoutTheReports(t *testing.T) {
	s := openStore(t, nil)
	ingest(t, s, isw,
		original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"),
		original("2022-04-05", "Russian Offensive Campaign Assessment, April 5, 2022"))
	ingest(t, s, spa, lage("de5", 46, "2022-04-05"), fetch.Item{ID: "de77", Title: "Ukraine: Die Lage 77", Published: isoDay("2022-06-01")})
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	counts, err := s.ItemCounts()
	if err != nil {
		t.Fatal(err)
	}
	if counts.Items != st.Items || counts.Held != st.Held || !maps.Equal(counts.Skipped, st.Skipped) || counts.Updates != 0 {
		t.Errorf("ItemCounts = %+v, Stats = %+v", counts, st)
	}
	g, err := s.Gaps(nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Waiting()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Unplaced) != 1 || !reflect.DeepEqual(w.Unplaced, g.Unplaced) || !reflect.DeepEqual(w.Conflicts, g.Conflicts) ||
		!reflect.DeepEqual(w.Numbering, g.Numbering) || len(w.Unnumbered) != 0 || len(w.Missing) != 0 {
		t.Errorf("Waiting = %+v, Gaps = %+v", w, g)
	}
}
