package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// unitLines reads contrib/iswfeed.service into key=value pairs (a key may repeat).
func unitLines(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "contrib", "iswfeed.service"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			kv[k] = append(kv[k], v)
		}
	}
	return kv
}

func TestSystemdUnitIsHardenedAndRunsTheDaemon(t *testing.T) {
	unit := unitLines(t)
	for key, want := range map[string]string{
		"DynamicUser":     "yes",
		"StateDirectory":  "iswfeed",
		"ProtectSystem":   "strict",
		"NoNewPrivileges": "yes",
		"ProtectHome":     "yes",
		"PrivateTmp":      "yes",
		"MemoryMax":       "1G",
		"TasksMax":        "128",
		"IPAddressAllow":  "localhost",
		"IPAddressDeny":   "link-local multicast",
	} {
		if got := unit[key]; len(got) != 1 || got[0] != want {
			t.Errorf("%s=%v, want %s", key, got, want)
		}
	}
	exec0 := strings.Fields(unit["ExecStart"][0])
	if len(exec0) < 2 || exec0[1] != "serve" {
		t.Fatalf("ExecStart does not run iswfeed serve: %v", exec0)
	}
	// The unit's flags must be ones serve accepts: with -h added, serve prints help and exits 0.
	out, code := iswfeed(t, t.TempDir(), append(exec0[1:], "-h")...)
	if code != 0 {
		t.Errorf("serve rejects the unit's flags %v: exit %d\n%s", exec0[1:], code, out)
	}
	if _, err := exec.LookPath("systemd-analyze"); err == nil {
		unitFile := filepath.Join(t.TempDir(), "iswfeed.service")
		data, _ := os.ReadFile(filepath.Join("..", "..", "contrib", "iswfeed.service"))
		os.WriteFile(unitFile, []byte(strings.ReplaceAll(string(data), "/usr/local/bin/iswfeed", binary)), 0o644)
		out, err := exec.Command("systemd-analyze", "verify", unitFile).CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
		// An unknown or malformed key is only a warning, on the unit's own line.
		if strings.Contains(string(out), "iswfeed.service:") {
			t.Errorf("systemd-analyze verify warns about the unit:\n%s", out)
		}
	}
}

// requireTool finds a program a test needs: without it the test is skipped,
// except under CI, where it must run.
func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if _, err := os.Stat("/usr/sbin/" + name); err == nil { // not on a normal user's PATH
		return "/usr/sbin/" + name
	}
	msg := fmt.Sprintf("%s is not installed (Debian package %s)", name, debianPackage)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run this test")
	}
	t.Skip(msg + "; skipping")
	return ""
}

func TestNginxExampleServesTheExportAndPassesLiveStateOn(t *testing.T) {
	nginx := requireTool(t, "nginx", "nginx-light")
	dir, cfg, listen, d := runningDaemon(t)
	www := filepath.Join(dir, "www")
	if out, code := iswfeed(t, dir, "export", "-config", cfg, "-dir", www); code != 0 {
		t.Fatalf("export: %s", out)
	}

	example, err := os.ReadFile(filepath.Join("..", "..", "contrib", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	front := freeAddr(t)
	site := strings.NewReplacer("listen 80;", "listen "+front+";", "root /var/www/iswfeed;", "root "+www+";",
		"server 127.0.0.1:8080;", "server "+listen+";").Replace(string(example))
	siteFile := filepath.Join(dir, "site.conf")
	os.WriteFile(siteFile, []byte(site), 0o644)
	user := ""
	if os.Getuid() == 0 {
		user = "user root;" // the workers must read the test's private directory
	}
	main := fmt.Sprintf(`%s
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events {}
http {
    access_log off;
    client_body_temp_path %[2]s/tmp; proxy_temp_path %[2]s/tmp; fastcgi_temp_path %[2]s/tmp;
    uwsgi_temp_path %[2]s/tmp; scgi_temp_path %[2]s/tmp;
    include %[3]s;
}
`, user, dir, siteFile)
	mainFile := filepath.Join(dir, "nginx.conf")
	os.WriteFile(mainFile, []byte(main), 0o644)
	os.Mkdir(filepath.Join(dir, "tmp"), 0o755)
	n := exec.Command(nginx, "-c", mainFile, "-e", filepath.Join(dir, "error.log"))
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM, not SIGKILL: the master then stops its workers too.
	defer func() { n.Process.Signal(syscall.SIGTERM); n.Wait() }()
	nginxLog := func() string { b, _ := os.ReadFile(filepath.Join(dir, "error.log")); return string(b) }
	base := "http://" + front
	waitFor(t, "nginx", d, func() bool { code, _ := get(base + "/"); return code == 200 })

	_, served := get("http://" + listen + "/feed.atom")
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/", 200, "401"},
		{"/feed.atom", 200, served},
		{"/updates/401", 200, "spartanat"},
		{"/api/updates", 200, `"number": 401`},
		{"/api/updates?limit=1", 200, `"next"`}, // a query goes to the daemon
		{"/healthz", 200, `"scheduler": true`},
		{"/metrics", 200, "iswfeed_polls_total"},
		{"/feed.atom.gz", 404, ""},
		{"/.iswfeed-export", 404, ""},
	}
	for _, tc := range tests {
		code, body := get(base + tc.path)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s through nginx: %d, want %d with %.60q\n%.300s\nnginx: %s", tc.path, code, tc.code, tc.want, body, nginxLog())
		}
	}
	headers := []struct{ path, contentType, cacheControl string }{
		{"/feed.atom", "application/atom+xml", "public, max-age=300"},
		{"/feed.json", "application/feed+json", "public, max-age=300"},
		{"/api/updates", "application/json", "public, max-age=300"},
		{"/healthz", "application/json", "no-store"}, // the daemon's own
	}
	for _, h := range headers {
		resp, err := client.Get(base + h.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, h.contentType) {
			t.Errorf("%s: Content-Type %q, want %s", h.path, ct, h.contentType)
		}
		if cc := resp.Header.Values("Cache-Control"); len(cc) != 1 || !strings.Contains(cc[0], h.cacheControl) {
			t.Errorf("%s: Cache-Control %q, want one saying %q", h.path, cc, h.cacheControl)
		}
	}
}
