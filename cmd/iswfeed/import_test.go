package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestProgressDrawsABarOnATerminal(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, 4)
	p.terminal = true // as newProgress decides for a character device
	p.step(1, "a.xml", importSummary{}, nil)
	p.step(2, "b.xml", importSummary{}, errors.New("broken"))
	p.done()
	got := out.String()
	for _, want := range []string{"\r[#######.......................] 1/4 a.xml", "2/4 b.xml", "b.xml: failed: broken", "\r\033[K"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output lacks %q:\n%q", want, got)
		}
	}
}
