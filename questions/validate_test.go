package questions_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
)

// validSet returns a set that passes Validate, holding qs, or one concept
// question when qs is empty.
func validSet(qs ...questions.Question) *questions.Set {
	if len(qs) == 0 {
		qs = []questions.Question{{
			Slug: "bias-variance", Kind: questions.KindConcept, Title: "Bias and variance",
			Prompt: "Explain the trade-off.", Difficulty: questions.Easy,
			Concept: questions.Concept{Answer: "Simple models underfit."},
		}}
	}
	return &questions.Set{Slug: "s", Title: "S", Version: 1, Questions: qs}
}

// codingQuestion returns a valid coding question with the given coding part,
// and one sample stdio test when the part has no tests.
func codingQuestion(c questions.Coding) questions.Question {
	if c.Tests == nil && c.Function == nil {
		c.Tests = []questions.Test{{Sample: true, Input: "1\n", Output: "1\n"}}
	}
	return questions.Question{
		Slug: "q", Kind: questions.KindCoding, Title: "Q", Prompt: "Solve it.", Difficulty: questions.Medium,
		Coding: c,
	}
}

// oneArg is a function taking one parameter of typ and returning typ.
func oneArg(typ string) *questions.Signature {
	return &questions.Signature{Name: "f", Params: []questions.Param{{Name: "x", Type: typ}}, Returns: typ}
}

func TestValidateAcceptsValidSets(t *testing.T) {
	problems := validSet().Validate()
	assert.Empty(t, problems, "got problems %v, want none", problems)

	problems = validSet(codingQuestion(questions.Coding{
		Function: oneArg("int[]"),
		Tests:    []questions.Test{{Sample: true, Args: []any{[]any{1, 2}}, Expected: []any{2, 1}}},
		Starter:  map[string]string{"python": "def f(x): pass", "go": "func f(x []int) []int { return nil }"},
	})).Validate()
	assert.Empty(t, problems, "got problems %v, want none", problems)
}

