package questions_test

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/onsite-dev/onsite/questions"
)

// starSteps are the four parts of a behavioral answer; each behavioral
// rubric has items starting with each, such as "Situation: ...".
var starSteps = []string{"Situation:", "Task:", "Action:", "Result:"}

// designAreas are what every system design rubric covers, one or more items
// starting with each label.
var designAreas = []string{
	"Framing and metrics:", "Data and labels:", "Features:", "Model and baseline:",
	"Training pipeline:", "Serving and latency:", "Evaluation and A/B testing:",
	"Monitoring and drift:", "Trade-offs:",
}

// linter collects what is missing or trivial in one built-in question.
type linter struct {
	problems []string
}

func (l *linter) addf(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// text checks a Markdown field: present, at least min bytes, and rendering
// cleanly (every code fence closed).
func (l *linter) text(field, s string, min int) {
	s = strings.TrimSpace(s)
	if len(s) < min {
		l.addf("%s is %d characters; write at least %d", field, len(s), min)
	}
	if strings.Count(s, "```")%2 != 0 {
		l.addf("%s has an unclosed code fence", field)
	}
	var out bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	if err := md.Convert([]byte(s), &out); err != nil {
		l.addf("%s does not render: %v", field, err)
	}
}

// list checks a list field has from lo to hi items (hi 0: no maximum), each
// at least min characters.
func (l *linter) list(field string, items []string, lo, hi, min int) {
	if len(items) < lo || (hi > 0 && len(items) > hi) {
		if hi > 0 {
			l.addf("%s has %d items; want %d to %d", field, len(items), lo, hi)
		} else {
			l.addf("%s has %d items; want at least %d", field, len(items), lo)
		}
	}
	for i, it := range items {
		if len(strings.TrimSpace(it)) < min {
			l.addf("%s[%d] %q is too short to be useful", field, i, it)
		}
	}
}

// covers checks that every label starts at least one item.
func (l *linter) covers(field string, items, labels []string) {
	for _, label := range labels {
		if !slices.ContainsFunc(items, func(it string) bool { return strings.HasPrefix(it, label) }) {
			l.addf("%s has no item starting %q", field, label)
		}
	}
	for i, it := range items {
		if !slices.ContainsFunc(labels, func(label string) bool { return strings.HasPrefix(it, label) }) {
			l.addf("%s[%d] starts with none of %s", field, i, strings.Join(labels, " "))
		}
	}
}

var (
	complexityPattern = regexp.MustCompile(`O\([^)]*\)`)
	digitPattern      = regexp.MustCompile(`[0-9]`)
)

// lintQuestion returns what keeps q from being a finished bank question.
func lintQuestion(q *questions.Question) []string {
	l := &linter{}
	l.text("prompt", q.Prompt, 40)
	if len(q.Topics) == 0 {
		l.addf("topics is empty")
	}
	for _, topic := range q.Topics {
		if !questions.IsKnownTopic(topic) {
			l.addf("topic %q is not in questions.KnownTopics", topic)
		}
	}
	if q.EstimatedMinutes <= 0 {
		l.addf("estimated_minutes is missing")
	}
	switch q.Kind {
	case questions.KindCoding:
		lower := strings.ToLower(q.Prompt)
		if !strings.Contains(lower, "example") {
			l.addf("prompt has no example")
		}
		if !strings.Contains(lower, "constraint") {
			l.addf("prompt states no constraints")
		}
		if len(q.Tests) < 10 {
			l.addf("has %d tests; want at least 10 with edge cases", len(q.Tests))
		}
		if !slices.ContainsFunc(q.Tests, func(t questions.Test) bool {
			return !t.Sample && (t.Generate != nil || strings.HasPrefix(t.Name, "large"))
		}) {
			l.addf("has no large hidden test (generated, or named large...)")
		}
		for _, lang := range []string{"python", "javascript", "go"} {
			if strings.TrimSpace(q.Solutions[lang]) == "" {
				l.addf("has no %s reference solution", lang)
			}
		}
		if !slices.ContainsFunc(q.WrongSolutions, func(w questions.WrongSolution) bool {
			return w.Verdict == "time_limit_exceeded"
		}) {
			l.addf("has no too-slow wrong solution (verdict: time_limit_exceeded)")
		}
		l.list("hints", q.Hints, 2, 3, 15)
		l.text("editorial", q.Editorial, 300)
		if !complexityPattern.MatchString(q.Editorial) {
			l.addf("editorial states no complexity such as O(n log n)")
		}
	case questions.KindConcept:
		l.text("answer", q.Answer, 300)
		l.list("key_points", q.KeyPoints, 3, 6, 15)
		l.list("common_mistakes", q.CommonMistakes, 1, 0, 15)
		l.list("follow_ups", q.FollowUps, 1, 3, 15)
	case questions.KindBehavioral:
		if !slices.Contains(questions.KnownTopics["behavioral"], q.Competency) {
			l.addf("competency %q is not a behavioral topic", q.Competency)
		}
		l.list("strong_answer", q.StrongAnswer, 3, 0, 15)
		l.list("red_flags", q.RedFlags, 2, 0, 10)
		l.list("follow_ups", q.FollowUps, 2, 0, 15)
		l.list("rubric", q.Rubric, 4, 0, 20)
		l.covers("rubric", q.Rubric, starSteps)
	case questions.KindSystemDesign:
		l.list("clarifying_questions", q.ClarifyingQuestions, 3, 0, 15)
		l.list("requirements", q.Requirements, 4, 0, 15)
		if !slices.ContainsFunc(q.Requirements, digitPattern.MatchString) {
			l.addf("requirements give no scale figures")
		}
		l.list("rubric", q.Rubric, len(designAreas), 0, 25)
		l.covers("rubric", q.Rubric, designAreas)
		l.text("outline", q.Outline, 800)
	}
	return l.problems
}

// TestBankLint holds every built-in question to what the bank promises a
// candidate for its kind. Run one set with -run 'TestBankLint/SET'.
func TestBankLint(t *testing.T) {
	sets, err := questions.BuiltinSets()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		for i := range s.Questions {
			q := &s.Questions[i]
			t.Run(s.Slug+"/"+q.Slug, func(t *testing.T) {
				for _, p := range lintQuestion(q) {
					t.Errorf("%s: %s", q.Slug, p)
				}
			})
		}
	}
}

