package publish

import "testing"

func TestPlainTextStaysTextWhenReadAsHTMLAgain(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"markup goes", `Die Lage <b>401</b>`, "Die Lage 401"},
		{"markup sent as text goes too, since readers render titles as HTML", `Lage &lt;script&gt;alert(1)&lt;/script&gt; 401`, "Lage  401"},
		{"doubly escaped markup goes", `Lage &amp;lt;img src=x onerror=alert(1)&amp;gt; 401`, "Lage  401"},
		{"an ampersand and a lone angle bracket stay", `Q&amp;A: 3 &lt; 4`, "Q&A: 3 < 4"},
		{"quotes stay", `"Die Lage" 'heute'`, `"Die Lage" 'heute'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainText(tt.in); got != tt.want {
				t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlainTitlesSkipTheSanitiserWithTheSameResult(t *testing.T) {
	titles := []string{
		"Russian Offensive Campaign Assessment, March 29, 2023",
		"Ukraine: Die Lage 401", "Звіт ISW №401", `"Die Lage" 'heute'`, "  spaced\tout  ",
		"Évaluation de la campagne offensive russe, 29/03/2023", "a\u0001control", "line\nbreak",
		"tab\t and \u00a0nbsp", "emoji 🇺🇦", "\ufeffbom", "a = b; c == d?",
	}
	for _, s := range titles {
		if !isPlain(s) {
			t.Errorf("%q is not plain", s)
			continue
		}
		if got, want := plainText(s), strippedText(s); got != want {
			t.Errorf("plainText(%q) = %q, the sanitiser gives %q", s, got, want)
		}
	}
	for _, s := range []string{"a < b", "Q&amp;A", "<b>x</b>", "cr\r\nlf", "nul\x00", "bad \xff utf-8"} {
		if isPlain(s) {
			t.Errorf("%q is taken as plain", s)
		}
	}
}
