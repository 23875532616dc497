package questions_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

var update = flag.Bool("update", false, "rewrite golden files")

// invalidGoldenBugs are the invalid sets whose problems ParseYAML reports
// wrongly today. Their .golden files were written by hand and hold the output
// we want, so -update leaves them alone: fix the bug, delete the entry, run
// the test, and review the diff (the wording of a new message may differ).
var invalidGoldenBugs = map[string]string{}

// TestParseYAMLInvalidGolden parses every set under testdata/invalid and
// compares the problems ParseYAML lists, one file:line: field: problem per
// line, with the NAME.golden file next to it; -update rewrites the goldens.
// Each file holds several mistakes, so the goldens show that every problem
// is reported at once with its own line.
func TestParseYAMLInvalidGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 12, "got %d invalid sets, want at least 12", len(files))
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			if bug, ok := invalidGoldenBugs[name]; ok {
				t.Skip(bug)
			}
			got := invalidSetProblems(t, file)
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			want, err := os.ReadFile(golden)
			if *update {
				if string(want) != got {
					require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				}
				return
			}
			require.NoError(t, err, "run go test ./questions/ -run TestParseYAMLInvalidGolden -update to create it")
			assert.Equal(t, string(want), got, "got the problems on the right, want %s on the left", golden)
		})
	}
}

// invalidSetProblems parses one invalid set and returns its problems as the
// golden files hold them, checking what holds for every invalid file: a
// *ValidationError, no set, and problems that name the file and a line in it.
func invalidSetProblems(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	file = filepath.ToSlash(file)
	set, err := questions.ParseYAML(file, data)
	require.Nil(t, set, "got a set, want none for an invalid file")
	var verr *questions.ValidationError
	require.ErrorAs(t, err, &verr, "got %T (%v), want *questions.ValidationError", err, err)
	require.NotEmpty(t, verr.Problems, "got a ValidationError with no problems")
	lines := max(1, bytes.Count(data, []byte("\n")))
	for _, p := range verr.Problems {
		assert.Equal(t, file, p.File, "got problem file %q, want %q: %s", p.File, file, p)
		assert.NotEmpty(t, p.Message, "got an empty message: %s", p)
		assert.True(t, p.Line >= 1 && p.Line <= lines, "got line %d, want 1 to %d: %s", p.Line, lines, p)
	}
	return verr.Error() + "\n"
}

// TestParseYAMLInvalidGoldenFilesPair keeps testdata/invalid tidy: every set
// has its golden and every golden its set.
func TestParseYAMLInvalidGoldenFilesPair(t *testing.T) {
	sets, err := filepath.Glob("testdata/invalid/*.yaml")
	require.NoError(t, err)
	goldens, err := filepath.Glob("testdata/invalid/*.golden")
	require.NoError(t, err)
	trim := func(files []string) []string {
		out := make([]string, len(files))
		for i, f := range files {
			out[i] = strings.TrimSuffix(f, filepath.Ext(f))
		}
		return out
	}
	assert.Equal(t, trim(sets), trim(goldens), "got sets on the left and goldens on the right, want the same names")
}

// TestParseYAMLListsProblemsInLineOrder: an author fixes a file from the top
// down, so the problems should come in the order of their lines.
func TestParseYAMLListsProblemsInLineOrder(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	require.NoError(t, err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		_, err = questions.ParseYAML(file, data)
		var verr *questions.ValidationError
		require.ErrorAs(t, err, &verr)
		lines := make([]int, len(verr.Problems))
		for i, p := range verr.Problems {
			lines[i] = p.Line
		}
		assert.True(t, slices.IsSorted(lines), "%s: got lines %v, want them in increasing order", file, lines)
	}
}

// TestParseYAMLValid parses the valid test data: no problems, and the format
// recorded.
func TestParseYAMLValid(t *testing.T) {
	files, err := filepath.Glob("testdata/valid/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			set, err := questions.ParseYAML(file, data)
			require.NoError(t, err)
			assert.Equal(t, questions.FormatYAML, set.Format, "got format %q, want %q", set.Format, questions.FormatYAML)
			assert.NotEmpty(t, set.Questions)
		})
	}
}

