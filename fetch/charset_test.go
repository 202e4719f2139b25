package fetch

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"

	"iswfeed/config"
)

// TestParseReadsWhatACharsetMistakeMeant: feeds in UTF-16, feeds whose
// declaration or Content-Type names another charset than their bytes are
// in, and legacy feeds that name none, all read as their writers meant.
func TestParseReadsWhatACharsetMistakeMeant(t *testing.T) {
	feed := func(decl, title string) string {
		if decl != "" {
			decl = `<?xml version="1.0" encoding="` + decl + `"?>`
		}
		return decl + `<rss version="2.0"><channel><title>T</title><item><title>` + title +
			`</title><link>https://x.example/1</link><description>text</description></item></channel></rss>`
	}
	in := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const ru, de, ja = "Отчёт ISW за 29 марта 2023 года", "Die Lage 401 – 29. März 2023", "ロシアの攻勢作戦評価 2023年3月29日"
	tests := []struct {
		name, lang, contentType, want string
		body                          []byte
	}{
		{"UTF-16 little-endian with its byte-order mark", "ru", "application/rss+xml", ru,
			in(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), feed("UTF-16", ru))},
		{"UTF-16 big-endian with its byte-order mark", "ru", "application/rss+xml", ru,
			in(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), feed("UTF-16", ru))},
		{"UTF-16 little-endian without a byte-order mark", "ru", "application/rss+xml", ru,
			in(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), feed("UTF-16", ru))},
		{"windows-1251 declared over UTF-8 text", "ru", "application/rss+xml", ru, []byte(feed("windows-1251", ru))},
		{"ISO-8859-1 named by Content-Type over UTF-8 text", "de", "text/xml; charset=iso-8859-1", de, []byte(feed("", de))},
		{"UTF-8 declared over windows-1251 text of a Russian source", "ru", "application/rss+xml; charset=utf-8", ru,
			in(charmap.Windows1251, feed("utf-8", ru))},
		{"windows-1251 text naming no charset at all", "uk", "application/rss+xml", ru, in(charmap.Windows1251, feed("", ru))},
		{"KOI8-R declared, UTF-8 in Content-Type: the declaration is the bytes'", "ru", "text/xml; charset=utf-8", ru,
			in(charmap.KOI8R, feed("koi8-r", ru))},
		{"Shift_JIS of a Japanese source naming no charset", "ja", "application/rss+xml", ja, in(japanese.ShiftJIS, feed("", ja))},
		{"Latin-1 of a German source naming no charset", "de", "application/rss+xml", de,
			in(charmap.Windows1252, feed("", strings.ReplaceAll(de, "–", "-")))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := config.Source{Name: "x", Lang: tt.lang, Role: config.RoleTranslation}
			items, err := Parse(src, tt.body, tt.contentType, nil, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if strings.HasPrefix(tt.name, "Latin-1") {
				want = strings.ReplaceAll(want, "–", "-")
			}
			if len(items) != 1 || items[0].Title != want {
				t.Fatalf("items %+v, want one titled %q", items, want)
			}
		})
	}
}

// TestBrokenBytesCostOnlyThemselves: a UTF-8 feed with one stray byte is
// not lost; the byte becomes U+FFFD where no legacy charset reads it.
func TestBrokenBytesCostOnlyThemselves(t *testing.T) {
	body := `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><item><title>報告 ISW` +
		"\xff" + `</title><link>https://x.example/1</link></item></channel></rss>`
	items, err := Parse(config.Source{Name: "x", Lang: "ja", Role: config.RoleTranslation}, []byte(body), "application/rss+xml", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !strings.Contains(items[0].Title, "ISW") {
		t.Fatalf("items %+v, want the one item", items)
	}
}
