package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func scrape(t *testing.T, url string) string {
	resp, err := http.Get(url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// TestMetrics: requests are counted by route pattern (never by raw path)
// and status, with latency; the events the wiring reports show up; the
// Go and process collectors are there.
func TestMetrics(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "ada@example.com", false)
	for _, path := range []string{"/api/v1/questions/bias-variance-tradeoff", "/api/v1/questions/roc-auc-with-ties", "/api/v1/questions/no-such"} {
		api(t, http.MethodGet, ts.URL+path, token, "", nil)
	}
	api(t, http.MethodPost, ts.URL+"/api/v1/reviews", token, `{"question": "bias-variance-tradeoff", "rating": "good"}`, nil)
	ts.Metrics.ObserveGrading("python", "accepted", 120*time.Millisecond)
	ts.Metrics.ReminderDelivered("email", "sent")
	ts.Metrics.SQLiteError()

	m := scrape(t, ts.URL)
	for _, want := range []string{
		`onsite_http_requests_total{code="200",method="GET",route="/api/v1/questions/:slug"} 2`,
		`onsite_http_requests_total{code="404",method="GET",route="/api/v1/questions/:slug"} 1`,
		`onsite_http_request_duration_seconds_bucket{method="GET",route="/api/v1/questions/:slug",le="+Inf"} 3`,
		`onsite_reviews_total{source="drill"} 1`,
		`onsite_grading_duration_seconds_count{language="python",verdict="accepted"} 1`,
		`onsite_reminder_deliveries_total{channel="email",outcome="sent"} 1`,
		`onsite_sqlite_errors_total 1`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		assert.Contains(t, m, want)
	}
	assert.NotContains(t, m, "bias-variance-tradeoff", "no series per question")
}

// TestReadyz: ready when the database takes writes and, where grading is
// required, when the grader runs with languages; otherwise 503 saying which.
func TestReadyz(t *testing.T) {
	ts := newTestServer(t, func(s *server.Server, db *store.DB) {
		s.Ready = db.CheckWritable
		s.RequireGrader = true
	})
	resp, err := http.Get(ts.URL + "/readyz")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, string(body), "grading disabled")

	ts = newTestServer(t, func(s *server.Server, db *store.DB) {
		s.Ready = func(ctx context.Context) error {
			if err := db.CheckWritable(ctx); err != nil {
				return err
			}
			return db.Close() // the next check finds it closed
		}
	})
	b := newBrowser(t, ts.URL)
	assert.Equal(t, http.StatusOK, b.get("/readyz").Status)
	r := b.get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, r.Status)
	assert.True(t, strings.Contains(r.Body, "takes no writes"), r.Body)
}
