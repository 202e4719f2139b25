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
	t.Run("a poll round waits 5s for its slow polls unless round_wait says otherwise", func(t *testing.T) {
		c, err := Parse([]byte(src), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if c.Fetch.RoundWait != 5*time.Second {
			t.Errorf("default round_wait %v, want 5s", c.Fetch.RoundWait)
		}
		out, err := c.YAML()
		if err != nil || !strings.Contains(string(out), "round_wait: 5s") {
			t.Errorf("the effective config does not show round_wait: 5s (%v):\n%s", err, out)
		}
		c, err = Parse([]byte("fetch: {round_wait: 1500ms}\n"+src), "test.yaml")
		if err != nil || c.Fetch.RoundWait != 1500*time.Millisecond {
			t.Errorf("round_wait: 1500ms gave %v (%v)", c.Fetch.RoundWait, err)
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
		"a negative round_wait is refused with the fix": {
			"fetch: {round_wait: -1s}\n" + src, "fetch.round_wait: -1s is not a positive duration of at most 5m; write e.g. round_wait: 5s"},
		"a round_wait beyond 5m is refused": {
			"fetch: {round_wait: 1h}\n" + src, "fetch.round_wait: 1h is not a positive duration of at most 5m"},
		"round_wait must be a duration": {
			"fetch: {round_wait: soon}\n" + src, `fetch.round_wait: "soon" is not a duration`},
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
