package drill

import (
	"slices"
	"sort"

	"github.com/onsite-dev/onsite/questions"
)

// Item is one entry of a day's queue: a question and, unless it is new to
// the user, its card.
type Item struct {
	QuestionID int64          `json:"-"`
	Slug       string         `json:"question"`
	Title      string         `json:"title"`
	Kind       questions.Kind `json:"kind"`
	Difficulty string         `json:"difficulty"`
	Topics     []string       `json:"topics"`
	// EstimatedMinutes is the question's estimate.
	EstimatedMinutes int `json:"estimated_minutes"`
	// Card is nil for a new question.
	Card *Card `json:"-"`
	// New marks a question the user has not practised yet.
	New bool `json:"new"`
	// Retrievability is the chance the user still recalls it now.
	Retrievability float64 `json:"retrievability"`
}

// Plan is what BuildQueue needs besides the candidates: the limits left for
// today.
type Plan struct {
	// NewLeft and ReviewsLeft are today's limits minus what was already
	// done today.
	NewLeft, ReviewsLeft int
	Mix                  map[questions.Kind]int
}

// BuildQueue orders today's drill: due cards first, the least likely to be
// recalled first, up to the review limit; then new questions up to the new
// limit, shared among the kinds by the mix. Within each part, two questions
// of the same kind follow each other only when nothing else is left. fresh
// holds the new candidates of each kind in the order to introduce them.
func BuildQueue(due []Item, fresh map[questions.Kind][]Item, plan Plan) []Item {
	due = slices.Clone(due)
	sort.SliceStable(due, func(i, j int) bool { return due[i].Retrievability < due[j].Retrievability })
	if len(due) > max(plan.ReviewsLeft, 0) {
		due = due[:max(plan.ReviewsLeft, 0)]
	}
	queue := interleave(due, "")
	var last questions.Kind
	if len(queue) > 0 {
		last = queue[len(queue)-1].Kind
	}
	var picked []Item
	for kind, n := range shareNew(fresh, plan) {
		picked = append(picked, fresh[kind][:n]...)
	}
	// Keep each kind's own order, and mix kinds by their position in it.
	rank := map[int64]int{}
	for _, items := range fresh {
		for i, it := range items {
			rank[it.QuestionID] = i
		}
	}
	sort.SliceStable(picked, func(i, j int) bool {
		ri, rj := rank[picked[i].QuestionID], rank[picked[j].QuestionID]
		if ri != rj {
			return ri < rj
		}
		return kindOrder(picked[i].Kind) < kindOrder(picked[j].Kind)
	})
	return append(queue, interleave(picked, last)...)
}

func kindOrder(k questions.Kind) int { return slices.Index(questions.Kinds, k) }

// shareNew splits the new-card allowance among the kinds in proportion to
// the mix (largest remainders), handing what a kind cannot use to the
// others.
func shareNew(fresh map[questions.Kind][]Item, plan Plan) map[questions.Kind]int {
	share := map[questions.Kind]int{}
	left := max(plan.NewLeft, 0)
	for left > 0 {
		weights := map[questions.Kind]int{}
		total := 0
		for _, k := range questions.Kinds {
			if w := plan.Mix[k]; w > 0 && share[k] < len(fresh[k]) {
				weights[k] = w
				total += w
			}
		}
		if total == 0 {
			break
		}
		type rem struct {
			kind questions.Kind
			frac int
		}
		var rems []rem
		given := 0
		for _, k := range questions.Kinds {
			w, ok := weights[k]
			if !ok {
				continue
			}
			n := min(left*w/total, len(fresh[k])-share[k])
			share[k] += n
			given += n
			rems = append(rems, rem{k, left * w % total})
		}
		sort.SliceStable(rems, func(i, j int) bool { return rems[i].frac > rems[j].frac })
		for _, r := range rems {
			if given < left && share[r.kind] < len(fresh[r.kind]) && (given == 0 || r.frac > 0) {
				share[r.kind]++
				given++
			}
		}
		if given == 0 {
			break
		}
		left -= given
	}
	return share
}

// interleave keeps items in order except that it takes the first item of
// another kind than the previous one when there is one. after is the kind
// of what comes before the first item.
func interleave(items []Item, after questions.Kind) []Item {
	rest := slices.Clone(items)
	out := make([]Item, 0, len(items))
	prev := after
	for len(rest) > 0 {
		i := slices.IndexFunc(rest, func(it Item) bool { return it.Kind != prev })
		if i < 0 {
			i = 0
		}
		out = append(out, rest[i])
		prev = rest[i].Kind
		rest = slices.Delete(rest, i, i+1)
	}
	return out
}
