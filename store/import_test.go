package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dumpTables returns every row of the question tables as text, to show that
// an import or a preview wrote nothing.
func dumpTables(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	for _, table := range []string{"question_sets", "questions", "question_topics"} {
		rows, err := db.db.Query(`SELECT * FROM ` + table)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			out = append(out, fmt.Sprint(table, vals))
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	return out
}

// emptyReport is the report of an import that changed nothing.
func emptyReport(unchanged int, sets ...string) *questions.ImportReport {
	return &questions.ImportReport{Sets: sets, Created: []string{}, Updated: []string{}, Retired: []string{}, Unchanged: unchanged}
}

var baseQuestions = []qspec{
	{slug: "base-coding", kind: questions.KindCoding, title: "Reverse a list", topics: []string{"arrays"}},
	{slug: "base-concept", kind: questions.KindConcept, title: "Bias and variance", topics: []string{"evaluation", "arrays"}},
	{slug: "base-behavioral", kind: questions.KindBehavioral, title: "A project you owned", topics: []string{"ownership"}},
}

func TestImportSameSetTwice(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	qs := NewQuestionService(db)
	ctx := context.Background()
	text := setYAML("base", baseQuestions...)

	first := importSets(t, qs, 0, text)
	assert.Equal(t, &questions.ImportReport{
		Sets:    []string{"base"},
		Created: []string{"base-coding", "base-concept", "base-behavioral"},
		Updated: []string{}, Retired: []string{},
	}, first, "first import")
	before := map[string]*questions.Question{}
	for _, q := range baseQuestions {
		got, err := qs.FindQuestionBySlug(ctx, q.slug)
		require.NoError(t, err)
		assert.Equal(t, clock.Now(), got.CreatedAt, "%s created_at", q.slug)
		assert.Equal(t, clock.Now(), got.UpdatedAt, "%s updated_at", q.slug)
		before[q.slug] = got
	}
	setsBefore, err := qs.FindSets(ctx)
	require.NoError(t, err)

	clock.Advance(time.Hour)
	second := importSets(t, qs, 0, text)
	assert.Equal(t, emptyReport(len(baseQuestions), "base"), second, "got a change from importing the same set again, want none")
	assert.False(t, second.Changed(), "report.Changed()")
	for _, q := range baseQuestions {
		got, err := qs.FindQuestionBySlug(ctx, q.slug)
		require.NoError(t, err)
		assert.Equal(t, before[q.slug], got, "got %s changed by an identical import (updated_at %v, want %v)", q.slug, got.UpdatedAt, before[q.slug].UpdatedAt)
	}
	setsAfter, err := qs.FindSets(ctx)
	require.NoError(t, err)
	assert.Equal(t, setsBefore, setsAfter, "got the set changed by an identical import")
}

func TestImportUpdatesChangedQuestion(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(q *qspec)
		check func(t *testing.T, got *questions.Question)
	}{
		{
			name: "prompt",
			edit: func(q *qspec) { q.prompt = "Explain it again, more slowly." },
			check: func(t *testing.T, got *questions.Question) {
				assert.Equal(t, "Explain it again, more slowly.", got.Prompt)
			},
		},
		{
			name:  "title",
			edit:  func(q *qspec) { q.title = "Bias, variance and noise" },
			check: func(t *testing.T, got *questions.Question) { assert.Equal(t, "Bias, variance and noise", got.Title) },
		},
		{
			name:  "difficulty",
			edit:  func(q *qspec) { q.difficulty = questions.Hard },
			check: func(t *testing.T, got *questions.Question) { assert.Equal(t, questions.Hard, got.Difficulty) },
		},
		{
			name: "topics",
			edit: func(q *qspec) { q.topics = []string{"evaluation", "regularization"} },
			check: func(t *testing.T, got *questions.Question) {
				assert.Equal(t, []string{"evaluation", "regularization"}, got.Topics)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestDB(t)
			clock := useFakeClock(db)
			qs := NewQuestionService(db)
			ctx := context.Background()
			importSets(t, qs, 0, setYAML("base", baseQuestions...))
			before, err := qs.FindQuestionBySlug(ctx, "base-concept")
			require.NoError(t, err)

			edited := append([]qspec(nil), baseQuestions...)
			tc.edit(&edited[1])
			clock.Advance(time.Hour)
			report := importSets(t, qs, 0, setYAML("base", edited...))
			assert.Equal(t, &questions.ImportReport{
				Sets: []string{"base"}, Created: []string{}, Updated: []string{"base-concept"}, Retired: []string{},
				Unchanged: len(baseQuestions) - 1,
			}, report)

			got, err := qs.FindQuestionBySlug(ctx, "base-concept")
			require.NoError(t, err)
			assert.Equal(t, before.ID, got.ID, "got ID %d after the update, want it kept (%d)", got.ID, before.ID)
			assert.Equal(t, before.CreatedAt, got.CreatedAt, "created_at")
			assert.Equal(t, clock.Now(), got.UpdatedAt, "got updated_at %v, want the second import's %v", got.UpdatedAt, clock.Now())
			assert.NotEqual(t, before.ContentHash, got.ContentHash, "content hash")
			tc.check(t, got)
		})
	}
}

