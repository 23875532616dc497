package grader

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
)

var (
	testGraderOnce sync.Once
	testGraderVal  *Grader
)

// testGrader is a Grader over localSandbox with the languages installed
// here, built once per test binary. Go compiles share a build cache that
// outlives the binary, so that only the first run ever builds the
// standard library.
func testGrader(t testing.TB) *Grader {
	testGraderOnce.Do(func() {
		cache := filepath.Join(os.TempDir(), "onsite-test-gocache")
		testGraderVal = New(localSandbox{}, Discover(context.Background()), Config{GoCache: cache})
	})
	return testGraderVal
}

// needLanguage skips the test, loudly, when lang is not installed.
func needLanguage(t testing.TB, lang string) {
	t.Helper()
	if _, ok := testGrader(t).Language(lang); !ok {
		t.Skipf("SKIP: %s is not installed here", lang)
	}
}

// grade grades task and fails the test on an error.
func grade(t testing.TB, task Task) *Result {
	t.Helper()
	needLanguage(t, task.Language)
	res, err := testGrader(t).Grade(context.Background(), task)
	require.NoError(t, err)
	require.NotNil(t, res)
	return res
}

// functionLanguages are the languages with a function-mode driver.
var functionLanguages = []string{"python", "javascript", "go"}

// bankQuestions returns the built-in bank's coding questions.
func bankQuestions(t testing.TB) []questions.Question {
	t.Helper()
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	var qs []questions.Question
	for _, s := range sets {
		for _, q := range s.Questions {
			if q.Kind == questions.KindCoding {
				q.Set = s.Slug
				qs = append(qs, q)
			}
		}
	}
	require.NotEmpty(t, qs, "the bank has coding questions")
	return qs
}

// bankTask maps a bank question to a task, every test included, as the
// server does for "submit".
func bankTask(t testing.TB, q questions.Question, lang, code string) Task {
	t.Helper()
	task := Task{Language: lang, Code: code, Mode: Mode(q.Mode)}
	if task.Mode == "" {
		task.Mode = ModeFunction
	}
	if q.Function != nil {
		task.Function = &Signature{Name: q.Function.Name, Returns: q.Function.Returns}
		for _, p := range q.Function.Params {
			task.Function.Params = append(task.Function.Params, Param{Name: p.Name, Type: p.Type})
		}
	}
	if q.Comparator != nil {
		task.Comparator = Comparator{Type: q.Comparator.Type, Tolerance: q.Comparator.Tolerance}
	}
	if q.Limits != nil {
		task.TimeLimit = time.Duration(q.Limits.TimeMS) * time.Millisecond
		task.MemoryBytes = int64(q.Limits.MemoryMB) << 20
	}
	for _, qt := range q.Tests {
		gt := Test{Name: qt.Name, Sample: qt.Sample, Input: qt.Input, Output: qt.Output}
		if q.Function != nil {
			args, err := qt.Arguments(q.Function)
			require.NoError(t, err)
			gt.Args = args
		}
		if qt.Expected != nil {
			raw, err := json.Marshal(qt.Expected)
			require.NoError(t, err)
			gt.Expected = raw
		}
		task.Tests = append(task.Tests, gt)
	}
	return task
}

func TestGradeBankReferenceSolutions(t *testing.T) {
	for _, q := range bankQuestions(t) {
		for _, lang := range functionLanguages {
			t.Run(q.Slug+"/"+lang, func(t *testing.T) {
				t.Parallel()
				code, ok := q.Solutions[lang]
				require.True(t, ok, "%s has a %s reference solution", q.Slug, lang)
				res := grade(t, bankTask(t, q, lang, code))
				require.Equal(t, Accepted, res.Verdict, "message: %s\ncompile: %s\ntests: %+v", res.Message, res.CompileOutput, res.Tests)
				assert.Equal(t, res.Total, res.Passed)
				assert.Nil(t, res.FirstFailure)
			})
		}
	}
}

// zeroJSON is the JSON of the value a wrong solution returns: Go's zero
// value of the return type, as the driver encodes it.
func zeroJSON(typ string) string {
	switch typ {
	case "int", "float":
		return "0"
	case "string":
		return `""`
	case "bool":
		return "false"
	}
	return "[]"
}

