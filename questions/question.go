package questions

import (
	"time"
)

// Kind is the kind of interview a question belongs to.
type Kind string

// The four kinds of question.
const (
	KindCoding       Kind = "coding"
	KindConcept      Kind = "concept"
	KindBehavioral   Kind = "behavioral"
	KindSystemDesign Kind = "system_design"
)

// Kinds lists every kind in the order pages show them.
var Kinds = []Kind{KindCoding, KindConcept, KindBehavioral, KindSystemDesign}

// Valid reports whether k is one of the four kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Label is the kind as a person would write it.
func (k Kind) Label() string {
	switch k {
	case KindCoding:
		return "Coding"
	case KindConcept:
		return "ML concept"
	case KindBehavioral:
		return "Behavioral"
	case KindSystemDesign:
		return "System design"
	}
	return string(k)
}

// Difficulty is how hard a question is for a well-prepared candidate.
type Difficulty string

// The three difficulties.
const (
	Easy   Difficulty = "easy"
	Medium Difficulty = "medium"
	Hard   Difficulty = "hard"
)

// Difficulties lists the difficulties from easiest.
var Difficulties = []Difficulty{Easy, Medium, Hard}

// Valid reports whether d is one of the three difficulties.
func (d Difficulty) Valid() bool {
	return d == Easy || d == Medium || d == Hard
}

// Question is anything asked. The common fields come first; the kind-specific
// ones live in the embedded structs, so that a question reads flat in YAML and
// JSON while the store keeps each kind's part as one JSON column.
type Question struct {
	ID      int64  `json:"id" yaml:"-"`
	Set     string `json:"set" yaml:"-"`
	OwnerID int64  `json:"-" yaml:"-"`

	Slug             string     `json:"slug" yaml:"slug"`
	Kind             Kind       `json:"kind" yaml:"kind"`
	Title            string     `json:"title" yaml:"title"`
	Prompt           string     `json:"prompt" yaml:"prompt"`
	Difficulty       Difficulty `json:"difficulty" yaml:"difficulty"`
	Topics           []string   `json:"topics" yaml:"topics,omitempty"`
	EstimatedMinutes int        `json:"estimated_minutes" yaml:"estimated_minutes,omitempty"`
	Hints            []string   `json:"hints,omitempty" yaml:"hints,omitempty"`
	Source           string     `json:"source,omitempty" yaml:"source,omitempty"`
	License          string     `json:"license,omitempty" yaml:"license,omitempty"`

	Debrief      `yaml:",inline"`
	Concept      `yaml:",inline"`
	Behavioral   `yaml:",inline"`
	SystemDesign `yaml:",inline"`
	Coding       `yaml:",inline"`

	ContentHash string    `json:"content_hash,omitempty" yaml:"-"`
	Retired     bool      `json:"retired,omitempty" yaml:"-"`
	CreatedAt   time.Time `json:"created_at" yaml:"-"`
	UpdatedAt   time.Time `json:"updated_at" yaml:"-"`
}

// Debrief is what the candidate reads after answering, whatever the kind: the
// editorial of a coding problem, common mistakes, the follow-up questions an
// interviewer would ask next, and the rubric the answer is checked against
// (the STAR checklist of a behavioral question, the design rubric of a system
// design prompt).
type Debrief struct {
	Editorial      string   `json:"editorial,omitempty" yaml:"editorial,omitempty"`
	CommonMistakes []string `json:"common_mistakes,omitempty" yaml:"common_mistakes,omitempty"`
	FollowUps      []string `json:"follow_ups,omitempty" yaml:"follow_ups,omitempty"`
	Rubric         []string `json:"rubric,omitempty" yaml:"rubric,omitempty"`
}

// Concept is what an ML concept question adds: the model answer and the key
// points a good answer covers.
type Concept struct {
	Answer    string   `json:"answer,omitempty" yaml:"answer,omitempty"`
	KeyPoints []string `json:"key_points,omitempty" yaml:"key_points,omitempty"`
}