// TestParseYAMLTooLarge refuses a file over MaxSetBytes before parsing it.
func TestParseYAMLTooLarge(t *testing.T) {
	data := bytes.Repeat([]byte("# padding\n"), questions.MaxSetBytes/10+1)
	set, err := questions.ParseYAML("big.yaml", data)
	require.Nil(t, set)
	var verr *questions.ValidationError
	require.ErrorAs(t, err, &verr, "got %T (%v), want *questions.ValidationError", err, err)
	require.Len(t, verr.Problems, 1)
	want := fmt.Sprintf("big.yaml: the file is %d bytes; split it into sets under 16 MB", len(data))
	assert.Equal(t, want, verr.Error(), "got %q, want %q", verr.Error(), want)
}

// TestParseYAMLRejectsFractionalWholeNumbers: version, estimated_minutes and
// limits are whole numbers; a fraction is a mistake to report, not to round.
func TestParseYAMLRejectsFractionalWholeNumbers(t *testing.T) {
	cases := []struct {
		name     string
		yaml     string
		wantPath string
		wantLine int
	}{
		{"version", "slug: s\ntitle: T\nversion: 1.5\nquestions:\n" + conceptQuestion, "version", 3},
		{"estimated minutes", "slug: s\ntitle: T\nquestions:\n" + conceptQuestion + "    estimated_minutes: 7.5\n",
			"questions[0].estimated_minutes", 11},
		{"time limit", "slug: s\ntitle: T\nquestions:\n" + stdioQuestion + "    limits:\n      time_ms: 1500.9\n",
			"questions[0].limits.time_ms", 14},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, err := questions.ParseYAML("f.yaml", []byte(tc.yaml))
			var verr *questions.ValidationError
			require.ErrorAs(t, err, &verr, "got set %v and error %v, want a problem at %s", set, err, tc.wantPath)
			require.Len(t, verr.Problems, 1, "got %v", verr)
			assert.Equal(t, tc.wantPath, verr.Problems[0].Path, "got path %q, want %q", verr.Problems[0].Path, tc.wantPath)
			assert.Equal(t, tc.wantLine, verr.Problems[0].Line, "got line %d, want %d", verr.Problems[0].Line, tc.wantLine)
		})
	}
}

// conceptQuestion, stdioQuestion and functionQuestion are valid questions to
// build inline sets from, indented to sit under questions:. conceptQuestion
// takes lines 4 to 10 of a set with a three-line header, stdioQuestion lines
// 4 to 12.
const (
	conceptQuestion = `  - slug: bias-variance
    kind: concept
    title: Bias and variance
    difficulty: easy
    topics: [ml]
    prompt: Explain the bias-variance trade-off.
    answer: Simple models underfit; flexible ones overfit.
`
	stdioQuestion = `  - slug: sum-lines
    kind: coding
    title: Sum the lines
    difficulty: easy
    prompt: Read integers, one per line, and print their sum.
    mode: stdio
    tests:
      - {sample: true, input: "1\n2\n", output: "3\n"}
      - {input: "-5\n5\n", output: "0\n"}
`
	functionQuestion = `  - slug: pair-sum
    kind: coding
    title: Pair with a target sum
    difficulty: easy
    topics: [arrays, hashing]
    estimated_minutes: 15
    prompt: Return the indices of the two entries that sum to target.
    function:
      name: pair_sum
      params:
        - {name: nums, type: "int[]"}
        - {name: target, type: int}
      returns: "int[]"
    starter_code:
      python: |
        def pair_sum(nums, target):
            pass
    tests:
      - {name: basic, sample: true, args: [[3, 8, 1, 5], 9], expected: [1, 2]}
      - {args: [[-4, 10, 4], 0.0], expected: [0, 2]}
    comparator: {type: unordered}
    limits: {time_ms: 1000, memory_mb: 128}
    solutions:
      python: |
        def pair_sum(nums, target):
            seen = {}
            for i, x in enumerate(nums):
                if target - x in seen:
                    return [seen[target - x], i]
                seen[x] = i
`
)

// setsToRoundTrip returns the built-in bank and the valid test data, parsed.
func setsToRoundTrip(t *testing.T) []*questions.Set {
	t.Helper()
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	files, err := filepath.Glob("testdata/valid/*.yaml")
	require.NoError(t, err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		set, err := questions.ParseYAML(file, data)
		require.NoError(t, err)
		sets = append(sets, set)
	}
	return sets
}

