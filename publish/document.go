package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
// held only as their gzip (a feed's, joined from its entries' pieces, see
// gzipjoin.go), and a strong ETag for each representation (RFC 9110 wants
// different strong validators for the two). A request without gzip, an
// export and the tests inflate it.
type document struct {
	gz           []byte
	rawLen       int
	etag, gzEtag string
	contentType  string
	modified     time.Time
	lastModified string
	// header holds extra response headers: WebSub's Link, pages' CSP. It is
	// not changed once the document is served; serve copies it from extra,
	// its fields listed on first use, since ranging over a map costs more
	// than the copy.
	header    http.Header
	extraOnce sync.Once
	extra     []headerField
	// The values of the headers every answer sends, made once so that a
	// request allocates none: http.Header keys in canonical form.
	etagHeader, gzEtagHeader, typeHeader, lengthHeader, gzLengthHeader, modifiedHeader []string
	// plain, when set, keeps the inflated bytes of plain answers (the
	// server's, set by stamped).
	plain *plainCache
	// body, when set, is the document's bytes as rendered: an export keeps
	// them (Server.keepBytes) to write beside the gzip, which it would
	// otherwise inflate again.
	body []byte
}

// zipped is a document's gzip and the length of what it inflates to, and
// those bytes where they are kept (see document.body).
type zipped struct {
	gz    []byte
	size  int
	plain []byte
}

func newDocument(body []byte, contentType string, modified time.Time) *document {
	buf := getBuffer()
	defer putBuffer(buf)
	gzipTo(buf, body)
	// An exact-size copy: a buffer's spare capacity is memory the document
	// would hold without counting it.
	return newDocumentSum(zipped{gz: copyExact(buf.Bytes()), size: len(body)}, sha256.Sum256(body), contentType, modified)
}

// newDocumentSum is a document of z, whose bytes' hash is known: sum must
// change whenever the bytes do (a spliced feed's comes from its parts').
func newDocumentSum(z zipped, sum [sha256.Size]byte, contentType string, modified time.Time) *document {
	tag := hex.EncodeToString(sum[:16])
	d := &document{gz: z.gz, rawLen: z.size, body: z.plain, contentType: contentType, etag: `"` + tag + `"`, gzEtag: `"` + tag + `-gzip"`}
	d.etagHeader, d.gzEtagHeader = []string{d.etag}, []string{d.gzEtag}
	d.typeHeader, d.lengthHeader = []string{contentType}, []string{strconv.Itoa(z.size)}
	d.gzLengthHeader = []string{strconv.Itoa(len(z.gz))}
	d.setModified(modified)
	return d
}

// gzipped returns the gzip of the document's bytes.
func (d *document) gzipped() []byte { return d.gz }

// gzipLevel is klauspost's default, several times faster than the standard
// library's and about a tenth larger; its best level is as small and slower
// still.
const gzipLevel = gzip.DefaultCompression

// gzipWriters keeps gzip writers for reuse: each holds about a megabyte of
// tables, which a new writer per document allocated and cleared again (a
// third of what an export allocated).
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzipLevel)
	return zw
}}

// gzipTo appends the gzip of body to buf.
func gzipTo(buf *bytes.Buffer, body []byte) {
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(buf)
	zw.Write(body)
	zw.Close()
	zw.Reset(io.Discard) // so that the pool holds no buffer
	gzipWriters.Put(zw)
}

// buffers keeps the buffers that rendering fills and copies out of, so that
// each document costs its own bytes and not the doublings of a buffer's
// growth.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse: a rare large
// document's buffer is left to the collector rather than held.
const maxPooledBuffer = 8 << 20

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		buffers.Put(b)
	}
}

// copyExact returns a copy of b of its own length and capacity: what is
// filled in a pooled buffer leaves it so.
func copyExact(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }

// bytes returns the document's bytes: those it keeps, else inflated into a
// slice of the caller's. Neither is to be written to.
func (d *document) bytes() []byte {
	if d.body != nil {
		return d.body
	}
	return inflated(d.gz, d.rawLen)
}

// size is the memory the document holds, about: its gzip, the bytes it
// keeps, and the rest.
func (d *document) size() int {
	return allocated(cap(d.gz)) + allocated(cap(d.body)) + documentOverhead
}

