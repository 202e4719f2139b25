package publish

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// exportWithin runs Export and fails the test if it has not returned after
// 20 s: whatever stands in dir, export must not hang.
func exportWithin(t *testing.T, ctx context.Context, f *fixture, dir string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- Export(ctx, f.cfg, f.store, dir) }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("export hangs")
		return nil
	}
}

func TestExportStaysInsideItsDirectory(t *testing.T) {
	tests := map[string]func(t *testing.T, dir, outside string){
		"a symlinked subdirectory": func(t *testing.T, dir, outside string) {
			os.Symlink(outside, filepath.Join(dir, "updates"))
		},
		"a manifest line that climbs out": func(t *testing.T, dir, outside string) {
			os.WriteFile(filepath.Join(dir, manifestName), []byte("../outside/victim\n"+outside+"/victim\n"), 0o644)
		},
		"a manifest line through a symlink": func(t *testing.T, dir, outside string) {
			os.Symlink(outside, filepath.Join(dir, "elsewhere"))
			os.WriteFile(filepath.Join(dir, manifestName), []byte("elsewhere/victim\n"), 0o644)
		},
	}
	for name, plant := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Options{})
			threeReports(f)
			base := t.TempDir()
			dir, outside := filepath.Join(base, "www"), filepath.Join(base, "outside")
			os.Mkdir(dir, 0o755)
			os.Mkdir(outside, 0o755)
			os.WriteFile(filepath.Join(outside, "victim"), []byte("keep me"), 0o644)
			plant(t, dir, outside)
			t.Logf("export: %v", exportWithin(t, context.Background(), f, dir))
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 || entries[0].Name() != "victim" {
				t.Errorf("export wrote outside its directory: %v", entries)
			}
			if b, err := os.ReadFile(filepath.Join(outside, "victim")); err != nil || string(b) != "keep me" {
				t.Errorf("export touched a file outside its directory: %q %v", b, err)
			}
		})
	}
}

func TestExportLeavesWhatIsNotARegularFileAlone(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "feed.atom"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/etc/passwd", filepath.Join(dir, "feed.rss"))
	err := exportWithin(t, context.Background(), f, dir)
	if err == nil || !strings.Contains(err.Error(), "feed.atom") || !strings.Contains(err.Error(), "not regular files") {
		t.Errorf("export over a FIFO: %v, want an error naming feed.atom", err)
	}
	for name, mode := range map[string]fs.FileMode{"feed.atom": fs.ModeNamedPipe, "feed.rss": fs.ModeSymlink} {
		if info, err := os.Lstat(filepath.Join(dir, name)); err != nil || info.Mode().Type() != mode {
			t.Errorf("%s was replaced: %v %v", name, info, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "feed.json")); err != nil {
		t.Errorf("the other documents were not written: %v", err)
	}
}

func TestExportRefusesAManifestThatIsNotAFile(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, manifestName), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := exportWithin(t, context.Background(), f, dir); err == nil || !strings.Contains(err.Error(), manifestName) {
		t.Errorf("export with a FIFO for its manifest: %v, want an error naming it", err)
	}
}

func TestExportRefusesADirectoryEveryoneMayWrite(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	err := exportWithin(t, context.Background(), f, dir)
	if err == nil || !strings.Contains(err.Error(), "chmod o-w") {
		t.Errorf("export into a world-writable directory: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("export wrote into it: %v", entries)
	}
}

func TestCancelledExportStopsBetweenFiles(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if err := exportWithin(t, ctx, f, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "feed.atom")); err == nil {
		t.Error("a cancelled export went on writing")
	}
	// What it began is finished by the next export, which deletes nothing of the operator's.
	if err := exportWithin(t, context.Background(), f, dir); err != nil {
		t.Fatal(err)
	}
}

func TestReExportRewritesOnlyFilesWhoseBytesChanged(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	dir := t.TempDir()
	if err := exportWithin(t, context.Background(), f, dir); err != nil {
		t.Fatal(err)
	}
	type file struct {
		ino   uint64
		bytes []byte
	}
	snapshot := func() map[string]file {
		files := map[string]file{}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				info, _ := d.Info()
				b, _ := os.ReadFile(p)
				files[p] = file{info.Sys().(*syscall.Stat_t).Ino, b}
			}
			return nil
		})
		return files
	}
	before := snapshot()
	f.ingest(isw, original("2023-03-30", "<p>March 30 report.</p>"))
	if err := exportWithin(t, context.Background(), f, dir); err != nil {
		t.Fatal(err)
	}
	rewritten := 0
	for p, now := range snapshot() {
		was, ok := before[p]
		if !ok || was.ino == now.ino {
			continue
		}
		rewritten++
		if bytes.Equal(was.bytes, now.bytes) && !strings.HasSuffix(p, ".gz") {
			t.Errorf("%s was rewritten with the bytes it had", p)
		}
	}
	if rewritten == 0 {
		t.Error("a new report rewrote nothing")
	}
	t.Logf("a new report rewrote %d of %d files", rewritten, len(before))
}

