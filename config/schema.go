package config

import (
	"cmp"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The YAML shape of the config is read from the Go types, so error messages and
// the effective config follow the structs without a second list of keys.

var (
	configType      = reflect.TypeFor[Config]()
	durationType    = reflect.TypeFor[time.Duration]()
	dateType        = reflect.TypeFor[Date]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
)

// visitor is called with a node, the Go type it decodes into and its key path
// (e.g. sources[1].schedule); it returns whether to look inside the node.
type visitor func(n *yaml.Node, t reflect.Type, path string) bool

// walk visits n and every node inside it that the config's types have a place for.
// Keys the types do not know are skipped; unknownKeys finds them.
func walk(n *yaml.Node, t reflect.Type, path string, visit visitor) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			walk(n.Content[0], t, path, visit)
		}
		return
	case yaml.AliasNode:
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if !visit(n, t, path) || isLeaf(t) {
		return
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		for k, v := range pairs(n) {
			if f, ok := fieldFor(t, k.Value); ok {
				walk(v, f.Type, join(path, k.Value), visit)
			}
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for k, v := range pairs(n) {
			if p := join(path, k.Value); visit(k, t.Key(), p) {
				walk(v, t.Elem(), p, visit)
			}
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, item := range n.Content {
			walk(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), visit)
		}
	}
}

func pairs(n *yaml.Node) iter.Seq2[*yaml.Node, *yaml.Node] {
	return func(yield func(*yaml.Node, *yaml.Node) bool) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i], n.Content[i+1]) {
				return
			}
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// isLeaf reports whether t is decoded from a single scalar rather than from keys or items.
func isLeaf(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return true
	}
	k := t.Kind()
	return k != reflect.Struct && k != reflect.Map && k != reflect.Slice
}

func fieldFor(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); yamlKey(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlKey(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return strings.ToLower(f.Name)
	}
	return name
}

// keysOf lists the keys a struct type accepts, in the order they are declared.
func keysOf(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if k := yamlKey(t.Field(i)); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// mismatch says why n does not decode into t, or returns "" when it does.
func mismatch(n *yaml.Node, t reflect.Type) string {
	var fits bool
	switch {
	case isLeaf(t):
		fits = n.Decode(reflect.New(t).Interface()) == nil
	case t.Kind() == reflect.Slice:
		fits = n.Kind == yaml.SequenceNode || n.Tag == "!!null"
	default:
		fits = n.Kind == yaml.MappingNode || n.Tag == "!!null"
	}
	if fits {
		return ""
	}
	return complaint(n, t)
}

// complaint tells the operator what n is and what to write instead.
func complaint(n *yaml.Node, t reflect.Type) string {
	got := strconv.Quote(n.Value)
	switch n.Kind {
	case yaml.SequenceNode:
		got = "a list"
	case yaml.MappingNode:
		got = "a mapping"
	}
	noun, fix := expected(t)
	return fmt.Sprintf("%s is not %s; write %s", got, noun, fix)
}

// expected names what a value of type t looks like, with an example.
func expected(t reflect.Type) (noun, fix string) {
	switch {
	case t == durationType:
		return "a duration", "a duration such as 5m or 1h30m"
	case t == dateType:
		return "a date", "it as YYYY-MM-DD"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number", "a whole number such as 50"
	case reflect.Bool:
		return "true or false", "true or false"
	case reflect.String:
		return "text", `text on one line, in quotes if it contains ": "`
	case reflect.Slice:
		return "a list", `a list, one "- " item per line`
	case reflect.Struct:
		return "a mapping", "keys under it such as " + strings.Join(keysOf(t), ", ")
	case reflect.Map:
		return "a mapping", "key: value pairs under it, one per line"
	}
	return t.String(), t.String()
}

// problem is one mistake in a config file, at a line.
type problem struct {
	line int
	text string
}

// mismatches finds every value in a config document that does not fit its key.
func mismatches(doc *yaml.Node) []problem {
	var found []problem
	walk(doc, configType, "", func(n *yaml.Node, t reflect.Type, path string) bool {
		msg := mismatch(n, t)
		if msg == "" {
			return true
		}
		found = append(found, problem{n.Line, cmp.Or(path, "top level") + ": " + msg})
		return false
	})
	return found
}

// unknownKeys finds every key of a config document that its place does not
// know, with the keys it does.
func unknownKeys(doc *yaml.Node) []problem {
	var found []problem
	walk(doc, configType, "", func(n *yaml.Node, t reflect.Type, _ string) bool {
		if n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct || isLeaf(t) {
			return true
		}
		for k := range pairs(n) {
			if _, ok := fieldFor(t, k.Value); !ok {
				found = append(found, problem{k.Line, unknownKey(k.Value, keysOf(t))})
			}
		}
		return true
	})
	return found
}

// unknownKey names a key that is not known here and the one meant, or else
// the keys there are.
func unknownKey(key string, known []string) string {
	msg := fmt.Sprintf("unknown key %q", key)
	if s := suggest(key, known); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + fmt.Sprintf("; known keys here: %s", strings.Join(known, ", "))
}

// explainYAML turns the decoder's error into messages that name the key and
// the fix. The decoder gives only a line, so the document is walked again with
// the config's types to find each unknown key and each value of the wrong type
// by its key path; an error that walk does not find (broken YAML syntax) is
// given as the decoder wrote it.
func explainYAML(data []byte, err error) string {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return err.Error()
	}
	found := append(unknownKeys(&doc), mismatches(&doc)...)
	if len(found) == 0 {
		return err.Error()
	}
	slices.SortStableFunc(found, func(a, b problem) int { return cmp.Compare(a.line, b.line) })
	msgs := make([]string, 0, len(found))
	for _, p := range found {
		msgs = append(msgs, fmt.Sprintf("line %d: %s", p.line, p.text))
	}
	return strings.Join(msgs, "\n")
}

// durationText writes d as an operator would: 6h, 1h30m, 5m, 30s.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