// documentOverhead is what a document holds beyond its bodies: the struct,
// its ETags, header values and extra headers (measured: about 1.1 KiB).
const documentOverhead = 1152

// setModified sets the document's time and the Last-Modified it sends.
func (d *document) setModified(t time.Time) {
	d.modified = t.UTC().Truncate(time.Second)
	d.lastModified, d.modifiedHeader = "", nil
	if d.hasModified() {
		d.lastModified = d.modified.Format(http.TimeFormat)
		d.modifiedHeader = []string{d.lastModified}
	}
}

var (
	varyHeader = []string{"Accept-Encoding"}
	gzipHeader = []string{"gzip"}
	// revalidate is the Cache-Control of documents of live state.
	revalidate = cacheControl(0)
)

// cacheControl is the Cache-Control value of a document kept maxAge.
func cacheControl(maxAge time.Duration) []string {
	return []string{"public, max-age=" + strconv.Itoa(int(maxAge.Seconds()))}
}

// serve answers r from d with Cache-Control cc (see cacheControl): 304 when
// the client's validators match, gzip when the client accepts it, headers
// only for HEAD. It returns the status it sent.
func (d *document) serve(w http.ResponseWriter, r *http.Request, cc []string) int {
	h := w.Header()
	gz := acceptsGzip(requestHeader(r, "Accept-Encoding"))
	etag := d.etagHeader
	if gz {
		etag = d.gzEtagHeader
	}
	h["Etag"] = etag
	h["Vary"] = varyHeader
	h["Cache-Control"] = cc
	if d.modifiedHeader != nil {
		h["Last-Modified"] = d.modifiedHeader
	}
	for _, f := range d.extraFields() {
		h[f.key] = f.values
	}
	if d.notModified(r, etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	length := d.lengthHeader
	if gz {
		length = d.gzLengthHeader
		h["Content-Encoding"] = gzipHeader
	}
	h["Content-Type"] = d.typeHeader
	h["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	switch {
	case r.Method == http.MethodHead:
	case gz:
		w.Write(d.gz)
	default:
		d.writeBytes(w)
	}
	return http.StatusOK
}

// writeBytes writes the document's bytes to w: those its plain cache keeps,
// else inflated, and kept there when they fit.
func (d *document) writeBytes(w io.Writer) {
	if d.plain == nil {
		if err := inflateTo(w, d.gz); err != nil {
			panic(fmt.Sprintf("publish: a document's own gzip does not inflate: %v", err))
		}
		return
	}
	b, ok := d.plain.get(d.etag)
	if !ok {
		b = d.bytes()
		d.plain.put(d.etag, b)
	}
	w.Write(b)
}

// headerField is one field of a document's extra headers.
type headerField struct {
	key    string
	values []string
}

func (d *document) extraFields() []headerField {
	d.extraOnce.Do(func() {
		for k, vs := range d.header {
			d.extra = append(d.extra, headerField{k, vs})
		}
	})
	return d.extra
}

func (d *document) hasModified() bool { return d.modified.Unix() > 0 }

// notModified applies RFC 9110's order: If-None-Match (weak comparison, lists
// and *) and, only without it, If-Modified-Since.
func (d *document) notModified(r *http.Request, etag string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := requestHeader(r, "If-None-Match"); inm != "" {
		return matchesAny(inm, etag)
	}
	ims := requestHeader(r, "If-Modified-Since")
	if ims == "" || !d.hasModified() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !d.modified.After(t)
}

// requestHeader is r's first value of the header key, which must be in
// canonical form: net/http canonicalises the keys it reads, so this skips
// the canonicalising that Header.Get does on every call.
func requestHeader(r *http.Request, key string) string {
	if vs := r.Header[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// matchesAny reports whether an If-None-Match list names etag, comparing
// weakly: W/"x" matches "x".
func matchesAny(list, etag string) bool {
	if strings.TrimSpace(list) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for rest := list; rest != ""; {
		var t string
		t, rest, _ = strings.Cut(rest, ",")
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding, honouring q=0 for gzip and for *.
func acceptsGzip(header string) bool {
	star := false
	for rest := header; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if params != "" {
			if v, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			return q > 0
		case name == "*":
			star = q > 0
		}
	}
	return star
}
