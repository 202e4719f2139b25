// Command scaletime measures, in one process and on a store built by
// bench/scale.sh, what a change costs: re-rendering with nothing changed, one
// new item stored and the site re-rendered, one poll round that brings one
// report in five languages from five sources at once (each source's batch
// stored, then one re-render at the end of the round, as the daemon does),
// and the re-render alone after such a round. It changes the store: run it
// on a copy. The CPU profile leaves out the first render.
//
//	go run ./bench/scaletime -config FILE [-rounds 5] [-cpuprofile FILE]
//
// It prints one "name value" line per figure, in milliseconds: each as wall
// time, and as the CPU time the process spent (name_cpu_ms), which a busy
// machine disturbs less; and five_languages_renders, the renders of a round
// as iswfeed_feed_renders_total counts them.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/prometheus/client_golang/prometheus"

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
	startProfile := func() error {
		if *profile == "" {
			return nil
		}
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		return pprof.StartCPUProfile(f)
	}
	defer pprof.StopCPUProfile()
	if err := run(*path, *rounds, startProfile); err != nil {
		fmt.Fprintln(os.Stderr, "scaletime:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(path string, rounds int, startProfile func() error) error {
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
	reg := prometheus.NewRegistry()
	srv := publish.New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), publish.Options{Registry: reg})
	cold, err := measure(srv.Refresh)
	if err != nil {
		return err
	}
	cold.print("render_cold")
	if err := startProfile(); err != nil {
		return err
	}
	var unchanged []cost
	for range rounds {
		c, err := measure(srv.Refresh)
		if err != nil {
			return err
		}
		unchanged = append(unchanged, c)
	}
	mid(unchanged).print("render_unchanged")
	newest, err := store.Updates(dedupe.Query{Limit: 1})
	if err != nil || len(newest) == 0 {
		return fmt.Errorf("the store has no report: %v", err)
	}
	next := newest[0].Date
	var stored, rendered, five, round []cost
	var perRound float64 // the most renders a round cost
	for range rounds {
		next = next.AddDate(0, 0, 1)
		src, _ := cfg.Source("isw")
		s, err := measure(func() error {
			_, err := store.IngestBatch(src, []fetch.Item{itemOf(src, next)})
			return err
		})
		if err != nil {
			return err
		}
		r, err := measure(srv.Refresh)
		if err != nil {
			return err
		}
		stored, rendered = append(stored, s), append(rendered, r)
		next = next.AddDate(0, 0, 1)
		before := renders(reg)
		f, err := measure(func() error { return fiveLanguages(cfg, store, srv, next) })
		if err != nil {
			return err
		}
		five, perRound = append(five, f), max(perRound, renders(reg)-before)
		next = next.AddDate(0, 0, 1)
		for _, src := range cfg.Sources {
			if _, err := store.IngestBatch(src, []fetch.Item{itemOf(src, next)}); err != nil {
				return err
			}
		}
		r, err = measure(srv.Refresh)
		if err != nil {
			return err
		}
		round = append(round, r)
	}
	mid(stored).print("new_item_stored")
	mid(rendered).print("new_item_rendered")
	mid(five).print("five_languages")
	mid(round).print("five_languages_rendered")
	fmt.Printf("five_languages_renders %.0f\n", perRound)
	return nil
}

// renders is what iswfeed_feed_renders_total counts in reg, over every cause
// (the tree measured may count them under one series or by cause).
func renders(reg *prometheus.Registry) float64 {
	families, _ := reg.Gather()
	var sum float64
	for _, f := range families {
		if f.GetName() == "iswfeed_feed_renders_total" {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// cost is what one measurement took, in milliseconds.
type cost struct{ wall, cpu float64 }

func (c cost) print(name string) {
	fmt.Printf("%s_ms %.1f\n%s_cpu_ms %.1f\n", name, c.wall, name, c.cpu)
}

// measure runs f and returns its wall time and the process's CPU time meanwhile.
func measure(f func() error) (cost, error) {
	cpu0, start := cpuTime(), time.Now()
	err := f()
	return cost{ms(time.Since(start)), ms(cpuTime() - cpu0)}, err
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fiveLanguages is one poll round that brings report d from every source:
// the sources' batches are stored at once, as their polls run, and the site
// is rendered once at the end of the round, as the daemon's sink does.
func fiveLanguages(cfg *config.Config, store *dedupe.Store, srv *publish.Server, d time.Time) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(cfg.Sources))
	for _, src := range cfg.Sources {
		wg.Go(func() {
			if _, err := store.IngestBatch(src, []fetch.Item{itemOf(src, d)}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return srv.Refresh()
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

// mid is the cost of median wall time.
func mid(cs []cost) cost {
	slices.SortFunc(cs, func(a, b cost) int { return cmp.Compare(a.wall, b.wall) })
	return cs[len(cs)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