// TestMarshalYAMLRoundTrip writes every built-in set (and the valid test
// data) and reads it back: every question keeps its Hash, so exporting and
// re-importing a set changes nothing, and writing again gives the same bytes.
func TestMarshalYAMLRoundTrip(t *testing.T) {
	for _, set := range setsToRoundTrip(t) {
		t.Run(set.Slug, func(t *testing.T) {
			out, err := questions.MarshalYAML(set)
			require.NoError(t, err)
			again, err := questions.ParseYAML(set.Slug+".yaml", out)
			require.NoError(t, err, "the marshalled set does not parse:\n%s", out)

			assert.Equal(t, set.Slug, again.Slug)
			assert.Equal(t, set.Title, again.Title)
			assert.Equal(t, set.Description, again.Description)
			assert.Equal(t, set.Version, again.Version)
			assert.Equal(t, set.License, again.License)
			assert.Equal(t, set.Source, again.Source)
			require.Len(t, again.Questions, len(set.Questions))
			for i := range set.Questions {
				q, a := &set.Questions[i], &again.Questions[i]
				assert.Equal(t, q.Slug, a.Slug, "questions[%d]", i)
				assert.Equal(t, q.Hash(), a.Hash(), "%s: got a different hash after MarshalYAML and ParseYAML", q.Slug)
			}

			twice, err := questions.MarshalYAML(again)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(twice), "got the second marshalling on the right, want the first")
		})
	}
}

// TestMarshalYAMLRoundTripEdgeCases round-trips values at the edges of what
// YAML can write: text that looks like other types, whitespace that matters
// to stdio tests, falsy expected values, and empty lists.
func TestMarshalYAMLRoundTripEdgeCases(t *testing.T) {
	fn := func(returns, tests string) string {
		return "  - slug: q\n    kind: coding\n    title: Q\n    difficulty: easy\n    prompt: P\n" +
			"    function: {name: f, params: [], returns: \"" + returns + "\"}\n    tests:\n" + tests
	}
	stdio := func(tests string) string {
		return "  - slug: q\n    kind: coding\n    title: Q\n    difficulty: easy\n    prompt: P\n" +
			"    mode: stdio\n    tests:\n" + tests
	}
	cases := []struct {
		name     string
		question string
	}{
		{name: "function question with every field", question: functionQuestion},
		{name: "text that reads as other types", question: stdio(
			`      - {sample: true, input: "007", output: "true"}
      - {input: "null", output: "1e3"}
      - {input: "~", output: "yes"}
      - {input: "0x1F", output: "- a"}
`)},
		{name: "whitespace that matters to stdio", question: stdio(
			`      - {sample: true, input: "  1 2\t\n\n", output: "3  \n"}
      - {input: "\r\n", output: " "}
      - {input: "", output: "\n\n\n"}
`)},
		{name: "prompt with indented first line and trailing blank lines", question: "  - slug: q\n" +
			"    kind: concept\n    title: Q\n    difficulty: easy\n    prompt: \"    code first\\nthen text\\n\\n\\n\"\n" +
			"    answer: \"# not a comment\\n- not a list\\n\"\n"},
		{name: "unicode and long lines", question: "  - slug: q\n    kind: concept\n    title: \"Écarts — σ² ≥ 0 🎯\"\n" +
			"    difficulty: easy\n    prompt: \"" + strings.Repeat("word ", 60) + "\"\n    answer: \"é\\u2028x\"\n"},
		{name: "falsy expected values", question: fn("bool", "      - {sample: true, expected: false}\n")},
		{name: "zero expected", question: fn("int", "      - {sample: true, expected: 0}\n")},
		{name: "empty string expected", question: fn("string", "      - {sample: true, expected: \"\"}\n")},
		{name: "whole float expected", question: fn("float", "      - {sample: true, expected: 1.0}\n      - {expected: 1e21}\n")},
		{name: "large int expected", question: fn("int", "      - {sample: true, expected: 9007199254740993}\n")},
		{name: "nested empty lists", question: fn("int[][]", "      - {sample: true, expected: [[], [1], []]}\n")},
		{name: "anchors and aliases", question: "  - slug: q\n    kind: concept\n    title: Q\n    difficulty: easy\n" +
			"    topics: &topics [ml, stats]\n    prompt: &text Why?\n    answer: *text\n    key_points: *topics\n"},
		{name: "empty topics", question: "  - slug: q\n    kind: concept\n    title: Q\n    difficulty: easy\n" +
			"    topics: []\n    prompt: P\n    answer: A\n"},
		{name: "function without params", question: "  - slug: q\n    kind: coding\n    title: Q\n    difficulty: easy\n" +
			"    prompt: P\n    function: {name: f, returns: int}\n    tests:\n      - {sample: true, expected: 1}\n"},
		{name: "negative zero expected", question: fn("float", "      - {sample: true, expected: -0.0}\n")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := "slug: edge\ntitle: Edge cases\nversion: 1\nquestions:\n" + tc.question
			set, err := questions.ParseYAML("edge.yaml", []byte(src))
			require.NoError(t, err, "the case itself does not parse:\n%s", src)
			out, err := questions.MarshalYAML(set)
			require.NoError(t, err)
			again, err := questions.ParseYAML("again.yaml", out)
			require.NoError(t, err, "the marshalled set does not parse:\n%s", out)
			require.Len(t, again.Questions, 1)
			assert.Equal(t, set.Questions[0].Hash(), again.Questions[0].Hash(),
				"got a different hash after a round trip; marshalled:\n%s", out)
			assert.Equal(t, set.Questions[0].Prompt, again.Questions[0].Prompt)
		})
	}
}

