package publish

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// indentCase is a value of every shape a feed or the API holds.
type indentCase struct {
	Text   string            `json:"text"`
	Empty  []string          `json:"empty"`
	None   map[string]int    `json:"none"`
	Nested [][]any           `json:"nested"`
	Keys   map[string]string `json:"keys"`
	Num    float64           `json:"num"`
	Ptr    *indentCase       `json:"ptr,omitempty"`
}

func TestAppendIndentedIsJSONIndent(t *testing.T) {
	texts := map[string]string{
		"plain":                     "Russian Offensive Campaign Assessment",
		"quotes and backslashes":    `a "quoted" \ back\\slash \"both\\" end\`,
		"trailing backslash":        `ends in \\`,
		"html and unicode":          "<p>Звіт &amp; «Lage» — 🇺🇦</p>\u2028\t\n",
		"structural characters":     `{"a": [1, 2], "b": {}}, : [ ] { }`,
		"empty":                     "",
		"control and invalid bytes": "\x00\x01\x1f\xff\xfe",
	}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			v := indentCase{Text: text, Empty: []string{}, None: map[string]int{}, Nested: [][]any{{}, {1, "x", nil, true, []any{}}, {map[string]any{}}},
				Keys: map[string]string{text: text, "k": ""}, Num: -1.5e-9, Ptr: &indentCase{Text: text}}
			assertIndentedLikeJSON(t, v)
		})
	}
}

func TestAppendIndentedIsJSONIndentOnTestdata(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		b, err := os.ReadFile("testdata/" + e.Name())
		if err != nil || e.IsDir() {
			continue
		}
		// Every feed in testdata, as one JSON string: real HTML, quotes and all.
		assertIndentedLikeJSON(t, map[string]any{"name": e.Name(), "body": string(b), "lines": bytes.Count(b, []byte("\n"))})
		n++
	}
	if n == 0 {
		t.Fatal("no testdata read")
	}
}

func assertIndentedLikeJSON(t *testing.T, v any) {
	t.Helper()
	for _, escapeHTML := range []bool{true, false} {
		var compact bytes.Buffer
		enc := json.NewEncoder(&compact)
		enc.SetEscapeHTML(escapeHTML)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc = json.NewEncoder(&want)
		enc.SetEscapeHTML(escapeHTML)
		enc.SetIndent("    ", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := encodeIndented(&got, v, "    ", "  ", escapeHTML); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("escapeHTML %v: indented\n%s\nwant (json.Encoder)\n%s", escapeHTML, got.Bytes(), want.Bytes())
		}
	}
}

func FuzzAppendIndented(f *testing.F) {
	f.Add("plain", "x")
	f.Add(`"\`, `\\"`)
	f.Add("{[,:]}", "\u2028<>&")
	f.Fuzz(func(t *testing.T, a, b string) {
		assertIndentedLikeJSON(t, map[string]any{a: []any{b, map[string]string{b: a}, []string{}, struct{}{}}, "n": len(a)})
	})
}
