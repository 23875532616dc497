package questions_test

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

// mdFolder makes an in-memory folder from file contents keyed by path.
func mdFolder(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return fsys
}

// mdRoundTrip exports a set as a Markdown folder and reads it back.
func mdRoundTrip(t *testing.T, set *questions.Set) (*questions.Set, map[string][]byte) {
	t.Helper()
	files, err := questions.MarshalMarkdown(set)
	require.NoError(t, err)
	again, err := questions.ParseMarkdownDir(mdFolder(files), ".", set.Slug)
	require.NoError(t, err, "the exported folder does not parse; its files:\n%s", mdDump(files))
	return again, files
}

func mdDump(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		b.WriteString("==> " + name + " <==\n" + string(files[name]))
	}
	return b.String()
}

// TestMarkdownRoundTripBuiltinSets exports every built-in set as a Markdown
// folder and reads it back: nothing an author wrote may change, the order of
// the questions included.
func TestMarkdownRoundTripBuiltinSets(t *testing.T) {
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	for _, set := range sets {
		t.Run(set.Slug, func(t *testing.T) {
			again, files := mdRoundTrip(t, set)
			assert.Equal(t, questions.FormatMarkdown, again.Format)
			want, err := questions.MarshalYAML(set)
			require.NoError(t, err)
			got, err := questions.MarshalYAML(again)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got), "got the set read back on the right, want the original on the left")
			for i := range set.Questions {
				assert.Equal(t, set.Questions[i].Hash(), again.Questions[i].Hash(), "%s: got a different hash after the round trip", set.Questions[i].Slug)
			}
			// The prose really went to the body and sections, not all
			// into the front matter.
			for name, data := range files {
				if strings.HasSuffix(name, ".md") {
					assert.NotContains(t, string(data), "\nprompt:", "%s: got the prompt in the front matter", name)
				}
			}
		})
	}
}

