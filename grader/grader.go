package grader

import (
	"context"
	"encoding/json"
	"time"
)

// Verdict is a judge's outcome for one test or a whole submission.
type Verdict string

// The verdicts, as the API spells them.
const (
	Accepted            Verdict = "accepted"
	WrongAnswer         Verdict = "wrong_answer"
	TimeLimitExceeded   Verdict = "time_limit_exceeded"
	MemoryLimitExceeded Verdict = "memory_limit_exceeded"
	RuntimeError        Verdict = "runtime_error"
	CompilationError    Verdict = "compilation_error"
	OutputLimitExceeded Verdict = "output_limit_exceeded"
	// InternalError is the grader's own failure, never the candidate's.
	InternalError Verdict = "internal_error"
)

// Mode is how the grader talks to a program.
type Mode string

// The two modes: call a typed function (LeetCode style), or feed stdin and
// read stdout (Kattis/ICPC style).
const (
	ModeFunction Mode = "function"
	ModeStdio    Mode = "stdio"
)

// Signature is the typed function a function-mode task calls. Types are
// those of questions.Types: int, float, string, bool, their [] lists, and
// int[][] and float[][].
type Signature struct {
	Name    string  `json:"name"`
	Params  []Param `json:"params"`
	Returns string  `json:"returns"`
}

// Param is one typed parameter.
type Param struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Comparator says how an actual answer is compared with the expected one.
type Comparator struct {
	// Type is "exact" (JSON values equal), "unordered" (a list, or list of
	// lists, in any order), "float" (numbers within Tolerance, also inside
	// lists) or "tokens" (text compared token by token, the ICPC default
	// validator's rules). Empty means exact in function mode and tokens in
	// stdio mode.
	Type string `json:"type"`
	// Tolerance is absolute and relative: |a-e| <= tol or |a-e| <= tol*|e|.
	Tolerance float64 `json:"tolerance,omitempty"`
	// CaseSensitive and SpaceSensitive apply to tokens.
	CaseSensitive  bool `json:"case_sensitive,omitempty"`
	SpaceSensitive bool `json:"space_sensitive,omitempty"`
}

// Test is one case: Args and Expected (JSON values) in function mode, Input
// and Output (text) in stdio mode.
type Test struct {
	Name   string `json:"name,omitempty"`
	Sample bool   `json:"sample,omitempty"`
	// Custom marks the candidate's own input, which has no expected answer:
	// its output is shown, not judged.
	Custom   bool              `json:"custom,omitempty"`
	Args     []json.RawMessage `json:"args,omitempty"`
	Expected json.RawMessage   `json:"expected,omitempty"`
	Input    string            `json:"input,omitempty"`
	Output   string            `json:"output,omitempty"`
}

// Task is one submission to grade.
type Task struct {
	Language   string
	Code       string
	Mode       Mode
	Function   *Signature
	Tests      []Test
	Comparator Comparator
	// TimeLimit bounds each test's run time; MemoryBytes the whole process.
	TimeLimit   time.Duration
	MemoryBytes int64
}

// TestResult is the outcome of one test. Input, Expected, Actual, Stdout
// and Stderr are only filled for sample tests (and capped): hidden tests
// show pass or fail only.
type TestResult struct {
	Index    int     `json:"index"`
	Name     string  `json:"name,omitempty"`
	Sample   bool    `json:"sample"`
	Custom   bool    `json:"custom,omitempty"`
	Passed   bool    `json:"passed"`
	Verdict  Verdict `json:"verdict"`
	TimeMS   float64 `json:"time_ms"`
	Input    string  `json:"input,omitempty"`
	Expected string  `json:"expected,omitempty"`
	Actual   string  `json:"actual,omitempty"`
	Stdout   string  `json:"stdout,omitempty"`
	Stderr   string  `json:"stderr,omitempty"`
}

// Result is the outcome of a whole task.
type Result struct {
	Verdict Verdict      `json:"verdict"`
	Tests   []TestResult `json:"tests"`
	// FirstFailure is the index of the first failing test, as LeetCode
	// reports it; nil when every test passed.
	FirstFailure *int    `json:"first_failure,omitempty"`
	Passed       int     `json:"passed"`
	Total        int     `json:"total"`
	TimeMS       float64 `json:"time_ms"`
	MemoryBytes  int64   `json:"memory_bytes,omitempty"`
	// CompileOutput holds the compiler's message for a compilation error.
	CompileOutput string `json:"compile_output,omitempty"`
	// Message explains an internal error or a verdict of the whole run.
	Message string `json:"message,omitempty"`
}

// Cmd is one program to run inside a Box.
type Cmd struct {
	// Argv[0] is an absolute path to a binary visible inside the box, or
	// ./name for a program built in the work directory.
	Argv  []string
	Env   []string
	Stdin []byte
	// CPUTime and WallTime bound the run; MemoryBytes and MaxProcs bound
	// the whole process tree; MaxOutput caps stdout and stderr each, and
	// FileSize caps any file written.
	CPUTime     time.Duration
	WallTime    time.Duration
	MemoryBytes int64
	MaxProcs    int
	MaxOutput   int64
	FileSize    int64
}

// Outcome is how a Cmd ended.
type Outcome struct {
	ExitCode int
	// Signal is the signal that ended the program, 0 if it exited.
	Signal          int
	Stdout, Stderr  []byte
	OutputTruncated bool
	TimedOut        bool // the CPU or wall-clock limit was hit
	MemoryExceeded  bool // the memory limit was hit
	WallTime        time.Duration
	CPUTime         time.Duration
	PeakMemory      int64
}

// Box is a fresh, private work directory and the isolation around the
// programs run in it. Files are written before anything runs; the grader
// never reads back from the directory, since code that ran there could have
// replaced what it holds.
type Box interface {
	// WriteFile creates a new file in the work directory, refusing to follow
	// or replace anything already there.
	WriteFile(name string, data []byte, executable bool) error
	// Run runs cmd with the work directory as its current directory.
	Run(ctx context.Context, cmd Cmd) (*Outcome, error)
	// Close kills anything left and removes the directory.
	Close() error
}

// Sandbox makes Boxes.
type Sandbox interface {
	NewBox(ctx context.Context) (Box, error)
}
