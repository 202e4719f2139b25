package dedupe

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

// TestHashFieldsAsOneWritePerField: the buffered hash is the hash of the
// fields written whole, each with its zero byte, as stored hashes were made.
func TestHashFieldsAsOneWritePerField(t *testing.T) {
	fields := []string{"", "translation", strings.Repeat("Inhalt ", 1000), "x", strings.Repeat("y", 1024), strings.Repeat("z", 2049)}
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	if got, want := hashFields(fields...), h.Sum(nil); !bytes.Equal(got, want) {
		t.Errorf("hashFields = %x, want %x", got, want)
	}
}