// TestValidateFillsDefaults: a valid set comes out of Validate ready to
// store, with the mode, comparator and limits a question left out.
func TestValidateFillsDefaults(t *testing.T) {
	defaultLimits := &questions.Limits{TimeMS: questions.DefaultTimeMS, MemoryMB: questions.DefaultMemoryMB}
	sigTests := []questions.Test{{Sample: true, Args: []any{1}, Expected: 1}}
	cases := []struct {
		name           string
		coding         questions.Coding
		wantMode       questions.Mode
		wantComparator *questions.Comparator
		wantLimits     *questions.Limits
	}{
		{
			name:           "nothing given",
			wantMode:       questions.ModeStdio,
			wantComparator: &questions.Comparator{Type: questions.CompareExact},
			wantLimits:     defaultLimits,
		},
		{
			name:           "function given",
			coding:         questions.Coding{Function: oneArg("int"), Tests: sigTests},
			wantMode:       questions.ModeFunction,
			wantComparator: &questions.Comparator{Type: questions.CompareExact},
			wantLimits:     defaultLimits,
		},
		{
			name:           "mode given",
			coding:         questions.Coding{Mode: questions.ModeFunction, Function: oneArg("int"), Tests: sigTests},
			wantMode:       questions.ModeFunction,
			wantComparator: &questions.Comparator{Type: questions.CompareExact},
			wantLimits:     defaultLimits,
		},
		{
			name:           "comparator without type",
			coding:         questions.Coding{Comparator: &questions.Comparator{}},
			wantMode:       questions.ModeStdio,
			wantComparator: &questions.Comparator{Type: questions.CompareExact},
			wantLimits:     defaultLimits,
		},
		{
			name:           "unordered comparator kept",
			coding:         questions.Coding{Comparator: &questions.Comparator{Type: questions.CompareUnordered}},
			wantMode:       questions.ModeStdio,
			wantComparator: &questions.Comparator{Type: questions.CompareUnordered},
			wantLimits:     defaultLimits,
		},
		{
			name:           "float comparator without tolerance",
			coding:         questions.Coding{Comparator: &questions.Comparator{Type: questions.CompareFloat}},
			wantMode:       questions.ModeStdio,
			wantComparator: &questions.Comparator{Type: questions.CompareFloat, Tolerance: 1e-6},
			wantLimits:     defaultLimits,
		},
		{
			name:           "float comparator with tolerance",
			coding:         questions.Coding{Comparator: &questions.Comparator{Type: questions.CompareFloat, Tolerance: 1e-3}},
			wantMode:       questions.ModeStdio,
			wantComparator: &questions.Comparator{Type: questions.CompareFloat, Tolerance: 1e-3},
			wantLimits:     defaultLimits,
		},
		{
			name:           "time limit only",
			coding:         questions.Coding{Limits: &questions.Limits{TimeMS: 500}},
			wantMode:       questions.ModeStdio,
			wantComparator: &questions.Comparator{Type: questions.CompareExact},
			wantLimits:     &questions.Limits{TimeMS: 500, MemoryMB: questions.DefaultMemoryMB},
		},
		{
			name:           "memory limit only",
			coding:         questions.Coding{Limits: &questions.Limits{MemoryMB: 64}},
			wantMode:       questions.ModeStdio,
			wantComparator: &questions.Comparator{Type: questions.CompareExact},
			wantLimits:     &questions.Limits{TimeMS: questions.DefaultTimeMS, MemoryMB: 64},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := validSet(codingQuestion(tc.coding))
			problems := set.Validate()
			require.Empty(t, problems, "got problems %v, want none", problems)
			q := set.Questions[0]
			assert.Equal(t, tc.wantMode, q.Mode, "got mode %q, want %q", q.Mode, tc.wantMode)
			assert.Equal(t, tc.wantComparator, q.Comparator, "got comparator %+v, want %+v", q.Comparator, tc.wantComparator)
			assert.Equal(t, tc.wantLimits, q.Limits, "got limits %+v, want %+v", q.Limits, tc.wantLimits)

			again := set.Validate()
			assert.Empty(t, again, "got problems %v on a second Validate, want none", again)
			assert.Equal(t, q, set.Questions[0], "a second Validate changed the question")
		})
	}
}

// TestValidateLeavesOtherKindsAlone: defaults are a coding matter; a concept
// question gets no comparator, limits or mode that would then be misplaced.
func TestValidateLeavesOtherKindsAlone(t *testing.T) {
	set := validSet()
	require.Empty(t, set.Validate())
	q := set.Questions[0]
	assert.Empty(t, q.Mode, "got mode %q, want none", q.Mode)
	assert.Nil(t, q.Comparator, "got comparator %+v, want none", q.Comparator)
	assert.Nil(t, q.Limits, "got limits %+v, want none", q.Limits)
	assert.Empty(t, set.Validate(), "a second Validate found problems")
}

