package questions_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

const ungradable = "This problem checks answers with its own output validator, which onsite cannot run yet; read it and practise, but submissions are not judged."

// removed marks a file that kattisPackage leaves out of the minimal
// package.
const removed = "\x00removed"

// kattisPackage is a minimal legacy package with the files changed or
// added by files.
func kattisPackage(files map[string]string) fstest.MapFS {
	all := map[string]string{
		"problem.yaml":                     "name: Echo\n",
		"problem_statement/problem.en.tex": "Print the input.\n",
		"data/sample/1.in":                 "x\n",
		"data/sample/1.ans":                "x\n",
		"data/secret/1.in":                 "y\n",
		"data/secret/1.ans":                "y\n",
	}
	for name, data := range files {
		all[name] = data
	}
	fsys := fstest.MapFS{}
	for name, data := range all {
		if data != removed {
			fsys[name] = &fstest.MapFile{Data: []byte(data)}
		}
	}
	return fsys
}

func testNames(q questions.Question) []string {
	var names []string
	for _, t := range q.Tests {
		names = append(names, t.Name)
	}
	return names
}

func sampleNames(q questions.Question) []string {
	var names []string
	for _, t := range q.SampleTests() {
		names = append(names, t.Name)
	}
	return names
}

func languages(q questions.Question) []string {
	var langs []string
	for l := range q.Solutions {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	return langs
}

func TestParseKattis(t *testing.T) {
	good := os.DirFS("testdata/kattis/good")
	tests := []struct {
		name      string
		fsys      fs.FS
		dir, from string
		check     func(t *testing.T, s *questions.Set, notes string)
	}{
		{"legacy layout with LaTeX, groups and validator_flags", good, "halfway", "halfway", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "halfway", s.Slug)
			assert.Equal(t, "Halfway There", s.Title)
			assert.Equal(t, questions.FormatKattis, s.Format)
			assert.Equal(t, 1, s.Version)
			require.Len(t, s.Questions, 1)
			q := s.Questions[0]
			assert.Equal(t, "halfway", q.Slug)
			assert.Equal(t, "Halfway There", q.Title)
			assert.Equal(t, questions.KindCoding, q.Kind)
			assert.Equal(t, questions.ModeStdio, q.Mode)
			assert.Equal(t, questions.Medium, q.Difficulty)
			assert.True(t, strings.HasPrefix(q.Prompt, "Two friends stand on a straight road, at positions $a$ and $b$."), q.Prompt)
			assert.Contains(t, q.Prompt, "They agree to meet *exactly* halfway.")
			assert.Contains(t, q.Prompt, "## Input\n\nThe input is one line with two integers $a$ and $b$\n($-10^9 ≤ a, b ≤ 10^9$).")
			assert.Contains(t, q.Prompt, "- the answer may be fractional, such as `2.5`;\n- **do not** round it.")
			assert.NotContains(t, q.Prompt, `\`)
			assert.Equal(t, []string{"sample/1", "sample/2", "secret/group1/01", "secret/group1/02", "secret/group2/01"}, testNames(q))
			assert.Equal(t, []string{"sample/1", "sample/2"}, sampleNames(q))
			assert.Equal(t, "-3 3\n", q.Tests[1].Input)
			assert.Equal(t, "0\n", q.Tests[1].Output)
			assert.Equal(t, &questions.Comparator{Type: questions.CompareFloat, Tolerance: 1e-6, CaseSensitive: true}, q.Comparator)
			assert.Equal(t, &questions.Limits{TimeMS: questions.DefaultTimeMS, MemoryMB: 512}, q.Limits)
			assert.Equal(t, []string{"cpp", "python"}, languages(q))
			assert.Equal(t, "a, b = map(int, input().split())\nprint((a + b) / 2)\n", q.Solutions["python"], "the first Python file by name")
			assert.Equal(t, []string{"arithmetic", "floating-point"}, q.Topics)
			assert.Equal(t, "Onsite Practice Round (https://example.org/practice), by Onsite Authors", q.Source)
			assert.Equal(t, "CC-BY-SA-4.0 (rights owner: Onsite Authors)", q.License)
			assert.Empty(t, q.Ungradable)
			assert.Contains(t, notes, "halfway: submissions/accepted/split/ is a submission in several files; onsite keeps single-file solutions, so it was left out")
		}},
		{"2023-07 layout with Markdown, a name map and testdata.yaml", good, "reversewords", "reversewords", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "reversewords", s.Slug)
			assert.Equal(t, "Reverse Words", s.Title)
			q := s.Questions[0]
			assert.Equal(t, "Reverse Words", q.Title, "the English name of the map")
			assert.True(t, strings.HasPrefix(q.Prompt, "A line of text holds some words"), q.Prompt)
			assert.Contains(t, q.Prompt, "One line with between 1 and 1000 words.", "constants are filled in")
			assert.NotContains(t, q.Prompt, "{{")
			assert.True(t, strings.HasSuffix(q.Prompt, "Letter case matters."), q.Prompt)
			assert.Equal(t, []string{"sample/01", "secret/01-single", "secret/02-repeats"}, testNames(q))
			assert.Equal(t, []string{"sample/01"}, sampleNames(q))
			assert.Equal(t, &questions.Comparator{Type: questions.CompareExact, CaseSensitive: true, SpaceSensitive: true}, q.Comparator)
			assert.Equal(t, &questions.Limits{TimeMS: 1500, MemoryMB: 256}, q.Limits)
			assert.Equal(t, []string{"go", "java", "python"}, languages(q))
			assert.Equal(t, []string{"strings", "two-pointers"}, q.Topics)
			assert.Equal(t, "Onsite Practice Round (https://example.org/practice), by Ada Example, Bo Example", q.Source)
			assert.Equal(t, "CC-BY-4.0", q.License)
			assert.Empty(t, q.Ungradable)
		}},
		{"custom output validator: imported, not judged", good, "palindrome", "palindrome", func(t *testing.T, s *questions.Set, notes string) {
			q := s.Questions[0]
			assert.Equal(t, "Any Palindrome", q.Title)
			assert.Equal(t, ungradable, q.Ungradable)
			assert.True(t, strings.HasPrefix(q.Prompt, "> **Note:** this problem checks answers with its own output validator"), q.Prompt)
			assert.Contains(t, q.Prompt, "## Input\n\nOne integer $n$ ($1 ≤ n ≤ 100$).\n\n## Output")
			assert.Equal(t, []string{"sample/1", "secret/1", "secret/2"}, testNames(q))
			assert.Equal(t, 100, q.Limits.TimeMS, "0.05 s is raised to onsite's least")
			assert.Equal(t, []string{"python"}, languages(q))
			assert.Equal(t, "CC0-1.0", q.License)
			assert.Contains(t, notes, "palindrome: the time limit of 0.05 s is below onsite's least, 0.1 s; it is 0.1 s here")
			assert.Contains(t, notes, "palindrome: checks answers with its own output validator")
		}},
		{"contest folder", os.DirFS("testdata/kattis"), "good", "good", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "good", s.Slug)
			assert.Equal(t, "good", s.Title)
			var slugs []string
			for _, q := range s.Questions {
				slugs = append(slugs, q.Slug)
			}
			assert.Equal(t, []string{"halfway", "palindrome", "reversewords"}, slugs)
		}},
		{"contest folder at the root takes the name it was given", good, ".", "/tmp/NWERC 2024.zip", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "nwerc-2024", s.Slug)
			assert.Equal(t, "NWERC 2024", s.Title)
			assert.Len(t, s.Questions, 3)
		}},
		{"package at the root takes the name it was given", kattisPackage(nil), ".", "dir/echo.zip", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "echo", s.Slug)
			assert.Equal(t, "echo", s.Questions[0].Slug)
			assert.Equal(t, "Echo", s.Questions[0].Title)
			assert.Equal(t, "Print the input.", s.Questions[0].Prompt)
			assert.Nil(t, s.Questions[0].Solutions)
		}},
		{"legacy custom validation: its flags belong to the validator", kattisPackage(map[string]string{
			"problem.yaml": "name: Echo\nvalidation: custom\nvalidator_flags: anything --goes\n",
		}), ".", "echo", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, ungradable, s.Questions[0].Ungradable)
		}},
		{"the name comes from \\problemname when problem.yaml has none", kattisPackage(map[string]string{
			"problem.yaml":                     "",
			"problem_statement/problem.en.tex": "\\problemname{Echo \\emph{Chamber}}\nRepeat.\n",
		}), ".", "echo", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "Echo *Chamber*", s.Questions[0].Title)
			assert.Equal(t, "Repeat.", s.Questions[0].Prompt)
		}},
		{"a Markdown statement in the legacy folder wins over LaTeX", kattisPackage(map[string]string{
			"problem_statement/problem.en.md": "Print **the** input. ![a diagram](echo.png) ![remote](https://example.org/a.png)\n",
		}), ".", "echo", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "Print **the** input. *(A figure, `echo.png`, is left out here: a diagram.)* ![remote](https://example.org/a.png)", s.Questions[0].Prompt)
		}},
		{"only a Swedish statement", kattisPackage(map[string]string{
			"problem_statement/problem.en.tex": removed,
			"problem_statement/problem.sv.tex": "Skriv ut indata.\n",
			"problem_statement/problem.de.pdf": "%PDF",
		}), ".", "echo", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "Skriv ut indata.", s.Questions[0].Prompt)
			assert.Contains(t, notes, "echo: has no English statement; the question uses problem_statement/problem.sv.tex")
		}},
		{"2025-09 test_group.yaml and a test's own arguments agree", kattisPackage(map[string]string{
			"problem.yaml":                  "problem_format_version: 2025-09\nname: Echo\n",
			"data/sample/test_group.yaml":   "output_validator_args: [float_absolute_tolerance, '0.01', float_relative_tolerance, '0.001']\n",
			"data/secret/test_group.yaml":   "output_validator_args: [case_sensitive]\n",
			"data/secret/1.yaml":            "output_validator_args: float_absolute_tolerance 0.01 float_relative_tolerance 0.001\n",
			"data/secret/test_group.yaml~":  "ignored: true\n",
			"data/invalid_input/bad.in":     "not a test\n",
			"data/secret/.hidden/2.in":      "hidden files are not tests\n",
			"statement/problem.en.md":       "Echo it.\n",
			"submissions/wrong_answer/x.py": "print(1)\n",
		}), ".", "echo", func(t *testing.T, s *questions.Set, notes string) {
			q := s.Questions[0]
			assert.Equal(t, "Echo it.", q.Prompt, "statement/ comes first in the new layout")
			assert.Equal(t, []string{"sample/1", "secret/1"}, testNames(q))
			assert.Equal(t, &questions.Comparator{Type: questions.CompareFloat, Tolerance: 0.01}, q.Comparator, "the larger tolerance applies")
		}},
		{"a folder name that is not a short name", fstest.MapFS{
			"Echo Test/problem.yaml":                     {Data: []byte("name: Echo\n")},
			"Echo Test/problem_statement/problem.en.tex": {Data: []byte("Echo.\n")},
			"Echo Test/data/sample/1.in":                 {Data: []byte("a\n")},
			"Echo Test/data/sample/1.ans":                {Data: []byte("a\n")},
		}, "Echo Test", "Echo Test", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "echo-test", s.Slug)
			assert.Equal(t, "echo-test", s.Questions[0].Slug)
			assert.Contains(t, notes, `Echo Test: the folder name "Echo Test" is not a Kattis short name (lowercase letters and digits); the question's slug is "echo-test"`)
		}},
		{"solutions: Python 2 and unknown languages left out", kattisPackage(map[string]string{
			"submissions/accepted/a.py":    "#!/usr/bin/env python2\nprint raw_input()\n",
			"submissions/accepted/b.py":    "print(input())\n",
			"submissions/accepted/c.rs":    "fn main() {}\n",
			"submissions/accepted/d.kt":    "fun main() {}\n",
			"submissions/accepted/e.ts":    "console.log(1)\n",
			"submissions/accepted/f.js":    "console.log(2)\n",
			"submissions/accepted/g.c":     "int main(){}\n",
			"submissions/accepted/h.cxx":   "int main(){}\n",
			"submissions/accepted/i.cpp":   "int main(){return 0;}\n",
			"submissions/accepted/j.empty": "",
		}), ".", "echo", func(t *testing.T, s *questions.Set, notes string) {
			q := s.Questions[0]
			assert.Equal(t, []string{"c", "cpp", "javascript", "python", "rust", "typescript"}, languages(q))
			assert.Equal(t, "print(input())\n", q.Solutions["python"])
			assert.Equal(t, "int main(){}\n", q.Solutions["cpp"], "h.cxx comes before i.cpp")
			assert.Contains(t, notes, "echo: submissions/accepted/a.py is Python 2, which onsite does not run; it was left out")
		}},
		{"scoring problem, big memory, keywords as a string", kattisPackage(map[string]string{
			"problem.yaml": "name: Echo\ntype: scoring\nkeywords: Graph  graph DP\nlimits: {memory: 8192}\ncredits: Cy Example <cy@example.org>\n",
		}), ".", "echo", func(t *testing.T, s *questions.Set, notes string) {
			q := s.Questions[0]
			assert.Equal(t, 4096, q.Limits.MemoryMB)
			assert.Equal(t, []string{"graph", "dp"}, q.Topics)
			assert.Equal(t, "by Cy Example", q.Source)
			assert.Contains(t, notes, "echo: is a scoring problem; onsite judges it pass or fail, all tests or nothing")
			assert.Contains(t, notes, "echo: the memory limit of 8192 MiB is above onsite's most, 4096 MB; it is 4096 MB here")
		}},
		{"empty input files are tests", kattisPackage(map[string]string{
			"data/sample/1.in": "",
		}), ".", "echo", func(t *testing.T, s *questions.Set, notes string) {
			assert.Equal(t, "", s.Questions[0].Tests[0].Input)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, notes, err := questions.ParseKattis(tc.fsys, tc.dir, tc.from)
			require.NoError(t, err)
			require.Empty(t, s.Validate(), "the set validates")
			tc.check(t, s, strings.Join(notes, "\n"))
		})
	}
}

