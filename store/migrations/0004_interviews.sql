-- Mock interviews: a session per run of a format, its timed rounds, and one
-- row per question asked so that autosaves of different answers (two tabs,
-- a flaky network) never overwrite each other.

CREATE TABLE interviews (
	id              TEXT    PRIMARY KEY,
	user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	format          TEXT    NOT NULL, -- the format as JSON, so later edits to formats do not rewrite history
	status          TEXT    NOT NULL CHECK (status IN ('created', 'in_progress', 'finished', 'abandoned')),
	peer_token_hash TEXT    UNIQUE,
	scorecard       TEXT,
	created_at      TEXT    NOT NULL,
	finished_at     TEXT
);
CREATE INDEX interviews_user ON interviews (user_id, created_at);

CREATE TABLE interview_rounds (
	interview_id TEXT    NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
	idx          INTEGER NOT NULL,
	title        TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	minutes      INTEGER NOT NULL,
	started_at   TEXT,
	deadline     TEXT,
	submitted_at TEXT,
	timed_out    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (interview_id, idx)
) WITHOUT ROWID;

CREATE TABLE interview_answers (
	interview_id TEXT    NOT NULL,
	round_idx    INTEGER NOT NULL,
	position     INTEGER NOT NULL,
	question_id  INTEGER NOT NULL REFERENCES questions (id),
	text         TEXT    NOT NULL DEFAULT '',
	language     TEXT    NOT NULL DEFAULT '',
	code         TEXT    NOT NULL DEFAULT '',
	submission   TEXT    NOT NULL DEFAULT '',
	verdict      TEXT    NOT NULL DEFAULT '',
	passed       INTEGER NOT NULL DEFAULT 0,
	total        INTEGER NOT NULL DEFAULT 0,
	attempts     INTEGER NOT NULL DEFAULT 0,
	covered      TEXT    NOT NULL DEFAULT '[]',
	self_rating  INTEGER NOT NULL DEFAULT 0,
	peer_covered TEXT    NOT NULL DEFAULT '[]',
	peer_signal  TEXT    NOT NULL DEFAULT '',
	peer_notes   TEXT    NOT NULL DEFAULT '',
	updated_at   TEXT    NOT NULL,
	PRIMARY KEY (interview_id, round_idx, position),
	FOREIGN KEY (interview_id, round_idx) REFERENCES interview_rounds (interview_id, idx) ON DELETE CASCADE
) WITHOUT ROWID;
