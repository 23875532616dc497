package server

import (
	"math"
	"sync"
	"time"

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
