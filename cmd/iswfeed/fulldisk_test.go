package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAFullDiskIsLoggedOnceAMinute(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(quietFullDisk(slog.NewTextHandler(&out, nil))).With("component", "poller")
	full := fmt.Errorf("dedupe: unable to ingest isw: write iswfeed.db: %w", syscall.ENOSPC)
	for range 10 {
		log.Warn("poll failed", "source", "isw", "err", full)
		log.Error("poll states not saved", "err", errors.Join(errors.New("fetch"), full))
		log.Warn("poll failed", "source", "spartanat", "err", errors.New("fetch: spartanat: network error"))
	}
	if n := strings.Count(out.String(), "no space left on device"); n != 1 {
		t.Errorf("20 full-disk records within a minute wrote %d lines, want 1:\n%s", n, out.String())
	}
	if n := strings.Count(out.String(), "network error"); n != 10 {
		t.Errorf("other failures were left out too: %d of 10 written", n)
	}

	q := &fullDiskQuiet{}
	start := time.Now()
	for i, tc := range []struct {
		after    time.Duration
		leftOut  int
		admitted bool
	}{{0, 0, true}, {time.Second, 0, false}, {59 * time.Second, 0, false}, {time.Minute, 2, true}, {time.Minute + time.Second, 0, false}} {
		if n, ok := q.admit(start.Add(tc.after)); ok != tc.admitted || n != tc.leftOut {
			t.Errorf("record %d at +%s: admitted %v with %d left out, want %v with %d", i, tc.after, ok, n, tc.admitted, tc.leftOut)
		}
	}
}
