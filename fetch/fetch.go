package fetch

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"iswfeed/config"
)

// maxRedirects is how many redirects one poll follows.
const maxRedirects = 10

// maxErrorBody bounds how much of a non-200 answer is read to classify it.
const maxErrorBody = 64 << 10

const acceptFeeds = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"

// slowWindow is how long a body may trickle below fetch.min_bytes_per_second
// before it is abandoned.
const slowWindow = 10 * time.Second

// fetcher performs one conditional GET with the configured limits: a
// timeout for each phase (connect, TLS, first byte), a minimum transfer
// rate for the body, a total timeout, and the private-network guard.
type fetcher struct {
	client    *http.Client
	userAgent string
	timeouts  config.Fetch
	minRate   int64
	window    time.Duration
}

func newFetcher(cfg *config.Config, version string) *fetcher {
	f := cfg.Fetch
	dialer := &net.Dialer{Timeout: min(f.ConnectTimeout, f.Timeout), KeepAlive: 30 * time.Second}
	g := newGuard(cfg, dialer, func(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
		return &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dial,
			TLSHandshakeTimeout:   min(f.TLSTimeout, f.Timeout),
			ResponseHeaderTimeout: min(f.FirstByteTimeout, f.Timeout),
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   1,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		}
	})
	client := &http.Client{Timeout: f.Timeout, Transport: g, CheckRedirect: checkRedirect}
	return &fetcher{
		client:    client,
		userAgent: fmt.Sprintf("iswfeed/%s (+%s)", cmp.Or(version, "dev"), cfg.BaseURL),
		timeouts:  f,
		minRate:   f.MinBytesPerSecond,
		window:    slowWindow,
	}
}

// checkRedirect follows at most maxRedirects redirects and none from https
// to http; where a redirect may connect is the guard's to say.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return ErrTooManyRedirects
	}
	if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return ErrInsecureRedirect
	}
	return nil
}

func (f *fetcher) close() { f.client.CloseIdleConnections() }

// request is one GET: of a source's feed at one of its addresses, or of an article's page.
type request struct {
	source string
	url    string
	accept string
	Validators
	maxBody int64
}

// get performs the GET. It returns the response whenever the server answered,
// even with an error, so that the caller can honour Retry-After.
func (f *fetcher) get(ctx context.Context, r request) (*response, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(forSource(ctx, r.source), http.MethodGet, r.url, nil)
	if err != nil {
		return nil, failure(r.source, ErrNetwork, "invalid request", err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", r.accept)
	// Accept-Encoding is left to the transport: it asks for gzip and inflates
	// transparently, so the body limit below applies to the inflated bytes.
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.transportError(r.source, err)
	}
	defer resp.Body.Close()
	out := &response{status: resp.StatusCode, header: resp.Header, url: resp.Request.URL, received: time.Now()}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return out, nil
	case resp.StatusCode == http.StatusOK:
		if resp.ContentLength > r.maxBody {
			return out, failure(r.source, ErrTooLarge, fmt.Sprintf("Content-Length %d exceeds the limit of %d bytes", resp.ContentLength, r.maxBody), nil)
		}
		out.body, err = f.readBody(ctx, cancel, resp.Body, r.maxBody)
		if err != nil {
			return out, f.bodyError(ctx, r.source, err)
		}
		if int64(len(out.body)) > r.maxBody {
			return out, failure(r.source, ErrTooLarge, fmt.Sprintf("body exceeds the limit of %d bytes", r.maxBody), nil)
		}
		return out, nil
	default:
		out.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return out, statusError(r.source, out)
	}
}

// errSlowBody is the cause a body's request is cancelled with when it trickles.
var errSlowBody = errors.New("fetch: body below the minimum rate")

// readBody reads up to limit+1 bytes, cancelling the request with
// errSlowBody when fewer than minRate bytes a second arrive in a window.
func (f *fetcher) readBody(ctx context.Context, cancel context.CancelCauseFunc, body io.Reader, limit int64) ([]byte, error) {
	var n atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(f.window)
		defer tick.Stop()
		last := int64(0)
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				got := n.Load()
				if float64(got-last) < float64(f.minRate)*f.window.Seconds() {
					cancel(errSlowBody)
					return
				}
				last = got
			}
		}
	}()
	return io.ReadAll(countingReader{io.LimitReader(body, limit+1), &n})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// bodyError explains why reading a body failed: too slow, or the transport's reason.
func (f *fetcher) bodyError(ctx context.Context, source string, err error) error {
	if errors.Is(context.Cause(ctx), errSlowBody) {
		return failure(source, ErrSlow, fmt.Sprintf("the body came at fewer than %d bytes/s for %s; abandoned", f.minRate, f.window), err)
	}
	return f.transportError(source, err)
}

