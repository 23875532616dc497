package interview

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/onsite-dev/onsite/questions"
)

// RoundSpec describes one round of a format: its kind, how many questions,
// how long, and optionally which difficulty and topics to draw from.
type RoundSpec struct {
	Title      string               `json:"title,omitempty" yaml:"title,omitempty"`
	Kind       questions.Kind       `json:"kind" yaml:"kind"`
	Count      int                  `json:"count" yaml:"count"`
	Minutes    int                  `json:"minutes" yaml:"minutes"`
	Difficulty questions.Difficulty `json:"difficulty,omitempty" yaml:"difficulty,omitempty"`
	Topics     []string             `json:"topics,omitempty" yaml:"topics,omitempty"`
}

// Format is an interview loop: rounds in order.
type Format struct {
	Slug        string      `json:"slug" yaml:"slug"`
	Title       string      `json:"title" yaml:"title"`
	Description string      `json:"description,omitempty" yaml:"description,omitempty"`
	Rounds      []RoundSpec `json:"rounds" yaml:"rounds"`
}

// Minutes is the format's total time.
func (f Format) Minutes() int {
	total := 0
	for _, r := range f.Rounds {
		total += r.Minutes
	}
	return total
}

// BuiltinFormats are the loops every candidate can start.
var BuiltinFormats = []Format{
	{Slug: "ml-engineer-onsite", Title: "ML engineer onsite",
		Description: "The full loop: a coding round, rapid-fire ML concepts, an ML system design and a behavioral round.",
		Rounds: []RoundSpec{
			{Title: "Coding", Kind: questions.KindCoding, Count: 1, Minutes: 45},
			{Title: "ML concepts", Kind: questions.KindConcept, Count: 5, Minutes: 20},
			{Title: "ML system design", Kind: questions.KindSystemDesign, Count: 1, Minutes: 45},
			{Title: "Behavioral", Kind: questions.KindBehavioral, Count: 2, Minutes: 20},
		}},
	{Slug: "coding-phone-screen", Title: "Coding phone screen",
		Description: "Two coding problems in 45 minutes, as a first technical screen runs.",
		Rounds:      []RoundSpec{{Title: "Coding", Kind: questions.KindCoding, Count: 2, Minutes: 45}}},
	{Slug: "ml-breadth", Title: "ML breadth",
		Description: "Twelve ML concept questions at two minutes each: breadth under time pressure.",
		Rounds:      []RoundSpec{{Title: "ML breadth", Kind: questions.KindConcept, Count: 12, Minutes: 24}}},
	{Slug: "behavioral-round", Title: "Behavioral round",
		Description: "Four behavioral questions in 40 minutes; answer with situation, task, action and result.",
		Rounds:      []RoundSpec{{Title: "Behavioral", Kind: questions.KindBehavioral, Count: 4, Minutes: 40}}},
	{Slug: "system-design-round", Title: "System design round",
		Description: "One ML system design prompt in 45 minutes.",
		Rounds:      []RoundSpec{{Title: "ML system design", Kind: questions.KindSystemDesign, Count: 1, Minutes: 45}}},
}

// FindFormat returns the built-in format with the slug.
func FindFormat(slug string) (Format, bool) {
	for _, f := range BuiltinFormats {
		if f.Slug == slug {
			return f, true
		}
	}
	return Format{}, false
}

// Limits of a custom format.
const (
	MaxRounds          = 10
	MaxRoundQuestions  = 20
	MaxRoundMinutes    = 180
	MaxSessionQuestion = 40
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate returns every problem of f, each naming its field.
func (f *Format) Validate() []string {
	var bad []string
	add := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	if f.Slug == "" {
		f.Slug = "custom"
	}
	if !slugPattern.MatchString(f.Slug) {
		add("slug: %q is not a slug; use lowercase letters, digits and hyphens, such as my-loop", f.Slug)
	}
	if strings.TrimSpace(f.Title) == "" {
		add("title: is required, such as \"Friday mock\"")
	}
	if len(f.Rounds) == 0 || len(f.Rounds) > MaxRounds {
		add("rounds: has %d rounds; give 1 to %d", len(f.Rounds), MaxRounds)
	}
	total := 0
	for i := range f.Rounds {
		r := &f.Rounds[i]
		p := fmt.Sprintf("rounds[%d]", i)
		if !r.Kind.Valid() {
			add("%s.kind: %q is not a kind; use coding, concept, behavioral or system_design", p, r.Kind)
		}
		if r.Count < 1 || r.Count > MaxRoundQuestions {
			add("%s.count: %d; ask 1 to %d questions", p, r.Count, MaxRoundQuestions)
		}
		total += r.Count
		if r.Minutes < 1 || r.Minutes > MaxRoundMinutes {
			add("%s.minutes: %d; give 1 to %d minutes", p, r.Minutes, MaxRoundMinutes)
		}
		if r.Difficulty != "" && !r.Difficulty.Valid() {
			add("%s.difficulty: %q is not a difficulty; use easy, medium or hard, or leave it out", p, r.Difficulty)
		}
		if r.Title == "" {
			r.Title = r.Kind.Label()
		}
	}
	if total > MaxSessionQuestion {
		add("rounds: ask %d questions in all; keep it to %d", total, MaxSessionQuestion)
	}
	return bad
}

// ParseFormatYAML reads a custom format from YAML, refusing unknown fields,
// and validates it.
func ParseFormatYAML(data []byte) (*Format, error) {
	var f Format
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("format: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if bad := f.Validate(); len(bad) > 0 {
		return nil, fmt.Errorf("format: %s", strings.Join(bad, "; "))
	}
	return &f, nil
}
