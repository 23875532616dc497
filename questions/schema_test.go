package questions_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/onsite-dev/onsite/questions"
)

const (
	schemaFile = "schema/question-set.schema.json"
	schemaID   = "https://onsite.dev/schema/question-set.schema.json"
)

// compileSchema compiles the question-set schema from its file, registered
// under its $id so nothing is fetched.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err, "the schema is not JSON")
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(schemaID, doc))
	sch, err := c.Compile(schemaID)
	require.NoError(t, err, "the schema does not compile")
	return sch
}

// rawSchema is the schema file decoded into plain Go values.
func rawSchema(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// yamlToJSON decodes YAML the way an editor's YAML extension sees it and
// turns it into the values the jsonschema library validates: yaml.v3 gives
// map[string]any and int, which a round trip through JSON makes into
// json.Number and friends.
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(data, &v), "YAML syntax")
	j, err := json.Marshal(v)
	require.NoError(t, err, "the YAML holds a value JSON cannot (a non-string key, NaN, ...)")
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	require.NoError(t, err)
	return doc
}

// errorLocations lists, as JSON pointers, where the failed keywords are:
// where an editor would underline. The combinators that only pass on their
// subschemas' failures (allOf, anyOf, $ref, ...) are left out.
func errorLocations(err error) []string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		switch e.ErrorKind.(type) {
		case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf, *kind.AnyOf, *kind.OneOf:
		default:
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/"))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

func TestSchemaCompiles(t *testing.T) {
	compileSchema(t)
	assert.Equal(t, schemaID, rawSchema(t)["$id"])
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", rawSchema(t)["$schema"])
}

// TestSchemaAcceptsSetFiles validates the built-in bank (however many files
// it has) and the valid test data against the schema.
func TestSchemaAcceptsSetFiles(t *testing.T) {
	sch := compileSchema(t)
	var files []string
	for _, pattern := range []string{"bank/*.yaml", "testdata/valid/*.yaml"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files, "not even testdata/valid has a set")
	for _, file := range files {
		t.Run(filepath.ToSlash(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			err = sch.Validate(yamlToJSON(t, data))
			assert.NoError(t, err, "%#v", err)
		})
	}
}

// head starts every inline set; the cases add the questions.
const head = "slug: s\ntitle: T\nquestions:\n"

// TestSchemaAcceptsEdgeCases holds sets that onsite accepts at the edges of
// the rules: the schema must accept them too, so it never flags what onsite
// takes.
func TestSchemaAcceptsEdgeCases(t *testing.T) {
	sch := compileSchema(t)
	cases := []struct {
		name string
		yaml string
	}{
		{name: "no version, header only what is required", yaml: head + `
- slug: q
  kind: concept
  title: Q
  prompt: P
  difficulty: easy
  answer: A
`},
		{name: "version 0, estimated_minutes 0 and 600", yaml: "slug: s\ntitle: T\nversion: 0\nquestions:\n" + `
- slug: q
  kind: concept
  title: Q
  prompt: P
  difficulty: hard
  estimated_minutes: 600
  answer: A
- slug: r
  kind: concept
  title: R
  prompt: P
  difficulty: medium
  estimated_minutes: 0
  answer: A
`},
		{name: "80-character slugs and a 200-character title", yaml: "slug: " + strings.Repeat("a", 80) + "\ntitle: T\nquestions:\n" + `
- slug: ` + strings.Repeat("b1-", 26) + `cd
  kind: concept
  title: ` + strings.Repeat("t", 200) + `
  prompt: P
  difficulty: easy
  answer: A
`},
		{name: "fields of other kinds left empty", yaml: head + `
- slug: q
  kind: concept
  title: Q
  prompt: P
  difficulty: easy
  answer: A
  competency: ""
  strong_answer: []
  rubric: []
  outline: ""
  mode: ""
  tests: []
  starter_code: {}
  solutions: {}
- slug: r
  kind: coding
  title: R
  prompt: P
  difficulty: easy
  answer: ""
  key_points: []
  red_flags: []
  tests:
    - {sample: true, input: "", output: ""}
`},
		{name: "function mode inferred, no params, no args", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: answer, returns: int}
  tests:
    - {sample: true, expected: 42}
    - {name: again, args: [], expected: 42, input: "", output: ""}
`},
		{name: "explicit empty mode with function, comparator and limits defaults", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  mode: ""
  function:
    name: _Mean2
    params: [{name: xs, type: "float[]"}, {name: grid, type: "int[][]"}]
    returns: float
  tests:
    - {sample: true, args: [[1.5, 2], [[1, 2], [3]]], expected: 1.75}
  comparator: {type: float}
  limits: {time_ms: 0, memory_mb: 0}
- slug: r
  kind: coding
  title: R
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: s, type: string}], returns: "string[]"}
  tests: [{sample: true, args: [x], expected: [x]}]
  comparator: {type: "", tolerance: 0}
  limits: {time_ms: 60000, memory_mb: 4096}
- slug: s
  kind: coding
  title: S
  prompt: P
  difficulty: easy
  mode: function
  function: {name: f, params: [{name: b, type: bool}], returns: "bool[]"}
  tests: [{sample: true, args: [true], expected: [false]}]
  comparator: {}
  limits: {}
`},
		{name: "stdio mode inferred, empty input, null expected", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  starter_code: {python: "", c: "", cpp: "", rust: "", go: "", java: "", javascript: "", typescript: ""}
  tests:
    - {sample: true, input: "", output: "0\n"}
    - {expected: null, output: ""}
  comparator: {type: unordered, tolerance: 0.999}
  limits: {time_ms: 100, memory_mb: 16}
`},
		{name: "behavioral and system design with only what they need", yaml: head + `
- slug: q
  kind: behavioral
  title: Q
  prompt: P
  difficulty: easy
  competency: ownership
  strong_answer: [""]
- slug: r
  kind: system_design
  title: R
  prompt: P
  difficulty: easy
  rubric: [x]
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, goErr := questions.ParseYAML("case.yaml", []byte(tc.yaml))
			require.NoError(t, goErr, "onsite itself rejects this case; fix the case")
			err := sch.Validate(yamlToJSON(t, []byte(tc.yaml)))
			assert.NoError(t, err, "%#v", err)
		})
	}
}

