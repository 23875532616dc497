package grader

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/onsite-dev/onsite"
)

// Job is one task to grade, named by its submission's ID.
type Job struct {
	ID   string
	Task Task
	// RequestID names the request that submitted it, for the logs of its
	// grading.
	RequestID string
}

// Reporter hears what happens to jobs: the store records it, waiters wake.
type Reporter interface {
	Started(id string)
	Finished(id string, result *Result)
}

// Queue takes jobs and grades them somewhere. The local Pool grades them in
// this process; a broker-backed queue can move workers onto other machines
// without the handlers noticing.
type Queue interface {
	// Submit enqueues a job without waiting; a full queue is ETOOMANY.
	Submit(ctx context.Context, job Job) error
	// Close stops taking jobs and waits for the queued and running ones.
	Close() error
}

// GradeFunc grades one task.
type GradeFunc func(ctx context.Context, task Task) (*Result, error)

// ErrQueueFull is returned by Submit when the queue has no room; the API
// answers 429 with Retry-After.
var ErrQueueFull = onsite.Errorf(onsite.ETOOMANY, "The grader is busy: too many submissions are waiting. Try again in a few seconds.")

// Pool is a Queue of a fixed number of workers and a bounded backlog: it
// never runs more gradings at once than it has workers.
type Pool struct {
	jobs     chan Job
	grade    GradeFunc
	reporter Reporter
	wg       sync.WaitGroup
	closing  sync.Once
	mu       sync.RWMutex
	closed   bool
	running  atomic.Int64
}

// NewPool starts workers that grade with grade and tell reporter, with room
// for backlog jobs waiting.
func NewPool(workers, backlog int, grade GradeFunc, reporter Reporter) *Pool {
	p := &Pool{jobs: make(chan Job, max(backlog, 0)), grade: grade, reporter: reporter}
	for range max(workers, 1) {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

func (p *Pool) work() {
	defer p.wg.Done()
	for job := range p.jobs {
		p.running.Add(1)
		p.reporter.Started(job.ID)
		result, err := p.grade(onsite.NewContextWithRequestID(context.Background(), job.RequestID), job.Task)
		if err != nil {
			result = &Result{Verdict: InternalError, Message: onsite.ErrorMessage(err), Tests: []TestResult{}}
		}
		p.running.Add(-1)
		p.reporter.Finished(job.ID, result)
	}
}

// Submit enqueues a job or says the queue is full.
func (p *Pool) Submit(ctx context.Context, job Job) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return errors.New("grader: the queue is closed")
	}
	select {
	case p.jobs <- job:
		return nil
	default:
		return ErrQueueFull
	}
}

// Depth is how many jobs wait; Running how many are being graded.
func (p *Pool) Depth() int     { return len(p.jobs) }
func (p *Pool) Running() int64 { return p.running.Load() }

// Close stops taking jobs and waits for the rest to finish.
func (p *Pool) Close() error {
	p.closing.Do(func() {
		p.mu.Lock()
		p.closed = true
		close(p.jobs)
		p.mu.Unlock()
	})
	p.wg.Wait()
	return nil
}
