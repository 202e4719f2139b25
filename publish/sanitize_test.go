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
