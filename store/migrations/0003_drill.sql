-- The daily drill: each user's settings, a card per (user, question) with its
-- FSRS memory state, every review (append-only; an undo marks it undone),
-- and per-day totals kept in the same transaction as each review so that
-- the dashboard never scans the whole review log.

CREATE TABLE drill_settings (
	user_id           INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	desired_retention REAL    NOT NULL CHECK (desired_retention BETWEEN 0.7 AND 0.99),
	new_per_day       INTEGER NOT NULL CHECK (new_per_day >= 0),
	reviews_per_day   INTEGER NOT NULL CHECK (reviews_per_day >= 1),
	mix               TEXT    NOT NULL,
	time_zone         TEXT    NOT NULL,
	day_start_hour    INTEGER NOT NULL CHECK (day_start_hour BETWEEN 0 AND 23),
	updated_at        TEXT    NOT NULL
);

CREATE TABLE cards (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
	state       INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),
	step        INTEGER NOT NULL DEFAULT 0,
	stability   REAL    NOT NULL,
	difficulty  REAL    NOT NULL,
	due         TEXT    NOT NULL,
	last_review TEXT    NOT NULL,
	reps        INTEGER NOT NULL DEFAULT 0,
	lapses      INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT    NOT NULL,
	UNIQUE (user_id, question_id)
);
-- Today's due cards, and the forecast.
CREATE INDEX cards_user_due ON cards (user_id, due);

-- New questions in the order the drill introduces them (easy first, then
-- each set's order), so finding the next ones walks an index and stops.
CREATE INDEX questions_drill_order ON questions
	(kind, (CASE difficulty WHEN 'easy' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END), set_id, position) WHERE retired = 0;

CREATE TABLE reviews (
	id             INTEGER PRIMARY KEY,
	card_id        INTEGER NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
	user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	rating         INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
	reviewed_at    TEXT    NOT NULL,
	day            INTEGER NOT NULL, -- the user's day number (days since 1970-01-01 from their day start)
	state          INTEGER NOT NULL, -- the card's state before the review
	elapsed_days   INTEGER NOT NULL,
	scheduled_days INTEGER NOT NULL,
	duration_ms    INTEGER NOT NULL DEFAULT 0,
	source         TEXT    NOT NULL CHECK (source IN ('drill', 'interview', 'submission')),
	stability      REAL    NOT NULL, -- after the review
	difficulty     REAL    NOT NULL,
	previous       TEXT,             -- the card before the review as JSON, NULL for a new card; undo restores it
	undone         INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1))
);
-- The last review (undo) and a card's history.
CREATE INDEX reviews_user_id ON reviews (user_id, id);
CREATE INDEX reviews_card ON reviews (card_id, id);

CREATE TABLE review_days (
	user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	day           INTEGER NOT NULL,
	kind          TEXT    NOT NULL,
	reviews       INTEGER NOT NULL DEFAULT 0,
	new_cards     INTEGER NOT NULL DEFAULT 0,
	due_reviews   INTEGER NOT NULL DEFAULT 0, -- reviews of cards in the review state
	due_recalled  INTEGER NOT NULL DEFAULT 0, -- of those, rated hard, good or easy
	duration_ms   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, day, kind)
) WITHOUT ROWID;
