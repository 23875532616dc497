package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
)

var _ questions.Service = (*QuestionService)(nil)

// QuestionService stores question sets and finds questions. Reads are scoped
// to public sets and the sets of the user in the context.
type QuestionService struct {
	db *DB
}

// NewQuestionService returns a QuestionService over db.
func NewQuestionService(db *DB) *QuestionService {
	return &QuestionService{db: db}
}

// ImportSets writes sets in one transaction; see questions.Service.
func (s *QuestionService) ImportSets(ctx context.Context, ownerID int64, sets []*questions.Set) (*questions.ImportReport, error) {
	return s.importSets(ctx, ownerID, sets, true)
}

// PreviewImport reports what ImportSets would change, and changes nothing:
// the same writes happen in a transaction that is rolled back.
func (s *QuestionService) PreviewImport(ctx context.Context, ownerID int64, sets []*questions.Set) (*questions.ImportReport, error) {
	return s.importSets(ctx, ownerID, sets, false)
}

// importSets writes the sets in one transaction, committed only if commit.
func (s *QuestionService) importSets(ctx context.Context, ownerID int64, sets []*questions.Set, commit bool) (*questions.ImportReport, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	report := &questions.ImportReport{Created: []string{}, Updated: []string{}, Retired: []string{}}
	p := &progress{report: questions.ProgressOf(ctx)}
	for _, set := range sets {
		p.total += len(set.Questions)
	}
	st, err := prepareImport(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer st.close()
	for _, set := range sets {
		if err := importSet(ctx, tx, st, ownerID, set, report, p); err != nil {
			return nil, fmt.Errorf("import set %s: %w", set.Slug, err)
		}
		report.Sets = append(report.Sets, set.Slug)
	}
	if commit {
		if err := tx.Commit(); err != nil {
			return nil, err
		}
	}
	return report, nil
}

// kindData is the kind-specific part of a question and its debrief, stored
// as one JSON object.
func kindData(q *questions.Question) ([]byte, error) {
	part, err := kindPart(q)
	if err != nil {
		return nil, err
	}
	fields := map[string]json.RawMessage{}
	for _, v := range []any{part, &q.Debrief} {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, err
		}
	}
	return json.Marshal(fields)
}

// kindPart points at the kind-specific struct of q.
func kindPart(q *questions.Question) (any, error) {
	switch q.Kind {
	case questions.KindConcept:
		return &q.Concept, nil
	case questions.KindBehavioral:
		return &q.Behavioral, nil
	case questions.KindSystemDesign:
		return &q.SystemDesign, nil
	case questions.KindCoding:
		return &q.Coding, nil
	}
	return nil, fmt.Errorf("question %s: unknown kind %q", q.Slug, q.Kind)
}

func nullableOwner(ownerID int64) any {
	if ownerID == 0 {
		return nil
	}
	return ownerID
}

// progress counts the questions an import has written.
type progress struct {
	report      questions.Progress
	done, total int
}

func (p *progress) step() {
	p.done++
	if p.done%100 == 0 || p.done == p.total {
		p.report(p.done, p.total)
	}
}

// importStmts are the statements an import runs for each question,
// prepared once per import: preparing them again for each of thousands of
// questions costs more than running them.
type importStmts struct {
	insert, update, slugOwner, deleteTopics, insertTopic *sql.Stmt
}

