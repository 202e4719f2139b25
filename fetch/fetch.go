package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"iswfeed/config"
)

// maxRedirects is how many redirects one poll follows.
const maxRedirects = 10

// maxErrorBody bounds how much of a non-200 answer is read to classify it.
const maxErrorBody = 64 << 10

const acceptFeeds = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"

// validators are what a conditional GET sends back.
type validators struct {
	ETag         string
	LastModified string
}

// fetcher performs one conditional GET with the configured limits.
type fetcher struct {
	client    *http.Client
	userAgent string
	maxBody   int64
	timeout   time.Duration
}

func newFetcher(cfg *config.Config) *fetcher {
	dialer := &net.Dialer{Timeout: cfg.Fetch.ConnectTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   cfg.Fetch.ConnectTimeout,
		ResponseHeaderTimeout: cfg.Fetch.Timeout,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   1,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	client := &http.Client{
		Timeout:   cfg.Fetch.Timeout,
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return ErrTooManyRedirects
			}
			return nil
		},
	}
	return &fetcher{
		client:    client,
		userAgent: fmt.Sprintf("iswfeed/%s (+%s)", Version, cfg.BaseURL),
		maxBody:   cfg.Fetch.MaxBodyBytes,
		timeout:   cfg.Fetch.Timeout,
	}
}

func (f *fetcher) close() { f.client.CloseIdleConnections() }

// get performs the GET. It returns the response whenever the server answered,
// even with an error, so that the caller can honour Retry-After.
func (f *fetcher) get(ctx context.Context, src config.Source, v validators) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return nil, failure(src.Name, ErrNetwork, "invalid request", err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", acceptFeeds)
	// Accept-Encoding is left to the transport: it asks for gzip and inflates
	// transparently, so the body limit below applies to the inflated bytes.
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.transportError(src, err)
	}
	defer resp.Body.Close()
	r := &response{status: resp.StatusCode, header: resp.Header, url: resp.Request.URL, received: time.Now()}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return r, nil
	case resp.StatusCode == http.StatusOK:
		if resp.ContentLength > f.maxBody {
			return r, failure(src.Name, ErrTooLarge, fmt.Sprintf("Content-Length %d exceeds the limit of %d bytes", resp.ContentLength, f.maxBody), nil)
		}
		r.body, err = io.ReadAll(io.LimitReader(resp.Body, f.maxBody+1))
		if err != nil {
			return r, f.transportError(src, err)
		}
		if int64(len(r.body)) > f.maxBody {
			return r, failure(src.Name, ErrTooLarge, fmt.Sprintf("body exceeds the limit of %d bytes", f.maxBody), nil)
		}
		return r, nil
	default:
		r.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return r, statusError(src, r)
	}
}

func statusError(src config.Source, r *response) error {
	detail := fmt.Sprintf("%d %s", r.status, http.StatusText(r.status))
	if r.status == http.StatusForbidden && (r.header.Get("Cf-Mitigated") == "challenge" || looksLikeHTML(r.body)) {
		return failure(src.Name, ErrChallenge, detail+" with an HTML page", nil)
	}
	if d, ok := r.RetryAfter(); ok {
		detail += fmt.Sprintf(", Retry-After %s", d.Round(time.Second))
	}
	return failure(src.Name, ErrStatus, detail, nil)
}

// transportError classifies an error from the client: a refused or failed
// connection is a network error (which counts towards "network looks down"),
// a slow server a timeout.
func (f *fetcher) transportError(src config.Source, err error) error {
	var op *net.OpError
	var dns *net.DNSError
	switch {
	case errors.Is(err, ErrTooManyRedirects):
		return failure(src.Name, ErrTooManyRedirects, fmt.Sprintf("stopped after %d redirects", maxRedirects), err)
	case errors.As(err, &dns), errors.As(err, &op) && op.Op == "dial":
		return failure(src.Name, ErrNetwork, "unable to connect: "+innermost(err).Error(), err)
	case errors.Is(err, context.Canceled):
		return failure(src.Name, ErrTimeout, "cancelled", err)
	case isTimeout(err):
		return failure(src.Name, ErrTimeout, fmt.Sprintf("no complete answer within %s", f.timeout), err)
	default:
		return failure(src.Name, ErrNetwork, innermost(err).Error(), err)
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
