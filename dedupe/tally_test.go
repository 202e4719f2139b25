package dedupe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/fetch"
)

// The tallies' property: whatever the order in which the batches of six
// sources arrive, after every batch each source's counted learning is what
// the walk over all its records gives, and a store whose batches learn by
// that walk ends in the same reports, numbers, conflicts and numberings.

var (
	tallyFi   = config.Source{Name: "fi", Lang: "fi", Role: config.RoleTranslation}
	tallyBlog = config.Source{Name: "blog", Lang: "de", Role: config.RoleTranslation}
	tallyEn   = config.Source{Name: "en", Lang: "en", Role: config.RoleTranslation}
	tallyNews = config.Source{Name: "news", Lang: "pl", Role: config.RoleTranslation}
)

func tallyConfig(anchors map[int]config.Date) *config.Config {
	return &config.Config{Sources: []config.Source{isw, spa, tallyFi, tallyBlog, tallyEn, tallyNews},
		Series: map[string]config.Series{config.DefaultSeries: {Calendar: anchors}}}
}

// learningBatches are the simulation's days 0 to 5 (updates 399 to 404) as
// six sources post them: spartanat numbers them (once wrongly, then
// corrected), a Finnish translator whose words iswfeed does not know (once
// wrongly), a blog counting its own series, a translator with weak "Update
// N" numbers, and a news site whose summaries come a day after the report.
func learningBatches() []sourceBatch {
	sp := func(i, n int) fetch.Item {
		_, d := simulatedDay(i)
		return german(fmt.Sprintf("sp-%d", i), fmt.Sprintf("Ukraine: Die Lage %d", n), spartanatLink(n, d), d.AddDate(0, 0, 1).Format(time.DateOnly))
	}
	post := func(src config.Source, i int, title string) fetch.Item {
		_, d := simulatedDay(i)
		return fetch.Item{Source: src.Name, Lang: src.Lang, ID: fmt.Sprintf("%s-%d", src.Name, i), Title: title,
			Link: fmt.Sprintf("https://%s.example/?p=%d", src.Name, 100+i), Content: "<p>…</p>", Published: d.Add(30 * time.Hour)}
	}
	fi := func(i int, dated bool, wrong int) fetch.Item {
		n, d := simulatedDay(i)
		title := fmt.Sprintf("Päivitys %d", n+wrong)
		if dated {
			title += " – " + d.Format("2.1.2006")
		}
		return post(tallyFi, i, title)
	}
	blog := func(i int) fetch.Item {
		_, d := simulatedDay(i)
		return post(tallyBlog, i, fmt.Sprintf("Ukraine-Krieg 2.0 – Update %d vom %s", 300+i, d.Format("02.01.2006")))
	}
	en := func(i int, dated bool) fetch.Item {
		n, d := simulatedDay(i)
		title := fmt.Sprintf("Ukraine Update %d", n)
		if dated {
			title += " – " + d.Format("02.01.2006")
		}
		return post(tallyEn, i, title)
	}
	news := func(i int, title string) fetch.Item {
		it := post(tallyNews, i, title)
		it.Published = it.Published.Add(8 * time.Hour) // the morning after
		return it
	}
	summary := func(i int) fetch.Item {
		_, d := simulatedDay(i)
		return news(i, fmt.Sprintf("Raport ISW z %d marca 2023: Rosjanie nacierają", d.Day()))
	}
	originals := func(days ...int) []fetch.Item {
		var out []fetch.Item
		for _, i := range days {
			_, d := simulatedDay(i)
			out = append(out, original(d.Format(time.DateOnly), "Russian Offensive Campaign Assessment, "+d.Format("January 2, 2006")))
		}
		return out
	}
	spWrong, fiWrong := sp(4, 413), fi(3, true, 10)
	redated := summary(3)
	redated.ID = "news-2"
	return []sourceBatch{
		{isw, originals(0, 1, 2)},
		{isw, originals(3, 4, 5)},
		{spa, []fetch.Item{sp(0, 399), sp(1, 400), sp(2, 401)}},
		{spa, []fetch.Item{sp(3, 402), spWrong, sp(5, 404)}},
		{spa, []fetch.Item{edited(spWrong, "Ukraine: Die Lage 403")}},
		{tallyFi, []fetch.Item{fi(0, true, 0), fi(1, true, 0), fi(2, false, 0), fiWrong}},
		{tallyFi, []fetch.Item{fi(4, true, 0), fi(5, false, 0), edited(fiWrong, "Päivitys 402 – 30.3.2023")}},
		{tallyBlog, []fetch.Item{blog(0), blog(1), blog(2), post(tallyBlog, 9, "Ukraine-Krieg 2.0 – Update 309")}},
		{tallyBlog, []fetch.Item{blog(3), blog(4)}},
		{tallyEn, []fetch.Item{en(0, true), en(1, true), en(4, false)}},
		{tallyEn, []fetch.Item{en(2, true), en(3, true)}},
		{tallyNews, []fetch.Item{summary(0), summary(1), summary(2), news(5, "Raport ISW: Rosjanie tracą impet")}},
		{tallyNews, []fetch.Item{summary(4), edited(redated, redated.Title)}},
	}
}

