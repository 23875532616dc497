package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
	"golang.org/x/term"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", "serve [flags]",
		"Serves the web app and the JSON API. On start it migrates the database and loads the\nbuilt-in question bank; SIGINT or SIGTERM stop it after in-flight requests finish.")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; use :8080 to listen on every interface")
	dataDir := dataFlag(fs)
	openRegistration := fs.Bool("open-registration", false, "let anyone create an account (the first account can always be created)")
	secureCookies := fs.Bool("secure-cookies", false, "mark cookies Secure; set it behind a reverse proxy that terminates TLS")
	logFormat := fs.String("log-format", "auto", "log format: text, json, or auto (text on a terminal, JSON otherwise)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	workers := fs.Int("grader-workers", runtime.NumCPU(), "submissions graded at once")
	queue := fs.Int("grader-queue", 64, "submissions that may wait for a worker; more get 429")
	rf := addReminderFlags(fs)
	trustProxy := fs.Bool("trust-proxy", false, "take the client's address from X-Forwarded-For (behind a reverse proxy); otherwise the connection's address counts for rate limits")
	submitLimit := fs.Int("rate-limit-submissions", server.DefaultRateLimits.SubmissionsPerMinute, "code submissions per account per minute (ten times as many per address); 0: no limit")
	importLimit := fs.Int("rate-limit-imports", server.DefaultRateLimits.ImportsPerHour, "imports per account per hour (ten times as many per address); 0: no limit")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	logger, err := newLogger(e, *logFormat, *logLevel)
	if err != nil {
		return err
	}

	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	srv := server.New()
	db.OnError = func(error) { srv.Metrics.SQLiteError() }

	qs := store.NewQuestionService(db)
	if err := loadBank(ctx, qs, logger); err != nil {
		return err
	}

	gr := startGrading(ctx, db, *workers, *queue, logger, srv.Metrics.ObserveGrading)
	defer func() {
		if gr != nil {
			gr.Close()
		}
	}()

	srv.Addr = *addr
	srv.Logger = logger
	srv.Users = store.NewUserService(db)
	srv.Sessions = store.NewSessionService(db)
	srv.Tokens = store.NewTokenService(db)
	srv.Questions = qs
	srv.Importer = &questions.Importer{Limits: questions.DefaultArchiveLimits, ReadAnki: store.ReadAnkiCollection}
	srv.Drill = store.NewDrillService(db)
	srv.Interviews = store.NewInterviewService(db)
	srv.Ready = db.CheckWritable
	srv.RequireGrader = true
	reminders, reminder, err := rf.build(db, *addr, logger)
	if err != nil {
		return err
	}
	reminder.OnDelivery = srv.Metrics.ReminderDelivered
	srv.Reminders, srv.Reminder, srv.BaseURL = reminders, reminder, rf.baseURL
	srv.OpenRegistration = *openRegistration
	srv.SecureCookies = *secureCookies
	srv.TrustProxy = *trustProxy
	srv.Limits = server.RateLimits{SubmissionsPerMinute: *submitLimit, ImportsPerHour: *importLimit}
	if gr != nil {
		srv.Submissions = store.NewSubmissionService(db)
		srv.Queue, srv.Waiter, srv.Languages = gr.pool, gr.tracker, gr.langs
	}
	if err := srv.Open(); err != nil {
		return err
	}
	if gr != nil {
		// A killed server leaves gradings queued or running: grade them.
		resumed, failed, err := srv.ResumeGradings(ctx)
		if err != nil {
			logger.Error("resume interrupted gradings", slog.Any("error", err))
		} else if resumed+failed > 0 {
			logger.Info("interrupted gradings", slog.Int("requeued", resumed), slog.Int("failed", failed))
		}
	}
	logger.Info("serving", slog.String("url", srv.URL()), slog.String("database", db.Path))
	remindCtx, stopReminders := context.WithCancel(ctx)
	remindersDone := make(chan struct{})
	if rf.noReminders {
		close(remindersDone)
	} else {
		if rf.baseURL == "" {
			reminders.BaseURL = srv.URL()
		}
		go func() {
			defer close(remindersDone)
			reminder.Run(remindCtx)
		}()
		logger.Info("reminders", slog.Bool("email", reminder.Email != nil), slog.Duration("catch_up", reminder.CatchUp))
	}
	fmt.Fprintf(e.stdout, "onsite is serving %s\n", srv.URL())

	<-ctx.Done()
	logger.Info("shutting down: finishing in-flight requests")
	stopReminders()
	<-remindersDone
	if err := srv.Close(); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if gr != nil {
		if err := gr.Close(); err != nil {
			logger.Warn("close the grader", slog.Any("error", err))
		}
		gr = nil
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// loadBank imports the built-in bank; unchanged questions are left alone,
// so a restart writes nothing.
func loadBank(ctx context.Context, qs questions.Service, logger *slog.Logger) error {
	sets, err := questions.BuiltinSets()
	if err != nil {
		return err
	}
	report, err := qs.ImportSets(ctx, 0, sets)
	if err != nil {
		return fmt.Errorf("load the built-in bank: %w", err)
	}
	logger.Info("built-in bank loaded", slog.Int("sets", len(report.Sets)), slog.Int("created", len(report.Created)),
		slog.Int("updated", len(report.Updated)), slog.Int("unchanged", report.Unchanged), slog.Int("retired", len(report.Retired)))
	return nil
}

func newLogger(e *env, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "auto" {
		format = "json"
		if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	switch format {
	case "text":
		return slog.New(requestIDHandler{slog.NewTextHandler(e.stderr, opts)}), nil
	case "json":
		return slog.New(requestIDHandler{slog.NewJSONHandler(e.stderr, opts)}), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text, json or auto", format)
}

// requestIDHandler adds the request's ID to every record logged with a
// context that carries one: a grading or a store write names the request
// it serves.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := onsite.RequestIDFromContext(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
