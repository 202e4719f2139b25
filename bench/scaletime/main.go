// Command scaletime measures, in one process and on a store built by
// bench/scale.sh, what a change costs: re-rendering with nothing changed, one
// new item stored and the site re-rendered, and one report arriving in five
// languages from five sources at once (each source's batch stored and
// followed by a re-render, as the daemon's polls do). It changes the store:
// run it on a copy.
//
//	go run ./bench/scaletime -config FILE [-rounds 5] [-cpuprofile FILE]
//
// It prints one "name value" line per figure, in milliseconds.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
	"iswfeed/publish"
)

func main() {
	path := flag.String("config", "", "config of the store (required)")
	rounds := flag.Int("rounds", 5, "repetitions of each measurement; the median is printed")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the measurements into this file")
	flag.Parse()
	if *path == "" || *rounds < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "scaletime:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*path, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "scaletime:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(path string, rounds int) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	db, err := bolt.Open(cfg.Database, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	store, err := dedupe.Open(db, cfg)
	if err != nil {
		return err
	}
	srv := publish.New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), publish.Options{})
	start := time.Now()
	if err := srv.Refresh(); err != nil {
		return err
	}
	fmt.Printf("render_cold_ms %.1f\n", ms(time.Since(start)))
	unchanged, err := median(rounds, srv.Refresh)
	if err != nil {
		return err
	}
	fmt.Printf("render_unchanged_ms %.1f\n", unchanged)
	newest, err := store.Updates(dedupe.Query{Limit: 1})
	if err != nil || len(newest) == 0 {
		return fmt.Errorf("the store has no report: %v", err)
	}
	next := newest[0].Date
	var stored, rendered, five []float64
	for range rounds {
		next = next.AddDate(0, 0, 1)
		s, r, err := oneItem(cfg, store, srv, next)
		if err != nil {
			return err
		}
		stored, rendered = append(stored, s), append(rendered, r)
		next = next.AddDate(0, 0, 1)
		f, err := fiveLanguages(cfg, store, srv, next)
		if err != nil {
			return err
		}
		five = append(five, f)
	}
	fmt.Printf("new_item_stored_ms %.1f\nnew_item_rendered_ms %.1f\nfive_languages_ms %.1f\n",
		mid(stored), mid(rendered), mid(five))
	return nil
}

// oneItem stores ISW's report of day d and re-renders.
func oneItem(cfg *config.Config, store *dedupe.Store, srv *publish.Server, d time.Time) (stored, rendered float64, err error) {
	src, _ := cfg.Source("isw")
	start := time.Now()
	if _, err := store.IngestBatch(src, []fetch.Item{itemOf(src, d)}); err != nil {
		return 0, 0, err
	}
	stored = ms(time.Since(start))
	start = time.Now()
	if err := srv.Refresh(); err != nil {
		return 0, 0, err
	}
	return stored, ms(time.Since(start)), nil
}

// fiveLanguages stores report d from every source at once, each batch followed
// by a re-render, and returns how long until the last re-render ended.
func fiveLanguages(cfg *config.Config, store *dedupe.Store, srv *publish.Server, d time.Time) (float64, error) {
	var wg sync.WaitGroup
	errs := make(chan error, len(cfg.Sources))
	start := time.Now()
	for _, src := range cfg.Sources {
		wg.Go(func() {
			if _, err := store.IngestBatch(src, []fetch.Item{itemOf(src, d)}); err != nil {
				errs <- err
				return
			}
			if err := srv.Refresh(); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return ms(time.Since(start)), <-errs
}

// itemOf is source src's post of the report of day d, titled as bench/genfeeds
// titles it, with about 12 KB of content.
func itemOf(src config.Source, d time.Time) fetch.Item {
	slug := strings.ToLower(d.Format("January-2-2006"))
	isw := "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-" + slug
	titles := map[string]string{
		"en": "Russian Offensive Campaign Assessment, " + d.Format("January 2, 2006"),
		"de": fmt.Sprintf("Ukraine: Die Lage %d", anchorNumber+int(d.Sub(anchorDate).Hours()/24)),
		"uk": fmt.Sprintf("Звіт ISW: оцінка російського наступу на %s", d.Format("02.01.2006")),
		"ru": fmt.Sprintf("Оценка российской наступательной кампании, %s", d.Format("02.01.2006")),
		"fr": fmt.Sprintf("Évaluation de la campagne offensive russe, %s", d.Format("02/01/2006")),
	}
	link := isw
	if src.Role != config.RoleOriginal {
		link = fmt.Sprintf("https://%s.example/isw/%s/", src.Name, d.Format(time.DateOnly))
	}
	content := strings.Repeat("<p>Forces continued offensive operations along the front line.</p>\n", 190) +
		`<p><a href="` + isw + `">ISW</a></p>`
	posted := d.Add(30 * time.Hour)
	return fetch.Item{Source: src.Name, Lang: src.Lang, ID: link, Title: titles[src.Lang], Link: link,
		Content: content, Published: posted, Updated: posted}
}

// anchorNumber and anchorDate are the built-in calendar's anchor, from which
// bench/genfeeds numbers its reports.
const anchorNumber = 401

var anchorDate = time.Date(2023, 3, 29, 0, 0, 0, 0, time.UTC)

func median(rounds int, f func() error) (float64, error) {
	var all []float64
	for range rounds {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		all = append(all, ms(time.Since(start)))
	}
	return mid(all), nil
}

func mid(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
