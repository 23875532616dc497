package drill

import "time"

// Attempt summarises how a candidate solved a coding card: their
// submissions in order (true for accepted), the hints they opened, and how
// long they took against the question's estimate.
type Attempt struct {
	Accepted  []bool
	HintsUsed int
	Took      time.Duration
	Estimated time.Duration
}

// SuggestRating proposes a rating from grading, which the candidate may
// change before it is recorded: not accepted is Again; accepted after failed
// submissions or with hints is Hard; accepted at the first try in under
// half the estimated time is Easy; otherwise Good.
func SuggestRating(a Attempt) Rating {
	if len(a.Accepted) == 0 || !a.Accepted[len(a.Accepted)-1] {
		return Again
	}
	if len(a.Accepted) > 1 || a.HintsUsed > 0 {
		return Hard
	}
	if a.Estimated > 0 && a.Took > 0 && a.Took < a.Estimated/2 {
		return Easy
	}
	return Good
}
