package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// binary is iswfeed built once for the tests that run it as an operator would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "iswfeed-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "iswfeed")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building iswfeed: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// iswfeed runs the binary to completion and returns its output and exit code.
func iswfeed(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeConfig writes an iswfeed.yaml in dir for the two test sources.
func writeConfig(t *testing.T, dir, listen, iswURL, spaURL string) string {
	t.Helper()
	path := filepath.Join(dir, "iswfeed.yaml")
	yaml := fmt.Sprintf(`listen: %s
database: %s
schedule: "@every 1h"
sources:
  - name: isw
    url: %s
    lang: en
    role: original
  - name: spartanat
    url: %s
    lang: de
    role: translation
`, listen, filepath.Join(dir, "iswfeed.db"), iswURL, spaURL)
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// daemon is a running `iswfeed serve`.
type daemon struct {
	cmd *exec.Cmd
	out *syncBuffer
}

func startDaemon(t *testing.T, dir string, args ...string) *daemon {
	t.Helper()
	d := &daemon{cmd: exec.Command(binary, append([]string{"serve"}, args...)...), out: &syncBuffer{}}
	d.cmd.Dir = dir
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			d.cmd.Process.Kill()
			d.cmd.Wait()
		}
	})
	return d
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d *daemon, cond func() bool) {
	t.Helper()
	if !eventually(10*time.Second, cond) {
		t.Fatalf("timed out waiting for %s; daemon log:\n%s", what, d.out.String())
	}
}

// eventually polls cond until it holds, and reports false if it still does
// not after within: a guard against a test that would hang, not a deadline
// the code must meet.
func eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// client gives up on a hung server instead of hanging the test.
var client = &http.Client{Timeout: 10 * time.Second}

func get(url string) (int, string) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// runningDaemon starts `iswfeed serve` on the two test sources in a fresh
// directory and waits until its feed holds their three reports.
func runningDaemon(t *testing.T) (dir, cfg, listen string, d *daemon) {
	t.Helper()
	isw := serveFile(t, "isw.xml", "application/rss+xml")
	spa := serveFile(t, "spartanat.xml", "application/rss+xml")
	dir, listen = t.TempDir(), freeAddr(t)
	cfg = writeConfig(t, dir, listen, isw.URL, spa.URL)
	d = startDaemon(t, dir, "-config", cfg)
	waitFor(t, "three reports in the feed", d, func() bool {
		code, body := get("http://" + listen + "/feed.atom")
		return code == 200 && strings.Count(body, "<entry") == 3
	})
	return dir, cfg, listen, d
}

