package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Content types of what the server renders.
const (
	typeAtom = "application/atom+xml; charset=utf-8"
	typeRSS  = "application/rss+xml; charset=utf-8"
	typeFeed = "application/feed+json; charset=utf-8"
	typeJSON = "application/json; charset=utf-8"
	typeHTML = "text/html; charset=utf-8"
	// Image types carry no charset: Miniflux, for one, matches them exactly.
	typeSVG  = "image/svg+xml"
	typeText = "text/plain; charset=utf-8"
)

// document is one rendered response, kept until the next change: its bytes,
// their gzip, and a strong ETag for each (the two are different
// representations, so RFC 9110 wants different strong validators).
type document struct {
	body, gz     []byte
	etag, gzEtag string
	contentType  string
	modified     time.Time
	// lastModified, bodyLen and gzLen are header values formatted once, not
	// per request.
	lastModified   string
	bodyLen, gzLen string
	// header holds extra response headers: WebSub's Link, pages' CSP.
	header http.Header
}

func newDocument(body []byte, contentType string, modified time.Time) *document {
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:16])
	d := &document{body: body, contentType: contentType, etag: `"` + tag + `"`, gzEtag: `"` + tag + `-gzip"`}
	d.setModified(modified)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(body)
	zw.Close()
	// Exact-size copies: a buffer's spare capacity is memory the document
	// would hold without counting it.
	d.body, d.gz = exact(body), exact(buf.Bytes())
	d.bodyLen, d.gzLen = strconv.Itoa(len(d.body)), strconv.Itoa(len(d.gz))
	return d
}

// exact returns b in a slice of its own length and capacity.
func exact(b []byte) []byte {
	if len(b) == cap(b) {
		return b
	}
	return append(make([]byte, 0, len(b)), b...)
}

// size is the memory the document holds, about: its bytes and their gzip.
func (d *document) size() int { return cap(d.body) + cap(d.gz) + documentOverhead }

// documentOverhead is what a document holds beyond its bodies: header values
// and the struct.
const documentOverhead = 512

// setModified sets the document's time and the Last-Modified it sends.
func (d *document) setModified(t time.Time) {
	d.modified = t.UTC().Truncate(time.Second)
	d.lastModified = ""
	if d.hasModified() {
		d.lastModified = d.modified.Format(http.TimeFormat)
	}
}

// serve answers r from d: 304 when the client's validators match, gzip when
// the client accepts it, headers only for HEAD.
func (d *document) serve(w http.ResponseWriter, r *http.Request, maxAge time.Duration) {
	h := w.Header()
	body, etag, length := d.body, d.etag, d.bodyLen
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag, length = d.gz, d.gzEtag, d.gzLen
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	if d.lastModified != "" {
		h.Set("Last-Modified", d.lastModified)
	}
	for k, vs := range d.header {
		h[k] = vs
	}
	if d.notModified(r, etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", d.contentType)
	h.Set("Content-Length", length)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func (d *document) hasModified() bool { return d.modified.Unix() > 0 }

// notModified applies RFC 9110's order: If-None-Match (weak comparison, lists
// and *) and, only without it, If-Modified-Since.
func (d *document) notModified(r *http.Request, etag string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return matchesAny(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || !d.hasModified() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !d.modified.After(t)
}

// matchesAny reports whether an If-None-Match list names etag, comparing
// weakly: W/"x" matches "x".
func matchesAny(list, etag string) bool {
	if strings.TrimSpace(list) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(list, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding, honouring q=0 for gzip and for *.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "gzip", "x-gzip":
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}
