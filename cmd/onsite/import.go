package main

import (
	"context"
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
		"Imports question sets in onsite's format, YAML or JSON. A PATH is a .yaml or .json file or\na directory searched for them. Every file is checked first and every problem is listed as\nfile:line: field: problem; if there is any, nothing is imported. Importing the same\nfiles again changes nothing; edited questions are updated in place.")
	dataDir := dataFlag(flags)
	owner := flags.String("owner", "", "email of the account that owns the sets; without it they are public")
	dryRun := flags.Bool("dry-run", false, "check the files and report what would change, without importing")
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
		set, err := questions.ParseYAML(file, data)
		if ve, ok := err.(*questions.ValidationError); ok {
			problems = append(problems, ve.Problems...)
			continue
		} else if err != nil {
			return err
		}
		sets = append(sets, set)
	}
	if len(problems) > 0 {
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
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
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
