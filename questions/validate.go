package questions

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/onsite-dev/onsite"
)

// Problem is one thing wrong with a question set, with where it is. Path is
// the field's place in the set, such as questions[3].tests[1].args; File and
// Line are filled in by the format that read the set.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"field"`
	Message string `json:"message"`
}

// String formats the problem as file:line: field: problem.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(":")
	}
	if p.Line > 0 {
		b.WriteString(strconv.Itoa(p.Line))
		b.WriteString(":")
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in one or more sets. It unwraps to
// an EINVALID onsite.Error, so callers that only know codes handle it too.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the problems as an EINVALID error.
func (e *ValidationError) Unwrap() error {
	n := len(e.Problems)
	noun := "problems"
	if n == 1 {
		noun = "problem"
	}
	return onsite.Errorf(onsite.EINVALID, "The question set has %d %s; nothing was imported:\n%s", n, noun, e.Error())
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// MaxSlugLength bounds set and question slugs, which appear in URLs.
const MaxSlugLength = 80

func checkSlug(slug string) string {
	switch {
	case slug == "":
		return "is required: a short lowercase name such as two-sum, used in URLs and kept stable across versions"
	case len(slug) > MaxSlugLength:
		return fmt.Sprintf("is %d characters long; use at most %d", len(slug), MaxSlugLength)
	case !slugPattern.MatchString(slug):
		return fmt.Sprintf("%q is not a slug: use lowercase letters, digits and single hyphens, such as two-sum", slug)
	}
	return ""
}

// validator collects problems under a path prefix.
type validator struct {
	problems []Problem
}

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks the whole set and returns every problem at once, in the
// order they appear. It also fills defaults (comparator, limits, mode), so a
// valid set is ready to store.
func (s *Set) Validate() []Problem {
	v := &validator{}
	if msg := checkSlug(s.Slug); msg != "" {
		v.add("slug", "%s", msg)
	}
	if strings.TrimSpace(s.Title) == "" {
		v.add("title", "is required: the name people see for this set")
	}
	if s.Version < 0 {
		v.add("version", "is %d; use 0 or more, and raise it when the questions change", s.Version)
	}
	if len(s.Questions) == 0 {
		v.add("questions", "the set has no questions; add at least one under questions:")
	}
	seen := map[string]int{}
	for i := range s.Questions {
		q := &s.Questions[i]
		q.normalize()
		path := fmt.Sprintf("questions[%d]", i)
		if q.Slug != "" {
			if j, ok := seen[q.Slug]; ok {
				v.add(path+".slug", "%q is already used by questions[%d]; every question in a set needs its own slug", q.Slug, j)
			} else {
				seen[q.Slug] = i
			}
		}
		v.question(path, q)
	}
	return v.problems
}

// MaxPromptBytes bounds each Markdown text of a question.
const MaxPromptBytes = 64 << 10

func (v *validator) question(path string, q *Question) {
	if msg := checkSlug(q.Slug); msg != "" {
		v.add(path+".slug", "%s", msg)
	}
	if !q.Kind.Valid() {
		if q.Kind == "" {
			v.add(path+".kind", "is required: use coding, concept, behavioral or system_design")
		} else {
			v.add(path+".kind", "%q is not a kind; use coding, concept, behavioral or system_design", q.Kind)
		}
	}
	if strings.TrimSpace(q.Title) == "" {
		v.add(path+".title", "is required")
	} else if len(q.Title) > 200 {
		v.add(path+".title", "is %d characters long; use at most 200", len(q.Title))
	}
	if strings.TrimSpace(q.Prompt) == "" {
		v.add(path+".prompt", "is required: the question as the candidate reads it (Markdown)")
	}
	if !q.Difficulty.Valid() {
		if q.Difficulty == "" {
			v.add(path+".difficulty", "is required: use easy, medium or hard")
		} else {
			v.add(path+".difficulty", "%q is not a difficulty; use easy, medium or hard", q.Difficulty)
		}
	}
	for i, t := range q.Topics {
		if msg := checkSlug(t); msg != "" {
			v.add(fmt.Sprintf("%s.topics[%d]", path, i), "topic %s", msg)
		}
	}
	if q.EstimatedMinutes < 0 || q.EstimatedMinutes > 600 {
		v.add(path+".estimated_minutes", "is %d; use a number of minutes from 1 to 600", q.EstimatedMinutes)
	}
	for _, f := range []struct{ name, text string }{{"prompt", q.Prompt}, {"answer", q.Answer}, {"outline", q.Outline}, {"editorial", q.Editorial}} {
		if len(f.text) > MaxPromptBytes {
			v.add(path+"."+f.name, "is %d bytes; keep it under %d", len(f.text), MaxPromptBytes)
		}
	}
	v.misplaced(path, q)
	switch q.Kind {
	case KindConcept:
		if strings.TrimSpace(q.Answer) == "" {
			v.add(path+".answer", "is required for a concept question: the model answer shown after the candidate answers")
		}
	case KindBehavioral:
		if strings.TrimSpace(q.Competency) == "" {
			v.add(path+".competency", "is required for a behavioral question, such as ownership or conflict")
		}
		if len(q.StrongAnswer) == 0 {
			v.add(path+".strong_answer", "is required for a behavioral question: list what a strong answer shows")
		}
	case KindSystemDesign:
		if len(q.Rubric) == 0 {
			v.add(path+".rubric", "is required for a system design question: the checklist a strong design covers")
		}
	case KindCoding:
		v.coding(path, q)
	}
}

// misplaced reports kind-specific fields given to a question of another kind,
// which are almost always a wrong kind or a pasted block.
func (v *validator) misplaced(path string, q *Question) {
	if !q.Kind.Valid() {
		return
	}
	fields := []struct {
		kind Kind
		name string
		set  bool
	}{
		{KindConcept, "answer", q.Answer != ""},
		{KindConcept, "key_points", len(q.KeyPoints) > 0},
		{KindBehavioral, "competency", q.Competency != ""},
		{KindBehavioral, "strong_answer", len(q.StrongAnswer) > 0},
		{KindBehavioral, "red_flags", len(q.RedFlags) > 0},
		{KindSystemDesign, "clarifying_questions", len(q.ClarifyingQuestions) > 0},
		{KindSystemDesign, "requirements", len(q.Requirements) > 0},
		{KindSystemDesign, "outline", q.Outline != ""},
		{KindCoding, "mode", q.Mode != ""},
		{KindCoding, "function", q.Function != nil},
		{KindCoding, "starter_code", len(q.Starter) > 0},
		{KindCoding, "tests", len(q.Tests) > 0},
		{KindCoding, "comparator", q.Comparator != nil},
		{KindCoding, "limits", q.Limits != nil},
		{KindCoding, "solutions", len(q.Solutions) > 0},
		{KindCoding, "wrong_solutions", len(q.WrongSolutions) > 0},
		{KindCoding, "ungradable", q.Ungradable != ""},
	}
	for _, f := range fields {
		if f.set && f.kind != q.Kind {
			v.add(path+"."+f.name, "belongs to %s questions, but this question is %s; remove it or change kind", f.kind, q.Kind)
		}
	}
}

func (v *validator) coding(path string, q *Question) {
	switch q.Mode {
	case "":
		if q.Function != nil {
			q.Mode = ModeFunction
		} else {
			q.Mode = ModeStdio
		}
	case ModeFunction, ModeStdio:
	default:
		v.add(path+".mode", "%q is not a mode; use function or stdio", q.Mode)
		return
	}
	if q.Mode == ModeFunction {
		if q.Function == nil {
			v.add(path+".function", "is required in function mode: name, params with types, returns")
			return
		}
		v.signature(path+".function", q.Function)
	} else if q.Function != nil {
		v.add(path+".function", "is set but mode is stdio; remove it or use mode: function")
	}
	v.languages(path+".starter_code", q.Starter)
	v.languages(path+".solutions", q.Solutions)
	for i, w := range q.WrongSolutions {
		wp := fmt.Sprintf("%s.wrong_solutions[%d]", path, i)
		if !slices.Contains(Languages, w.Language) {
			v.add(wp+".language", "%q is not a language onsite knows; use one of %s", w.Language, strings.Join(Languages, ", "))
		}
		if strings.TrimSpace(w.Code) == "" {
			v.add(wp+".code", "is required: the wrong answer the tests must reject")
		}
		if w.Verdict != "" && !slices.Contains(WrongVerdicts, w.Verdict) {
			v.add(wp+".verdict", "%q is not a verdict a wrong solution can get; use one of %s", w.Verdict, strings.Join(WrongVerdicts, ", "))
		}
		if strings.TrimSpace(w.Why) == "" {
			v.add(wp+".why", "is required: say what is wrong with it (a missed edge case, too slow)")
		}
	}
	if len(q.Tests) == 0 {
		v.add(path+".tests", "a coding question needs tests; add at least one sample and one hidden test")
	}
	samples := 0
	for i, t := range q.Tests {
		tp := fmt.Sprintf("%s.tests[%d]", path, i)
		if t.Sample {
			samples++
		}
		if q.Mode == ModeStdio {
			if t.Args != nil || t.Expected != nil || t.Generate != nil {
				v.add(tp, "has args/expected but the question is in stdio mode; use input and output")
			}
			continue
		}
		if t.Input != "" || t.Output != "" {
			v.add(tp, "has input/output but the question is in function mode; use args and expected")
			continue
		}
		if q.Function == nil || !v.signatureOK(q.Function) {
			continue
		}
		if g := t.Generate; g != nil {
			v.generator(tp, t, q.Function)
		} else if len(t.Args) != len(q.Function.Params) {
			v.add(tp+".args", "has %s but %s takes %s", count(len(t.Args), "value"), q.Function.Name, count(len(q.Function.Params), "parameter"))
		} else {
			for j, a := range t.Args {
				p := q.Function.Params[j]
				if at, bad, want := typeMismatch(a, p.Type); want != "" {
					v.add(fmt.Sprintf("%s.args[%d]%s", tp, j, at), "%s is not of type %s (parameter %s is %s)", showValue(bad), want, p.Name, p.Type)
				}
			}
		}
		if t.Expected == nil {
			v.add(tp+".expected", "is required: the value %s returns for these args", q.Function.Name)
		} else if at, bad, want := typeMismatch(t.Expected, q.Function.Returns); want != "" {
			v.add(tp+".expected"+at, "%s is not of type %s (the return type is %s)", showValue(bad), want, q.Function.Returns)
		}
	}
	if len(q.Tests) > 0 && samples == 0 {
		v.add(path+".tests", "no test is marked sample: true; mark at least one so the candidate sees an example")
	}
	if c := q.Comparator; c == nil {
		q.Comparator = &Comparator{Type: CompareExact}
	} else {
		switch c.Type {
		case "":
			c.Type = CompareExact
		case CompareExact, CompareUnordered:
		case CompareFloat:
			if c.Tolerance == 0 {
				c.Tolerance = 1e-6
			}
		default:
			v.add(path+".comparator.type", "%q is not a comparator; use exact, unordered or float", c.Type)
		}
		if c.Tolerance < 0 || c.Tolerance >= 1 {
			v.add(path+".comparator.tolerance", "is %g; use a small positive number such as 1e-6", c.Tolerance)
		}
		if q.Mode != ModeStdio && (c.CaseSensitive || c.SpaceSensitive) {
			v.add(path+".comparator", "case_sensitive and space_sensitive apply to stdio output; remove them in function mode")
		}
	}
	if l := q.Limits; l == nil {
		q.Limits = &Limits{TimeMS: DefaultTimeMS, MemoryMB: DefaultMemoryMB}
	} else {
		if l.TimeMS == 0 {
			l.TimeMS = DefaultTimeMS
		} else if l.TimeMS < 100 || l.TimeMS > 60000 {
			v.add(path+".limits.time_ms", "is %d; use 100 to 60000 milliseconds", l.TimeMS)
		}
		if l.MemoryMB == 0 {
			l.MemoryMB = DefaultMemoryMB
		} else if l.MemoryMB < 16 || l.MemoryMB > 4096 {
			v.add(path+".limits.memory_mb", "is %d; use 16 to 4096 MB", l.MemoryMB)
		}
	}
}

// generator checks a test whose args are generated.
func (v *validator) generator(tp string, t Test, sig *Signature) {
	g := t.Generate
	if t.Args != nil {
		v.add(tp+".generate", "is set together with args; use one or the other")
	}
	if t.Sample {
		v.add(tp+".generate", "a sample test is shown to the candidate; write its args out instead")
	}
	if g.Seed < 0 {
		v.add(tp+".generate.seed", "is %d; use a non-negative integer", g.Seed)
	}
	if len(g.Args) != len(sig.Params) {
		v.add(tp+".generate.args", "has %s but %s takes %s", count(len(g.Args), "value"), sig.Name, count(len(sig.Params), "parameter"))
		return
	}
	total := 0
	for j, a := range g.Args {
		if msg := a.check(sig.Params[j].Type); msg != "" {
			v.add(fmt.Sprintf("%s.generate.args[%d]", tp, j), "%s (parameter %s is %s)", msg, sig.Params[j].Name, sig.Params[j].Type)
		}
		total += a.size(sig.Params[j].Type)
	}
	if total > MaxGeneratedValues {
		v.add(tp+".generate", "draws %d values; keep a test under %d", total, MaxGeneratedValues)
	}
}

var identPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (v *validator) signature(path string, s *Signature) {
	if !identPattern.MatchString(s.Name) {
		v.add(path+".name", "%q is not a function name; use letters, digits and underscores, such as two_sum", s.Name)
	}
	names := map[string]bool{}
	for i, p := range s.Params {
		pp := fmt.Sprintf("%s.params[%d]", path, i)
		if !identPattern.MatchString(p.Name) {
			v.add(pp+".name", "%q is not a parameter name; use letters, digits and underscores", p.Name)
		} else if names[p.Name] {
			v.add(pp+".name", "%q is used twice", p.Name)
		}
		names[p.Name] = true
		v.typeName(pp+".type", p.Type)
	}
	v.typeName(path+".returns", s.Returns)
}

func (v *validator) typeName(path, typ string) {
	if typ == "" {
		v.add(path, "is required: one of %s", strings.Join(Types, ", "))
	} else if !slices.Contains(Types, typ) {
		v.add(path, "%q is not a type; use one of %s", typ, strings.Join(Types, ", "))
	}
}

func (v *validator) signatureOK(s *Signature) bool {
	if !slices.Contains(Types, s.Returns) {
		return false
	}
	for _, p := range s.Params {
		if !slices.Contains(Types, p.Type) {
			return false
		}
	}
	return true
}

func (v *validator) languages(path string, code map[string]string) {
	for _, lang := range sortedKeys(code) {
		if !slices.Contains(Languages, lang) {
			v.add(path+"."+lang, "%q is not a language onsite knows; use one of %s", lang, strings.Join(Languages, ", "))
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// typeMismatch finds the first part of v that does not fit typ: its path
// below v (such as [1] in a list), the value, and the type it should have
// had; want is "" when v fits.
func typeMismatch(v any, typ string) (at string, bad any, want string) {
	if elem, ok := strings.CutSuffix(typ, "[]"); ok {
		list, ok := v.([]any)
		if !ok {
			return "", v, typ
		}
		for i, e := range list {
			if at, bad, want := typeMismatch(e, elem); want != "" {
				return fmt.Sprintf("[%d]%s", i, at), bad, want
			}
		}
		return "", nil, ""
	}
	if !valueHasType(v, typ) {
		return "", v, typ
	}
	return "", nil, ""
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// valueHasType reports whether a decoded YAML or JSON value fits a signature
// type. Whole floats count as ints, because JSON has only numbers.
func valueHasType(v any, typ string) bool {
	if elem, ok := strings.CutSuffix(typ, "[]"); ok {
		list, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range list {
			if !valueHasType(e, elem) {
				return false
			}
		}
		return true
	}
	switch typ {
	case "int":
		switch n := v.(type) {
		case int, int64, uint64:
			return true
		case float64:
			return n == math.Trunc(n) && math.Abs(n) < 1<<53
		}
	case "float":
		switch n := v.(type) {
		case int, int64, uint64:
			return true
		case float64:
			return !math.IsNaN(n) && !math.IsInf(n, 0)
		}
	case "string":
		_, ok := v.(string)
		return ok
	case "bool":
		_, ok := v.(bool)
		return ok
	}
	return false
}

// showValue writes a value as it would appear in a flow-style set, so text
// is quoted and lists read [1, "2", 3].
func showValue(v any) string {
	if v == nil {
		return "nothing"
	}
	b, err := json.Marshal(v)
	s := string(b)
	if err != nil {
		s = fmt.Sprintf("%v", v)
	}
	s = strings.ReplaceAll(s, ",", ", ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// normalize gives empty lists one form, so a question hashes the same after
// an export and re-import (YAML omits empty lists; a signature always lists
// its params).
func (q *Question) normalize() {
	for _, list := range []*[]string{&q.Topics, &q.Hints, &q.KeyPoints, &q.StrongAnswer, &q.RedFlags, &q.FollowUps, &q.CommonMistakes,
		&q.ClarifyingQuestions, &q.Requirements, &q.Rubric} {
		if len(*list) == 0 {
			*list = nil
		}
	}
	if len(q.Tests) == 0 {
		q.Tests = nil
	}
	if len(q.Starter) == 0 {
		q.Starter = nil
	}
	if len(q.Solutions) == 0 {
		q.Solutions = nil
	}
	if len(q.WrongSolutions) == 0 {
		q.WrongSolutions = nil
	}
	if q.Function != nil && q.Function.Params == nil {
		q.Function.Params = []Param{}
	}
}

// CheckValue reports whether v, a decoded JSON value, fits a signature type,
// naming the first element that does not: candidates' custom input is
// checked with it before it reaches the grader.
func CheckValue(v any, typ string) error {
	at, bad, want := typeMismatch(v, typ)
	if want == "" {
		return nil
	}
	if at != "" {
		return fmt.Errorf("element %s, %s, is not of type %s", at, showValue(bad), want)
	}
	return fmt.Errorf("%s is not of type %s", showValue(bad), want)
}
