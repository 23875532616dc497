package grader

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type recorder struct {
	mu       sync.Mutex
	started  []string
	finished map[string]*Result
}

func (r *recorder) Started(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = append(r.started, id)
}

func (r *recorder) Finished(id string, res *Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finished[id] = res
}

// TestPoolBoundsWorkAndBacklog: never more gradings at once than workers,
// a full backlog is ETOOMANY, and every accepted job is reported.
func TestPoolBoundsWorkAndBacklog(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	active, peak := 0, 0
	grade := func(ctx context.Context, task Task) (*Result, error) {
		mu.Lock()
		active++
		peak = max(peak, active)
		mu.Unlock()
		<-release
		mu.Lock()
		active--
		mu.Unlock()
		if task.Language == "broken" {
			return nil, onsite.Errorf(onsite.EINTERNAL, "the grader broke")
		}
		return &Result{Verdict: Accepted}, nil
	}
	rec := &recorder{finished: map[string]*Result{}}
	p := NewPool(2, 3, grade, rec)

	ids := []string{"a", "b", "c", "d", "e"}
	for _, id := range ids {
		lang := "python"
		if id == "e" {
			lang = "broken"
		}
		require.NoError(t, p.Submit(context.Background(), Job{ID: id, Task: Task{Language: lang}}))
		time.Sleep(10 * time.Millisecond) // let workers take the first two
	}
	err := p.Submit(context.Background(), Job{ID: "f"})
	assert.Equal(t, onsite.ETOOMANY, onsite.ErrorCode(err), "2 running and 3 waiting: the sixth is refused")
	assert.Equal(t, 3, p.Depth())
	assert.EqualValues(t, 2, p.Running())

	close(release)
	require.NoError(t, p.Close())
	assert.Equal(t, 2, peak, "never more than two at once")
	require.Len(t, rec.finished, 5)
	assert.Equal(t, Accepted, rec.finished["a"].Verdict)
	assert.Equal(t, InternalError, rec.finished["e"].Verdict, "a grader failure is an internal error, not the candidate's")
	assert.Equal(t, "the grader broke", rec.finished["e"].Message)
	assert.Error(t, p.Submit(context.Background(), Job{ID: "g"}), "a closed pool takes nothing")
}
