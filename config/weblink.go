package config

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxLinkBytes caps a link: a longer one is no link, since a cut URL leads
// nowhere, and a hostile source could make every feed carry megabytes.
const MaxLinkBytes = 2 << 10

// WebLink is ref, its control characters dropped and resolved against base
// (nil: as it is), when it is then an http(s) URL with a host and at most
// MaxLinkBytes long: without its user-info and with its query percent-encoded
// where RFC 3986 wants it; otherwise "". It is the one check every link a
// source gives passes before anything writes it, in fetch on the way in and
// in publish on the way out (an item stored before a rule existed):
// javascript:, data:, vbscript:, relative, protocol-relative and unparseable
// links become no link.
func WebLink(base *url.URL, ref string) string {
	ref = DropControls(ref)
	if ref == "" || len(ref) > MaxLinkBytes {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.User = nil
	u.RawQuery = escapeQuery(u.RawQuery)
	if s := u.String(); len(s) <= MaxLinkBytes {
		return s
	}
	return ""
}

// escapeQuery percent-encodes what RFC 3986 does not allow in a query (space,
// quotes, angle brackets...), which url.URL.String leaves as it came, so that
// a link is one well-formed URL wherever it is written.
func escapeQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c < 0x80 && (isAlnum(c) || strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0) && c != '\'' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// DropControls trims s, drops its control characters (also those that
// arrive as character references such as &#1;, once decoded) and replaces
// invalid UTF-8: what fetch makes of every text a source gives.
func DropControls(s string) string {
	s = strings.TrimSpace(s)
	if cleanText(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// cleanText reports whether s is valid UTF-8 without control characters,
// decoding only what is not ASCII: an item's content is tens of kilobytes.
func cleanText(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if IsControl(rune(c)) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || IsControl(r) {
			return false
		}
		i += size
	}
	return true
}

// IsControl reports whether r is a control character no text iswfeed keeps
// holds: C0 but tab and line breaks, DEL, C1 and the noncharacters U+FFFE
// and U+FFFF.
func IsControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == 0xFFFE || r == 0xFFFF
}
