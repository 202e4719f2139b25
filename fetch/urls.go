package fetch

import (
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// absolute resolves ref against base; a ref that is not a URL is returned as is.
func absolute(base *url.URL, ref string) string {
	if ref == "" || base == nil {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

// urlAttrs are the attributes of HTML that hold a single URL (HTML 4 and 5,
// SVG's xlink:href); srcset holds several and is read apart.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "poster": true, "cite": true, "action": true, "formaction": true,
	"data": true, "longdesc": true, "background": true, "usemap": true, "codebase": true,
	"icon": true, "manifest": true, "profile": true, "xlink:href": true,
}

// absoluteHTML makes the URL attributes of an HTML fragment (urlAttrs and
// srcset) absolute against base. gofeed has already applied xml:base where
// one was in scope (to all but longdesc and srcset, which then resolve
// against base); this is the only other place URLs are made absolute.
//
// It streams tokens rather than building a tree: a tree of a hostile fragment
// costs a hundred times its size, and rendering it back closes every element.
// Bytes outside the rewritten start tags are copied unchanged, so the contents
// of script and style, comments and malformed markup pass through as they came.
func absoluteHTML(base *url.URL, fragment string) string {
	if base == nil || !strings.Contains(fragment, "<") || keepsURLs(base, fragment) {
		return fragment
	}
	return rewriteURLs(base, fragment)
}

// rewriteURLs is absoluteHTML's pass over the tokens of fragment.
func rewriteURLs(base *url.URL, fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var out strings.Builder
	var attrs []html.Attribute
	copied, pos := 0, 0 // fragment[:copied] is in out; the next token starts at pos
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				return fragment
			}
			break
		}
		start := pos
		pos += len(z.Raw())
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		var changed bool
		if attrs, changed = absoluteAttrs(base, z, attrs[:0]); !changed {
			continue
		}
		if out.Len() == 0 {
			out.Grow(len(fragment) + len(fragment)/2)
		}
		out.WriteString(fragment[copied:start])
		writeTag(&out, name, attrs, tt == html.SelfClosingTagToken)
		copied = pos
	}
	if copied == 0 {
		return fragment
	}
	out.WriteString(fragment[copied:])
	return out.String()
}

// keepsURLs reports whether every URL attribute of fragment already reads as
// absolute would write it, so that absoluteHTML would change nothing: most
// posts link only to absolute URLs, and this costs a scan for "=" where
// tokenising costs a pass over every byte. It reads the attribute before each
// "=" and its value as the tokenizer does; a value it cannot read as the
// tokenizer would (a character reference, a CR, a NUL) answers false.
func keepsURLs(base *url.URL, fragment string) bool {
	checked := ""
	for rest := fragment; ; {
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			return true
		}
		name := strings.ToLower(attrNameBefore(rest[:eq]))
		rest = rest[eq+1:]
		if !urlAttrs[name] && name != "srcset" {
			continue
		}
		val := attrValue(rest)
		switch {
		case strings.ContainsAny(val, "&\r\x00"):
			return false
		case val == checked:
		case name == "srcset" && absoluteSrcset(base, val) != val,
			name != "srcset" && absolute(base, strings.TrimSpace(val)) != val:
			return false
		}
		checked = val
	}
}

// attrNameBefore returns the attribute name that ends s, past any white
// space: a name starts after white space, "/" or a quote.
func attrNameBefore(s string) string {
	s = strings.TrimRight(s, htmlSpace)
	return s[strings.LastIndexAny(s, htmlSpace+"/>=\"'<")+1:]
}

// attrValue returns the attribute value at the start of s, which follows
// an "=": quoted, or up to white space or ">".
func attrValue(s string) string {
	s = strings.TrimLeft(s, htmlSpace)
	if s == "" {
		return ""
	}
	switch q := s[0]; q {
	case '"', '\'':
		if end := strings.IndexByte(s[1:], q); end >= 0 {
			return s[1 : 1+end]
		}
		return s[1:]
	}
	if end := strings.IndexAny(s, htmlSpace+">"); end >= 0 {
		return s[:end]
	}
	return s
}

// htmlSpace is the white space of HTML's tokenizer.
const htmlSpace = " \n\r\t\f"

// absoluteAttrs appends the attributes of the tokenizer's current tag to
// attrs, URLs resolved against base, and reports whether any URL changed.
func absoluteAttrs(base *url.URL, z *html.Tokenizer, attrs []html.Attribute) ([]html.Attribute, bool) {
	changed := false
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		a := html.Attribute{Key: string(k), Val: string(v)}
		abs := a.Val
		switch {
		case urlAttrs[a.Key]:
			abs = absolute(base, strings.TrimSpace(a.Val))
		case a.Key == "srcset":
			abs = absoluteSrcset(base, a.Val)
		}
		if abs != a.Val {
			a.Val, changed = abs, true
		}
		attrs = append(attrs, a)
	}
	return attrs, changed
}

// writeTag writes a start tag as html.Render would.
func writeTag(w *strings.Builder, name []byte, attrs []html.Attribute, selfClosing bool) {
	w.WriteByte('<')
	w.Write(name)
	for _, a := range attrs {
		w.WriteByte(' ')
		w.WriteString(a.Key)
		w.WriteString(`="`)
		w.WriteString(html.EscapeString(a.Val))
		w.WriteByte('"')
	}
	if selfClosing {
		w.WriteString("/>")
	} else {
		w.WriteByte('>')
	}
}

// absoluteSrcset resolves each image candidate URL of a srcset attribute
// ("a.png 1x, b.png 2x"), keeping its descriptors.
func absoluteSrcset(base *url.URL, srcset string) string {
	var candidates []string
	rest := srcset
	for {
		rest = strings.TrimLeft(rest, " \t\n\f\r,")
		if rest == "" {
			break
		}
		end := strings.IndexAny(rest, " \t\n\f\r")
		if end < 0 {
			end = len(rest)
		}
		ref := rest[:end]
		rest = rest[end:]
		descriptors := ""
		if trimmed := strings.TrimRight(ref, ","); trimmed != ref {
			ref = trimmed // "a.png," has no descriptors
		} else {
			descriptors, rest = cutDescriptors(rest)
		}
		c := absolute(base, ref)
		if descriptors != "" {
			c += " " + descriptors
		}
		candidates = append(candidates, c)
	}
	return strings.Join(candidates, ", ")
}

// cutDescriptors splits s at the comma that ends a srcset candidate's
// descriptors; a comma inside parentheses does not count.
func cutDescriptors(s string) (descriptors, rest string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth = max(depth-1, 0)
		case ',':
			if depth == 0 {
				return strings.TrimSpace(s[:i]), s[i+1:]
			}
		}
	}
	return strings.TrimSpace(s), ""
}
