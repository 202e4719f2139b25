// Package config owns iswfeed's YAML schema: its defaults, the embedded default
// config (the real ISW and spartanat feeds), and validation whose messages name
// the key at fault and how to fix it. It never touches the network or the store.
package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultFile is the config read by serve and poll when no -config is given.
const DefaultFile = "iswfeed.yaml"

// Roles a source may play.
const (
	RoleOriginal    = "original"
	RoleTranslation = "translation"
)

// Config is the whole validated configuration of one iswfeed process.
type Config struct {
	Listen      string        `yaml:"listen"`
	Database    string        `yaml:"database"`
	BaseURL     string        `yaml:"base_url"`
	Title       string        `yaml:"title"`
	Subtitle    string        `yaml:"subtitle"`
	Schedule    string        `yaml:"schedule"`
	MinInterval time.Duration `yaml:"min_interval"`
	MaxInterval time.Duration `yaml:"max_interval"`
	FeedSize    int           `yaml:"feed_size"`
	// CacheMaxAge is the max-age the HTTP server puts in Cache-Control.
	CacheMaxAge time.Duration `yaml:"cache_max_age"`
	// Hubs are WebSub hubs pinged after the feed changes.
	Hubs []string `yaml:"hubs"`
	// Pprof, when set, is a loopback host:port where the daemon serves
	// net/http/pprof for its operator; empty serves none.
	Pprof   string            `yaml:"pprof"`
	Fetch   Fetch             `yaml:"fetch"`
	Series  map[string]Series `yaml:"series"`
	Sources []Source          `yaml:"sources"`

	// Origin says where the config came from: a file path or "embedded default".
	Origin string `yaml:"-"`
}

// Fetch holds the limits of one poll.
type Fetch struct {
	// ConnectTimeout, TLSTimeout and FirstByteTimeout bound the phases of a
	// request; Timeout bounds the whole of it, body included.
	ConnectTimeout   time.Duration `yaml:"connect_timeout"`
	Timeout          time.Duration `yaml:"timeout"`
	TLSTimeout       time.Duration `yaml:"tls_timeout"`
	FirstByteTimeout time.Duration `yaml:"first_byte_timeout"`
	// MinBytesPerSecond is the slowest a body may arrive, over 10 s, before it is abandoned.
	MinBytesPerSecond int64 `yaml:"min_bytes_per_second"`
	MaxBodyBytes      int64 `yaml:"max_body_bytes"`
	Concurrency       int   `yaml:"concurrency"`
	// FullTextTimeout and FullTextMaxBytes bound the fetch of one article's page.
	FullTextTimeout  time.Duration `yaml:"full_text_timeout"`
	FullTextMaxBytes int64         `yaml:"full_text_max_bytes"`
	// AllowPrivateNetworks lets article pages and redirects reach loopback,
	// private and link-local addresses; a source's own configured hosts may always.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
	// RoundWait is how long a poll round waits, after its first poll stored
	// items, for its slower polls before the feeds are rendered.
	RoundWait time.Duration `yaml:"round_wait"`
}

// Series configures one report series: the operator's number↔date anchors and
// whether the series appears in the published feeds.
type Series struct {
	Calendar map[int]Date `yaml:"calendar"`
	Publish  *bool        `yaml:"publish"`
}

// MaxLag is the longest lag, in days, that a source's config may give.
const MaxLag = 7

// Source is one feed that iswfeed polls.
type Source struct {
	Name string `yaml:"name"`
	// URL is the feed's address, the primary one.
	URL  string `yaml:"url"`
	Lang string `yaml:"lang"`
	Role string `yaml:"role"`
	// Title is the source's display name in feeds and pages (author,
	// atom:source); empty means the source feed's own title, else Name.
	Title string `yaml:"title"`
	// Number is an extra regular expression whose first group is the update number.
	Number string `yaml:"number"`
	// Lag is how many days after a report the source posts its version,
	// for its items that state no date ("ISW: <headline>"); nil means learn
	// it from the source's dated items (see dedupe/learn.go).
	Lag *int `yaml:"lag,omitempty"`
	// Schedule overrides the global cron spec for this source.
	Schedule string `yaml:"schedule"`
	// FullText replaces each item's teaser by the article on its page.
	FullText bool `yaml:"full_text"`
	// URLs are fallback addresses of the same feed, tried in order when the
	// primary answers with a challenge page, a server error or not at all.
	// Written alone, its first entry is the primary.
	URLs []string `yaml:"urls"`
}

// Addresses returns the source's feed addresses: the primary first, then
// each fallback once.
func (s Source) Addresses() []string {
	addrs := []string{s.URL}
	for _, u := range s.URLs {
		if !slices.Contains(addrs, u) {
			addrs = append(addrs, u)
		}
	}
	return addrs
}

// Date is a calendar day written as 2006-01-02 in YAML.
type Date struct{ time.Time }

// UnmarshalYAML reads a date in ISO form. A bad date is a type error, so the
// decoder goes on to report the file's other mistakes too.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	t, err := time.Parse(time.DateOnly, n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, complaint(n, dateType))}}
	}
	d.Time = t
	return nil
}

// MarshalYAML writes the date in ISO form.
func (d Date) MarshalYAML() (any, error) { return d.Format(time.DateOnly), nil }

// Published reports whether the series appears in the feeds. The daily Russian
// report is published unless turned off; other series only when turned on.
func (c *Config) Published(series string) bool {
	if s, ok := c.Series[series]; ok && s.Publish != nil {
		return *s.Publish
	}
	return series == DefaultSeries
}

// Source returns the source with the given name.
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

// ScheduleOf returns the cron spec that applies to a source.
func (c *Config) ScheduleOf(s Source) string {
	if s.Schedule != "" {
		return s.Schedule
	}
	return c.Schedule
}

// Load reads the config at path. With an empty path it reads ./iswfeed.yaml
// and, when that does not exist, the embedded default.
func Load(path string) (*Config, error) {
	if path == "" {
		data, err := os.ReadFile(DefaultFile)
		switch {
		case err == nil:
			return Parse(data, DefaultFile)
		case errors.Is(err, fs.ErrNotExist):
			return Default()
		default:
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path)
}

// Default returns the embedded default config.
func Default() (*Config, error) {
	return Parse(defaultYAML, "embedded default")
}

// DefaultYAML returns the text of the embedded default config.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }
