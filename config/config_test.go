package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const validSources = `
sources:
  - name: isw
    url: https://understandingwar.org/feed/
    lang: en
    role: original
`

func TestParseRejectsMistakes(t *testing.T) {
	tests := map[string]struct {
		yaml string
		want []string // every fragment must appear in the error
	}{
		"unknown top-level key suggests the right one": {
			yaml: "lisen: 127.0.0.1:8080\n" + validSources,
			want: []string{`unknown key "lisen"`, `did you mean "listen"`},
		},
		"unknown source key is named": {
			yaml: validSources + "    languge: en\n",
			want: []string{`unknown key "languge"`, "known keys here: name, url, lang"},
		},
		"missing url": {
			yaml: "sources:\n  - name: isw\n    lang: en\n    role: original\n",
			want: []string{"sources[0] (isw).url: missing"},
		},
		"url that is not http": {
			yaml: "sources:\n  - name: isw\n    url: ftp://example.org/feed\n    lang: en\n    role: original\n",
			want: []string{"sources[0] (isw).url", "not an http(s) URL"},
		},
		"pprof on a public address": {
			yaml: "pprof: 0.0.0.0:6060\n" + validSources,
			want: []string{"pprof:", "not a loopback host:port", "127.0.0.1:6060"},
		},
		"bad cron spec": {
			yaml: "schedule: every half hour\n" + validSources,
			want: []string{"schedule:", "not a cron spec"},
		},
		"bad per-source cron spec": {
			yaml: validSources + "    schedule: '61 * * * *'\n",
			want: []string{"sources[0] (isw).schedule", "not a cron spec"},
		},
		"duplicate source name": {
			yaml: validSources + "  - name: isw\n    url: https://example.org/feed\n    lang: de\n    role: translation\n",
			want: []string{"sources[1] (isw).name", "already used by sources[0]"},
		},
		"bad language tag": {
			yaml: "sources:\n  - name: isw\n    url: https://example.org/feed\n    lang: english language\n    role: original\n",
			want: []string{"sources[0] (isw).lang", "not a BCP 47 language tag"},
		},
		"role other than original or translation": {
			yaml: "sources:\n  - name: isw\n    url: https://example.org/feed\n    lang: en\n    role: mirror\n",
			want: []string{"sources[0] (isw).role", `"mirror" is not a role`},
		},
		"listen address that does not parse": {
			yaml: "listen: localhost\n" + validSources,
			want: []string{"listen:", "not a host:port"},
		},
		"number pattern without a group": {
			yaml: validSources + "    number: 'Die Lage \\d+'\n",
			want: []string{"sources[0] (isw).number", "needs a group"},
		},
		"number pattern that does not compile": {
			yaml: validSources + "    number: 'Die Lage (\\d+'\n",
			want: []string{"sources[0] (isw).number", "not a regular expression"},
		},
		"lag beyond a week": {
			yaml: validSources + "    lag: 30\n",
			want: []string{"sources[0] (isw).lag", "30 is not a lag in days", "write lag: 1"},
		},
		"negative lag": {
			yaml: validSources + "    lag: -1\n",
			want: []string{"sources[0] (isw).lag", "-1 is not a lag"},
		},
		"no sources": {
			yaml: "listen: 127.0.0.1:9000\n",
			want: []string{"sources: no sources"},
		},
		"max interval below min interval": {
			yaml: "min_interval: 1h\nmax_interval: 5m\n" + validSources,
			want: []string{"max_interval:", "below min_interval"},
		},
		"calendar date that is not a date": {
			yaml: "series:\n  russian-offensive:\n    calendar: {401: 29.03.2023}\n" + validSources,
			want: []string{"YYYY-MM-DD"},
		},
		"unknown series suggests the right one": {
			yaml: "series:\n  iran-updates:\n    publish: true\n" + validSources,
			want: []string{"series.iran-updates: unknown series", `did you mean "iran-update"`},
		},
		"duration written in words names the key and shows a duration": {
			yaml: "min_interval: 5 minutes\n" + validSources,
			want: []string{`line 1: min_interval: "5 minutes" is not a duration; write a duration such as 5m or 1h30m`},
		},
		"duration without a unit names the key": {
			yaml: "min_interval: 300\n" + validSources,
			want: []string{`min_interval: "300" is not a duration`},
		},
		"number written in words names the key and shows a number": {
			yaml: "feed_size: lots\n" + validSources,
			want: []string{`line 1: feed_size: "lots" is not a whole number; write a whole number such as 50`},
		},
		"bad fetch timeout names the nested key": {
			yaml: "fetch:\n  timeout: soon\n" + validSources,
			want: []string{`line 2: fetch.timeout: "soon" is not a duration`},
		},
		"list where a source's schedule belongs names the source by index": {
			yaml: validSources + "    schedule: ['*/30 * * * *']\n",
			want: []string{"sources[0].schedule: a list is not text"},
		},
		"publish that is not a boolean asks for true or false": {
			yaml: "series:\n  iran-update:\n    publish: maybe\n" + validSources,
			want: []string{`series.iran-update.publish: "maybe" is not true or false; write true or false`},
		},
		"single hub instead of a list asks for a list": {
			yaml: "hubs: https://pubsubhubbub.appspot.com/\n" + validSources,
			want: []string{`hubs: "https://pubsubhubbub.appspot.com/" is not a list; write a list`},
		},
		"value where fetch's keys belong lists those keys": {
			yaml: "fetch: 30s\n" + validSources,
			want: []string{`fetch: "30s" is not a mapping; write keys under it such as connect_timeout, timeout`},
		},
		"calendar key that is not a number names the key": {
			yaml: "series:\n  russian-offensive:\n    calendar: {four-hundred: 2023-03-29}\n" + validSources,
			want: []string{`series.russian-offensive.calendar.four-hundred: "four-hundred" is not a whole number`},
		},
		"calendar date that is not a date names the update number": {
			yaml: "series:\n  russian-offensive:\n    calendar: {401: 29.03.2023}\n" + validSources,
			want: []string{`series.russian-offensive.calendar.401: "29.03.2023" is not a date; write it as YYYY-MM-DD`},
		},
		"every wrong value is reported, with unknown keys, in line order": {
			yaml: "feed_size: lots\nlisen: x\nseries:\n  russian-offensive:\n    calendar: {401: 29.03.2023}\nmin_interval: 5 minutes\n" + validSources,
			want: []string{"line 1: feed_size", "\nline 2: unknown key \"lisen\"", "\nline 5: series.russian-offensive.calendar.401", "\nline 6: min_interval"},
		},
		"min interval above the default max suggests a max that is valid": {
			yaml: "min_interval: 7h\n" + validSources,
			want: []string{"max_interval: 6h is below min_interval 7h; raise it to at least min_interval (e.g. max_interval: 7h)"},
		},
		"negative duration": {
			yaml: "min_interval: -5m\n" + validSources,
			want: []string{"min_interval: must be a positive duration"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "test.yaml")
			if err == nil {
				t.Fatalf("config accepted; want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestEffectiveConfigShowsWhatIsServed(t *testing.T) {
	c, err := Parse([]byte("min_interval: 90s\nmax_interval: 1h30m\n"+validSources), "t")
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"subtitle: " + DefaultSubtitle + "\n",
		"min_interval: 1m30s\n", "max_interval: 1h30m\n", "cache_max_age: 5m\n", "  timeout: 30s\n",
		"series:\n  russian-offensive:\n    calendar: {}\n    publish: true\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("effective config lacks %q:\n%s", want, out)
		}
	}
}

func TestDefaultConfigFollowsISWAndSpartanat(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	isw, ok := c.Source("isw")
	if !ok || isw.URL != "https://understandingwar.org/feed/?post_type=post" || isw.Lang != "en" || isw.Role != RoleOriginal {
		t.Errorf("isw source = %+v", isw)
	}
	sp, ok := c.Source("spartanat")
	if !ok || sp.URL != "https://www.spartanat.com/feed/" || sp.Lang != "de" || sp.Role != RoleTranslation {
		t.Errorf("spartanat source = %+v", sp)
	}
	if c.Origin != "embedded default" {
		t.Errorf("origin = %q", c.Origin)
	}
}

func TestDefaultsFillOmittedKeys(t *testing.T) {
	c, err := Parse([]byte("listen: 127.0.0.1:9999\nseries:\n  russian-offensive:\n    calendar: {401: 2023-03-29}\n  iran-update:\n    publish: true\n"+validSources), "t")
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://127.0.0.1:9999/" || c.FeedSize != 50 || c.MinInterval != 5*time.Minute ||
		c.MaxInterval != 6*time.Hour || c.Fetch.MaxBodyBytes != 10<<20 || c.Fetch.Timeout != 30*time.Second {
		t.Errorf("defaults not applied: %+v", c)
	}
	if got := c.Series["russian-offensive"].Calendar[401].Format(time.DateOnly); got != "2023-03-29" {
		t.Errorf("anchor 401 = %s", got)
	}
	if !c.Published("russian-offensive") || !c.Published("iran-update") || c.Published("china-taiwan") {
		t.Error("published series wrong")
	}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out, "round trip")
	if err != nil {
		t.Fatalf("effective config does not parse back: %v\n%s", err, out)
	}
	if again.BaseURL != c.BaseURL || len(again.Sources) != 1 {
		t.Errorf("round trip changed config")
	}
}

func TestLoadPrefersLocalFileThenEmbedded(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	c, err := Load("")
	if err != nil || c.Origin != "embedded default" {
		t.Fatalf("no local file: origin=%v err=%v", c, err)
	}
	if err := os.WriteFile(filepath.Join(dir, DefaultFile), []byte("listen: 127.0.0.1:7000\n"+validSources), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = Load("")
	if err != nil || c.Listen != "127.0.0.1:7000" {
		t.Fatalf("local file ignored: %+v %v", c, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("missing file accepted")
	}
}
