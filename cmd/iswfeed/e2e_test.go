package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"iswfeed/config"
	"iswfeed/publish"
)

// serveFile starts a loopback source answering with one testdata file.
func serveFile(t *testing.T, name, contentType string) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func testConfig(t *testing.T, sources ...config.Source) *config.Config {
	t.Helper()
	cfg := &config.Config{Database: filepath.Join(t.TempDir(), "iswfeed.db"), Listen: "127.0.0.1:0", Sources: sources}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := config.Parse(out, "test")
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

func TestOnePollMergesOriginalAndTranslations(t *testing.T) {
	isw := serveFile(t, "isw.xml", "application/rss+xml; charset=UTF-8")
	spa := serveFile(t, "spartanat.xml", "application/rss+xml; charset=UTF-8")
	cfg := testConfig(t,
		config.Source{Name: "isw", URL: isw.URL + "/feed/?post_type=post", Lang: "en", Role: config.RoleOriginal},
		config.Source{Name: "spartanat", URL: spa.URL + "/feed/", Lang: "de", Role: config.RoleTranslation},
	)
	a, err := openApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, r := range a.poller.PollAll(context.Background()) {
		if r.Err != nil {
			t.Fatalf("poll %s: %v", r.Source, r.Err)
		}
	}
	web := httptest.NewServer(a)
	defer web.Close()
	resp, err := http.Get(web.URL + "/feed.atom")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	feed, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		t.Fatalf("feed.atom does not parse: %v\n%s", err, body)
	}
	if len(feed.Items) != 3 {
		t.Fatalf("feed.atom has %d entries, want the 3 daily reports:\n%s", len(feed.Items), body)
	}
	wantDE := map[string]bool{"March 31, 2023": false, "March 30, 2023": true, "March 29, 2023": true}
	for _, it := range feed.Items {
		date := it.Title[strings.Index(it.Title, "March"):]
		hasDE, ok := wantDE[date]
		if !ok {
			t.Errorf("unexpected entry %q", it.Title)
			continue
		}
		if got := hasLink(it, "spartanat"); got != hasDE {
			t.Errorf("entry %q: German link present = %v, want %v (links %v)", it.Title, got, hasDE, it.Links)
		}
		if !hasLink(it, "understandingwar.org") {
			t.Errorf("entry %q lacks the ISW original's link", it.Title)
		}
	}
	for _, absent := range []string{"Iran Update", "Rucksack", "<script"} {
		if strings.Contains(string(body), absent) {
			t.Errorf("feed.atom contains %q", absent)
		}
	}
	if n := strings.Count(string(body), `hreflang="de"`); n != 2 {
		t.Errorf("feed.atom has %d German alternates, want 2", n)
	}
}

func hasLink(it *gofeed.Item, fragment string) bool {
	for _, l := range it.Links {
		if strings.Contains(l, fragment) {
			return true
		}
	}
	return false
}