// TestParseMarkdownDirExample reads the hand-written folder under
// testdata/mdset/example, one question of each shape, field by field.
func TestParseMarkdownDirExample(t *testing.T) {
	set, err := questions.ParseMarkdownDir(os.DirFS("testdata/mdset"), "example", "example")
	require.NoError(t, err)

	assert.Equal(t, "example-md", set.Slug)
	assert.Equal(t, "An example Markdown folder", set.Title)
	assert.Equal(t, "One question of each shape, to show and test the folder format.", set.Description)
	assert.Equal(t, 3, set.Version)
	assert.Equal(t, "CC-BY-4.0", set.License)
	assert.Equal(t, "onsite authors", set.Source)
	assert.Equal(t, questions.FormatMarkdown, set.Format)
	require.Len(t, set.Questions, 4, "got %d questions, want 4 (README.md and notes.txt are not questions)", len(set.Questions))

	concept := set.Questions[0]
	assert.Equal(t, "bias-variance", concept.Slug, "the slug comes from the file name")
	assert.Equal(t, questions.KindConcept, concept.Kind)
	assert.Equal(t, "Bias and variance", concept.Title)
	assert.Equal(t, questions.Easy, concept.Difficulty)
	assert.Equal(t, []string{"fundamentals", "evaluation"}, concept.Topics)
	assert.Equal(t, 5, concept.EstimatedMinutes)
	assert.Equal(t, "Explain the bias-variance trade-off.\n\n### What to cover\n\n"+
		"How model complexity moves each term, and how you would tell which one\ndominates from learning curves.\n", concept.Prompt)
	assert.Equal(t, "Expected test error splits into **bias** squared, **variance** and noise.\n\n"+
		"```text\n## not a heading: inside a code block\nerror = bias^2 + variance + noise\n```\n", concept.Answer)
	assert.Equal(t, []string{"Bias: error from wrong assumptions.", "Variance: sensitivity to the training sample.",
		"More data lowers variance,\nnot bias."}, concept.KeyPoints)
	assert.Equal(t, []string{"Saying that regularization lowers bias."}, concept.CommonMistakes)
	assert.Equal(t, []string{"How does bagging change each term?"}, concept.FollowUps)

	behavioral := set.Questions[1]
	assert.Equal(t, "conflict", behavioral.Slug)
	assert.Equal(t, questions.KindBehavioral, behavioral.Kind)
	assert.Equal(t, questions.Medium, behavioral.Difficulty)
	assert.Equal(t, "conflict", behavioral.Competency)
	assert.Equal(t, "Tell me about a time you disagreed with a teammate about a technical decision.\n", behavioral.Prompt)
	assert.Len(t, behavioral.StrongAnswer, 3)
	assert.Equal(t, []string{"Blames the teammate.", "The disagreement never gets resolved."}, behavioral.RedFlags)
	assert.Len(t, behavioral.FollowUps, 2)
	require.Len(t, behavioral.Rubric, 4)
	assert.Equal(t, "Result: the outcome, with a number if possible.", behavioral.Rubric[3])

	function := set.Questions[2]
	assert.Equal(t, "pair-sum", function.Slug)
	assert.Equal(t, questions.ModeFunction, function.Mode, "the mode follows from function:")
	require.NotNil(t, function.Function)
	assert.Equal(t, "pair_sum", function.Function.Name)
	assert.Equal(t, []questions.Param{{Name: "nums", Type: "int[]"}, {Name: "target", Type: "int"}}, function.Function.Params)
	assert.Equal(t, &questions.Comparator{Type: questions.CompareUnordered}, function.Comparator)
	assert.Equal(t, &questions.Limits{TimeMS: 1000, MemoryMB: 128}, function.Limits)
	assert.Contains(t, function.Solutions["python"], "def pair_sum(nums, target):")
	assert.Equal(t, []string{"A hash map from value to index finds the partner of each entry in one\npass.",
		"Check for the partner before storing the current entry."}, function.Hints)
	assert.Equal(t, "Store each value's index in a map; for each entry look up `target - x`.\nO(n) time and space.\n", function.Editorial)
	assert.Equal(t, []questions.Test{
		{Name: "basic", Sample: true, Args: []any{[]any{3, 8, 1, 5}, 9}, Expected: []any{1, 2}},
		{Name: "02", Args: []any{[]any{-4, 10, 4}, 0}, Expected: []any{0, 2}},
		{Name: "03-negatives", Sample: true, Args: []any{[]any{-1, -2, -3}, -5}, Expected: []any{1, 2}},
	}, function.Tests, "tests come from tests/pair-sum/*.json in file name order; 01-sample is a sample by its name, 03 by its sample key")

	stdio := set.Questions[3]
	assert.Equal(t, "sum-lines", stdio.Slug)
	assert.Equal(t, questions.ModeStdio, stdio.Mode)
	assert.Equal(t, "Read integers, one per line, and print their sum.\n", stdio.Prompt)
	assert.Equal(t, []questions.Test{
		{Name: "01", Sample: true, Input: "1\n2\n", Output: "3\n"},
		{Name: "02-negative", Input: "-5\n5\n", Output: "0\n"},
		{Name: "03-empty", Input: "", Output: "0\n"},
	}, stdio.Tests)
	assert.Equal(t, &questions.Limits{TimeMS: questions.DefaultTimeMS, MemoryMB: questions.DefaultMemoryMB}, stdio.Limits, "validation fills the defaults")

	// And the folder survives an export and import.
	again, _ := mdRoundTrip(t, set)
	for i := range set.Questions {
		assert.Equal(t, set.Questions[i].Hash(), again.Questions[i].Hash(), "%s: got a different hash after MarshalMarkdown and ParseMarkdownDir", set.Questions[i].Slug)
	}
}

