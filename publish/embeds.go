package publish

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"iswfeed/config"
)

// Translators' WordPress sites replace embedded posts and videos with the
// placeholders of consent plugins (Borlabs Cookie, Complianz, Embed Privacy,
// WP YouTube Lyte, Cookiebot), which reach a feed reader as dead text and
// buttons. unblockEmbeds turns each into a plain link to what it embeds, where
// the markup names it, and drops it where it does not. testdata/embeds/README.md
// says where each plugin's markup comes from.

// embedMarkers are strings without which a content has no placeholder, so
// that most contents are never parsed: the plugins' class names, and words
// of their sentences.
var embedMarkers = []string{"brlbs", "BorlabsCookie", "borlabs-cookie", "cmplz", "embed-privacy", "lyMe", "lyte", "cookieconsent", "cookieblock", "consent-src",
	"Datenschutz", "privacy policy", "politique de confidentialité", "polityk", "політик", "политик", "cookies", "Cookies"}

// consentSrcAttrs are where consent plugins park an iframe's address while
// its src is about:blank or a placeholder video.
var consentSrcAttrs = []string{"data-src-cmplz", "data-cmplz-src", "data-cookieblock-src", "data-consent-src"}

// blockedSrcAttrs are where an iframe inside a placeholder may have its
// address: a consent plugin's attribute, a lazy loader's, or src.
var blockedSrcAttrs = slices.Concat(consentSrcAttrs, []string{"data-src", "data-lazy-src", "src"})

// unblockEmbeds replaces consent placeholders in a source's HTML by links to
// the embedded content, or removes them.
func unblockEmbeds(raw string) string {
	if !hasAny(raw, embedMarkers) {
		return raw
	}
	body := parseHTML(raw)
	if body == nil || !unblock(body) {
		return raw // as it was, not as the parser would write it
	}
	var out strings.Builder
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := xhtml.Render(&out, c); err != nil {
			return raw
		}
	}
	return out.String()
}

// unblock walks n's children, replacing every placeholder found, and
// reports whether it found one.
func unblock(n *xhtml.Node) bool {
	found := false
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == xhtml.ElementNode {
			switch href, ok := placeholder(c); {
			case ok:
				replaceWithLink(c, href)
				found = true
			case isConsentText(c):
				next, found = dropConsentText(c), true
			default:
				found = unblock(c) || found
			}
		}
		c = next
	}
	return found
}

// consentSentence is what a placeholder says, in the languages we carry,
// when a feed kept its words but not its markup.
var consentSentence = regexp.MustCompile(`(?i)^(` +
	`mit dem laden (des|der|von) .+ akzeptieren sie .*datenschutz|klicke hier, um inhalte von .+ anzuzeigen|klicken sie (hier|auf den .*button), um .+ (zu laden|zu aktivieren|anzuzeigen)|` +
	`by loading the .+,? you agree to .*privacy policy|click (here )?to (display|load|accept|enable) .*(content|cookies)|` +
	`en chargeant .+,? vous acceptez .*politique de confidentialité|cliquez pour accepter .*cookies|` +
	`ładując .+,? akceptujesz .*polityk|kliknij, aby (zaakceptować|wyświetlić|załadować)|` +
	`завантажуючи .+,? ви погоджуєтес[ья] .*політик|натисніть, щоб (завантажити|показати)|` +
	`загружая .+,? вы соглашаетес[ья] .*политик|нажмите, чтобы (загрузить|показать))`)

// consentButton is a placeholder's button or link label, or the name of the
// provider it shows above its sentence.
var consentButton = regexp.MustCompile(`(?i)^(inhalt laden|inhalte? entsperren|tweet laden|video laden|mehr erfahren|mehr informationen|` +
	`load (content|tweet|video|post)|learn more|more information|unblock content|charger le contenu|en savoir plus|` +
	`załaduj treść|dowiedz się więcej|завантажити вміст|дізнатися більше|загрузить содержимое|узнать больше|` +
	`twitter|x|youtube|vimeo|instagram|facebook|tiktok|telegram)$`)

// isConsentText reports whether a block says only a placeholder's sentence.
func isConsentText(n *xhtml.Node) bool {
	if n.DataAtom != atom.P && n.DataAtom != atom.Div {
		return false
	}
	text := strings.Join(strings.Fields(textOf(n)), " ")
	return len(text) < 400 && consentSentence.MatchString(text)
}