// constantSolution returns code answering zeroJSON(sig.Returns) to every
// call, in lang.
func constantSolution(lang string, sig *Signature) string {
	zero := zeroJSON(sig.Returns)
	name := FunctionName(lang, sig)
	switch lang {
	case "python":
		return fmt.Sprintf("import json\n\ndef %s(*args):\n    return json.loads(%q)\n", name, zero)
	case "javascript":
		return fmt.Sprintf("function %s(...args) {\n  return %s;\n}\n", name, zero)
	}
	// Go: the starter code returns the zero value (nil for a list).
	return Starter("go", sig)
}

// TestGradeBankWrongSolutions grades a constant answer to the core set's
// questions and expects the first failing test to be reported as LeetCode
// does. (Every question's own wrong solutions are graded by
// TestBankWrongSolutionsRejected.)
func TestGradeBankWrongSolutions(t *testing.T) {
	for _, q := range bankQuestions(t) {
		if q.Set != "coding-core" {
			continue
		}
		for _, lang := range functionLanguages {
			t.Run(q.Slug+"/"+lang, func(t *testing.T) {
				t.Parallel()
				task := bankTask(t, q, lang, "")
				task.Code = constantSolution(lang, task.Function)
				want := -1
				for i, tc := range task.Tests {
					ok, err := CompareJSON(task.Comparator, tc.Expected, json.RawMessage(zeroJSON(task.Function.Returns)))
					require.NoError(t, err)
					if !ok {
						want = i
						break
					}
				}
				if want < 0 {
					t.Skipf("SKIP: every test of %s expects the zero value", q.Slug)
				}
				res := grade(t, task)
				require.Equal(t, WrongAnswer, res.Verdict, "message: %s\ncompile: %s", res.Message, res.CompileOutput)
				require.NotNil(t, res.FirstFailure)
				assert.Equal(t, want, *res.FirstFailure)
				assert.Less(t, res.Passed, res.Total)
			})
		}
	}
}

// The starter code generated from a signature compiles and runs in every
// language, so a question without starter code is still answerable.
func TestGradeGeneratedStarter(t *testing.T) {
	for _, q := range bankQuestions(t) {
		for _, lang := range functionLanguages {
			t.Run(q.Slug+"/"+lang, func(t *testing.T) {
				t.Parallel()
				task := bankTask(t, q, lang, "")
				task.Code = Starter(lang, task.Function)
				res := grade(t, task)
				assert.Contains(t, []Verdict{WrongAnswer, Accepted}, res.Verdict,
					"message: %s\ncompile: %s", res.Message, res.CompileOutput)
			})
		}
	}
}

// sumSig is the small signature of the focused tests below.
var sumSig = &Signature{Name: "sum_list", Params: []Param{{Name: "nums", Type: "int[]"}}, Returns: "int"}

// sumTask is a function-mode task summing lists: three sample tests and
// two hidden ones, the third taking three numbers.
func sumTask(lang, code string) Task {
	tests := []Test{
		{Name: "one", Sample: true, Args: []json.RawMessage{json.RawMessage(`[1]`)}, Expected: json.RawMessage(`1`)},
		{Name: "two", Sample: true, Args: []json.RawMessage{json.RawMessage(`[1,2]`)}, Expected: json.RawMessage(`3`)},
		{Name: "three", Sample: true, Args: []json.RawMessage{json.RawMessage(`[1,2,3]`)}, Expected: json.RawMessage(`6`)},
		{Name: "empty", Args: []json.RawMessage{json.RawMessage(`[]`)}, Expected: json.RawMessage(`0`)},
		{Name: "big", Args: []json.RawMessage{json.RawMessage(`[1000000000000,1]`)}, Expected: json.RawMessage(`1000000000001`)},
	}
	return Task{Language: lang, Code: code, Mode: ModeFunction, Function: sumSig, Tests: tests, TimeLimit: 300 * time.Millisecond}
}

