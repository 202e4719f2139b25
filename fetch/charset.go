package fetch

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// xmlEncoding is the XML declaration's encoding; group 1 is its label.
var xmlEncoding = regexp.MustCompile(`^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// toUTF8 returns a feed's body in UTF-8, whatever it came in, with its XML
// declaration saying so. Feeds get their charset wrong in every way, and
// one item in a wrong encoding must not cost the whole feed:
//
//   - UTF-16 (with a byte-order mark, or none before "<?xml") is decoded;
//   - a body that is valid UTF-8 and not plain ASCII is UTF-8, whatever its
//     declaration or Content-Type says ("windows-1251" over UTF-8 text):
//     text in a single-byte charset is practically never valid UTF-8;
//   - otherwise the declaration's charset, else the Content-Type's;
//   - a body that is not UTF-8 and names no other charset (or names UTF-8)
//     is read in the legacy charset of the source's language (lang), where
//     such feeds come from: windows-1251 for Russian or Ukrainian, and so on;
//     what still does not decode becomes U+FFFD.
func toUTF8(body []byte, contentType, lang string) []byte {
	if b, ok := fromUTF16(body); ok {
		return declareUTF8(b)
	}
	if utf8.Valid(body) {
		return declareUTF8(body)
	}
	label := ""
	if m := xmlEncoding.FindSubmatch(body[:min(len(body), 256)]); m != nil {
		label = string(m[1])
	} else if _, params, err := mime.ParseMediaType(contentType); err == nil {
		label = params["charset"]
	}
	// A label of UTF-8 or UTF-16 over bytes that are neither says nothing.
	enc, name := charset.Lookup(strings.TrimSpace(label))
	if enc == nil || name == "utf-8" || strings.HasPrefix(name, "utf-16") {
		enc = legacyCharset(lang)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil || !utf8.Valid(out) {
		out = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return declareUTF8(out)
}

// fromUTF16 decodes a body in UTF-16: one that opens with its byte-order
// mark, or with "<" as UTF-16 spells it.
func fromUTF16(body []byte) ([]byte, bool) {
	var e encoding.Encoding
	switch {
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}), bytes.HasPrefix(body, []byte{'<', 0}):
		e = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0, '<'}):
		e = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	default:
		return nil, false
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return nil, false
	}
	return bytes.TrimPrefix(out, utf8BOM), true
}

// declareUTF8 makes b's XML declaration name UTF-8, so that the XML
// decoder does not decode the converted bytes a second time.
func declareUTF8(b []byte) []byte {
	m := xmlEncoding.FindSubmatchIndex(b[:min(len(b), 256)])
	if m == nil || strings.EqualFold(string(b[m[2]:m[3]]), "utf-8") {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:m[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, b[m[3]:]...)
}

// legacyCharsets are the charsets feeds in a language came in before UTF-8,
// by the language's ISO 639-1 code: Windows' code pages, and the national
// standards of East Asia.
var legacyCharsets = map[string]string{
	"ru": "windows-1251", "uk": "windows-1251", "be": "windows-1251", "bg": "windows-1251",
	"sr": "windows-1251", "mk": "windows-1251", "kk": "windows-1251", "ky": "windows-1251",
	"pl": "windows-1250", "cs": "windows-1250", "sk": "windows-1250", "hu": "windows-1250",
	"sl": "windows-1250", "hr": "windows-1250", "bs": "windows-1250", "ro": "windows-1250", "sq": "windows-1250",
	"el": "windows-1253", "tr": "windows-1254", "az": "windows-1254", "he": "windows-1255",
	"ar": "windows-1256", "fa": "windows-1256", "ur": "windows-1256",
	"lt": "windows-1257", "lv": "windows-1257", "et": "windows-1257", "vi": "windows-1258",
	"th": "windows-874", "ja": "shift_jis", "ko": "euc-kr", "zh": "gb18030",
}

// legacyCharset returns the legacy charset of lang ("uk", "pt-BR"), and
// windows-1252, the Western one, for any other.
func legacyCharset(lang string) encoding.Encoding {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	label, ok := legacyCharsets[base]
	if !ok {
		label = "windows-1252"
	}
	e, _ := charset.Lookup(label)
	return e
}
