package drill

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

func items(kind questions.Kind, n int, from int64) []Item {
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{QuestionID: from + int64(i), Slug: fmt.Sprintf("%s-%d", kind, i), Kind: kind, New: true}
	}
	return out
}

func kindsOf(q []Item) string {
	var b strings.Builder
	for _, it := range q {
		b.WriteByte(string(it.Kind)[0])
	}
	return b.String()
}

func TestBuildQueue(t *testing.T) {
	mix := DefaultSettings().Mix
	due := []Item{
		{QuestionID: 1, Kind: questions.KindConcept, Retrievability: 0.8},
		{QuestionID: 2, Kind: questions.KindConcept, Retrievability: 0.3},
		{QuestionID: 3, Kind: questions.KindCoding, Retrievability: 0.5},
		{QuestionID: 4, Kind: questions.KindConcept, Retrievability: 0.6},
		{QuestionID: 5, Kind: questions.KindBehavioral, Retrievability: 0.9},
	}
	fresh := map[questions.Kind][]Item{
		questions.KindCoding:       items(questions.KindCoding, 20, 100),
		questions.KindConcept:      items(questions.KindConcept, 20, 200),
		questions.KindBehavioral:   items(questions.KindBehavioral, 20, 300),
		questions.KindSystemDesign: items(questions.KindSystemDesign, 1, 400),
	}
	tests := []struct {
		name      string
		plan      Plan
		wantIDs   []int64 // the due part
		wantKinds map[questions.Kind]int
	}{
		{"defaults", Plan{NewLeft: 10, ReviewsLeft: 100, Mix: mix}, []int64{2, 3, 4, 5, 1},
			map[questions.Kind]int{questions.KindCoding: 4, questions.KindConcept: 4, questions.KindBehavioral: 1, questions.KindSystemDesign: 1}},
		{"review limit keeps the weakest", Plan{NewLeft: 0, ReviewsLeft: 2, Mix: mix}, []int64{2, 3}, map[questions.Kind]int{}},
		{"new limit used up today", Plan{NewLeft: 0, ReviewsLeft: 100, Mix: mix}, []int64{2, 3, 4, 5, 1}, map[questions.Kind]int{}},
		{"a kind without candidates hands its share on", Plan{NewLeft: 10, ReviewsLeft: 0, Mix: map[questions.Kind]int{questions.KindSystemDesign: 90, questions.KindConcept: 10}}, nil,
			map[questions.Kind]int{questions.KindSystemDesign: 1, questions.KindConcept: 9}},
		{"only coding", Plan{NewLeft: 3, ReviewsLeft: 0, Mix: map[questions.Kind]int{questions.KindCoding: 1}}, nil,
			map[questions.Kind]int{questions.KindCoding: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := BuildQueue(due, fresh, tc.plan)
			var ids []int64
			got := map[questions.Kind]int{}
			for _, it := range q {
				if it.New {
					got[it.Kind]++
				} else {
					ids = append(ids, it.QuestionID)
				}
			}
			assert.Equal(t, tc.wantIDs, ids, "due part")
			assert.Equal(t, tc.wantKinds, got, "new questions by kind")
			for i := 1; i < len(q); i++ {
				if q[i].Kind == q[i-1].Kind && q[i].New == q[i-1].New {
					// Only when nothing else was left in this part.
					for _, later := range q[i:] {
						if later.New == q[i].New {
							assert.Equal(t, q[i].Kind, later.Kind, "queue %s: two %s in a row at %d while another kind was waiting", kindsOf(q), q[i].Kind, i)
						}
					}
				}
			}
		})
	}
}

func TestNewQuestionsKeepTheirOrder(t *testing.T) {
	fresh := map[questions.Kind][]Item{questions.KindConcept: items(questions.KindConcept, 5, 1)}
	q := BuildQueue(nil, fresh, Plan{NewLeft: 3, Mix: map[questions.Kind]int{questions.KindConcept: 1}})
	require.Len(t, q, 3)
	for i, it := range q {
		assert.Equal(t, int64(i+1), it.QuestionID)
	}
}

func TestSuggestRating(t *testing.T) {
	tests := []struct {
		name string
		a    Attempt
		want Rating
	}{
		{"never submitted", Attempt{}, Again},
		{"last submission rejected", Attempt{Accepted: []bool{true, false}}, Again},
		{"accepted after a failure", Attempt{Accepted: []bool{false, true}, Took: time.Minute, Estimated: time.Hour}, Hard},
		{"accepted with a hint", Attempt{Accepted: []bool{true}, HintsUsed: 1}, Hard},
		{"accepted first try, quickly", Attempt{Accepted: []bool{true}, Took: 5 * time.Minute, Estimated: 20 * time.Minute}, Easy},
		{"accepted first try", Attempt{Accepted: []bool{true}, Took: 15 * time.Minute, Estimated: 20 * time.Minute}, Good},
		{"accepted, no estimate", Attempt{Accepted: []bool{true}, Took: time.Minute}, Good},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, SuggestRating(tc.a))
		})
	}
}

func TestSettings(t *testing.T) {
	require.Nil(t, DefaultSettings().Validate())
	bad := DefaultSettings()
	bad.DesiredRetention = 0.5
	bad.TimeZone = "Mars/Olympus"
	bad.DayStartHour = 24
	bad.Mix = map[questions.Kind]int{"poetry": 10}
	problems := bad.Validate()
	for _, field := range []string{"desired_retention", "time_zone", "day_start_hour", "mix"} {
		assert.Contains(t, problems, field)
	}

	st := DefaultSettings()
	st.TimeZone = "America/New_York"
	s, err := st.Scheduler()
	require.NoError(t, err)
	ny, _ := time.LoadLocation("America/New_York")
	start, end := s.DayBounds(time.Date(2026, 3, 8, 2, 30, 0, 0, ny))
	assert.Equal(t, time.Date(2026, 3, 7, 4, 0, 0, 0, ny).UTC(), start, "before 4:00 it is still yesterday")
	assert.Equal(t, time.Date(2026, 3, 8, 4, 0, 0, 0, ny).UTC(), end)
	assert.Equal(t, 23*time.Hour, end.Sub(start), "the day DST starts is 23 hours long")
}