// TestSchemaRejectsInvalidSets holds sets onsite rejects: the schema must
// reject them too, with an error at the JSON pointer at (among others).
func TestSchemaRejectsInvalidSets(t *testing.T) {
	sch := compileSchema(t)
	const concept = `
- slug: q
  kind: concept
  title: Q
  prompt: P
  difficulty: easy
  answer: A
`
	cases := []struct {
		name string
		at   string
		yaml string
	}{
		// The header.
		{name: "unknown set field", at: "/", yaml: "slug: s\ntitle: T\nauthor: me\nquestions:\n" + concept},
		{name: "set slug with capitals", at: "/slug", yaml: "slug: Sample_Set\ntitle: T\nquestions:\n" + concept},
		{name: "set slug too long", at: "/slug", yaml: "slug: " + strings.Repeat("a", 81) + "\ntitle: T\nquestions:\n" + concept},
		{name: "set without slug", at: "/", yaml: "title: T\nquestions:\n" + concept},
		{name: "set with blank title", at: "/title", yaml: "slug: s\ntitle: \"  \\t\"\nquestions:\n" + concept},
		{name: "set title of non-breaking spaces", at: "/title", yaml: "slug: s\ntitle: \"\\u00a0\\u3000\"\nquestions:\n" + concept},
		{name: "negative version", at: "/version", yaml: "slug: s\ntitle: T\nversion: -1\nquestions:\n" + concept},
		{name: "no questions", at: "/questions", yaml: "slug: s\ntitle: T\nquestions: []\n"},
		{name: "questions left out", at: "/", yaml: "slug: s\ntitle: T\n"},

		// Common question fields.
		{name: "unknown question field", at: "/questions/0", yaml: head + concept + "  anwser: A\n"},
		{name: "bad kind", at: "/questions/0/kind", yaml: head + `
- slug: q
  kind: quiz
  title: Q
  prompt: P
  difficulty: easy
`},
		{name: "kind left out", at: "/questions/0", yaml: head + `
- slug: q
  title: Q
  prompt: P
  difficulty: easy
  answer: A
`},
		{name: "bad difficulty", at: "/questions/0/difficulty", yaml: head + `
- slug: q
  kind: concept
  title: Q
  prompt: P
  difficulty: trivial
  answer: A
`},
		{name: "question slug with double hyphen", at: "/questions/0/slug", yaml: head + `
- slug: two--sum
  kind: concept
  title: Q
  prompt: P
  difficulty: easy
  answer: A
`},
		{name: "question slug with trailing hyphen", at: "/questions/0/slug", yaml: head + `
- slug: two-sum-
  kind: concept
  title: Q
  prompt: P
  difficulty: easy
  answer: A
`},
		{name: "question title over 200 characters", at: "/questions/0/title", yaml: head + `
- slug: q
  kind: concept
  title: ` + strings.Repeat("t", 201) + `
  prompt: P
  difficulty: easy
  answer: A
`},
		{name: "prompt left out", at: "/questions/0", yaml: head + `
- slug: q
  kind: concept
  title: Q
  difficulty: easy
  answer: A
`},
		{name: "blank prompt", at: "/questions/0/prompt", yaml: head + `
- slug: q
  kind: concept
  title: Q
  prompt: "   \n"
  difficulty: easy
  answer: A
`},
		{name: "prompt over 64 KiB", at: "/questions/0/prompt", yaml: head + `
- slug: q
  kind: concept
  title: Q
  prompt: ` + strings.Repeat("p", 64<<10+1) + `
  difficulty: easy
  answer: A
`},
		{name: "topic that is not a slug", at: "/questions/0/topics/1", yaml: head + concept + "  topics: [arrays, Dynamic Programming]\n"},
		{name: "estimated_minutes over 600", at: "/questions/0/estimated_minutes", yaml: head + concept + "  estimated_minutes: 601\n"},
		{name: "negative estimated_minutes", at: "/questions/0/estimated_minutes", yaml: head + concept + "  estimated_minutes: -5\n"},

		// Kind-specific required fields.
		{name: "concept without answer", at: "/questions/0", yaml: head + `
- slug: q
  kind: concept
  title: Q
  prompt: P
  difficulty: easy
`},
		{name: "concept with blank answer", at: "/questions/0/answer", yaml: head + `
- slug: q
  kind: concept
  title: Q
  prompt: P
  difficulty: easy
  answer: " "
`},
		{name: "behavioral without competency", at: "/questions/0", yaml: head + `
- slug: q
  kind: behavioral
  title: Q
  prompt: P
  difficulty: easy
  strong_answer: [x]
`},
		{name: "behavioral with empty strong_answer", at: "/questions/0/strong_answer", yaml: head + `
- slug: q
  kind: behavioral
  title: Q
  prompt: P
  difficulty: easy
  competency: ownership
  strong_answer: []
`},
		{name: "system design without rubric", at: "/questions/0", yaml: head + `
- slug: q
  kind: system_design
  title: Q
  prompt: P
  difficulty: easy
  outline: O
`},
		{name: "coding without tests", at: "/questions/0", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  mode: stdio
`},
		{name: "coding without a sample test", at: "/questions/0/tests", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{input: "1\n", output: "1\n"}, {sample: false, input: "", output: ""}]
`},

		// Fields of another kind.
		{name: "concept with tests", at: "/questions/0/tests", yaml: head + concept + "  tests: [{sample: true, input: x, output: x}]\n"},
		{name: "concept with comparator", at: "/questions/0/comparator", yaml: head + concept + "  comparator: {}\n"},
		{name: "concept with outline", at: "/questions/0/outline", yaml: head + concept + "  outline: x\n"},
		{name: "concept with red_flags", at: "/questions/0/red_flags", yaml: head + concept + "  red_flags: [x]\n"},
		{name: "system design with mode", at: "/questions/0/mode", yaml: head + `
- slug: q
  kind: system_design
  title: Q
  prompt: P
  difficulty: easy
  rubric: [x]
  mode: stdio
`},
		{name: "behavioral with key_points", at: "/questions/0/key_points", yaml: head + `
- slug: q
  kind: behavioral
  title: Q
  prompt: P
  difficulty: easy
  competency: c
  strong_answer: [x]
  key_points: [y]
`},
		{name: "coding with answer", at: "/questions/0/answer", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  answer: A
`},

		// Coding: modes and signatures.
		{name: "bad mode", at: "/questions/0/mode", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  mode: interactive
  tests: [{sample: true, input: x, output: x}]
`},
		{name: "function mode without function", at: "/questions/0", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  mode: function
  tests: [{sample: true, args: [1], expected: 1}]
`},
		{name: "stdio mode with function", at: "/questions/0/function", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  mode: stdio
  function: {name: f, params: [{name: n, type: int}], returns: int}
  tests: [{sample: true, input: x, output: x}]
`},
		{name: "param type integer", at: "/questions/0/function/params/0/type", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: n, type: integer}], returns: int}
  tests: [{sample: true, args: [1], expected: 1}]
