package main

import (
	"context"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/grader/sandbox"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
)

// graderSetup is the sandbox and the grader over the languages found.
type graderSetup struct {
	sandbox *sandbox.Sandbox
	grader  *grader.Grader
	gocache string
	langs   []server.Language
	logger  *slog.Logger
}

// newGrader builds the sandbox and finds the languages. Without user
// namespaces it returns nil and logs why.
func newGrader(ctx context.Context, logger *slog.Logger) *graderSetup {
	gocache := grader.DefaultGoCache()
	if err := os.MkdirAll(gocache, 0o755); err != nil {
		logger.Error("grading disabled: cannot create the Go build cache", slog.Any("error", err))
		return nil
	}
	sb, err := sandbox.New(sandbox.Config{OverlayPaths: []string{gocache}, TmpSize: 256 << 20, Logger: logger})
	if err != nil {
		logger.Error("grading disabled: the sandbox cannot run on this machine (it needs user namespaces)", slog.Any("error", err))
		return nil
	}
	if err := sb.CgroupError(); err != nil {
		logger.Warn("grading without memory and process limits: cgroups are not writable", slog.Any("error", err))
	}
	found, failed := grader.CheckInSandbox(ctx, sb, grader.Discover(ctx))
	for _, name := range slices.Sorted(maps.Keys(failed)) {
		logger.Warn("language left out: installed here but it does not run in the sandbox", slog.String("language", name), slog.Any("error", failed[name]))
	}
	if len(found) == 0 && len(failed) > 0 {
		logger.Error("grading disabled: no language runs in the sandbox (it needs user namespaces; see the warnings above)")
		sb.Close()
		return nil
	}
	gs := &graderSetup{sandbox: sb, grader: grader.New(sb, found, grader.Config{GoCache: gocache}), gocache: gocache, logger: logger}
	if err := sb.GiveToBoxes(gocache); err != nil {
		logger.Warn("Go build cache not handed to boxes", slog.Any("error", err))
	}
	for _, l := range found {
		gs.langs = append(gs.langs, server.Language{Name: l.Name, Title: l.Title, Version: l.Version, Modes: l.Modes})
	}
	return gs
}

// warmGo fills the shared Go build cache (about 15 s the first time on 2
// cores; the cache under the temporary directory keeps it quick after).
func (gs *graderSetup) warmGo(ctx context.Context) {
	start := time.Now()
	if err := gs.grader.WarmGoCache(ctx); err != nil {
		gs.logger.Warn("Go build cache not warmed", slog.Any("error", err))
		return
	}
	if err := gs.sandbox.GiveToBoxes(gs.gocache); err != nil {
		gs.logger.Warn("Go build cache not handed to boxes", slog.Any("error", err))
		return
	}
	gs.logger.Info("Go build cache warm", slog.Duration("took", time.Since(start)))
}

func (gs *graderSetup) languageNames() string {
	names := make([]string, len(gs.langs))
	for i, l := range gs.langs {
		names[i] = l.Name
	}
	return strings.Join(names, ", ")
}

// grading is the grader as serve runs it: a worker pool and the tracker
// that records results and wakes waiting requests.
type grading struct {
	*graderSetup
	pool    *grader.Pool
	tracker *grader.Tracker
}

// startGrading builds the grader for serve, or returns nil when the sandbox
// cannot run: the server then answers grading requests with 503.
func startGrading(ctx context.Context, db *store.DB, workers, backlog int, logger *slog.Logger, observe func(language, verdict string, d time.Duration)) *grading {
	gs := newGrader(ctx, logger)
	if gs == nil {
		return nil
	}
	// Go answers graded while the cache warms just compile more.
	go gs.warmGo(context.Background())
	gr := &grading{graderSetup: gs, tracker: grader.NewTracker(store.NewSubmissionService(db), logger)}
	grade := func(ctx context.Context, task grader.Task) (*grader.Result, error) {
		start := time.Now()
		result, err := gs.grader.Grade(ctx, task)
		verdict := string(grader.InternalError)
		if err != nil {
			// The candidate sees an internal error; the details are here.
			logger.ErrorContext(ctx, "grading failed", slog.String("language", task.Language), slog.Any("error", err))
		} else {
			verdict = string(result.Verdict)
		}
		if observe != nil {
			observe(task.Language, verdict, time.Since(start))
		}
		return result, err
	}
	gr.pool = grader.NewPool(workers, backlog, grade, gr.tracker)
	logger.Info("grader ready", slog.Int("workers", workers), slog.Int("queue", backlog), slog.String("languages", gs.languageNames()))
	return gr
}

// Close finishes the queued gradings and removes the sandbox's cgroups.
func (g *grading) Close() error {
	g.pool.Close()
	return g.sandbox.Close()
}
