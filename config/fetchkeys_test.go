package config

import (
	"strings"
	"testing"
	"time"
)

func TestFetchKeys(t *testing.T) {
	const src = "sources:\n  - {name: a, url: https://a.example/feed, lang: de, role: translation}\n"
	t.Run("phase timeouts, minimum rate and article limits have defaults", func(t *testing.T) {
		c, err := Parse([]byte(src), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		f := c.Fetch
		if f.TLSTimeout != 10*time.Second || f.FirstByteTimeout != 20*time.Second || f.MinBytesPerSecond != 512 ||
			f.FullTextTimeout != 20*time.Second || f.FullTextMaxBytes != 5<<20 || f.AllowPrivateNetworks {
			t.Errorf("defaults: %+v", f)
		}
	})
	t.Run("urls alone makes its first entry the primary", func(t *testing.T) {
		c, err := Parse([]byte("sources:\n  - {name: a, urls: [https://a.example/feed, https://b.example/feed], lang: de, role: translation}\n"), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		got := c.Sources[0].Addresses()
		if c.Sources[0].URL != "https://a.example/feed" || len(got) != 2 || got[1] != "https://b.example/feed" {
			t.Errorf("url %q, addresses %v", c.Sources[0].URL, got)
		}
	})
	for name, tt := range map[string]struct{ yaml, want string }{
		"a fallback that is not http(s) is named": {
			"sources:\n  - {name: a, url: https://a.example/feed, urls: [ftp://b.example/feed], lang: de, role: translation}\n",
			`sources[0] (a).urls[0]: "ftp://b.example/feed" is not an http(s) URL`},
		"a negative phase timeout is refused": {
			"fetch:\n  first_byte_timeout: -1s\n" + src, "fetch: limits must not be negative"},
		"full_text must be true or false": {
			"sources:\n  - {name: a, url: https://a.example/feed, lang: de, role: translation, full_text: sometimes}\n", "full_text"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "test.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
}
