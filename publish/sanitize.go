package publish

import (
	"html"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
)

// policy is the one sanitiser every source's HTML passes through: bluemonday's
// UGC policy (no scripts, event handlers, styles, iframes or javascript: URLs)
// with links marked nofollow and noreferrer.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	return p
}()

// textPolicy strips every tag; titles are plain text.
var textPolicy = bluemonday.StrictPolicy()

// sanitize makes a source's HTML safe to republish: relative URLs become
// absolute against base, then the policy removes anything active.
func sanitize(raw, base string) string {
	return xmlSafe(policy.Sanitize(absolutize(raw, base)))
}

// plainText turns a source's title into plain text.
func plainText(s string) string {
	return strings.TrimSpace(xmlSafe(html.UnescapeString(textPolicy.Sanitize(s))))
}

// urlAttrs are the attributes whose values absolutize resolves.
var urlAttrs = map[string]bool{"href": true, "src": true, "cite": true, "poster": true, "longdesc": true}

// absolutize resolves the URLs in raw's tags against base, leaving the rest of
// the markup as it was.
func absolutize(raw, base string) string {
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() || !strings.ContainsAny(raw, "<") {
		return raw
	}
	var out strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(raw))
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return out.String()
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			tok := z.Token()
			changed := false
			for i, a := range tok.Attr {
				switch {
				case urlAttrs[a.Key]:
					tok.Attr[i].Val, changed = resolve(b, a.Val), true
				case a.Key == "srcset":
					tok.Attr[i].Val, changed = resolveSrcset(b, a.Val), true
				}
			}
			if changed {
				out.WriteString(tok.String())
				continue
			}
		}
		out.Write(z.Raw())
	}
}

func resolve(base *url.URL, ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

func resolveSrcset(base *url.URL, srcset string) string {
	parts := strings.Split(srcset, ",")
	for i, p := range parts {
		fields := strings.Fields(p)
		if len(fields) > 0 {
			fields[0] = resolve(base, fields[0])
		}
		parts[i] = strings.Join(fields, " ")
	}
	return strings.Join(parts, ", ")
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