// Behavioral is what a behavioral question adds: the competency it probes,
// what a strong answer shows, red flags, and follow-ups an interviewer asks.
type Behavioral struct {
	Competency   string   `json:"competency,omitempty" yaml:"competency,omitempty"`
	StrongAnswer []string `json:"strong_answer,omitempty" yaml:"strong_answer,omitempty"`
	RedFlags     []string `json:"red_flags,omitempty" yaml:"red_flags,omitempty"`
}

// SystemDesign is what an ML system design prompt adds.
type SystemDesign struct {
	ClarifyingQuestions []string `json:"clarifying_questions,omitempty" yaml:"clarifying_questions,omitempty"`
	Requirements        []string `json:"requirements,omitempty" yaml:"requirements,omitempty"`
	Outline             string   `json:"outline,omitempty" yaml:"outline,omitempty"`
}

// Coding is what a coding question adds. Exactly one of Function (function
// mode: the grader calls a typed function) or stdio mode (the program reads
// stdin and writes stdout) applies.
type Coding struct {
	Mode       Mode              `json:"mode,omitempty" yaml:"mode,omitempty"`
	Function   *Signature        `json:"function,omitempty" yaml:"function,omitempty"`
	Starter    map[string]string `json:"starter_code,omitempty" yaml:"starter_code,omitempty"`
	Tests      []Test            `json:"tests,omitempty" yaml:"tests,omitempty"`
	Comparator *Comparator       `json:"comparator,omitempty" yaml:"comparator,omitempty"`
	Limits     *Limits           `json:"limits,omitempty" yaml:"limits,omitempty"`
	Solutions  map[string]string `json:"solutions,omitempty" yaml:"solutions,omitempty"`
	// WrongSolutions are plausible answers that must not be accepted (a
	// missed edge case, a too-slow algorithm): the tests are proven to
	// catch them.
	WrongSolutions []WrongSolution `json:"wrong_solutions,omitempty" yaml:"wrong_solutions,omitempty"`
	// Ungradable says why submissions cannot be judged (an imported
	// problem whose custom output validator onsite cannot run): the
	// question can be read and practised, but not submitted.
	Ungradable string `json:"ungradable,omitempty" yaml:"ungradable,omitempty"`
}

// WrongSolution is an answer the tests must reject, why it is wrong, and
// optionally the verdict it must get (a too-slow answer:
// time_limit_exceeded).
type WrongSolution struct {
	Language string `json:"language" yaml:"language"`
	Code     string `json:"code" yaml:"code"`
	Why      string `json:"why" yaml:"why"`
	Verdict  string `json:"verdict,omitempty" yaml:"verdict,omitempty"`
}

// WrongVerdicts are the verdicts a wrong solution may be expected to get.
var WrongVerdicts = []string{"wrong_answer", "time_limit_exceeded", "memory_limit_exceeded",
	"runtime_error", "compilation_error", "output_limit_exceeded"}

// Mode is how the grader talks to a coding submission.
type Mode string

// The two coding modes.
const (
	ModeFunction Mode = "function"
	ModeStdio    Mode = "stdio"
)

// Signature is the typed function a function-mode question asks for.
type Signature struct {
	Name    string  `json:"name" yaml:"name"`
	Params  []Param `json:"params" yaml:"params"`
	Returns string  `json:"returns" yaml:"returns"`
}

// Param is one typed parameter of a Signature.
type Param struct {
	Name string `json:"name" yaml:"name"`
	Type string `json:"type" yaml:"type"`
}

// Types lists the parameter and return types a Signature may use; every
// grader driver knows how to pass and compare each of them.
var Types = []string{"int", "float", "string", "bool", "int[]", "float[]", "string[]", "bool[]", "int[][]", "float[][]"}

