package drill

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/onsite-dev/onsite"
)

// Delivery states.
const (
	// DeliverySending is claimed by a process, until its lease runs out.
	DeliverySending = "sending"
	DeliverySent    = "sent"
	// DeliveryRetry failed and waits for its next attempt.
	DeliveryRetry  = "retry"
	DeliveryFailed = "failed"
	// DeliverySkipped was not sent, for the reason in its error (nothing
	// due, the drill already done).
	DeliverySkipped = "skipped"
)

// Delivery is one reminder on one channel for one user's local day: the
// unique key that makes each go out once.
type Delivery struct {
	UserID      int64     `json:"-"`
	Date        string    `json:"date"`
	Channel     string    `json:"channel"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt_at,omitzero"`
	Error       string    `json:"error,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// DueReminder is a user whose reminder moment has come.
type DueReminder struct {
	User     onsite.User
	Settings ReminderSettings
	// At is the moment, Date the user's local date it belongs to.
	At   time.Time
	Date string
}

// ReminderStore is what the scheduler keeps in the database. Each user's
// next reminder moment is stored (and indexed) so that the scheduler sleeps
// until the soonest one instead of scanning users.
type ReminderStore interface {
	// NextWake returns the soonest stored reminder moment or retry; zero
	// when there is none.
	NextWake(ctx context.Context) (time.Time, error)
	// DueReminders returns the users whose reminder moment is at or before
	// now; userID > 0 limits it to one user.
	DueReminders(ctx context.Context, now time.Time, userID int64) ([]DueReminder, error)
	// AdvanceReminder moves a user's next moment on, from the moment
	// handled (so that two processes handling it agree).
	AdvanceReminder(ctx context.Context, userID int64, handled, next time.Time, date string) error
	// ClaimDelivery creates the delivery of (user, date, channel) as
	// sending until lease; false when it exists already (sent, or claimed
	// by another process).
	ClaimDelivery(ctx context.Context, userID int64, date, channel string, lease time.Time) (bool, error)
	// FinishDelivery records how a claimed delivery ended: sent, retry
	// (at next), failed or skipped, with the error or reason.
	FinishDelivery(ctx context.Context, d Delivery) error
	// ClaimRetries claims the deliveries whose retry time has come or
	// whose lease ran out, until lease, and returns them with their
	// users' settings.
	ClaimRetries(ctx context.Context, now, lease time.Time) ([]DueDelivery, error)
	// ReminderFor builds a user's reminder as of now.
	ReminderFor(ctx context.Context, user *onsite.User, now time.Time) (Reminder, error)
}

// DueDelivery is a claimed delivery to attempt again.
type DueDelivery struct {
	Delivery
	User     onsite.User
	Settings ReminderSettings
}

// ReminderService is the reminders as the pages and the API see them.
type ReminderService interface {
	// FindReminderSettings returns the context user's settings (the
	// defaults when they have none).
	FindReminderSettings(ctx context.Context) (ReminderSettings, error)
	// UpdateReminderSettings validates and stores the settings and the
	// next reminder moment.
	UpdateReminderSettings(ctx context.Context, s ReminderSettings) error
	// CalendarToken returns the secret of the user's calendar feed,
	// making one if needed; reset makes a new one (the old URL stops
	// working).
	CalendarToken(ctx context.Context, reset bool) (string, error)
	// FindUserByCalendarToken returns the feed's owner and settings, or
	// ENOTFOUND.
	FindUserByCalendarToken(ctx context.Context, token string) (*onsite.User, ReminderSettings, error)
	// FindDeliveries returns the user's latest deliveries, newest first.
	FindDeliveries(ctx context.Context, limit int) ([]Delivery, error)
	// ClaimDelivery and FinishDelivery, for the browser channel.
	ClaimDelivery(ctx context.Context, userID int64, date, channel string, lease time.Time) (bool, error)
	FinishDelivery(ctx context.Context, d Delivery) error
	// ReminderFor builds a user's reminder as of now.
	ReminderFor(ctx context.Context, user *onsite.User, now time.Time) (Reminder, error)
}

// EmailSender sends a reminder by email (notify.Mailer).
type EmailSender interface {
	SendReminder(ctx context.Context, to string, r Reminder) error
}

// WebhookSender posts a reminder to a webhook (notify.Webhooks).
type WebhookSender interface {
	SendReminder(ctx context.Context, w Webhook, r Reminder) error
}

// RetryDelays are the waits after each failed attempt: four retries within
// the hour, then the delivery is marked failed.
var RetryDelays = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute}

// Reminders sends the daily reminders. Run sleeps until the soonest
// stored moment; Tick does one round and is what tests drive with a fake
// clock.
type Reminders struct {
	Store ReminderStore
	// Email and Webhook send; nil turns the channel off server-wide.
	Email   EmailSender
	Webhook WebhookSender
	// Now is the clock.
	Now func() time.Time
	// CatchUp is how late a reminder may still go out after downtime
	// (default 6 hours); older ones are skipped, never sent a day late.
	CatchUp time.Duration
	// SendTimeout bounds one attempt (default 30 s).
	SendTimeout time.Duration
	Logger      *slog.Logger
	// OnDelivery hears each delivery's outcome (the metrics).
	OnDelivery func(channel, outcome string)

	wake chan struct{}
	once sync.Once
}

// lease is how long a claimed delivery may take before another process
// may try it.
const lease = 5 * time.Minute

// maxSleep bounds a sleep, so that a changed clock or a moment stored by
// another process is noticed within it.
const maxSleep = time.Hour

func (r *Reminders) init() {
	r.once.Do(func() {
		r.wake = make(chan struct{}, 1)
		if r.Now == nil {
			r.Now = time.Now
		}
		if r.CatchUp == 0 {
			r.CatchUp = 6 * time.Hour
		}
		if r.SendTimeout == 0 {
			r.SendTimeout = 30 * time.Second
		}
		if r.Logger == nil {
			r.Logger = slog.Default()
		}
	})
}

// Wake makes Run look again at once: a user's settings changed.
func (r *Reminders) Wake() {
	r.init()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run sends reminders until ctx ends, sleeping between rounds until the
// soonest stored moment.
func (r *Reminders) Run(ctx context.Context) {
	r.init()
	for {
		next, err := r.Tick(ctx, 0, false)
		if err != nil && ctx.Err() == nil {
			r.Logger.Error("reminders", slog.Any("error", err))
		}
		wait := min(max(next.Sub(r.Now()), 0), maxSleep)
		if next.IsZero() {
			wait = maxSleep
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-r.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// Outcome is what one round did for one user and channel.
type Outcome struct {
	Email   string `json:"email"`
	Date    string `json:"date"`
	Channel string `json:"channel"`
	Status  string `json:"status"`
	Detail  string `json:"detail,omitempty"`
	Subject string `json:"subject,omitempty"`
}

// Tick sends what is due now: every user whose moment has come, and every
// retry whose time has come. With dryRun it claims and sends nothing and
// reports what it would do; userID > 0 limits it to one user. It returns
// when the next round is due. Channels are sent in parallel, so one
// user's slow webhook never delays another's reminder.
func (r *Reminders) Tick(ctx context.Context, userID int64, dryRun bool) (time.Time, error) {
	_, next, err := r.tick(ctx, userID, dryRun)
	return next, err
}

// RunOnce is Tick reporting what it did, for `onsite remind`.
func (r *Reminders) RunOnce(ctx context.Context, userID int64, dryRun bool) ([]Outcome, error) {
	out, _, err := r.tick(ctx, userID, dryRun)
	return out, err
}

func (r *Reminders) tick(ctx context.Context, userID int64, dryRun bool) ([]Outcome, time.Time, error) {
	r.init()
	now := r.Now()
	due, err := r.Store.DueReminders(ctx, now, userID)
	if err != nil {
		return nil, time.Time{}, err
	}
	var (
		mu   sync.Mutex
		out  []Outcome
		wg   sync.WaitGroup
		errs []error
	)
	report := func(o Outcome) {
		mu.Lock()
		out = append(out, o)
		mu.Unlock()
	}
	for _, d := range due {
		if late := now.Sub(d.At); late > r.CatchUp {
			report(Outcome{Email: d.User.Email, Date: d.Date, Status: DeliverySkipped,
				Detail: fmt.Sprintf("missed by %s (the server was down); reminders catch up for %s only", late.Round(time.Minute), r.CatchUp)})
		} else {
			rem, err := r.Store.ReminderFor(ctx, &d.User, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("reminder for user %d: %w", d.User.ID, err))
				continue
			}
			for _, ch := range r.channels(d.Settings) {
				wg.Go(func() {
					o := r.deliver(ctx, d.User, d.Settings, d.Date, ch, rem, dryRun, 0)
					report(o)
				})
			}
		}
		if !dryRun {
			next, date := d.Settings.Next(d.At.Add(time.Minute))
			if err := r.Store.AdvanceReminder(ctx, d.User.ID, d.At, next, date); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if !dryRun {
		retries, err := r.Store.ClaimRetries(ctx, now, now.Add(lease))
		if err != nil {
			errs = append(errs, err)
		}
		for _, dd := range retries {
			if userID > 0 && dd.User.ID != userID {
				continue
			}
			wg.Go(func() {
				rem, err := r.Store.ReminderFor(ctx, &dd.User, now)
				if err != nil {
					dd.Status, dd.Error, dd.NextAttempt = DeliveryRetry, err.Error(), now.Add(time.Minute)
					_ = r.Store.FinishDelivery(ctx, dd.Delivery)
					return
				}
				report(r.deliver(ctx, dd.User, dd.Settings, dd.Date, dd.Channel, rem, false, dd.Attempts))
			})
		}
	}
	wg.Wait()
	next, err := r.Store.NextWake(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	return out, next, errors.Join(errs...)
}

// channels are the channels this server sends the settings' reminder on.
func (r *Reminders) channels(s ReminderSettings) []string {
	var chs []string
	if s.Email && r.Email != nil {
		chs = append(chs, ChannelEmail)
	}
	if s.Webhook != nil && r.Webhook != nil {
		chs = append(chs, ChannelWebhook)
	}
	return chs
}

// deliver sends one channel's reminder once: claimed first (a first
// attempt), skipped when there is nothing to say, retried with backoff on
// failure.
func (r *Reminders) deliver(ctx context.Context, user onsite.User, s ReminderSettings, date, channel string, rem Reminder, dryRun bool, attempts int) Outcome {
	o := Outcome{Email: user.Email, Date: date, Channel: channel, Subject: rem.Subject()}
	now := r.Now()
	quiet := rem.Quiet(s)
	if dryRun {
		o.Status, o.Detail = "would send", ""
		if quiet != "" {
			o.Status, o.Detail = "would skip", quiet
		}
		return o
	}
	if attempts == 0 {
		ok, err := r.Store.ClaimDelivery(ctx, user.ID, date, channel, now.Add(lease))
		if err != nil {
			o.Status, o.Detail = DeliveryFailed, err.Error()
			return o
		}
		if !ok {
			o.Status, o.Detail = "already handled", "another process or an earlier round has it"
			return o
		}
	}
	d := Delivery{UserID: user.ID, Date: date, Channel: channel, Attempts: attempts}
	if quiet != "" {
		d.Status, d.Error = DeliverySkipped, quiet
	} else {
		err := r.Send(ctx, user, s, channel, rem)
		d.Attempts++
		switch {
		case err == nil:
			d.Status = DeliverySent
		case d.Attempts <= len(RetryDelays):
			d.Status, d.Error, d.NextAttempt = DeliveryRetry, err.Error(), now.Add(RetryDelays[d.Attempts-1])
		default:
			d.Status, d.Error = DeliveryFailed, err.Error()
		}
		if err != nil {
			r.Logger.Warn("reminder failed", slog.Int64("user_id", user.ID), slog.String("channel", channel),
				slog.Int("attempt", d.Attempts), slog.String("status", d.Status), slog.Any("error", err))
		}
	}
	if err := r.Store.FinishDelivery(ctx, d); err != nil {
		r.Logger.Error("record reminder", slog.Any("error", err))
	}
	if r.OnDelivery != nil {
		r.OnDelivery(channel, d.Status)
	}
	o.Status, o.Detail = d.Status, d.Error
	return o
}

// Send sends a reminder on one channel now, bounded by SendTimeout: the
// scheduler's attempts and the settings page's test button.
func (r *Reminders) Send(ctx context.Context, user onsite.User, s ReminderSettings, channel string, rem Reminder) error {
	r.init()
	ctx, cancel := context.WithTimeout(ctx, r.SendTimeout)
	defer cancel()
	switch channel {
	case ChannelEmail:
		if r.Email == nil {
			return errors.New("email is not set up on this server; the administrator sets the SMTP server with --smtp-host")
		}
		return r.Email.SendReminder(ctx, user.Email, rem)
	case ChannelWebhook:
		if r.Webhook == nil {
			return errors.New("webhooks are turned off on this server")
		}
		if s.Webhook == nil {
			return errors.New("no webhook is set; enter its URL and save first")
		}
		return r.Webhook.SendReminder(ctx, *s.Webhook, rem)
	}
	return fmt.Errorf("%q is not a channel the server sends on", channel)
}
