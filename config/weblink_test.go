package config

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWebLinkKeepsHTTPLinksOnly(t *testing.T) {
	base, err := url.Parse("https://www.spartanat.com/feed/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		base      *url.URL
		ref, want string
	}{
		{"an https link is kept", nil, "https://www.spartanat.com/2023/03/lage-401/", "https://www.spartanat.com/2023/03/lage-401/"},
		{"an http link is kept", nil, "http://www.spartanat.com/x", "http://www.spartanat.com/x"},
		{"a relative link resolves against the base", base, "/2023/03/lage-401/", "https://www.spartanat.com/2023/03/lage-401/"},
		{"a relative link without a base is no link", nil, "/2023/03/lage-401/", ""},
		{"a protocol-relative link without a base is no link", nil, "//evil.example/x", ""},
		{"javascript: is no link", nil, "javascript:alert(1)", ""},
		{"JavaScript: in any case is no link", nil, " JaVaScRiPt:alert(1)", ""},
		{"javascript: with a control inside is no link", nil, "java\x01script:alert(1)", ""},
		{"data: is no link", nil, "data:text/html,<script>alert(1)</script>", ""},
		{"vbscript: is no link", nil, "vbscript:msgbox(1)", ""},
		{"a tab inside the scheme is no link", nil, "java\tscript:alert(1)", ""},
		{"ftp: is no link", nil, "ftp://www.spartanat.com/file", ""},
		{"mailto: is no link", nil, "mailto:a@example.org", ""},
		{"a scheme without a host is no link", nil, "http:foo", ""},
		{"user-info is dropped", nil, "https://user:pw@www.spartanat.com/x", "https://www.spartanat.com/x"},
		{"C1 controls are dropped", nil, "https://www.spartanat.com/\u009bx", "https://www.spartanat.com/x"},
		{"a link past 2 KiB is no link", nil, "https://www.spartanat.com/" + strings.Repeat("a", MaxLinkBytes), ""},
		{"quotes and angle brackets in the query are escaped", nil, `https://www.spartanat.com/?q=<img src="x">'`, "https://www.spartanat.com/?q=%3Cimg%20src=%22x%22%3E%27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WebLink(tt.base, tt.ref); got != tt.want {
				t.Errorf("WebLink(%q) = %q, want %q", tt.ref, got, tt.want)
			}
		})
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"plain", "tab\tand\nnewline", "bell\x07", "del\x7f", "c1 \u0085", "bad \xff", "\ufffe", "Звіт №401", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.IndexFunc(s, IsControl) < 0 && utf8.ValidString(s)
		if got := cleanText(s); got != want {
			t.Errorf("cleanText(%q) = %v, want %v", s, got, want)
		}
	})
}