// TestMarshalMarkdownGolden exports testdata/mdset/golden-input.yaml and
// compares every file with testdata/mdset/golden/; -update rewrites them.
// The set's slugs are out of order, so the files are numbered, and some of
// its texts cannot be sections, so they stay in the front matter.
func TestMarshalMarkdownGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/mdset/golden-input.yaml")
	require.NoError(t, err)
	set, err := questions.ParseYAML("golden-input.yaml", data)
	require.NoError(t, err)
	files, err := questions.MarshalMarkdown(set)
	require.NoError(t, err)

	const dir = "testdata/mdset/golden"
	if *update {
		require.NoError(t, os.RemoveAll(dir))
		for name, data := range files {
			require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
		}
	}
	want := map[string][]byte{}
	err = fs.WalkDir(os.DirFS(dir), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want[name], err = os.ReadFile(path.Join(dir, name))
		return err
	})
	require.NoError(t, err, "run go test ./questions/ -run TestMarshalMarkdownGolden -update to create %s", dir)
	assert.Equal(t, mdDump(want), mdDump(files), "got the export on the right, want %s on the left", dir)

	again, err := questions.ParseMarkdownDir(os.DirFS(dir), ".", dir)
	require.NoError(t, err)
	for i := range set.Questions {
		assert.Equal(t, set.Questions[i].Hash(), again.Questions[i].Hash(), "%s: got a different hash reading the golden folder back", set.Questions[i].Slug)
	}
}

// TestMarshalMarkdownRoundTripEdgeCases round-trips texts at the edges of
// what a section can hold; those that cannot be sections must stay in the
// front matter rather than change.
func TestMarshalMarkdownRoundTripEdgeCases(t *testing.T) {
	concept := func(prompt, answer string, keyPoints ...string) questions.Question {
		q := questions.Question{Slug: "q", Kind: questions.KindConcept, Title: "Q", Difficulty: questions.Easy, Prompt: prompt}
		q.Answer, q.KeyPoints = answer, keyPoints
		return q
	}
	cases := []struct {
		name            string
		question        questions.Question
		wantFrontMatter []string // fields that must stay in the front matter
	}{
		{name: "plain texts", question: concept("P\n", "A\n", "one", "two")},
		{name: "no final newline", question: concept("P", "A"), wantFrontMatter: []string{"prompt:", "answer:"}},
		{name: "blank lines around", question: concept("\nP\n\n", "A\n\n"), wantFrontMatter: []string{"prompt:", "answer:"}},
		{name: "level-2 heading in the prompt", question: concept("Intro\n\n## Example\n\nx\n", "A\n"), wantFrontMatter: []string{"prompt:"}},
		{name: "level-2 heading in a code block", question: concept("```\n## comment\n```\n", "~~~~\n## x\n~~~\n~~~~\n")},
		{name: "unclosed code fence", question: concept("```go\nfunc f()\n", "A\n"), wantFrontMatter: []string{"prompt:"}},
		{name: "deeper headings", question: concept("# Title\n\n### Part\n\n#### Sub\n", "A\n")},
		{name: "front matter markers in the text", question: concept("---\nx: y\n---\n", "---\n")},
		{name: "CRLF", question: concept("a\r\nb\n", "A\n"), wantFrontMatter: []string{"prompt:"}},
		{name: "items over several lines", question: concept("P\n", "A\n", "a\nb", "c\n\n  d", "- e", "", "## f\ng")},
		{name: "items with spaces around", question: concept("P\n", "A\n", " a", "b\n"), wantFrontMatter: []string{"key_points:"}},
		{name: "unicode", question: concept("Écarts — σ² ≥ 0 🎯\n", "é\u2028x\n", "ü")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := &questions.Set{Slug: "edge", Title: "Edge", Version: 1, Questions: []questions.Question{tc.question}}
			require.Empty(t, set.Validate(), "the case itself is not a valid set")
			again, files := mdRoundTrip(t, set)
			require.Len(t, again.Questions, 1)
			q, a := set.Questions[0], again.Questions[0]
			assert.Equal(t, q.Prompt, a.Prompt)
			assert.Equal(t, q.Answer, a.Answer)
			assert.Equal(t, q.KeyPoints, a.KeyPoints)
			assert.Equal(t, q.Hash(), a.Hash(), "got a different hash; the files:\n%s", mdDump(files))
			front, _, _ := strings.Cut(strings.TrimPrefix(string(files["q.md"]), "---\n"), "\n---\n")
			for _, key := range []string{"prompt:", "answer:", "key_points:"} {
				want := false
				for _, k := range tc.wantFrontMatter {
					want = want || k == key
				}
				assert.Equal(t, want, strings.Contains(front, "\n"+key) || strings.HasPrefix(front, key),
					"%s in the front matter: got %v, want %v; q.md:\n%s", key, !want, want, files["q.md"])
			}
		})
	}
}