// TestValidateValueTypes checks test values against signature types the way
// they arrive from YAML and JSON: JSON has only float64 numbers, so a whole
// float64 is an int, while an int is always a float.
func TestValidateValueTypes(t *testing.T) {
	cases := []struct {
		name  string
		typ   string
		value any
		want  bool
	}{
		{"int", "int", 3, true},
		{"int64", "int", int64(-3), true},
		{"uint64", "int", uint64(1) << 63, true},
		{"whole float64 as int", "int", 3.0, true},
		{"negative whole float64 as int", "int", -42.0, true},
		{"largest exact float64 as int", "int", float64(1<<53 - 1), true},
		{"float64 past 2^53 as int", "int", float64(1 << 53), false},
		{"fraction as int", "int", 1.5, false},
		{"NaN as int", "int", math.NaN(), false},
		{"text as int", "int", "3", false},
		{"bool as int", "int", true, false},
		{"nothing as int", "int", nil, false},
		{"float", "float", 1.5, true},
		{"int as float", "float", 2, true},
		{"int64 as float", "float", int64(2), true},
		{"NaN as float", "float", math.NaN(), false},
		{"infinity as float", "float", math.Inf(-1), false},
		{"text as float", "float", "1.5", false},
		{"string", "string", "", true},
		{"number as string", "string", 7, false},
		{"bool", "bool", false, true},
		{"text as bool", "bool", "true", false},
		{"int list", "int[]", []any{1, 2.0, int64(3)}, true},
		{"empty int list", "int[]", []any{}, true},
		{"int list with a fraction", "int[]", []any{1, 2.5}, false},
		{"int list with text", "int[]", []any{1, "2"}, false},
		{"single int as int list", "int[]", 1, false},
		{"float list of ints", "float[]", []any{1, 2}, true},
		{"string list", "string[]", []any{"a", ""}, true},
		{"bool list", "bool[]", []any{true, false}, true},
		{"nested int lists", "int[][]", []any{[]any{1, 2}, []any{}, []any{3.0}}, true},
		{"flat list as nested", "int[][]", []any{1, 2}, false},
		{"nested list with a fraction", "int[][]", []any{[]any{1}, []any{2.5}}, false},
		{"nested float lists of ints", "float[][]", []any{[]any{1, 2.5}}, true},
		{"nested list as flat", "float[]", []any{[]any{1.0}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := validSet(codingQuestion(questions.Coding{
				Function: oneArg(tc.typ),
				Tests:    []questions.Test{{Sample: true, Args: []any{tc.value}, Expected: tc.value}},
			}))
			problems := set.Validate()
			if tc.want {
				assert.Empty(t, problems, "got problems %v, want %#v accepted as %s", problems, tc.value, tc.typ)
				return
			}
			// A problem names the first element that does not fit, below the
			// argument or the expected value.
			require.Len(t, problems, 2, "got problems %v, want %#v rejected as %s in args and expected", problems, tc.value, tc.typ)
			assert.True(t, strings.HasPrefix(problems[0].Path, "questions[0].tests[0].args[0]"), "got path %q for the argument", problems[0].Path)
			assert.True(t, strings.HasPrefix(problems[1].Path, "questions[0].tests[0].expected"), "got path %q for the expected value", problems[1].Path)
		})
	}
}

// TestValidateShowsValuesAsWritten: a message quotes the wrong value so the
// author can find it; a list must show its text elements as text.
func TestValidateShowsValuesAsWritten(t *testing.T) {
	set := validSet(codingQuestion(questions.Coding{
		Function: oneArg("float[]"),
		Tests:    []questions.Test{{Sample: true, Args: []any{[]any{1, "2", 3}}, Expected: []any{1.0}}},
	}))
	problems := set.Validate()
	require.Len(t, problems, 1, "got %v", problems)
	assert.Contains(t, problems[0].Message, `"2"`, "got %q, want the text element quoted", problems[0].Message)
}

// TestValidateReportsEveryProblem: Validate goes on after the first problem
// and names each by its path, in the order of the set.
func TestValidateReportsEveryProblem(t *testing.T) {
	concept := validSet().Questions[0]
	bad := concept
	bad.Slug, bad.Difficulty, bad.Answer = "Bad Slug", "trivial", ""
	dup := concept
	set := &questions.Set{Slug: "s", Title: "S", Version: -2, Questions: []questions.Question{concept, bad, dup}}
	var got []string
	for _, p := range set.Validate() {
		got = append(got, p.Path)
	}
	want := []string{
		"version",
		"questions[1].slug",
		"questions[1].difficulty",
		"questions[1].answer",
		"questions[2].slug",
	}
	assert.Equal(t, want, got, "got problems at %v, want %v", got, want)
}

