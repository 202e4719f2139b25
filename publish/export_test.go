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
