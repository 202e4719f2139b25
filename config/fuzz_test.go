package config

import (
	"bytes"
	"testing"
)

// FuzzParse feeds arbitrary YAML to Parse: it returns a config or an error,
// never panics, and a config it accepts survives its own YAML unchanged.
func FuzzParse(f *testing.F) {
	f.Add(DefaultYAML())
	for _, s := range []string{
		"listen: 127.0.0.1:9000\nsources:\n  - name: isw\n    url: https://example.org/feed\n    lang: en\n    role: original\n",
		"series:\n  russian-offensive:\n    calendar: {401: 2023-03-29}\n  iran-update:\n    publish: true\n",
		"sources:\n  - name: spartanat\n    url: https://www.spartanat.com/feed/\n    lang: de\n    role: translation\n    number: 'Die Lage (\\d+)'\n    schedule: '@every 1h'\n",
		"min_interval: 1h\nmax_interval: 5m\nfeed_size: -1\n",
		"&a [*a]", "? : !!binary x", "{listen: [1, {2: 3}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz")
		if err != nil {
			return
		}
		out, err := cfg.YAML()
		if err != nil {
			t.Fatalf("an accepted config does not render: %v", err)
		}
		again, err := Parse(out, "fuzz")
		if err != nil {
			t.Fatalf("an accepted config's own YAML is refused: %v\n%s", err, out)
		}
		if out2, err := again.YAML(); err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("the YAML changed on a round trip (%v):\n%s\n---\n%s", err, out, out2)
		}
	})
}