func TestDaemonServesAnswersCommandsAndStopsOnSignal(t *testing.T) {
	dir, cfg, listen, d := runningDaemon(t)
	// Poll states are saved at the end of each cycle, just after the items.
	waitFor(t, "the poll states", d, func() bool {
		_, health := get("http://" + listen + "/healthz")
		return strings.Contains(health, `"spartanat"`) && strings.Contains(health, `"isw"`)
	})

	code, health := get("http://" + listen + "/healthz")
	if code != 200 || !strings.Contains(health, `"scheduler": true`) || !strings.Contains(health, `"spartanat"`) {
		t.Errorf("/healthz = %d %s", code, health)
	}
	code, metrics := get("http://" + listen + "/metrics")
	for _, want := range []string{`iswfeed_polls_total{outcome="ok",source="isw"} 1`, "iswfeed_http_requests_total", "iswfeed_updates "} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics (%d) lacks %q", code, want)
		}
	}
	exported := filepath.Join(dir, "www")
	out, code := iswfeed(t, dir, "export", "-config", cfg, "-dir", exported)
	if code != 0 {
		t.Errorf("export while the daemon runs: exit %d\n%s", code, out)
	}
	_, served := get("http://" + listen + "/feed.atom")
	if file, err := os.ReadFile(filepath.Join(exported, "feed.atom")); err != nil || string(file) != served {
		t.Errorf("exported feed.atom differs from the served one (err %v)", err)
	}
	if _, err := os.Stat(filepath.Join(exported, "feed.atom.gz")); err != nil {
		t.Errorf("no feed.atom.gz beside it: %v", err)
	}

	out, code = iswfeed(t, dir, "updates", "-config", cfg)
	if code != 0 || !strings.Contains(out, "401") || !strings.Contains(out, "en de") {
		t.Errorf("updates while the daemon runs: exit %d\n%s", code, out)
	}
	out, code = iswfeed(t, dir, "show", "-config", cfg, "2023-03-29")
	if code != 0 || !strings.Contains(out, "Update 401 of 2023-03-29") {
		t.Errorf("show by date while the daemon runs: exit %d\n%s", code, out)
	}
	out, code = iswfeed(t, dir, "show", "-config", cfg, "402")
	if code != 0 || !strings.Contains(out, "spartanat") || !strings.Contains(out, "2023-03-30") {
		t.Errorf("show 402: exit %d\n%s", code, out)
	}
	out, code = iswfeed(t, dir, "sources", "-config", cfg)
	if code != 0 || !strings.Contains(out, "isw") || !strings.Contains(out, "ok (200)") {
		t.Errorf("sources while the daemon runs: exit %d\n%s", code, out)
	}
	backup := filepath.Join(dir, "backup.db")
	out, code = iswfeed(t, dir, "backup", "-config", cfg, "-o", backup)
	if code != 0 || !strings.Contains(out, "verified") {
		t.Fatalf("backup while the daemon runs: exit %d\n%s", code, out)
	}

	start := time.Now()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Wait(); err != nil {
		t.Errorf("daemon exited with %v after SIGTERM; log:\n%s", err, d.out.String())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("daemon took %s to stop", took)
	}
	// The store is closed: the commands now open it directly.
	out, code = iswfeed(t, dir, "check", "-config", cfg, "-store", filepath.Join(dir, "iswfeed.db"))
	if code != 0 || !strings.Contains(out, "consistent") {
		t.Errorf("check after stop: exit %d\n%s", code, out)
	}
	out, code = iswfeed(t, dir, "updates", "-config", cfg, "-json")
	if code != 0 || !strings.Contains(out, `"number": 401`) {
		t.Errorf("updates -json after stop: exit %d\n%s", code, out)
	}
	out, code = iswfeed(t, dir, "check", "-store", backup)
	if code != 0 {
		t.Errorf("backup does not check: %s", out)
	}

	// A restart within the sources' interval polls nothing at once, but says
	// how each source stood.
	again := startDaemon(t, dir, "-config", cfg)
	waitFor(t, "the sources' state at start", again, func() bool {
		return strings.Count(again.out.String(), "source ok at the last run") == 2
	})
	again.cmd.Process.Signal(syscall.SIGTERM)
	again.cmd.Wait()
}

