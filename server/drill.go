package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

// requireDrill answers 503 when this server runs without the drill.
func (s *Server) requireDrill(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Drill == nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "the drill is not set up on this server")
		}
		return next(c)
	}
}

// reviewRequest is the body of POST /api/v1/reviews.
type reviewRequest struct {
	Question   string       `json:"question"`
	Rating     drill.Rating `json:"rating"`
	DurationMS int64        `json:"duration_ms"`
	Source     drill.Source `json:"source"`
}

func (s *Server) handleDrillToday(c echo.Context) error {
	today, err := s.Drill.FindToday(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, today)
}

func (s *Server) handleReviewCreate(c echo.Context) error {
	var req reviewRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return onsite.Errorf(onsite.EINVALID, `Send JSON such as {"question": "bias-variance-tradeoff", "rating": "good", "duration_ms": 42000}; %v.`, err)
	}
	log, err := s.Drill.RecordReview(c.Request().Context(), drill.ReviewInput{Question: req.Question, Rating: req.Rating,
		Duration: time.Duration(req.DurationMS) * time.Millisecond, Source: req.Source})
	if err != nil {
		return err
	}
	s.Metrics.ReviewRecorded(string(log.Source))
	return c.JSON(http.StatusCreated, log)
}

func (s *Server) handleReviewUndo(c echo.Context) error {
	log, err := s.Drill.UndoReview(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, log)
}

func (s *Server) handleStats(c echo.Context) error {
	stats, err := s.Drill.FindStats(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, stats)
}

func (s *Server) handleDrillSettings(c echo.Context) error {
	st, err := s.Drill.FindSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) handleDrillSettingsUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := s.Drill.FindSettings(ctx)
	if err != nil {
		return err
	}
	// Fields left out keep their values; a mix given replaces the mix.
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err == nil && fields["mix"] != nil {
		st.Mix = nil
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return onsite.Errorf(onsite.EINVALID, "Send the settings as JSON, such as {\"new_per_day\": 15}: %v.", err)
	}
	if err := s.Drill.UpdateSettings(ctx, st); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// suggestRequest reports how a coding card went in the drill.
type suggestRequest struct {
	Question  string `json:"question"`
	Accepted  []bool `json:"accepted"`
	HintsUsed int    `json:"hints_used"`
	TookMS    int64  `json:"took_ms"`
}

// handleSuggest proposes a rating for a coding card from its submissions.
func (s *Server) handleSuggest(c echo.Context) error {
	var req suggestRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return onsite.Errorf(onsite.EINVALID, `Send JSON such as {"question": "two-sum", "accepted": [false, true], "hints_used": 0, "took_ms": 600000}.`)
	}
	q, err := s.Questions.FindQuestionBySlug(c.Request().Context(), req.Question)
	if err != nil {
		return err
	}
	r := drill.SuggestRating(drill.Attempt{Accepted: req.Accepted, HintsUsed: req.HintsUsed,
		Took: time.Duration(req.TookMS) * time.Millisecond, Estimated: time.Duration(q.EstimatedMinutes) * time.Minute})
	return c.JSON(http.StatusOK, map[string]any{"rating": r, "number": int(r)})
}

// ratingButton is one of the four buttons under a revealed card, with the
// wait that rating would schedule.
type ratingButton struct {
	Rating drill.Rating
	Number int
	Label  string
	Wait   string
}

// drillPage shows one card of today's queue, or that the day is done.
type drillPage struct {
	Today    *drill.Today
	Item     *drill.Item
	Question questionPage
	Buttons  []ratingButton
	ShownAt  int64
	Error    string
}

// waitText writes a wait the way the rating buttons show it: 10m, 3h, 2d,
// 4mo, 1.5y.
func waitText(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", max(int(d.Round(time.Minute)/time.Minute), 1))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Round(time.Hour)/time.Hour))
	case d < 31*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Round(24*time.Hour)/(24*time.Hour)))
	case d < 365*24*time.Hour:
		return fmt.Sprintf("%.1fmo", d.Hours()/24/30.4)
	}
	return fmt.Sprintf("%.1fy", d.Hours()/24/365)
}

