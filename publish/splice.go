package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"time"

	"iswfeed/dedupe"
)

// A feed document is its head, its entries and its tail. Each entry is
// encoded alone, as the document nests it, and the next render of the same
// feed copies the bytes of the entries whose update did not change from the
// document before, so a new report encodes one entry per feed, not fifty.
// The bytes are those that writeAtom, writeRSS and writeJSONFeed write for
// the whole document (splice_test.go holds them to it).

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

// span is where one entry's bytes sit in a document's body, their hash, and
// the entry's updated time, which the document's own updated is the latest of.
type span struct {
	start, end int
	sum        [sha256.Size]byte
	updated    time.Time
}

// spliced is a rendered feed document with where each entry sits in its body.
// It holds no bytes of its own: body is the document's.
type spliced struct {
	body []byte
	at   map[entryKey]span
}

// fragment returns the bytes of the entry k in the document, if it has it.
func (sp *spliced) fragment(k entryKey) ([]byte, span, bool) {
	if sp == nil {
		return nil, span{}, false
	}
	at, ok := sp.at[k]
	if !ok {
		return nil, span{}, false
	}
	return sp.body[at.start:at.end], at, true
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

// part is one entry of a document on its way in: its bytes and their hash.
type part struct {
	key     entryKey
	bytes   []byte
	sum     [sha256.Size]byte
	updated time.Time
}

// splice writes document d of format, one of st's, with the entries of ups in order: the
// bytes of those prev has, the others encoded from entryOf (given each
// update with its content). It returns the body, exactly sized, a hash of it
// made from its parts' hashes (so that a new entry costs its own bytes' hash,
// not the document's), and where each entry sits in it; d.Updated becomes
// the latest entry's.
func (s *Server) splice(st *site, d *feedDoc, format string, ups []dedupe.Update, prev *spliced,
	entryOf func(*dedupe.Update) entry) ([]byte, [sha256.Size]byte, map[entryKey]span, error) {
	var none [sha256.Size]byte
	lay := layouts[format]
	parts := make([]part, len(ups))
	var missing []dedupe.Update
	var at []int
	for i := range ups {
		k := st.keyOf(&ups[i])
		parts[i].key = k
		if b, sp, ok := prev.fragment(k); ok {
			parts[i].bytes, parts[i].sum, parts[i].updated = b, sp.sum, sp.updated
			continue
		}
		missing, at = append(missing, ups[i]), append(at, i)
	}
	full, err := s.withContent(missing)
	if err != nil {
		return nil, none, nil, err
	}
	s.encoded.Add(int64(len(full)))
	// The entries' bytes are copied into the body: their buffer is reused.
	buf := getBuffer()
	defer putBuffer(buf)
	for j := range full {
		e := entryOf(&full[j])
		start := buf.Len()
		if err := lay.encode(buf, &e, d); err != nil {
			return nil, none, nil, err
		}
		p := &parts[at[j]]
		p.updated = e.Updated
		p.bytes = buf.Bytes()[start:buf.Len():buf.Len()]
	}
	for _, i := range at {
		parts[i].sum = sha256.Sum256(parts[i].bytes)
	}
	times := make([]time.Time, 0, len(parts)+1)
	times = append(times, time.Unix(0, 0).UTC()) // as newest does for no entries
	for i := range parts {
		times = append(times, parts[i].updated)
	}
	d.Updated = latest(times...)
	shell := getBuffer()
	defer putBuffer(shell)
	if err := writers[format](shell, d); err != nil {
		return nil, none, nil, err
	}
	head, tail, err := lay.split(shell.Bytes())
	if err != nil {
		return nil, none, nil, err
	}
	body, spans, err := assemble(lay, head, tail, parts)
	if err != nil {
		return nil, none, nil, err
	}
	return body, sumOf(head, tail, parts), spans, nil
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

// assemble joins head, the entries and tail into one exactly sized body.
func assemble(lay layout, head, tail []byte, parts []part) ([]byte, map[entryKey]span, error) {
	size := len(head) + len(tail)
	for i := range parts {
		size += len(parts[i].bytes) + len(lay.between)
	}
	if len(parts) > 0 {
		size += len(lay.first) + len(lay.last) - len(lay.between)
	}
	body := make([]byte, 0, size)
	body = append(body, head...)
	at := make(map[entryKey]span, len(parts))
	for i := range parts {
		sep := lay.between
		if i == 0 {
			sep = lay.first
		}
		body = append(body, sep...)
		start := len(body)
		body = append(body, parts[i].bytes...)
		at[parts[i].key] = span{start: start, end: len(body), sum: parts[i].sum, updated: parts[i].updated}
	}
	if len(parts) > 0 {
		body = append(body, lay.last...)
	}
	body = append(body, tail...)
	if len(body) != size {
		return nil, nil, fmt.Errorf("publish: spliced %d bytes, counted %d", len(body), size)
	}
	return body, at, nil
}