// exportedFiles reads every file under dir, by its name there.
func exportedFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestIncrementalExportHoldsWhatAFreshExportWrites(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	dir := t.TempDir()
	if err := exportWithin(t, context.Background(), f, dir); err != nil {
		t.Fatal(err)
	}
	changes := []struct {
		name   string
		change func()
	}{
		{"a translation arriving late", func() {
			f.ingest(spa, german(400, "2023-03-28", "<p>Die Lage am 28. März.</p>"))
		}},
		{"a corrected original in an archived month", func() {
			f.ingest(isw, original("2023-02-26", "<p>February report, corrected.</p>"))
		}},
		{"a new month", func() {
			f.ingest(isw, original("2023-04-01", "<p>April 1 report.</p>"))
		}},
		{"a translation of an archived month", func() {
			f.ingest(spa, german(370, "2023-02-26", "<p>Die Lage am 26. Februar.</p>"))
		}},
		{"nothing", func() {}},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			c.change()
			if err := exportWithin(t, context.Background(), f, dir); err != nil {
				t.Fatal(err)
			}
			fresh := t.TempDir()
			if err := exportWithin(t, context.Background(), f, fresh); err != nil {
				t.Fatal(err)
			}
			got, want := exportedFiles(t, dir), exportedFiles(t, fresh)
			for name, b := range want {
				if got[name] != b {
					t.Errorf("%s differs from a fresh export's (%d bytes, fresh %d)", name, len(got[name]), len(b))
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s is not in a fresh export", name)
				}
			}
		})
	}
}

func TestExportRendersOnlyDocumentsWhoseInputsChanged(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	f.ingest(isw, original("2023-01-15", "<p>January report.</p>"))
	dir := t.TempDir()
	if err := exportWithin(t, context.Background(), f, dir); err != nil {
		t.Fatal(err)
	}
	// Files the next exports must not read: nothing they show changes. (A
	// new month changes February's archive, which then links March's.)
	planted := []string{"archive/2023-01.atom", "updates/401.html", "api/updates/401.json.gz"}
	plant := func(names ...string) {
		for _, name := range names {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Fatalf("export did not write %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte("planted"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// stayPlanted fails for each of names that an export wrote again.
	stayPlanted := func(why string, names ...string) {
		t.Helper()
		files := exportedFiles(t, dir)
		for _, name := range names {
			if files[name] != "planted" {
				t.Errorf("%s was rendered again, though %s", name, why)
			}
		}
	}
	plant(planted...)
	f.ingest(isw, original("2023-04-01", "<p>April 1 report.</p>"))
	if err := exportWithin(t, context.Background(), f, dir); err != nil {
		t.Fatal(err)
	}
	stayPlanted("none of its reports changed", planted...)
	files := exportedFiles(t, dir)
	if !strings.Contains(files["archive/2023-02.atom"], "2023-03.atom") {
		t.Error("February's archive does not link the newly archived March")
	}
	if !strings.Contains(files["feed.atom"], "April 1 report") {
		t.Error("the feed does not show the new report")
	}

	t.Run("a file gone is written again", func(t *testing.T) {
		os.Remove(filepath.Join(dir, planted[0]))
		if err := exportWithin(t, context.Background(), f, dir); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, planted[0])); err != nil || !strings.Contains(string(b), "January report") {
			t.Errorf("%s: %.40q %v", planted[0], b, err)
		}
	})
	t.Run("nothing changed renders no current feed", func(t *testing.T) {
		feeds := []string{"feed.atom", "de/feed.rss"}
		plant(feeds...)
		if err := exportWithin(t, context.Background(), f, dir); err != nil {
			t.Fatal(err)
		}
		stayPlanted("nothing changed", feeds...)
		f.ingest(spa, german(402, "2023-04-01", "<p>Die Lage am 1. April.</p>"))
		if err := exportWithin(t, context.Background(), f, dir); err != nil {
			t.Fatal(err)
		}
		files = exportedFiles(t, dir)
		if !strings.Contains(files["de/feed.rss"], "Die Lage am 1. April") || !strings.Contains(files["feed.atom"], "<feed") {
			t.Error("a new translation did not render the feeds that show it")
		}
	})
	t.Run("another path to the store and the config renders nothing again", func(t *testing.T) {
		plant(planted...)
		cfg := *f.cfg
		cfg.Database, cfg.Origin, cfg.Listen = "/elsewhere/copy.db", "/elsewhere/iswfeed.yaml", "127.0.0.1:18201"
		cfg.CacheMaxAge, cfg.Fetch.Timeout = time.Hour, time.Minute
		if err := Export(context.Background(), &cfg, f.store, dir); err != nil {
			t.Fatal(err)
		}
		stayPlanted("only where the store and config are changed", planted...)
	})
	t.Run("a new config renders everything", func(t *testing.T) {
		// Not a .gz: export writes one only beside a document whose bytes
		// changed, or where it is missing.
		names := planted[:2]
		plant(names...)
		cfg := *f.cfg
		cfg.Title = "Another title"
		if err := Export(context.Background(), &cfg, f.store, dir); err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) == "planted" {
				t.Errorf("%s was not rendered again after the title changed", name)
			}
		}
	})
}