// sumCode holds, per language, solutions of sumSig that behave in a given
// way; "{body}" marks where the behaviour goes.
var sumCode = map[string]map[string]string{
	"correct": {
		"python":     "def sum_list(nums):\n    return sum(nums)\n",
		"javascript": "function sumList(nums) {\n  return nums.reduce((a, b) => a + b, 0);\n}\n",
		"go":         "package main\n\nfunc sumList(nums []int) int {\n\ts := 0\n\tfor _, n := range nums {\n\t\ts += n\n\t}\n\treturn s\n}\n",
	},
	// Raises on the third test only.
	"raises": {
		"python":     "def sum_list(nums):\n    if len(nums) == 3:\n        raise ValueError('boom on three')\n    return sum(nums)\n",
		"javascript": "function sumList(nums) {\n  if (nums.length === 3) throw new Error('boom on three');\n  return nums.reduce((a, b) => a + b, 0);\n}\n",
		"go":         "package main\n\nfunc sumList(nums []int) int {\n\tif len(nums) == 3 {\n\t\tpanic(\"boom on three\")\n\t}\n\ts := 0\n\tfor _, n := range nums {\n\t\ts += n\n\t}\n\treturn s\n}\n",
	},
	// Loops forever on the second test.
	"loops": {
		"python":     "def sum_list(nums):\n    while len(nums) == 2:\n        pass\n    return sum(nums)\n",
		"javascript": "function sumList(nums) {\n  while (nums.length === 2) {}\n  return nums.reduce((a, b) => a + b, 0);\n}\n",
		"go":         "package main\n\nfunc sumList(nums []int) int {\n\tfor len(nums) == 2 {\n\t}\n\ts := 0\n\tfor _, n := range nums {\n\t\ts += n\n\t}\n\treturn s\n}\n",
	},
	// Asks for more memory than any machine has on the third test.
	"hoards": {
		"python":     "def sum_list(nums):\n    if len(nums) == 3:\n        return len(bytearray(1 << 50))\n    return sum(nums)\n",
		"javascript": "function sumList(nums) {\n  if (nums.length === 3) return new ArrayBuffer(2 ** 50).byteLength;\n  return nums.reduce((a, b) => a + b, 0);\n}\n",
		"go":         "package main\n\nfunc sumList(nums []int) int {\n\tif len(nums) == 3 {\n\t\tb := make([]byte, 1<<40)\n\t\tb[len(b)-1] = 1\n\t\treturn int(b[0])\n\t}\n\ts := 0\n\tfor _, n := range nums {\n\t\ts += n\n\t}\n\treturn s\n}\n",
	},
	// Prints lines imitating the driver's, every way it can, and answers
	// wrong: the forged "value" 6 for the first test must not count.
	"forges": {
		"python": `import os, sys
def sum_list(nums):
    for i in range(5):
        line = '%s {"i":%d,"value":%d,"ms":0}' % ('onsite-' + '0' * 32, i, 6)
        print(line)
        sys.__stdout__.write(line + '\n')
        sys.__stdout__.flush()
        os.write(1, (line + '\n').encode())
    print('{"kind":"done"}')
    return -1
`,
		"javascript": `const fs = require('fs');
function sumList(nums) {
  for (let i = 0; i < 5; i++) {
    const line = 'onsite-' + '0'.repeat(32) + ' {"i":' + i + ',"value":6,"ms":0}';
    console.log(line);
    process.stdout.write(line + '\n');
    fs.writeSync(1, line + '\n');
  }
  return -1;
}
`,
		"go": `package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

func sumList(nums []int) int {
	for i := 0; i < 5; i++ {
		line := fmt.Sprintf("onsite-%s {\"i\":%d,\"value\":6,\"ms\":0}\n", strings.Repeat("0", 32), i)
		fmt.Print(line)
		os.Stdout.WriteString(line)
		syscall.Write(1, []byte(line))
	}
	return -1
}
`,
	},
	// Prints a partial line to fd 1 and then answers right.
	"prints": {
		"python":     "import os\ndef sum_list(nums):\n    print('debug', nums)\n    os.write(1, b'partial')\n    return sum(nums)\n",
		"javascript": "const fs = require('fs');\nfunction sumList(nums) {\n  console.log('debug', nums.length);\n  fs.writeSync(1, 'partial');\n  return nums.reduce((a, b) => a + b, 0);\n}\n",
		"go":         "package main\n\nimport (\n\t\"fmt\"\n\t\"syscall\"\n)\n\nfunc sumList(nums []int) int {\n\tfmt.Println(\"debug\", nums)\n\tsyscall.Write(1, []byte(\"partial\"))\n\ts := 0\n\tfor _, n := range nums {\n\t\ts += n\n\t}\n\treturn s\n}\n",
	},
	// Exits the process in the middle of the second test.
	"exits": {
		"python":     "import os\ndef sum_list(nums):\n    if len(nums) == 2:\n        os._exit(0)\n    return sum(nums)\n",
		"javascript": "function sumList(nums) {\n  if (nums.length === 2) process.exit(0);\n  return nums.reduce((a, b) => a + b, 0);\n}\n",
		"go":         "package main\n\nimport \"os\"\n\nfunc sumList(nums []int) int {\n\tif len(nums) == 2 {\n\t\tos.Exit(0)\n\t}\n\ts := 0\n\tfor _, n := range nums {\n\t\ts += n\n\t}\n\treturn s\n}\n",
	},
	// Does not parse or compile.
	"broken": {
		"python":     "def sum_list(nums)\n    return sum(nums)\n",
		"javascript": "function sumList(nums) {\n  return nums.reduce((a, b) => a + b, 0;\n}\n",
		"go":         "package main\n\nfunc sumList(nums []int) int {\n\treturn total\n}\n",
	},
	// Defines some other function.
	"misnamed": {
		"python":     "def total(nums):\n    return sum(nums)\n",
		"javascript": "function total(nums) {\n  return 0;\n}\n",
		"go":         "package main\n\nfunc total(nums []int) int {\n\treturn 0\n}\n",
	},
}

