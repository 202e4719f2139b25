package dedupe

import (
	"bytes"
	"fmt"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// Content is kept in dedupe.content as one zstd frame per item: HTML
// compresses four to six times, and a value that fits a bbolt page costs no
// overflow pages. A value that does not start with zstd's magic number is
// HTML as schema 2 kept it (content is UTF-8 text, and the magic is not),
// which lets the migration to schema 3 and reading share one rule.
var (
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

	// Both are safe for concurrent use. The window need not exceed an
	// item's content, which fetch caps at a few MiB.
	contentEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20), zstd.WithZeroFrames(true))
	contentDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(64<<20))
)

// packContent is the value dedupe.content keeps for html.
func packContent(html string) []byte {
	return contentEncoder.EncodeAll([]byte(html), nil)
}

// unpackContent reads a value of dedupe.content, compressed or, from before
// schema 3, not.
func unpackContent(v []byte) (string, error) {
	if !bytes.HasPrefix(v, zstdMagic) {
		return string(v), nil
	}
	out, err := contentDecoder.DecodeAll(v, nil)
	if err != nil {
		return "", fmt.Errorf("dedupe: damaged content: %w", err)
	}
	return string(out), nil
}

// migrateTo3 compresses every item's content, a chunk of keys at a time so
// that the migration never holds all content in memory.
func migrateTo3(tx *bolt.Tx) error {
	content := tx.Bucket(bucketContent)
	type value struct{ k, v []byte }
	var next []byte
	for {
		var chunk []value
		c := content.Cursor()
		k, v := c.First()
		if next != nil {
			k, v = c.Seek(next)
		}
		for ; k != nil && len(chunk) < 256; k, v = c.Next() {
			if !bytes.HasPrefix(v, zstdMagic) {
				chunk = append(chunk, value{bytes.Clone(k), contentEncoder.EncodeAll(v, nil)})
			}
		}
		if k != nil {
			next = bytes.Clone(k)
		}
		for _, x := range chunk {
			if err := content.Put(x.k, x.v); err != nil {
				return err
			}
		}
		if k == nil {
			return nil
		}
	}
}