// TestParseMarkdownDirWithoutSetFile: a folder of question files alone is a
// set named after the folder.
func TestParseMarkdownDirWithoutSetFile(t *testing.T) {
	fsys := fstest.MapFS{
		"notes/ML Basics/b.md": {Data: []byte(mdConcept)},
		"notes/ML Basics/a.md": {Data: []byte(mdConcept)},
	}
	set, err := questions.ParseMarkdownDir(fsys, "notes/ML Basics", "/home/me/notes/ML Basics")
	require.NoError(t, err)
	assert.Equal(t, "ml-basics", set.Slug)
	assert.Equal(t, "ML Basics", set.Title)
	assert.Equal(t, 1, set.Version)
	require.Len(t, set.Questions, 2)
	assert.Equal(t, "a", set.Questions[0].Slug, "questions are in file name order")
	assert.Equal(t, "b", set.Questions[1].Slug)
}

// mdConcept is a valid concept question file; the front matter holds lines 2
// to 5, the prompt line 8 and the answer line 12.
const mdConcept = `---
kind: concept
title: Bias and variance
difficulty: easy
topics: [ml]
---

Explain the bias-variance trade-off.

## Answer

Simple models underfit; flexible ones overfit.
`

const mdSetYAML = "slug: s\ntitle: S\nversion: 1\n"