func (s *Server) handleDrillPage(c echo.Context) error {
	return s.renderDrill(c, http.StatusOK, "")
}

func (s *Server) renderDrill(c echo.Context, status int, errMsg string) error {
	ctx := c.Request().Context()
	today, err := s.Drill.FindToday(ctx)
	if err != nil {
		return err
	}
	page := drillPage{Today: today, Error: errMsg, ShownAt: time.Now().UnixMilli()}
	if len(today.Queue) > 0 {
		item := today.Queue[0]
		page.Item = &item
		q, err := s.Questions.FindQuestionBySlug(ctx, item.Slug)
		if err != nil {
			return err
		}
		v, full := s.viewFor(currentUser(c), q)
		page.Question = s.questionPageFor(c, q, v, full)
		st, err := s.Drill.FindSettings(ctx)
		if err != nil {
			return err
		}
		sched, err := st.Scheduler()
		if err != nil {
			return err
		}
		card := drill.Card{}
		if item.Card != nil {
			card = *item.Card
		}
		now := time.Now()
		for _, r := range drill.Ratings {
			next := sched.Next(card, r, now)
			page.Buttons = append(page.Buttons, ratingButton{Rating: r, Number: int(r), Label: ratingLabels[r], Wait: waitText(next.Due.Sub(now))})
		}
	}
	return s.render(c, status, "drill", "Drill", page)
}

var ratingLabels = map[drill.Rating]string{drill.Again: "Again", drill.Hard: "Hard", drill.Good: "Good", drill.Easy: "Easy"}

// handleDrillReview records the rating a drill page sent, then shows the
// next card.
func (s *Server) handleDrillReview(c echo.Context) error {
	r, err := drill.ParseRating(c.FormValue("rating"))
	if err != nil {
		return s.renderDrill(c, http.StatusBadRequest, "Choose a rating: "+err.Error()+".")
	}
	in := drill.ReviewInput{Question: c.FormValue("question"), Rating: r, Source: drill.FromDrill}
	if shown, err := strconv.ParseInt(c.FormValue("shown_at"), 10, 64); err == nil {
		// Time spent on the card, capped so a card left open overnight
		// does not distort the estimates.
		took := time.Since(time.UnixMilli(shown))
		in.Duration = min(max(took, 0), 30*time.Minute)
	}
	if _, err := s.Drill.RecordReview(c.Request().Context(), in); err != nil {
		if code := onsite.ErrorCode(err); code == onsite.EINVALID || code == onsite.ENOTFOUND {
			return s.renderDrill(c, http.StatusBadRequest, onsite.ErrorMessage(err))
		}
		return err
	}
	s.Metrics.ReviewRecorded(string(drill.FromDrill))
	return c.Redirect(http.StatusSeeOther, "/drill")
}

