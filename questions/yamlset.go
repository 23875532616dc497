package questions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxSetBytes bounds one question-set file.
const MaxSetBytes = 16 << 20

// FormatYAML names the native format in a set's Format field.
const FormatYAML = "yaml"

// ParseYAML reads a set in the native YAML format and validates it. Any
// problem, syntax or content, comes back in a *ValidationError listing every
// problem as file:line: field: problem, in line order; file names the source
// in messages.
func ParseYAML(file string, data []byte) (*Set, error) {
	fail := func(problems ...Problem) (*Set, error) {
		for i := range problems {
			problems[i].File = file
		}
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return nil, &ValidationError{Problems: problems}
	}
	if len(data) > MaxSetBytes {
		return fail(Problem{Message: fmt.Sprintf("the file is %d bytes; split it into sets under %d MB", len(data), MaxSetBytes>>20)})
	}
	if at := firstInvalidUTF8(data); at < len(data) {
		line := 1 + bytes.Count(data[:at], []byte("\n"))
		return fail(Problem{Line: line, Message: fmt.Sprintf("is not valid UTF-8 at byte %d; save the file as UTF-8", at)})
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fail(syntaxProblem(data, err))
	}
	if len(root.Content) == 0 {
		return fail(Problem{Line: 1, Message: "the file is empty; a set starts with slug:, title:, version: and questions:"})
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return fail(Problem{Line: doc.Line, Message: "a question set is a mapping with slug:, title:, version: and questions:, not " + describe(doc)})
	}

	var set Set
	d := newDecoder()
	d.decode(doc, reflect.ValueOf(&set).Elem(), "", doc.Line)
	problems := d.problems
	for _, p := range set.Validate() {
		if d.covers(p.Path) {
			continue
		}
		p.Line = lineOf(&root, p.Path)
		problems = append(problems, p)
	}
	if len(problems) > 0 {
		return fail(problems...)
	}
	set.Format = FormatYAML
	return &set, nil
}

var lineInMessage = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxMessages turn yaml's parser wording into what to fix.
var syntaxMessages = []struct{ yaml, say string }{
	{"found unexpected end of stream", "the file ends inside a quoted string or an unclosed [ or {; check that every quote and bracket is closed"},
	{"did not find expected node content", "a value is missing or a bracket is not closed"},
	{"did not find expected ',' or ']'", "a [ ] list is not closed, or one of its items holds a character that needs quotes (such as ?, :, # or [)"},
	{"did not find expected ',' or '}'", "a { } mapping is not closed, or one of its values holds a character that needs quotes (such as :, # or {)"},
	{"mapping values are not allowed in this context", "a value contains \": \"; put the whole value in quotes"},
	{"did not find expected key", "the indentation does not line up with the field above"},
	{"found character that cannot start any token", "a value starts with a character YAML reserves (such as @, ` or a tab); put the value in quotes"},
	{"could not find expected ':'", "a line is neither key: value nor a list item; a multi-line value needs | after its key"},
}

// syntaxProblem explains a YAML syntax error. Tabs in indentation come first:
// YAML forbids them and yaml.v3 reports them a line early.
func syntaxProblem(data []byte, err error) Problem {
	for i, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "\t") {
			return Problem{Line: i + 1, Message: "YAML syntax: the line is indented with a tab; indent with spaces"}
		}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Problem{Message: "YAML syntax: " + msg}
	if m := lineInMessage.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// yaml.v3 numbers its parser's errors from 0 (its scanner's from
		// 1): "did not find expected ..." would point a line early.
		if strings.HasPrefix(msg, "did not find expected") {
			p.Line++
		}
		p.Message = "YAML syntax: " + msg
	}
	for _, sm := range syntaxMessages {
		if strings.Contains(msg, sm.yaml) {
			p.Message = "YAML syntax: " + sm.say + " (" + msg + ")"
			break
		}
	}
	return p
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lineOf resolves a path such as questions[3].tests[1].args to the line of
// that field, or of its nearest enclosing field when it is missing. Keys may
// hold dots (starter_code.node.js), so each step takes the longest key that
// the rest of the path starts with.
func lineOf(root *yaml.Node, path string) int {
	if len(root.Content) == 0 {
		return 0
	}
	n := root.Content[0]
	line := n.Line
	rest := path
	for rest != "" {
		rest = strings.TrimPrefix(rest, ".")
		switch {
		case strings.HasPrefix(rest, "[") && n.Kind == yaml.SequenceNode:
			end := strings.Index(rest, "]")
			i, err := strconv.Atoi(rest[1:max(end, 1)])
			if end < 0 || err != nil || i >= len(n.Content) {
				return line
			}
			n, rest = n.Content[i], rest[end+1:]
			line = n.Line
		case n.Kind == yaml.MappingNode:
			var key, val *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if strings.HasPrefix(rest, k) && (len(rest) == len(k) || rest[len(k)] == '.' || rest[len(k)] == '[') &&
					(key == nil || len(k) > len(key.Value)) {
					key, val = n.Content[i], n.Content[i+1]
				}
			}
			if key == nil {
				return line
			}
			line, n, rest = key.Line, val, rest[len(key.Value):]
		default:
			return line
		}
	}
	return line
}

// MarshalYAML writes a set in the native format, the inverse of ParseYAML.
func MarshalYAML(s *Set) ([]byte, error) {
	return marshalYAML(s)
}

// MarshalJSON writes a set in the native format as JSON: the same keys and
// values as the YAML form, which ParseYAML reads back (JSON is YAML), with
// line numbers in its problems.
func MarshalJSON(s *Set) ([]byte, error) {
	data, err := marshalYAML(s)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("encode set %s: %w", s.Slug, err)
	}
	return json.MarshalIndent(normalizeValue(doc), "", "  ")
}

func marshalYAML(s *Set) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode set %s: %w", s.Slug, err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