// TestParseMarkdownDirProblems lists the problems of broken folders, each
// with its file, line and field.
func TestParseMarkdownDirProblems(t *testing.T) {
	stdio := "---\nkind: coding\ntitle: Sum\ndifficulty: easy\nmode: stdio\n---\nRead and sum.\n"
	cases := []struct {
		name  string
		files map[string]string
		mode  map[string]fs.FileMode
		want  []string
	}{
		{
			name:  "unknown front matter field",
			files: map[string]string{"q.md": strings.Replace(mdConcept, "topics:", "topic:", 1)},
			want:  []string{`set/q.md:5: topic: unknown field "topic"; did you mean "topics"?`},
		},
		{
			name:  "bad difficulty",
			files: map[string]string{"q.md": strings.Replace(mdConcept, "difficulty: easy", "difficulty: hardest", 1)},
			want:  []string{`set/q.md:4: difficulty: "hardest" is not a difficulty; use easy, medium or hard`},
		},
		{
			name:  "unknown section",
			files: map[string]string{"q.md": mdConcept + "\n## Example\n\nx\n"},
			want: []string{"set/q.md:14: unknown section ## Example; use ### for a heading inside the prompt or a section, or one of the sections: " +
				"Hints, Answer, Key points, Strong answer, Red flags, Clarifying questions, Requirements, Outline, Rubric, Editorial, Common mistakes, Follow-ups"},
		},
		{
			name:  "misspelt section",
			files: map[string]string{"q.md": mdConcept + "\n## Key point\n\n- x\n"},
			want:  []string{"set/q.md:14: unknown section ## Key point; did you mean ## Key points?"},
		},
		{
			name:  "section twice",
			files: map[string]string{"q.md": mdConcept + "\n## answer\n\nAgain.\n"},
			want:  []string{"set/q.md:14: answer: ## Answer appears twice (first on line 10); keep one"},
		},
		{
			name:  "field both in front matter and section",
			files: map[string]string{"q.md": strings.Replace(mdConcept, "topics: [ml]", "topics: [ml]\nanswer: Short.", 1)},
			want:  []string{"set/q.md:11: answer: is given both in the front matter (line 6) and as ## Answer; keep one"},
		},
		{
			name:  "prompt both in front matter and body",
			files: map[string]string{"q.md": strings.Replace(mdConcept, "topics: [ml]", "prompt: Why?", 1)},
			want:  []string{"set/q.md:8: prompt: is given both in the front matter (line 5) and as the text after it; keep one"},
		},
		{
			name:  "text before the first item of a list",
			files: map[string]string{"q.md": mdConcept + "\n## Key points\n\nFirst:\n- x\n"},
			want:  []string{`set/q.md:16: key_points: ## Key points is a list: start each item with "- " (an item may go on over the following lines)`},
		},
		{
			name:  "missing front matter",
			files: map[string]string{"q.md": "# Bias and variance\n\nExplain it.\n"},
			want:  []string{"set/q.md:1: a question file starts with front matter: a --- line, the question's fields such as kind: and difficulty:, and another --- line"},
		},
		{
			name:  "unclosed front matter",
			files: map[string]string{"q.md": "---\nkind: concept\n"},
			want:  []string{"set/q.md:1: the front matter opened here is never closed; end it with a --- line"},
		},
		{
			name:  "front matter syntax",
			files: map[string]string{"q.md": strings.Replace(mdConcept, "title: Bias and variance", "title: \"Bias", 1)},
			want:  []string{"set/q.md:3: YAML syntax: the file ends inside a quoted string or an unclosed [ or {; check that every quote and bracket is closed (found unexpected end of stream)"},
		},
		{
			name:  "front matter not a mapping",
			files: map[string]string{"q.md": "---\n- kind: concept\n---\nP\n"},
			want:  []string{"set/q.md:2: the front matter is a list; write the question's fields as key: value lines, such as kind: concept"},
		},
		{
			name:  "missing answer",
			files: map[string]string{"q.md": strings.SplitAfter(mdConcept, "trade-off.\n")[0]},
			want:  []string{"set/q.md:8: answer: is required for a concept question: the model answer shown after the candidate answers (write it under ## Answer)"},
		},
		{
			name:  "slug from a file name",
			files: map[string]string{"Bias Variance.md": mdConcept},
			want:  []string{`set/Bias Variance.md: slug: "Bias Variance" is not a slug: use lowercase letters, digits and single hyphens, such as two-sum (the slug is the file name; rename the file or give slug: in the front matter)`},
		},
		{
			name:  "same slug twice",
			files: map[string]string{"a.md": strings.Replace(mdConcept, "---\nkind", "---\nslug: b\nkind", 1), "b.md": mdConcept},
			want:  []string{`set/b.md: slug: "b" is already used by set/a.md; every question in a set needs its own slug (the slug is the file name; rename the file or give slug: in the front matter)`},
		},
		{
			name: "test input without output",
			files: map[string]string{"sum.md": stdio, "tests/sum/01-sample.in": "1 2\n", "tests/sum/01-sample.out": "3\n",
				"tests/sum/02.in": "4\n"},
			want: []string{"set/tests/sum/02.in: has no 02.out beside it; every input needs the output it expects"},
		},
		{
			name:  "no sample among test files",
			files: map[string]string{"sum.md": stdio, "tests/sum/01.in": "1 2\n", "tests/sum/01.out": "3\n"},
			want: []string{"set/tests/sum: tests: no test is marked sample: true; mark at least one so the candidate sees an example " +
				"(in tests/sum/, name a sample test NAME-sample.in and NAME-sample.out, or NAME-sample.json)"},
		},
		{
			name:  "tests both in front matter and files",
			files: map[string]string{"sum.md": strings.Replace(stdio, "mode: stdio", "mode: stdio\ntests: [{sample: true, input: \"1\", output: \"1\"}]", 1), "tests/sum/01-sample.in": "1\n", "tests/sum/01-sample.out": "1\n"},
			want:  []string{"set/sum.md:6: tests: is given both in the front matter and as files in tests/sum/; keep one"},
		},
		{
			name: "JSON test problems",
			files: map[string]string{
				"sum.md":                   strings.Replace(stdio, "mode: stdio", "function: {name: add, params: [{name: a, type: int}], returns: int}", 1),
				"tests/sum/01-sample.json": "{\n  \"args\": [1],\n  \"expectd\": 1\n}\n",
				"tests/sum/02.json":        "{\n  \"args\": [\"x\"],\n  \"expected\": 1\n}\n",
				"tests/sum/03.json":        "{\"args\": [1],\n\"expected\": }\n",
				"tests/sum/04.txt":         "",
				"tests/summ/01.json":       "{}",
			},
			want: []string{
				`set/tests/sum/01-sample.json:3: expectd: unknown field "expectd"; did you mean "expected"?`,
				`set/tests/sum/02.json:2: args[0]: "x" is not of type int (parameter a is int)`,
				"set/tests/sum/03.json:2: is not valid JSON: invalid character '}' looking for beginning of value",
				"set/tests/sum/04.txt: is not a test file; name tests NAME.in with NAME.out (stdio mode) or NAME.json (function mode), NAME ending in -sample for a sample",
				"set/tests/summ: matches no question's slug; did you mean tests/sum/?",
			},
		},
		{
			name:  "invalid UTF-8",
			files: map[string]string{"q.md": strings.Replace(mdConcept, "trade-off", "trade\xff-off", 1)},
			want:  []string{"set/q.md:8: is not valid UTF-8 (at byte 109); save the file as UTF-8"},
		},
		{
			name:  "file too large",
			files: map[string]string{"q.md": mdConcept + strings.Repeat("x", 4*questions.MaxPromptBytes)},
			want:  []string{"set/q.md: is larger than 256 KB; keep each file under that (tests can go in tests/<slug>/ as files)"},
		},
		{
			name: "alias bomb",
			files: map[string]string{"q.md": strings.Replace(mdConcept, "topics: [ml]",
				"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"+
					"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"+
					"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"+
					"topics: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]", 1)},
			want: []string{"set/q.md:10: excessive aliasing: the aliases (*name) here expand to more than 262144 values; write the values out"},
		},
		{
			name: "deep nesting",
			files: map[string]string{"q.md": strings.Replace(mdConcept, "topics: [ml]",
				"topics: "+strings.Repeat("[", 1001)+strings.Repeat("]", 1001), 1)},
			want: []string{"set/q.md:2: the values nest more than 1000 levels deep"},
		},
		{
			name:  "symbolic link",
			files: map[string]string{"q.md": mdConcept, "link.md": "q.md"},
			mode:  map[string]fs.FileMode{"link.md": fs.ModeSymlink},
			want:  []string{"set/link.md: is a symbolic link; onsite does not follow links in a set folder, so copy the file in instead"},
		},
		{
			name:  "questions in set.yaml",
			files: map[string]string{"set.yaml": mdSetYAML + "questions: []\n", "q.md": mdConcept},
			want:  []string{"set/set.yaml:4: questions: the questions of a Markdown folder are the .md files beside set.yaml; remove questions: from set.yaml"},
		},
		{
			name:  "bad set.yaml",
			files: map[string]string{"set.yaml": "slug: S\ntitel: S\n", "q.md": mdConcept},
			want: []string{
				`set/set.yaml:1: slug: "S" is not a slug: use lowercase letters, digits and single hyphens, such as two-sum`,
				`set/set.yaml:2: titel: unknown field "titel"; did you mean "title"?`,
			},
		},
		{
			name:  "no questions",
			files: map[string]string{"README.md": "# Notes\n"},
			want:  []string{"set: the folder has no questions; add one .md file per question"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if _, ok := tc.files["set.yaml"]; !ok {
				fsys["set.yaml"] = &fstest.MapFile{Data: []byte(mdSetYAML)}
			}
			for name, data := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data), Mode: tc.mode[name]}
			}
			set, err := questions.ParseMarkdownDir(fsys, ".", "set")
			require.Nil(t, set, "got a set, want the problems")
			var verr *questions.ValidationError
			require.ErrorAs(t, err, &verr, "got %T (%v), want *questions.ValidationError", err, err)
			got := make([]string, len(verr.Problems))
			for i, p := range verr.Problems {
				got[i] = p.String()
			}
			assert.Equal(t, tc.want, got, "got the problems on the right, want those on the left")
		})
	}
}

