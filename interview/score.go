package interview

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

// Signal is a hire recommendation on the four-point scale interviewers use.
type Signal string

// The four signals, strongest first.
const (
	StrongHire   Signal = "strong_hire"
	LeanHire     Signal = "lean_hire"
	LeanNoHire   Signal = "lean_no_hire"
	StrongNoHire Signal = "strong_no_hire"
)

// Signals lists the signals from strongest.
var Signals = []Signal{StrongHire, LeanHire, LeanNoHire, StrongNoHire}

// Valid reports whether s is one of the four signals.
func (s Signal) Valid() bool {
	return s == StrongHire || s == LeanHire || s == LeanNoHire || s == StrongNoHire
}

// Label is the signal as a scorecard writes it.
func (s Signal) Label() string {
	switch s {
	case StrongHire:
		return "Strong hire"
	case LeanHire:
		return "Lean hire"
	case LeanNoHire:
		return "Lean no hire"
	case StrongNoHire:
		return "Strong no hire"
	}
	return string(s)
}

func (s Signal) points() int {
	switch s {
	case StrongHire:
		return 4
	case LeanHire:
		return 3
	case LeanNoHire:
		return 2
	}
	return 1
}

func signalOf(points float64) Signal {
	switch p := int(math.Floor(points + 0.5)); {
	case p >= 4:
		return StrongHire
	case p == 3:
		return LeanHire
	case p == 2:
		return LeanNoHire
	}
	return StrongNoHire
}

// Rules are the stated rules the scorecard applies, shown beside it.
var Rules = []string{
	"Coding: every problem accepted within 75% of the time and at most two submissions each is a strong hire; every problem accepted is a lean hire; half the problems accepted, or at least half the tests passed on each, is a lean no hire; less is a strong no hire.",
	"Concepts, behavioral and system design: the share of the rubric (or key points) your answers covered, by your own ticks. 80% or more with no answer rated Again is a strong hire; 60% a lean hire; 35% a lean no hire; less a strong no hire. An unanswered question counts as nothing covered.",
	"A peer interviewer's signals, when given, replace the self-assessed signal of their rounds.",
	"Overall: the mean of the rounds' signals, rounded; any strong no hire caps the overall at lean no hire.",
}

// RoundScore is one round of the scorecard.
type RoundScore struct {
	Index       int            `json:"index"`
	Title       string         `json:"title"`
	Kind        questions.Kind `json:"kind"`
	Signal      Signal         `json:"signal"`
	Reason      string         `json:"reason"`
	Questions   int            `json:"questions"`
	Solved      int            `json:"solved,omitempty"`
	Coverage    float64        `json:"coverage"`
	MinutesUsed float64        `json:"minutes_used"`
	Minutes     int            `json:"minutes"`
	TimedOut    bool           `json:"timed_out"`
	ByPeer      bool           `json:"by_peer,omitempty"`
}

// Scorecard is a finished session's result.
type Scorecard struct {
	Rounds       []RoundScore `json:"rounds"`
	Overall      Signal       `json:"overall"`
	Summary      string       `json:"summary"`
	PractiseNext []string     `json:"practise_next"`
}

// Score applies Rules to a session's rounds.
func Score(s *Session) *Scorecard {
	sc := &Scorecard{PractiseNext: []string{}}
	total, capped := 0.0, false
	weak := map[string]bool{}
	for _, r := range s.Rounds {
		rs := scoreRound(r)
		sc.Rounds = append(sc.Rounds, rs)
		total += float64(rs.Signal.points())
		if rs.Signal == StrongNoHire {
			capped = true
		}
		for _, a := range r.Answers {
			if weakAnswer(r.Kind, a) {
				for _, t := range a.Topics {
					if !weak[t] && len(sc.PractiseNext) < 6 {
						weak[t] = true
						sc.PractiseNext = append(sc.PractiseNext, t)
					}
				}
			}
		}
	}
	if len(sc.Rounds) == 0 {
		sc.Overall = StrongNoHire
		return sc
	}
	sc.Overall = signalOf(total / float64(len(sc.Rounds)))
	if capped && sc.Overall.points() > LeanNoHire.points() {
		sc.Overall = LeanNoHire
	}
	var strong, weakRounds []string
	for _, r := range sc.Rounds {
		switch r.Signal {
		case StrongHire, LeanHire:
			strong = append(strong, r.Title)
		default:
			weakRounds = append(weakRounds, r.Title)
		}
	}
	var parts []string
	if len(strong) > 0 {
		parts = append(parts, "Strong: "+strings.Join(strong, ", ")+".")
	}
	if len(weakRounds) > 0 {
		parts = append(parts, "To work on: "+strings.Join(weakRounds, ", ")+".")
	}
	sc.Summary = strings.Join(parts, " ")
	return sc
}

