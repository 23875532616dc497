package questions

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// decoder fills Go values from a YAML node tree field by field, so that
// every mistake gets its own path and line, a bad list item keeps its place
// (the items after it keep their indices), and nothing is silently truncated.
type decoder struct {
	problems []Problem
	// failed holds the paths whose values could not be decoded; validation
	// problems at or under them would only repeat the same mistake.
	failed map[string]bool
}

func newDecoder() *decoder {
	return &decoder{failed: map[string]bool{}}
}

func (d *decoder) fail(line int, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
	d.failed[path] = true
}

// covers reports whether a validation problem at path only repeats a
// decoding problem at or above it.
func (d *decoder) covers(path string) bool {
	for p := range d.failed {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}

// describe names what a node holds, for messages: "a list", "the text
// \"1.5s\"", "the number 7.5".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "the number " + v
	case "!!bool":
		return v
	case "!!null":
		return "nothing"
	}
	return strconv.Quote(v)
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// decode fills v from n. line is where a problem with the value as a whole
// is reported: the line of its key, which is where an author looks.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, line int) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if line == 0 {
		line = n.Line
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path, line)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, path, line)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(line, path, "is %s, but this field needs a list (lines starting with \"- \", or [a, b])", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), 0)
		}
		v.Set(s)
	case reflect.Map:
		d.decodeMap(n, v, path, line)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			if strings.Contains(err.Error(), "excessive aliasing") {
				d.fail(line, path, "uses YAML aliases (*name) that expand to too much data (a \"billion laughs\" document); write the values out")
				return
			}
			d.fail(line, path, "cannot be read: %s", strings.TrimPrefix(err.Error(), "yaml: "))
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(normalizeValue(x)))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(line, path, "is %s, but this field needs text", describe(n))
		} else if !isNull(n) {
			v.SetString(n.Value)
		}
	case reflect.Int, reflect.Int64:
		d.decodeInt(n, v, path, line)
	case reflect.Float64:
		var f float64
		if isNull(n) {
			return
		}
		if tag := n.ShortTag(); n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			d.fail(line, path, "is %s, but this field needs a number", describe(n))
		} else if math.IsNaN(f) || math.IsInf(f, 0) {
			d.fail(line, path, "is %s; use a finite number", n.Value)
		} else {
			v.SetFloat(f)
		}
	case reflect.Bool:
		var b bool
		if isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.fail(line, path, "is %s, but this field needs true or false", describe(n))
		} else {
			v.SetBool(b)
		}
	default:
		panic(fmt.Sprintf("questions: no YAML decoding for %s", v.Type()))
	}
}

func (d *decoder) decodeInt(n *yaml.Node, v reflect.Value, path string, line int) {
	if isNull(n) {
		return
	}
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int":
			var i int64
			if err := n.Decode(&i); err == nil {
				v.SetInt(i)
				return
			}
		case "!!float":
			var f float64
			if err := n.Decode(&f); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				v.SetInt(int64(f))
				return
			}
			d.fail(line, path, "is %s, but this field needs a whole number", n.Value)
			return
		}
	}
	d.fail(line, path, "is %s, but this field needs a whole number", describe(n))
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, line int) {
	if n.Kind != yaml.MappingNode {
		what := "this field needs a mapping of fields (key: value lines)"
		if strings.HasPrefix(path, "questions[") && !strings.Contains(path, ".") {
			what = "each question is a mapping of fields such as slug:, kind:, title:"
		}
		d.fail(line, path, "is %s, but %s", describe(n), what)
		return
	}
	fields := fieldsOf(v.Type())
	d.eachPair(n, path, func(k, val *yaml.Node, p string) {
		index, ok := fields.index[k.Value]
		if ok {
			d.decode(val, v.FieldByIndex(index), p, k.Line)
			return
		}
		guess := closest(k.Value, fields.names)
		if guess == "" {
			d.fail(k.Line, p, "unknown field %q; check its spelling against the format in the README", k.Value)
			return
		}
		d.fail(k.Line, p, "unknown field %q; did you mean %q?", k.Value, guess)
		// The field it was meant to be is not missing, only misspelt.
		d.failed[joinPath(path, guess)] = true
	})
}

// eachPair calls fn for each key and value of a mapping, reporting a key
// that appears twice instead of letting the last one win silently.
func (d *decoder) eachPair(n *yaml.Node, path string, fn func(k, val *yaml.Node, p string)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		p := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.fail(k.Line, p, "appears twice in this mapping (first on line %d); keep one", first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k, val, p)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string, line int) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(line, path, "is %s, but this field needs a mapping such as python: code", describe(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	d.eachPair(n, path, func(k, val *yaml.Node, p string) {
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, elem, p, k.Line)
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
	})
	v.Set(m)
}

// normalizeValue makes decoded test values round-trip: -0.0 would be written
// back as -0 and read as the integer 0.
func normalizeValue(x any) any {
	switch t := x.(type) {
	case float64:
		if t == 0 {
			return 0.0
		}
	case []any:
		for i := range t {
			t[i] = normalizeValue(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = normalizeValue(t[k])
		}
	}
	return x
}

// structFields maps a struct's YAML keys, inline structs included, to field
// indices.
type structFields struct {
	index map[string][]int
	names []string
}

var fieldCache sync.Map // reflect.Type -> *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{index: map[string][]int{}}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("yaml")
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int{}, prefix...), i)
			if strings.Contains(opts, "inline") {
				walk(sf.Type, idx)
				continue
			}
			if name == "-" || !sf.IsExported() {
				continue
			}
			if name == "" {
				name = strings.ToLower(sf.Name)
			}
			f.index[name] = idx
			f.names = append(f.names, name)
		}
	}
	walk(t, nil)
	sort.Strings(f.names)
	fieldCache.Store(t, f)
	return f
}

// closest returns the known field a misspelt one most likely meant: the
// nearest by edit distance (at most 2), or one it abbreviates (memory for
// memory_mb); "" when none is close.
func closest(name string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if dist := EditDistance(name, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" {
		return best
	}
	for _, k := range known {
		if len(name) >= 3 && (strings.HasPrefix(k, name) || strings.HasPrefix(name, k)) {
			return k
		}
	}
	return ""
}

// EditDistance is the Levenshtein distance between a and b, in bytes: the
// measure of "did you mean" suggestions, for set fields here and for
// settings in the CLI's config file.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
