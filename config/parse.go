package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// Defaults applied to keys the file leaves out; iswfeed check prints them.
const (
	defaultListen         = "127.0.0.1:8080"
	defaultDatabase       = "iswfeed.db"
	defaultTitle          = "ISW daily reports, merged"
	DefaultSubtitle       = "The Institute for the Study of War's daily reports, one entry per report, with every translation."
	defaultSchedule       = "@every 30m"
	defaultMinInterval    = 5 * time.Minute
	defaultMaxInterval    = 6 * time.Hour
	defaultFeedSize       = 50
	defaultCacheMaxAge    = 5 * time.Minute
	defaultConnectTimeout = 10 * time.Second
	defaultTimeout        = 30 * time.Second
	defaultMaxBodyBytes   = 10 << 20
	defaultConcurrency    = 8
)

// Defaults of the phase timeouts, the slowest body and the article fetches.
const (
	defaultTLSTimeout        = 10 * time.Second
	defaultFirstByteTimeout  = 20 * time.Second
	defaultMinBytesPerSecond = 512
	defaultFullTextTimeout   = 20 * time.Second
	defaultFullTextMaxBytes  = 5 << 20
	defaultRoundWait         = 5 * time.Second
)

// maxRoundWait bounds fetch.round_wait: a round that waits longer holds a
// new report back from the feeds for no poll's sake, as polls time out sooner.
const maxRoundWait = 5 * time.Minute

// cronParser accepts the standard five fields and descriptors such as "@every 30m".
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a cron spec the way the config validates it.
func ParseSchedule(spec string) (cron.Schedule, error) { return cronParser.Parse(spec) }

// Parse decodes and validates a config; origin names it in messages.
func Parse(data []byte, origin string) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: %s", origin, explainYAML(data, err))
	}
	c.Origin = origin
	c.applyDefaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", origin, err)
	}
	return c, nil
}

func (c *Config) applyDefaults() {
	c.Listen = cmp.Or(c.Listen, defaultListen)
	c.Database = cmp.Or(c.Database, defaultDatabase)
	c.Title = cmp.Or(c.Title, defaultTitle)
	c.Subtitle = cmp.Or(c.Subtitle, DefaultSubtitle)
	c.Schedule = cmp.Or(c.Schedule, defaultSchedule)
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen + "/"
	}
	if !strings.HasSuffix(c.BaseURL, "/") {
		c.BaseURL += "/"
	}
	c.MinInterval = cmp.Or(c.MinInterval, defaultMinInterval)
	c.MaxInterval = cmp.Or(c.MaxInterval, defaultMaxInterval)
	c.FeedSize = cmp.Or(c.FeedSize, defaultFeedSize)
	c.CacheMaxAge = cmp.Or(c.CacheMaxAge, defaultCacheMaxAge)
	c.Fetch.ConnectTimeout = cmp.Or(c.Fetch.ConnectTimeout, defaultConnectTimeout)
	c.Fetch.Timeout = cmp.Or(c.Fetch.Timeout, defaultTimeout)
	c.Fetch.MaxBodyBytes = cmp.Or(c.Fetch.MaxBodyBytes, defaultMaxBodyBytes)
	c.Fetch.Concurrency = cmp.Or(c.Fetch.Concurrency, defaultConcurrency)
	c.Fetch.TLSTimeout = cmp.Or(c.Fetch.TLSTimeout, defaultTLSTimeout)
	c.Fetch.FirstByteTimeout = cmp.Or(c.Fetch.FirstByteTimeout, defaultFirstByteTimeout)
	c.Fetch.MinBytesPerSecond = cmp.Or(c.Fetch.MinBytesPerSecond, defaultMinBytesPerSecond)
	c.Fetch.FullTextTimeout = cmp.Or(c.Fetch.FullTextTimeout, defaultFullTextTimeout)
	c.Fetch.FullTextMaxBytes = cmp.Or(c.Fetch.FullTextMaxBytes, defaultFullTextMaxBytes)
	c.Fetch.RoundWait = cmp.Or(c.Fetch.RoundWait, defaultRoundWait)
	for i, s := range c.Sources {
		if s.URL == "" && len(s.URLs) > 0 {
			c.Sources[i].URL = s.URLs[0]
		}
	}
	c.settleSeries()
}

// settleSeries lists the built-in daily series and says of every series whether
// it is published, so the effective config shows what the feeds will carry.
func (c *Config) settleSeries() {
	if _, ok := c.Series[DefaultSeries]; !ok {
		if c.Series == nil {
			c.Series = map[string]Series{}
		}
		c.Series[DefaultSeries] = Series{}
	}
	for name, s := range c.Series {
		published := c.Published(name)
		s.Publish = &published
		c.Series[name] = s
	}
}

