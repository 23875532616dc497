-- Code sent to the grader and what it said. id is a UUID; result holds the
-- per-test results as JSON.
CREATE TABLE submissions (
	id          TEXT    PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	question_id INTEGER NOT NULL REFERENCES questions (id),
	language    TEXT    NOT NULL,
	code        TEXT    NOT NULL,
	mode        TEXT    NOT NULL CHECK (mode IN ('run', 'submit')),
	input       TEXT,
	status      TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done')),
	verdict     TEXT,
	result      TEXT,
	time_ms     REAL,
	created_at  TEXT    NOT NULL,
	finished_at TEXT
);
CREATE INDEX submissions_user_question ON submissions (user_id, question_id, created_at);
CREATE INDEX submissions_status ON submissions (status) WHERE status <> 'done';
