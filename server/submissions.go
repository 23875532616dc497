package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/questions"
)

// Language is a language the grader found installed, as the API lists it.
type Language struct {
	Name    string        `json:"name"`
	Title   string        `json:"title"`
	Version string        `json:"version"`
	Modes   []grader.Mode `json:"modes"`
}

// Waiter wakes a request waiting for a submission to finish.
type Waiter interface {
	Wait(id string) (<-chan struct{}, func())
}

// maxWait caps ?wait=true, after which the client polls.
const maxWait = 60 * time.Second

// requireGrader answers 503 when this server runs without a grader.
func (s *Server) requireGrader(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Queue == nil || s.Submissions == nil || s.Waiter == nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "the grader is not running on this server")
		}
		return next(c)
	}
}

func (s *Server) handleLanguageIndex(c echo.Context) error {
	langs := s.Languages
	if langs == nil {
		langs = []Language{}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": langs})
}

// FindLanguage returns the language called name from langs.
func FindLanguage(langs []Language, name string) (Language, bool) {
	i := slices.IndexFunc(langs, func(l Language) bool { return l.Name == name })
	if i < 0 {
		return Language{}, false
	}
	return langs[i], true
}

type submissionRequest struct {
	Question string  `json:"question"`
	Language string  `json:"language"`
	Code     string  `json:"code"`
	Mode     string  `json:"mode"`
	Input    *string `json:"input"`
}

// handleSubmissionCreate queues code for grading and answers with the
// submission; with ?wait=true it answers when grading is done (or after
// maxWait, still running, for the client to poll).
func (s *Server) handleSubmissionCreate(c echo.Context) error {
	ctx := c.Request().Context()
	var req submissionRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return onsite.Errorf(onsite.EINVALID, `Send JSON such as {"question": "two-sum", "language": "python", "code": "...", "mode": "submit"}.`)
	}
	if req.Mode == "" {
		req.Mode = grader.SubmitSubmit
	}
	if req.Mode != grader.SubmitRun && req.Mode != grader.SubmitSubmit {
		return onsite.Errorf(onsite.EINVALID, "mode %q is not a mode; use run (sample tests) or submit (every test).", req.Mode)
	}
	if len(req.Code) > grader.MaxCodeBytes {
		return onsite.Errorf(onsite.EINVALID, "The code is %d bytes; the limit is %d KiB.", len(req.Code), grader.MaxCodeBytes>>10)
	}
	if strings.TrimSpace(req.Code) == "" {
		return onsite.Errorf(onsite.EINVALID, "The code is empty.")
	}
	if req.Input != nil && req.Mode != grader.SubmitRun {
		return onsite.Errorf(onsite.EINVALID, "Custom input goes with mode run; submit always grades the question's own tests.")
	}
	if req.Input != nil && len(*req.Input) > grader.MaxCodeBytes {
		return onsite.Errorf(onsite.EINVALID, "The custom input is %d bytes; the limit is %d KiB.", len(*req.Input), grader.MaxCodeBytes>>10)
	}
	lang, ok := FindLanguage(s.Languages, req.Language)
	if !ok {
		names := make([]string, len(s.Languages))
		for i, l := range s.Languages {
			names[i] = l.Name
		}
		return onsite.Errorf(onsite.EINVALID, "Language %q is not installed on this server; use one of: %s.", req.Language, strings.Join(names, ", "))
	}
	q, err := s.Questions.FindQuestionBySlug(ctx, req.Question)
	if err != nil {
		return err
	}
	sub := &grader.Submission{Question: q.Slug, Language: lang.Name, Code: req.Code, Mode: req.Mode, Input: req.Input}
	task, err := SubmissionTask(q, lang, sub)
	if err != nil {
		return err
	}
	if err := s.Submissions.CreateSubmission(ctx, sub); err != nil {
		return err
	}
	var done <-chan struct{}
	if c.QueryParam("wait") == "true" {
		var stop func()
		done, stop = s.Waiter.Wait(sub.ID)
		defer stop()
	}
	if err := s.Queue.Submit(ctx, grader.Job{ID: sub.ID, Task: task, RequestID: requestID(c)}); err != nil {
		result := &grader.Result{Verdict: grader.InternalError, Message: onsite.ErrorMessage(err), Tests: []grader.TestResult{}}
		if ferr := s.Submissions.FinishSubmission(context.WithoutCancel(ctx), sub.ID, result); ferr != nil {
			return ferr
		}
		var busy *onsite.Error
		if errors.As(err, &busy) && busy.Code == onsite.ETOOMANY {
			s.Metrics.rejected.Inc()
			return &retryAfterError{err: busy, seconds: 5}
		}
		return err
	}
	if done != nil {
		select {
		case <-done:
		case <-time.After(maxWait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	got, err := s.Submissions.FindSubmissionByID(ctx, sub.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, got)
}

func (s *Server) handleSubmissionView(c echo.Context) error {
	sub, err := s.Submissions.FindSubmissionByID(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

// graderSignature is the grader's copy of a question's signature; nil for
// nil.
func graderSignature(f *questions.Signature) *grader.Signature {
	if f == nil {
		return nil
	}
	sig := &grader.Signature{Name: f.Name, Returns: f.Returns}
	for _, p := range f.Params {
		sig.Params = append(sig.Params, grader.Param{Name: p.Name, Type: p.Type})
	}
	return sig
}

// TaskFor maps a coding question to a grading task in a language: run takes
// the sample tests, submit every test. The CLI's grade command uses it too.
func TaskFor(q *questions.Question, lang Language, mode string) (grader.Task, error) {
	if q.Kind != questions.KindCoding {
		return grader.Task{}, onsite.Errorf(onsite.EINVALID, "%q is a %s question; only coding questions are graded.", q.Slug, q.Kind.Label())
	}
	if q.Ungradable != "" {
		return grader.Task{}, onsite.Errorf(onsite.EINVALID, "%q cannot be graded here: %s", q.Slug, q.Ungradable)
	}
	gmode := grader.Mode(q.Mode)
	if !slices.Contains(lang.Modes, gmode) {
		return grader.Task{}, onsite.Errorf(onsite.EINVALID, "%s cannot answer %s-mode questions here.", lang.Title, gmode)
	}
	task := grader.Task{Language: lang.Name, Mode: gmode}
	task.Function = graderSignature(q.Function)
	if q.Comparator != nil {
		task.Comparator = grader.Comparator{Type: q.Comparator.Type, Tolerance: q.Comparator.Tolerance,
			CaseSensitive: q.Comparator.CaseSensitive, SpaceSensitive: q.Comparator.SpaceSensitive}
	}
	if q.Limits != nil {
		task.TimeLimit = time.Duration(q.Limits.TimeMS) * time.Millisecond
		task.MemoryBytes = int64(q.Limits.MemoryMB) << 20
	}
	for _, t := range q.Tests {
		if mode == grader.SubmitRun && !t.Sample {
			continue
		}
		gt := grader.Test{Name: t.Name, Sample: t.Sample, Input: t.Input, Output: t.Output}
		if gmode == grader.ModeFunction {
			args, err := t.Arguments(q.Function)
			if err != nil {
				return grader.Task{}, err
			}
			gt.Args = args
			raw, err := json.Marshal(t.Expected)
			if err != nil {
				return grader.Task{}, err
			}
			gt.Expected = raw
		}
		task.Tests = append(task.Tests, gt)
	}
	return task, nil
}

// SubmissionTask is the grading task of a submission to q: the question's
// tests for its mode, its custom input, its code.
func SubmissionTask(q *questions.Question, lang Language, sub *grader.Submission) (grader.Task, error) {
	task, err := TaskFor(q, lang, sub.Mode)
	if err != nil {
		return grader.Task{}, err
	}
	if sub.Input != nil {
		custom, err := customTest(q, *sub.Input)
		if err != nil {
			return grader.Task{}, err
		}
		task.Tests = append(task.Tests, custom)
	}
	task.Code = sub.Code
	return task, nil
}

// ResumeGradings queues again the submissions a stopped (or killed) server
// left queued or running, so that none stays "running" forever; one that
// cannot be queued again is finished with an internal error saying so.
func (s *Server) ResumeGradings(ctx context.Context) (resumed, failed int, err error) {
	subs, err := s.Submissions.RequeueUnfinishedSubmissions(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, sub := range subs {
		err := s.resume(ctx, sub)
		if err == nil {
			resumed++
			continue
		}
		failed++
		result := &grader.Result{Verdict: grader.InternalError, Tests: []grader.TestResult{},
			Message: "Grading was interrupted by a server restart and could not be resumed (" + onsite.ErrorMessage(err) + "); submit again."}
		if ferr := s.Submissions.FinishSubmission(ctx, sub.ID, result); ferr != nil {
			return resumed, failed, ferr
		}
	}
	return resumed, failed, nil
}

func (s *Server) resume(ctx context.Context, sub *grader.Submission) error {
	if s.Queue == nil {
		return onsite.Errorf(onsite.EINVALID, "grading is not available")
	}
	lang, ok := FindLanguage(s.Languages, sub.Language)
	if !ok {
		return onsite.Errorf(onsite.EINVALID, "%s is no longer installed", sub.Language)
	}
	q, err := s.Questions.FindQuestionBySlug(onsite.NewContextWithUser(ctx, &onsite.User{ID: sub.UserID}), sub.Question)
	if err != nil {
		return err
	}
	task, err := SubmissionTask(q, lang, sub)
	if err != nil {
		return err
	}
	return s.Queue.Submit(ctx, grader.Job{ID: sub.ID, Task: task})
}

// customTest turns the candidate's own input into a test whose output is
// shown, not judged. In function mode the input holds one JSON value per
// line, one line per parameter, as LeetCode's custom test case box does; in
// stdio mode it is the program's standard input.
func customTest(q *questions.Question, input string) (grader.Test, error) {
	t := grader.Test{Name: "custom input", Custom: true}
	if q.Function == nil {
		t.Input = input
		return t, nil
	}
	var lines []string
	for _, l := range strings.Split(input, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	params := q.Function.Params
	if len(lines) != len(params) {
		names := make([]string, len(params))
		for i, p := range params {
			names[i] = p.Name + " (" + p.Type + ")"
		}
		return t, onsite.Errorf(onsite.EINVALID, "Custom input has %d lines but %s takes %d arguments, one JSON value per line: %s.",
			len(lines), q.Function.Name, len(params), strings.Join(names, ", "))
	}
	for i, l := range lines {
		var v any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			return t, onsite.Errorf(onsite.EINVALID, "Custom input line %d (%s) is not a JSON value: %v.", i+1, params[i].Name, err)
		}
		if err := questions.CheckValue(v, params[i].Type); err != nil {
			return t, onsite.Errorf(onsite.EINVALID, "Custom input line %d (%s): %v.", i+1, params[i].Name, err)
		}
		t.Args = append(t.Args, json.RawMessage(l))
	}
	return t, nil
}
