package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
)

// feedFileExts are the files import takes from a directory.
var feedFileExts = []string{".xml", ".rss", ".atom", ".json", ".feed"}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import", "FILE|DIR...", stderr)
	path := fs.String("config", "", "config file naming the store and the sources")
	sourceName := fs.String("source", "", "the source the files come from (default: the source whose host the items link to)")
	if err := fs.Parse(args); err != nil {
		return errUsageOrHelp(err)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	var forced *config.Source
	if *sourceName != "" {
		src, ok := cfg.Source(*sourceName)
		if !ok {
			return fmt.Errorf("-source %q is not a source of %s", *sourceName, cfg.Origin)
		}
		forced = &src
	}
	files, err := feedFiles(fs.Args())
	if err != nil {
		return err
	}
	store, closeStore, err := openStoreForWriting(cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	progress := newProgress(stdout, len(files))
	var total importSummary
	for i, file := range files {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sum, err := importFile(ctx, store, cfg, forced, file)
		total.add(sum)
		progress.step(i+1, file, sum, err)
	}
	progress.done()
	fmt.Fprintf(stdout, "imported %d files: %d items seen, %d added or changed, %d placed, %d held for the calendar, %d skipped (no series); %d files failed\n",
		len(files), total.Seen, total.Changed, total.Placed, total.Held, total.Skipped, total.failed)
	if total.failed > 0 {
		return fmt.Errorf("%d of %d files could not be imported", total.failed, len(files))
	}
	return nil
}

type importSummary struct {
	dedupe.Report
	failed int
}

func (s *importSummary) add(o importSummary) {
	s.Seen += o.Seen
	s.Changed += o.Changed
	s.Skipped += o.Skipped
	s.Held += o.Held
	s.Placed += o.Placed
	s.failed += o.failed
}

// feedFiles expands directories into the feed files under them, in name order.
func feedFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			ext := strings.ToLower(filepath.Ext(p))
			for _, e := range feedFileExts {
				if !d.IsDir() && ext == e {
					files = append(files, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func importFile(ctx context.Context, store *dedupe.Store, cfg *config.Config, forced *config.Source, file string) (importSummary, error) {
	body, err := os.ReadFile(file)
	if err != nil {
		return importSummary{failed: 1}, err
	}
	info, _ := os.Stat(file)
	src := config.Source{Name: "import", Lang: "und", Role: config.RoleTranslation}
	if forced != nil {
		src = *forced
	}
	items, err := fetch.Parse(src, body, "", nil, info.ModTime().UTC())
	if err != nil {
		return importSummary{failed: 1}, err
	}
	if forced == nil {
		match, ok := sourceOf(cfg, items)
		if !ok {
			return importSummary{failed: 1}, fmt.Errorf("no configured source links to these items' host; name it with -source")
		}
		if items, err = fetch.Parse(match, body, "", sourceBase(match), info.ModTime().UTC()); err != nil {
			return importSummary{failed: 1}, err
		}
		src = match
	}
	rep, err := store.IngestBatchContext(ctx, src, items)
	if err != nil {
		return importSummary{failed: 1}, err
	}
	return importSummary{Report: rep}, nil
}

func sourceBase(src config.Source) *url.URL {
	u, _ := url.Parse(src.URL)
	return u
}

// sourceOf picks the configured source on whose host most items' links are.
func sourceOf(cfg *config.Config, items []fetch.Item) (config.Source, bool) {
	votes := map[string]int{}
	for _, it := range items {
		u, err := url.Parse(it.Link)
		if err != nil {
			continue
		}
		for _, src := range cfg.Sources {
			if sameSite(u.Hostname(), sourceBase(src).Hostname()) {
				votes[src.Name]++
			}
		}
	}
	best, bestVotes := "", 0
	for name, v := range votes {
		if v > bestVotes || v == bestVotes && name < best {
			best, bestVotes = name, v
		}
	}
	src, ok := cfg.Source(best)
	return src, ok && bestVotes > 0
}

func sameSite(a, b string) bool {
	return strings.TrimPrefix(strings.ToLower(a), "www.") == strings.TrimPrefix(strings.ToLower(b), "www.")
}

// progress shows a bar on a terminal and, elsewhere (a log, a pipe), one line
// per file.
type progress struct {
	w     io.Writer
	total int
	bar   *progressbar.ProgressBar // nil when w is not a terminal
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return &progress{w: w, total: total}
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return &progress{w: w, total: total}
	}
	return newBar(w, total)
}

// newBar draws the progress as a bar that it clears at the end.
func newBar(w io.Writer, total int) *progress {
	bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(), progressbar.OptionShowDescriptionAtLineEnd(), progressbar.OptionClearOnFinish())
	return &progress{w: w, total: total, bar: bar}
}

func (p *progress) step(n int, file string, sum importSummary, err error) {
	if p.bar == nil {
		if err != nil {
			fmt.Fprintf(p.w, "[%d/%d] %s: failed: %v\n", n, p.total, file, err)
		} else {
			fmt.Fprintf(p.w, "[%d/%d] %s: %d items, %d added or changed, %d placed, %d held, %d skipped\n",
				n, p.total, file, sum.Seen, sum.Changed, sum.Placed, sum.Held, sum.Skipped)
		}
		return
	}
	if err != nil {
		p.bar.Clear()
		fmt.Fprintf(p.w, "%s: failed: %v\n", file, err)
	}
	p.bar.Describe(filepath.Base(file))
	p.bar.Set(n)
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
