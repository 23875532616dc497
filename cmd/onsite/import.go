package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
	"github.com/onsite-dev/onsite/store"
)

func runImport(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet(e, "import", "import [flags] PATH...",
		"Imports question sets in onsite's format (YAML or JSON) or flashcards in Anki's text\nformat (.csv, .tsv, .txt: front, back, tags; Anki's #separator, #html, #columns,\n#tags column, #guid column and #deck headers). A PATH is a file or a directory searched\nfor them. Every file is checked first and every problem is listed as\nfile:line: field: problem; if there is any, nothing is imported. Importing the same\nfiles again changes nothing; edited questions are updated in place.")
	dataDir := dataFlag(flags)
	owner := flags.String("owner", "", "email of the account that owns the sets; without it they are public")
	dryRun := flags.Bool("dry-run", false, "check the files and report what would change, without importing")
	asJSON := flags.Bool("json", false, `print the report as JSON: {"added": [...], "updated": [...], "unchanged": [...], "retired": [...], "errors": [...]}`)
	format := flags.String("format", "auto", "auto (by file extension), yaml, json, or csv (Anki-style flashcards; also .tsv and .txt)")
	if err := parse(flags, e, args); err != nil {
		return err
	}
	if flags.NArg() == 0 {
		fmt.Fprintln(e.stderr, "onsite import: name at least one file or directory")
		return errUsage
	}
	files, err := setFiles(flags.Args())
	if err != nil {
		return err
	}
	var sets []*questions.Set
	var problems []questions.Problem
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		parse := questions.ParseYAML
		if f := formatOf(*format, file); f == "csv" {
			parse = questions.ParseCSV
		} else if f == "" {
			fmt.Fprintf(e.stderr, "onsite import: --format %q: use auto, yaml, json or csv\n", *format)
			return errUsage
		}
		set, err := parse(file, data)
		if ve, ok := err.(*questions.ValidationError); ok {
			problems = append(problems, ve.Problems...)
			continue
		} else if err != nil {
			return err
		}
		sets = append(sets, set)
	}
	if len(problems) > 0 {
		if *asJSON {
			errs := make([]string, len(problems))
			for i, p := range problems {
				errs[i] = p.String()
			}
			if err := writeImportJSON(e, nil, errs); err != nil {
				return err
			}
			return errSilent
		}
		for _, p := range problems {
			fmt.Fprintln(e.stderr, p.String())
		}
		return onsite.Errorf(onsite.EINVALID, "%d problem(s) in %d file(s); nothing was imported", len(problems), len(files))
	}

	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	var ownerID int64
	if *owner != "" {
		u, err := store.NewUserService(db).FindUserByEmail(ctx, *owner)
		if err != nil {
			return err
		}
		ownerID = u.ID
	}
	qs := store.NewQuestionService(db)
	var report *questions.ImportReport
	if *dryRun {
		report, err = qs.PreviewImport(ctx, ownerID, sets)
	} else {
		report, err = qs.ImportSets(ctx, ownerID, sets)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeImportJSON(e, report, []string{})
	}
	verb := "imported"
	if *dryRun {
		verb = "would import"
	}
	fmt.Fprintf(e.stdout, "%s %d set(s) from %d file(s): %d created, %d updated, %d unchanged, %d retired\n",
		verb, len(report.Sets), len(files), len(report.Created), len(report.Updated), report.Unchanged, len(report.Retired))
	for _, list := range []struct {
		label string
		slugs []string
	}{{"created", report.Created}, {"updated", report.Updated}, {"retired", report.Retired}} {
		if len(list.slugs) > 0 {
			fmt.Fprintf(e.stdout, "  %s: %s\n", list.label, strings.Join(list.slugs, ", "))
		}
	}
	return nil
}

// writeImportJSON prints an import's report (or its errors) as one JSON
// object naming every question.
func writeImportJSON(e *env, r *questions.ImportReport, errs []string) error {
	if r == nil {
		r = &questions.ImportReport{}
	}
	list := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{
		"added": list(r.Created), "updated": list(r.Updated), "unchanged": list(r.UnchangedSlugs),
		"retired": list(r.Retired), "errors": errs,
	})
}

// formatOf is the parser a file takes: "yaml" (which reads JSON too) or
// "csv", by the --format flag or the file's extension; "" for an unknown
// flag value.
func formatOf(flag, file string) string {
	switch flag {
	case "yaml", "json":
		return "yaml"
	case "csv":
		return "csv"
	case "auto":
		switch strings.ToLower(filepath.Ext(file)) {
		case ".csv", ".tsv", ".txt":
			return "csv"
		}
		return "yaml"
	}
	return ""
}

// setFiles expands the paths into question-set files, directories searched
// for .yaml, .yml and .json files in name order.
func setFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		n := len(files)
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json" || ext == ".csv" || ext == ".tsv") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(files) == n {
			return nil, onsite.Errorf(onsite.EINVALID, "%s holds no .yaml or .yml files", p)
		}
	}
	return files, nil
}
