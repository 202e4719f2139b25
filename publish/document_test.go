package publish

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// Documents are filled in pooled buffers: what one keeps must stay its own
// while the buffers go on to fill others.
func TestDocumentsKeepTheirBytesWhileBuffersAreReused(t *testing.T) {
	var docs []*document
	var want [][]byte
	for i := range 40 {
		body, err := marshalJSON(map[string]any{"n": i, "text": strings.Repeat(fmt.Sprintf("<p>report %d</p>", i), 50*(i+1))})
		if err != nil {
			t.Fatal(err)
		}
		d := newDocument(body, typeJSON, time.Time{})
		d.gzipped()
		docs = append(docs, d)
		want = append(want, bytes.Clone(body))
	}
	for i, d := range docs {
		if !bytes.Equal(d.bytes(), want[i]) {
			t.Fatalf("document %d: its body changed after others were rendered", i)
		}
		zr, err := gzip.NewReader(bytes.NewReader(d.gzipped()))
		if err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, want[i]) {
			t.Fatalf("document %d: its gzip holds other bytes (%v)", i, err)
		}
	}
}