// billionLaughs is a problem.yaml whose keywords would expand to a
// billion items if aliases were expanded.
const billionLaughs = `name: Laughs
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
keywords: *i
`

func TestParseKattisProblems(t *testing.T) {
	bad := os.DirFS("testdata/kattis/bad")
	tests := []struct {
		name      string
		fsys      fs.FS
		dir, from string
		want      []string
	}{
		{"an input without its answer", bad, "missingans", "missingans", []string{
			"missingans/data/secret/group1/2.in: has no answer file 2.ans; every test needs its expected output next to its input",
		}},
		{"interactive", bad, "interactive", "interactive", []string{
			"interactive/problem.yaml:3: type: interactive problems cannot be imported: onsite runs a submission on fixed input and compares its output; it has no program to talk to it",
		}},
		{"unknown flag and a flag without its number", bad, "unknownflag", "unknownflag", []string{
			`unknownflag/problem.yaml:4: validator_flags: "foo" is not a flag of the default output validator; use float_tolerance, case_sensitive or space_change_sensitive`,
			"unknownflag/problem.yaml:4: validator_flags: float_tolerance needs a number after it, such as float_tolerance 1e-6",
		}},
		{"no statement", bad, "nostatement", "nostatement", []string{
			"nostatement/statement/: holds no problem statement; add statement/problem.en.md (Markdown) or statement/problem.en.tex (LaTeX)",
		}},
		{"no problem.yaml anywhere", bad, "noyaml", "noyaml", []string{
			"noyaml: holds no problem.yaml: a Kattis problem package has problem.yaml at its top, and a contest folder holds one package per subfolder",
		}},
		{"a folder that is not there", kattisPackage(nil), "nothere", "nothere", []string{
			"nothere: cannot be read as a folder: file does not exist",
		}},
		{"legacy interactive validation", kattisPackage(map[string]string{"problem.yaml": "name: Echo\nvalidation: custom interactive\n"}), ".", "echo", []string{
			"echo/problem.yaml:2: validation: interactive problems cannot be imported: onsite runs a submission on fixed input and compares its output; it has no program to talk to it",
		}},
		{"multi-pass and unknown types", kattisPackage(map[string]string{"problem.yaml": "name: Echo\ntype: [multi-pass, riddle]\n"}), ".", "echo", []string{
			"echo/problem.yaml:2: type: multi-pass problems cannot be imported: onsite runs a submission once per test, with no validator to feed it the next pass",
			`echo/problem.yaml:2: type: "riddle" is not a problem type; use pass-fail or scoring`,
		}},
		{"YAML syntax", kattisPackage(map[string]string{"problem.yaml": "name: Echo\nlimits: {memory: 5\n"}), ".", "echo", []string{
			"echo/problem.yaml:2: YAML syntax: a { } mapping is not closed, or one of its values holds a character that needs quotes (such as :, # or {) (did not find expected ',' or '}')",
		}},
		{"not a mapping", kattisPackage(map[string]string{"problem.yaml": "- name\n- Echo\n"}), ".", "echo", []string{
			"echo/problem.yaml:1: problem.yaml holds keys such as name: and limits:, not a list",
		}},
		{"billion laughs", kattisPackage(map[string]string{"problem.yaml": billionLaughs}), ".", "echo", []string{
			"echo/problem.yaml:10: keywords[0]: is a list; a keyword is a word or two",
		}},
		{"wrong shapes in problem.yaml", kattisPackage(map[string]string{
			"problem.yaml": "name: [Echo]\nkeywords: {a: b}\nlimits:\n  time_limit: fast\n  memory: -1\nvalidator_flags: [case_sensitive, {x: 1}]\nvalidation: maybe\n",
		}), ".", "echo", []string{
			"echo/problem.yaml:1: name: is a list; use the problem's name, or a map from language codes to names (en: Hello World)",
			"echo/problem.yaml:2: keywords: is a mapping; use a list of words",
			"echo/problem.yaml:4: limits.time_limit: is \"fast\"; use a number of seconds above 0",
			"echo/problem.yaml:5: limits.memory: is the number -1; use a number of MiB above 0",
			"echo/problem.yaml:6: validator_flags[1]: is a mapping; an argument is a word or a number",
			"echo/problem.yaml:7: validation: \"maybe\" is not a validation; use default or custom",
		}},
		{"tolerances out of range or not numbers", kattisPackage(map[string]string{
			"problem.yaml": "name: Echo\nvalidator_flags: float_tolerance 2 float_absolute_tolerance abc float_relative_tolerance 0\n",
		}), ".", "echo", []string{
			"echo/problem.yaml:2: validator_flags: float_tolerance 2 is out of range; onsite takes a tolerance above 0 and below 1, such as 1e-6",
			`echo/problem.yaml:2: validator_flags: float_absolute_tolerance needs a number after it, and "abc" is not one; use a number such as 1e-6`,
			"echo/problem.yaml:2: validator_flags: float_relative_tolerance 0 is out of range; onsite takes a tolerance above 0 and below 1, such as 1e-6",
		}},
		{"groups compared differently", kattisPackage(map[string]string{
			"data/secret/1.in": removed, "data/secret/1.ans": removed,
			"data/secret/easy/1.in": "a\n", "data/secret/easy/1.ans": "a\n",
			"data/secret/hard/1.in": "b\n", "data/secret/hard/1.ans": "b\n",
			"data/secret/hard/testdata.yaml": "output_validator_flags: float_tolerance 1e-3\n",
		}), ".", "echo", []string{
			"echo/data: the tests give the output validator different arguments (sample/1 with [], secret/hard/1 with [float_tolerance 1e-3]); onsite compares every test of a question the same way",
		}},
		{"bad testdata.yaml", kattisPackage(map[string]string{
			"data/testdata.yaml":        "output_validator_args: [case_sensitive\n",
			"data/secret/testdata.yaml": "output_validator_args: ignore_case\n",
		}), ".", "echo", []string{
			"echo/data/secret/testdata.yaml:1: output_validator_args: \"ignore_case\" is not a flag of the default output validator; use float_tolerance, case_sensitive or space_change_sensitive",
			"echo/data/testdata.yaml:2: YAML syntax: a [ ] list is not closed, or one of its items holds a character that needs quotes (such as ?, :, # or [) (did not find expected ',' or ']')",
		}},
		{"tests that are not text", kattisPackage(map[string]string{
			"data/secret/1.ans": "ok\xff\n",
			"data/secret/2.in":  string(make([]byte, questions.MaxKattisTestBytes+1)),
			"data/secret/2.ans": "\n",
		}), ".", "echo", []string{
			"echo/data/secret/1.ans: is not valid UTF-8 (byte offset 2); onsite keeps tests as text",
			"echo/data/secret/2.in: is larger than 16.0 MB; onsite keeps each test file under that",
		}},
		{"input files", kattisPackage(map[string]string{"data/secret/1.files/grid.txt": "#.#\n"}), ".", "echo", []string{
			"echo/data/secret/1.files: gives the test input files, which onsite cannot give a submission; it reads standard input only",
		}},
		{"no samples", kattisPackage(map[string]string{"data/sample/1.in": removed, "data/sample/1.ans": removed}), ".", "echo", []string{
			"echo/data/sample: holds no sample test (an .in file with its .ans); onsite shows at least one sample to the candidate",
		}},
		{"only a PDF statement", kattisPackage(map[string]string{
			"problem.yaml":                     "problem_format_version: 2023-07\nname: Echo\n",
			"problem_statement/problem.en.tex": removed,
			"statement/problem.en.pdf":         "%PDF-1.4",
		}), ".", "echo", []string{
			"echo/statement/problem.en.pdf: is the only statement, and onsite reads statements in Markdown (.md) or LaTeX (.tex); add statement/problem.en.md",
		}},
		{"a statement that is not UTF-8", kattisPackage(map[string]string{"problem_statement/problem.en.tex": "Caf\xe9\n"}), ".", "echo", []string{
			"echo/problem_statement/problem.en.tex: is not valid UTF-8 (byte offset 3); save it as UTF-8",
		}},
		{"validation problems come last, naming the package", kattisPackage(map[string]string{
			"problem_statement/problem.en.tex": strings.Repeat("word ", questions.MaxPromptBytes/4),
		}), ".", "echo", []string{
			"echo: questions[0].prompt: is 81919 bytes; keep it under 65536",
		}},
		{"in a contest only the bad package is reported", fstest.MapFS{
			"ok/problem.yaml":                          {Data: []byte("name: OK\n")},
			"ok/problem_statement/problem.en.tex":      {Data: []byte("Fine.\n")},
			"ok/data/sample/1.in":                      {Data: []byte("1\n")},
			"ok/data/sample/1.ans":                     {Data: []byte("1\n")},
			"broken/problem.yaml":                      {Data: []byte("name: Broken\nlimits: {time_limit: 0}\n")},
			"broken/problem_statement/problem.en.tex":  {Data: []byte("Broken.\n")},
			"broken/data/sample/1.in":                  {Data: []byte("1\n")},
			"broken/data/sample/1.ans":                 {Data: []byte("1\n")},
			"long/problem.yaml":                        {Data: []byte("name: " + strings.Repeat("Long ", 50) + "\n")},
			"long/problem_statement/problem.en.tex":    {Data: []byte("Long.\n")},
			"long/data/sample/1.in":                    {Data: []byte("1\n")},
			"long/data/sample/1.ans":                   {Data: []byte("1\n")},
			"notes/README.txt":                         {Data: []byte("not a package\n")},
			"problem_statement_template/problem.en.md": {Data: []byte("not a package\n")},
		}, ".", "contest", []string{
			"contest/broken/problem.yaml:2: limits.time_limit: is the number 0; use a number of seconds above 0",
			"contest/long: questions[0].title: is 249 characters long; use at most 200",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _, err := questions.ParseKattis(tc.fsys, tc.dir, tc.from)
			require.Error(t, err)
			require.Nil(t, s)
			var ve *questions.ValidationError
			require.ErrorAs(t, err, &ve)
			var got []string
			for _, p := range ve.Problems {
				got = append(got, p.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseKattisSymlinks(t *testing.T) {
	root := t.TempDir()
	write := func(name, data string) {
		full := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(data), 0o644))
	}
	for name, data := range map[string]string{
		"contest/echo/problem.yaml":                     "name: Echo\n",
		"contest/echo/problem_statement/problem.en.tex": "Echo.\n",
		"contest/echo/data/sample/1.in":                 "a\n",
		"contest/echo/data/sample/1.ans":                "a\n",
		"contest/echo/data/secret/1.ans":                "b\n",
		"outside/secret.txt":                            "b\n",
		"outside/submissions/accepted/a.py":             "print('b')\n",
	} {
		write(name, data)
	}
	link := func(target, name string) {
		require.NoError(t, os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))))
	}
	link(filepath.Join(root, "outside", "secret.txt"), "contest/echo/data/secret/1.in")
	link(filepath.Join(root, "outside", "submissions"), "contest/echo/submissions")
	link(filepath.Join(root, "contest", "echo"), "contest/again")

	_, _, err := questions.ParseKattis(os.DirFS(root), "contest", "contest")
	var ve *questions.ValidationError
	require.ErrorAs(t, err, &ve)
	var got []string
	for _, p := range ve.Problems {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		"contest/again: is a symbolic link; onsite does not follow links in a package: put the folder itself here",
		"contest/echo/data/secret/1.in: is a symbolic link; onsite does not follow links in a package: put the file itself here",
		"contest/echo/submissions: is a symbolic link; onsite does not follow links in a package: put the file itself here",
	}, got)
}