// firstQuestion returns a fresh copy of the first built-in question that
// match accepts, so each case can edit it without touching the others.
func firstQuestion(t *testing.T, match func(q *questions.Question) bool) *questions.Question {
	t.Helper()
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	for _, s := range sets {
		for i := range s.Questions {
			if match(&s.Questions[i]) {
				return &s.Questions[i]
			}
		}
	}
	require.FailNow(t, "no built-in question fits the case")
	return nil
}

// changeNumber adds one to the first number in a decoded value, the kind of
// edit an author makes to fix a wrong expected answer.
func changeNumber(v any) (any, bool) {
	switch n := v.(type) {
	case int:
		return n + 1, true
	case float64:
		return n + 1, true
	case []any:
		out := slices.Clone(n)
		for i, e := range out {
			if c, ok := changeNumber(e); ok {
				out[i] = c
				return out, true
			}
		}
	}
	return v, false
}

// TestQuestionHashChangesWithContent: an import updates a question when, and
// only when, what its author wrote has changed.
func TestQuestionHashChangesWithContent(t *testing.T) {
	isConcept := func(q *questions.Question) bool { return q.Kind == questions.KindConcept && len(q.KeyPoints) > 1 }
	isFunction := func(q *questions.Question) bool {
		if q.Kind != questions.KindCoding || q.Mode != questions.ModeFunction || len(q.Tests) == 0 {
			return false
		}
		_, ok := changeNumber(q.Tests[0].Expected)
		return ok
	}
	isCoding := func(q *questions.Question) bool { return q.Kind == questions.KindCoding }
	cases := []struct {
		name    string
		match   func(q *questions.Question) bool
		edit    func(q *questions.Question)
		changed bool
	}{
		{"prompt", isConcept, func(q *questions.Question) { q.Prompt += " Give an example." }, true},
		{"prompt whitespace", isConcept, func(q *questions.Question) { q.Prompt += "\n" }, true},
		{"a test's expected", isFunction, func(q *questions.Question) {
			q.Tests = slices.Clone(q.Tests)
			q.Tests[0].Expected, _ = changeNumber(q.Tests[0].Expected)
		}, true},
		{"a test marked sample", isFunction, func(q *questions.Question) {
			q.Tests = slices.Clone(q.Tests)
			q.Tests[len(q.Tests)-1].Sample = !q.Tests[len(q.Tests)-1].Sample
		}, true},
		{"a key point", isConcept, func(q *questions.Question) {
			q.KeyPoints = slices.Clone(q.KeyPoints)
			q.KeyPoints[0] += " (see above)"
		}, true},
		{"key points reordered", isConcept, func(q *questions.Question) {
			q.KeyPoints = slices.Clone(q.KeyPoints)
			q.KeyPoints[0], q.KeyPoints[1] = q.KeyPoints[1], q.KeyPoints[0]
		}, true},
		{"difficulty", isConcept, func(q *questions.Question) {
			if q.Difficulty == questions.Hard {
				q.Difficulty = questions.Easy
			} else {
				q.Difficulty = questions.Hard
			}
		}, true},
		{"a hint", isConcept, func(q *questions.Question) { q.Hints = append(slices.Clone(q.Hints), "Draw it.") }, true},
		{"time limit", isCoding, func(q *questions.Question) {
			l := *q.Limits
			l.TimeMS += 1000
			q.Limits = &l
		}, true},
		{"database fields", isCoding, func(q *questions.Question) {
			q.ID, q.Set, q.OwnerID, q.ContentHash, q.Retired = 42, "other-set", 7, "stale", true
			q.CreatedAt, q.UpdatedAt = time.Unix(1, 0), time.Unix(2, 0)
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := firstQuestion(t, tc.match)
			before := q.Hash()
			edited := *q
			tc.edit(&edited)
			after := edited.Hash()
			assert.Equal(t, before, q.Hash(), "the edit changed the original question too")
			if tc.changed {
				assert.NotEqual(t, before, after, "%s: got the same hash after editing %s, want a new one", q.Slug, tc.name)
			} else {
				assert.Equal(t, before, after, "%s: got a new hash after changing %s, want the same", q.Slug, tc.name)
			}
		})
	}
}