// Test is one case. In function mode Args and Expected are values of the
// signature's types (or Generate draws the args); in stdio mode Input and
// Output are text. Sample tests
// are shown to the candidate and used by Run; the rest are hidden.
type Test struct {
	Name     string     `json:"name,omitempty" yaml:"name,omitempty"`
	Sample   bool       `json:"sample,omitempty" yaml:"sample,omitempty"`
	Args     []any      `json:"args,omitempty" yaml:"args,omitempty"`
	Generate *Generator `json:"generate,omitempty" yaml:"generate,omitempty"`
	Expected any        `json:"expected,omitempty" yaml:"expected,omitempty"`
	Input    string     `json:"input,omitempty" yaml:"input,omitempty"`
	Output   string     `json:"output,omitempty" yaml:"output,omitempty"`
}

// Comparator says how an answer is compared with the expected one.
type Comparator struct {
	// Type is "exact" (the default), "unordered" (a list in any order) or
	// "float" (numbers within Tolerance, absolute or relative). In stdio
	// mode output is compared token by token by the ICPC default output
	// validator's rules, "float" comparing numeric tokens within Tolerance.
	Type      string  `json:"type" yaml:"type"`
	Tolerance float64 `json:"tolerance,omitempty" yaml:"tolerance,omitempty"`
	// CaseSensitive and SpaceSensitive (stdio mode) are the ICPC validator's
	// case_sensitive and space_change_sensitive flags: tokens must match in
	// case, and the whitespace between them must match too.
	CaseSensitive  bool `json:"case_sensitive,omitempty" yaml:"case_sensitive,omitempty"`
	SpaceSensitive bool `json:"space_sensitive,omitempty" yaml:"space_sensitive,omitempty"`
}

// Comparator types.
const (
	CompareExact     = "exact"
	CompareUnordered = "unordered"
	CompareFloat     = "float"
)

// Limits bound one run of a submission against one test.
type Limits struct {
	TimeMS   int `json:"time_ms,omitempty" yaml:"time_ms,omitempty"`
	MemoryMB int `json:"memory_mb,omitempty" yaml:"memory_mb,omitempty"`
}

// Default limits for a coding question that names none.
const (
	DefaultTimeMS   = 2000
	DefaultMemoryMB = 256
)

// Languages lists the languages starter code and solutions may be written in.
var Languages = []string{"python", "javascript", "go", "java", "cpp", "c", "rust", "typescript"}

// SampleTests returns the tests a candidate may see.
func (q *Question) SampleTests() []Test {
	var out []Test
	for _, t := range q.Tests {
		if t.Sample {
			out = append(out, t)
		}
	}
	return out
}

// PublicView returns a copy of q without what a candidate must not see before
// answering a coding question: hidden tests and reference and wrong
// solutions.
func (q *Question) PublicView() *Question {
	c := *q
	if c.Kind == KindCoding {
		c.Tests = q.SampleTests()
		c.Solutions = nil
		c.WrongSolutions = nil
	}
	return &c
}

// Set is a collection of questions imported together: the built-in bank's
// areas, a course's problem set, a company's past questions.
type Set struct {
	ID          int64  `json:"id" yaml:"-"`
	Slug        string `json:"slug" yaml:"slug"`
	Title       string `json:"title" yaml:"title"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	Version     int    `json:"version" yaml:"version"`
	// License and Source apply to every question that names none.
	License   string     `json:"license,omitempty" yaml:"license,omitempty"`
	Source    string     `json:"source,omitempty" yaml:"source,omitempty"`
	Questions []Question `json:"questions,omitempty" yaml:"questions"`

	// OwnerID is 0 for a public set (the built-in bank, CLI imports) and the
	// owner's user ID for a private one.
	OwnerID       int64     `json:"-" yaml:"-"`
	Format        string    `json:"format,omitempty" yaml:"-"`
	QuestionCount int       `json:"question_count" yaml:"-"`
	CreatedAt     time.Time `json:"created_at" yaml:"-"`
	UpdatedAt     time.Time `json:"updated_at" yaml:"-"`

	// origin names the file or folder an import read the set from.
	origin string
}