// FuzzParseMarkdown feeds ParseMarkdownDir a folder of one arbitrary
// question file beside a fixed set.yaml. It must not panic and must return
// a set or a *ValidationError whose problems all name a file and say
// something; a set it returns must be valid and survive MarshalMarkdown and
// ParseMarkdownDir unchanged.
func FuzzParseMarkdown(f *testing.F) {
	files, err := filepath.Glob("testdata/mdset/example/*.md")
	require.NoError(f, err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(mdConcept))
	f.Add([]byte("---\nkind: coding\ntitle: T\ndifficulty: easy\nmode: stdio\ntests: [{sample: true, input: \"1\\n\", output: \"1\\n\"}]\n---\nEcho.\n"))
	f.Add([]byte("---\nkind: concept\ntitle: T\ndifficulty: easy\n---\n```\n## x\n```\n## Answer\n- a\n## Hints\n- b\n  c\n"))
	f.Add([]byte("---\nkind: concept\ntitle: T\ndifficulty: easy\n---\nP\n## Answer\nA\n## Key points\n- a\n  ```\n## b\n- c\n\n  d\n-\n"))
	f.Add([]byte("---\r\nkind: concept\r\ntitle: T\r\ndifficulty: easy\r\nprompt: |\r\n  ## x\r\n---\r\n## Answer ##\r\n~~~\r\nA\r\n"))
	f.Add([]byte("\ufeff---\nkind: concept\ntitle: &t T\ndifficulty: easy\nanswer: *t\n...\n---\nP\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"set.yaml": {Data: []byte(mdSetYAML)}, "q.md": {Data: data}}
		set, err := questions.ParseMarkdownDir(fsys, ".", "fuzz")
		if err != nil {
			require.Nil(t, set, "got a set and an error")
			verr, ok := err.(*questions.ValidationError)
			require.True(t, ok, "got %T (%v), want *questions.ValidationError", err, err)
			require.NotEmpty(t, verr.Problems, "got a ValidationError with no problems")
			for _, p := range verr.Problems {
				require.NotEmpty(t, strings.TrimSpace(p.Message), "got a problem with no message: %+v", p)
				require.True(t, strings.HasPrefix(p.File, "fuzz"), "got a problem without the folder's name: %+v", p)
			}
			return
		}
		require.NotNil(t, set, "got neither a set nor an error")
		require.Empty(t, set.Validate(), "ParseMarkdownDir returned a set that Validate rejects")
		again, files := mdRoundTrip(t, set)
		require.Len(t, again.Questions, len(set.Questions))
		for i := range set.Questions {
			require.Equal(t, set.Questions[i].Hash(), again.Questions[i].Hash(),
				"got a different hash after MarshalMarkdown and ParseMarkdownDir; the files:\n%s", mdDump(files))
		}
	})
}
