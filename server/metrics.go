package server

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are what /metrics shows Prometheus: HTTP requests by route and
// status with their latency, grading, reviews, reminder deliveries and
// SQLite errors, plus the Go runtime and the process.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	grading      *prometheus.HistogramVec
	rejected     prometheus.Counter
	reviews      *prometheus.CounterVec
	deliveries   *prometheus.CounterVec
	sqliteErrors prometheus.Counter
}

// NewMetrics registers onsite's metrics in a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onsite_http_requests_total",
			Help: "HTTP requests by route, method and status code."}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "onsite_http_request_duration_seconds",
			Help:    "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"route", "method"}),
		grading: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "onsite_grading_duration_seconds",
			Help:    "Time to grade a submission, by language and verdict.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"language", "verdict"}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{Name: "onsite_grading_rejected_total",
			Help: "Submissions refused with 429 because the grading queue was full."}),
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onsite_reviews_total",
			Help: "Reviews recorded, by source (drill, interview, submission)."}, []string{"source"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onsite_reminder_deliveries_total",
			Help: "Reminder deliveries by channel and outcome (sent, retry, failed, skipped)."}, []string{"channel", "outcome"}),
		sqliteErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "onsite_sqlite_errors_total",
			Help: "Errors SQLite returned (busy, I/O, constraint failures that were not expected)."}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.grading, m.rejected, m.reviews, m.deliveries, m.sqliteErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveGrading records one graded submission.
func (m *Metrics) ObserveGrading(language, verdict string, d time.Duration) {
	m.grading.WithLabelValues(language, verdict).Observe(d.Seconds())
}

// ReminderDelivered counts one reminder delivery's outcome.
func (m *Metrics) ReminderDelivered(channel, outcome string) {
	m.deliveries.WithLabelValues(channel, outcome).Inc()
}

// SQLiteError counts an error from the database.
func (m *Metrics) SQLiteError() { m.sqliteErrors.Inc() }

// ReviewRecorded counts a review.
func (m *Metrics) ReviewRecorded(source string) { m.reviews.WithLabelValues(source).Inc() }

// gradingQueue is what a Queue may say about itself (the local Pool does).
type gradingQueue interface {
	Depth() int
	Running() int64
}

// watchQueue shows the grading queue's depth and running jobs, read when
// Prometheus scrapes.
func (m *Metrics) watchQueue(q any) {
	gq, ok := q.(gradingQueue)
	if !ok {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "onsite_grading_queue_depth", Help: "Submissions waiting for a grader."},
			func() float64 { return float64(gq.Depth()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "onsite_grading_running", Help: "Submissions being graded."},
			func() float64 { return float64(gq.Running()) }),
	)
}

// measure counts and times every request by its route pattern (never the
// raw path, which would make a series per question or ID).
func (m *Metrics) measure(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" || route == "/*" {
			route = "unmatched"
		}
		status := c.Response().Status
		if err != nil && !c.Response().Committed {
			// The error handler writes the response after this returns;
			// count the status it will write.
			status = statusOf(err)
		}
		method := c.Request().Method
		m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		return err
	}
}

func (s *Server) handleMetrics() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.Metrics.reg, promhttp.HandlerOpts{}))
}
