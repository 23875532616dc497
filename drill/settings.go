package drill

import (
	"fmt"
	"time"

	"github.com/onsite-dev/onsite/questions"
)

// Settings are one user's drill preferences.
type Settings struct {
	DesiredRetention float64 `json:"desired_retention"`
	NewPerDay        int     `json:"new_per_day"`
	ReviewsPerDay    int     `json:"reviews_per_day"`
	// Mix weighs the kinds of new cards, such as coding 40, concept 40,
	// behavioral 10, system_design 10; a kind left out gets none.
	Mix          map[questions.Kind]int `json:"mix"`
	TimeZone     string                 `json:"time_zone"`
	DayStartHour int                    `json:"day_start_hour"`
}

// DefaultSettings are what a new user starts with.
func DefaultSettings() Settings {
	return Settings{
		DesiredRetention: 0.9,
		NewPerDay:        10,
		ReviewsPerDay:    100,
		Mix: map[questions.Kind]int{
			questions.KindCoding: 35, questions.KindConcept: 40,
			questions.KindBehavioral: 15, questions.KindSystemDesign: 10,
		},
		TimeZone:     "UTC",
		DayStartHour: 4,
	}
}

// Validate returns what is wrong with s, field by field, or nil.
func (s Settings) Validate() map[string]string {
	bad := map[string]string{}
	if s.DesiredRetention < MinRetention || s.DesiredRetention > MaxRetention {
		bad["desired_retention"] = fmt.Sprintf("%.2f is outside %.2f-%.2f; 0.90 is a good start", s.DesiredRetention, MinRetention, MaxRetention)
	}
	if s.NewPerDay < 0 || s.NewPerDay > 500 {
		bad["new_per_day"] = fmt.Sprintf("%d is outside 0-500", s.NewPerDay)
	}
	if s.ReviewsPerDay < 1 || s.ReviewsPerDay > 5000 {
		bad["reviews_per_day"] = fmt.Sprintf("%d is outside 1-5000", s.ReviewsPerDay)
	}
	total := 0
	for k, w := range s.Mix {
		if !k.Valid() {
			bad["mix"] = fmt.Sprintf("%q is not a kind; use coding, concept, behavioral or system_design", k)
		} else if w < 0 || w > 100 {
			bad["mix"] = fmt.Sprintf("%s is weighted %d; use 0-100", k, w)
		}
		total += w
	}
	if _, ok := bad["mix"]; !ok && total == 0 && s.NewPerDay > 0 {
		bad["mix"] = "gives every kind a weight of 0; give at least one kind a weight"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		bad["time_zone"] = fmt.Sprintf("%q is not an IANA time zone such as Europe/Berlin or America/New_York", s.TimeZone)
	}
	if s.DayStartHour < 0 || s.DayStartHour > 23 {
		bad["day_start_hour"] = fmt.Sprintf("%d is outside 0-23", s.DayStartHour)
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

// Scheduler returns the FSRS scheduler for these settings.
func (s Settings) Scheduler() (*Scheduler, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", s.TimeZone, err)
	}
	p := DefaultParams()
	p.DesiredRetention = s.DesiredRetention
	p.Location = loc
	p.DayStartHour = s.DayStartHour
	return NewScheduler(p)
}

// DayBounds returns when the user's day containing now starts and ends.
func (s *Scheduler) DayBounds(now time.Time) (start, end time.Time) {
	lt := now.In(s.p.Location)
	y, m, d := lt.Date()
	start = time.Date(y, m, d, s.p.DayStartHour, 0, 0, 0, s.p.Location)
	if lt.Before(start) {
		start = time.Date(y, m, d-1, s.p.DayStartHour, 0, 0, 0, s.p.Location)
	}
	sy, sm, sd := start.Date()
	end = time.Date(sy, sm, sd+1, s.p.DayStartHour, 0, 0, 0, s.p.Location)
	return start.UTC(), end.UTC()
}
