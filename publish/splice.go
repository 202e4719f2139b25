package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/flate"

	"iswfeed/dedupe"
)

// A feed document is its head, its entries and its tail. Each entry is
// encoded alone, as the document nests it, and deflated alone (gzipjoin.go),
// and the next render of the same feed copies the deflated bytes of the
// entries whose update did not change from the document before, so a new
// report encodes and compresses one entry per feed, not fifty. The bytes are
// those that writeAtom, writeRSS and writeJSONFeed write for the whole
// document (splice_test.go holds them to it).

// entryKey names an entry's bytes: the update's id and a hash of everything
// of it an entry shows, content aside (a change of content moves Updated).
type entryKey struct {
	id      string
	version [16]byte
}

// keyOf is u's entryKey.
func keyOf(u *dedupe.Update) entryKey {
	h := sha256.New()
	var buf []byte
	add := func(fs ...string) {
		for _, f := range fs {
			buf = append(append(buf, f...), 0)
		}
	}
	stamp := func(ts ...time.Time) {
		for _, t := range ts {
			buf = binary.BigEndian.AppendUint64(buf, uint64(t.UnixNano()))
		}
	}
	add(u.ID, u.Series, u.ISWURL)
	buf = binary.BigEndian.AppendUint64(buf, uint64(u.Number))
	stamp(u.Date, u.Published, u.Updated)
	for _, v := range u.Variants {
		add(v.Lang, v.Source, v.Role, v.Title, v.URL, v.FeedTitle, v.ItemID)
		stamp(v.Published, v.Changed)
	}
	h.Write(buf)
	k := entryKey{id: u.ID}
	copy(k.version[:], h.Sum(nil))
	return k
}

// keyOf is the entryKey of u, one of st's updates, hashed once per site: the
// views and formats of a site share it.
func (st *site) keyOf(u *dedupe.Update) entryKey {
	st.mu.Lock()
	k, ok := st.keys[u.ID]
	st.mu.Unlock()
	if ok {
		return k
	}
	k = keyOf(u)
	st.mu.Lock()
	if st.keys == nil {
		st.keys = map[string]entryKey{}
	}
	st.keys[u.ID] = k
	st.mu.Unlock()
	return k
}

// span is where one entry's deflated bytes sit in a document's gzip, the
// CRC-32 and length of what they inflate to, their hash, and the entry's
// updated time, which the document's own updated is the latest of.
type span struct {
	start, end int
	crc, shift uint32
	size       int
	after      entryKey // the entry it was deflated against, if any
	sum        [sha256.Size]byte
	updated    time.Time
}

// spliced is a rendered feed document with where each entry sits in its gzip.
// It holds no bytes of its own: body is the document's gzip.
type spliced struct {
	body []byte
	at   map[entryKey]span
}

// fragment returns the deflated entry k of the document, if it has it.
func (sp *spliced) fragment(k entryKey) (piece, span, bool) {
	if sp == nil {
		return piece{}, span{}, false
	}
	at, ok := sp.at[k]
	if !ok {
		return piece{}, span{}, false
	}
	return piece{deflated: sp.body[at.start:at.end], crc: at.crc, size: at.size, shift: at.shift}, at, true
}

// layout is how a format nests its entries: the separators around them, and
// how one is encoded alone.
type layout struct {
	// first goes before the first entry, between between two, last after the
	// last one (none of them when there are no entries).
	first, between, last string
	encode               func(*bytes.Buffer, *entry, *feedDoc) error
	// split cuts a document rendered without entries where they go.
	split func([]byte) (head, tail []byte, err error)
}

var layouts = map[string]layout{
	"atom": {first: "\n", between: "\n", encode: encodeXMLEntry("  ", func(e *entry, _ *feedDoc) any { return newAtomEntry(e) }),
		split: splitSuffix("\n</feed>")},
	"rss": {first: "\n", between: "\n", encode: encodeXMLEntry("    ", func(e *entry, _ *feedDoc) any { return newRSSItem(e) }),
		split: splitSuffix("\n  </channel>\n</rss>")},
	"json": {first: "\n    ", between: ",\n    ", last: "\n  ", encode: encodeJSONItem, split: splitJSONItems},
}

