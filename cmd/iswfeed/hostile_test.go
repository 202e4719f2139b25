package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawAnswer sends req as written on a fresh connection and returns the
// status code of the answer, or 0 when the server closed the connection
// without one.
func rawAnswer(t *testing.T, addr, req string) int {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(req)); err != nil {
		return 0
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestHostileRequestsGetA4xx(t *testing.T) {
	_, _, listen, _ := runningDaemon(t)
	get := func(target string, headers ...string) string {
		return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + strings.Join(headers, "") + "Connection: close\r\n\r\n"
	}
	long := strings.Repeat("a", 40<<10)
	tests := map[string]string{
		"oversized header":                 get("/feed.atom", "X-Big: "+long+"\r\n"),
		"many headers":                     get("/feed.atom", strings.Repeat("X-H: 0123456789abcdef0123456789abcdef\r\n", 2000)),
		"long query string":                get("/api/updates?q=" + long),
		"traversal in the update key":      get("/updates/..%2f..%2fetc%2fpasswd"),
		"traversal in a language":          get("/..%2f..%2fetc/feed.atom"),
		"encoded dot segments":             get("/archive/%2e%2e/%2e%2e/passwd"),
		"traversal in an archive":          get("/archive/..%2f..%2f2023-03.atom"),
		"update number not a number":       get("/updates/abc"),
		"update number negative":           get("/updates/-1"),
		"update number overflows":          get("/updates/99999999999999999999999"),
		"update number with zeros":         get("/api/updates/0401"),
		"api limit not a number":           get("/api/updates?limit=abc"),
		"api limit too large":              get("/api/updates?limit=1000000000"),
		"api limit zero":                   get("/api/updates?limit=0"),
		"api before bad":                   get("/api/updates?before=%00%ff"),
		"impossible date":                  get("/updates/2023-02-30"),
		"month thirteen":                   get("/api/updates?before=2023-13-01"),
		"archive month thirteen":           get("/archive/2023-13.atom"),
		"archive unknown format":           get("/archive/2023-03.exe"),
		"unknown language feed":            get("/xx/feed.atom"),
		"unknown language archive":         get("/archive/zz/2023-03.atom"),
		"unknown language in the api":      get("/api/updates?lang=zz"),
		"script as a language":             get("/api/updates?lang=%3Cscript%3E"),
		"unknown series":                   get("/updates/no-such-series/401"),
		"unknown path":                     get("/wp-admin/install.php"),
		"a method nothing answers":         "DELETE /feed.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		"a body on a read-only server":     "POST /feed.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
		"a chunked body":                   "GET /feed.atom HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"not HTTP at all":                  "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
		"a request line without a version": "GET /feed.atom\r\n\r\n",
		"a bad Host header":                "GET /feed.atom HTTP/1.1\r\nHost: a b\r\n\r\n",
	}
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			code := rawAnswer(t, listen, req)
			if code != 0 && (code < 400 || code > 499) {
				t.Errorf("answered %d, want a 4xx or a closed connection", code)
			}
		})
	}
	if code, _ := get200(listen, "/feed.atom"); code != 200 {
		t.Errorf("the daemon stopped answering after the hostile requests: %d", code)
	}
}

// get200 fetches path with a fresh client and returns its status.
func get200(listen, path string) (int, error) {
	resp, err := client.Get("http://" + listen + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	resp.Body.Read(make([]byte, 1))
	return resp.StatusCode, nil
}

// slowClient is a connection that sends its request a little at a time.
type slowClient struct {
	conn   net.Conn
	closed atomic.Bool
}

// drip writes head at once, then a byte of drip every interval until the
// server answers or closes the connection (no byte when interval is 0); it
// counts the 4xx answers.
func (c *slowClient) drip(head string, interval time.Duration, answered *atomic.Int64) {
	defer c.closed.Store(true)
	if _, err := c.conn.Write([]byte(head)); err != nil {
		return
	}
	go func() {
		for interval > 0 && !c.closed.Load() {
			time.Sleep(interval)
			if _, err := c.conn.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	c.conn.SetReadDeadline(time.Now().Add(time.Minute))
	line, err := bufio.NewReader(c.conn).ReadString('\n')
	if err == nil && strings.HasPrefix(line, "HTTP/1.1 4") {
		answered.Add(1)
	}
}

// TestSlowAndIdleClientsAreCutOffWhileOthersAreServed holds 1,000 idle
// connections, slowloris clients that drip their headers and clients that
// announce a body and drip it a byte every 2 s; each is answered with a 4xx
// or closed within the server's read limits, and a normal client gets 200s
// all along.
func TestSlowAndIdleClientsAreCutOffWhileOthersAreServed(t *testing.T) {
	binaryOnly(t)
	_, _, listen, d := runningDaemon(t)
	var normal struct {
		sync.Mutex
		ok, failed int
		last       string
	}
	stop := make(chan struct{})
	var served sync.WaitGroup
	served.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			for _, path := range []string{"/feed.atom", "/", "/api/updates"} {
				code, err := get200(listen, path)
				normal.Lock()
				if code == 200 {
					normal.ok++
				} else {
					normal.failed++
					normal.last = fmt.Sprintf("%s: %d %v", path, code, err)
				}
				normal.Unlock()
			}
		}
	})

	const idle, slowloris, slowBodies = 1000, 50, 200
	var all []*slowClient
	dial := func() *slowClient {
		conn, err := net.Dial("tcp", listen)
		if err != nil {
			t.Fatalf("dial after %d connections: %v", len(all), err)
		}
		c := &slowClient{conn: conn}
		all = append(all, c)
		t.Cleanup(func() { conn.Close() })
		return c
	}
	var answered atomic.Int64
	start := time.Now()
	for range idle {
		c := dial()
		go c.drip("", 0, &answered)
	}
	for range slowloris {
		c := dial()
		go c.drip("GET /feed.atom HTTP/1.1\r\nHost: x\r\nX-Slow: ", time.Second, &answered)
	}
	for i := range slowBodies {
		c := dial()
		method := []string{"POST", "GET", "PUT"}[i%3]
		go c.drip(method+" /feed.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", 2*time.Second, &answered)
	}
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) && !allClosed(all) {
		time.Sleep(200 * time.Millisecond)
	}
	took := time.Since(start)
	close(stop)
	served.Wait()
	if !allClosed(all) {
		t.Errorf("%d of %d slow or idle connections still held after %s", held(all), len(all), took.Round(time.Second))
	} else {
		t.Logf("%d slow or idle connections cut off within %s", len(all), took.Round(100*time.Millisecond))
	}
	if answered.Load() < slowBodies {
		t.Errorf("only %d of the %d clients with a dripped body got a 4xx", answered.Load(), slowBodies)
	}
	normal.Lock()
	defer normal.Unlock()
	if normal.failed > 0 || normal.ok == 0 {
		t.Errorf("a normal client got %d failures (last %s) and %d 200s meanwhile; daemon log:\n%s", normal.failed, normal.last, normal.ok, d.out.String())
	}
	t.Logf("a normal client got %d 200s meanwhile", normal.ok)
}

func allClosed(cs []*slowClient) bool { return held(cs) == 0 }

func held(cs []*slowClient) int {
	n := 0
	for _, c := range cs {
		if !c.closed.Load() {
			n++
		}
	}
	return n
}
