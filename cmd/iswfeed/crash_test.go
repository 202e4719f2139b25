package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	killsFlag = flag.Int("kills", 0, "SIGKILLs in TestSIGKILLLosesNothing (default 30, 300 with ISWFEED_LONG=1)")
	seedFlag  = flag.Uint64("crash-seed", 0, "seed of the kills' moments (default: from the clock, logged)")
)

// long reports whether the long variants of the reliability tests run.
func long() bool { return os.Getenv("ISWFEED_LONG") == "1" }

// binaryOnly skips, under -race, a test that only drives the built binary:
// that binary has no race detector in either pass, so the plain pass ran it.
func binaryOnly(t *testing.T) {
	t.Helper()
	if raceBuild {
		t.Skip("it drives the built binary, the same without -race: the plain pass runs it")
	}
}

// servedUpdate is what /api/updates shows of an update, without the times
// that say when this daemon ingested it.
type servedUpdate struct {
	ID       string   `json:"id"`
	Series   string   `json:"series"`
	Number   int      `json:"number"`
	Date     string   `json:"date"`
	Title    string   `json:"title"`
	Langs    []string `json:"langs"`
	Variants []struct {
		Lang, Source, Role, Title, URL string
		Published                      time.Time
		ContentHTML                    string `json:"content_html"`
	} `json:"variants"`
}

// servedUpdates reads every update the daemon at listen serves, following
// the pages' next links, or nil when it does not answer.
func servedUpdates(listen string) []servedUpdate {
	all := []servedUpdate{}
	for next := "/api/updates?limit=500"; next != ""; {
		code, body := get("http://" + listen + next)
		if code != 200 {
			return nil
		}
		var page struct {
			Updates []servedUpdate `json:"updates"`
			Next    string         `json:"next"`
		}
		if json.Unmarshal([]byte(body), &page) != nil {
			return nil
		}
		all = append(all, page.Updates...)
		next = ""
		if u, err := url.Parse(page.Next); err == nil && page.Next != "" {
			next = u.RequestURI()
		}
	}
	return all
}

// withContent adds each variant's content, read from /api/updates/{series}/{date}.
func withContent(t *testing.T, listen string, ups []servedUpdate) []servedUpdate {
	t.Helper()
	for i, u := range ups {
		code, body := get("http://" + listen + "/api/updates/" + u.Series + "/" + u.Date)
		if code != 200 || json.Unmarshal([]byte(body), &ups[i]) != nil {
			t.Fatalf("/api/updates/%s/%s: %d %s", u.Series, u.Date, code, body)
		}
	}
	return ups
}

// updatesDiff names the updates and variants in which got and want differ,
// without their contents.
func updatesDiff(got, want []servedUpdate) string {
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		var g, w servedUpdate
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if reflect.DeepEqual(g, w) {
			continue
		}
		fmt.Fprintf(&b, "  got %s number %d %q, want %s number %d %q\n", g.ID, g.Number, g.Title, w.ID, w.Number, w.Title)
		for j := range max(len(g.Variants), len(w.Variants)) {
			switch {
			case j >= len(g.Variants):
				fmt.Fprintf(&b, "    missing %s %q\n", w.Variants[j].Source, w.Variants[j].Title)
			case j >= len(w.Variants):
				fmt.Fprintf(&b, "    extra %s %q\n", g.Variants[j].Source, g.Variants[j].Title)
			case !reflect.DeepEqual(g.Variants[j], w.Variants[j]):
				gv, wv := g.Variants[j], w.Variants[j]
				fmt.Fprintf(&b, "    %s: got %q %s %d bytes, want %q %s %d bytes\n", gv.Source, gv.Title, gv.Published, len(gv.ContentHTML), wv.Title, wv.Published, len(wv.ContentHTML))
			}
		}
	}
	return b.String()
}

func variantCount(ups []servedUpdate) int {
	n := 0
	for _, u := range ups {
		n += len(u.Variants)
	}
	return n
}

// servesAll reports whether ups holds every report and translation the
// sources have published by step.
func servesAll(ups []servedUpdate, step int) bool {
	return len(ups) == reports(step) && variantCount(ups) == reports(step)+translations(step)
}

// index is ups by id.
func index(ups []servedUpdate) map[string]servedUpdate {
	m := map[string]servedUpdate{}
	for _, u := range ups {
		m[u.ID] = u
	}
	return m
}

// checkStore opens a store no process holds and runs bbolt's consistency check.
func checkStore(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("the store does not open after a SIGKILL: %v", err)
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error {
		for problem := range tx.Check() {
			return problem
		}
		return nil
	}); err != nil {
		t.Fatalf("the store fails bbolt's consistency check after a SIGKILL: %v", err)
	}
}

