package fetch

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTimeoutsByPhase: each phase of a request has its own limit, and the
// error names the setting that ended it.
func TestTimeoutsByPhase(t *testing.T) {
	t.Run("a server that never sends headers ends at first_byte_timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		defer srv.Close()
		cfg := testConfig(t, "", srv.URL)
		cfg.Fetch.FirstByteTimeout = 200 * time.Millisecond
		p, _ := newPoller(t, cfg, openDB(t), &sink{})
		r := pollOne(t, p)
		wantErr(t, r.Err, ErrTimeout)
		if !strings.Contains(r.Err.Error(), "fetch.first_byte_timeout") {
			t.Errorf("error %q does not name first_byte_timeout", r.Err)
		}
	})
	t.Run("a server that never finishes the TLS handshake ends at tls_timeout", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close() // held open, silent, until the test ends
			}
		}()
		cfg := testConfig(t, "", "https://"+ln.Addr().String()+"/feed/")
		cfg.Fetch.TLSTimeout = 200 * time.Millisecond
		p, _ := newPoller(t, cfg, openDB(t), &sink{})
		r := pollOne(t, p)
		wantErr(t, r.Err, ErrTimeout)
		if !strings.Contains(r.Err.Error(), "fetch.tls_timeout") {
			t.Errorf("error %q does not name tls_timeout", r.Err)
		}
	})
	t.Run("a body trickling below min_bytes_per_second is abandoned as slow and backed off", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			for {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}))
		defer srv.Close()
		cfg := testConfig(t, "", srv.URL)
		cfg.Fetch.Timeout = time.Minute
		db := openDB(t)
		p, _ := newPoller(t, cfg, db, &sink{})
		p.fetcher.window = 300 * time.Millisecond
		r := pollOne(t, p)
		wantErr(t, r.Err, ErrSlow)
		st := stateOf(t, db, "src0")
		if st.ConsecutiveFailures != 1 || st.ErrorKind != "slow" || st.PublicError() != noAnswer {
			t.Errorf("state after a slow body: %+v", st)
		}
	})
}