func TestImportUpdatedTopicsReachFilters(t *testing.T) {
	db := openTestDB(t)
	qs := NewQuestionService(db)
	ctx := context.Background()
	importSets(t, qs, 0, setYAML("base", baseQuestions...))
	edited := append([]qspec(nil), baseQuestions...)
	edited[1].topics = []string{"evaluation", "regularization"}
	importSets(t, qs, 0, setYAML("base", edited...))

	got, total, err := qs.FindQuestions(ctx, questions.Filter{Tag: ptr("arrays")})
	require.NoError(t, err)
	assert.Equal(t, []string{"base-coding"}, slugsOf(got), "got the question still tagged with the topic it dropped")
	assert.Equal(t, 1, total)
	got, _, err = qs.FindQuestions(ctx, questions.Filter{Tag: ptr("regularization")})
	require.NoError(t, err)
	assert.Equal(t, []string{"base-concept"}, slugsOf(got), "got the question not tagged with its new topic")
	topics, err := qs.FindTopics(ctx)
	require.NoError(t, err)
	assert.Equal(t, []questions.Topic{{Name: "arrays", Count: 1}, {Name: "evaluation", Count: 1}, {Name: "ownership", Count: 1}, {Name: "regularization", Count: 1}}, topics)
}

func TestImportRetiresAndRestores(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	qs := NewQuestionService(db)
	ctx := context.Background()
	importSets(t, qs, 0, setYAML("base", baseQuestions...))
	original, err := qs.FindQuestionBySlug(ctx, "base-behavioral")
	require.NoError(t, err)

	// Dropped from the set: retired, not deleted.
	clock.Advance(time.Hour)
	report := importSets(t, qs, 0, setYAML("base", baseQuestions[:2]...))
	assert.Equal(t, &questions.ImportReport{
		Sets: []string{"base"}, Created: []string{}, Updated: []string{}, Retired: []string{"base-behavioral"}, Unchanged: 2,
	}, report, "import without base-behavioral")

	list, total, err := qs.FindQuestions(ctx, questions.Filter{})
	require.NoError(t, err)
	assert.NotContains(t, slugsOf(list), "base-behavioral", "got a retired question listed")
	assert.Equal(t, 2, total, "got total %d, want the 2 live questions", total)
	retired, err := qs.FindQuestionBySlug(ctx, "base-behavioral")
	require.NoError(t, err, "got a retired question not found by slug, want old links to keep working")
	assert.True(t, retired.Retired, "got Retired false for a question dropped from its set")
	assert.Equal(t, original.ID, retired.ID)
	assert.Equal(t, clock.Now(), retired.UpdatedAt)
	sets, err := qs.FindSets(ctx)
	require.NoError(t, err)
	require.Len(t, sets, 1)
	assert.Equal(t, 2, sets[0].QuestionCount, "got the set counting its retired question")
	topics, err := qs.FindTopics(ctx)
	require.NoError(t, err)
	assert.Equal(t, []questions.Topic{{Name: "arrays", Count: 2}, {Name: "evaluation", Count: 1}}, topics, "got a retired question's topic counted")

	// Still missing: nothing more to retire.
	report = importSets(t, qs, 0, setYAML("base", baseQuestions[:2]...))
	assert.Equal(t, emptyReport(2, "base"), report, "importing the smaller set again")

	// Put back: the same question comes back to life.
	clock.Advance(time.Hour)
	report = importSets(t, qs, 0, setYAML("base", baseQuestions...))
	assert.Equal(t, &questions.ImportReport{
		Sets: []string{"base"}, Created: []string{}, Updated: []string{"base-behavioral"}, Retired: []string{}, Unchanged: 2,
	}, report, "import with base-behavioral back")
	restored, err := qs.FindQuestionBySlug(ctx, "base-behavioral")
	require.NoError(t, err)
	assert.False(t, restored.Retired, "got the question still retired after it was put back")
	assert.Equal(t, original.ID, restored.ID, "got ID %d for the restored question, want the original %d", restored.ID, original.ID)
	list, total, err = qs.FindQuestions(ctx, questions.Filter{})
	require.NoError(t, err)
	assert.Contains(t, slugsOf(list), "base-behavioral")
	assert.Equal(t, 3, total)
}

