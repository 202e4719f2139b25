package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
		if out, err := exec.Command("systemd-analyze", "verify", unitFile).CombinedOutput(); err != nil {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	}
}