func TestCommandLineMistakesExitTwo(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]struct {
		args []string
		want string
	}{
		"unknown command":       {[]string{"frobnicate"}, `unknown command "frobnicate"`},
		"unknown flag":          {[]string{"poll", "-verbose"}, "flag provided but not defined: -verbose"},
		"no command":            {nil, "usage: iswfeed"},
		"show without a number": {[]string{"show"}, "usage: iswfeed show"},
		"backup without -o":     {[]string{"backup"}, "iswfeed backup: -o is required"},
		"bad log format":        {[]string{"serve", "-log-format", "xml"}, "want text or json"},
		"stray argument":        {[]string{"gaps", "extra"}, `unexpected argument "extra"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, code := iswfeed(t, dir, tc.args...)
			if code != 2 || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want 2 with %q; output:\n%s", code, tc.want, out)
			}
		})
	}
}

func TestBrokenConfigNamesTheKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	os.WriteFile(path, []byte("sources:\n  - name: isw\n    lang: en\n    role: original\n"), 0o644)
	out, code := iswfeed(t, dir, "check", "-config", path)
	if code != 1 || !strings.Contains(out, "sources[0] (isw).url: missing") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestDemoShowsAMergedFeedOffline(t *testing.T) {
	listen := freeAddr(t)
	d := &daemon{cmd: exec.Command(binary, "demo", "-static", "-listen", listen), out: &syncBuffer{}}
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil { // the test failed before stopping it
			d.cmd.Process.Signal(os.Interrupt)
			time.AfterFunc(5*time.Second, func() { d.cmd.Process.Kill() })
			d.cmd.Wait()
		}
	})
	var body string
	waitFor(t, "the demo's merged feed", d, func() bool {
		var code int
		code, body = get("http://" + listen + "/feed.atom")
		return code == 200 && strings.Count(body, "<entry") == 5 &&
			strings.Count(body, `hreflang="de"`) >= 3 && strings.Count(body, `hreflang="uk"`) >= 3
	})
	if !strings.Contains(d.out.String(), "Open http://"+listen+"/") {
		t.Errorf("demo does not say which URL to open:\n%s", d.out.String())
	}
	hint := regexp.MustCompile(regexp.QuoteMeta(binary) + ` updates -config (\S+)`).FindStringSubmatch(d.out.String())
	if hint == nil {
		t.Fatalf("demo does not say how to look into its store:\n%s", d.out.String())
	}
	out, code := iswfeed(t, t.TempDir(), "updates", "-config", hint[1])
	if code != 0 || !strings.Contains(out, "403") || !strings.Contains(out, "en de uk") {
		t.Errorf("updates on the demo's store: exit %d\n%s", code, out)
	}
	d.cmd.Process.Signal(os.Interrupt)
	if err := d.cmd.Wait(); err != nil {
		t.Errorf("demo exited with %v after SIGINT", err)
	}
}

func TestImportBackfillsFromSavedFeeds(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "saved")
	os.MkdirAll(filepath.Join(saved, "2023"), 0o755)
	for _, name := range []string{"isw.xml", "spartanat.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(saved, "2023", name), data, 0o644)
	}
	os.WriteFile(filepath.Join(saved, "notes.txt"), []byte("not a feed"), 0o644)
	cfg := writeConfig(t, dir, "127.0.0.1:0", "https://understandingwar.org/feed/?post_type=post", "https://www.spartanat.com/feed/")

	out, code := iswfeed(t, dir, "import", "-config", cfg, saved)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	for _, want := range []string{"[1/2]", "[2/2]", "imported 2 files: 7 items seen", "6 placed", "1 skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	out, _ = iswfeed(t, dir, "updates", "-config", cfg)
	for _, want := range []string{"401", "402", "en de"} {
		if !strings.Contains(out, want) {
			t.Errorf("updates after import lack %q:\n%s", want, out)
		}
	}
	// Importing the same files again adds nothing.
	out, _ = iswfeed(t, dir, "import", "-config", cfg, saved)
	if !strings.Contains(out, "0 added or changed, 0 placed") {
		t.Errorf("second import changed something:\n%s", out)
	}
	// A file no source links to is refused, by name.
	os.WriteFile(filepath.Join(dir, "other.xml"), []byte(`<rss version="2.0"><channel><title>x</title><item><title>a</title><link>https://elsewhere.example/a</link></item></channel></rss>`), 0o644)
	out, code = iswfeed(t, dir, "import", "-config", cfg, filepath.Join(dir, "other.xml"))
	if code != 1 || !strings.Contains(out, "name it with -source") {
		t.Errorf("foreign file: exit %d\n%s", code, out)
	}
}

func TestSIGHUPReloadsSourcesAndRejectsABadConfig(t *testing.T) {
	isw := serveFile(t, "isw.xml", "application/rss+xml")
	spa := serveFile(t, "spartanat.xml", "application/rss+xml")
	dir := t.TempDir()
	listen := freeAddr(t)
	both := writeConfig(t, dir, listen, isw.URL, spa.URL)
	full, _ := os.ReadFile(both)
	onlyISW := string(full[:strings.Index(string(full), "  - name: spartanat")])
	os.WriteFile(both, []byte(onlyISW), 0o644)

	d := startDaemon(t, dir, "-config", both)
	waitFor(t, "the first poll", d, func() bool {
		code, body := get("http://" + listen + "/feed.atom")
		return code == 200 && strings.Count(body, "<entry") == 3
	})

	before := feedRequests(t, listen)
	os.WriteFile(both, []byte(onlyISW+"  - name: broken\n    lang: de\n    role: translation\n"), 0o644)
	d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the bad config to be rejected", d, func() bool {
		return strings.Contains(d.out.String(), "new config rejected")
	})
	if code, _ := get("http://" + listen + "/healthz"); code != 200 {
		t.Fatalf("daemon stopped serving after a bad reload: %d", code)
	}

	os.WriteFile(both, full, 0o644)
	d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the new source to be polled", d, func() bool {
		out, _ := iswfeed(t, dir, "sources", "-config", both)
		return strings.Contains(out, "spartanat") && strings.Contains(out, "ok (200)") && !strings.Contains(out, "never polled")
	})
	if !strings.Contains(d.out.String(), "config applied") {
		t.Errorf("no log line for the applied config:\n%s", d.out.String())
	}
	if after := feedRequests(t, listen); after < before {
		t.Errorf("HTTP counters lost across reloads: %d requests for /feed.atom counted before, %d after", before, after)
	}
}

