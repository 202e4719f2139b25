package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestProgressDrawsABarOnATerminal(t *testing.T) {
	var out bytes.Buffer
	p := newBar(&out, 4) // as newProgress decides for a character device
	p.step(1, "a.xml", importSummary{}, nil)
	p.step(2, "b.xml", importSummary{}, errors.New("broken"))
	p.done()
	got := out.String()
	for _, want := range []string{"(1/4)", "a.xml", "(2/4)", "b.xml: failed: broken"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output lacks %q:\n%q", want, got)
		}
	}
}