// weakAnswer reports an answer whose topics are worth practising: a coding
// problem not accepted, or an answer that covered under 60% of its rubric or
// was rated Again or Hard.
func weakAnswer(kind questions.Kind, a Answer) bool {
	if kind == questions.KindCoding {
		return a.Verdict != "accepted"
	}
	if a.SelfRating == drill.Again || a.SelfRating == drill.Hard || strings.TrimSpace(a.Text) == "" {
		return true
	}
	return float64(len(a.Covered)) < 0.6*float64(a.RubricSize)
}

func scoreRound(r Round) RoundScore {
	rs := RoundScore{Index: r.Index, Title: r.Title, Kind: r.Kind, Questions: len(r.Answers), Minutes: r.Minutes, TimedOut: r.TimedOut}
	if r.Started != nil && r.Submitted != nil {
		rs.MinutesUsed = math.Round(r.Submitted.Sub(*r.Started).Minutes()*10) / 10
	}
	if r.Started == nil {
		rs.Signal, rs.Reason = StrongNoHire, "The round was never started."
		return rs
	}
	if r.Kind == questions.KindCoding {
		scoreCoding(r, &rs)
	} else {
		scoreRubric(r, &rs)
	}
	// A peer's signals replace the self-assessment.
	var peer []float64
	for _, a := range r.Answers {
		if a.PeerSignal.Valid() {
			peer = append(peer, float64(a.PeerSignal.points()))
		}
	}
	if len(peer) > 0 {
		sum := 0.0
		for _, p := range peer {
			sum += p
		}
		rs.Signal, rs.ByPeer = signalOf(sum/float64(len(peer))), true
		rs.Reason = "Your interviewer's signal. " + rs.Reason
	}
	return rs
}

func scoreCoding(r Round, rs *RoundScore) {
	halfTests, fewAttempts := true, true
	for _, a := range r.Answers {
		if a.Verdict == "accepted" {
			rs.Solved++
		}
		if a.Total == 0 || 2*a.Passed < a.Total {
			halfTests = false
		}
		if a.Attempts > 2 {
			fewAttempts = false
		}
	}
	rs.Coverage = float64(rs.Solved) / float64(max(rs.Questions, 1))
	quick := rs.MinutesUsed <= 0.75*float64(r.Minutes)
	switch {
	case rs.Questions > 0 && rs.Solved == rs.Questions && quick && fewAttempts:
		rs.Signal = StrongHire
	case rs.Questions > 0 && rs.Solved == rs.Questions:
		rs.Signal = LeanHire
	case 2*rs.Solved >= rs.Questions || halfTests:
		rs.Signal = LeanNoHire
	default:
		rs.Signal = StrongNoHire
	}
	rs.Reason = fmt.Sprintf("%d of %d accepted in %s of %d minutes.", rs.Solved, rs.Questions, minutes(rs.MinutesUsed), r.Minutes)
}

func scoreRubric(r Round, rs *RoundScore) {
	sum, again := 0.0, false
	for _, a := range r.Answers {
		if strings.TrimSpace(a.Text) == "" || a.RubricSize == 0 {
			continue
		}
		sum += math.Min(float64(len(a.Covered))/float64(a.RubricSize), 1)
		if a.SelfRating == drill.Again {
			again = true
		}
	}
	rs.Coverage = sum / float64(max(rs.Questions, 1))
	switch {
	case rs.Coverage >= 0.8 && !again:
		rs.Signal = StrongHire
	case rs.Coverage >= 0.6:
		rs.Signal = LeanHire
	case rs.Coverage >= 0.35:
		rs.Signal = LeanNoHire
	default:
		rs.Signal = StrongNoHire
	}
	rs.Reason = fmt.Sprintf("Covered %.0f%% of the rubric in %s of %d minutes.", 100*rs.Coverage, minutes(rs.MinutesUsed), r.Minutes)
}

func minutes(m float64) string {
	if m == math.Trunc(m) {
		return fmt.Sprintf("%.0f", m)
	}
	return fmt.Sprintf("%.1f", m)
}

// ReviewRating is the drill rating an answered question is logged with: the
// candidate's own rating, or for a coding answer the grader's suggestion.
func ReviewRating(a Answer, took time.Duration) (drill.Rating, bool) {
	if a.Kind == questions.KindCoding {
		if a.Attempts == 0 {
			return 0, false
		}
		accepted := make([]bool, a.Attempts)
		accepted[len(accepted)-1] = a.Verdict == "accepted"
		return drill.SuggestRating(drill.Attempt{Accepted: accepted, Took: took, Estimated: time.Duration(a.Estimated) * time.Minute}), true
	}
	if a.SelfRating.Valid() {
		return a.SelfRating, true
	}
	if strings.TrimSpace(a.Text) == "" {
		return 0, false
	}
	// Answered but not rated: judge by the rubric ticks.
	switch f := float64(len(a.Covered)) / float64(max(a.RubricSize, 1)); {
	case f >= 0.8:
		return drill.Good, true
	case f >= 0.4:
		return drill.Hard, true
	}
	return drill.Again, true
}
