package publish

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// A document holds its bytes only as their gzip; what answers without gzip,
// an export and the tests inflate it. Plain answers are rare (feed readers
// and browsers ask for gzip) but a client that polls without it should not
// cost an inflate per request: the bytes most recently inflated for one are
// kept, within a bound.

// flateReaders keeps inflaters for reuse: each holds a 32 KiB window.
var flateReaders = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// inflateTo writes what gz, a gzip member of the package's own making,
// inflates to, to w.
func inflateTo(w io.Writer, gz []byte) error {
	// Ours have no optional fields (FLG 0), so their header is 10 bytes.
	if len(gz) < gzipFraming || !bytes.Equal(gz[:4], gzipMemberHeader[:4]) {
		return fmt.Errorf("publish: not a gzip member of our own making")
	}
	zr := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(zr)
	zr.(flate.Resetter).Reset(bytes.NewReader(gz[len(gzipMemberHeader):len(gz)-8]), nil)
	_, err := io.Copy(w, zr)
	return err
}

// inflateRaw appends to buf what a piece deflated alone inflates to.
func inflateRaw(buf *bytes.Buffer, deflated []byte) error {
	zr := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(zr)
	// A piece ends unfinished: the final block ends its stream.
	zr.(flate.Resetter).Reset(io.MultiReader(bytes.NewReader(deflated), bytes.NewReader(finalBlock[:])), nil)
	if _, err := buf.ReadFrom(zr); err != nil {
		return fmt.Errorf("publish: a piece of a document does not inflate: %w", err)
	}
	return nil
}

// inflated returns what gz inflates to, which is size bytes long.
func inflated(gz []byte, size int) []byte {
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if err := inflateTo(buf, gz); err != nil || buf.Len() != size {
		panic(fmt.Sprintf("publish: a document's own gzip does not inflate to its %d bytes: %d, %v", size, buf.Len(), err))
	}
	return buf.Bytes()
}

// plainCache keeps the inflated bytes of the documents last served without
// gzip, by ETag, so that it holds no document: at most limit bytes, counted
// as the heap gives them, dropping the least recently used.
type plainCache struct {
	mu    sync.Mutex
	limit int
	held  int
	tick  uint64
	byTag map[string]*plainBytes
}

type plainBytes struct {
	bytes []byte
	used  uint64
}

// plainOverhead is what an entry holds beside its bytes: its key's bytes
// aside, the map's slot and the entry.
const plainOverhead = 96

// maxPlainBytes bounds each server's plainCache: two current feeds of
// 10,000 reports in five languages (the merged Atom is 0.85 MB), for the
// rare reader that polls without gzip. More held documents that a crawler
// asks for once, in a heap that must stay under serve's soft limit.
const maxPlainBytes = 2 << 20

// get returns the bytes kept for etag.
func (c *plainCache) get(etag string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byTag[etag]
	if !ok {
		return nil, false
	}
	c.tick++
	e.used = c.tick
	return e.bytes, true
}

// put keeps b under etag, dropping the least recently used until it fits; it
// keeps nothing larger than the bound.
func (c *plainCache) put(etag string, b []byte) {
	size := plainSize(etag, b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.limit {
		return
	}
	if _, ok := c.byTag[etag]; ok {
		return
	}
	for c.held+size > c.limit {
		var oldest string
		var used uint64
		for k, e := range c.byTag {
			if oldest == "" || e.used < used {
				oldest, used = k, e.used
			}
		}
		c.held -= plainSize(oldest, c.byTag[oldest].bytes)
		delete(c.byTag, oldest)
	}
	if c.byTag == nil {
		c.byTag = map[string]*plainBytes{}
	}
	c.tick++
	c.byTag[etag] = &plainBytes{bytes: b, used: c.tick}
	c.held += size
}

// plainSize is what keeping b under etag holds.
func plainSize(etag string, b []byte) int {
	return allocated(cap(b)) + len(etag) + plainOverhead
}
