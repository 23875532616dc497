package drill

import (
	"context"
	"time"

	"github.com/onsite-dev/onsite/questions"
)

// Source is where a review comes from.
type Source string

// The sources of reviews.
const (
	FromDrill      Source = "drill"
	FromInterview  Source = "interview"
	FromSubmission Source = "submission"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	return s == FromDrill || s == FromInterview || s == FromSubmission
}

// ReviewInput is one rating as a client sends it.
type ReviewInput struct {
	Question string        `json:"question"`
	Rating   Rating        `json:"rating"`
	Duration time.Duration `json:"-"`
	Source   Source        `json:"source"`
}

// ReviewLog is one recorded review: the rating, when, and the card after it.
type ReviewLog struct {
	ID            int64     `json:"id"`
	Question      string    `json:"question"`
	Rating        Rating    `json:"rating"`
	ReviewedAt    time.Time `json:"reviewed_at"`
	ElapsedDays   int       `json:"elapsed_days"`
	ScheduledDays int       `json:"scheduled_days"`
	DurationMS    int64     `json:"duration_ms"`
	Source        Source    `json:"source"`
	// Before is the card's state before the review.
	Before State     `json:"state_before"`
	Card   Card      `json:"-"`
	Due    time.Time `json:"due"`
}

// Today is the user's drill for the day they are in.
type Today struct {
	// Date is the user's local date of the drill day.
	Date string `json:"date"`
	// Due and New count what the queue holds of each; Reviewed counts
	// today's reviews so far.
	Due      int `json:"due"`
	New      int `json:"new"`
	Reviewed int `json:"reviewed"`
	// Later counts learning cards that come back later today.
	Later   int    `json:"later"`
	Minutes int    `json:"estimated_minutes"`
	Queue   []Item `json:"queue"`
}

// Stats is the dashboard.
type Stats struct {
	Today     Today                         `json:"today"`
	Streak    int                           `json:"streak"`
	Heatmap   []DayCount                    `json:"heatmap"`
	Forecast  []DayCount                    `json:"forecast"`
	Retention map[questions.Kind]*Retention `json:"retention"`
	Weakest   []TopicStrength               `json:"weakest_topics"`
	Cards     int                           `json:"cards"`
}

// DayCount is a count on one of the user's days.
type DayCount struct {
	Date  string `json:"date"`
	Count int    `json:"count"`
}

// Retention is how often due cards of a kind were recalled in the last 30
// days.
type Retention struct {
	Reviews  int     `json:"reviews"`
	Recalled int     `json:"recalled"`
	Rate     float64 `json:"rate"`
}

// TopicStrength is the mean retrievability of a user's cards on a topic a
// week from now.
type TopicStrength struct {
	Topic          string  `json:"topic"`
	Cards          int     `json:"cards"`
	Retrievability float64 `json:"retrievability"`
}

// Service stores cards and reviews for the context's user.
type Service interface {
	FindSettings(ctx context.Context) (Settings, error)
	UpdateSettings(ctx context.Context, s Settings) error
	FindToday(ctx context.Context) (*Today, error)
	RecordReview(ctx context.Context, in ReviewInput) (*ReviewLog, error)
	UndoReview(ctx context.Context) (*ReviewLog, error)
	FindStats(ctx context.Context) (*Stats, error)
}