func TestProblemString(t *testing.T) {
	cases := []struct {
		name    string
		problem questions.Problem
		want    string
	}{
		{"file, line and field", questions.Problem{File: "ml.yaml", Line: 12, Path: "questions[0].kind", Message: "is required"},
			"ml.yaml:12: questions[0].kind: is required"},
		{"file and line", questions.Problem{File: "ml.yaml", Line: 1, Message: "the file is empty"},
			"ml.yaml:1: the file is empty"},
		{"file only", questions.Problem{File: "ml.yaml", Message: "the file is too big"},
			"ml.yaml: the file is too big"},
		{"file and field", questions.Problem{File: "ml.yaml", Path: "slug", Message: "is required"},
			"ml.yaml: slug: is required"},
		{"line and field", questions.Problem{Line: 3, Path: "slug", Message: "is required"},
			"3: slug: is required"},
		{"field only", questions.Problem{Path: "questions[2].tests", Message: "needs a sample"},
			"questions[2].tests: needs a sample"},
		{"message only", questions.Problem{Message: "nothing was imported"},
			"nothing was imported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.problem.String()
			assert.Equal(t, tc.want, got, "got %q, want %q", got, tc.want)
		})
	}
}

// TestValidationErrorIsEINVALID: callers that only know onsite's error codes,
// such as the server's error handler, see a ValidationError as EINVALID with
// a message that lists every problem.
func TestValidationErrorIsEINVALID(t *testing.T) {
	cases := []struct {
		name     string
		problems []questions.Problem
		wantHead string
	}{
		{"one problem", []questions.Problem{{File: "a.yaml", Line: 2, Path: "slug", Message: "is required"}},
			"The question set has 1 problem; nothing was imported:\n"},
		{"two problems", []questions.Problem{
			{File: "a.yaml", Line: 2, Path: "slug", Message: "is required"},
			{File: "a.yaml", Line: 9, Path: "questions[0].kind", Message: `"x" is not a kind`},
		}, "The question set has 2 problems; nothing was imported:\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			verr := &questions.ValidationError{Problems: tc.problems}
			for _, err := range []error{verr, fmt.Errorf("import a.yaml: %w", verr)} {
				var oerr *onsite.Error
				require.True(t, errors.As(err, &oerr), "got no *onsite.Error in the chain of %v", err)
				assert.Equal(t, onsite.EINVALID, oerr.Code, "got code %q, want %q", oerr.Code, onsite.EINVALID)
				assert.Equal(t, onsite.EINVALID, onsite.ErrorCode(err), "got ErrorCode %q, want %q", onsite.ErrorCode(err), onsite.EINVALID)
				want := tc.wantHead + verr.Error()
				assert.Equal(t, want, oerr.Message, "got message %q, want %q", oerr.Message, want)
				assert.Equal(t, want, onsite.ErrorMessage(err))

				var back *questions.ValidationError
				require.True(t, errors.As(err, &back), "got no *ValidationError in the chain of %v", err)
				assert.Same(t, verr, back)
			}
			lines := strings.Split(verr.Error(), "\n")
			require.Len(t, lines, len(tc.problems), "got %q, want one line per problem", verr.Error())
			for i, p := range tc.problems {
				assert.Equal(t, p.String(), lines[i])
			}
		})
	}
}

// TestParseYAMLErrorIsEINVALID: what ParseYAML returns for a bad file is an
// EINVALID error all the way out.
func TestParseYAMLErrorIsEINVALID(t *testing.T) {
	_, err := questions.ParseYAML("a.yaml", []byte("slug: Not A Slug\ntitle: T\nquestions: []\n"))
	require.Error(t, err)
	assert.Equal(t, onsite.EINVALID, onsite.ErrorCode(err), "got code %q for %v, want %q", onsite.ErrorCode(err), err, onsite.EINVALID)
	want := "The question set has 2 problems; nothing was imported:\n" +
		`a.yaml:1: slug: "Not A Slug" is not a slug: use lowercase letters, digits and single hyphens, such as two-sum` + "\n" +
		"a.yaml:3: questions: the set has no questions; add at least one under questions:"
	assert.Equal(t, want, onsite.ErrorMessage(err), "got message %q, want %q", onsite.ErrorMessage(err), want)
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"kitten", "sitting", 3}, {"", "", 0}, {"", "addr", 4}, {"smtp-hots", "smtp-host", 2}}
	for _, tc := range tests {
		assert.Equal(t, tc.want, questions.EditDistance(tc.a, tc.b), "%q to %q", tc.a, tc.b)
	}
}
