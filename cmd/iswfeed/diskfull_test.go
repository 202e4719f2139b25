package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// smallDisk mounts a tmpfs of size at a new directory, for as long as the
// test runs. It needs root: it skips without, and fails under CI.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	unable := t.Skipf
	if os.Getenv("CI") == "true" {
		unable = t.Fatalf
	}
	if os.Getuid() != 0 {
		unable("mounting a small tmpfs for the store needs root; run as root to test a full disk")
	}
	disk := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(disk, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", disk).CombinedOutput(); err != nil {
		unable("unable to mount a tmpfs at %s: %v %s", disk, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", disk).Run() })
	return disk
}

// fill writes a file in dir until the disk holds no more.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			return path
		}
	}
}

// TestFullDiskKeepsServingAndRecovers fills the store's disk while the
// sources publish: the daemon keeps serving what it has, logs the failing
// write once (not once per poll), /healthz answers 503 and why, nothing
// committed is lost, and it ingests again once there is space.
func TestFullDiskKeepsServingAndRecovers(t *testing.T) {
	binaryOnly(t)
	disk := smallDisk(t, "4m")
	src := newLiveSources(t, 30000)
	src.advance()
	dir := t.TempDir()
	listen, store := freeAddr(t), filepath.Join(disk, "iswfeed.db")
	cfg := writeLiveConfig(t, dir, listen, store, src)
	d := startDaemon(t, dir, "-config", cfg)
	var before []servedUpdate
	waitFor(t, "the first reports", d, func() bool {
		before = servedUpdates(listen)
		return servesAll(before, 1)
	})

	filler := fill(t, disk)
	var health string
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(health, "no space left on device") {
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never said the disk is full: %s\nlog:\n%s", health, d.out.String())
		}
		src.advance() // until a batch needs more room than the store's free pages
		time.Sleep(time.Second)
		var code int
		if code, health = get("http://" + listen + "/healthz"); code != 503 && strings.Contains(health, "no space") {
			t.Fatalf("/healthz says the disk is full but answers %d", code)
		}
	}
	failedAt := strings.Count(d.out.String(), "no space left on device")
	time.Sleep(5 * time.Second) // five more polls, each failing again
	if code, _ := get("http://" + listen + "/feed.atom"); code != 200 {
		t.Errorf("/feed.atom with the disk full: %d", code)
	}
	if code, body := get("http://" + listen + "/healthz"); code != 503 || !strings.Contains(body, "no space left on device") {
		t.Errorf("/healthz while the disk stays full: %d %s", code, body)
	}
	full := servedUpdates(listen)
	assertKept(t, 0, index(before), full)
	log := d.out.String()
	if n := strings.Count(log, "no space left on device"); n != 1 || failedAt != 1 {
		t.Errorf("the full disk was logged %d times (%d when /healthz first said so), want once a minute:\n%s", n, failedAt, log)
	}

	os.Remove(filler)
	step := int(src.step.Load())
	waitFor(t, "the reports published while the disk was full", d, func() bool {
		return servesAll(servedUpdates(listen), step)
	})
	if code, body := get("http://" + listen + "/healthz"); code != 200 {
		t.Errorf("/healthz once there is space again: %d %s", code, body)
	}
	after := servedUpdates(listen)
	assertKept(t, 0, index(full), after)
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	checkStore(t, store)
	t.Logf("/healthz with the disk full: %s", health)
	t.Logf("%d reports before the disk filled, %d while it was full, %d after", len(before), len(full), len(after))
}
