package questions

import "context"

// Progress hears how far an import has come: done of total questions
// written.
type Progress func(done, total int)

type progressKey struct{}

// WithProgress returns a context whose imports report their progress to
// fn (the CLI's progress bar).
func WithProgress(ctx context.Context, fn Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// ProgressOf returns the context's Progress, or one that does nothing.
func ProgressOf(ctx context.Context) Progress {
	if fn, ok := ctx.Value(progressKey{}).(Progress); ok && fn != nil {
		return fn
	}
	return func(int, int) {}
}