// Validate checks every key and returns one error listing each mistake.
func (c *Config) Validate() error {
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		fail("listen", "%q is not a host:port address; write e.g. listen: 127.0.0.1:8080", c.Listen)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || !u.IsAbs() || u.Host == "" {
		fail("base_url", "%q is not an absolute URL; write e.g. base_url: https://feeds.example.org/", c.BaseURL)
	}
	if _, err := ParseSchedule(c.Schedule); err != nil {
		fail("schedule", "%q is not a cron spec (%v); write e.g. schedule: \"@every 30m\" or \"*/30 * * * *\"", c.Schedule, err)
	}
	if c.MinInterval <= 0 {
		fail("min_interval", "must be a positive duration such as 5m")
	}
	if c.MaxInterval < c.MinInterval {
		fail("max_interval", "%s is below min_interval %s; raise it to at least min_interval (e.g. max_interval: %s)",
			durationText(c.MaxInterval), durationText(c.MinInterval), durationText(c.MinInterval))
	}
	if c.FeedSize < 1 {
		fail("feed_size", "must be at least 1 (default %d)", defaultFeedSize)
	}
	if c.CacheMaxAge < 0 {
		fail("cache_max_age", "must not be negative")
	}
	if c.Pprof != "" && !isLoopback(c.Pprof) {
		fail("pprof", "%q is not a loopback host:port; profiles are for the operator, so write e.g. pprof: 127.0.0.1:6060, or leave it out", c.Pprof)
	}
	for i, h := range c.Hubs {
		if !httpURL(h) {
			fail(fmt.Sprintf("hubs[%d]", i), "%q is not an http(s) URL", h)
		}
	}
	f := c.Fetch
	if min(f.ConnectTimeout, f.TLSTimeout, f.FirstByteTimeout, f.Timeout, f.FullTextTimeout) < 0 ||
		min(f.MaxBodyBytes, f.MinBytesPerSecond, f.FullTextMaxBytes) < 0 || f.Concurrency < 0 {
		fail("fetch", "limits must not be negative")
	}
	if f.RoundWait <= 0 || f.RoundWait > maxRoundWait {
		fail("fetch.round_wait", "%s is not a positive duration of at most %s; write e.g. round_wait: 5s (the default)",
			durationText(f.RoundWait), durationText(maxRoundWait))
	}
	for name, s := range c.Series {
		if !slices.Contains(KnownSeries, name) {
			hint := "known series: " + strings.Join(KnownSeries, ", ")
			if s := suggest(name, KnownSeries); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			fail("series."+name, "unknown series; %s", hint)
		}
		for n := range s.Calendar {
			if n < 1 {
				fail(fmt.Sprintf("series.%s.calendar.%d", name, n), "update numbers start at 1")
			}
		}
	}
	if len(c.Sources) == 0 {
		fail("sources", "no sources; add at least one with name, url, lang and role")
	}
	seen := map[string]int{}
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		if s.Name != "" {
			key = fmt.Sprintf("sources[%d] (%s)", i, s.Name)
		}
		errs = append(errs, s.validate(key)...)
		if j, dup := seen[s.Name]; dup && s.Name != "" {
			fail(key+".name", "%q is already used by sources[%d]; names must be unique", s.Name, j)
		}
		seen[s.Name] = i
	}
	return errors.Join(errs...)
}

// isLoopback reports whether addr is a host:port on a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

var (
	sourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

func (s Source) validate(key string) []error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", key, field, fmt.Sprintf(format, args...)))
	}
	if s.Name == "" {
		fail("name", "missing; give the source a short unique name, e.g. name: spartanat")
	} else if !sourceName.MatchString(s.Name) {
		fail("name", "%q may use only letters, digits, '.', '_' and '-'", s.Name)
	}
	if s.URL == "" {
		fail("url", "missing; add the feed's address, e.g. url: https://www.spartanat.com/feed/")
	} else if !httpURL(s.URL) {
		fail("url", "%q is not an http(s) URL", s.URL)
	}
	for i, u := range s.URLs {
		if !httpURL(u) {
			fail(fmt.Sprintf("urls[%d]", i), "%q is not an http(s) URL", u)
		}
	}
	if s.Lang == "" {
		fail("lang", "missing; give the language of the source's posts, e.g. lang: de")
	} else if _, err := language.Parse(s.Lang); err != nil {
		fail("lang", "%q is not a BCP 47 language tag; write e.g. lang: de or lang: uk", s.Lang)
	}
	switch s.Role {
	case RoleOriginal, RoleTranslation:
	case "":
		fail("role", "missing; write role: original or role: translation")
	default:
		fail("role", "%q is not a role; write role: original or role: translation", s.Role)
	}
	if s.Number != "" {
		re, err := regexp.Compile(s.Number)
		switch {
		case err != nil:
			fail("number", "not a regular expression: %v", err)
		case re.NumSubexp() < 1:
			fail("number", "%q needs a group around the number, e.g. 'Die Lage (\\d+)'", s.Number)
		}
	}
	if s.Lag != nil && (*s.Lag < 0 || *s.Lag > MaxLag) {
		fail("lag", "%d is not a lag in days; write lag: 1 for a source that posts the day after the report (0 to %d)", *s.Lag, MaxLag)
	}
	if s.Schedule != "" {
		if _, err := ParseSchedule(s.Schedule); err != nil {
			fail("schedule", "%q is not a cron spec (%v)", s.Schedule, err)
		}
	}
	return errs
}

// httpURL reports whether s is an http(s) URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// suggest returns the known key closest to key, if it is close enough to be a typo.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// YAML renders the effective config, defaults included, with durations
// written the way an operator writes them (6h, not 6h0m0s).
func (c *Config) YAML() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	walk(&doc, configType, "", func(n *yaml.Node, t reflect.Type, _ string) bool {
		if t != durationType {
			return true
		}
		if d, err := time.ParseDuration(n.Value); err == nil {
			n.Value = durationText(d)
		}
		return true
	})
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return buf.Bytes(), nil
}
