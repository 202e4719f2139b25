package publish

import (
	"bytes"
	"encoding/json"
)

// appendIndented appends src, a compact JSON value as encoding/json marshals
// it, to dst with the layout json.Indent gives it (a newline and prefix
// before each element, indent per level, "{}" and "[]" when empty). It
// copies each string whole rather than stepping json's scanner through it
// byte by byte: the content of a feed is almost all string, and its indent
// was a tenth of an export's time.
func appendIndented(dst, src []byte, prefix, indent string) []byte {
	depth, opened := 0, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if opened && c != '}' && c != ']' {
			opened = false
			depth++
			dst = appendNewline(dst, prefix, indent, depth)
		}
		switch c {
		case '"':
			end := closingQuote(src, i)
			dst = append(dst, src[i:end+1]...)
			i = end
		case '{', '[':
			opened = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = appendNewline(dst, prefix, indent, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if opened {
				opened = false
			} else {
				depth--
				dst = appendNewline(dst, prefix, indent, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// closingQuote is the index of the quote that ends the string opening at
// src[open]: the first quote after it that an even run of backslashes
// precedes. A string that never ends runs to the end of src.
func closingQuote(src []byte, open int) int {
	from := open + 1
	for {
		k := bytes.IndexByte(src[from:], '"')
		if k < 0 {
			return len(src) - 1
		}
		q := from + k
		backslashes := 0
		for j := q - 1; j > open && src[j] == '\\'; j-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q
		}
		from = q + 1
	}
}

func appendNewline(dst []byte, prefix, indent string, depth int) []byte {
	dst = append(dst, '\n')
	dst = append(dst, prefix...)
	for range depth {
		dst = append(dst, indent...)
	}
	return dst
}

// encodeIndented appends v to buf as json.Encoder does with SetIndent(prefix,
// indent) and escapeHTML, newline and all.
func encodeIndented(buf *bytes.Buffer, v any, prefix, indent string, escapeHTML bool) error {
	compact := getBuffer()
	defer putBuffer(compact)
	enc := json.NewEncoder(compact)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b := compact.Bytes()
	buf.Grow(len(b) + len(b)/8)
	out := appendIndented(buf.AvailableBuffer(), b[:len(b)-1], prefix, indent)
	buf.Write(append(out, '\n'))
	return nil
}