func TestImportQuestionSlugConflict(t *testing.T) {
	tests := []struct {
		name          string
		existingOwner string // "", "ada" or "bob"
		existing      string
		importOwner   string
		imports       []string
	}{
		{
			name:     "slug in an earlier public set",
			existing: setYAML("first", qspec{slug: "shared"}),
			imports: []string{
				setYAML("new-a", qspec{slug: "a-one"}, qspec{slug: "a-two"}),
				setYAML("second", qspec{slug: "b-one"}, qspec{slug: "shared"}),
			},
		},
		{
			name:     "slug twice in one import",
			existing: setYAML("first", qspec{slug: "first-one"}),
			imports: []string{
				setYAML("new-a", qspec{slug: "a-one"}, qspec{slug: "twice"}),
				setYAML("second", qspec{slug: "twice"}),
			},
		},
		{
			name:          "slug in another user's private set",
			existingOwner: "ada",
			existing:      setYAML("first", qspec{slug: "shared"}),
			importOwner:   "bob",
			imports: []string{
				setYAML("new-a", qspec{slug: "a-one"}),
				setYAML("second", qspec{slug: "shared"}),
			},
		},
		{
			name:     "slug of a retired question in another set",
			existing: setYAML("first", qspec{slug: "first-one"}),
			imports: []string{
				setYAML("first", qspec{slug: "first-two"}), // retires first-one
				setYAML("second", qspec{slug: "first-one"}),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestDB(t)
			qs := NewQuestionService(db)
			owners := map[string]int64{"": 0, "ada": createUser(t, db, "ada@example.com").ID, "bob": createUser(t, db, "bob@example.com").ID}
			importSets(t, qs, owners[tc.existingOwner], tc.existing)
			before := dumpTables(t, db)

			sets := make([]*questions.Set, len(tc.imports))
			for i, text := range tc.imports {
				sets[i] = parseSet(t, text)
			}
			report, err := qs.ImportSets(context.Background(), owners[tc.importOwner], sets)
			requireCode(t, err, onsite.ECONFLICT)
			assert.Nil(t, report)
			assert.Equal(t, before, dumpTables(t, db), "got rows written by a failed import, want none: it is one transaction")
			_, err = qs.FindQuestionBySlug(userContext(&onsite.User{ID: owners[tc.importOwner]}), "a-one")
			requireCode(t, err, onsite.ENOTFOUND)
		})
	}
}

