package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/store"
	"golang.org/x/term"
)

func runUsers(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return runUsersCreate(ctx, e, args[1:])
		case "list":
			return runUsersList(ctx, e, args[1:])
		case "set-password":
			return runUsersSetPassword(ctx, e, args[1:])
		case "-h", "--help", "help":
			usersUsage(e.stderr)
			return nil
		}
	}
	usersUsage(e.stderr)
	return errUsage
}

func usersUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: onsite users COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	fmt.Fprintln(w, "  create        create an account (the first account is an admin)")
	fmt.Fprintln(w, "  list          list the accounts")
	fmt.Fprintln(w, "  set-password  set a new password for an account and sign it out everywhere")
}

func runUsersCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "users create", "users create --email EMAIL [--admin] [--password-stdin] [flags]",
		"Creates an account. The password is asked for on the terminal, or read from the first\nline of standard input with --password-stdin.")
	email := fs.String("email", "", "the account's email (required)")
	admin := fs.Bool("admin", false, "make the account an admin")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	dataDir := dataFlag(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(e.stderr, "onsite users create: --email is required")
		return errUsage
	}
	if err := onsite.ValidateEmail(*email); err != nil {
		return err
	}
	password, err := readPassword(e, *passwordStdin)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := store.NewUserService(db).CreateUser(ctx, onsite.NewUser{Email: *email, Password: password, Admin: *admin})
	if err != nil {
		return err
	}
	role := "candidate"
	if u.IsAdmin {
		role = "admin"
	}
	fmt.Fprintf(e.stdout, "created %s (%s, id %d)\n", u.Email, role, u.ID)
	return nil
}

func runUsersSetPassword(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "users set-password", "users set-password --email EMAIL [--password-stdin] [flags]",
		"Sets a new password for an account, for someone who forgot theirs, and signs that account\nout of every browser. The password is asked for on the terminal, or read from the first\nline of standard input with --password-stdin.")
	email := fs.String("email", "", "the account's email (required)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	dataDir := dataFlag(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(e.stderr, "onsite users set-password: --email is required")
		return errUsage
	}
	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	users := store.NewUserService(db)
	u, err := users.FindUserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	password, err := readPassword(e, *passwordStdin)
	if err != nil {
		return err
	}
	if err := users.SetPassword(ctx, u.ID, password); err != nil {
		return err
	}
	if err := store.NewSessionService(db).DeleteUserSessions(ctx, u.ID, ""); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password set for %s; their browsers are signed out\n", u.Email)
	return nil
}

// readPassword takes the password from stdin's first line, or asks twice on
// the terminal without echoing it.
func readPassword(e *env, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
		password := strings.TrimRight(line, "\r\n")
		if password == "" {
			return "", onsite.Errorf(onsite.EINVALID, "standard input held no password; pipe one in, such as: printf '%%s\\n' \"$PW\" | onsite users create --email E --password-stdin")
		}
		return password, onsite.ValidatePassword(password)
	}
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", onsite.Errorf(onsite.EINVALID, "no terminal to ask for the password on; pass it on standard input with --password-stdin")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	password, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	if err := onsite.ValidatePassword(password); err != nil {
		return "", err
	}
	again, err := ask("Password again: ")
	if err != nil {
		return "", err
	}
	if again != password {
		return "", onsite.Errorf(onsite.EINVALID, "the two passwords differ; run the command again")
	}
	return password, nil
}

func runUsersList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "users list", "users list [flags]", "Lists the accounts, oldest first.")
	dataDir := dataFlag(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := store.NewUserService(db).FindUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tCREATED")
	for _, u := range users {
		role := "candidate"
		if u.IsAdmin {
			role = "admin"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", u.ID, u.Email, role, u.CreatedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}