// TestLintCatchesThinQuestions: the lint itself flags a question that only
// has what the importer requires.
func TestLintCatchesThinQuestions(t *testing.T) {
	tests := []struct {
		name string
		q    questions.Question
		want []string
	}{
		{"concept", questions.Question{Kind: questions.KindConcept, Prompt: "What is overfitting, and how do you detect it?", Topics: []string{"generalisation"}, EstimatedMinutes: 3,
			Concept: questions.Concept{Answer: "When the model memorises.", KeyPoints: []string{"train and validation gap"}}},
			[]string{"answer is 25 characters", "key_points has 1 items", "common_mistakes has 0 items", "follow_ups has 0 items"}},
		{"behavioral", questions.Question{Kind: questions.KindBehavioral, Prompt: "Tell me about a time you disagreed with your manager.", Topics: []string{"made-up-topic"},
			Behavioral: questions.Behavioral{Competency: "conflict"}, Debrief: questions.Debrief{Rubric: []string{"Situation: the context and the stakes", "Action: what they did themselves"}}},
			[]string{`topic "made-up-topic" is not in`, "estimated_minutes is missing", `rubric has no item starting "Task:"`, `rubric has no item starting "Result:"`}},
		{"coding", questions.Question{Kind: questions.KindCoding, Prompt: "Return the sum of a list of integers, please.", Topics: []string{"arrays"}, EstimatedMinutes: 5,
			Debrief: questions.Debrief{Editorial: "```python\nsum(xs)\n"}},
			[]string{"prompt has no example", "has 0 tests", "no large hidden test", "no python reference solution", "no too-slow wrong solution", "unclosed code fence", "no complexity"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(lintQuestion(&tc.q), "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lint does not say %q; it says:\n%s", w, got)
				}
			}
		})
	}
}

// TestBankCoverage holds the bank to the counts it promises: 60 coding
// problems (40 classic, about 1:2:1 easy:medium:hard, and 20 ML-flavoured),
// 150 concept questions, 40 behavioral and 20 system design prompts.
func TestBankCoverage(t *testing.T) {
	sets, err := questions.BuiltinSets()
	if err != nil {
		t.Fatal(err)
	}
	ml := map[string]bool{"evaluation": true, "metrics": true}
	for _, topic := range questions.KnownTopics["ML coding"] {
		ml[topic] = true
	}
	perKind := map[questions.Kind]int{}
	classic := map[questions.Difficulty]int{}
	mlCoding := 0
	for _, s := range sets {
		for _, q := range s.Questions {
			perKind[q.Kind]++
			if q.Kind != questions.KindCoding {
				continue
			}
			if slices.ContainsFunc(q.Topics, func(topic string) bool { return ml[topic] }) {
				mlCoding++
			} else {
				classic[q.Difficulty]++
			}
		}
	}
	nClassic := classic[questions.Easy] + classic[questions.Medium] + classic[questions.Hard]
	t.Logf("bank: %d coding (%d classic: %d easy, %d medium, %d hard; %d ML-flavoured), %d concept, %d behavioral, %d system design",
		perKind[questions.KindCoding], nClassic, classic[questions.Easy], classic[questions.Medium], classic[questions.Hard], mlCoding,
		perKind[questions.KindConcept], perKind[questions.KindBehavioral], perKind[questions.KindSystemDesign])
	tests := []struct {
		name      string
		got, want int
	}{
		{"coding problems", perKind[questions.KindCoding], 60},
		{"classic coding problems", nClassic, 40},
		{"ML-flavoured coding problems", mlCoding, 20},
		{"concept questions", perKind[questions.KindConcept], 150},
		{"behavioral questions", perKind[questions.KindBehavioral], 40},
		{"system design prompts", perKind[questions.KindSystemDesign], 20},
	}
	for _, tc := range tests {
		if tc.got < tc.want {
			t.Errorf("%s: %d, want at least %d", tc.name, tc.got, tc.want)
		}
	}
	// About 1:2:1: each of easy and hard a fifth to a third, medium 40-60%.
	for d, share := range map[questions.Difficulty][2]float64{questions.Easy: {0.2, 0.34}, questions.Medium: {0.4, 0.6}, questions.Hard: {0.2, 0.34}} {
		if f := float64(classic[d]) / float64(max(nClassic, 1)); f < share[0] || f > share[1] {
			t.Errorf("classic %s problems are %.0f%% of %d; want %.0f-%.0f%%", d, 100*f, nClassic, 100*share[0], 100*share[1])
		}
	}
}
