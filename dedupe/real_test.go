package dedupe

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

// realItem is one line of testdata/real/*.jsonl: a real item as it was seen,
// and the truth as a person reads it (see testdata/real/README.md).
type realItem struct {
	Title     string `json:"title"`
	Link      string `json:"link"`
	Text      string `json:"text"`
	Published string `json:"published"`
	Lang      string `json:"lang"`
	Kind      string `json:"kind"`
	Source    string `json:"source"`
	Want      struct {
		Series string `json:"series"`
		Number int    `json:"number"`
		Date   string `json:"date"`
		ISWURL string `json:"isw_url"`
	} `json:"want"`
	Note string `json:"note"`
	file string
	line int
}

func readRealItems(t *testing.T) []realItem {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "real", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Skip("no real items in testdata/real")
	}
	var all []realItem
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var it realItem
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				t.Fatalf("%s:%d: %v", name, n, err)
			}
			it.file, it.line = filepath.Base(name), n
			all = append(all, it)
		}
		f.Close()
	}
	return all
}

// realPublished reads "published" as the data gives it: a day, RFC 3339, or
// only the month (which then says no more than the year and month).
func realPublished(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return t.AddDate(0, 1, -1) // the month's last day: nothing later
	}
	return time.Time{}
}

// sourceFor is the source config the daemon would run such an item under:
// ISW's own items (reports and index pages, any item of ISW's hosts) come
// from an original source,
// everything else from a translation source in the item's language.
func sourceFor(it realItem) config.Source {
	src := config.Source{Name: it.Source, Lang: it.Lang, Role: config.RoleTranslation}
	if it.Kind == "isw" || it.Kind == "index" || isISWHost(it.Source) {
		src.Role = config.RoleOriginal
	}
	return src
}

// TestRealItems reads every real item as the daemon would and prints the
// accuracy per field (run with -v to see each miss).
func TestRealItems(t *testing.T) {
	items := readRealItems(t)
	fields := []string{"series", "number", "date", "isw_url"}
	right := map[string]int{}
	for _, it := range items {
		r, err := newSourceReader(sourceFor(it))
		if err != nil {
			t.Fatal(err)
		}
		got := r.Read(fetch.Item{Title: it.Title, Link: it.Link, Content: it.Text,
			Lang: it.Lang, Published: realPublished(it.Published)})
		date := ""
		if !got.Date.IsZero() {
			date = got.Date.Format(time.DateOnly)
		}
		have := map[string]string{"series": got.Series, "number": fmt.Sprint(got.Number), "date": date,
			"isw_url": comparableISWURL(got.ISWURL)}
		want := map[string]string{"series": it.Want.Series, "number": fmt.Sprint(it.Want.Number), "date": it.Want.Date,
			"isw_url": comparableISWURL(it.Want.ISWURL)}
		var misses []string
		for _, f := range fields {
			if have[f] == want[f] {
				right[f]++
			} else {
				misses = append(misses, fmt.Sprintf("%s %q, want %q", f, have[f], want[f]))
			}
		}
		if len(misses) > 0 {
			t.Logf("%s:%d %q %s: %s", it.file, it.line, it.Title, it.Link, strings.Join(misses, "; "))
		}
	}
	for _, f := range fields {
		pct := 100 * float64(right[f]) / float64(len(items))
		t.Logf("%-8s %5.1f %% (%d of %d)", f, pct, right[f], len(items))
		if misses := len(items) - right[f]; misses > 0 {
			t.Errorf("%s: %d items read wrong (%.1f %% right): the log lists them", f, misses, pct)
		}
	}
}

// comparableISWURL is an ISW URL as the truth labels and the reader may both
// write it: case, scheme, "www." and a trailing slash aside.
func comparableISWURL(u string) string {
	if u == "" {
		return ""
	}
	return normalLink(normaliseISWURL(u))
}
