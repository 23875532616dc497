package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/store"
)

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "backup", "backup [--data DIR] PATH",
		"Writes a consistent copy of the database to PATH, while onsite serve keeps\n"+
			"running. The copy is checked with SQLite's integrity check and is one file;\n"+
			"an existing file at PATH is never overwritten. Put it back with onsite restore.")
	dataDir := dataFlag(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "onsite backup: name the backup file: onsite backup [--data DIR] PATH")
		return errUsage
	}
	path := fs.Arg(0)
	db, err := openExistingDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, path); err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote a consistent copy of %s to %s (%s, integrity ok)\n", db.Path, path, megabytes(info.Size()))
	return nil
}

func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "restore", "restore [--data DIR] PATH",
		"Replaces the database with the backup at PATH, after checking that the backup\n"+
			"is an intact onsite database. Stop onsite serve first: restore refuses while\n"+
			"anything has the database open. The replaced database is kept beside it as\n"+
			"onsite.db.before-restore.")
	dataDir := dataFlag(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "onsite restore: name the backup file: onsite restore [--data DIR] PATH")
		return errUsage
	}
	backup := fs.Arg(0)
	dbPath := filepath.Join(*dataDir, store.FileName)
	old, err := os.Stat(dbPath)
	hadDB := err == nil
	if err := store.Restore(ctx, backup, dbPath); err != nil {
		return err
	}
	restored, err := os.Stat(dbPath)
	if err != nil {
		return err
	}
	if !hadDB {
		fmt.Fprintf(e.stdout, "restored %s to %s (%s); there was no database before\n", backup, dbPath, megabytes(restored.Size()))
		return nil
	}
	fmt.Fprintf(e.stdout, "replaced %s (%s) with %s (%s); the previous database is kept as %s\n",
		dbPath, megabytes(old.Size()), backup, megabytes(restored.Size()), dbPath+".before-restore")
	return nil
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "check", "check [--data DIR]",
		"Runs SQLite's integrity and foreign key checks on the database and prints each\n"+
			"problem; exits 1 when there is any.")
	dataDir := dataFlag(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "onsite check: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	db, err := openExistingDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	problems, err := db.Check(ctx)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintln(e.stdout, "ok: integrity and foreign keys")
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(e.stdout, p)
	}
	fmt.Fprintf(e.stderr, "onsite check: %d problem(s) in %s\n", len(problems), db.Path)
	return errSilent
}

// openExistingDB is openDB for commands that read a database and would
// mislead by creating an empty one in a mistyped --data directory.
func openExistingDB(ctx context.Context, dataDir string) (*store.DB, error) {
	path := filepath.Join(dataDir, store.FileName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, onsite.Errorf(onsite.ENOTFOUND, "no database at %s: is --data right?", path)
	}
	return openDB(ctx, dataDir)
}

// megabytes formats a file size for people.
func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