func (s *Server) handleDrillUndo(c echo.Context) error {
	if _, err := s.Drill.UndoReview(c.Request().Context()); err != nil {
		if onsite.ErrorCode(err) == onsite.ENOTFOUND {
			return s.renderDrill(c, http.StatusOK, onsite.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/drill")
}

// heatCell is one day of the dashboard's heatmap.
type heatCell struct {
	X, Y  int
	Level int
	Title string
}

// forecastBar is one day of the forecast chart.
type forecastBar struct {
	X, Y, Height int
	Title        string
	Label        string
}

// dashboardPage is the drill dashboard.
type dashboardPage struct {
	Stats     *drill.Stats
	Heat      []heatCell
	Bars      []forecastBar
	Retention []retentionRow
	Reviews   int
}

type retentionRow struct {
	Kind    questions.Kind
	Reviews int
	Percent string
}

func (s *Server) handleDashboardPage(c echo.Context) error {
	stats, err := s.Drill.FindStats(c.Request().Context())
	if err != nil {
		return err
	}
	page := dashboardPage{Stats: stats}
	// The heatmap is 53 weeks of columns, Monday at the top, today last.
	maxCount := 0
	for _, d := range stats.Heatmap {
		maxCount = max(maxCount, d.Count)
		page.Reviews += d.Count
	}
	offset := 0
	if n := len(stats.Heatmap); n > 0 {
		last, _ := time.Parse("2006-01-02", stats.Heatmap[n-1].Date)
		offset = (int(last.Weekday())+6)%7 - (n-1)%7
	}
	for i, d := range stats.Heatmap {
		pos := i + offset
		if pos < 0 {
			pos += 7
		}
		level := 0
		if d.Count > 0 {
			level = min(4, 1+3*d.Count/maxCount)
		}
		page.Heat = append(page.Heat, heatCell{X: (pos / 7) * 12, Y: (pos % 7) * 12, Level: level,
			Title: fmt.Sprintf("%s: %d reviews", d.Date, d.Count)})
	}
	maxDue := 1
	for _, d := range stats.Forecast {
		maxDue = max(maxDue, d.Count)
	}
	for i, d := range stats.Forecast {
		h := 80 * d.Count / maxDue
		label := ""
		if i%7 == 0 {
			label = d.Date[5:]
		}
		page.Bars = append(page.Bars, forecastBar{X: i * 14, Y: 80 - h, Height: h, Title: fmt.Sprintf("%s: %d due", d.Date, d.Count), Label: label})
	}
	for _, k := range questions.Kinds {
		row := retentionRow{Kind: k, Percent: "–"}
		if r := stats.Retention[k]; r != nil && r.Reviews > 0 {
			row.Reviews = r.Reviews
			row.Percent = fmt.Sprintf("%.0f%%", 100*r.Rate)
		}
		page.Retention = append(page.Retention, row)
	}
	return s.render(c, http.StatusOK, "dashboard", "Dashboard", page)
}

// settingsPage is the drill settings form.
type settingsPage struct {
	Settings drill.Settings
	Kinds    []questions.Kind
	Hours    []int
	Errors   map[string]string
	Saved    bool
}

func (s *Server) handleDrillSettingsPage(c echo.Context) error {
	st, err := s.Drill.FindSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "drill-settings", "Drill settings", newSettingsPage(st))
}

func newSettingsPage(st drill.Settings) settingsPage {
	hours := make([]int, 24)
	for i := range hours {
		hours[i] = i
	}
	return settingsPage{Settings: st, Kinds: questions.Kinds, Hours: hours}
}

func (s *Server) handleDrillSettingsSave(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := s.Drill.FindSettings(ctx)
	if err != nil {
		return err
	}
	bad := map[string]string{}
	number := func(field string, dst *int) {
		v, err := strconv.Atoi(c.FormValue(field))
		if err != nil {
			bad[field] = "is not a whole number"
			return
		}
		*dst = v
	}
	if v, err := strconv.ParseFloat(c.FormValue("desired_retention"), 64); err != nil {
		bad["desired_retention"] = "is not a number such as 0.90"
	} else {
		st.DesiredRetention = v
	}
	number("new_per_day", &st.NewPerDay)
	number("reviews_per_day", &st.ReviewsPerDay)
	number("day_start_hour", &st.DayStartHour)
	st.Mix = map[questions.Kind]int{}
	for _, k := range questions.Kinds {
		var w int
		number("mix_"+string(k), &w)
		st.Mix[k] = w
	}
	st.TimeZone = c.FormValue("time_zone")
	for f, msg := range st.Validate() {
		bad[f] = msg
	}
	page := newSettingsPage(st)
	if len(bad) > 0 {
		page.Errors = bad
		return s.render(c, http.StatusBadRequest, "drill-settings", "Drill settings", page)
	}
	if err := s.Drill.UpdateSettings(ctx, st); err != nil {
		return err
	}
	page.Saved = true
	return s.render(c, http.StatusOK, "drill-settings", "Drill settings", page)
}
