package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
)

// ReminderService stores reminder settings and deliveries; it is both the
// pages' drill.ReminderService and the scheduler's drill.ReminderStore.
type ReminderService struct {
	db    *DB
	drill *DrillService
	// BaseURL is the server's public address, for the drill link in
	// reminders ("http://127.0.0.1:8080").
	BaseURL string
}

// NewReminderService returns a ReminderService on db.
func NewReminderService(db *DB, baseURL string) *ReminderService {
	return &ReminderService{db: db, drill: NewDrillService(db), BaseURL: baseURL}
}

// FindReminderSettings returns the context user's settings, the defaults
// (in the drill's time zone) until they save some.
func (s *ReminderService) FindReminderSettings(ctx context.Context) (drill.ReminderSettings, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return drill.ReminderSettings{}, err
	}
	return s.findSettings(ctx, s.db.db, user.ID)
}

func (s *ReminderService) findSettings(ctx context.Context, q querier, userID int64) (drill.ReminderSettings, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT settings FROM reminder_settings WHERE user_id = ?`, userID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		ds, err := findSettings(ctx, q, userID)
		if err != nil {
			return drill.ReminderSettings{}, err
		}
		return drill.DefaultReminderSettings(ds.TimeZone), nil
	} else if err != nil {
		return drill.ReminderSettings{}, err
	}
	var st drill.ReminderSettings
	return st, json.Unmarshal([]byte(raw), &st)
}

// UpdateReminderSettings validates and stores the context user's settings
// with their next moment.
func (s *ReminderService) UpdateReminderSettings(ctx context.Context, st drill.ReminderSettings) error {
	user, err := requireUser(ctx)
	if err != nil {
		return err
	}
	if bad := st.Validate(); bad != nil {
		return invalidFields(bad)
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		var nextAt, nextDate any
		if st.Enabled {
			at, date := st.Next(tx.now)
			nextAt, nextDate = formatTime(at), date
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO reminder_settings (user_id, settings, next_at, next_date, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, next_at = excluded.next_at,
				next_date = excluded.next_date, updated_at = excluded.updated_at`,
			user.ID, string(raw), nextAt, nextDate, formatTime(tx.now))
		return err
	})
}