func statusError(source string, r *response) error {
	detail := fmt.Sprintf("%d %s", r.status, http.StatusText(r.status))
	blocked := r.status == http.StatusForbidden || r.status == http.StatusServiceUnavailable
	if blocked && (r.header.Get("Cf-Mitigated") == "challenge" || looksLikeHTML(r.body)) {
		return failure(source, ErrChallenge, detail+" with an HTML page", nil)
	}
	if d, ok := r.RetryAfter(); ok {
		detail += fmt.Sprintf(", Retry-After %s", d.Round(time.Second))
	}
	return failure(source, ErrStatus, detail, nil)
}

// transportError classifies an error from the client by phase: a refused or
// failed connection is a network error (which counts towards "network looks
// down"), a slow TLS handshake, first byte or whole answer a timeout.
func (f *fetcher) transportError(source string, err error) error {
	var op *net.OpError
	var dns *net.DNSError
	t := f.timeouts
	switch {
	case errors.Is(err, ErrTooManyRedirects):
		return failure(source, ErrTooManyRedirects, fmt.Sprintf("stopped after %d redirects", maxRedirects), err)
	case errors.Is(err, ErrInsecureRedirect):
		return failure(source, ErrInsecureRedirect, innermost(err).Error(), err)
	case errors.Is(err, ErrPrivateAddress):
		return failure(source, ErrPrivateAddress, "set fetch.allow_private_networks: true to allow it: "+innermost(err).Error(), err)
	case errors.As(err, &dns), errors.As(err, &op) && op.Op == "dial":
		return failure(source, ErrNetwork, "unable to connect: "+innermost(err).Error(), err)
	case errors.Is(err, context.Canceled):
		return failure(source, ErrTimeout, "cancelled", err)
	case strings.Contains(err.Error(), "TLS handshake timeout"):
		return failure(source, ErrTimeout, fmt.Sprintf("no TLS handshake within %s (fetch.tls_timeout)", min(t.TLSTimeout, t.Timeout)), err)
	case strings.Contains(err.Error(), "timeout awaiting response headers"):
		return failure(source, ErrTimeout, fmt.Sprintf("no answer within %s of the request (fetch.first_byte_timeout)", min(t.FirstByteTimeout, t.Timeout)), err)
	case isTimeout(err):
		return failure(source, ErrTimeout, fmt.Sprintf("no complete answer within %s (fetch.timeout)", t.Timeout), err)
	default:
		return failure(source, ErrNetwork, innermost(err).Error(), err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// innermost strips url.Error's "Get URL:" prefix, which the message already names.
func innermost(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// response is an HTTP answer that the poller asks plain questions of.
type response struct {
	status   int
	header   http.Header
	body     []byte
	url      *url.URL
	received time.Time
}

// IsModified reports whether the server sent a new body.
func (r *response) IsModified() bool { return r.status != http.StatusNotModified }

// ETag returns the ETag exactly as received, quotes and W/ included.
func (r *response) ETag() string { return r.header.Get("ETag") }

// LastModified returns the Last-Modified header exactly as received.
func (r *response) LastModified() string { return r.header.Get("Last-Modified") }

// CacheControlMaxAge returns the max-age the server asked for.
func (r *response) CacheControlMaxAge() (time.Duration, bool) {
	for directive := range strings.SplitSeq(r.header.Get("Cache-Control"), ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
		if !strings.EqualFold(name, "max-age") {
			continue
		}
		secs, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64)
		if err != nil || secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	return 0, false
}

// Expires returns how long until the Expires header, measured from the
// server's Date when it sent one, so a skewed clock does not matter.
func (r *response) Expires() (time.Duration, bool) {
	exp, err := http.ParseTime(r.header.Get("Expires"))
	if err != nil {
		return 0, false
	}
	now := r.received
	if date, err := http.ParseTime(r.header.Get("Date")); err == nil {
		now = date
	}
	return max(exp.Sub(now), 0), true
}

// RetryAfter returns the delay of a Retry-After header, in seconds or as an HTTP date.
func (r *response) RetryAfter() (time.Duration, bool) {
	v := strings.TrimSpace(r.header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(r.received), 0), true
	}
	return 0, false
}

// askedDelay is the longest wait the server asked for in this answer.
func (r *response) askedDelay() time.Duration {
	var d time.Duration
	if v, ok := r.CacheControlMaxAge(); ok {
		d = max(d, v)
	} else if v, ok := r.Expires(); ok {
		d = max(d, v)
	}
	if r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable {
		if v, ok := r.RetryAfter(); ok {
			d = max(d, v)
		}
	}
	return d
}

func looksLikeHTML(body []byte) bool {
	head := bytes.ToLower(trimLeading(body[:min(len(body), 1024)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) ||
		bytes.Contains(head, []byte("<head")) || bytes.Contains(head, []byte("<body"))
}