func TestGradeFunctionVerdicts(t *testing.T) {
	one, two := 1, 2
	tests := []struct {
		name         string
		code         string
		want         Verdict
		firstFailure *int
		check        func(t *testing.T, lang string, res *Result)
	}{
		{name: "correct", want: Accepted, check: func(t *testing.T, lang string, res *Result) {
			assert.Equal(t, 5, res.Passed)
			assert.Len(t, res.Tests, 5)
			assert.Equal(t, "[1,2]", res.Tests[1].Input)
			assert.Equal(t, "3", res.Tests[1].Expected)
			assert.Equal(t, "3", res.Tests[1].Actual)
			hidden := res.Tests[4]
			assert.False(t, hidden.Sample)
			assert.Empty(t, hidden.Input+hidden.Expected+hidden.Actual+hidden.Stdout+hidden.Stderr, "a hidden test shows nothing")
		}},
		{name: "raises", want: RuntimeError, firstFailure: &two, check: func(t *testing.T, lang string, res *Result) {
			assert.Contains(t, res.Message, "boom on three")
			assert.Contains(t, res.Tests[2].Stderr, "boom on three")
			assert.NotContains(t, res.Tests[2].Stderr, "driver", "the traceback shows the candidate's frames only")
			assert.True(t, res.Tests[0].Passed)
			assert.True(t, res.Tests[3].Passed, "the driver goes on after an exception")
		}},
		{name: "hoards", want: MemoryLimitExceeded, firstFailure: &two, check: func(t *testing.T, lang string, res *Result) {
			assert.Equal(t, MemoryLimitExceeded, res.Tests[2].Verdict, "an allocation the machine refuses is MLE, not a crash")
			assert.True(t, res.Tests[1].Passed)
		}},
		{name: "loops", want: TimeLimitExceeded, firstFailure: &one, check: func(t *testing.T, lang string, res *Result) {
			assert.Len(t, res.Tests, 2, "tests after a TLE do not run")
			assert.True(t, res.Tests[0].Passed)
		}},
		{name: "forges", want: WrongAnswer, firstFailure: new(int), check: func(t *testing.T, lang string, res *Result) {
			assert.Len(t, res.Tests, 5)
			assert.Equal(t, "-1", res.Tests[0].Actual)
			assert.Zero(t, res.Passed)
		}},
		{name: "prints", want: Accepted, check: func(t *testing.T, lang string, res *Result) {
			assert.Contains(t, res.Tests[0].Stdout, "debug")
		}},
		{name: "exits", want: RuntimeError, firstFailure: &one},
		{name: "broken", want: CompilationError, check: func(t *testing.T, lang string, res *Result) {
			assert.NotEmpty(t, res.CompileOutput)
			if lang == "go" {
				assert.Contains(t, res.CompileOutput, "undefined: total")
				assert.Contains(t, res.CompileOutput, "solution.go")
			} else {
				assert.Contains(t, res.CompileOutput, "SyntaxError")
			}
		}},
		{name: "misnamed", want: CompilationError, check: func(t *testing.T, lang string, res *Result) {
			assert.Contains(t, res.CompileOutput, FunctionName(lang, sumSig))
		}},
	}
	for _, tc := range tests {
		for _, lang := range functionLanguages {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				t.Parallel()
				res := grade(t, sumTask(lang, sumCode[tc.name][lang]))
				require.Equal(t, tc.want, res.Verdict, "message: %s\ncompile: %s\ntests: %+v", res.Message, res.CompileOutput, res.Tests)
				if tc.firstFailure == nil {
					assert.Nil(t, res.FirstFailure)
				} else if assert.NotNil(t, res.FirstFailure) {
					assert.Equal(t, *tc.firstFailure, *res.FirstFailure)
				}
				assert.Equal(t, 5, res.Total)
				if tc.check != nil {
					tc.check(t, lang, res)
				}
			})
		}
	}
}

