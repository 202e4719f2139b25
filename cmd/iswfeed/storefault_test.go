package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// storeCommands are every command that opens the store, as an operator runs them.
func storeCommands(t *testing.T, cfg, dir string) map[string][]string {
	t.Helper()
	return map[string][]string{
		"serve":   {"serve", "-config", cfg},
		"poll":    {"poll", "-config", cfg},
		"updates": {"updates", "-config", cfg},
		"show":    {"show", "-config", cfg, "401"},
		"sources": {"sources", "-config", cfg},
		"gaps":    {"gaps", "-config", cfg},
		"export":  {"export", "-config", cfg, "-dir", filepath.Join(dir, "www")},
		"backup":  {"backup", "-config", cfg, "-o", filepath.Join(dir, "backup.db")},
		"import":  {"import", "-config", cfg, "-source", "isw", filepath.Join(mustAbs(t, "testdata"), "isw.xml")},
		"check":   {"check", "-config", cfg, "-store", filepath.Join(dir, "iswfeed.db")},
	}
}

// importedStore writes a config and a store holding isw.xml's reports into a
// fresh directory.
func importedStore(t *testing.T) (dir, cfg, store string) {
	t.Helper()
	dir = t.TempDir()
	cfg = writeConfig(t, dir, "127.0.0.1:0", "http://127.0.0.1:1/isw", "http://127.0.0.1:1/spa")
	if out, code := iswfeed(t, dir, "import", "-config", cfg, "-source", "isw", filepath.Join(mustAbs(t, "testdata"), "isw.xml")); code != 0 {
		t.Fatalf("import: %s", out)
	}
	return dir, cfg, filepath.Join(dir, "iswfeed.db")
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// dataSize is how much of a store file its pages fill.
func dataSize(t *testing.T, file []byte) int64 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copy.db")
	os.WriteFile(path, file, 0o600)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int64
	db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	return size
}

// runAs runs the binary in dir as the user as (nil: this one), killing it
// after 20 s: a command that should have refused the store must not serve.
func runAs(t *testing.T, as *syscall.Credential, dir string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: as}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Errorf("%v did not exit within 20 s:\n%s", args, out)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func TestDamagedStoreIsNamedAndLeftAsItIs(t *testing.T) {
	faults := map[string]func(good []byte) []byte{
		"cut short":             func(good []byte) []byte { return good[:dataSize(t, good)/2] },
		"truncated to one page": func(good []byte) []byte { return good[:4096] },
		"not a bbolt file": func([]byte) []byte {
			return bytes.Repeat([]byte("not a store "), 2000)
		},
		"empty": func([]byte) []byte { return nil },
	}
	for fault, damage := range faults {
		t.Run(fault, func(t *testing.T) {
			dir, cfg, store := importedStore(t)
			good, err := os.ReadFile(store)
			if err != nil {
				t.Fatal(err)
			}
			damaged := damage(good)
			os.WriteFile(store, damaged, 0o600)
			for name, args := range storeCommands(t, cfg, dir) {
				out, code := runAs(t, nil, dir, args...)
				if code != 1 || !strings.Contains(out, store) || !strings.Contains(out, "damaged") ||
					!strings.Contains(out, "iswfeed restore") || !strings.Contains(out, "check -store") {
					t.Errorf("%s on a store %s: exit %d, want 1 with a message naming the file, restore and check -store:\n%s", name, fault, code, out)
				}
				if now, _ := os.ReadFile(store); !bytes.Equal(now, damaged) {
					t.Fatalf("%s changed the damaged store (%d bytes, was %d)", name, len(now), len(damaged))
				}
			}
			// What the message says to do works.
			os.WriteFile(filepath.Join(dir, "good.db"), good, 0o600)
			out, code := iswfeed(t, dir, "restore", "-config", cfg, "-i", filepath.Join(dir, "good.db"))
			if code != 0 {
				t.Fatalf("restore over the damaged store: exit %d\n%s", code, out)
			}
			if kept, _ := os.ReadFile(store + ".before-restore"); !bytes.Equal(kept, damaged) {
				t.Errorf("restore did not keep the damaged store beside it")
			}
			if out, code := iswfeed(t, dir, "updates", "-config", cfg); code != 0 || !strings.Contains(out, "2023-03-29") {
				t.Errorf("updates after restore: exit %d\n%s", code, out)
			}
		})
	}
}

func TestReadOnlyStoreIsNamedAndReadable(t *testing.T) {
	dir, cfg, store := importedStore(t)
	var as *syscall.Credential
	if os.Getuid() == 0 {
		// Root writes any file: act as nobody, for whom the file is read-only.
		as = &syscall.Credential{Uid: 65534, Gid: 65534}
		os.Chmod(filepath.Dir(binary), 0o755)
		os.Chmod(dir, 0o755)
		os.Chmod(filepath.Dir(dir), 0o755)
	}
	os.Chmod(store, 0o444)
	before, _ := os.ReadFile(store)
	run := func(args ...string) (string, int) { return runAs(t, as, dir, args...) }
	for _, name := range []string{"serve", "poll", "import"} {
		out, code := run(storeCommands(t, cfg, dir)[name]...)
		if code != 1 || !strings.Contains(out, store) || !strings.Contains(out, "permission denied") || !strings.Contains(out, "write access") {
			t.Errorf("%s on a read-only store: exit %d, want 1 naming the file and write access:\n%s", name, code, out)
		}
	}
	if out, code := run("updates", "-config", cfg); code != 0 || !strings.Contains(out, "2023-03-29") {
		t.Errorf("updates on a read-only store: exit %d\n%s", code, out)
	}
	if now, _ := os.ReadFile(store); !bytes.Equal(now, before) {
		t.Errorf("a command changed the read-only store")
	}
}

func TestInterruptedExportLeavesNoSnapshot(t *testing.T) {
	dir, cfg, _, _ := runningDaemon(t)
	tmp := t.TempDir()
	for i, after := range []time.Duration{0, 20 * time.Millisecond, 80 * time.Millisecond, 150 * time.Millisecond} {
		sig := []os.Signal{os.Interrupt, syscall.SIGTERM}[i%2]
		cmd := exec.Command(binary, "export", "-config", cfg, "-dir", filepath.Join(dir, "www"))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("export did not stop on %v:\n%s", sig, out.String())
		}
		t.Logf("%v after %s: %s", sig, after, strings.TrimSpace(out.String()))
		if left, _ := filepath.Glob(filepath.Join(tmp, "iswfeed-snapshot-*")); len(left) > 0 {
			t.Errorf("%v %s into an export left its snapshot behind: %v\n%s", sig, after, left, out.String())
		}
	}
}
