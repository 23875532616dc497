package questions

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
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
// problem as file:line: field: problem; file names the source in messages.
func ParseYAML(file string, data []byte) (*Set, error) {
	fail := func(problems ...Problem) (*Set, error) {
		for i := range problems {
			problems[i].File = file
		}
		return nil, &ValidationError{Problems: problems}
	}
	if len(data) > MaxSetBytes {
		return fail(Problem{Message: fmt.Sprintf("the file is %d bytes; split it into sets under %d MB", len(data), MaxSetBytes>>20)})
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fail(syntaxProblem(err))
	}
	if len(root.Content) == 0 {
		return fail(Problem{Line: 1, Message: "the file is empty; a set starts with slug:, title:, version: and questions:"})
	}
	if doc := root.Content[0]; doc.Kind != yaml.MappingNode {
		return fail(Problem{Line: doc.Line, Message: "a question set is a mapping with slug:, title:, version: and questions:"})
	}

	var set Set
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var problems []Problem
	if err := dec.Decode(&set); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return fail(syntaxProblem(err))
		}
		for _, msg := range te.Errors {
			problems = append(problems, typeProblem(&root, msg))
		}
	}
	for _, p := range set.Validate() {
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

func syntaxProblem(err error) Problem {
	msg := err.Error()
	if m := lineInMessage.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{Line: line, Message: "YAML syntax: " + m[2]}
	}
	return Problem{Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

var (
	unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	cannotDecode = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (\\S+)$")
)

// typeProblem turns one of yaml's decoding messages into a Problem with the
// field's path, so unknown and mistyped fields read like the other problems.
func typeProblem(root *yaml.Node, msg string) Problem {
	m := lineInMessage.FindStringSubmatch(msg)
	if m == nil {
		return Problem{Message: msg}
	}
	line, _ := strconv.Atoi(m[1])
	p := Problem{Line: line, Message: m[2]}
	if u := unknownField.FindStringSubmatch(m[2]); u != nil {
		p.Path = pathAt(root, line, u[1])
		p.Message = fmt.Sprintf("unknown field %q; check its spelling against the format in the README", u[1])
	} else if c := cannotDecode.FindStringSubmatch(m[2]); c != nil {
		p.Path = pathAt(root, line, "")
		p.Message = fmt.Sprintf("%q is a %s, but this field needs %s", c[2], yamlTag(c[1]), goTypeName(c[3]))
	}
	return p
}

func yamlTag(tag string) string {
	switch tag {
	case "str":
		return "string"
	case "seq":
		return "list"
	case "map":
		return "mapping"
	case "int", "float", "bool":
		return tag
	}
	return tag
}

func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	case t == "int" || t == "float64":
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string" || strings.HasSuffix(t, ".Kind") || strings.HasSuffix(t, ".Difficulty") || strings.HasSuffix(t, ".Mode"):
		return "text"
	}
	return "a mapping"
}

// pathAt finds the path of the key named key (or of any value) on line in
// the document, so decoding errors name their field like validation does.
func pathAt(root *yaml.Node, line int, key string) string {
	var found string
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		if found != "" {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := joinPath(path, k.Value)
				if k.Line == line && (key == "" || k.Value == key) {
					found = p
					return
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				if c.Line == line && c.Kind == yaml.ScalarNode && key == "" {
					found = p
					return
				}
				walk(c, p)
			}
		case yaml.ScalarNode:
			if n.Line == line && key == "" {
				found = path
			}
		}
	}
	walk(root, "")
	return found
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var pathSegment = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`)

// lineOf resolves a path such as questions[3].tests[1].args to the line of
// that field, or of its nearest enclosing field when it is missing.
func lineOf(root *yaml.Node, path string) int {
	if len(root.Content) == 0 {
		return 0
	}
	n := root.Content[0]
	line := n.Line
	for _, seg := range pathSegment.FindAllStringSubmatch(path, -1) {
		switch {
		case seg[1] != "" && n.Kind == yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg[1] {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				return line
			}
			n = next
		case seg[2] != "" && n.Kind == yaml.SequenceNode:
			i, _ := strconv.Atoi(seg[2])
			if i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		default:
			return line
		}
	}
	return line
}

// MarshalYAML writes a set in the native format, the inverse of ParseYAML.
func MarshalYAML(s *Set) ([]byte, error) {
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