func TestImportSetSlugConflict(t *testing.T) {
	tests := []struct {
		name          string
		existingOwner string // "", "ada" or "bob"
		importOwner   string
	}{
		{name: "public set, imported by a user", existingOwner: "", importOwner: "ada"},
		{name: "user's set, imported by another user", existingOwner: "ada", importOwner: "bob"},
		{name: "user's set, imported as public", existingOwner: "ada", importOwner: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestDB(t)
			qs := NewQuestionService(db)
			ada := createUser(t, db, "ada@example.com")
			bob := createUser(t, db, "bob@example.com")
			owners := map[string]int64{"": 0, "ada": ada.ID, "bob": bob.ID}
			importSets(t, qs, owners[tc.existingOwner], setYAML("taken", qspec{slug: "original"}))
			before := dumpTables(t, db)

			set := parseSet(t, strings.Replace(setYAML("taken", qspec{slug: "intruder"}, qspec{slug: "original", title: "Hijacked"}), "title: Set taken", "title: Hijacked set", 1))
			report, err := qs.ImportSets(context.Background(), owners[tc.importOwner], []*questions.Set{set})
			requireCode(t, err, onsite.ECONFLICT)
			assert.Nil(t, report)
			assert.Equal(t, before, dumpTables(t, db), "got the other owner's set changed")
		})
	}
}

func TestImportSetOwnerReimports(t *testing.T) {
	db := openTestDB(t)
	qs := NewQuestionService(db)
	ada := createUser(t, db, "ada@example.com")
	importSets(t, qs, ada.ID, setYAML("mine", qspec{slug: "mine-one"}))
	report := importSets(t, qs, ada.ID, strings.Replace(setYAML("mine", qspec{slug: "mine-one"}), "title: Set mine", "title: My set", 1))
	assert.Equal(t, emptyReport(1, "mine"), report, "the owner importing their own set again")
	sets, err := qs.FindSets(userContext(ada))
	require.NoError(t, err)
	require.Len(t, sets, 1)
	assert.Equal(t, "My set", sets[0].Title, "got the set's title not updated")
}

func TestPreviewImport(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	qs := NewQuestionService(db)
	ctx := context.Background()
	importSets(t, qs, 0, setYAML("base", baseQuestions...))
	clock.Advance(time.Hour)

	changed := append([]qspec(nil), baseQuestions[:2]...) // base-behavioral dropped
	changed[0].prompt = "Reverse it in place."
	changed = append(changed, qspec{slug: "base-new", kind: questions.KindSystemDesign, topics: []string{"ranking"}})
	texts := []string{setYAML("base", changed...), setYAML("extra", qspec{slug: "extra-one"})}
	parse := func() []*questions.Set {
		sets := make([]*questions.Set, len(texts))
		for i, text := range texts {
			sets[i] = parseSet(t, text)
		}
		return sets
	}

	before := dumpTables(t, db)
	preview, err := qs.PreviewImport(ctx, 0, parse())
	require.NoError(t, err)
	assert.Equal(t, &questions.ImportReport{
		Sets:      []string{"base", "extra"},
		Created:   []string{"base-new", "extra-one"},
		Updated:   []string{"base-coding"},
		Retired:   []string{"base-behavioral"},
		Unchanged: 1, UnchangedSlugs: []string{"base-concept"},
	}, preview)
	assert.Equal(t, before, dumpTables(t, db), "got rows written by a preview, want none")
	_, err = qs.FindQuestionBySlug(ctx, "base-new")
	requireCode(t, err, onsite.ENOTFOUND)

	imported, err := qs.ImportSets(ctx, 0, parse())
	require.NoError(t, err)
	assert.Equal(t, preview, imported, "got the import report different from its preview")

	t.Run("conflict", func(t *testing.T) {
		ada := createUser(t, db, "ada@example.com")
		before := dumpTables(t, db)
		_, err := qs.PreviewImport(ctx, ada.ID, []*questions.Set{parseSet(t, setYAML("base", baseQuestions...))})
		requireCode(t, err, onsite.ECONFLICT)
		assert.Equal(t, before, dumpTables(t, db))
	})
}

