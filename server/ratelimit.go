package server

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"golang.org/x/time/rate"
)

// limiter allows each key (an IP, an account) a burst of events that refills
// evenly over a window: 10 per 15 minutes is a burst of 10, then one every
// 90 seconds.
type limiter struct {
	mu      sync.Mutex
	burst   int
	every   rate.Limit
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(burst int, window time.Duration) *limiter {
	return &limiter{
		burst:   burst,
		every:   rate.Every(window / time.Duration(burst)),
		buckets: map[string]*bucket{},
	}
}

// wait reports how long key must wait before its next event, without
// spending one; 0 means it may go now.
func (l *limiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		return 0
	}
	tokens := b.lim.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - tokens) / float64(l.every) * float64(time.Second)))
}

// spend records an event for key.
func (l *limiter) spend(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	b.lim.AllowN(now, 1)
}

// reset forgets key, after a successful sign-in for example.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}

// sweep drops buckets that have refilled, so memory stays bounded by the
// keys active within one window.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if b.lim.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// RateLimits bound expensive requests per account; an address may make
// ten times as many (a class behind one NAT shares it). 0 turns a limit
// off.
type RateLimits struct {
	// SubmissionsPerMinute bounds code submissions (run and submit).
	SubmissionsPerMinute int
	// ImportsPerHour bounds imports of question sets.
	ImportsPerHour int
}

// DefaultRateLimits leave room for a fast candidate and stop a script.
var DefaultRateLimits = RateLimits{SubmissionsPerMinute: 60, ImportsPerHour: 60}

// limitPair builds the per-account and per-address limiters for n events
// per window, or nil when n is 0.
func limitPair(n int, window time.Duration) (perUser, perIP *limiter) {
	if n <= 0 {
		return nil, nil
	}
	return newLimiter(n, window), newLimiter(10*n, window)
}

// rateLimit lets a request through when neither its account nor its
// address has run out, and answers 429 with Retry-After otherwise.
func (s *Server) rateLimit(what string, perUser, perIP *limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if perUser == nil {
			return next
		}
		return func(c echo.Context) error {
			now := time.Now()
			userKey, ipKey := "user:"+strconv.FormatInt(onsite.UserIDFromContext(c.Request().Context()), 10), "ip:"+c.RealIP()
			if wait := max(perUser.wait(userKey, now), perIP.wait(ipKey, now)); wait > 0 {
				seconds := int(math.Ceil(wait.Seconds()))
				return &retryAfterError{err: onsite.Errorf(onsite.ETOOMANY, "Too many %s. Try again in %d second(s).", what, seconds), seconds: seconds}
			}
			perUser.spend(userKey, now)
			perIP.spend(ipKey, now)
			return next(c)
		}
	}
}