// feedRequests reads the daemon's count of 200 answers for /feed.atom.
func feedRequests(t *testing.T, listen string) int {
	t.Helper()
	_, metrics := get("http://" + listen + "/metrics")
	m := regexp.MustCompile(`iswfeed_http_requests_total\{route="GET /feed.atom",status="200"\} (\d+)`).FindStringSubmatch(metrics)
	if m == nil {
		t.Fatalf("no counter for /feed.atom in /metrics:\n%s", metrics)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestREADMEServeRunsOnTheEmbeddedDefaultOffline runs the README's first
// command as a newcomer would, in an empty directory. The real sources are
// routed to a closed loopback proxy, so the test never leaves 127.0.0.1 and
// sees what a machine without internet sees.
func TestREADMEServeRunsOnTheEmbeddedDefaultOffline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		t.Skipf("127.0.0.1:8080, the default config's address, is busy: %v", err)
	}
	ln.Close()
	dir := t.TempDir()
	d := &daemon{cmd: exec.Command(binary, "serve"), out: &syncBuffer{}}
	d.cmd.Dir = dir
	closed := "http://" + freeAddr(t)
	d.cmd.Env = append(os.Environ(), "HTTPS_PROXY="+closed, "HTTP_PROXY="+closed, "NO_PROXY=")
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { d.cmd.Process.Kill(); d.cmd.Wait() }()
	waitFor(t, "/healthz and /feed.atom", d, func() bool {
		code, _ := get("http://127.0.0.1:8080/healthz")
		feed, body := get("http://127.0.0.1:8080/feed.atom")
		return code == 200 && feed == 200 && strings.Contains(body, "<feed")
	})
	waitFor(t, "the log to name both failing sources and why", d, func() bool {
		log := d.out.String()
		return strings.Contains(log, "embedded default") &&
			regexp.MustCompile(`msg="poll failed" source=isw .*err=.*network error`).MatchString(log) &&
			regexp.MustCompile(`msg="poll failed" source=spartanat .*err=.*network error`).MatchString(log)
	})
	if _, err := os.Stat(filepath.Join(dir, "iswfeed.db")); err != nil {
		t.Errorf("no store in the working directory: %v", err)
	}
}

func TestEveryCommandExplainsItselfWithH(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			out, code := iswfeed(t, t.TempDir(), c.name, "-h")
			if code != 0 || !strings.Contains(out, "usage: iswfeed "+c.name) || !strings.Contains(out, summaryOf(c.name)) || !strings.Contains(out, "-config") && c.name != "demo" && c.name != "version" {
				t.Errorf("exit %d, output:\n%s", code, out)
			}
		})
	}
}

func TestSIGTERMCancelsAPollInFlight(t *testing.T) {
	started := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a body that never ends
	}))
	defer hang.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, freeAddr(t), hang.URL, hang.URL+"/other")
	data, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(data, []byte("fetch:\n  timeout: 1m\n")...), 0o644)
	d := startDaemon(t, dir, "-config", cfg, "-log-format", "json")
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatalf("the daemon never polled; log:\n%s", d.out.String())
	}
	start := time.Now()
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, d.out.String())
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("stopping with a poll in flight took %s", took)
	}
	for _, line := range strings.Split(strings.TrimSpace(d.out.String()), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil || entry["msg"] == nil {
			t.Errorf("-log-format json wrote a line that is not a JSON log entry: %q", line)
		}
	}
	// The store was closed cleanly: it opens at once and verifies.
	out, code := iswfeed(t, dir, "check", "-config", cfg, "-store", filepath.Join(dir, "iswfeed.db"))
	if code != 0 {
		t.Errorf("store after stop: %s", out)
	}
}