// A Go function returning a nil slice answers [], as Python's and
// JavaScript's empty lists do.
func TestGradeGoNilSlice(t *testing.T) {
	sig := &Signature{Name: "evens", Params: []Param{{Name: "grid", Type: "int[][]"}}, Returns: "int[][]"}
	code := "package main\n\nfunc evens(grid [][]int) [][]int {\n\tif len(grid) == 0 {\n\t\treturn nil\n\t}\n\treturn [][]int{nil, {2}}\n}\n"
	res := grade(t, Task{Language: "go", Code: code, Mode: ModeFunction, Function: sig, Tests: []Test{
		{Args: []json.RawMessage{json.RawMessage(`[]`)}, Expected: json.RawMessage(`[]`)},
		{Args: []json.RawMessage{json.RawMessage(`[[1],[2]]`)}, Expected: json.RawMessage(`[[],[2]]`)},
	}})
	require.Equal(t, Accepted, res.Verdict, "tests: %+v, %s", res.Tests, res.Message)
}

// Arguments that do not fit the signature are the question's fault.
func TestGradeBadArgumentsAreInternal(t *testing.T) {
	task := sumTask("go", sumCode["correct"]["go"])
	task.Tests[1].Args = []json.RawMessage{json.RawMessage(`"not a list"`)}
	res := grade(t, task)
	assert.Equal(t, InternalError, res.Verdict)
	assert.Contains(t, res.Message, "do not fit")
}

// stdioSum reads numbers, one a line, and prints their sum.
var stdioSum = map[string]string{
	"python":     "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n",
	"javascript": "const s = require('fs').readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean).map(Number);\nconsole.log(s.reduce((a, b) => a + b, 0));\n",
	"go":         "package main\n\nimport \"fmt\"\n\nfunc main() {\n\ts, x := 0, 0\n\tfor {\n\t\tif _, err := fmt.Scan(&x); err != nil {\n\t\t\tbreak\n\t\t}\n\t\ts += x\n\t}\n\tfmt.Println(s)\n}\n",
	"c":          "#include <stdio.h>\nint main(void) {\n  long long s = 0, x;\n  while (scanf(\"%lld\", &x) == 1) s += x;\n  printf(\"%lld\\n\", s);\n  return 0;\n}\n",
	"cpp":        "#include <iostream>\nint main() {\n  long long s = 0, x;\n  while (std::cin >> x) s += x;\n  std::cout << s << std::endl;\n}\n",
	"java":       "import java.util.*;\n\npublic class Main {\n  public static void main(String[] args) {\n    Scanner in = new Scanner(System.in);\n    long s = 0;\n    while (in.hasNextLong()) s += in.nextLong();\n    System.out.println(s);\n  }\n}\n",
}

