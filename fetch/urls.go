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
	if base == nil || !strings.Contains(fragment, "=") || !strings.Contains(fragment, "<") {
		return fragment
	}
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