func prepareImport(ctx context.Context, tx *Tx) (*importStmts, error) {
	st := &importStmts{}
	for _, s := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.insert, `INSERT INTO questions (set_id, slug, position, kind, title, prompt, difficulty, topics,
			estimated_minutes, hints, source, license, data, search_text, content_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&st.update, `UPDATE questions SET position = ?, kind = ?, title = ?, prompt = ?, difficulty = ?, topics = ?,
			estimated_minutes = ?, hints = ?, source = ?, license = ?, data = ?, search_text = ?, content_hash = ?, retired = 0, updated_at = ?
			WHERE id = ?`},
		{&st.slugOwner, `SELECT s.slug, s.owner_id FROM questions q JOIN question_sets s ON s.id = q.set_id WHERE q.slug = ?`},
		{&st.deleteTopics, `DELETE FROM question_topics WHERE question_id = ?`},
		{&st.insertTopic, `INSERT OR IGNORE INTO question_topics (topic, question_id) VALUES (?, ?)`},
	} {
		var err error
		if *s.stmt, err = tx.PrepareContext(ctx, s.query); err != nil {
			st.close()
			return nil, err
		}
	}
	return st, nil
}

func (st *importStmts) close() {
	for _, s := range []*sql.Stmt{st.insert, st.update, st.slugOwner, st.deleteTopics, st.insertTopic} {
		if s != nil {
			s.Close()
		}
	}
}

func importSet(ctx context.Context, tx *Tx, st *importStmts, ownerID int64, set *questions.Set, report *questions.ImportReport, p *progress) error {
	now := formatTime(tx.now)
	var setID int64
	var existingOwner sql.NullInt64
	var title, description, license, source, format string
	var version int
	err := tx.QueryRowContext(ctx, `SELECT id, owner_id, title, description, version, license, source, format
		FROM question_sets WHERE slug = ?`, set.Slug).Scan(&setID, &existingOwner, &title, &description, &version, &license, &source, &format)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx, `INSERT INTO question_sets (slug, owner_id, title, description, version, license, source, format, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			set.Slug, nullableOwner(ownerID), set.Title, set.Description, set.Version, set.License, set.Source, set.Format, now, now)
		if err != nil {
			return err
		}
		if setID, err = res.LastInsertId(); err != nil {
			return err
		}
	case err != nil:
		return err
	case existingOwner.Int64 != ownerID:
		return onsite.Errorf(onsite.ECONFLICT, "The set slug %q is already used by another set; choose another slug.", set.Slug)
	case title != set.Title || description != set.Description || version != set.Version ||
		license != set.License || source != set.Source || format != set.Format:
		if _, err := tx.ExecContext(ctx, `UPDATE question_sets SET title = ?, description = ?, version = ?, license = ?, source = ?, format = ?, updated_at = ?
			WHERE id = ?`, set.Title, set.Description, set.Version, set.License, set.Source, set.Format, now, setID); err != nil {
			return err
		}
	}

	type existing struct {
		id       int64
		hash     string
		position int
		retired  bool
	}
	have := map[string]existing{}
	rows, err := tx.QueryContext(ctx, `SELECT id, slug, content_hash, position, retired FROM questions WHERE set_id = ?`, setID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var e existing
		var slug string
		if err := rows.Scan(&e.id, &slug, &e.hash, &e.position, &e.retired); err != nil {
			rows.Close()
			return err
		}
		have[slug] = e
	}
	if err := rows.Close(); err != nil {
		return err
	}

	for i := range set.Questions {
		q := &set.Questions[i]
		p.step()
		hash := q.Hash()
		e, ok := have[q.Slug]
		delete(have, q.Slug)
		if ok && e.hash == hash && !e.retired {
			report.Unchanged++
			report.UnchangedSlugs = append(report.UnchangedSlugs, q.Slug)
			if e.position != i {
				if _, err := tx.ExecContext(ctx, `UPDATE questions SET position = ? WHERE id = ?`, i, e.id); err != nil {
					return err
				}
			}
			continue
		}
		data, err := kindData(q)
		if err != nil {
			return err
		}
		topics, _ := json.Marshal(nonNil(q.Topics))
		hints, _ := json.Marshal(nonNil(q.Hints))
		if ok {
			_, err = st.update.ExecContext(ctx, i, q.Kind, q.Title, q.Prompt, q.Difficulty, string(topics), q.EstimatedMinutes, string(hints),
				q.Source, q.License, string(data), searchText(q), hash, now, e.id)
			if err != nil {
				return err
			}
			q.ID = e.id
			report.Updated = append(report.Updated, q.Slug)
		} else {
			var otherSet string
			var otherOwner sql.NullInt64
			err := st.slugOwner.QueryRowContext(ctx, q.Slug).Scan(&otherSet, &otherOwner)
			if err == nil {
				// Name the other set only when the importer may see it.
				if otherOwner.Valid && otherOwner.Int64 != ownerID {
					return onsite.Errorf(onsite.ECONFLICT, "The question slug %q is already taken; rename the question.", q.Slug)
				}
				return onsite.Errorf(onsite.ECONFLICT, "The question slug %q is already used by the set %q; rename the question.", q.Slug, otherSet)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			res, err := st.insert.ExecContext(ctx, setID, q.Slug, i, q.Kind, q.Title, q.Prompt, q.Difficulty,
				string(topics), q.EstimatedMinutes, string(hints), q.Source, q.License, string(data), searchText(q), hash, now, now)
			if err != nil {
				return err
			}
			if q.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			report.Created = append(report.Created, q.Slug)
		}
		if _, err := st.deleteTopics.ExecContext(ctx, q.ID); err != nil {
			return err
		}
		for _, topic := range q.Topics {
			if _, err := st.insertTopic.ExecContext(ctx, topic, q.ID); err != nil {
				return err
			}
		}
	}
	// Questions dropped from the set are retired, not deleted: cards and
	// submissions of candidates still point at them. They are reported in
	// their old order, so reports read the same every time.
	dropped := make([]string, 0, len(have))
	for slug := range have {
		dropped = append(dropped, slug)
	}
	sort.Slice(dropped, func(i, j int) bool { return have[dropped[i]].position < have[dropped[j]].position })
	for _, slug := range dropped {
		e := have[slug]
		if e.retired {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE questions SET retired = 1, updated_at = ? WHERE id = ?`, now, e.id); err != nil {
			return err
		}
		report.Retired = append(report.Retired, slug)
	}
	return nil
}

// searchText is what the text search matches: the words people type, with
// Unicode case folded here since SQLite only folds ASCII.
func searchText(q *questions.Question) string {
	return strings.ToLower(strings.Join([]string{q.Title, q.Slug, strings.Join(q.Topics, " "), q.Prompt}, "\n"))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// listColumns are what a list of questions shows: no prompt and no
// kind-specific data, which a list never reads and which costs most of the
// time to load (a coding question's tests and solutions).
const listColumns = `q.id, s.slug, COALESCE(s.owner_id, 0), q.slug, q.kind, q.title, q.difficulty, q.topics,
	q.estimated_minutes, q.content_hash, q.retired, q.created_at, q.updated_at`

const questionColumns = `q.id, s.slug, COALESCE(s.owner_id, 0), q.slug, q.kind, q.title, q.prompt, q.difficulty, q.topics,
	q.estimated_minutes, q.hints, CASE q.source WHEN '' THEN s.source ELSE q.source END,
	CASE q.license WHEN '' THEN s.license ELSE q.license END, q.data, q.content_hash, q.retired, q.created_at, q.updated_at`

func scanQuestion(row interface{ Scan(...any) error }) (*questions.Question, error) {
	var q questions.Question
	var topics, hints, data string
	err := row.Scan(&q.ID, &q.Set, &q.OwnerID, &q.Slug, &q.Kind, &q.Title, &q.Prompt, &q.Difficulty, &topics,
		&q.EstimatedMinutes, &hints, &q.Source, &q.License, &data, &q.ContentHash, &q.Retired,
		timeValue{&q.CreatedAt}, timeValue{&q.UpdatedAt})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(topics), &q.Topics); err != nil {
		return nil, fmt.Errorf("question %s topics: %w", q.Slug, err)
	}
	if err := json.Unmarshal([]byte(hints), &q.Hints); err != nil {
		return nil, fmt.Errorf("question %s hints: %w", q.Slug, err)
	}
	part, err := kindPart(&q)
	if err != nil {
		return nil, err
	}
	for _, target := range []any{part, &q.Debrief} {
		if err := json.Unmarshal([]byte(data), target); err != nil {
			return nil, fmt.Errorf("question %s data: %w", q.Slug, err)
		}
	}
	return &q, nil
}

// visible restricts a query on question_sets s to what the context's user
// may see.
func visible(ctx context.Context) (string, []any) {
	return `(s.owner_id IS NULL OR s.owner_id = ?)`, []any{onsite.UserIDFromContext(ctx)}
}

// likePattern escapes LIKE's wildcards in what a user typed.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// FindQuestions returns a page of visible, unretired questions in the order
// of the browser: kind, difficulty, title.
func (s *QuestionService) FindQuestions(ctx context.Context, f questions.Filter) ([]*questions.Question, int, error) {
	where, args := visible(ctx)
	conds := []string{where, "q.retired = 0"}
	if f.Kind != nil {
		conds, args = append(conds, "q.kind = ?"), append(args, *f.Kind)
	}
	if f.Difficulty != nil {
		conds, args = append(conds, "q.difficulty = ?"), append(args, *f.Difficulty)
	}
	if f.Set != nil {
		conds, args = append(conds, "s.slug = ?"), append(args, *f.Set)
	}
	if f.Tag != nil {
		conds, args = append(conds, "EXISTS (SELECT 1 FROM question_topics t WHERE t.question_id = q.id AND t.topic = ?)"), append(args, *f.Tag)
	}
	if f.Query != nil && strings.TrimSpace(*f.Query) != "" {
		for _, word := range strings.Fields(strings.ToLower(*f.Query)) {
			conds, args = append(conds, `q.search_text LIKE ? ESCAPE '\'`), append(args, likePattern(word))
		}
	}
	from := ` FROM questions q JOIN question_sets s ON s.id = q.set_id WHERE ` + strings.Join(conds, " AND ")
	var total int
	if err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	const order = ` ORDER BY CASE q.kind WHEN 'coding' THEN 0 WHEN 'concept' THEN 1 WHEN 'behavioral' THEN 2 ELSE 3 END,
			CASE q.difficulty WHEN 'easy' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, q.title, q.id`
	query := `SELECT ` + listColumns + from + order
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*questions.Question{}
	for rows.Next() {
		var q questions.Question
		var topics string
		if err := rows.Scan(&q.ID, &q.Set, &q.OwnerID, &q.Slug, &q.Kind, &q.Title, &q.Difficulty, &topics,
			&q.EstimatedMinutes, &q.ContentHash, &q.Retired, timeValue{&q.CreatedAt}, timeValue{&q.UpdatedAt}); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(topics), &q.Topics); err != nil {
			return nil, 0, fmt.Errorf("question %s topics: %w", q.Slug, err)
		}
		list = append(list, &q)
	}
	return list, total, rows.Err()
}

