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
	flags := newFlagSet(e, "export", "export --set SLUG [--format yaml|json] [-o PATH]",
		"Writes a question set in onsite's own format, ready to edit and import again:\nimporting an exported set unchanged changes nothing.")
	dataDir := dataFlag(flags)
	slug := flags.String("set", "", "the set's slug (onsite sets lists them)")
	format := flags.String("format", "", "yaml or json (default: from the -o file's extension, else yaml)")
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
		if filepath.Ext(*out) == ".json" {
			*format = "json"
		}
	}
	marshal := map[string]func(*questions.Set) ([]byte, error){"yaml": questions.MarshalYAML, "json": questions.MarshalJSON}[*format]
	if marshal == nil {
		fmt.Fprintf(e.stderr, "onsite export: --format %q: use yaml or json\n", *format)
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
	data, err := marshal(set)
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
