package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
)

// TestARestartTakesTheStoreAsTheOldDaemonStops is a restart as systemd or an
// operator does it: the next daemon starts while the old one still holds
// the store, says that it waits, and opens the store once the old one has
// stopped, which takes it no longer than its stop wait even when a client
// holds a request open (as a slow feed reader does).
func TestARestartTakesTheStoreAsTheOldDaemonStops(t *testing.T) {
	dir, cfg, listen, old := runningDaemon(t)
	slow, err := net.Dial("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if _, err := slow.Write([]byte("GET /feed.atom HTTP/1.1\r\nHost: " + listen + "\r\n")); err != nil {
		t.Fatal(err)
	}

	next := startDaemon(t, dir, "-config", cfg)
	waitFor(t, "the next daemon to say it waits for the store", next, func() bool {
		return strings.Contains(next.out.String(), "the store is locked by another iswfeed; waiting for it to stop")
	})
	signalled := time.Now()
	if err := old.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := old.cmd.Wait(); err != nil {
		t.Errorf("the old daemon exited with %v after SIGTERM; log:\n%s", err, old.out.String())
	}
	stopped := time.Since(signalled)
	waitFor(t, "the next daemon to open the store and serve", next, func() bool {
		return strings.Contains(next.out.String(), "the store is free: opened it") && strings.Contains(next.out.String(), "msg=serving")
	})
	opened := time.Since(signalled)
	t.Logf("the old daemon stopped %s after SIGTERM; the next one served %s after it", stopped.Round(time.Millisecond), opened.Round(time.Millisecond))
	// A guard against waiting for the slow request (the HTTP server's
	// shutdown gave it 5 s), not a deadline to meet: the old daemon waits stopWait.
	if stopped > 3*time.Second {
		t.Errorf("the old daemon took %s to stop with a request open; log:\n%s", stopped, old.out.String())
	}
	waitFor(t, "the feed from the next daemon", next, func() bool {
		code, body := get("http://" + listen + "/feed.atom")
		return code == 200 && strings.Count(body, "<entry") == 3
	})
	next.cmd.Process.Signal(syscall.SIGTERM)
	if err := next.cmd.Wait(); err != nil {
		t.Errorf("the next daemon exited with %v; log:\n%s", err, next.out.String())
	}
}

// TestAStoppingDaemonLeavesTheRenderToTheNext: the round in progress when
// the daemon stops renders nothing (the next daemon renders the store at
// its start), and a poll whose answer comes in while it stops stores
// nothing: both would hold the store's lock that the next daemon waits for.
func TestAStoppingDaemonLeavesTheRenderToTheNext(t *testing.T) {
	g := newGatedSources(t)
	a, _ := roundsApp(t, g, "5m")
	fast, slow := roundLangs[:4], roundLangs[4]
	g.arrive(roundLangs...)
	g.open(roundLangs...)
	endRound(t, a, 1)
	day := time.Date(2023, 3, 30, 0, 0, 0, 0, time.UTC)
	g.arrive(roundLangs...)
	g.publish(day, roundLangs...)
	g.open(fast...)
	if !eventually(30*time.Second, func() bool { return a.changed.Load() }) {
		t.Fatal("the fast sources stored nothing")
	}
	renders := counted(t, a.metrics, "iswfeed_feed_renders_total")

	a.release(&http.Server{})
	if a.poller.Running() {
		t.Error("the poller runs after the stop")
	}
	// The hanging poll is cancelled after Stop's grace, its round then ends.
	stopped := func() bool { return counted(t, a.metrics, "iswfeed_poll_rounds_total", "end", "stopped") == 1 }
	if !eventually(30*time.Second, stopped) {
		t.Fatal("the round in progress did not end with the stop")
	}
	if got := counted(t, a.metrics, "iswfeed_feed_renders_total") - renders; got != 0 {
		t.Errorf("the stop rendered %v times; want none", got)
	}
	if g.isWaiting(slow) {
		t.Error("the hanging source's request is still open")
	}
}

func TestAStoppingDaemonStoresNoBatchOfACancelledPoll(t *testing.T) {
	cfg := testConfig(t, config.Source{Name: "isw", URL: "http://127.0.0.1:1/feed", Lang: "en", Role: config.RoleOriginal})
	a, err := openApp(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	link := "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023"
	item := fetch.Item{Source: "isw", Lang: "en", ID: link, Link: link, Title: "Russian Offensive Campaign Assessment, March 29, 2023",
		Content: "<p>Key takeaways.</p>", Published: time.Date(2023, 3, 30, 0, 0, 0, 0, time.UTC)}
	if err := (sink{a}).Ingest(ctx, cfg.Sources[0], []fetch.Item{item}); !errors.Is(err, context.Canceled) {
		t.Errorf("Ingest of a cancelled poll: %v, want %v", err, context.Canceled)
	}
	if ups, err := a.store.Updates(dedupe.Query{}); err != nil || len(ups) != 0 {
		t.Errorf("the store holds %d updates (%v); want none", len(ups), err)
	}
	if err := (sink{a}).Ingest(t.Context(), cfg.Sources[0], []fetch.Item{item}); err != nil {
		t.Fatal(err)
	}
	if ups, err := a.store.Updates(dedupe.Query{}); err != nil || len(ups) != 1 {
		t.Errorf("a poll that was not cancelled stored %d updates (%v); want 1", len(ups), err)
	}
}