// FindQuestionBySlug returns a visible question, retired ones included, so
// that links from old reviews keep working.
func (s *QuestionService) FindQuestionBySlug(ctx context.Context, slug string) (*questions.Question, error) {
	where, args := visible(ctx)
	q, err := scanQuestion(s.db.db.QueryRowContext(ctx, `SELECT `+questionColumns+`
		FROM questions q JOIN question_sets s ON s.id = q.set_id WHERE q.slug = ? AND `+where, append([]any{slug}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Question")
	}
	return q, err
}

// FindSets returns the visible sets with their live question counts.
func (s *QuestionService) FindSets(ctx context.Context) ([]*questions.Set, error) {
	where, args := visible(ctx)
	rows, err := s.db.db.QueryContext(ctx, `SELECT s.id, s.slug, COALESCE(s.owner_id, 0), s.title, s.description, s.version,
		s.license, s.source, s.format, s.created_at, s.updated_at,
		(SELECT COUNT(*) FROM questions q WHERE q.set_id = s.id AND q.retired = 0)
		FROM question_sets s WHERE `+where+` ORDER BY s.owner_id IS NOT NULL, s.title`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sets := []*questions.Set{}
	for rows.Next() {
		var set questions.Set
		if err := rows.Scan(&set.ID, &set.Slug, &set.OwnerID, &set.Title, &set.Description, &set.Version, &set.License,
			&set.Source, &set.Format, timeValue{&set.CreatedAt}, timeValue{&set.UpdatedAt}, &set.QuestionCount); err != nil {
			return nil, err
		}
		sets = append(sets, &set)
	}
	return sets, rows.Err()
}

// ExportSet returns a visible set with its live questions in the set's
// order, as its author would write it: importing the result again changes
// nothing.
func (s *QuestionService) ExportSet(ctx context.Context, slug string) (*questions.Set, error) {
	where, args := visible(ctx)
	var set questions.Set
	err := s.db.db.QueryRowContext(ctx, `SELECT s.id, s.slug, COALESCE(s.owner_id, 0), s.title, s.description, s.version, s.license, s.source, s.format
		FROM question_sets s WHERE s.slug = ? AND `+where, append([]any{slug}, args...)...).
		Scan(&set.ID, &set.Slug, &set.OwnerID, &set.Title, &set.Description, &set.Version, &set.License, &set.Source, &set.Format)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Set")
	} else if err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+questionColumns+` FROM questions q JOIN question_sets s ON s.id = q.set_id
		WHERE q.set_id = ? AND q.retired = 0 ORDER BY q.position`, set.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanQuestion(rows)
		if err != nil {
			return nil, err
		}
		set.Questions = append(set.Questions, *q)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A question inherits the set's source and licence unless it names its
	// own: write only what its author wrote.
	for i := range set.Questions {
		q := &set.Questions[i]
		if err := s.db.db.QueryRowContext(ctx, `SELECT source, license FROM questions WHERE id = ?`, q.ID).Scan(&q.Source, &q.License); err != nil {
			return nil, err
		}
	}
	set.QuestionCount = len(set.Questions)
	return &set, nil
}

// FindTopics counts visible, unretired questions per topic.
func (s *QuestionService) FindTopics(ctx context.Context) ([]questions.Topic, error) {
	where, args := visible(ctx)
	rows, err := s.db.db.QueryContext(ctx, `SELECT t.topic, COUNT(*) FROM question_topics t
		JOIN questions q ON q.id = t.question_id JOIN question_sets s ON s.id = q.set_id
		WHERE q.retired = 0 AND `+where+` GROUP BY t.topic ORDER BY COUNT(*) DESC, t.topic`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	topics := []questions.Topic{}
	for rows.Next() {
		var t questions.Topic
		if err := rows.Scan(&t.Name, &t.Count); err != nil {
			return nil, err
		}
		topics = append(topics, t)
	}
	return topics, rows.Err()
}
