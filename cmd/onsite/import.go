package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
	"github.com/onsite-dev/onsite/store"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressFrom is how many questions an import writes before it shows a
// progress bar.
const progressFrom = 500

func runImport(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet(e, "import", "import [flags] PATH...",
		"Imports question sets: onsite's own format (a .yaml or .json file, or a folder of\n"+
			"Markdown files with set.yaml), flashcards in Anki's text format (.csv, .tsv, .txt),\n"+
			"Anki packages (.apkg, .colpkg) and Kattis/ICPC problem packages (a folder with\n"+
			"problem.yaml, a folder of them, or a zip). A PATH is a file, a zip or a folder\n"+
			"searched for all of these. Everything is checked first and every problem is\n"+
			"listed as file:line: field: problem; if there is any, nothing is imported.\n"+
			"Importing the same files again changes nothing; edited questions are updated in\n"+
			"place, and questions missing from a newer version of a set are retired (hidden\n"+
			"from new practice, their history kept).")
	dataDir := dataFlag(flags)
	owner := flags.String("owner", "", "email of the account that owns the sets (private to it)")
	public := flags.Bool("public", false, "make the sets public, for every account (the default without --owner)")
	dryRun := flags.Bool("dry-run", false, "check everything and print the plan (added, updated, unchanged, retired) without importing")
	asJSON := flags.Bool("json", false, `print the report as JSON: {"added": [...], "updated": [...], "unchanged": [...], "retired": [...], "errors": [...], "notes": [...]}`)
	format := flags.String("format", "auto", "auto (by file name and content), "+strings.Join(questions.ImportFormats[1:], ", "))
	showProgress := flags.Bool("progress", isTerminal(e.stderr), "show a progress bar while a large import is written (default: on a terminal)")
	if err := parse(flags, e, args); err != nil {
		return err
	}
	if flags.NArg() == 0 {
		fmt.Fprintln(e.stderr, "onsite import: name at least one file or folder")
		return errUsage
	}
	if *public && *owner != "" {
		fmt.Fprintln(e.stderr, "onsite import: --public and --owner exclude each other: a set is public or belongs to one account")
		return errUsage
	}
	var sources []questions.Source
	for _, p := range flags.Args() {
		sources = append(sources, questions.Source{Name: p, Path: p})
	}
	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	im := &questions.Importer{Limits: questions.DefaultArchiveLimits, ReadAnki: store.ReadAnkiCollection}
	loaded, err := im.Load(ctx, sources, *format)
	var ve *questions.ValidationError
	if errors.As(err, &ve) {
		if *asJSON {
			if err := writeImportJSON(e, nil, *dryRun, ve.Problems); err != nil {
				return err
			}
			return errSilent
		}
		for _, p := range ve.Problems {
			fmt.Fprintln(e.stderr, p.String())
		}
		return onsite.Errorf(onsite.EINVALID, "%d problem(s); nothing was imported", len(ve.Problems))
	} else if err != nil {
		fmt.Fprintf(e.stderr, "onsite import: --format: %v\n", err)
		return errUsage
	}

	var ownerID int64
	if *owner != "" {
		u, err := store.NewUserService(db).FindUserByEmail(ctx, *owner)
		if err != nil {
			return err
		}
		ownerID = u.ID
	}
	total := 0
	for _, s := range loaded.Sets {
		total += len(s.Questions)
	}
	if *showProgress && total >= progressFrom {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("writing questions"), progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30), progressbar.OptionThrottle(0),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(e.stderr) }))
		ctx = questions.WithProgress(ctx, func(done, _ int) { _ = bar.Set(done) })
		defer bar.Finish()
	}
	qs := store.NewQuestionService(db)
	var report *questions.ImportReport
	if *dryRun {
		report, err = qs.PreviewImport(ctx, ownerID, loaded.Sets)
	} else {
		report, err = qs.ImportSets(ctx, ownerID, loaded.Sets)
	}
	if err != nil {
		return err
	}
	report.Notes = loaded.Notes
	if *asJSON {
		return writeImportJSON(e, report, *dryRun, nil)
	}
	printPlan(e, report, *dryRun, len(sources))
	return nil
}

// printPlan prints what an import did, or would do, with counts and slugs.
func printPlan(e *env, r *questions.ImportReport, dryRun bool, sources int) {
	verb := "imported"
	if dryRun {
		verb = "would import"
	}
	fmt.Fprintf(e.stdout, "%s %d set(s) from %d source(s): %d added, %d updated, %d unchanged, %d retired\n",
		verb, len(r.Sets), sources, len(r.Created), len(r.Updated), r.Unchanged, len(r.Retired))
	for _, list := range []struct {
		label string
		slugs []string
	}{{"added", r.Created}, {"updated", r.Updated}, {"retired", r.Retired}} {
		if len(list.slugs) > 0 {
			fmt.Fprintf(e.stdout, "  %s: %s\n", list.label, strings.Join(list.slugs, ", "))
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(e.stdout, "  note: %s\n", n)
	}
	if dryRun {
		fmt.Fprintln(e.stdout, "nothing was written (--dry-run)")
	}
}

// writeImportJSON prints an import's plan, or its errors, as JSON.
func writeImportJSON(e *env, r *questions.ImportReport, dryRun bool, errs []questions.Problem) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(r.Plan(dryRun, errs))
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
