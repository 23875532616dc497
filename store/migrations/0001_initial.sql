-- Accounts, browser sessions, API tokens, question sets and questions.
-- Times are UTC text, 2006-01-02T15:04:05.000Z, so they sort as they compare.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	password_hash TEXT    NOT NULL,
	is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
	created_at    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL
);

CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash   TEXT    NOT NULL UNIQUE,
	created_at   TEXT    NOT NULL,
	last_seen_at TEXT    NOT NULL,
	expires_at   TEXT    NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT    NOT NULL,
	prefix       TEXT    NOT NULL,
	token_hash   TEXT    NOT NULL UNIQUE,
	created_at   TEXT    NOT NULL,
	last_used_at TEXT
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

-- owner_id is NULL for public sets (the built-in bank, CLI imports).
CREATE TABLE question_sets (
	id          INTEGER PRIMARY KEY,
	slug        TEXT    NOT NULL UNIQUE,
	owner_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
	title       TEXT    NOT NULL,
	description TEXT    NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 0,
	license     TEXT    NOT NULL DEFAULT '',
	source      TEXT    NOT NULL DEFAULT '',
	format      TEXT    NOT NULL,
	created_at  TEXT    NOT NULL,
	updated_at  TEXT    NOT NULL
);
CREATE INDEX question_sets_owner_id ON question_sets (owner_id);

-- data holds the kind-specific part of a question as JSON; search_text is
-- its title, slug, topics and prompt lowercased by Go, because SQLite's LIKE
-- folds only ASCII case.
CREATE TABLE questions (
	id                INTEGER PRIMARY KEY,
	set_id            INTEGER NOT NULL REFERENCES question_sets (id) ON DELETE CASCADE,
	slug              TEXT    NOT NULL UNIQUE,
	position          INTEGER NOT NULL,
	kind              TEXT    NOT NULL CHECK (kind IN ('coding', 'concept', 'behavioral', 'system_design')),
	title             TEXT    NOT NULL,
	prompt            TEXT    NOT NULL,
	difficulty        TEXT    NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
	topics            TEXT    NOT NULL DEFAULT '[]',
	estimated_minutes INTEGER NOT NULL DEFAULT 0,
	hints             TEXT    NOT NULL DEFAULT '[]',
	source            TEXT    NOT NULL DEFAULT '',
	license           TEXT    NOT NULL DEFAULT '',
	data              TEXT    NOT NULL DEFAULT '{}',
	search_text       TEXT    NOT NULL DEFAULT '',
	content_hash      TEXT    NOT NULL,
	retired           INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
	created_at        TEXT    NOT NULL,
	updated_at        TEXT    NOT NULL
);
CREATE INDEX questions_set_id ON questions (set_id, position);
CREATE INDEX questions_kind ON questions (kind, difficulty);

CREATE TABLE question_topics (
	topic       TEXT    NOT NULL,
	question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
	PRIMARY KEY (topic, question_id)
) WITHOUT ROWID;
CREATE INDEX question_topics_question_id ON question_topics (question_id);
