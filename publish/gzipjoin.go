package publish

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// A gzip body is joined from pieces deflated alone: each ends with a sync
// flush, which leaves the stream on a byte boundary with every byte before it
// decodable and nothing after it referring back into it, so the pieces'
// bytes can be concatenated, and a render copies an unchanged entry's piece
// from the document before. The member's CRC-32 is combined from the
// pieces' (crc32Combine), so no piece is read again.

// gzipMemberHeader is a gzip member's header without name, time or extra fields
// (RFC 1952), as klauspost's writer makes it.
var gzipMemberHeader = [10]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// finalBlock is an empty, final block with fixed codes: what ends a stream
// of pieces that all end unfinished.
var finalBlock = [2]byte{0x03, 0x00}

// gzipFraming is what a member adds to its pieces: the header, the final
// block and the trailer (CRC-32 and size).
const gzipFraming = len(gzipMemberHeader) + len(finalBlock) + 8

// piece is a part of a document deflated alone: its compressed bytes, and
// the CRC-32 and length of what they inflate to, with the factor that
// combining a CRC with its own takes (shiftOf its length), made once.
type piece struct {
	deflated []byte
	crc      uint32
	size     int
	shift    uint32
}

// newPiece is the piece of deflated, which inflates to p.
func newPiece(deflated, p []byte) piece {
	return piece{deflated: deflated, crc: crc32.ChecksumIEEE(p), size: len(p), shift: shiftOf(len(p))}
}

// newPieceAfter is the piece of deflated, which inflates to sep and then p.
func newPieceAfter(sep string, p []byte) piece {
	n := len(sep) + len(p)
	crc := crc32.Update(crc32.ChecksumIEEE([]byte(sep)), crc32.IEEETable, p)
	return piece{crc: crc, size: n, shift: shiftOf(n)}
}

// flateWriters keeps deflate writers for reuse, as gzipWriters does.
var flateWriters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(io.Discard, gzipLevel)
	return zw
}}

// maxDict is the most of what precedes a piece that it may refer to: deflate's
// window.
const maxDict = 32 << 10

// deflatePiece appends p, deflated and ended by a sync flush, to buf, and
// returns where it starts in buf. It refers to dict (at most maxDict bytes),
// which must be what precedes it in the stream, or to nothing before it when
// dict is nil.
func deflatePiece(buf *bytes.Buffer, dict, p []byte) int {
	start := buf.Len()
	zw := flateWriters.Get().(*flate.Writer)
	zw.ResetDict(buf, dict)
	zw.Write(p)
	zw.Flush()
	// Not Reset, which would deflate dict again to set it.
	zw.ResetDict(io.Discard, nil) // so that the pool holds no buffer
	flateWriters.Put(zw)
	return start
}

// storedLen is the length of p as one stored block (at most 65,535 bytes).
func storedLen(p string) int {
	if p == "" {
		return 0
	}
	return 5 + len(p)
}

// appendStored appends p, a separator, as a stored block: too short to
// compress, and the same bytes wherever it goes.
func appendStored(dst []byte, p string) []byte {
	if p == "" {
		return dst
	}
	if len(p) > 0xffff {
		panic("publish: a stored block holds at most 65,535 bytes")
	}
	n := uint16(len(p))
	dst = append(dst, 0) // not final, stored: the rest of the byte is padding
	dst = binary.LittleEndian.AppendUint16(dst, n)
	dst = binary.LittleEndian.AppendUint16(dst, ^n)
	return append(dst, p...)
}

// gzipMember joins pieces into one gzip member, keeping the CRC-32 and
// length of what it inflates to.
type gzipMember struct {
	out  []byte
	crc  uint32
	size int
}

// newGzipMember starts a member in a buffer of capacity n, which should be
// its whole length.
func newGzipMember(n int) *gzipMember {
	return &gzipMember{out: append(make([]byte, 0, n), gzipMemberHeader[:]...)}
}

// add appends a piece and returns where its deflated bytes start.
func (m *gzipMember) add(p piece) int {
	start := len(m.out)
	m.out = append(m.out, p.deflated...)
	m.crc = multModP(p.shift, m.crc) ^ p.crc
	m.size += p.size
	return start
}

// addStored appends s as a stored block.
func (m *gzipMember) addStored(s string) {
	m.out = appendStored(m.out, s)
	m.crc = crc32.Update(m.crc, crc32.IEEETable, []byte(s))
	m.size += len(s)
}

// close ends the member and returns its bytes.
func (m *gzipMember) close() []byte {
	m.out = append(m.out, finalBlock[:]...)
	m.out = binary.LittleEndian.AppendUint32(m.out, m.crc)
	return binary.LittleEndian.AppendUint32(m.out, uint32(m.size))
}

// crc32Combine returns the CRC-32 (IEEE) of a followed by b from the CRC-32
// of each and the length of b: zlib's crc32_combine, which multiplies crcA
// by x^(8·lenB) modulo the CRC's polynomial.
func crc32Combine(crcA, crcB uint32, lenB int) uint32 {
	return multModP(shiftOf(lenB), crcA) ^ crcB
}

// shiftOf is x^(8n) modulo the polynomial: what shifting a CRC by n bytes
// multiplies it by.
func shiftOf(n int) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n > 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = multModP(x2n[k&31], p)
		}
	}
	return p
}

// multModP multiplies a and b modulo the CRC-32 polynomial, both reflected
// as the CRC holds them (the top bit is x^0).
func multModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
	return p
}

// x2n holds x^(2^k) modulo the polynomial, k from 0 to 31.
var x2n = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < len(t); k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()