// dropConsentText removes a placeholder's sentence and the button labels
// and provider name beside it, and returns the node after them.
func dropConsentText(n *xhtml.Node) *xhtml.Node {
	for p := previousElement(n); p != nil && isConsentButton(p); p = previousElement(n) {
		p.Parent.RemoveChild(p)
	}
	next := n.NextSibling
	for next != nil && (isBlank(next) || next.Type == xhtml.ElementNode && isConsentButton(next)) {
		after := next.NextSibling
		next.Parent.RemoveChild(next)
		next = after
	}
	n.Parent.RemoveChild(n)
	return next
}

func isConsentButton(n *xhtml.Node) bool {
	return n.DataAtom != atom.Img && consentButton.MatchString(strings.Join(strings.Fields(textOf(n)), " "))
}

func isBlank(n *xhtml.Node) bool {
	return n.Type == xhtml.TextNode && strings.TrimSpace(n.Data) == ""
}

// previousElement is the element before n, past blank text.
func previousElement(n *xhtml.Node) *xhtml.Node {
	p := n.PrevSibling
	for p != nil && isBlank(p) {
		p = p.PrevSibling
	}
	if p == nil || p.Type != xhtml.ElementNode {
		return nil
	}
	return p
}

// placeholder reports whether n is a consent placeholder, or an iframe a
// consent plugin holds back, and the address of what it embeds, "" when
// unknown. Other iframes are left to the sanitiser, which removes them.
func placeholder(n *xhtml.Node) (string, bool) {
	switch {
	case hasClass(n, "BorlabsCookie") && find(n, isBorlabsBlocked) != nil:
		return borlabsURL(find(n, isBorlabsBlocked)), true
	case hasClass(n, "brlbs-cmpnt-content-blocker"):
		return firstURL(decodeBase64HTML(attr(n, "data-borlabs-cookie-content"))), true
	case hasClass(n, "_brlbs-content-blocker"), isBorlabsBlocked(n):
		return borlabsURL(find(n, isBorlabsBlocked)), true
	case hasClass(n, "embed-privacy-container"):
		return embedPrivacyURL(n), true
	case hasClass(n, "cmplz-blocked-content-container"), hasClass(n, "cmplz-placeholder-parent"):
		return firstURL(n), true
	case hasClass(n, "cmplz-blocked-content-notice"), hasClassPrefix(n, "cookieconsent-optout-"):
		return "", true
	case hasClass(n, "lyte-wrapper"), hasClass(n, "lyMe"):
		return lyteURL(n), true
	case n.DataAtom == atom.Iframe && srcIn(n, consentSrcAttrs) != "":
		return srcIn(n, consentSrcAttrs), true
	}
	return "", false
}

// isBorlabsBlocked matches Borlabs Cookie 2's hidden copy of the blocked
// content: base64, as text or inside a script of type text/template.
func isBorlabsBlocked(n *xhtml.Node) bool {
	return n.Type == xhtml.ElementNode && attr(n, "data-borlabs-cookie-type") == "content-blocker"
}

func borlabsURL(hidden *xhtml.Node) string {
	if hidden == nil {
		return ""
	}
	return firstURL(decodeBase64HTML(strings.TrimSpace(textOf(hidden))))
}

// embedPrivacyURL reads Embed Privacy's "open directly" link, else the
// address in the embed it keeps, HTML-escaped and JSON-encoded, in a script.
func embedPrivacyURL(n *xhtml.Node) string {
	if a := find(n, func(c *xhtml.Node) bool { return c.DataAtom == atom.A && hasAncestorClass(c, n, "embed-privacy-url") }); a != nil {
		if u := webURL(attr(a, "href")); u != "" {
			return u
		}
	}
	s := find(n, func(c *xhtml.Node) bool { return c.DataAtom == atom.Script })
	if s == nil {
		return ""
	}
	m := oembedVar.FindStringSubmatch(textOf(s))
	if m == nil {
		return ""
	}
	var v struct{ Embed string }
	if json.Unmarshal([]byte(stripSlashes(m[1])), &v) != nil {
		return ""
	}
	return firstURL(parseHTML(html.UnescapeString(v.Embed)))
}

var oembedVar = regexp.MustCompile(`(?s)_oembed_\w+\s*=\s*'(.*)'`)