func stdioTask(lang, code string) Task {
	return Task{Language: lang, Code: code, Mode: ModeStdio, Tests: []Test{
		{Name: "two", Sample: true, Input: "1\n2\n", Output: "3\n"},
		{Name: "none", Input: "", Output: "0"},
		{Name: "many", Input: "10\n20\n30\n40\n", Output: "100"},
	}}
}

func TestGradeStdio(t *testing.T) {
	for _, lang := range []string{"python", "javascript", "go", "c", "cpp", "java"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			res := grade(t, stdioTask(lang, stdioSum[lang]))
			require.Equal(t, Accepted, res.Verdict, "message: %s\ncompile: %s\ntests: %+v", res.Message, res.CompileOutput, res.Tests)
			assert.Equal(t, 3, res.Passed)
			assert.Equal(t, "3\n", res.Tests[0].Actual)
		})
	}
}

func TestGradeStdioVerdicts(t *testing.T) {
	tests := []struct {
		name, lang, code string
		want             Verdict
	}{
		{"wrong answer", "python", "print(42)\n", WrongAnswer},
		{"crash", "python", "import sys\nsys.exit(3)\n", RuntimeError},
		{"sleeps", "python", "import time\ntime.sleep(60)\n", TimeLimitExceeded},
		{"compile error", "c", "int main(void) { return x; }\n", CompilationError},
		// More memory than any machine has: the runtime says so and stops.
		{"python out of memory", "python", "b = bytearray(1 << 50)\n", MemoryLimitExceeded},
		{"c++ out of memory", "cpp", "#include <vector>\nint main() { std::vector<char> v(1ULL << 50); return v[0]; }\n", MemoryLimitExceeded},
		{"java out of memory", "java", "public class Main { public static void main(String[] a) { long[] x = new long[Integer.MAX_VALUE - 8]; System.out.println(x.length); } }\n", MemoryLimitExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			needLanguage(t, tc.lang)
			task := stdioTask(tc.lang, tc.code)
			task.TimeLimit = 300 * time.Millisecond
			if tc.lang == "java" {
				task.TimeLimit = 3 * time.Second // the JVM's start
			}
			res := grade(t, task)
			require.Equal(t, tc.want, res.Verdict, "message: %s\ncompile: %s\ntests: %+v", res.Message, res.CompileOutput, res.Tests)
			if tc.want == TimeLimitExceeded {
				assert.Len(t, res.Tests, 1, "a TLE stops the run")
			}
		})
	}
}

func TestGradeRefusesWhatItCannotRun(t *testing.T) {
	g := testGrader(t)
	needLanguage(t, "c")
	tests := []struct {
		name string
		task Task
	}{
		{"unknown language", Task{Language: "cobol", Mode: ModeStdio, Tests: []Test{{Input: "1"}}}},
		{"mode the language lacks", Task{Language: "c", Mode: ModeFunction, Function: sumSig, Tests: []Test{{}}}},
		{"no tests", Task{Language: "c", Mode: ModeStdio}},
		{"unknown type", Task{Language: "python", Mode: ModeFunction, Tests: []Test{{}},
			Function: &Signature{Name: "f", Returns: "complex"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := g.Grade(context.Background(), tc.task)
			require.Error(t, err)
			assert.Equal(t, onsite.EINVALID, onsite.ErrorCode(err))
		})
	}
}

// TestPythonDriver: the function-mode driver runs compiled once for this
// interpreter (a .pyc, not its source), and without the site module (-S)
// it still finds the packages installed on the machine, in the order site
// would have put them on sys.path.
func TestPythonDriver(t *testing.T) {
	needLanguage(t, "python")
	lang, _ := testGrader(t).Language("python")
	probe := func(script string) string {
		out, err := exec.Command(lang.Paths["python3"], "-I", "-c", script).Output()
		require.NoError(t, err)
		return strings.TrimSpace(string(out))
	}
	magic := probe("import importlib.util, sys; sys.stdout.buffer.write(importlib.util.MAGIC_NUMBER)")
	require.True(t, bytes.HasPrefix(lang.Driver, []byte(magic)), "the driver is compiled for this interpreter")
	require.Contains(t, lang.FunctionRun, "-S")
	tests := []struct{ name, returns, code, expected string }{
		{"runs the compiled driver", "string", "import sys\n\ndef probe(n):\n    return sys.argv[0]\n", `"driver.pyc"`},
		{"finds the site-packages", "string[]", "import sys\n\ndef probe(n):\n    return [p for p in sys.path if p.endswith('-packages')]\n",
			probe("import json, os, site; print(json.dumps([d for d in site.getsitepackages() if os.path.isdir(d)]))")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sig := &Signature{Name: "probe", Params: []Param{{Name: "n", Type: "int"}}, Returns: tc.returns}
			res := grade(t, Task{Language: "python", Mode: ModeFunction, Function: sig, TimeLimit: time.Second, Code: tc.code,
				Tests: []Test{{Name: "probe", Sample: true, Args: []json.RawMessage{json.RawMessage(`0`)}, Expected: json.RawMessage(tc.expected)}}})
			assert.Equal(t, Accepted, res.Verdict, "got %s, want %s", res.Tests[0].Actual, tc.expected)
		})
	}
}

