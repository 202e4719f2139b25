package fetch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shapeBodies are feeds as the daemon meets them and bodies at and past the
// bounds, for comparing shapeWithin with tokenShape.
func shapeBodies(t testing.TB) map[string][]byte {
	rep := strings.Repeat
	bodies := map[string][]byte{}
	for _, name := range []string{"wordpress.rss", "at-the-bounds.rss", "iso-8859-1.rss", "windows-1251.rss", "truncated.rss", "xmlbase.atom", "billion-laughs.xml"} {
		bodies[name] = fixture(t, name)
	}
	item := `<item><title>Die Lage</title><content:encoded><![CDATA[<p>Text <a href="https://understandingwar.org/">ISW</a></p>]]></content:encoded></item>`
	for name, body := range map[string]string{
		"wordpress feed":          `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>` + strings.Repeat(item, 50) + `</channel></rss>`,
		"101 levels":              "<rss>" + rep("<a>", 101) + rep("</a>", 101) + "</rss>",
		"100 levels":              "<rss>" + rep("<a>", 99) + rep("</a>", 99) + "</rss>",
		"33 namespaces":           "<rss" + namespaces(33) + "><channel/></rss>",
		"32 namespaces":           "<rss" + namespaces(32) + "><channel/></rss>",
		"namespaces over levels":  "<rss" + namespaces(20) + "><channel" + namespaces(13) + "/></rss>",
		"long xml:base":           `<feed xml:base="` + rep("b", 1025) + `"/>`,
		"xml:base over levels":    `<feed xml:base="` + rep("b", 600) + `"><entry xml:base="` + rep("c", 600) + `"/></feed>`,
		"entities in xml:base":    `<feed xml:base="` + rep("&amp;", 300) + `"/>`,
		"many elements":           "<rss>" + rep("<a/>", maxElements-1) + "</rss>",
		"too many elements":       "<rss>" + rep("<a/>", maxElements+1) + "</rss>",
		"html tags":               `<feed><content type="html">` + rep("&lt;p>", maxHTMLTags+1) + `</content></feed>`,
		"html tags in CDATA":      `<feed><content type="text/HTML"><![CDATA[` + rep("<p>", maxHTMLTags+1) + `]]></content></feed>`,
		"html type by entity":     `<feed><content type="&#104;tml">` + rep("&lt;p>", maxHTMLTags+1) + `</content></feed>`,
		"html tags after the end": `<feed><content type="html">x</content>` + rep("<p>", maxHTMLTags+1) + `</feed>`,
		"declared latin-1":        `<?xml version="1.0" encoding="ISO-8859-1"?><rss/>`,
		"doctype":                 `<!DOCTYPE rss><rss/>`,
		"unquoted attribute":      `<rss a=b><channel/></rss>`,
		"comment and pi":          `<?xml version="1.0"?><?xml-stylesheet href="a"?><!-- <a><a> --><rss/>`,
		"self-closing nesting":    "<rss>" + rep("<a/>", 200) + "</rss>",
		"stray end tags":          "<rss>" + rep("</a>", 200) + rep("<a>", 100) + "</rss>",
	} {
		bodies[name] = []byte(body)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParse", "*"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			bodies["fuzz "+filepath.Base(f)] = b
		}
	}
	return bodies
}

// TestShapeWithinAgreesWithTokens: where the fast scan passes a body,
// encoding/xml's tokens keep the bounds too; the plain feeds take the fast path.
func TestShapeWithinAgreesWithTokens(t *testing.T) {
	fast := 0
	for name, body := range shapeBodies(t) {
		if !shapeWithin(body) {
			continue
		}
		fast++
		if err := tokenShape(body); err != nil {
			t.Errorf("%s: shapeWithin passes it, tokenShape says %v", name, err)
		}
	}
	for _, name := range []string{"wordpress.rss", "at-the-bounds.rss", "wordpress feed", "100 levels", "32 namespaces", "many elements", "comment and pi", "self-closing nesting"} {
		if !shapeWithin(shapeBodies(t)[name]) {
			t.Errorf("%s: shapeWithin leaves a plain feed within the bounds to tokenShape", name)
		}
	}
	if fast < 10 {
		t.Errorf("only %d bodies took the fast path", fast)
	}
}

func FuzzShapeWithin(f *testing.F) {
	for _, body := range shapeBodies(f) {
		if len(body) < 64<<10 {
			f.Add(body)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if shapeWithin(body) {
			if err := tokenShape(body); err != nil {
				t.Errorf("shapeWithin passes %q, tokenShape says %v", body, err)
			}
		}
	})
}
