package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appliedMigration is one row of schema_migrations.
type appliedMigration struct {
	Version   int
	Name      string
	AppliedAt string
}

func readSchemaMigrations(t *testing.T, db *DB) []appliedMigration {
	t.Helper()
	rows, err := db.db.Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	defer rows.Close()
	var out []appliedMigration
	for rows.Next() {
		var m appliedMigration
		require.NoError(t, rows.Scan(&m.Version, &m.Name, &m.AppliedAt))
		out = append(out, m)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestOpenEmptyDatabase(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()

	ms, err := migrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms, "no migrations are embedded")
	applied := readSchemaMigrations(t, db)
	require.Len(t, applied, len(ms), "got %d rows in schema_migrations, want one per embedded migration (%d)", len(applied), len(ms))
	for i, m := range ms {
		assert.Equal(t, m.version, applied[i].Version, "schema_migrations[%d].version", i)
		assert.Equal(t, m.name, applied[i].Name, "schema_migrations[%d].name", i)
		assert.NotEmpty(t, applied[i].AppliedAt, "schema_migrations[%d].applied_at", i)
	}
	assert.Equal(t, ms[len(ms)-1].version, SchemaVersion(), "SchemaVersion is not the last migration's version")

	for _, table := range []string{"schema_migrations", "users", "sessions", "api_tokens", "question_sets", "questions", "question_topics"} {
		var n int
		require.NoError(t, db.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n))
		assert.Equal(t, 1, n, "table %s: got %d, want it to exist", table, n)
	}

	// Hold several connections at once so the pool has to open new ones:
	// each must have the DSN's pragmas, not only the first.
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 3 {
		c, err := db.db.Conn(ctx)
		require.NoError(t, err)
		conns = append(conns, c)

		var foreignKeys, busyTimeout int
		var journalMode string
		require.NoError(t, c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&foreignKeys))
		require.NoError(t, c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journalMode))
		require.NoError(t, c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busyTimeout))
		assert.Equal(t, 1, foreignKeys, "connection %d: got foreign_keys %d, want 1", i, foreignKeys)
		assert.Equal(t, "wal", journalMode, "connection %d: got journal_mode %q, want wal", i, journalMode)
		assert.Equal(t, 5000, busyTimeout, "connection %d: got busy_timeout %d, want 5000", i, busyTimeout)
	}
}

func TestOpenUpToDateDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	first := NewDB(path)
	useFakeClock(first)
	require.NoError(t, first.Open(context.Background()))
	user := createUser(t, first, "ada@example.com")
	before := readSchemaMigrations(t, first)
	require.NoError(t, first.Close())

	second := NewDB(path)
	clock := useFakeClock(second)
	clock.Advance(48 * time.Hour) // a migration applied again would get a new applied_at
	require.NoError(t, second.Open(context.Background()), "reopening an up-to-date database")
	t.Cleanup(func() { second.Close() })

	after := readSchemaMigrations(t, second)
	assert.Equal(t, before, after, "got schema_migrations changed by reopening, want nothing applied")
	got, err := newUserService(second).FindUserByID(context.Background(), user.ID)
	require.NoError(t, err, "the user created before reopening")
	assert.Equal(t, user, got, "got the user changed by reopening")
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db := NewDB(path)
	require.NoError(t, db.Open(context.Background()))
	_, err := db.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		SchemaVersion()+1, "9999_from_the_future.sql", "2030-01-01T00:00:00.000Z")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	newer := NewDB(path)
	err = newer.Open(context.Background())
	t.Cleanup(func() { newer.Close() })
	require.Error(t, err, "got a database with a newer schema opened, want it refused")
	assert.Contains(t, err.Error(), "newer", "got error %q, want one that says the schema is newer", err)

	// Refusing must not have touched the file: the old binary's view stays.
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer raw.Close()
	var n, maxVersion int
	require.NoError(t, raw.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &maxVersion))
	assert.Equal(t, len(must(migrations()))+1, n, "got %d rows in schema_migrations after the refused open, want them untouched", n)
	assert.Equal(t, SchemaVersion()+1, maxVersion, "schema version after the refused open")
}

// TestOpenConcurrently opens one file from two goroutines at once, as
// `onsite serve` and a CLI command started together on one data directory do.
// A race between them shows only now and then, so each case tries many times.
func TestOpenConcurrently(t *testing.T) {
	tests := []struct {
		name     string
		existing bool // the file was created and migrated before
		rounds   int
	}{
		{
			// Switching a new file to WAL takes a lock SQLite does not wait
			// for; Open must retry rather than fail now and then.
			name: "new file", rounds: 100,
		},
		{name: "existing file", existing: true, rounds: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for round := range tc.rounds {
				path := filepath.Join(t.TempDir(), FileName)
				if tc.existing {
					pre := NewDB(path)
					require.NoError(t, pre.Open(context.Background()))
					require.NoError(t, pre.Close())
				}
				dbs := []*DB{NewDB(path), NewDB(path)}
				errs := make([]error, len(dbs))
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i, db := range dbs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						errs[i] = db.Open(context.Background())
					}()
				}
				close(start)
				wg.Wait()
				for i, db := range dbs {
					t.Cleanup(func() { db.Close() })
					require.NoError(t, errs[i], "round %d: got Open in goroutine %d failing, want both to succeed", round, i)
				}
				applied := readSchemaMigrations(t, dbs[0])
				assert.Len(t, applied, len(must(migrations())), "round %d: got %d migrations recorded, want each once", round, len(applied))

				// Both handles work on the one database.
				u := createUser(t, dbs[0], "ada@example.com")
				got, err := newUserService(dbs[1]).FindUserByID(context.Background(), u.ID)
				require.NoError(t, err, "round %d: the other handle reads the user", round)
				assert.Equal(t, u.Email, got.Email)
			}
		})
	}
}

func TestOpenRequiresPath(t *testing.T) {
	err := NewDB("").Open(context.Background())
	require.Error(t, err, "got Open with no path to succeed")
	assert.Equal(t, onsite.EINTERNAL, onsite.ErrorCode(err))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestOpenPathWithURICharacters: a data directory whose name holds
// characters that mean something in a file: URI opens that very file.
func TestOpenPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "team #1? 100%", FileName)
	db := openTestDBAt(t, path)
	require.NoError(t, db.Ping(context.Background()))
	assert.FileExists(t, path)
}
