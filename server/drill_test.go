package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type todayBody struct {
	Date     string `json:"date"`
	Due      int    `json:"due"`
	New      int    `json:"new"`
	Reviewed int    `json:"reviewed"`
	Queue    []struct {
		Question string `json:"question"`
		Kind     string `json:"kind"`
		New      bool   `json:"new"`
	} `json:"queue"`
}

// TestDrillAPI: today's queue, a review, its undo, the stats and the
// settings, with the errors a client can make.
func TestDrillAPI(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "ada@example.com", false)

	var today todayBody
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/drill/today", token, "", &today))
	require.Len(t, today.Queue, 10, "ten new questions a day by default")
	assert.Equal(t, 10, today.New)
	first := today.Queue[0].Question

	var log struct {
		ID            int64  `json:"id"`
		Rating        string `json:"rating"`
		Before        string `json:"state_before"`
		ScheduledDays int    `json:"scheduled_days"`
	}
	require.Equal(t, http.StatusCreated, api(t, http.MethodPost, ts.URL+"/api/v1/reviews", token,
		`{"question": "`+first+`", "rating": "easy", "duration_ms": 40000}`, &log))
	assert.Equal(t, "easy", log.Rating)
	assert.Equal(t, "new", log.Before)
	assert.Positive(t, log.ScheduledDays, "an easy new card goes straight to review")

	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/drill/today", token, "", &today))
	assert.Equal(t, 1, today.Reviewed)
	assert.Len(t, today.Queue, 9)

	require.Equal(t, http.StatusOK, api(t, http.MethodPost, ts.URL+"/api/v1/reviews/undo", token, "", &log))
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/drill/today", token, "", &today))
	assert.Zero(t, today.Reviewed)
	assert.Equal(t, first, today.Queue[0].Question, "the undone question is first again")

	var stats struct {
		Streak   int                     `json:"streak"`
		Heatmap  []struct{ Date string } `json:"heatmap"`
		Forecast []struct{ Count int }   `json:"forecast"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/stats", token, "", &stats))
	assert.Len(t, stats.Heatmap, 365)
	assert.Len(t, stats.Forecast, 30)

	var settings struct {
		DesiredRetention float64 `json:"desired_retention"`
		NewPerDay        int     `json:"new_per_day"`
		TimeZone         string  `json:"time_zone"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodPut, ts.URL+"/api/v1/drill/settings", token, `{"new_per_day": 3, "time_zone": "Asia/Tokyo"}`, &settings))
	assert.Equal(t, 3, settings.NewPerDay)
	assert.Equal(t, 0.9, settings.DesiredRetention, "fields left out keep their values")
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/drill/today", token, "", &today))
	assert.Len(t, today.Queue, 3)
	require.Equal(t, http.StatusOK, api(t, http.MethodPut, ts.URL+"/api/v1/drill/settings", token, `{"mix": {"behavioral": 1}}`, &settings))
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/drill/today", token, "", &today))
	for _, it := range today.Queue {
		assert.Equal(t, "behavioral", it.Kind, "a mix given replaces the whole mix")
	}

	tests := []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		{"rating out of range", http.MethodPost, "/api/v1/reviews", `{"question": "` + first + `", "rating": 7}`, http.StatusBadRequest, "is not one of again, hard, good, easy"},
		{"unknown question", http.MethodPost, "/api/v1/reviews", `{"question": "nope", "rating": "good"}`, http.StatusNotFound, `No question has the slug "nope"`},
		{"bad source", http.MethodPost, "/api/v1/reviews", `{"question": "` + first + `", "rating": "good", "source": "dream"}`, http.StatusBadRequest, `source "dream"`},
		{"not JSON", http.MethodPost, "/api/v1/reviews", `rating=good`, http.StatusBadRequest, "Send JSON"},
		{"retention too low", http.MethodPut, "/api/v1/drill/settings", `{"desired_retention": 0.5}`, http.StatusBadRequest, "desired_retention: 0.50 is outside 0.70-0.99"},
		{"time zone", http.MethodPut, "/api/v1/drill/settings", `{"time_zone": "Moon/Base"}`, http.StatusBadRequest, `"Moon/Base" is not an IANA time zone`},
		{"nothing to undo", http.MethodPost, "/api/v1/reviews/undo", ``, http.StatusNotFound, "There is no review to undo."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body struct {
				Error struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			assert.Equal(t, tc.status, api(t, tc.method, ts.URL+tc.path, token, tc.body, &body))
			assert.Contains(t, body.Error.Message, tc.message)
		})
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/drill/today", token, "", &today))
	assert.Zero(t, today.Reviewed, "refused reviews record nothing")

	var suggestion struct {
		Rating string `json:"rating"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodPost, ts.URL+"/api/v1/drill/suggest", token,
		`{"question": "precision-recall-f1", "accepted": [false, true], "took_ms": 60000}`, &suggestion))
	assert.Equal(t, "hard", suggestion.Rating, "accepted after a failed submission")
}

// TestDrillPages: the drill page shows one card with the waits each rating
// would schedule, rating it moves on, undo comes back; the dashboard and the
// settings page work as forms do.
func TestDrillPages(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "ada@example.com", false)
	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}}).Status)

	page := b.get("/drill")
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, "10 new")
	for _, want := range []string{`value="1"`, `value="4"`, "Again", "Easy", `class="rating-wait">1m<`} {
		assert.Contains(t, page.Body, want)
	}
	slug := regexp.MustCompile(`name="question" value="([a-z0-9-]+)"`).FindStringSubmatch(page.Body)
	require.NotNil(t, slug)

	r := b.submit("/drill", "/drill/review", url.Values{"question": {slug[1]}, "rating": {"3"}, "shown_at": {"0"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	page = b.get("/drill")
	assert.Contains(t, page.Body, "1 done today")
	assert.Contains(t, page.Body, "Undo the last rating")

	r = b.submit("/drill", "/drill/review", url.Values{"question": {slug[1]}, "rating": {"9"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "Choose a rating")

	require.Equal(t, http.StatusSeeOther, b.submit("/drill", "/drill/undo", url.Values{}).Status)
	assert.Contains(t, b.get("/drill").Body, "0 done today")

	dash := b.get("/dashboard")
	require.Equal(t, http.StatusOK, dash.Status)
	assert.Contains(t, dash.Body, `<svg class="heatmap"`)
	assert.Equal(t, 365, len(regexp.MustCompile(`<rect x="\d+" y="\d+" width="10"`).FindAllString(dash.Body, -1)), "a year of heatmap days")
	assert.True(t, strings.Contains(dash.Body, "Start today's drill"), "the dashboard links to the drill")

	r = b.submit("/settings/drill", "/settings/drill", url.Values{"desired_retention": {"0.5"}, "new_per_day": {"5"}, "reviews_per_day": {"100"},
		"mix_coding": {"1"}, "mix_concept": {"1"}, "mix_behavioral": {"0"}, "mix_system_design": {"0"}, "time_zone": {"Europe/Paris"}, "day_start_hour": {"4"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "Nothing was saved")
	assert.Contains(t, r.Body, "0.50 is outside 0.70-0.99")
	assert.Contains(t, r.Body, `value="Europe/Paris"`, "the form keeps what was typed")

	r = b.submit("/settings/drill", "/settings/drill", url.Values{"desired_retention": {"0.85"}, "new_per_day": {"2"}, "reviews_per_day": {"100"},
		"mix_coding": {"0"}, "mix_concept": {"1"}, "mix_behavioral": {"0"}, "mix_system_design": {"0"}, "time_zone": {"Europe/Paris"}, "day_start_hour": {"5"}})
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Body, "Saved.")
	page = b.get("/drill")
	assert.Contains(t, page.Body, "2 new")
	assert.Contains(t, page.Body, `data-kind="concept"`, "only concept questions are new now")
}
