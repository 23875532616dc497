package main

import (
	"context"
	"fmt"

	"github.com/onsite-dev/onsite/store"
)

func runTokens(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "create" {
		return runTokensCreate(ctx, e, args[1:])
	}
	fmt.Fprintln(e.stderr, "Usage: onsite tokens create --email EMAIL --name NAME [flags]")
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		return nil
	}
	return errUsage
}

func runTokensCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "tokens create", "tokens create --email EMAIL --name NAME [flags]",
		"Creates an API token for an account and prints it once; only its hash is stored.\nSend it as: Authorization: Bearer <token>.")
	email := fs.String("email", "", "the account the token acts as (required)")
	name := fs.String("name", "", "what the token is for, such as \"laptop cron\" (required)")
	dataDir := dataFlag(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		fmt.Fprintln(e.stderr, "onsite tokens create: --email and --name are required")
		return errUsage
	}
	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	user, err := store.NewUserService(db).FindUserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	t, err := store.NewTokenService(db).CreateToken(ctx, user.ID, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, t.Token)
	fmt.Fprintf(e.stderr, "Token %q for %s created. Copy it now: it is not shown again.\n", t.Name, user.Email)
	return nil
}