// openTallyStore opens a store in a file of its own; NoSync only skips
// fsync, which nothing here depends on.
func openTallyStore(t *testing.T, cfg *config.Config, byWalk bool) *Store {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "tally.db"), 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.learnByWalk = byWalk
	clock := isoDay("2023-04-05")
	s.now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	return s
}

// checkTallies fails when a translation source's counted learning differs
// from what the walk over every record of the source gives.
func checkTallies(t *testing.T, s *Store, after string) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, src := range s.settings().sources {
			if src.Role == config.RoleOriginal {
				continue
			}
			got, want := tallyOf(tx, src.Name).learning(src.Name), s.learn(tx, src.Name)
			if g, w := learnedOf(got), learnedOf(want); g != w {
				t.Errorf("after %s: %s counted\n%s\nthe walk gives\n%s", after, src.Name, g, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// learnedOf prints what a learning teaches and the counts it comes from.
func learnedOf(l learning) string {
	lag := "no lag"
	if l.Lag != nil {
		lag = fmt.Sprintf("lag %d", *l.Lag)
	}
	shown := fmt.Sprintf("%d lags", min(l.lags, 2))
	if l.lags == 1 {
		shown = fmt.Sprintf("one lag %d, %d times", l.lag, l.lagged)
	}
	return fmt.Sprintf("pattern %q (%d agreeing), %s, proven %v\nagree %v\ndisagree %v\n%s",
		l.Pattern, l.Agreeing, lag, slices.Sorted(maps.Keys(l.proven)), l.agree, l.disagree, shown)
}

// numberingsOf prints the numberings with their conflicts.
func numberingsOf(t *testing.T, s *Store) string {
	t.Helper()
	ns, err := s.Numberings(s.settings().sources)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(ns)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTalliesFollowTheWalk(t *testing.T) {
	batches := learningBatches()
	inOrder := make([]int, len(batches))
	for i := range inOrder {
		inOrder[i] = i
	}
	reversed := slices.Clone(inOrder)
	slices.Reverse(reversed)
	runs := []permutation{{0, inOrder, 1}, {0, reversed, 1}}
	for p := range 14 {
		seed := uint64(propertySeed + p)
		order := slices.Clone(inOrder)
		rand.New(rand.NewPCG(seed, 0)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		runs = append(runs, permutation{seed, order, 1 + p%2})
	}
	anchored := map[int]config.Date{401: {Time: isoDay("2023-03-29")}}
	learnedSomething := false
	for _, run := range runs {
		t.Run(fmt.Sprint(run.order), func(t *testing.T) {
			counted := openTallyStore(t, tallyConfig(anchored), false)
			walked := openTallyStore(t, tallyConfig(anchored), true)
			for _, i := range run.order {
				for range run.times {
					for _, s := range []*Store{counted, walked} {
						if _, err := s.IngestBatch(batches[i].src, batches[i].items); err != nil {
							t.Fatal(err)
						}
					}
				}
				checkTallies(t, counted, fmt.Sprintf("batch %d of %v", i, run.order))
				checkTallies(t, walked, fmt.Sprintf("batch %d of %v, learning by the walk", i, run.order))
			}
			compareStores(t, counted, walked, "all batches")
			// New anchors change what the others give the anchored dates.
			for _, s := range []*Store{counted, walked} {
				if err := s.Configure(tallyConfig(map[int]config.Date{402: {Time: isoDay("2023-03-30")}, 410: {Time: isoDay("2023-03-31")}})); err != nil {
					t.Fatal(err)
				}
			}
			checkTallies(t, counted, "new anchors")
			compareStores(t, counted, walked, "new anchors")
			// An edit at a date whose new anchor the others contradict.
			fix := edited(batches[6].items[0], "Päivitys 403 – 31.3.2023 (korjattu)")
			for _, s := range []*Store{counted, walked} {
				if _, err := s.IngestBatch(tallyFi, []fetch.Item{fix}); err != nil {
					t.Fatal(err)
				}
			}
			checkTallies(t, counted, "a batch after new anchors")
			compareStores(t, counted, walked, "a batch after new anchors")
			if ns := numberingsOf(t, counted); bytes.Contains([]byte(ns), []byte("päivitys N")) {
				learnedSomething = true
			}
		})
	}
	if !learnedSomething {
		t.Error("no run taught the Finnish source its pattern: the property tests nothing")
	}
}

// compareStores fails when two stores fed the same batches differ in what a
// subscriber or operator sees: reports, numbers, variants, gaps, numberings.
func compareStores(t *testing.T, got, want *Store, after string) {
	t.Helper()
	g, err := takeSnapshot(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := takeSnapshot(want)
	if err != nil {
		t.Fatal(err)
	}
	if g.String() != w.String() {
		t.Errorf("after %s, counting differs from the walk:\n%s\nwant:\n%s", after, g, w)
	}
	if gn, wn := numberingsOf(t, got), numberingsOf(t, want); gn != wn {
		t.Errorf("after %s, numberings differ:\n%s\nwant:\n%s", after, gn, wn)
	}
}

// A store of schema 3 kept no counts: Open counts every stored record, with
// the config's anchors, and ends with exactly the counts a store that
// counted batch by batch keeps.
func TestSchema3StoreCountsItsRecordsOnOpen(t *testing.T) {
	cfg := tallyConfig(map[int]config.Date{401: {Time: isoDay("2023-03-29")}})
	s := openTallyStore(t, cfg, false)
	for _, b := range learningBatches() {
		if _, err := s.IngestBatch(b.src, b.items); err != nil {
			t.Fatal(err)
		}
	}
	before := dumpTallies(t, s.db)
	if len(before) == 0 {
		t.Fatal("nothing was counted")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketTally, bucketNumberingDate} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Delete(keyTallyAnchors); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("3"))
	})
	if err != nil {
		t.Fatal(err)
	}
	reopened, err := Open(s.db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if after := dumpTallies(t, s.db); !maps.Equal(after, before) {
		t.Errorf("counts after migrating:\n%v\nwant those counted batch by batch:\n%v", after, before)
	}
	checkTallies(t, reopened, "migrating")
	var version string
	_ = s.db.View(func(tx *bolt.Tx) error {
		version = string(tx.Bucket(bucketMeta).Get(keySchema))
		return nil
	})
	if version != fmt.Sprint(SchemaVersion) {
		t.Errorf("schema after migrating = %q, want %d", version, SchemaVersion)
	}
}

// dumpTallies returns every key and value of the two tally buckets and the
// anchors they were counted with.
func dumpTallies(t *testing.T, db *bolt.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketTally, bucketNumberingDate} {
			err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				out[string(name)+" "+string(k)] = fmt.Sprintf("%x", v)
				return nil
			})
			if err != nil {
				return err
			}
		}
		out["anchors"] = string(tx.Bucket(bucketMeta).Get(keyTallyAnchors))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
