package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/grader/sandbox"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
)

// grading is the grader as serve runs it: the sandbox, the languages found,
// the worker pool and the tracker that records results.
type grading struct {
	sandbox *sandbox.Sandbox
	pool    *grader.Pool
	tracker *grader.Tracker
	langs   []server.Language
}

// startGrading builds the grader. Without user namespaces it returns nil and
// logs why: the server then answers grading requests with 503.
func startGrading(ctx context.Context, db *store.DB, workers, backlog int, logger *slog.Logger) *grading {
	gocache := filepath.Join(os.TempDir(), "onsite-gocache")
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
	found := grader.Discover(ctx)
	g := grader.New(sb, found, grader.Config{GoCache: gocache})
	if err := sb.GiveToBoxes(gocache); err != nil {
		logger.Warn("Go build cache not handed to boxes", slog.Any("error", err))
	}
	go func() {
		// Warming takes about 15 s the first time on 2 cores, then the
		// cache under the temporary directory makes it quick; Go answers
		// graded meanwhile just compile more.
		start := time.Now()
		if err := g.WarmGoCache(context.Background()); err != nil {
			logger.Warn("Go build cache not warmed", slog.Any("error", err))
			return
		}
		if err := sb.GiveToBoxes(gocache); err != nil {
			logger.Warn("Go build cache not handed to boxes", slog.Any("error", err))
			return
		}
		logger.Info("Go build cache warm", slog.Duration("took", time.Since(start)))
	}()

	gr := &grading{sandbox: sb, tracker: grader.NewTracker(store.NewSubmissionService(db), logger)}
	grade := func(ctx context.Context, task grader.Task) (*grader.Result, error) {
		result, err := g.Grade(ctx, task)
		if err != nil {
			// The candidate sees an internal error; the details are here.
			logger.Error("grading failed", slog.String("language", task.Language), slog.Any("error", err))
		}
		return result, err
	}
	gr.pool = grader.NewPool(workers, backlog, grade, gr.tracker)
	names := []string{}
	for _, l := range found {
		gr.langs = append(gr.langs, server.Language{Name: l.Name, Title: l.Title, Version: l.Version, Modes: l.Modes})
		names = append(names, l.Name+" "+l.Version)
	}
	logger.Info("grader ready", slog.Int("workers", workers), slog.Int("queue", backlog), slog.Any("languages", names))
	return gr
}

// Close finishes the queued gradings and removes the sandbox's cgroups.
func (g *grading) Close() error {
	g.pool.Close()
	return g.sandbox.Close()
}