// stripSlashes undoes PHP's addslashes.
func stripSlashes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// lyteURL is the YouTube video of a WP YouTube Lyte player, whose element
// ids end in the video's id.
func lyteURL(n *xhtml.Node) string {
	p := find(n, func(c *xhtml.Node) bool { return strings.HasPrefix(attr(c, "id"), "lyte_") })
	if p == nil {
		return firstURL(n)
	}
	id := strings.TrimPrefix(attr(p, "id"), "lyte_")
	if !youtubeID.MatchString(id) {
		return ""
	}
	return "https://youtu.be/" + id
}

var youtubeID = regexp.MustCompile(`^[A-Za-z0-9_-]{6,20}$`)

// blockedSrc is an iframe's address, wherever a consent plugin parked it.
func blockedSrc(n *xhtml.Node) string { return srcIn(n, blockedSrcAttrs) }

// srcIn is the first web address among n's attributes attrs.
func srcIn(n *xhtml.Node, attrs []string) string {
	for _, a := range attrs {
		if u := webURL(attr(n, a)); u != "" {
			return u
		}
	}
	return ""
}

// firstURL is the first address of embedded content under n: an iframe's,
// else a blockquote's (embedded tweets and posts), else a link's.
func firstURL(n *xhtml.Node) string {
	if n == nil {
		return ""
	}
	if f := find(n, func(c *xhtml.Node) bool { return c.DataAtom == atom.Iframe && blockedSrc(c) != "" }); f != nil {
		return blockedSrc(f)
	}
	if q := find(n, func(c *xhtml.Node) bool { return c.DataAtom == atom.Blockquote }); q != nil {
		if u := webURL(attr(q, "cite")); u != "" {
			return u
		}
		if u := lastLink(q); u != "" {
			return u
		}
	}
	return lastLink(n)
}

// lastLink is the last web link under n: an embedded tweet's own address
// comes after the links in its text.
func lastLink(n *xhtml.Node) string {
	u := ""
	walk(n, func(c *xhtml.Node) {
		if c.DataAtom == atom.A && !strings.Contains(attr(c, "class"), "brlbs") {
			if h := webURL(attr(c, "href")); h != "" {
				u = h
			}
		}
	})
	return u
}

func decodeBase64HTML(s string) *xhtml.Node {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	return parseHTML(string(b))
}

func parseHTML(s string) *xhtml.Node {
	body := &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		return nil
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	return body
}

// replaceWithLink puts a paragraph linking href where n was, or nothing.
func replaceWithLink(n *xhtml.Node, href string) {
	if href != "" {
		a := &xhtml.Node{Type: xhtml.ElementNode, Data: "a", DataAtom: atom.A, Attr: []xhtml.Attribute{{Key: "href", Val: href}}}
		a.AppendChild(&xhtml.Node{Type: xhtml.TextNode, Data: href})
		p := &xhtml.Node{Type: xhtml.ElementNode, Data: "p", DataAtom: atom.P}
		p.AppendChild(a)
		n.Parent.InsertBefore(p, n)
	}
	n.Parent.RemoveChild(n)
}

// webURL is s as a link iswfeed writes, or "": config.WebLink, the check
// fetch makes of every link on the way in.
func webURL(s string) string { return config.WebLink(nil, s) }

func walk(n *xhtml.Node, f func(*xhtml.Node)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xhtml.ElementNode {
			f(c)
		}
		walk(c, f)
	}
}

// find returns the first element under n that matches, depth first,
// walking no further once it is found.
func find(n *xhtml.Node, match func(*xhtml.Node) bool) *xhtml.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xhtml.ElementNode && match(c) {
			return c
		}
		if found := find(c, match); found != nil {
			return found
		}
	}
	return nil
}

func textOf(n *xhtml.Node) string {
	var b strings.Builder
	var rec func(*xhtml.Node)
	rec = func(n *xhtml.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xhtml.TextNode {
				b.WriteString(c.Data)
			}
			rec(c)
		}
	}
	rec(n)
	return b.String()
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *xhtml.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func hasClassPrefix(n *xhtml.Node, prefix string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// hasAncestorClass reports whether an element between n and top has class.
func hasAncestorClass(n, top *xhtml.Node, class string) bool {
	for p := n.Parent; p != nil && p != top; p = p.Parent {
		if hasClass(p, class) {
			return true
		}
	}
	return false
}

func hasAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
