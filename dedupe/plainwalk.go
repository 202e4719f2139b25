package dedupe

import (
	"strings"

	"golang.org/x/net/html"
)

// plainWalk is walk for plain markup, one pass over the bytes with no
// token made: text between tags, start and end tags whose names are
// ASCII words and whose attributes are quoted, or simple unquoted, and
// stand apart. Where the tokenizer would read anything else differently
// or needs more care (a comment, a doctype, "<" that starts no tag, the
// raw text of <script>, <style>, <textarea> and their kind, a NUL byte, an
// href with an entity or a carriage return), it gives up (ok false) and
// walk tokenises. Otherwise it gives what tokenWalk gives:
// TestPlainWalkAsTokens and FuzzPlainWalk compare them.
func plainWalk(doc string, wantLinks bool, headEnd, tailStart int) (text string, links []string, ok bool) {
	if strings.IndexByte(doc, 0) >= 0 {
		return "", nil, false
	}
	var b strings.Builder
	b.Grow(min(len(doc), headEnd) + max(0, len(doc)-max(tailStart, headEnd)))
	var seen hrefMemo
	skip := false
	for i := 0; i < len(doc); {
		lt := strings.IndexByte(doc[i:], '<')
		if lt < 0 {
			lt = len(doc) - i
		}
		if lt > 0 {
			if !skip && (i < headEnd || i+lt > tailStart) {
				b.WriteString(plainText(doc[i : i+lt]))
				b.WriteByte(' ')
			}
			i += lt
			if i == len(doc) {
				break
			}
		}
		t, ok := readPlainTag(doc[i:])
		if !ok {
			return "", nil, false
		}
		switch {
		case t.end:
			skip = false
		case t.name == "a":
			if wantLinks && t.href != nil {
				if href := seen.hrefOfValue(*t.href); href != "" {
					links = append(links, href)
				}
			}
		case t.name == "template":
			skip = !t.selfClosing
		}
		i += t.size
	}
	return foldText(b.String()), links, true
}

// plainText is a text token's text as the tokenizer gives it: newlines
// made "\n", then entities unescaped.
func plainText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return html.UnescapeString(s)
}

// plainTag is a tag plainWalk read: its lower-case name, whether it ends an
// element or closes itself, its bytes, and the value of its first href.
type plainTag struct {
	name             string
	end, selfClosing bool
	size             int
	href             *string
}

// rawTextTags are the elements whose content the tokenizer reads as raw
// text or RCDATA, not as tags: plainWalk leaves them to it.
var rawTextTags = map[string]bool{"script": true, "style": true, "textarea": true, "title": true, "iframe": true,
	"noembed": true, "noframes": true, "noscript": true, "plaintext": true, "xmp": true}

// readPlainTag reads the tag s starts with, false for anything but a plain one.
func readPlainTag(s string) (plainTag, bool) {
	var t plainTag
	i := 1
	if i < len(s) && s[i] == '/' {
		t.end = true
		i++
	}
	n := tagNameLen(s[i:])
	if n == 0 {
		return t, false
	}
	t.name = strings.ToLower(s[i : i+n])
	i += n
	if rawTextTags[t.name] {
		return t, false
	}
	for {
		sp := htmlSpaceLen(s[i:])
		i += sp
		if i >= len(s) {
			return t, false
		}
		switch {
		case s[i] == '>':
			t.size = i + 1
			return t, true
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '>':
			t.selfClosing = !t.end
			t.size = i + 2
			return t, !t.end
		case t.end || sp == 0:
			return t, false
		}
		n := attrNameLen(s[i:])
		if n == 0 {
			return t, false
		}
		name := s[i : i+n]
		i += n
		j := i + htmlSpaceLen(s[i:])
		if j >= len(s) || s[j] != '=' {
			if t.href == nil && strings.EqualFold(name, "href") {
				t.href = new(string) // an empty href, as the tokenizer reads it
			}
			continue // an attribute without a value
		}
		j++
		j += htmlSpaceLen(s[j:])
		if j >= len(s) {
			return t, false
		}
		var value string
		if q := s[j]; q == '"' || q == '\'' {
			end := strings.IndexByte(s[j+1:], q)
			if end < 0 {
				return t, false
			}
			value = s[j+1 : j+1+end]
			i = j + 1 + end + 1
		} else {
			n := unquotedLen(s[j:])
			if n == 0 {
				return t, false
			}
			value = s[j : j+n]
			i = j + n
		}
		if t.href == nil && strings.EqualFold(name, "href") {
			if strings.ContainsAny(value, "&\r") {
				return t, false
			}
			t.href = &value
		}
	}
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func htmlSpaceLen(s string) int {
	n := 0
	for n < len(s) && isHTMLSpace(s[n]) {
		n++
	}
	return n
}

// tagNameLen is the length of the ASCII letters and digits, first a letter, s starts with.
func tagNameLen(s string) int {
	n := 0
	for n < len(s) {
		c := s[n]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || n > 0 && ('0' <= c && c <= '9' || c == '-')) {
			break
		}
		n++
	}
	if n < len(s) && !isHTMLSpace(s[n]) && s[n] != '>' && s[n] != '/' {
		return 0 // a name the tokenizer reads on
	}
	return n
}

// attrNameLen is the length of a plain attribute name s starts with.
func attrNameLen(s string) int {
	n := 0
	for n < len(s) {
		c := s[n]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.') {
			break
		}
		n++
	}
	if n < len(s) && !isHTMLSpace(s[n]) && s[n] != '>' && s[n] != '/' && s[n] != '=' {
		return 0
	}
	return n
}

// unquotedLen is the length of a simple unquoted attribute value s starts with.
func unquotedLen(s string) int {
	n := 0
	for n < len(s) && !isHTMLSpace(s[n]) && s[n] != '>' {
		switch s[n] {
		case '"', '\'', '<', '=', '`', '&', '/':
			return 0
		}
		n++
	}
	return n
}
