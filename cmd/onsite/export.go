package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
	"github.com/onsite-dev/onsite/store"
)

func runExport(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet(e, "export", "export --set SLUG [--format yaml|json|md] [-o PATH]",
		"Writes a question set in onsite's own format, ready to edit and import again:\n"+
			"importing an exported set unchanged changes nothing. md writes a folder of\n"+
			"Markdown files (set.yaml and one .md per question) at -o, or a zip of it when\n"+
			"-o ends in .zip.")
	dataDir := dataFlag(flags)
	slug := flags.String("set", "", "the set's slug (onsite sets lists them)")
	format := flags.String("format", "", "yaml, json or md (default: from -o: .json is json, .zip or a folder is md, else yaml)")
	out := flags.String("o", "", "write to this file instead of standard output")
	owner := flags.String("owner", "", "email of the account whose private set to export")
	if err := parse(flags, e, args); err != nil {
		return err
	}
	if *slug == "" || flags.NArg() > 0 {
		fmt.Fprintln(e.stderr, "onsite export: name the set with --set SLUG")
		return errUsage
	}
	if *format == "" {
		*format = "yaml"
		if info, err := os.Stat(*out); err == nil && info.IsDir() {
			*format = "md"
		}
		switch filepath.Ext(*out) {
		case ".json":
			*format = "json"
		case ".zip":
			*format = "md"
		}
	}
	marshal := map[string]func(*questions.Set) ([]byte, error){"yaml": questions.MarshalYAML, "json": questions.MarshalJSON, "md": nil}
	if _, ok := marshal[*format]; !ok {
		fmt.Fprintf(e.stderr, "onsite export: --format %q: use yaml, json or md\n", *format)
		return errUsage
	}
	if *format == "md" && *out == "" {
		fmt.Fprintln(e.stderr, "onsite export: --format md writes a folder: name it (or a .zip) with -o")
		return errUsage
	}
	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if *owner != "" {
		u, err := store.NewUserService(db).FindUserByEmail(ctx, *owner)
		if err != nil {
			return err
		}
		ctx = onsite.NewContextWithUser(ctx, u)
	}
	set, err := store.NewQuestionService(db).ExportSet(ctx, *slug)
	if err != nil {
		return err
	}
	if *format == "md" {
		return writeMarkdownSet(e, set, *out)
	}
	data, err := marshal[*format](set)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = e.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d questions of %s to %s\n", len(set.Questions), set.Slug, *out)
	return nil
}

// writeMarkdownSet writes a set as a Markdown folder at out, or as a zip of
// that folder when out ends in .zip. An existing folder keeps files the
// set does not write.
func writeMarkdownSet(e *env, set *questions.Set, out string) error {
	files, err := questions.MarshalMarkdown(set)
	if err != nil {
		return err
	}
	if filepath.Ext(out) == ".zip" {
		data, err := questions.ZipFolder(set.Slug, files)
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return err
		}
	} else {
		for name, data := range files {
			p := filepath.Join(out, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(e.stderr, "wrote %d questions of %s to %s\n", len(set.Questions), set.Slug, out)
	return nil
}
