package publish

import (
	"html"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
)

// policy is the one sanitiser every source's HTML passes through: bluemonday's
// UGC policy (no scripts, event handlers, styles, iframes or javascript: URLs)
// with links marked nofollow and noreferrer, and every URL it keeps (href,
// src, cite) made what config.WebLink makes of it or dropped, so that content
// stored before a rule existed meets the rule fetch applies to links today:
// relative (fetch made them absolute), mailto: and other schemes go too.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemeWithCustomPolicy("http", asWebLink)
	p.AllowURLSchemeWithCustomPolicy("https", asWebLink)
	p.AllowURLSchemeWithCustomPolicy("mailto", func(*url.URL) bool { return false })
	return p
}()

// asWebLink makes u the link config.WebLink makes of it and reports whether
// there is one; the policy writes u as it leaves it.
func asWebLink(u *url.URL) bool {
	raw := u.String()
	link := webURL(raw)
	if link == "" {
		return false
	}
	if link != raw {
		clean, err := url.Parse(link)
		if err != nil {
			return false
		}
		*u = *clean
	}
	return true
}

// textPolicy strips every tag; titles are plain text.
var textPolicy = bluemonday.StrictPolicy()

// sanitize makes a source's HTML safe to republish: the policy removes
// anything active. Its URLs are already absolute: fetch resolves them once,
// on the way in.
func sanitize(raw string) string {
	return xmlSafe(sanitizeHTML(raw))
}

// sanitizeHTML is policy.Sanitize(raw), written into a pooled buffer: its
// own buffer grew by doubling for each report's content.
func sanitizeHTML(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return raw
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := policy.SanitizeReaderToWriter(strings.NewReader(raw), buf); err != nil {
		return ""
	}
	return buf.String()
}

// plainText turns a source's title into plain text that stays the same when
// read as HTML once more: many readers render RSS titles and authors as HTML,
// so a title whose text is "<script>…" (sent as &amp;lt;script&amp;gt;) loses
// the markup as if it had come as markup.
func plainText(s string) string {
	if isPlain(s) {
		return strings.TrimSpace(xmlSafe(s))
	}
	return strippedText(s)
}

// isPlain reports whether s holds nothing that reading it as HTML would
// change (no markup, reference or character the tokenizer rewrites), so that
// strippedText would return it as it is, trimmed: most titles are.
func isPlain(s string) bool {
	return !strings.ContainsAny(s, "<>&\r\x00") && utf8.ValidString(s)
}

// strippedText is plainText for a title that may hold markup.
func strippedText(s string) string {
	for range 4 {
		next := html.UnescapeString(textPolicy.Sanitize(s))
		if next == s {
			break
		}
		s = next
	}
	if textPolicy.Sanitize(s) != html.EscapeString(s) {
		s = strings.NewReplacer("<", "", ">", "").Replace(s)
	}
	return strings.TrimSpace(xmlSafe(s))
}

// xmlSafe drops the characters XML 1.0 cannot carry.
func xmlSafe(s string) string {
	ok := func(r rune) bool {
		return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
	}
	clean := true
	for _, r := range s {
		if !ok(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if !ok(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}
