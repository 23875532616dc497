package grader

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Tracker is the Reporter that records jobs in the submission store and
// wakes the requests waiting for them (the API's wait=true).
type Tracker struct {
	Store  SubmissionService
	Logger *slog.Logger

	mu      sync.Mutex
	waiters map[string][]chan struct{}
}

// NewTracker returns a Tracker over store.
func NewTracker(store SubmissionService, logger *slog.Logger) *Tracker {
	return &Tracker{Store: store, Logger: logger, waiters: map[string][]chan struct{}{}}
}

// storeTimeout bounds each store write of the tracker, which runs outside
// any request.
const storeTimeout = 10 * time.Second

// Started marks the submission running.
func (t *Tracker) Started(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := t.Store.SetSubmissionStatus(ctx, id, StatusRunning); err != nil {
		t.Logger.Error("record submission running", slog.String("submission", id), slog.Any("error", err))
	}
}

// Finished records the result and wakes the waiters.
func (t *Tracker) Finished(id string, result *Result) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := t.Store.FinishSubmission(ctx, id, result); err != nil {
		t.Logger.Error("record submission result", slog.String("submission", id), slog.Any("error", err))
	}
	t.mu.Lock()
	for _, ch := range t.waiters[id] {
		close(ch)
	}
	delete(t.waiters, id)
	t.mu.Unlock()
}

// Wait returns a channel closed when the submission finishes, and a func
// to call when no longer waiting. Register before reading the submission's
// status, so a finish in between is not missed.
func (t *Tracker) Wait(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	t.mu.Lock()
	t.waiters[id] = append(t.waiters[id], ch)
	t.mu.Unlock()
	return ch, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		list := t.waiters[id]
		for i, c := range list {
			if c == ch {
				t.waiters[id] = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(t.waiters[id]) == 0 {
			delete(t.waiters, id)
		}
	}
}
