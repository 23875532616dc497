package interview

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

func TestBuiltinFormats(t *testing.T) {
	want := map[string]int{"ml-engineer-onsite": 130, "coding-phone-screen": 45, "ml-breadth": 24, "behavioral-round": 40, "system-design-round": 45}
	for _, f := range BuiltinFormats {
		assert.Empty(t, f.Validate(), f.Slug)
		assert.Equal(t, want[f.Slug], f.Minutes(), "%s minutes", f.Slug)
	}
	onsite, ok := FindFormat("ml-engineer-onsite")
	require.True(t, ok)
	assert.Equal(t, []int{1, 5, 1, 2}, []int{onsite.Rounds[0].Count, onsite.Rounds[1].Count, onsite.Rounds[2].Count, onsite.Rounds[3].Count})
}

func TestParseFormatYAML(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"ok", "title: Friday mock\nrounds:\n  - {kind: coding, count: 1, minutes: 30, difficulty: medium}\n  - {kind: concept, count: 3, minutes: 10, topics: [nlp]}\n", ""},
		{"unknown field", "title: X\nrounds:\n  - {kind: coding, count: 1, minutes: 30, minuets: 3}\n", "field minuets not found"},
		{"bad kind", "title: X\nrounds:\n  - {kind: poetry, count: 1, minutes: 30}\n", `rounds[0].kind: "poetry" is not a kind`},
		{"no rounds", "title: X\n", "rounds: has 0 rounds"},
		{"too long", "title: X\nrounds:\n  - {kind: coding, count: 1, minutes: 500}\n", "rounds[0].minutes: 500"},
		{"no title", "rounds:\n  - {kind: coding, count: 1, minutes: 5}\n", "title: is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFormatYAML([]byte(tc.yaml))
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, "custom", f.Slug)
				assert.Equal(t, "Coding", f.Rounds[0].Title, "a round without a title takes its kind's")
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func pool(n int) []Candidate {
	var out []Candidate
	for i := range n {
		for j, k := range questions.Kinds {
			out = append(out, Candidate{ID: int64(i*10 + j), Slug: fmt.Sprintf("%s-%d", k, i), Kind: k,
				Difficulty: questions.Difficulties[i%3], Topics: []string{fmt.Sprintf("topic-%d", i%4)}})
		}
	}
	return out
}

func TestChoose(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	f, _ := FindFormat("ml-engineer-onsite")
	p := pool(12)

	t.Run("no question twice, counts by round", func(t *testing.T) {
		got, err := Choose(f, p, nil, now, rand.New(rand.NewPCG(1, 1)))
		require.NoError(t, err)
		seen := map[int64]bool{}
		for i, round := range got {
			assert.Len(t, round, f.Rounds[i].Count)
			for _, c := range round {
				assert.Equal(t, f.Rounds[i].Kind, c.Kind)
				assert.False(t, seen[c.ID], "%s twice", c.Slug)
				seen[c.ID] = true
			}
		}
	})
	t.Run("recently seen questions wait", func(t *testing.T) {
		recent := append([]Candidate(nil), p...)
		for i := range recent {
			if recent[i].Kind == questions.KindConcept && i%2 == 0 {
				recent[i].LastSeen = now.AddDate(0, 0, -2)
			}
		}
		for seed := range uint64(20) {
			got, err := Choose(f, recent, nil, now, rand.New(rand.NewPCG(seed, 2)))
			require.NoError(t, err)
			for _, c := range got[1] {
				assert.True(t, c.LastSeen.IsZero(), "seed %d chose %s, seen two days ago, while unseen ones were left", seed, c.Slug)
			}
		}
	})
	t.Run("leans to weak topics", func(t *testing.T) {
		weak := map[string]float64{"topic-3": 1}
		hits := 0
		for seed := range uint64(50) {
			got, err := Choose(f, p, weak, now, rand.New(rand.NewPCG(seed, 3)))
			require.NoError(t, err)
			for _, c := range got[1] {
				if c.Topics[0] == "topic-3" {
					hits++
				}
			}
		}
		// 3 of 12 concept questions are on topic-3: by chance a quarter
		// of the 250 picks; the lean makes it most.
		assert.Greater(t, hits, 125, "weak-topic picks out of 250")
	})
	t.Run("not enough questions", func(t *testing.T) {
		hard := Format{Title: "X", Rounds: []RoundSpec{{Kind: questions.KindCoding, Count: 9, Minutes: 10, Difficulty: questions.Hard}}}
		_, err := Choose(hard, p, nil, now, rand.New(rand.NewPCG(1, 1)))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "round 1 (coding, hard) asks for 9 questions but only 4 match")
	})
}

func TestExpire(t *testing.T) {
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	deadline := start.Add(20 * time.Minute)
	s := &Session{Rounds: []Round{{Index: 0, Minutes: 20, Started: &start, Deadline: &deadline}, {Index: 1, Minutes: 20}}}
	assert.Empty(t, s.Expire(start.Add(19*time.Minute)))
	assert.Equal(t, "running", s.Rounds[0].State())
	assert.Equal(t, []int{0}, s.Expire(start.Add(3*time.Hour)), "a reload hours later submits the round")
	assert.Equal(t, deadline, *s.Rounds[0].Submitted, "as of its deadline")
	assert.True(t, s.Rounds[0].TimedOut)
	assert.Equal(t, 1, s.Current().Index, "the next round waits to be started")
	assert.Equal(t, "pending", s.Current().State())
}

