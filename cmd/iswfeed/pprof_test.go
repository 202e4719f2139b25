package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPprofIsServedOnlyWhenConfigured(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if addr, err := servePprof(t.Context(), "", log); err != nil || addr != "" {
		t.Fatalf("without the key: listening on %q (err %v), want nothing", addr, err)
	}
	ctx, stop := context.WithCancel(t.Context())
	addr, err := servePprof(ctx, "127.0.0.1:0", log)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine") {
		t.Errorf("/debug/pprof/: %d, want the index of profiles", resp.StatusCode)
	}
	stop()
	for range 100 {
		if _, err := http.Get("http://" + addr + "/debug/pprof/"); err != nil {
			return
		}
	}
	t.Error("pprof still answers after the daemon stopped")
}

func TestExportCPUProfileIsWrittenWhenAsked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.pprof")
	stop, err := startCPUProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// A profile is a gzipped protocol buffer, as go tool pprof reads it.
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("%s is no profile: %d bytes, %v", path, len(b), err)
	}
	if _, err := startCPUProfile(filepath.Join(t.TempDir(), "missing", "x.pprof")); err == nil {
		t.Error("a profile into a directory that does not exist: no error")
	}
}