// TestParseYAMLLinesOfKeysWithDots: a language written with a version or an
// extension (python3.11, node.js) is a likely mistake, and its problem must
// point at its own line.
func TestParseYAMLLinesOfKeysWithDots(t *testing.T) {
	src := "slug: s\ntitle: T\nquestions:\n" + stdioQuestion + // lines 4 to 12
		"    starter_code:\n      python: x\n      python3.11: x\n      node.js: x\n"
	_, err := questions.ParseYAML("f.yaml", []byte(src))
	var verr *questions.ValidationError
	require.ErrorAs(t, err, &verr, "got %v, want problems for python3.11 and node.js", err)
	got := map[string]int{}
	for _, p := range verr.Problems {
		got[p.Path] = p.Line
	}
	want := map[string]int{"questions[0].starter_code.python3.11": 15, "questions[0].starter_code.node.js": 16}
	assert.Equal(t, want, got, "got lines %v, want %v", got, want)
}

// TestMarshalJSONRoundTrip writes every built-in set as JSON and reads it
// back with the same parser: the same questions, hash for hash.
func TestMarshalJSONRoundTrip(t *testing.T) {
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	for _, set := range sets {
		t.Run(set.Slug, func(t *testing.T) {
			out, err := questions.MarshalJSON(set)
			require.NoError(t, err)
			require.True(t, json.Valid(out), "valid JSON")
			again, err := questions.ParseYAML(set.Slug+".json", out)
			require.NoError(t, err)
			require.Len(t, again.Questions, len(set.Questions))
			for i, q := range set.Questions {
				assert.Equal(t, q.Hash(), again.Questions[i].Hash(), "%s changed through JSON", q.Slug)
			}
		})
	}
	_, err = questions.ParseYAML("bad.json", []byte(`{"slug": "s", "title": "S", "version": 1, "questions": [{"slug": "q", "kind": "concept", "title": "Q", "prompt": "P", "difficulty": "hard", "answr": "x"}]}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `bad.json:1: questions[0].answr: unknown field "answr"; did you mean "answer"?`)
}

// TestParseYAMLHostileStructure: alias bombs and deep nesting end in a
// clear problem, quickly, instead of eating memory.
func TestParseYAMLHostileStructure(t *testing.T) {
	var laughs strings.Builder
	laughs.WriteString("slug: bomb\ntitle: Bomb\nversion: 1\nl0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&laughs, "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	laughs.WriteString("questions:\n  - slug: q\n    kind: coding\n    title: T\n    prompt: P\n    difficulty: easy\n" +
		"    function: {name: f, params: [{name: a, type: \"int[][]\"}], returns: int}\n" +
		"    tests:\n      - args: [*l9]\n        expected: 1\n        sample: true\n")
	tests := []struct {
		name, data, want string
	}{
		{"billion laughs", laughs.String(), `questions[0].tests[0].args[0]: uses YAML aliases (*name) that expand to too much data`},
		{"deep nesting", "slug: " + strings.Repeat("[", 20000), "bomb.yaml: YAML syntax: exceeded max depth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := questions.ParseYAML("bomb.yaml", []byte(tc.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseYAMLInvalidUTF8(t *testing.T) {
	_, err := questions.ParseYAML("latin1.yaml", []byte("slug: bad\ntitle: \"Caf\xe9\"\nversion: 1\n"))
	require.Error(t, err)
	assert.Equal(t, "latin1.yaml:2: is not valid UTF-8 at byte 21; save the file as UTF-8", err.Error())
}
