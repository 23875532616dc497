package drill

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"
)

// Rating is how well the candidate recalled a card, as the four buttons say.
type Rating int

// The four ratings.
const (
	Again Rating = 1
	Hard  Rating = 2
	Good  Rating = 3
	Easy  Rating = 4
)

// Ratings lists the ratings in button order.
var Ratings = []Rating{Again, Hard, Good, Easy}

// Valid reports whether r is one of the four ratings.
func (r Rating) Valid() bool { return r >= Again && r <= Easy }

// String is the rating's button label.
func (r Rating) String() string {
	switch r {
	case Again:
		return "again"
	case Hard:
		return "hard"
	case Good:
		return "good"
	case Easy:
		return "easy"
	}
	return fmt.Sprintf("rating(%d)", int(r))
}

// ParseRating reads a rating from its name or its number 1-4.
func ParseRating(s string) (Rating, error) {
	for _, r := range Ratings {
		if s == r.String() || s == fmt.Sprint(int(r)) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("rating %q is not one of again, hard, good, easy (or 1-4)", s)
}

// State is where a card is in its life: new (never reviewed), learning (in
// the short first steps), review (scheduled in days), relearning (forgotten,
// in the short steps again).
type State int

// The four states, numbered as the reference implementations number them.
const (
	New        State = 0
	Learning   State = 1
	Review     State = 2
	Relearning State = 3
)

// String names the state.
func (s State) String() string {
	switch s {
	case New:
		return "new"
	case Learning:
		return "learning"
	case Review:
		return "review"
	case Relearning:
		return "relearning"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// DefaultWeights are FSRS-6's 21 published default parameters.
var DefaultWeights = [21]float64{
	0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
	1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
}

// Bounds of the memory state, as the reference implementations clamp it.
const (
	minStability  = 0.001
	maxStability  = 36500.0
	minDifficulty = 1.0
	maxDifficulty = 10.0
)

// Params configure a Scheduler. The zero values of the durations and limits
// are not defaults: start from DefaultParams.
type Params struct {
	Weights          [21]float64
	DesiredRetention float64
	LearningSteps    []time.Duration
	RelearningSteps  []time.Duration
	// MaximumInterval caps a review interval, in days.
	MaximumInterval int
	// Fuzz spreads review intervals a little so that cards learned
	// together do not stay due together.
	Fuzz bool
	// Location and DayStartHour say when the user's day begins: days
	// elapsed between reviews are counted in the user's days, so a review
	// at 23:00 and another at 01:00 fall on the same day when the day
	// starts at 4:00. nil means UTC.
	Location     *time.Location
	DayStartHour int
}

// Limits on what a user may set.
const (
	MinRetention = 0.70
	MaxRetention = 0.99
)

// DefaultParams are the scheduler settings a new user gets: FSRS-6's
// defaults, 90% retention, learning steps of 1 and 10 minutes, a 10-minute
// relearning step, intervals up to 100 years, fuzz on.
func DefaultParams() Params {
	return Params{
		Weights:          DefaultWeights,
		DesiredRetention: 0.9,
		LearningSteps:    []time.Duration{time.Minute, 10 * time.Minute},
		RelearningSteps:  []time.Duration{10 * time.Minute},
		MaximumInterval:  36500,
		Fuzz:             true,
	}
}

// Card is one user's memory state for one question. Key identifies the card
// for the fuzz, so that the same card reviewed the same way is always
// scheduled the same way.
type Card struct {
	Key        uint64
	State      State
	Step       int
	Stability  float64
	Difficulty float64
	Due        time.Time
	LastReview time.Time
	Reps       int
	Lapses     int
}

// Scheduler applies FSRS-6 to cards. It is a value computed from Params
// and safe for concurrent use.
type Scheduler struct {
	p      Params
	decay  float64
	factor float64
}

// NewScheduler checks p and returns its scheduler.
func NewScheduler(p Params) (*Scheduler, error) {
	if p.DesiredRetention < MinRetention || p.DesiredRetention > MaxRetention {
		return nil, fmt.Errorf("desired retention %.2f is outside %.2f-%.2f", p.DesiredRetention, MinRetention, MaxRetention)
	}
	if p.MaximumInterval < 1 {
		return nil, fmt.Errorf("maximum interval %d days is below 1", p.MaximumInterval)
	}
	for i, w := range p.Weights {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("weight %d is not a number", i)
		}
	}
	if p.DayStartHour < 0 || p.DayStartHour > 23 {
		return nil, fmt.Errorf("day start hour %d is outside 0-23", p.DayStartHour)
	}
	if p.Location == nil {
		p.Location = time.UTC
	}
	if p.Weights[20] <= 0 {
		return nil, fmt.Errorf("weight 20 (the decay) must be positive")
	}
	decay := -p.Weights[20]
	return &Scheduler{p: p, decay: decay, factor: math.Pow(0.9, 1/decay) - 1}, nil
}

// Params returns the scheduler's settings.
func (s *Scheduler) Params() Params { return s.p }

// Retrievability is the probability that the card is recalled at now: 1
// just after a review, falling along FSRS-6's power forgetting curve. A new
// card's is 0.
func (s *Scheduler) Retrievability(c Card, now time.Time) float64 {
	if c.State == New || c.LastReview.IsZero() {
		return 0
	}
	return s.forgettingCurve(float64(s.ElapsedDays(c.LastReview, now)), c.Stability)
}

// RetrievabilityAt is the forgetting curve at a number of days elapsed per
// day of stability.
func (s *Scheduler) RetrievabilityAt(daysPerStability float64) float64 {
	return s.forgettingCurve(math.Max(daysPerStability, 0), 1)
}

func (s *Scheduler) forgettingCurve(days, stability float64) float64 {
	return math.Pow(1+s.factor*days/stability, s.decay)
}

// Day numbers the user's day that t falls in: days since 1970-01-01 of the
// local date, where a day starts at DayStartHour.
func (s *Scheduler) Day(t time.Time) int {
	lt := t.In(s.p.Location)
	y, m, d := lt.Date()
	day := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	if lt.Hour() < s.p.DayStartHour {
		day--
	}
	return day
}

// ElapsedDays counts the user's days from one review to the next, as
// ts-fsrs counts calendar days (never negative).
func (s *Scheduler) ElapsedDays(from, to time.Time) int {
	return max(s.Day(to)-s.Day(from), 0)
}

func (s *Scheduler) initialStability(r Rating) float64 {
	return clampStability(s.p.Weights[r-1])
}

func (s *Scheduler) initialDifficulty(r Rating, clamp bool) float64 {
	w := s.p.Weights
	d := w[4] - math.Exp(w[5]*float64(r-1)) + 1
	if clamp {
		d = clampDifficulty(d)
	}
	return d
}

func clampDifficulty(d float64) float64 {
	return math.Min(math.Max(d, minDifficulty), maxDifficulty)
}

func (s *Scheduler) nextDifficulty(d float64, r Rating) float64 {
	w := s.p.Weights
	delta := -w[6] * float64(r-3)
	damped := d + (10-d)*delta/9
	return clampDifficulty(w[7]*s.initialDifficulty(Easy, false) + (1-w[7])*damped)
}

func (s *Scheduler) shortTermStability(stability float64, r Rating) float64 {
	w := s.p.Weights
	inc := math.Exp(w[17]*(float64(r)-3+w[18])) * math.Pow(stability, -w[19])
	if r >= Hard {
		// Only Again may lower stability within a day (fsrs-rs, ts-fsrs).
		inc = math.Max(inc, 1)
	}
	return clampStability(stability * inc)
}

func (s *Scheduler) nextStability(d, stability, retr float64, r Rating) float64 {
	w := s.p.Weights
	var next float64
	if r == Again {
		long := w[11] * math.Pow(d, -w[12]) * (math.Pow(stability+1, w[13]) - 1) * math.Exp((1-retr)*w[14])
		short := stability / math.Exp(w[17]*w[18])
		next = math.Min(long, short)
	} else {
		hardPenalty, easyBonus := 1.0, 1.0
		if r == Hard {
			hardPenalty = w[15]
		}
		if r == Easy {
			easyBonus = w[16]
		}
		next = stability * (1 + math.Exp(w[8])*(11-d)*math.Pow(stability, -w[9])*(math.Exp((1-retr)*w[10])-1)*hardPenalty*easyBonus)
	}
	return clampStability(next)
}

func clampStability(st float64) float64 {
	return math.Min(math.Max(st, minStability), maxStability)
}

// nextInterval is the whole number of days after which retrievability
// falls to the desired retention, from 1 to the maximum.
func (s *Scheduler) nextInterval(stability float64) int {
	ivl := stability / s.factor * (math.Pow(s.p.DesiredRetention, 1/s.decay) - 1)
	days := int(math.RoundToEven(ivl))
	return min(max(days, 1), s.p.MaximumInterval)
}

// updateMemory moves stability and difficulty for a review of a card that
// has been reviewed before.
func (s *Scheduler) updateMemory(c *Card, r Rating, now time.Time) {
	if !c.LastReview.IsZero() && s.ElapsedDays(c.LastReview, now) == 0 {
		c.Stability = s.shortTermStability(c.Stability, r)
	} else {
		c.Stability = s.nextStability(c.Difficulty, c.Stability, s.Retrievability(*c, now), r)
	}
	c.Difficulty = s.nextDifficulty(c.Difficulty, r)
}

// stepInterval follows the learning (or relearning) steps for a rating:
// the next step's wait, or graduate to review.
func (s *Scheduler) stepInterval(c *Card, r Rating, steps []time.Duration) (wait time.Duration, graduate bool) {
	if len(steps) == 0 || (c.Step >= len(steps) && r != Again) {
		return 0, true
	}
	switch r {
	case Again:
		c.Step = 0
		return steps[0], false
	case Hard:
		// The card stays on its step and waits the mean of the first two
		// steps (1.5 times a single step), in whole minutes, as ts-fsrs
		// does.
		if len(steps) == 1 {
			return roundMinutes(steps[0] * 3 / 2), false
		}
		return roundMinutes((steps[0] + steps[1]) / 2), false
	case Good:
		if c.Step+1 >= len(steps) {
			return 0, true
		}
		c.Step++
		return steps[c.Step], false
	}
	return 0, true
}

// roundMinutes rounds d to whole minutes, halves away from zero.
func roundMinutes(d time.Duration) time.Duration {
	return time.Duration(math.Round(d.Minutes())) * time.Minute
}

// Next returns the card after a review rated r at now. The card is a
// value: the caller decides whether to keep the result.
func (s *Scheduler) Next(c Card, r Rating, now time.Time) Card {
	now = now.UTC()
	var wait time.Duration
	graduate := false
	switch c.State {
	case New, Learning, Relearning:
		steps := s.p.LearningSteps
		if c.State == New {
			c.Stability = s.initialStability(r)
			c.Difficulty = s.initialDifficulty(r, true)
			c.State, c.Step = Learning, 0
		} else {
			s.updateMemory(&c, r, now)
		}
		if c.State == Relearning {
			steps = s.p.RelearningSteps
		}
		wait, graduate = s.stepInterval(&c, r, steps)
	case Review:
		if r != Again {
			// Hard, Good and Easy always lead to increasing intervals,
			// so each button means something (Anki, ts-fsrs).
			var days [5]int
			var next [5]Card
			for _, g := range []Rating{Hard, Good, Easy} {
				next[g] = c
				s.updateMemory(&next[g], g, now)
				days[g] = s.interval(next[g], now)
			}
			days[Hard] = min(days[Hard], days[Good])
			days[Good] = max(days[Good], days[Hard]+1)
			days[Easy] = max(days[Easy], days[Good]+1)
			c = next[r]
			wait = time.Duration(days[r]) * 24 * time.Hour
			break
		}
		s.updateMemory(&c, r, now)
		c.Lapses++
		if len(s.p.RelearningSteps) > 0 {
			c.State, c.Step = Relearning, 0
			wait = s.p.RelearningSteps[0]
			break
		}
		graduate = true
	}
	if graduate {
		c.State, c.Step = Review, 0
		wait = time.Duration(s.interval(c, now)) * 24 * time.Hour
	}
	c.Reps++
	c.Due = now.Add(wait)
	c.LastReview = now
	return c
}

// interval is the review interval in days for the card's new stability,
// fuzzed when fuzz is on.
func (s *Scheduler) interval(c Card, now time.Time) int {
	days := s.nextInterval(c.Stability)
	if s.p.Fuzz {
		days = s.fuzz(days, c.Key, c.Reps, now)
	}
	return days
}

// fuzzRanges widen an interval by a share of its length, more for short
// intervals, as the reference implementations do.
var fuzzRanges = []struct{ start, end, factor float64 }{
	{2.5, 7, 0.15},
	{7, 20, 0.1},
	{20, math.Inf(1), 0.05},
}

// fuzz moves an interval of days within its fuzz range, by a fraction drawn
// from the card's key, its review count and the moment: deterministic for a
// given card and review.
func (s *Scheduler) fuzz(days int, key uint64, reps int, now time.Time) int {
	ivl := float64(days)
	if ivl < 2.5 {
		return days
	}
	delta := 1.0
	for _, r := range fuzzRanges {
		delta += r.factor * math.Max(math.Min(ivl, r.end)-r.start, 0)
	}
	lo := max(int(math.RoundToEven(ivl-delta)), 2)
	hi := min(int(math.RoundToEven(ivl+delta)), s.p.MaximumInterval)
	lo = min(lo, hi)
	h := fnv.New64a()
	var buf [24]byte
	binary.LittleEndian.PutUint64(buf[0:], key)
	binary.LittleEndian.PutUint64(buf[8:], uint64(reps))
	binary.LittleEndian.PutUint64(buf[16:], uint64(now.Unix()))
	h.Write(buf[:])
	frac := float64(h.Sum64()>>11) / (1 << 53)
	fuzzed := int(math.RoundToEven(frac*float64(hi-lo+1) + float64(lo)))
	return min(fuzzed, s.p.MaximumInterval)
}

// ScheduledDays is a card's interval in whole days (0 for a step measured
// in minutes), as review logs record it.
func ScheduledDays(c Card) int {
	return int(c.Due.Sub(c.LastReview).Hours() / 24)
}

// MarshalJSON writes a rating by name, as the API shows it.
func (r Rating) MarshalJSON() ([]byte, error) {
	return []byte(`"` + r.String() + `"`), nil
}

// UnmarshalJSON reads a rating by name ("good") or number (3).
func (r *Rating) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	got, err := ParseRating(s)
	if err != nil {
		return err
	}
	*r = got
	return nil
}

// MarshalJSON writes a state by name.
func (s State) MarshalJSON() ([]byte, error) {
	return []byte(`"` + s.String() + `"`), nil
}
