package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
)

// grow writes n bytes of ballast into the store, which makes its file grow.
func grow(db *bolt.DB, n int) error {
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("test-ballast"))
		if err != nil {
			return err
		}
		for i := 0; i < n/(64<<10); i++ {
			if err := b.Put(fmt.Appendf(nil, "%d-%d", time.Now().UnixNano(), i), make([]byte, 64<<10)); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestAStalledBackupHoldsNothing(t *testing.T) {
	isw := serveFile(t, "isw.xml", "application/rss+xml")
	cfg := testConfig(t, config.Source{Name: "isw", URL: isw.URL, Lang: "en", Role: config.RoleOriginal})
	a, err := openApp(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// Bigger than any socket buffer, so that the copy waits for its reader.
	if err := grow(a.db, 16<<20); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := serveAdmin(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := a.poller.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer a.poller.Stop()
	stalled, err := net.Dial("unix", socketPath(cfg.Database))
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "GET /backup HTTP/1.1\r\nHost: iswfeed\r\n\r\n")
	stalled.Read(make([]byte, 512)) // the answer has begun; now stop reading
	web := httptest.NewServer(a)
	defer web.Close()

	done := make(chan error, 1)
	go func() {
		for _, r := range a.poller.PollAll(ctx) {
			if r.Err != nil {
				done <- r.Err
				return
			}
		}
		done <- grow(a.db, 32<<20) // the file must grow: bbolt remaps it
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a poll and a write that grows the store waited on a backup that nobody reads")
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(web.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz during a stalled backup: %v %v", resp, err)
	}
	resp.Body.Close()
}
