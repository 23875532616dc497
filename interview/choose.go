package interview

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/onsite-dev/onsite/questions"
)

// Candidate is a question that could fill a round, with what the drill
// knows about the candidate and it.
type Candidate struct {
	ID         int64
	Slug       string
	Kind       questions.Kind
	Difficulty questions.Difficulty
	Topics     []string
	// LastSeen is when the candidate last practised it (zero: never).
	LastSeen time.Time
}

// RecentDays is how long a practised question stays out of new sessions
// when there are others to ask.
const RecentDays = 14

// Choose picks the questions of every round of f from pool: never the same
// question twice in a session, questions seen in the last RecentDays only
// when nothing else fits, and among the rest a lean to the candidate's weak
// topics (weakness from 0, strong, to 1, forgotten), with rng breaking the
// remaining ties so sessions differ.
func Choose(f Format, pool []Candidate, weakness map[string]float64, now time.Time, rng *rand.Rand) ([][]Candidate, error) {
	used := map[int64]bool{}
	out := make([][]Candidate, len(f.Rounds))
	for i, spec := range f.Rounds {
		type scored struct {
			c     Candidate
			score float64
		}
		var options []scored
		for _, c := range pool {
			if c.Kind != spec.Kind || used[c.ID] {
				continue
			}
			if spec.Difficulty != "" && c.Difficulty != spec.Difficulty {
				continue
			}
			if len(spec.Topics) > 0 && !slices.ContainsFunc(c.Topics, func(t string) bool { return slices.Contains(spec.Topics, t) }) {
				continue
			}
			score := rng.Float64()
			if c.LastSeen.IsZero() || now.Sub(c.LastSeen) > RecentDays*24*time.Hour {
				score += 10
			}
			weak := 0.0
			for _, t := range c.Topics {
				weak = max(weak, weakness[t])
			}
			score += 2 * weak
			options = append(options, scored{c, score})
		}
		if len(options) < spec.Count {
			what := string(spec.Kind)
			if spec.Difficulty != "" {
				what += ", " + string(spec.Difficulty)
			}
			if len(spec.Topics) > 0 {
				what += fmt.Sprintf(", topics %v", spec.Topics)
			}
			return nil, fmt.Errorf("round %d (%s) asks for %d questions but only %d match; ask for fewer or widen the round", i+1, what, spec.Count, len(options))
		}
		sort.SliceStable(options, func(a, b int) bool { return options[a].score > options[b].score })
		for _, o := range options[:spec.Count] {
			used[o.c.ID] = true
			out[i] = append(out[i], o.c)
		}
	}
	return out, nil
}
