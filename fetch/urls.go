package fetch

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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

// urlAttrs are the attributes of content HTML that hold a single URL.
var urlAttrs = map[string]bool{"href": true, "src": true, "poster": true, "cite": true}

// absoluteHTML makes the href and src attributes of an HTML fragment absolute.
// gofeed has already applied xml:base where one was in scope; what remains
// relative is resolved against the URL the feed came from.
func absoluteHTML(base *url.URL, fragment string) string {
	if base == nil || !strings.Contains(fragment, "=") || !strings.Contains(fragment, "<") {
		return fragment
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), ctx)
	if err != nil {
		return fragment
	}
	changed := false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for i, a := range n.Attr {
				if a.Namespace == "" && urlAttrs[a.Key] {
					if abs := absolute(base, strings.TrimSpace(a.Val)); abs != a.Val {
						n.Attr[i].Val = abs
						changed = true
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	if !changed {
		return fragment
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return fragment
		}
	}
	return b.String()
}
