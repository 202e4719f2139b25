package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestReleasePagesTakesTheStoresTouchedPagesOutOfRSSAndKeepsTheData(t *testing.T) {
	path, db, readAll := storeOfPages(t)
	readAll()
	touched := mappedRSS(t, path)
	if touched < 4<<20 {
		t.Fatalf("reading 9.6 MB of values left %d bytes of the store's mapping resident: the test reads nothing", touched)
	}
	if err := releasePages(db); err != nil {
		t.Fatal(err)
	}
	if left := mappedRSS(t, path); left > 64<<10 {
		t.Errorf("after releasePages %d of the %d resident bytes of the store's mapping are left", left, touched)
	}
	readAll()
}

func TestARequestThatReadTheStoreLeavesNoneOfItsPagesInRSSOnceAnswered(t *testing.T) {
	path, db, readAll := storeOfPages(t)
	pages := newPageReleaser(db, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(pages.after(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/archive" {
			readAll()
		}
		fmt.Fprintln(w, "done")
	})))
	defer srv.Close()
	get := func(path string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if body, err := io.ReadAll(res.Body); err != nil || string(body) != "done\n" {
			t.Fatalf("GET %s: %q, %v", path, body, err)
		}
	}
	get("/archive")
	if left := mappedRSS(t, path); left > 64<<10 {
		t.Errorf("once a request that read 9.6 MB of the store is answered, %d bytes of the store's mapping are resident", left)
	}

	began := db.Stats().TxN
	get("/feed.atom")
	if n := db.Stats().TxN - began; n != 0 {
		t.Errorf("a request that read nothing of the store began %d read transactions after it: it should release nothing", n)
	}
}

// storeOfPages makes a store of 9.6 MB of values in t.TempDir and returns
// its path, the store and a function that reads (and checks) every value.
func storeOfPages(t *testing.T) (string, *bolt.DB, func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pages.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	value := bytes.Repeat([]byte("Russian forces continued offensive operations. "), 1<<10)
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("content"))
		if err != nil {
			return err
		}
		for i := range 200 {
			if err := b.Put(fmt.Appendf(nil, "item-%03d", i), value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	readAll := func() {
		t.Helper()
		err := db.View(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("content")).ForEach(func(k, v []byte) error {
				if !bytes.Equal(v, value) {
					return fmt.Errorf("%s reads back other bytes", k)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return path, db, readAll
}

// mappedRSS returns how many bytes of the mappings of the file at path are
// resident in this process, from /proc/self/smaps.
func mappedRSS(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	total, inFile := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-"):
			inFile = len(fields) >= 6 && fields[5] == path
		case inFile && len(fields) == 3 && fields[0] == "Rss:":
			kb, err := strconv.Atoi(fields[1])
			if err != nil {
				t.Fatal(err)
			}
			total += kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}