`},
		{name: "return type list", at: "/questions/0/function/returns", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: n, type: int}], returns: list}
  tests: [{sample: true, args: [1], expected: [1]}]
`},
		{name: "function without returns", at: "/questions/0/function", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: n, type: int}]}
  tests: [{sample: true, args: [1], expected: 1}]
`},
		{name: "function name with a hyphen", at: "/questions/0/function/name", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: pair-sum, params: [{name: n, type: int}], returns: int}
  tests: [{sample: true, args: [1], expected: 1}]
`},
		{name: "param name starting with a digit", at: "/questions/0/function/params/0/name", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: 2n, type: int}], returns: int}
  tests: [{sample: true, args: [1], expected: 1}]
`},
		{name: "unknown signature field", at: "/questions/0/function", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: n, type: int}], returns: int, language: go}
  tests: [{sample: true, args: [1], expected: 1}]
`},
		{name: "starter_code language py", at: "/questions/0/starter_code", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  starter_code: {py: "pass"}
  tests: [{sample: true, input: x, output: x}]
`},
		{name: "solutions language golang", at: "/questions/0/solutions", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  solutions: {python: "print(1)", golang: "package main"}
  tests: [{sample: true, input: x, output: x}]
`},

		// Coding: tests.
		{name: "unknown test field", at: "/questions/0/tests/0", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x, hidden: false}]
