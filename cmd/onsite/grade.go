package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
)

func runGrade(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "grade", "grade --question SLUG --lang LANG [--mode run|submit] [--json] FILE",
		"Grades a file of code against a question's tests in the sandbox, without a server, and\nprints the verdict per test (or, with --json, the result object the API returns).\nFILE - reads the code from standard input. The exit code is 0 when accepted, 1 otherwise.")
	slug := fs.String("question", "", "the coding question's slug (required)")
	langName := fs.String("lang", "", "the language: python, javascript, go, c, cpp or java (required)")
	mode := fs.String("mode", grader.SubmitSubmit, "run (sample tests) or submit (every test)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dataDir := dataFlag(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if *slug == "" || *langName == "" || fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "onsite grade: --question, --lang and one FILE are required")
		return errUsage
	}
	var code []byte
	var err error
	if fs.Arg(0) == "-" {
		code, err = io.ReadAll(io.LimitReader(e.stdin, grader.MaxCodeBytes+1))
	} else {
		code, err = os.ReadFile(fs.Arg(0))
	}
	if err != nil {
		return err
	}
	if len(code) > grader.MaxCodeBytes {
		return onsite.Errorf(onsite.EINVALID, "the code is over %d KiB", grader.MaxCodeBytes>>10)
	}

	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	qs := store.NewQuestionService(db)
	if err := loadBank(ctx, qs, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	q, err := qs.FindQuestionBySlug(ctx, *slug)
	if err != nil {
		return err
	}
	gr := newGrader(ctx, logger)
	if gr == nil {
		return onsite.Errorf(onsite.EINTERNAL, "the sandbox cannot run on this machine; see the log above")
	}
	defer gr.sandbox.Close()
	if *langName == "go" {
		gr.warmGo(ctx)
	}
	lang, ok := server.FindLanguage(gr.langs, *langName)
	if !ok {
		return onsite.Errorf(onsite.EINVALID, "language %q is not installed here; installed: %s", *langName, gr.languageNames())
	}
	task, err := server.TaskFor(q, lang, *mode)
	if err != nil {
		return err
	}
	task.Code = string(code)
	result, err := gr.grader.Grade(ctx, task)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(result); err != nil {
			return err
		}
	} else {
		printResult(e, q.Slug, result)
	}
	if result.Verdict != grader.Accepted {
		return errNotAccepted
	}
	return nil
}

// errNotAccepted makes grade exit 1 after printing the result.
var errNotAccepted = fmt.Errorf("%w: not accepted", errSilent)

func printResult(e *env, slug string, r *grader.Result) {
	fmt.Fprintf(e.stdout, "%s: %s (%d/%d tests passed, %.1f ms)\n", slug, r.Verdict, r.Passed, r.Total, r.TimeMS)
	for _, t := range r.Tests {
		mark := "ok  "
		if !t.Passed {
			mark = "FAIL"
		}
		kind := "hidden"
		if t.Sample {
			kind = "sample"
		}
		fmt.Fprintf(e.stdout, "  %s test %d (%s) %s %.1f ms\n", mark, t.Index+1, kind, t.Verdict, t.TimeMS)
		if !t.Passed && t.Sample {
			input := strings.ReplaceAll(t.Input, "\n", "\n                ")
			fmt.Fprintf(e.stdout, "       input    %s\n       expected %s\n       actual   %s\n", input, t.Expected, t.Actual)
		}
	}
	if r.CompileOutput != "" {
		fmt.Fprintf(e.stdout, "compiler says:\n%s\n", r.CompileOutput)
	}
	if r.Message != "" {
		fmt.Fprintf(e.stdout, "%s\n", r.Message)
	}
}