// zipDir writes the files under dir into a zip archive, each under prefix.
func zipDir(t *testing.T, dir, prefix string) *zip.Reader {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		require.NoError(t, err)
		w, err := zw.Create(path.Join(prefix, filepath.ToSlash(rel)))
		require.NoError(t, err)
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		_, err = w.Write(data)
		return err
	}))
	require.NoError(t, zw.Close())
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	return zr
}

func TestParseKattisZip(t *testing.T) {
	t.Run("package in a top-level folder", func(t *testing.T) {
		zr := zipDir(t, "testdata/kattis/good/reversewords", "hello")
		s, _, err := questions.ParseKattis(zr, "hello", "hello.zip")
		require.NoError(t, err)
		assert.Equal(t, "hello", s.Slug)
		require.Len(t, s.Questions, 1)
		q := s.Questions[0]
		assert.Equal(t, "hello", q.Slug)
		assert.Equal(t, "Reverse Words", q.Title)
		assert.Equal(t, []string{"sample/01", "secret/01-single", "secret/02-repeats"}, testNames(q))
		assert.Equal(t, []string{"go", "java", "python"}, languages(q))
	})
	t.Run("package at the root", func(t *testing.T) {
		zr := zipDir(t, "testdata/kattis/good/halfway", "")
		s, _, err := questions.ParseKattis(zr, ".", "uploads/halfway.zip")
		require.NoError(t, err)
		assert.Equal(t, "halfway", s.Slug)
		assert.Len(t, s.Questions[0].Tests, 5)
	})
	t.Run("problems name the archive", func(t *testing.T) {
		zr := zipDir(t, "testdata/kattis/bad/missingans", "hello")
		_, _, err := questions.ParseKattis(zr, "hello", "hello.zip")
		var ve *questions.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Problems, 1)
		assert.Equal(t, "hello.zip/data/secret/group1/2.in: has no answer file 2.ans; every test needs its expected output next to its input", ve.Problems[0].String())
	})
}