// encodeXMLEntry encodes an entry as an element nested at prefix, with the
// indentation of feeds.WriteXML.
func encodeXMLEntry(prefix string, element func(*entry, *feedDoc) any) func(*bytes.Buffer, *entry, *feedDoc) error {
	return func(buf *bytes.Buffer, e *entry, d *feedDoc) error {
		enc := xml.NewEncoder(buf)
		enc.Indent(prefix, "  ")
		return enc.Encode(element(e, d))
	}
}

// encodeJSONItem encodes an entry as an item of the items array, with the
// indentation and escaping of writeJSONFeed.
func encodeJSONItem(buf *bytes.Buffer, e *entry, d *feedDoc) error {
	if err := encodeIndented(buf, newJSONItem(e, d.About), "    ", "  ", false); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

func splitSuffix(tail string) func([]byte) ([]byte, []byte, error) {
	return func(doc []byte) ([]byte, []byte, error) {
		if !bytes.HasSuffix(doc, []byte(tail)) {
			return nil, nil, fmt.Errorf("publish: a feed without entries does not end in %q", tail)
		}
		n := len(doc) - len(tail)
		return doc[:n], doc[n:], nil
	}
}

// splitJSONItems cuts a JSON Feed inside its empty items array. A key is the
// only place the quoted name can appear: quotes inside strings are escaped.
func splitJSONItems(doc []byte) ([]byte, []byte, error) {
	mark := []byte(`"items": [`)
	i := bytes.Index(doc, append(mark, ']'))
	if i < 0 || bytes.LastIndex(doc, mark) != i {
		return nil, nil, fmt.Errorf("publish: a JSON Feed without items has no single empty items array")
	}
	i += len(mark)
	return doc[:i], doc[i:], nil
}

// part is one entry of a document on its way in: its deflated bytes, the
// entry they were deflated against (zero when alone), and the hash of its
// bytes.
type part struct {
	key     entryKey
	piece   piece
	after   entryKey
	sum     [sha256.Size]byte
	updated time.Time
	// streamed marks a piece deflated in one stream with the part before
	// it (deflateStream): it holds the separator before it, may refer to
	// anything before it, and is never copied.
	streamed bool
}

// A deflater deflates into deflated the parts whose bytes are in raw (rawAt,
// empty for the others), sep between them, setting their pieces.
type deflater func(deflated *bytes.Buffer, parts []part, raw []byte, rawAt [][2]int, sep string)

// splice writes document d of format, one of st's, with the entries of ups
// in order: the deflated bytes of those prev has, the others encoded from
// entryOf (given each update with its content) and deflated. It returns the
// document's gzip, exactly sized, a hash of its bytes made from its parts'
// hashes (so that a new entry costs its own bytes' hash, not the
// document's), and where each entry sits in the gzip; d.Updated becomes the
// latest entry's.
//
// An entry after the first is deflated against the one before it (its bytes
// and the separator, as a preset dictionary: what precedes it in the
// stream), which costs a few percent over one gzip of the whole document
// where deflating each alone cost a fifth; its piece is copied only where it
// follows that entry again. One deflated alone is copied anywhere, and
// deflated again against the entry before it when that one is new.
//
// deflate is deflateParts for a document whose pieces a later render copies
// (a current feed), deflateStream for one whose pieces none copies.
func (s *Server) splice(st *site, d *feedDoc, format string, ups []dedupe.Update, prev *spliced,
	entryOf func(*dedupe.Update) entry, deflate deflater) (zipped, [sha256.Size]byte, map[entryKey]span, error) {
	var none [sha256.Size]byte
	lay := layouts[format]
	parts := make([]part, len(ups))
	var missing []dedupe.Update
	var at []int
	for i := range ups {
		k := st.keyOf(&ups[i])
		parts[i].key = k
		if pc, sp, ok := prev.fragment(k); ok && (sp.after == entryKey{} || i > 0 && sp.after == parts[i-1].key) {
			parts[i].piece, parts[i].after, parts[i].sum, parts[i].updated = pc, sp.after, sp.sum, sp.updated
			continue
		}
		missing, at = append(missing, ups[i]), append(at, i)
	}
	full, err := s.withContent(missing)
	if err != nil {
		return zipped{}, none, nil, err
	}
	s.encoded.Add(int64(len(full)))
	raw := getBuffer()
	defer putBuffer(raw)
	// Where each entry's bytes are in raw, for those encoded now and those
	// deflated again; the others have none.
	rawAt := make([][2]int, len(parts))
	fresh := make([]bool, len(parts))
	for j := range full {
		e := entryOf(&full[j])
		start := raw.Len()
		if err := lay.encode(raw, &e, d); err != nil {
			return zipped{}, none, nil, err
		}
		p := &parts[at[j]]
		p.updated, p.sum = e.Updated, sha256.Sum256(raw.Bytes()[start:])
		rawAt[at[j]], fresh[at[j]] = [2]int{start, raw.Len()}, true
	}
	for i := 1; i < len(parts); i++ {
		if !fresh[i] && fresh[i-1] && parts[i].after == (entryKey{}) {
			start := raw.Len()
			if err := inflateRaw(raw, parts[i].piece.deflated); err != nil {
				return zipped{}, none, nil, err
			}
			rawAt[i] = [2]int{start, raw.Len()}
		}
	}
	deflated := getBuffer()
	defer putBuffer(deflated) // once the gzip has copied the pieces
	deflate(deflated, parts, raw.Bytes(), rawAt, lay.between)
	times := make([]time.Time, 0, len(parts)+1)
	times = append(times, time.Unix(0, 0).UTC()) // as newest does for no entries
	for i := range parts {
		times = append(times, parts[i].updated)
	}
	d.Updated = latest(times...)
	doc := getBuffer()
	defer putBuffer(doc)
	if err := writers[format](doc, d); err != nil {
		return zipped{}, none, nil, err
	}
	head, tail, err := lay.split(doc.Bytes())
	if err != nil {
		return zipped{}, none, nil, err
	}
	shell := getBuffer()
	defer putBuffer(shell)
	headAt, tailAt := deflatePiece(shell, nil, head), deflatePiece(shell, nil, tail)
	headPiece, tailPiece := newPiece(shell.Bytes()[headAt:tailAt], head), newPiece(shell.Bytes()[tailAt:], tail)
	z, spans, err := assemble(lay, headPiece, tailPiece, parts)
	if err != nil {
		return zipped{}, none, nil, err
	}
	if s.keepBytes {
		z.plain = plainOf(lay, head, tail, raw.Bytes(), rawAt, z.size)
	}
	return z, sumOf(head, tail, parts), spans, nil
}

// plainOf joins a document's bytes, size long, from head, the entries' bytes
// in raw (rawAt) and tail, as assemble joins their pieces; nil when an
// entry's bytes are not in raw (its piece was copied, not encoded).
func plainOf(lay layout, head, tail, raw []byte, rawAt [][2]int, size int) []byte {
	out := append(make([]byte, 0, size), head...)
	for i, at := range rawAt {
		if at[1] == 0 {
			return nil
		}
		sep := lay.between
		if i == 0 {
			sep = lay.first
		}
		out = append(append(out, sep...), raw[at[0]:at[1]]...)
	}
	if len(rawAt) > 0 {
		out = append(out, lay.last...)
	}
	out = append(out, tail...)
	if len(out) != size {
		return nil
	}
	return out
}

// deflateParts deflates into deflated each part whose bytes are in raw
// (rawAt, empty for the others) against the bytes of the part before it and
// sep, when those are in raw too, else alone.
func deflateParts(deflated *bytes.Buffer, parts []part, raw []byte, rawAt [][2]int, sep string) {
	dict := getBuffer()
	defer putBuffer(dict)
	var starts []int
	var which []int
	for i := range parts {
		at := rawAt[i]
		if at[1] == 0 {
			continue
		}
		var before []byte
		parts[i].after = entryKey{}
		if prev := rawAt[max(i-1, 0)]; i > 0 && prev[1] > 0 {
			dict.Reset()
			dict.Write(raw[prev[0]:prev[1]])
			dict.WriteString(sep)
			before = dict.Bytes()[max(dict.Len()-maxDict, 0):]
			parts[i].after = parts[i-1].key
		}
		starts, which = append(starts, deflatePiece(deflated, before, raw[at[0]:at[1]])), append(which, i)
		parts[i].piece = newPiece(nil, raw[at[0]:at[1]])
	}
	starts = append(starts, deflated.Len())
	for j, i := range which {
		parts[i].piece.deflated = deflated.Bytes()[starts[j]:starts[j+1]:starts[j+1]]
	}
}

// deflateStream deflates as deflateParts does, but each run of parts whose
// bytes are in raw in one stream, flushed after each part: the window a
// part refers to is then what precedes it, as deflateParts's dictionary is,
// without deflating that dictionary again for each part (klauspost's writer
// sets a dictionary by deflating it), at about half the CPU. The separator
// before each part of a run but the first is deflated with it, since the
// stream must hold it too. Its pieces may refer to every part of the run
// before them, so none is copied into another document.
func deflateStream(deflated *bytes.Buffer, parts []part, raw []byte, rawAt [][2]int, sep string) {
	var zw *flate.Writer
	release := func() {
		if zw != nil {
			zw.ResetDict(io.Discard, nil) // so that the pool holds no buffer
			flateWriters.Put(zw)
			zw = nil
		}
	}
	defer release()
	var starts, which []int
	for i := range parts {
		at := rawAt[i]
		if at[1] == 0 {
			release()
			continue
		}
		p := raw[at[0]:at[1]]
		starts, which = append(starts, deflated.Len()), append(which, i)
		if zw != nil {
			io.WriteString(zw, sep)
			zw.Write(p)
			zw.Flush()
			parts[i].after, parts[i].streamed = parts[i-1].key, true
			parts[i].piece = newPieceAfter(sep, p)
			continue
		}
		var dict []byte
		parts[i].after = entryKey{}
		if prev := rawAt[max(i-1, 0)]; i > 0 && prev[1] > 0 {
			dict = append(append([]byte(nil), raw[prev[0]:prev[1]]...), sep...)
			dict = dict[max(len(dict)-maxDict, 0):]
			parts[i].after = parts[i-1].key
		}
		zw = flateWriters.Get().(*flate.Writer)
		zw.ResetDict(deflated, dict)
		zw.Write(p)
		zw.Flush()
		parts[i].piece = newPiece(nil, p)
	}
	starts = append(starts, deflated.Len())
	for j, i := range which {
		parts[i].piece.deflated = deflated.Bytes()[starts[j]:starts[j+1]:starts[j+1]]
	}
}

// sumOf hashes a document from its head, its entries' hashes and its tail.
// The separators are the format's, so the parts decide the bytes, and a
// collision of the parts' hashes is one of SHA-256.
func sumOf(head, tail []byte, parts []part) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte("iswfeed spliced feed\x00"))
	head0 := sha256.Sum256(head)
	h.Write(head0[:])
	for i := range parts {
		h.Write(parts[i].sum[:])
	}
	tail0 := sha256.Sum256(tail)
	h.Write(tail0[:])
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// assemble joins head, the entries and tail, with the format's separators
// between them as stored blocks, into one exactly sized gzip member.
func assemble(lay layout, head, tail piece, parts []part) (zipped, map[entryKey]span, error) {
	size := gzipFraming + len(head.deflated) + len(tail.deflated)
	for i := range parts {
		size += len(parts[i].piece.deflated)
		if !parts[i].streamed {
			size += storedLen(lay.between)
		}
	}
	if len(parts) > 0 {
		size += storedLen(lay.first) + storedLen(lay.last) - storedLen(lay.between)
	}
	m := newGzipMember(size)
	m.add(head)
	at := make(map[entryKey]span, len(parts))
	for i := range parts {
		sep := lay.between
		if i == 0 {
			sep = lay.first
		}
		p := &parts[i]
		if !p.streamed {
			m.addStored(sep)
		}
		start := m.add(p.piece)
		if p.streamed {
			continue
		}
		at[p.key] = span{start: start, end: start + len(p.piece.deflated), crc: p.piece.crc, shift: p.piece.shift,
			size: p.piece.size, after: p.after, sum: p.sum, updated: p.updated}
	}
	if len(parts) > 0 {
		m.addStored(lay.last)
	}
	m.add(tail)
	gz := m.close()
	if len(gz) != size {
		return zipped{}, nil, fmt.Errorf("publish: spliced %d bytes of gzip, counted %d", len(gz), size)
	}
	return zipped{gz: gz, size: m.size}, at, nil
}
