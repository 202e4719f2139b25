//go:build linux

package fetch

import (
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// silentListener returns the address of a socket that listens with no room
// in its accept queue and never accepts, filled up: Linux drops the SYNs of
// any further connect, which then hangs until its dialer gives up.
func silentListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return addr // the queue is full
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("the kernel kept accepting connections into a full queue; cannot make connect hang here")
	return ""
}

func TestAConnectThatHangsEndsAtConnectTimeout(t *testing.T) {
	addr := silentListener(t)
	cfg := testConfig(t, "", "http://"+addr+"/feed/")
	cfg.Fetch.ConnectTimeout = 300 * time.Millisecond
	cfg.Fetch.Timeout = time.Minute
	p, _ := newPoller(t, cfg, openDB(t), &sink{})
	r := pollOne(t, p)
	wantErr(t, r.Err, ErrNetwork)
	if !strings.Contains(r.Err.Error(), "unable to connect") || !strings.Contains(r.Err.Error(), "timeout") {
		t.Errorf("error %q: want the connect to have timed out", r.Err)
	}
}