func TestHealthNeedsTheSchedulerAndAReadableStore(t *testing.T) {
	isw := serveFile(t, "isw.xml", "application/rss+xml")
	cfg := testConfig(t, config.Source{Name: "isw", URL: isw.URL, Lang: "en", Role: config.RoleOriginal})
	a, err := openApp(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(a)
	defer web.Close()
	status := func() (int, string) {
		resp, err := http.Get(web.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := status(); code != http.StatusServiceUnavailable || !strings.Contains(body, "scheduler stopped") {
		t.Errorf("before Start: %d %s", code, body)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := a.poller.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if code, body := status(); code != http.StatusOK || !strings.Contains(body, `"store_bytes"`) {
		t.Errorf("running: %d %s", code, body)
	}
	a.poller.Stop()
	a.Close()
	if code, body := status(); code != http.StatusServiceUnavailable || !strings.Contains(body, "store unreadable") {
		t.Errorf("store closed: %d %s", code, body)
	}
}

func TestEveryReadAnswersTheSameThroughTheDaemon(t *testing.T) {
	isw := serveFile(t, "isw.xml", "application/rss+xml")
	spa := serveFile(t, "spartanat.xml", "application/rss+xml")
	cfg := testConfig(t,
		config.Source{Name: "isw", URL: isw.URL, Lang: "en", Role: config.RoleOriginal},
		config.Source{Name: "spartanat", URL: spa.URL, Lang: "de", Role: config.RoleTranslation},
	)
	a := polledApp(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := serveAdmin(ctx, a); err != nil {
		t.Fatal(err)
	}
	remote, err := dialDaemon(cfg)
	if err != nil {
		t.Fatal(err)
	}
	local := &storeAccess{local: &storeReader{cfg: cfg, store: a.store, db: a.db}}
	tests := map[string]struct {
		read   string
		params url.Values
	}{
		"updates in German, two at most": {"updates", url.Values{"lang": {"de"}, "limit": {"2"}, "series": {"russian-offensive"}}},
		"every update of every series":   {"updates", nil},
		"update by number":               {"update", url.Values{"series": {"russian-offensive"}, "key": {"401"}}},
		"update by report date":          {"update", url.Values{"series": {"russian-offensive"}, "key": {"2023-03-30"}}},
		"update that is not there":       {"update", url.Values{"series": {"russian-offensive"}, "key": {"999"}}},
		"gaps":                           {"gaps", nil},
		"sources":                        {"sources", nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			want, wantErr := askJSON(local, tc.read, tc.params)
			got, gotErr := askJSON(remote, tc.read, tc.params)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || got != want {
				t.Errorf("through the daemon:\n%s (%v)\nfrom the store:\n%s (%v)", got, gotErr, want, wantErr)
			}
			if wantErr == nil && !strings.Contains(want, `"api_version": 1`) {
				t.Errorf("answer without its api_version:\n%s", want)
			}
		})
	}
}

// askJSON asks a read and prints its answer as -json would.
func askJSON(acc *storeAccess, read string, params url.Values) (string, error) {
	var v any
	var err error
	switch read {
	case "updates":
		v, err = ask[publish.UpdateList](acc, read, params)
	case "update":
		v, err = ask[publish.UpdateDoc](acc, read, params)
	case "gaps":
		v, err = ask[publish.GapsDoc](acc, read, params)
	case "sources":
		v, err = ask[publish.SourceList](acc, read, params)
	}
	if err != nil {
		return "", err
	}
	var b strings.Builder
	printJSON(&b, v)
	return b.String(), nil
}

func TestAdminSocketIsOnlyTheDaemonUsers(t *testing.T) {
	cfg := testConfig(t, config.Source{Name: "isw", URL: "http://127.0.0.1:1/", Lang: "en", Role: config.RoleOriginal})
	a, err := openApp(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	old := syscall.Umask(0) // the mode must not depend on the umask
	ctx, cancel := context.WithCancel(context.Background())
	err = serveAdmin(ctx, a)
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(socketPath(cfg.Database))
	if err != nil || info.Mode()&os.ModeSocket == 0 || info.Mode().Perm() != 0o600 {
		t.Errorf("admin socket: %v %v, want a socket with mode 0600", info.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg.Database), ".iswfeed-admin-*")); len(left) > 0 {
		t.Errorf("the private directory was left behind: %v", left)
	}
	if _, err := dialDaemon(cfg); err != nil {
		t.Errorf("the daemon does not answer on its socket: %v", err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for _, err := os.Stat(socketPath(cfg.Database)); err == nil && time.Now().Before(deadline); _, err = os.Stat(socketPath(cfg.Database)) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := os.Stat(socketPath(cfg.Database)); err == nil {
		t.Error("the socket outlived the daemon")
	}
}

func TestShowJSONIsTheAPIsDocument(t *testing.T) {
	isw := serveFile(t, "isw.xml", "application/rss+xml")
	spa := serveFile(t, "spartanat.xml", "application/rss+xml")
	cfg := testConfig(t,
		config.Source{Name: "isw", URL: isw.URL, Lang: "en", Role: config.RoleOriginal},
		config.Source{Name: "spartanat", URL: spa.URL, Lang: "de", Role: config.RoleTranslation},
	)
	a := polledApp(t, cfg)
	web := httptest.NewServer(a)
	defer web.Close()
	local := &storeAccess{local: &storeReader{cfg: cfg, store: a.store, db: a.db}}
	cli, err := askJSON(local, "update", url.Values{"series": {"russian-offensive"}, "key": {"401"}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(web.URL + "/api/updates/401")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var api, shown any
	json.NewDecoder(resp.Body).Decode(&api)
	json.Unmarshal([]byte(cli), &shown)
	if !reflect.DeepEqual(api, shown) {
		t.Errorf("show -json:\n%s\ndiffers from /api/updates/401:\n%v", cli, api)
	}
}

// polledApp opens the daemon's parts on cfg, as serve does, and polls every
// source once; the test's end closes them.
func polledApp(t *testing.T, cfg *config.Config) *app {
	t.Helper()
	a, err := openApp(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.poller.PollAll(context.Background())
	return a
}
