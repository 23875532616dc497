package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/drill/notify"
	"github.com/onsite-dev/onsite/store"
)

// reminderFlags are the server-wide reminder settings: the mail server,
// the public address for links, webhooks' reach and the catch-up window.
// Each flag defaults to its ONSITE_* environment variable.
type reminderFlags struct {
	smtp                      notify.SMTP
	smtpPort                  string
	passwordFile              string
	baseURL                   string
	allowPrivate, noReminders bool
	catchUp                   time.Duration
}

func addReminderFlags(fs *flag.FlagSet) *reminderFlags {
	r := &reminderFlags{}
	env := func(name string) string { return os.Getenv("ONSITE_" + name) }
	fs.StringVar(&r.smtp.Host, "smtp-host", env("SMTP_HOST"), "SMTP server for email reminders (env ONSITE_SMTP_HOST); empty: no email")
	fs.StringVar(&r.smtpPort, "smtp-port", env("SMTP_PORT"), "SMTP port (env ONSITE_SMTP_PORT); default 587 for starttls, 465 for tls, 25 for none")
	fs.StringVar(&r.smtp.TLS, "smtp-tls", firstSet(env("SMTP_TLS"), notify.TLSStartTLS), "starttls, tls (implicit, port 465) or none (a local relay) (env ONSITE_SMTP_TLS)")
	fs.StringVar(&r.smtp.User, "smtp-user", env("SMTP_USER"), "SMTP user name (env ONSITE_SMTP_USER)")
	fs.StringVar(&r.passwordFile, "smtp-password-file", env("SMTP_PASSWORD_FILE"), "file holding the SMTP password (env ONSITE_SMTP_PASSWORD_FILE); or set ONSITE_SMTP_PASSWORD")
	fs.StringVar(&r.smtp.From, "smtp-from", env("SMTP_FROM"), `sender of reminder emails, such as "onsite <drill@example.com>" (env ONSITE_SMTP_FROM)`)
	fs.StringVar(&r.baseURL, "base-url", env("BASE_URL"), "the address people reach onsite at, for links in reminders and calendar feeds (env ONSITE_BASE_URL); default http://ADDR")
	fs.BoolVar(&r.allowPrivate, "reminders-allow-private-webhooks", env("REMINDERS_ALLOW_PRIVATE_WEBHOOKS") == "true", "let webhooks reach loopback and private addresses (a receiver on this host or LAN)")
	fs.DurationVar(&r.catchUp, "reminders-catch-up", 6*time.Hour, "after downtime, send today's reminder if its time passed less than this long ago")
	fs.BoolVar(&r.noReminders, "no-reminders", false, "do not send reminders from this process (another one, or cron with onsite remind, does)")
	return r
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// build makes the reminder service and scheduler; with no SMTP host, email
// is off.
func (r *reminderFlags) build(db *store.DB, addr string, logger *slog.Logger) (*store.ReminderService, *drill.Reminders, error) {
	base := r.baseURL
	if base == "" {
		base = "http://" + addr
	}
	svc := store.NewReminderService(db, strings.TrimRight(base, "/"))
	rem := &drill.Reminders{Store: svc, Webhook: &notify.Webhooks{AllowPrivate: r.allowPrivate}, CatchUp: r.catchUp, Logger: logger}
	if r.smtp.Host != "" {
		if r.smtpPort != "" {
			port, err := strconv.Atoi(r.smtpPort)
			if err != nil {
				return nil, nil, onsite.Errorf(onsite.EINVALID, "--smtp-port %q is not a port number", r.smtpPort)
			}
			r.smtp.Port = port
		}
		r.smtp.Password = os.Getenv("ONSITE_SMTP_PASSWORD")
		if r.passwordFile != "" {
			data, err := os.ReadFile(r.passwordFile)
			if err != nil {
				return nil, nil, fmt.Errorf("--smtp-password-file: %w", err)
			}
			r.smtp.Password = strings.TrimRight(string(data), "\r\n")
		}
		if bad := r.smtp.Validate(); bad != nil {
			var msgs []string
			for f, m := range bad {
				msgs = append(msgs, "--smtp-"+f+": "+m)
			}
			return nil, nil, onsite.Errorf(onsite.EINVALID, "%s", strings.Join(msgs, "; "))
		}
		rem.Email = &notify.Mailer{SMTP: r.smtp}
	}
	return svc, rem, nil
}

func runRemind(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "remind", "remind [--dry-run] [--user EMAIL] [flags]",
		"Sends the reminders that are due now, once, and exits: for people who prefer cron\n"+
			"to the scheduler inside onsite serve (run serve with --no-reminders then). Each\n"+
			"reminder still goes out once per day and channel, whichever process sends it.")
	dataDir := dataFlag(fs)
	dryRun := fs.Bool("dry-run", false, "say what would be sent, and send nothing")
	only := fs.String("user", "", "only this account's reminder")
	asJSON := fs.Bool("json", false, "print what happened as JSON")
	rf := addReminderFlags(fs)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	_, rem, err := rf.build(db, "127.0.0.1:8080", slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	var userID int64
	if *only != "" {
		u, err := store.NewUserService(db).FindUserByEmail(ctx, *only)
		if err != nil {
			return err
		}
		userID = u.ID
	}
	out, err := rem.RunOnce(ctx, userID, *dryRun)
	if *asJSON {
		if out == nil {
			out = []drill.Outcome{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		for _, o := range out {
			fmt.Fprintf(e.stdout, "%s %s %s: %s", o.Date, o.Email, firstSet(o.Channel, "-"), o.Status)
			if o.Detail != "" {
				fmt.Fprintf(e.stdout, " (%s)", o.Detail)
			}
			fmt.Fprintln(e.stdout)
		}
		if len(out) == 0 {
			fmt.Fprintln(e.stdout, "no reminder is due now")
		}
	}
	return err
}