`},
		{name: "function-mode test with input", at: "/questions/0/tests/0/input", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: n, type: int}], returns: int}
  tests: [{sample: true, args: [1], expected: 1, input: "1"}]
`},
		{name: "function-mode test without expected", at: "/questions/0/tests/0", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: n, type: int}], returns: int}
  tests: [{sample: true, args: [1]}]
`},
		{name: "function-mode test with null expected", at: "/questions/0/tests/0/expected", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  function: {name: f, params: [{name: n, type: int}], returns: int}
  tests: [{sample: true, args: [1], expected: null}]
`},
		{name: "stdio test with args", at: "/questions/0/tests/1/args", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  mode: stdio
  tests: [{sample: true, input: x, output: x}, {args: [], output: x}]
`},
		{name: "inferred stdio test with expected", at: "/questions/0/tests/0/expected", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, expected: x}]
`},
		{name: "sample that is not a boolean", at: "/questions/0/tests/0/sample", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: 1, input: x, output: x}]
`},

		// Coding: comparator and limits.
		{name: "comparator type fuzzy", at: "/questions/0/comparator/type", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  comparator: {type: fuzzy}
`},
		{name: "tolerance of 1", at: "/questions/0/comparator/tolerance", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  comparator: {type: float, tolerance: 1}
`},
		{name: "negative tolerance", at: "/questions/0/comparator/tolerance", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  comparator: {type: exact, tolerance: -0.01}
`},
		{name: "unknown comparator field", at: "/questions/0/comparator", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  comparator: {type: float, epsilon: 0.1}
`},
		{name: "time limit under 100 ms", at: "/questions/0/limits/time_ms", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  limits: {time_ms: 50}
`},
		{name: "time limit over 60000 ms", at: "/questions/0/limits/time_ms", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  limits: {time_ms: 60001}
`},
		{name: "memory limit under 16 MB", at: "/questions/0/limits/memory_mb", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  limits: {memory_mb: 8}
`},
		{name: "memory limit over 4096 MB", at: "/questions/0/limits/memory_mb", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  limits: {memory_mb: 8192}
`},
		{name: "unknown limits field", at: "/questions/0/limits", yaml: head + `
- slug: q
  kind: coding
  title: Q
  prompt: P
  difficulty: easy
  tests: [{sample: true, input: x, output: x}]
  limits: {cpu: 2}
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, goErr := questions.ParseYAML("case.yaml", []byte(tc.yaml))
			require.Error(t, goErr, "onsite itself accepts this case; fix the case")
			err := sch.Validate(yamlToJSON(t, []byte(tc.yaml)))
			require.Error(t, err, "the schema accepts a set onsite rejects with: %v", goErr)
			assert.Contains(t, errorLocations(err), tc.at, "the schema rejects it, but not at %s:\n%#v", tc.at, err)
		})
	}
}