// TestSIGKILLLosesNothing kills `iswfeed serve` at random moments while its
// sources keep publishing reports and translations. After every kill the
// store is consistent and the restarted daemon serves every update served
// before, with the same id; at the end it serves exactly what a daemon that
// was never killed serves.
func TestSIGKILLLosesNothing(t *testing.T) {
	binaryOnly(t)
	kills := 30
	if long() {
		kills = 300
	}
	if *killsFlag > 0 {
		kills = *killsFlag
	}
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("%d kills, -crash-seed %d", kills, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	src := newLiveSources(t, 4000)
	dir := t.TempDir()
	listen, store := freeAddr(t), filepath.Join(dir, "iswfeed.db")
	cfg := writeLiveConfig(t, dir, listen, store, src)
	seen := map[string]servedUpdate{}
	inFlight := 0            // kills just after a changed feed was sent
	growing := kills * 2 / 3 // the last third of the kills hit sources that no longer change
	for i := range kills {
		if i < growing {
			src.advance()
		}
		d := startDaemon(t, dir, "-config", cfg)
		var ups []servedUpdate
		waitFor(t, fmt.Sprintf("the daemon to serve after kill %d", i), d, func() bool {
			ups = servedUpdates(listen)
			return ups != nil
		})
		assertKept(t, i, seen, ups)
		time.Sleep(time.Duration(rng.Int64N(int64(1000 * time.Millisecond))))
		for _, u := range servedUpdates(listen) {
			seen[u.ID] = u
		}
		if rng.IntN(2) == 0 {
			// Every other kill comes just after a source sent a changed feed,
			// while the daemon stores its items.
			inFlight++
			select {
			case <-src.fetched: // an earlier fetch's
			default:
			}
			if i < growing {
				src.advance()
			} else {
				src.revise()
			}
			select {
			case <-src.fetched:
			case <-time.After(5 * time.Second):
			}
			time.Sleep(time.Duration(rng.Int64N(int64(30 * time.Millisecond))))
		} else {
			time.Sleep(time.Duration(rng.Int64N(int64(500 * time.Millisecond))))
		}
		d.cmd.Process.Kill()
		d.cmd.Wait()
		checkStore(t, store)
	}

	// The killed daemon's store, and a fresh one that was never killed, on the
	// sources as they now stand.
	d := startDaemon(t, dir, "-config", cfg)
	fresh := t.TempDir()
	refListen := freeAddr(t)
	ref := startDaemon(t, fresh, "-config", writeLiveConfig(t, fresh, refListen, filepath.Join(fresh, "iswfeed.db"), src))
	step := int(src.step.Load())
	for _, run := range []struct {
		listen string
		d      *daemon
	}{{listen, d}, {refListen, ref}} {
		waitFor(t, "every report and translation", run.d, func() bool {
			return servesAll(servedUpdates(run.listen), step)
		})
	}
	// Counts can agree while an edit is still on its way to one of them (a
	// revised content, a corrected number): they must agree in the end.
	var got, want []servedUpdate
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, want = withContent(t, listen, servedUpdates(listen)), withContent(t, refListen, servedUpdates(refListen))
		if reflect.DeepEqual(got, want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	assertKept(t, kills, seen, got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after %d kills the daemon serves other updates than one never killed:\n%s", kills, updatesDiff(got, want))
	}
	t.Logf("%d kills, %d of them just after a source sent a changed feed; %d reports with %d variants, %d of them seen before a kill, all kept",
		kills, inFlight, len(got), variantCount(got), len(seen))
}

// assertKept fails when ups lacks an update seen before a kill, or shows it
// with another date, another number (a number may become known), or fewer
// variants.
func assertKept(t *testing.T, kill int, seen map[string]servedUpdate, ups []servedUpdate) {
	t.Helper()
	byID := index(ups)
	for id, before := range seen {
		after, ok := byID[id]
		switch {
		case !ok:
			t.Fatalf("after kill %d, update %s (%d of %s), served before, is gone", kill, id, before.Number, before.Date)
		case before.Number != 0 && after.Number != before.Number || after.Date != before.Date:
			t.Fatalf("after kill %d, update %s moved from %d of %s to %d of %s", kill, id, before.Number, before.Date, after.Number, after.Date)
		case len(after.Variants) < len(before.Variants):
			t.Fatalf("after kill %d, update %s lost a variant: %v, was %v", kill, id, after.Langs, before.Langs)
		}
	}
}