// FuzzParseKattis builds a package from a fuzzed problem.yaml, statement
// and test. Whatever they hold, ParseKattis must not panic and must return
// a set that validates or a *ValidationError whose problems say something
// and name the package.
func FuzzParseKattis(f *testing.F) {
	for _, dir := range []string{"good/halfway", "good/reversewords", "good/palindrome", "bad/unknownflag", "bad/interactive"} {
		yml, err := os.ReadFile("testdata/kattis/" + dir + "/problem.yaml")
		require.NoError(f, err)
		for _, st := range []string{"problem_statement/problem.en.tex", "statement/problem.en.md", "statement/problem.en.tex"} {
			if statement, err := os.ReadFile("testdata/kattis/" + dir + "/" + st); err == nil {
				f.Add(string(yml), string(statement), strings.HasSuffix(st, ".tex"), []byte("1 2\n"), []byte("1.5\n"))
			}
		}
	}
	f.Add(billionLaughs, "x", true, []byte{}, []byte{})
	f.Add("name: {en: A, sv: B}\nlimits: {time_limit: 1e9, memory: 0.5}\n", "$$", false, []byte("\xff"), []byte("\n"))
	f.Add("validator_flags: [float_tolerance, '1e-9', space_change_sensitive]\n", `\begin{itemize}\item`, true, []byte("a"), []byte("A"))
	f.Fuzz(func(t *testing.T, yml, statement string, tex bool, in, ans []byte) {
		fsys := fstest.MapFS{
			"problem.yaml":      {Data: []byte(yml)},
			"data/sample/1.in":  {Data: in},
			"data/sample/1.ans": {Data: ans},
		}
		if tex {
			fsys["problem_statement/problem.en.tex"] = &fstest.MapFile{Data: []byte(statement)}
		} else {
			fsys["statement/problem.en.md"] = &fstest.MapFile{Data: []byte(statement)}
		}
		s, _, err := questions.ParseKattis(fsys, ".", "fuzz")
		if err != nil {
			require.Nil(t, s, "got a set and an error")
			var ve *questions.ValidationError
			require.True(t, errors.As(err, &ve), "got %T (%v), want *questions.ValidationError", err, err)
			require.NotEmpty(t, ve.Problems)
			for _, p := range ve.Problems {
				require.NotEmpty(t, strings.TrimSpace(p.Message), "a problem with no message: %+v", p)
				require.True(t, p.File == "fuzz" || strings.HasPrefix(p.File, "fuzz/"), "a problem without the package's name: %+v", p)
			}
			return
		}
		require.NotNil(t, s)
		require.Empty(t, s.Validate(), "ParseKattis returned a set that Validate rejects")
		require.Equal(t, questions.FormatKattis, s.Format)
		require.Len(t, s.Questions, 1)
		require.Len(t, s.Questions[0].Tests, 1)
	})
}