func TestLockedStoreWithoutADaemonGetsAClearMessage(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "127.0.0.1:0", "http://127.0.0.1:1/", "http://127.0.0.1:1/b")
	db, err := bolt.Open(filepath.Join(dir, "iswfeed.db"), 0o600, nil) // another process's lock
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	out, code := iswfeed(t, dir, "updates", "-config", cfg)
	if code != 1 || !strings.Contains(out, "locked by another process") || !strings.Contains(out, "no daemon answers") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("waited %s for the lock", took)
	}
}

func TestRestoreVerifiesTheBackupAndKeepsTheOldStore(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "127.0.0.1:0", "https://understandingwar.org/feed/", "https://www.spartanat.com/feed/")
	saved := filepath.Join(dir, "saved")
	os.Mkdir(saved, 0o755)
	data, _ := os.ReadFile(filepath.Join("testdata", "isw.xml"))
	os.WriteFile(filepath.Join(saved, "isw.xml"), data, 0o644)
	if out, code := iswfeed(t, dir, "import", "-config", cfg, saved); code != 0 {
		t.Fatal(out)
	}
	backup := filepath.Join(dir, "backup.db")
	if out, code := iswfeed(t, dir, "backup", "-config", cfg, "-o", backup); code != 0 {
		t.Fatal(out)
	}
	corrupt := filepath.Join(dir, "corrupt.db")
	os.WriteFile(corrupt, bytes.Repeat([]byte("not a store "), 1000), 0o600)
	out, code := iswfeed(t, dir, "restore", "-config", cfg, "-i", corrupt)
	if code != 1 || !strings.Contains(out, "refusing to restore") {
		t.Errorf("corrupt backup: exit %d\n%s", code, out)
	}
	os.Remove(filepath.Join(dir, "iswfeed.db"))
	iswfeed(t, dir, "poll", "-config", cfg) // a fresh, empty store (the sources are unreachable)
	store := filepath.Join(dir, "iswfeed.db")
	os.Chmod(store, 0o640)
	owner := os.Getuid()
	if owner == 0 {
		owner = 65534 // as root, act for a service user
		os.Chown(store, owner, owner)
	}
	out, code = iswfeed(t, dir, "restore", "-config", cfg, "-i", backup)
	if code != 0 || !strings.Contains(out, "kept the current store as") {
		t.Fatalf("restore: exit %d\n%s", code, out)
	}
	if info, err := os.Stat(store); err != nil || info.Mode().Perm() != 0o640 || int(info.Sys().(*syscall.Stat_t).Uid) != owner {
		t.Errorf("restored store lost the service's owner or mode: %v %v", info.Mode(), info.Sys())
	}
	out, _ = iswfeed(t, dir, "updates", "-config", cfg)
	if !strings.Contains(out, "2023-03-31") {
		t.Errorf("restored store lacks the imported reports:\n%s", out)
	}
}

func TestPollPrintsWhatEachSourceGave(t *testing.T) {
	isw := serveFile(t, "isw.xml", "application/rss+xml")
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "127.0.0.1:0", isw.URL, "http://"+freeAddr(t)+"/feed")
	out, code := iswfeed(t, dir, "poll", "-config", cfg)
	if code != 1 || !strings.Contains(out, "1 of 2 sources failed") {
		t.Errorf("exit %d, want 1 with the failed source counted:\n%s", code, out)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "isw ") || !strings.Contains(lines[1], " 200 ") ||
		!strings.Contains(lines[1], "  4  ") || !strings.HasPrefix(lines[2], "spartanat ") || !strings.Contains(lines[2], "network error") {
		t.Errorf("poll table:\n%s", out)
	}
}

func TestVersionNamesTheRelease(t *testing.T) {
	out, code := iswfeed(t, t.TempDir(), "version")
	if code != 0 || out != "iswfeed "+Version+"\n" {
		t.Errorf("exit %d: %q", code, out)
	}
}
