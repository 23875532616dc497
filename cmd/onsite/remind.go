package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
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
type reminderFlags struct {
	fs                        *flag.FlagSet // where each setting came from
	smtp                      notify.SMTP
	smtpPort                  string
	passwordFile              string
	password                  *string // ONSITE_SMTP_PASSWORD or smtp-password in the config file
	baseURL                   string
	allowPrivate, noReminders bool
	catchUp                   time.Duration
}

func addReminderFlags(fs *flag.FlagSet) *reminderFlags {
	r := &reminderFlags{fs: fs}
	fs.StringVar(&r.smtp.Host, "smtp-host", "", "SMTP server for email reminders; empty: no email")
	fs.StringVar(&r.smtpPort, "smtp-port", "", "SMTP port; default 587 for starttls, 465 for tls, 25 for none")
	fs.StringVar(&r.smtp.TLS, "smtp-tls", notify.TLSStartTLS, "starttls, tls (implicit, port 465) or none (a local relay)")
	fs.StringVar(&r.smtp.User, "smtp-user", "", "SMTP user name")
	fs.StringVar(&r.passwordFile, "smtp-password-file", "", "file holding the SMTP password; or set ONSITE_SMTP_PASSWORD, or smtp-password in the --config file")
	r.password = secretSetting(fs, "smtp-password", "the SMTP password")
	fs.StringVar(&r.smtp.From, "smtp-from", "", `sender of reminder emails, such as "onsite <drill@example.com>"`)
	fs.StringVar(&r.baseURL, "base-url", "", "the address people reach onsite at, for links in reminders and calendar feeds; default the address serve listens on")
	fs.BoolVar(&r.allowPrivate, "reminders-allow-private-webhooks", false, "let webhooks reach loopback and private addresses (a receiver on this host or LAN)")
	fs.DurationVar(&r.catchUp, "reminders-catch-up", 6*time.Hour, "after downtime, send today's reminder if its time passed less than this long ago")
	fs.BoolVar(&r.noReminders, "no-reminders", false, "send no reminders from this process (cron runs onsite remind instead)")
	return r
}

// build makes the reminder service and scheduler; with no SMTP host, email
// is off. The unused argument was the environment, which parse reads now.
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
		password, err := r.smtpPassword()
		if err != nil {
			return nil, nil, err
		}
		r.smtp.Password = password
		if bad := r.smtp.Validate(); bad != nil {
			var msgs []string
			for f, m := range bad {
				msgs = append(msgs, "--smtp-"+f+": "+m)
			}
			slices.Sort(msgs)
			return nil, nil, onsite.Errorf(onsite.EINVALID, "%s", strings.Join(msgs, "; "))
		}
		rem.Email = &notify.Mailer{SMTP: r.smtp}
	}
	return svc, rem, nil
}

// smtpPassword is the SMTP password from --smtp-password-file or from
// smtp-password, whichever was set at the higher level (flag, environment,
// config file); the file when both were set at the same level.
func (r *reminderFlags) smtpPassword() (string, error) {
	if r.passwordFile != "" && settingLevel(r.fs, "smtp-password-file") >= settingLevel(r.fs, "smtp-password") {
		data, err := os.ReadFile(r.passwordFile)
		if err != nil {
			return "", fmt.Errorf("--smtp-password-file: %w", err)
		}
		return strings.TrimRight(string(data), "\r\n"), nil
	}
	return *r.password, nil
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
			channel := o.Channel
			if channel == "" {
				channel = "-"
			}
			fmt.Fprintf(e.stdout, "%s %s %s: %s", o.Date, o.Email, channel, o.Status)
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