// CalendarToken returns the secret of the context user's calendar feed,
// making one when there is none or reset is set.
func (s *ReminderService) CalendarToken(ctx context.Context, reset bool) (string, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return "", err
	}
	var token string
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var current sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT calendar_token FROM reminder_settings WHERE user_id = ?`, user.ID).Scan(&current)
		if err == nil && current.Valid && !reset {
			token = current.String
			return nil
		}
		if errors.Is(err, sql.ErrNoRows) {
			st, err := s.findSettings(ctx, tx, user.ID)
			if err != nil {
				return err
			}
			raw, _ := json.Marshal(st)
			if _, err := tx.ExecContext(ctx, `INSERT INTO reminder_settings (user_id, settings, updated_at) VALUES (?, ?, ?)`,
				user.ID, string(raw), formatTime(tx.now)); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		token = newSecret()
		_, err = tx.ExecContext(ctx, `UPDATE reminder_settings SET calendar_token = ? WHERE user_id = ?`, token, user.ID)
		return err
	})
	return token, err
}

// FindUserByCalendarToken returns the owner of a calendar feed.
func (s *ReminderService) FindUserByCalendarToken(ctx context.Context, token string) (*onsite.User, drill.ReminderSettings, error) {
	var u onsite.User
	var raw string
	err := s.db.db.QueryRowContext(ctx, `SELECT u.id, u.email, u.is_admin, u.created_at, r.settings
		FROM reminder_settings r JOIN users u ON u.id = r.user_id WHERE r.calendar_token = ?`, token).
		Scan(&u.ID, &u.Email, &u.IsAdmin, timeValue{&u.CreatedAt}, &raw)
	if errors.Is(err, sql.ErrNoRows) || token == "" {
		return nil, drill.ReminderSettings{}, onsite.Errorf(onsite.ENOTFOUND, "No calendar feed has this address; copy it again from the reminder settings.")
	} else if err != nil {
		return nil, drill.ReminderSettings{}, err
	}
	var st drill.ReminderSettings
	return &u, st, json.Unmarshal([]byte(raw), &st)
}

// FindDeliveries returns the context user's latest deliveries.
func (s *ReminderService) FindDeliveries(ctx context.Context, limit int) ([]drill.Delivery, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT user_id, local_date, channel, status, attempts, next_attempt_at, last_error, updated_at
		FROM reminder_deliveries WHERE user_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?`, user.ID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []drill.Delivery
	for rows.Next() {
		var d drill.Delivery
		var next *time.Time
		if err := rows.Scan(&d.UserID, &d.Date, &d.Channel, &d.Status, &d.Attempts, timeText{&next}, &d.Error, timeValue{&d.UpdatedAt}); err != nil {
			return nil, err
		}
		if next != nil && d.Status == drill.DeliveryRetry {
			d.NextAttempt = *next
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// NextWake returns the soonest reminder moment or pending retry.
func (s *ReminderService) NextWake(ctx context.Context) (time.Time, error) {
	var at sql.NullString
	err := s.db.db.QueryRowContext(ctx, `SELECT MIN(t) FROM (
			SELECT MIN(next_at) AS t FROM reminder_settings WHERE next_at IS NOT NULL
			UNION ALL
			SELECT MIN(next_attempt_at) FROM reminder_deliveries WHERE status IN ('sending', 'retry'))`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, err
	}
	return time.Parse(timeFormat, at.String)
}

// DueReminders returns the users whose reminder moment has come.
func (s *ReminderService) DueReminders(ctx context.Context, now time.Time, userID int64) ([]drill.DueReminder, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT u.id, u.email, u.is_admin, u.created_at, r.settings, r.next_at, r.next_date
		FROM reminder_settings r JOIN users u ON u.id = r.user_id
		WHERE r.next_at IS NOT NULL AND r.next_at <= ? AND (?2 = 0 OR r.user_id = ?2) ORDER BY r.next_at`, formatTime(now), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []drill.DueReminder
	for rows.Next() {
		var d drill.DueReminder
		var raw string
		if err := rows.Scan(&d.User.ID, &d.User.Email, &d.User.IsAdmin, timeValue{&d.User.CreatedAt}, &raw, timeValue{&d.At}, &d.Date); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(raw), &d.Settings); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// AdvanceReminder moves a user's next moment on, unless another process
// already did (or the user changed their settings since).
func (s *ReminderService) AdvanceReminder(ctx context.Context, userID int64, handled, next time.Time, date string) error {
	_, err := s.db.w.ExecContext(ctx, `UPDATE reminder_settings SET next_at = ?, next_date = ? WHERE user_id = ? AND next_at = ?`,
		formatTime(next), date, userID, formatTime(handled))
	return err
}

// ClaimDelivery creates a delivery as being sent; false when it exists.
func (s *ReminderService) ClaimDelivery(ctx context.Context, userID int64, date, channel string, lease time.Time) (bool, error) {
	now := formatTime(s.db.Now())
	res, err := s.db.w.ExecContext(ctx, `INSERT INTO reminder_deliveries (user_id, local_date, channel, status, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, 'sending', ?, ?, ?) ON CONFLICT (user_id, local_date, channel) DO NOTHING`,
		userID, date, channel, formatTime(lease), now, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishDelivery records how a claimed delivery ended.
func (s *ReminderService) FinishDelivery(ctx context.Context, d drill.Delivery) error {
	var next any
	if d.Status == drill.DeliveryRetry {
		next = formatTime(d.NextAttempt)
	}
	_, err := s.db.w.ExecContext(ctx, `UPDATE reminder_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?
		WHERE user_id = ? AND local_date = ? AND channel = ?`,
		d.Status, d.Attempts, next, d.Error, formatTime(s.db.Now()), d.UserID, d.Date, d.Channel)
	return err
}

// ClaimRetries claims, in one statement, the deliveries whose retry time
// has come or whose claim's lease ran out, so that two processes never
// retry the same one.
func (s *ReminderService) ClaimRetries(ctx context.Context, now, lease time.Time) ([]drill.DueDelivery, error) {
	var out []drill.DueDelivery
	err := s.db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE reminder_deliveries SET status = 'sending', next_attempt_at = ?
			WHERE status IN ('sending', 'retry') AND next_attempt_at <= ? AND channel <> ?
			RETURNING user_id, local_date, channel, attempts, last_error`, formatTime(lease), formatTime(now), drill.ChannelBrowser)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d drill.DueDelivery
			if err := rows.Scan(&d.UserID, &d.Date, &d.Channel, &d.Attempts, &d.Error); err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			d := &out[i]
			if err := tx.QueryRowContext(ctx, `SELECT id, email, is_admin, created_at FROM users WHERE id = ?`, d.UserID).
				Scan(&d.User.ID, &d.User.Email, &d.User.IsAdmin, timeValue{&d.User.CreatedAt}); err != nil {
				return err
			}
			if d.Settings, err = s.findSettings(ctx, tx, d.UserID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ReminderFor builds a user's reminder from their drill as of now.
func (s *ReminderService) ReminderFor(ctx context.Context, user *onsite.User, now time.Time) (drill.Reminder, error) {
	ctx = onsite.NewContextWithUser(ctx, user)
	d, err := s.drill.dayOf(ctx, s.db.db, now)
	if err != nil {
		return drill.Reminder{}, err
	}
	today, err := s.drill.today(ctx, d)
	if err != nil {
		return drill.Reminder{}, err
	}
	streak, err := s.drill.streak(ctx, d)
	if err != nil {
		return drill.Reminder{}, err
	}
	return drill.NewReminder(today, streak, s.BaseURL+"/drill"), nil
}