func TestImportBuiltinBankTwice(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	qs := NewQuestionService(db)
	ctx := context.Background()

	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	var slugs, setSlugs []string
	for _, s := range sets {
		setSlugs = append(setSlugs, s.Slug)
		for _, q := range s.Questions {
			slugs = append(slugs, q.Slug)
		}
	}
	first, err := qs.ImportSets(ctx, 0, sets)
	require.NoError(t, err)
	assert.Equal(t, slugs, first.Created, "first import of the bank")
	assert.Empty(t, first.Updated)
	assert.Empty(t, first.Retired)

	clock.Advance(24 * time.Hour)
	again, err := questions.BuiltinSets()
	require.NoError(t, err)
	second, err := qs.ImportSets(ctx, 0, again)
	require.NoError(t, err)
	assert.Equal(t, slugs, second.UnchangedSlugs, "every question is named unchanged")
	second.UnchangedSlugs = nil
	assert.Equal(t, emptyReport(len(slugs), setSlugs...), second, "got changes from importing the unchanged bank again")

	list, total, err := qs.FindQuestions(ctx, questions.Filter{})
	require.NoError(t, err)
	assert.Equal(t, len(slugs), total)
	for _, q := range list {
		assert.Equal(t, clock.Now().Add(-24*time.Hour), q.UpdatedAt, "%s: got updated_at %v from the second import, want the first's", q.Slug, q.UpdatedAt)
	}
}

// TestImportReportRetiredOrder holds the report to one order, so that the CLI
// prints the same thing twice and a preview matches the import it previews.
func TestImportReportRetiredOrder(t *testing.T) {
	db := openTestDB(t)
	qs := NewQuestionService(db)
	ctx := context.Background()
	all := []qspec{{slug: "keep"}}
	var wantRetired []string
	for i := range 20 {
		slug := fmt.Sprintf("drop-%02d", i)
		all = append(all, qspec{slug: slug})
		wantRetired = append(wantRetired, slug)
	}
	importSets(t, qs, 0, setYAML("base", all...))

	preview, err := qs.PreviewImport(ctx, 0, []*questions.Set{parseSet(t, setYAML("base", all[0]))})
	require.NoError(t, err)
	assert.Equal(t, wantRetired, preview.Retired, "got preview's Retired %v, want the set's order %v", preview.Retired, wantRetired)
	report, err := qs.ImportSets(ctx, 0, []*questions.Set{parseSet(t, setYAML("base", all[0]))})
	require.NoError(t, err)
	assert.Equal(t, wantRetired, report.Retired, "got Retired %v, want the set's order %v", report.Retired, wantRetired)
	assert.Equal(t, preview, report, "got the import report different from its preview")
}

// TestImportConflictKeepsPrivateSetsPrivate: a question slug taken by
// another user's private set is a conflict, but the message must not name
// that private set.
func TestImportConflictKeepsPrivateSetsPrivate(t *testing.T) {
	db := openTestDB(t)
	qs := NewQuestionService(db)
	ada := createUser(t, db, "ada@example.com")
	bob := createUser(t, db, "bob@example.com")
	importSets(t, qs, ada.ID, setYAML("adas-secret-prep", qspec{slug: "shared"}))

	_, err := qs.ImportSets(context.Background(), bob.ID, []*questions.Set{parseSet(t, setYAML("bobs-set", qspec{slug: "shared"}))})
	requireCode(t, err, onsite.ECONFLICT)
	assert.NotContains(t, onsite.ErrorMessage(err), "adas-secret-prep", "got the conflict naming another user's private set")
}
