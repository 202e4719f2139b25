package fetch

import (
	"bytes"
	"strings"
)

// shapeWithin is checkXMLShape's fast path: one pass over the bytes, with no
// token or attribute allocated, that reports true only when the body keeps
// every bound of checkXMLShape. It follows the markup of a plain feed (start
// and end tags with quoted attributes, comments, CDATA, processing
// instructions) and gives up, reporting false, at anything else: a DOCTYPE,
// an unquoted or valueless attribute, a declared encoding other than UTF-8,
// a name it does not know how to read. Where it counts it counts at least
// what encoding/xml's tokens give: every attribute whose name holds "xmlns"
// as a namespace declaration, "base" as xml:base at its raw length (an
// entity only shortens it), "type" with an entity or a byte past ASCII as
// html, and each "&" in text typed html as a start tag. So where it says
// true, checkXMLShape's tokens stay within the bounds too; where it says
// false, checkXMLShape decides. TestShapeWithinAgreesWithTokens and
// FuzzShapeWithin keep the two together.
func shapeWithin(body []byte) bool {
	type scope struct {
		namespaces, baseLen int
		html                bool
	}
	var stackBuf [maxDepth + 2]scope
	stack := stackBuf[:1]
	elements, htmlTags := 0, 0
	text := func(t []byte, entities bool) bool {
		if !stack[len(stack)-1].html {
			return true
		}
		htmlTags += startTags(t)
		if entities {
			htmlTags += bytes.Count(t, []byte{'&'})
		}
		return htmlTags <= maxHTMLTags
	}
	for i := 0; i < len(body); {
		lt := bytes.IndexByte(body[i:], '<')
		if lt < 0 {
			return text(body[i:], true)
		}
		if !text(body[i:i+lt], true) {
			return false
		}
		i += lt
		rest := body[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return false
			}
			i += 4 + end + 3
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end := bytes.Index(rest[9:], []byte("]]>"))
			if end < 0 {
				return false
			}
			if !text(rest[9:9+end], false) {
				return false
			}
			i += 9 + end + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest[2:], []byte("?>"))
			if end < 0 || !plainDeclaration(rest[2:2+end]) {
				return false
			}
			i += 2 + end + 2
		case bytes.HasPrefix(rest, []byte("</")):
			j := 2
			n := nameLen(rest[j:])
			if n == 0 {
				return false
			}
			j += n
			j += spaceLen(rest[j:])
			if j >= len(rest) || rest[j] != '>' {
				return false
			}
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			i += j + 1
		default:
			j := 1
			n := nameLen(rest[j:])
			if n == 0 {
				return false
			}
			j += n
			s := stack[len(stack)-1]
			closed := false
			for {
				sp := spaceLen(rest[j:])
				j += sp
				if j >= len(rest) {
					return false
				}
				if rest[j] == '>' {
					j++
					break
				}
				if rest[j] == '/' {
					if j+1 >= len(rest) || rest[j+1] != '>' {
						return false
					}
					j += 2
					closed = true
					break
				}
				if sp == 0 {
					return false // attributes stand apart from the name and each other
				}
				n := nameLen(rest[j:])
				if n == 0 {
					return false
				}
				name := rest[j : j+n]
				j += n
				j += spaceLen(rest[j:])
				if j >= len(rest) || rest[j] != '=' {
					return false
				}
				j++
				j += spaceLen(rest[j:])
				if j >= len(rest) || rest[j] != '"' && rest[j] != '\'' {
					return false
				}
				end := bytes.IndexByte(rest[j+1:], rest[j])
				if end < 0 {
					return false
				}
				value := rest[j+1 : j+1+end]
				if bytes.IndexByte(value, '<') >= 0 {
					return false
				}
				j += 1 + end + 1
				switch {
				case bytes.Contains(name, []byte("xmlns")):
					s.namespaces++
				case bytes.Contains(name, []byte("base")):
					s.baseLen += len(value)
				case bytes.Contains(name, []byte("type")):
					s.html = s.html || mayNameHTML(value)
				}
			}
			stack = append(stack, s)
			elements++
			if len(stack)-1 > maxDepth || elements > maxElements || s.namespaces > maxNamespaces || s.baseLen > maxBaseLen {
				return false
			}
			if closed {
				stack = stack[:len(stack)-1]
			}
			i += j
		}
	}
	return true
}

// mayNameHTML reports whether a type attribute's value may say html once
// its entities are decoded and it is put in lower case.
func mayNameHTML(v []byte) bool {
	for _, c := range v {
		if c == '&' || c >= 0x80 {
			return true
		}
	}
	return strings.Contains(strings.ToLower(string(v)), "html")
}

// plainDeclaration reports whether a processing instruction's body leaves
// the decoder reading UTF-8: any but an XML declaration naming another
// encoding.
func plainDeclaration(pi []byte) bool {
	if !bytes.HasPrefix(pi, []byte("xml")) || len(pi) > 3 && !isXMLSpace(pi[3]) {
		return true
	}
	i := bytes.Index(pi, []byte("encoding"))
	if i < 0 {
		return true
	}
	v := pi[i+len("encoding"):]
	v = v[spaceLen(v):]
	if len(v) == 0 || v[0] != '=' {
		return false
	}
	v = v[1:]
	v = v[spaceLen(v):]
	if len(v) < 2 || v[0] != '"' && v[0] != '\'' {
		return false
	}
	end := bytes.IndexByte(v[1:], v[0])
	if end < 0 {
		return false
	}
	enc := string(v[1 : 1+end])
	return strings.EqualFold(enc, "utf-8") || strings.EqualFold(enc, "utf8")
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func spaceLen(b []byte) int {
	n := 0
	for n < len(b) && isXMLSpace(b[n]) {
		n++
	}
	return n
}

// nameLen is the length of the name b starts with: an ASCII letter, "_" or
// ":" first, then those, digits, "-" and "."; 0 for none or for a name with
// a byte past ASCII, which shapeWithin leaves to encoding/xml.
func nameLen(b []byte) int {
	n := 0
	for n < len(b) {
		c := b[n]
		switch {
		case 'a' <= c|0x20 && c|0x20 <= 'z', c == '_', c == ':':
		case n > 0 && ('0' <= c && c <= '9' || c == '-' || c == '.'):
		case c >= 0x80:
			return 0
		default:
			return n
		}
		n++
	}
	return n
}