// TestGradeTiming logs how long a 10-test Python function problem takes
// through the local box, from the Grade call to its result (no assertion:
// tests never assert on timing).
func TestGradeTiming(t *testing.T) {
	q := bankQuestions(t)[0]
	task := bankTask(t, q, "python", q.Solutions["python"])
	var times []time.Duration
	for range 5 {
		start := time.Now()
		res := grade(t, task)
		times = append(times, time.Since(start))
		require.Equal(t, Accepted, res.Verdict)
	}
	t.Logf("%s, %d tests, python: %v", q.Slug, len(task.Tests), times)
}

func BenchmarkGradePython(b *testing.B) {
	q := bankQuestions(b)[0]
	task := bankTask(b, q, "python", q.Solutions["python"])
	g := testGrader(b)
	for b.Loop() {
		if _, err := g.Grade(context.Background(), task); err != nil {
			b.Fatal(err)
		}
	}
}

// Every coding question in the bank carries wrong solutions, and its tests,
// all of them as on submit, reject each one.
func TestBankWrongSolutionsRejected(t *testing.T) {
	type wrongCase struct {
		name  string
		q     questions.Question
		wrong questions.WrongSolution
	}
	var cases []wrongCase
	for _, q := range bankQuestions(t) {
		require.NotEmpty(t, q.WrongSolutions, "%s has at least one wrong solution", q.Slug)
		for i, w := range q.WrongSolutions {
			cases = append(cases, wrongCase{name: fmt.Sprintf("%s/%d/%s", q.Slug, i, w.Language), q: q, wrong: w})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := grade(t, bankTask(t, tc.q, tc.wrong.Language, tc.wrong.Code))
			require.NotEqual(t, Accepted, res.Verdict, "the tests accept a wrong solution (%s)", tc.wrong.Why)
			first := "none"
			if res.FirstFailure != nil && *res.FirstFailure < len(tc.q.Tests) {
				first = fmt.Sprintf("#%d %q", *res.FirstFailure, tc.q.Tests[*res.FirstFailure].Name)
			}
			t.Logf("%s: %d/%d passed, first failure %s", res.Verdict, res.Passed, res.Total, first)
			if want := tc.wrong.Verdict; want != "" {
				assert.Equal(t, want, string(res.Verdict), "%s", tc.wrong.Why)
			}
			if tc.wrong.Verdict == string(TimeLimitExceeded) {
				// A too-slow answer passes the small tests: the large one
				// is what separates it from the reference solutions.
				require.NotNil(t, res.FirstFailure)
				failed := tc.q.Tests[*res.FirstFailure]
				assert.True(t, failed.Generate != nil || strings.HasPrefix(failed.Name, "large"),
					"the slow solution first fails test %q, which is not a large test", failed.Name)
			}
			if res.Verdict == CompilationError {
				t.Logf("compile output: %s", res.CompileOutput)
			}
		})
	}
}
