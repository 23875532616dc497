package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// The tests are in package store so that they can read the tables with SQL
// (token hashes, schema_migrations) and ask each pooled connection for its
// pragmas.

// openTestDB opens a database in a new file under t.TempDir() and closes it
// when the test ends. Its clock is real; see useFakeClock.
func openTestDB(t testing.TB) *DB {
	t.Helper()
	return openTestDBAt(t, filepath.Join(t.TempDir(), FileName))
}

// openTestDBAt opens the database file at path and closes it when the test
// ends.
func openTestDBAt(t testing.TB, path string) *DB {
	t.Helper()
	db := NewDB(path)
	require.NoError(t, db.Open(context.Background()), "open %s", path)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// fakeClock is a clock that moves only when a test says so.
type fakeClock struct{ now time.Time }

// Now returns the clock's time.
func (c *fakeClock) Now() time.Time { return c.now }

// Advance moves the clock forward by d.
func (c *fakeClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// useFakeClock makes db's clock a fake one, at a whole second so that times
// survive the store's millisecond precision unchanged.
func useFakeClock(db *DB) *fakeClock {
	c := &fakeClock{now: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)}
	db.Now = c.Now
	return c
}

// newUserService returns a UserService with bcrypt's cheapest cost.
func newUserService(db *DB) *UserService {
	s := NewUserService(db)
	s.Cost = bcrypt.MinCost
	return s
}

// testPassword is long enough for ValidatePassword.
const testPassword = "correct horse battery"

// createUser creates an account with testPassword.
func createUser(t testing.TB, db *DB, email string) *onsite.User {
	t.Helper()
	u, err := newUserService(db).CreateUser(context.Background(), onsite.NewUser{Email: email, Password: testPassword})
	require.NoError(t, err, "create user %s", email)
	return u
}

// userContext is a context signed in as u; nil is anonymous.
func userContext(u *onsite.User) context.Context {
	if u == nil {
		return context.Background()
	}
	return onsite.NewContextWithUser(context.Background(), u)
}

// ptr returns a pointer to v, for filter fields.
func ptr[T any](v T) *T { return &v }

// requireCode fails the test unless err carries the onsite error code want.
func requireCode(t testing.TB, err error, want string) {
	t.Helper()
	require.Error(t, err, "got no error, want code %s", want)
	require.Equal(t, want, onsite.ErrorCode(err), "got error code %s (%v), want %s", onsite.ErrorCode(err), err, want)
}

// qspec is a minimal valid question of any kind, for tests that care about
// the common fields: list filters, visibility, imports.
type qspec struct {
	slug       string
	kind       questions.Kind
	title      string
	difficulty questions.Difficulty
	topics     []string
	prompt     string
}

// yaml writes the question as an item of a set's questions list, with the
// fields its kind requires.
func (q qspec) yaml() string {
	var b strings.Builder
	kind, difficulty, title, prompt := q.kind, q.difficulty, q.title, q.prompt
	if kind == "" {
		kind = questions.KindConcept
	}
	if difficulty == "" {
		difficulty = questions.Easy
	}
	if title == "" {
		title = "Question " + q.slug
	}
	if prompt == "" {
		prompt = "Explain it."
	}
	fmt.Fprintf(&b, "  - slug: %s\n    kind: %s\n    title: %s\n    difficulty: %s\n    prompt: %s\n",
		q.slug, kind, strconv.Quote(title), difficulty, strconv.Quote(prompt))
	if len(q.topics) > 0 {
		fmt.Fprintf(&b, "    topics: [%s]\n", strings.Join(q.topics, ", "))
	}
	switch kind {
	case questions.KindConcept:
		b.WriteString("    answer: The model answer.\n")
	case questions.KindBehavioral:
		b.WriteString("    competency: ownership\n    strong_answer: [Owns the outcome.]\n")
	case questions.KindSystemDesign:
		b.WriteString("    rubric: [Names the metric.]\n")
	case questions.KindCoding:
		b.WriteString("    mode: stdio\n    tests:\n      - {sample: true, input: \"1\\n\", output: \"1\\n\"}\n")
	}
	return b.String()
}

// setYAML writes a set in the native format holding the questions.
func setYAML(slug string, qs ...qspec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "slug: %s\ntitle: Set %s\nversion: 1\nlicense: CC-BY-4.0\nsource: store tests\nquestions:\n", slug, slug)
	for _, q := range qs {
		b.WriteString(q.yaml())
	}
	return b.String()
}

// parseSet reads a set through the same parser and validation as a real
// import.
func parseSet(t testing.TB, text string) *questions.Set {
	t.Helper()
	set, err := questions.ParseYAML("test.yaml", []byte(text))
	require.NoError(t, err, "test set does not parse:\n%s", text)
	return set
}

// importSets imports the YAML sets for ownerID and returns the report.
func importSets(t testing.TB, qs *QuestionService, ownerID int64, texts ...string) *questions.ImportReport {
	t.Helper()
	sets := make([]*questions.Set, len(texts))
	for i, text := range texts {
		sets[i] = parseSet(t, text)
	}
	report, err := qs.ImportSets(context.Background(), ownerID, sets)
	require.NoError(t, err, "import")
	// The unchanged questions are named as well as counted; the tests
	// compare the counts.
	require.Len(t, report.UnchangedSlugs, report.Unchanged)
	report.UnchangedSlugs = nil
	return report
}

// slugsOf lists the questions' slugs in order.
func slugsOf(list []*questions.Question) []string {
	out := make([]string, len(list))
	for i, q := range list {
		out[i] = q.Slug
	}
	return out
}

// setSlugsOf lists the sets' slugs in order.
func setSlugsOf(list []*questions.Set) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Slug
	}
	return out
}