// TestSchemaEnumsMatchGo keeps the schema's lists and bounds in step with the
// Go code, so a new type, language, kind or limit shows up here.
func TestSchemaEnumsMatchGo(t *testing.T) {
	s := rawSchema(t)
	defs := s["$defs"].(map[string]any)
	question := defs["question"].(map[string]any)["properties"].(map[string]any)
	strs := func(v any) []string {
		var out []string
		for _, e := range v.([]any) {
			out = append(out, e.(string))
		}
		return out
	}
	sorted := func(in []string) []string {
		out := slices.Clone(in)
		sort.Strings(out)
		return out
	}

	var kinds, difficulties []string
	for _, k := range questions.Kinds {
		kinds = append(kinds, string(k))
	}
	for _, d := range questions.Difficulties {
		difficulties = append(difficulties, string(d))
	}
	assert.Equal(t, kinds, strs(question["kind"].(map[string]any)["enum"]), "kinds")
	assert.Equal(t, difficulties, strs(question["difficulty"].(map[string]any)["enum"]), "difficulties")
	assert.Equal(t, questions.Types, strs(defs["valueType"].(map[string]any)["enum"]), "types")

	code := defs["codeByLanguage"].(map[string]any)
	assert.Equal(t, questions.Languages, strs(code["propertyNames"].(map[string]any)["enum"]), "languages")
	var documented []string
	for lang := range code["properties"].(map[string]any) {
		documented = append(documented, lang)
	}
	assert.Equal(t, sorted(questions.Languages), sorted(documented), "languages with a documented property")

	assert.EqualValues(t, questions.MaxSlugLength, defs["slug"].(map[string]any)["maxLength"], "slug length")
	assert.EqualValues(t, questions.MaxPromptBytes, defs["markdown"].(map[string]any)["maxLength"], "Markdown length")
}

// TestSchemaDocumentsEveryProperty requires a title and a description on every
// property an object schema declares, since editors show them as help.
func TestSchemaDocumentsEveryProperty(t *testing.T) {
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "object" {
				assert.Equal(t, false, v["additionalProperties"], "%s allows unknown fields", path)
				props, _ := v["properties"].(map[string]any)
				assert.NotEmpty(t, props, "%s declares no properties", path)
				for name, p := range props {
					p, _ := p.(map[string]any)
					for _, key := range []string{"title", "description"} {
						s, _ := p[key].(string)
						assert.NotEmpty(t, s, "%s.properties.%s has no %s", path, name, key)
					}
				}
			}
			for k, c := range v {
				walk(path+"."+k, c)
			}
		case []any:
			for i, c := range v {
				walk(path+"["+strconv.Itoa(i)+"]", c)
			}
		}
	}
	walk("schema", rawSchema(t))
}
