-- Daily drill reminders: each user's settings with their next moment (so
-- the scheduler sleeps until the soonest one, found through an index), and
-- one row per reminder per user, local date and channel: the unique key that
-- makes each go out once, across restarts and processes.

CREATE TABLE reminder_settings (
	user_id        INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	settings       TEXT    NOT NULL, -- drill.ReminderSettings as JSON
	next_at        TEXT,             -- the next reminder moment (UTC); NULL when off
	next_date      TEXT,             -- the user's local date of that moment
	calendar_token TEXT    UNIQUE,   -- the secret in the calendar feed's URL
	updated_at     TEXT    NOT NULL
);
CREATE INDEX reminder_settings_next_at ON reminder_settings (next_at) WHERE next_at IS NOT NULL;

CREATE TABLE reminder_deliveries (
	id              INTEGER PRIMARY KEY,
	user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	local_date      TEXT    NOT NULL,
	channel         TEXT    NOT NULL,
	status          TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'retry', 'failed', 'skipped')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT,             -- a retry's time, or a claim's lease
	last_error      TEXT    NOT NULL DEFAULT '',
	created_at      TEXT    NOT NULL,
	updated_at      TEXT    NOT NULL,
	UNIQUE (user_id, local_date, channel)
);
CREATE INDEX reminder_deliveries_pending ON reminder_deliveries (next_attempt_at) WHERE status IN ('sending', 'retry');
CREATE INDEX reminder_deliveries_user ON reminder_deliveries (user_id, updated_at);