func TestScore(t *testing.T) {
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	at := func(m int) *time.Time { x := start.Add(time.Duration(m) * time.Minute); return &x }
	coding := func(used int, answers ...Answer) Round {
		for i := range answers {
			answers[i].Kind = questions.KindCoding
		}
		return Round{Title: "Coding", Kind: questions.KindCoding, Minutes: 40, Started: at(0), Submitted: at(used), Answers: answers}
	}
	concept := func(answers ...Answer) Round {
		return Round{Title: "Concepts", Kind: questions.KindConcept, Minutes: 20, Started: at(0), Submitted: at(20), Answers: answers}
	}
	ok := Answer{Verdict: "accepted", Passed: 10, Total: 10, Attempts: 1, Topics: []string{"graphs"}}
	slow := Answer{Verdict: "accepted", Passed: 10, Total: 10, Attempts: 4, Topics: []string{"graphs"}}
	half := Answer{Verdict: "wrong_answer", Passed: 6, Total: 10, Attempts: 2, Topics: []string{"heaps"}}
	none := Answer{Topics: []string{"tries"}}
	covered := func(n int, r drill.Rating) Answer {
		return Answer{Text: "my answer", Covered: make([]int, n), RubricSize: 5, SelfRating: r, Topics: []string{"nlp"}}
	}
	tests := []struct {
		name    string
		round   Round
		want    Signal
		overall Signal
	}{
		{"all accepted, quick", coding(20, ok, ok), StrongHire, StrongHire},
		{"all accepted, slow", coding(39, ok, ok), LeanHire, LeanHire},
		{"all accepted, many submissions", coding(10, ok, slow), LeanHire, LeanHire},
		{"half the tests", coding(40, ok, half), LeanNoHire, LeanNoHire},
		{"nothing", coding(40, none, none), StrongNoHire, StrongNoHire},
		{"rubric 80%", concept(covered(4, drill.Good), covered(5, drill.Easy)), StrongHire, StrongHire},
		{"rubric 80% but forgot one", concept(covered(4, drill.Again), covered(5, drill.Easy)), LeanHire, LeanHire},
		{"rubric 60%", concept(covered(3, drill.Good), covered(3, drill.Good)), LeanHire, LeanHire},
		{"rubric 40%", concept(covered(2, drill.Hard), covered(2, drill.Hard)), LeanNoHire, LeanNoHire},
		{"unanswered counts as nothing", concept(covered(5, drill.Good), Answer{RubricSize: 5}), LeanNoHire, LeanNoHire},
		{"peer overrides", func() Round {
			r := concept(covered(5, drill.Easy))
			r.Answers[0].PeerSignal = LeanNoHire
			return r
		}(), LeanNoHire, LeanNoHire},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := Score(&Session{Rounds: []Round{tc.round}})
			require.Len(t, sc.Rounds, 1)
			assert.Equal(t, tc.want, sc.Rounds[0].Signal, sc.Rounds[0].Reason)
			assert.Equal(t, tc.overall, sc.Overall)
		})
	}

	sc := Score(&Session{Rounds: []Round{coding(20, ok, ok), concept(covered(5, drill.Good)), coding(40, none)}})
	assert.Equal(t, LeanNoHire, sc.Overall, "a strong no hire caps the overall")
	assert.Equal(t, "Strong: Coding, Concepts. To work on: Coding.", sc.Summary)
	assert.Equal(t, []string{"tries"}, sc.PractiseNext)
	assert.True(t, strings.HasPrefix(sc.Rounds[2].Reason, "0 of 1 accepted in 40 of 40 minutes"))
}

func TestReviewRating(t *testing.T) {
	tests := []struct {
		name string
		a    Answer
		want drill.Rating
		ok   bool
	}{
		{"coding accepted first try, quick", Answer{Kind: questions.KindCoding, Verdict: "accepted", Attempts: 1, Estimated: 30}, drill.Easy, true},
		{"coding accepted after tries", Answer{Kind: questions.KindCoding, Verdict: "accepted", Attempts: 3, Estimated: 30}, drill.Hard, true},
		{"coding not accepted", Answer{Kind: questions.KindCoding, Verdict: "wrong_answer", Attempts: 1}, drill.Again, true},
		{"coding never submitted", Answer{Kind: questions.KindCoding}, 0, false},
		{"self-rated", Answer{Kind: questions.KindConcept, Text: "x", SelfRating: drill.Hard}, drill.Hard, true},
		{"unrated, most covered", Answer{Kind: questions.KindConcept, Text: "x", Covered: []int{0, 1, 2, 3}, RubricSize: 4}, drill.Good, true},
		{"unanswered", Answer{Kind: questions.KindBehavioral}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ReviewRating(tc.a, 5*time.Minute)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}
