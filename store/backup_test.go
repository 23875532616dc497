package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawDB opens the file at path with the sqlite3 driver directly, as another
// program would: no lock file, no migrations, foreign keys off, so that
// tests can plant damage. It is closed when the test ends.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	sdb, err := sql.Open("sqlite3", fileURI(path, nil))
	require.NoError(t, err)
	sdb.SetMaxOpenConns(1) // one connection, so per-connection pragmas hold
	t.Cleanup(func() { _ = sdb.Close() })
	return sdb
}

// execRaw runs statements on the file at path through rawDB and closes it.
func execRaw(t *testing.T, path string, stmts ...string) {
	t.Helper()
	sdb := rawDB(t, path)
	for _, s := range stmts {
		_, err := sdb.Exec(s)
		require.NoError(t, err, "%s", s)
	}
	require.NoError(t, sdb.Close())
}

// userEmails returns the emails of every account in the database at path.
func userEmails(t *testing.T, path string) []string {
	t.Helper()
	db := openTestDBAt(t, path)
	users, err := NewUserService(db).FindUsers(context.Background())
	require.NoError(t, err)
	var emails []string
	for _, u := range users {
		emails = append(emails, u.Email)
	}
	require.NoError(t, db.Close())
	return emails
}

// newBackup writes a backup of db to a new file and returns its path.
func newBackup(t *testing.T, db *DB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "backup.db")
	require.NoError(t, db.Backup(context.Background(), path))
	return path
}

// TestBackupWhileWriting backs up while another goroutine keeps creating
// accounts: the copy passes integrity_check, is one file, and holds every
// account committed before Backup started.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	users := newUserService(db)
	var (
		mu        sync.Mutex
		committed []string
	)
	create := func(i int) error {
		email := fmt.Sprintf("user%d@example.com", i)
		if _, err := users.CreateUser(ctx, onsite.NewUser{Email: email, Password: testPassword}); err != nil {
			return err
		}
		mu.Lock()
		committed = append(committed, email)
		mu.Unlock()
		return nil
	}
	for i := range 20 {
		require.NoError(t, create(i))
	}
	// Some bulk, so that the copy takes long enough for writes to land
	// while it runs.
	execRaw(t, db.Path, "CREATE TABLE bulk (b BLOB)",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO bulk SELECT randomblob(16384) FROM n")

	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() {
		for i := 20; ; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			if err := create(i); err != nil {
				writerDone <- err
				return
			}
		}
	}()
	// Let the writer get going, so that the backup overlaps its writes.
	for {
		mu.Lock()
		n := len(committed)
		mu.Unlock()
		if n >= 30 {
			break
		}
		time.Sleep(time.Millisecond)
	}

	mu.Lock()
	before := append([]string(nil), committed...)
	mu.Unlock()
	path := filepath.Join(t.TempDir(), "backup.db")
	err := db.Backup(ctx, path)
	mu.Lock()
	during := len(committed) - len(before)
	mu.Unlock()
	close(stop)
	require.NoError(t, <-writerDone, "the writer failed during the backup")
	require.NoError(t, err)

	problems, err := integrityCheck(ctx, path)
	require.NoError(t, err)
	assert.Empty(t, problems, "integrity_check of the copy")
	for _, suffix := range []string{".tmp", "-wal", "-shm", "-journal"} {
		assert.NoFileExists(t, path+suffix, "the backup is one file, with nothing left beside it")
	}
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a backup holds password hashes: only its owner reads it")
	got := userEmails(t, path)
	t.Logf("the backup has %d accounts; %d were committed before it started, %d while it ran", len(got), len(before), during)
	assert.Subset(t, got, before, "got %d accounts in the backup, want at least the %d committed before it started", len(got), len(before))
}

// TestBackupTarget: a backup goes to a new or empty file, never over
// anything else.
func TestBackupTarget(t *testing.T) {
	db := openTestDB(t)
	createUser(t, db, "ada@example.com")
	tests := []struct {
		name    string
		file    string // the backup's name; backup.db when empty
		setup   func(t *testing.T, path string)
		wantErr string
	}{
		{name: "new file"},
		{name: "empty file", setup: func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
		}},
		{name: "existing file", wantErr: "already exists", setup: func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("an earlier backup"), 0o600))
		}},
		{name: "directory", wantErr: "is a directory", setup: func(t *testing.T, path string) {
			require.NoError(t, os.Mkdir(path, 0o700))
		}},
		{name: "stale temporary file from a crash", setup: func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path+".tmp", []byte("half a backup"), 0o600))
		}},
		{name: "name with URI characters", file: "back up?#100%.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), cmp.Or(tc.file, "backup.db"))
			if tc.setup != nil {
				tc.setup(t, path)
			}
			var before []byte
			if info, err := os.Stat(path); err == nil && !info.IsDir() {
				before, _ = os.ReadFile(path)
			}
			err := db.Backup(context.Background(), path)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, onsite.ErrorMessage(err), tc.wantErr)
				if before != nil {
					after, _ := os.ReadFile(path)
					assert.Equal(t, string(before), string(after), "the existing file changed")
				}
				return
			}
			require.NoError(t, err)
			assert.NoFileExists(t, path+".tmp")
			// Read through rawDB: Open's DSN does not escape the path.
			var email string
			require.NoError(t, rawDB(t, path).QueryRow("SELECT email FROM users").Scan(&email))
			assert.Equal(t, "ada@example.com", email)
		})
	}
}

// TestRestore restores a backup over a database with later changes: refused
// while the database is open, then the backup's rows replace them and the
// old database is kept beside it.
func TestRestore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	db := openTestDBAt(t, path)
	createUser(t, db, "ada@example.com")
	backup := newBackup(t, db)
	createUser(t, db, "grace@example.com")

	err := Restore(ctx, backup, path)
	require.ErrorIs(t, err, ErrInUse, "restore while a DB is open")
	assert.Contains(t, err.Error(), "the database is in use: stop onsite serve first")
	assert.NoFileExists(t, path+".before-restore")

	require.NoError(t, db.Close())
	require.NoError(t, os.Chmod(path, 0o640))
	require.NoError(t, Restore(ctx, backup, path))
	assert.NoFileExists(t, path+".restore-tmp")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "the restored file has the mode of the one it replaced")
	assert.Equal(t, []string{"ada@example.com"}, userEmails(t, path), "the restored database")
	assert.ElementsMatch(t, []string{"ada@example.com", "grace@example.com"}, userEmails(t, path+".before-restore"), "the database kept from before the restore")

	err = Restore(ctx, backup, path)
	require.Error(t, err, "a second restore would overwrite .before-restore")
	assert.Contains(t, onsite.ErrorMessage(err), "exists from an earlier restore")

	// Restoring into a data directory with no database is setting up a new
	// machine.
	fresh := filepath.Join(t.TempDir(), "new", FileName)
	require.NoError(t, Restore(ctx, backup, fresh))
	assert.Equal(t, []string{"ada@example.com"}, userEmails(t, fresh))
	assert.NoFileExists(t, fresh+".before-restore")

	// The restored database works as any other: its schema is current and
	// it takes writes.
	db = openTestDBAt(t, path)
	createUser(t, db, "linus@example.com")
	problems, err := db.Check(ctx)
	require.NoError(t, err)
	assert.Empty(t, problems)
}

// TestRestoreRefusesWhileInUse: restore refuses while anything has the
// database open, whether it takes the lock file (onsite) or not (another
// program, or an onsite without the lock file, simulated by releasing it),
// and works once it lets go.
func TestRestoreRefusesWhileInUse(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// rollback puts the database in rollback-journal mode first, as a
		// restored database is until serve opens it.
		rollback bool
		// hold opens the database and returns what lets go of it.
		hold func(t *testing.T, path string) (release func())
	}{
		{name: "onsite has it open, idle (lock file)", hold: func(t *testing.T, path string) func() {
			db := openTestDBAt(t, path)
			return func() { require.NoError(t, db.Close()) }
		}},
		{name: "onsite without the lock file, in a read transaction", hold: func(t *testing.T, path string) func() {
			db := openTestDBAt(t, path)
			db.unlock()
			conn, err := db.db.Conn(ctx)
			require.NoError(t, err)
			_, err = conn.ExecContext(ctx, "BEGIN DEFERRED")
			require.NoError(t, err)
			var n int
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n))
			return func() {
				_, err := conn.ExecContext(ctx, "ROLLBACK")
				require.NoError(t, err)
				require.NoError(t, conn.Close())
				require.NoError(t, db.Close())
			}
		}},
		{name: "onsite without the lock file, in a write transaction", hold: func(t *testing.T, path string) func() {
			db := openTestDBAt(t, path)
			db.unlock()
			tx, err := db.BeginTx(ctx)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, "UPDATE users SET email = 'grace@example.com'")
			require.NoError(t, err)
			return func() {
				require.NoError(t, tx.Rollback())
				require.NoError(t, db.Close())
			}
		}},
		{name: "onsite without the lock file, idle", hold: func(t *testing.T, path string) func() {
			db := openTestDBAt(t, path)
			db.unlock()
			return func() { require.NoError(t, db.Close()) }
		}},
		{name: "another program in a read transaction", hold: holdRaw("BEGIN DEFERRED", "SELECT COUNT(*) FROM users")},
		{name: "another program in a write transaction", hold: holdRaw("BEGIN IMMEDIATE", "DELETE FROM sessions")},
		{name: "another program reads, rollback mode", rollback: true, hold: holdRaw("BEGIN DEFERRED", "SELECT COUNT(*) FROM users")},
		{name: "another program writes, rollback mode", rollback: true, hold: holdRaw("BEGIN EXCLUSIVE", "DELETE FROM sessions")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			db := openTestDBAt(t, path)
			createUser(t, db, "ada@example.com")
			backup := newBackup(t, db)
			require.NoError(t, db.Close())
			if tc.rollback {
				execRaw(t, path, "PRAGMA journal_mode=DELETE")
			}

			release := tc.hold(t, path)
			err := Restore(ctx, backup, path)
			require.ErrorIs(t, err, ErrInUse)
			assert.Contains(t, err.Error(), "the database is in use: stop onsite serve first")
			assert.NoFileExists(t, path+".before-restore")
			assert.NoFileExists(t, path+".restore-tmp")

			release()
			require.NoError(t, Restore(ctx, backup, path), "restore once nothing has the database open")
			assert.FileExists(t, path+".before-restore")
		})
	}
}

// holdRaw opens the database as another program and leaves a transaction
// open after running begin and stmt.
func holdRaw(begin, stmt string) func(t *testing.T, path string) func() {
	return func(t *testing.T, path string) func() {
		ctx := context.Background()
		sdb := rawDB(t, path)
		conn, err := sdb.Conn(ctx)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, begin)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, stmt)
		require.NoError(t, err)
		return func() {
			_, err := conn.ExecContext(ctx, "ROLLBACK")
			require.NoError(t, err)
			require.NoError(t, conn.Close())
			// In WAL mode even an idle connection counts as using the
			// database: close them all.
			require.NoError(t, sdb.Close())
		}
	}
}

// TestRestoreRefusesBadBackups: restore checks the backup before touching
// the database, and says what is wrong with it.
func TestRestoreRefusesBadBackups(t *testing.T) {
	ctx := context.Background()
	source := openTestDB(t)
	createUser(t, source, "grace@example.com")
	tests := []struct {
		name    string
		make    func(t *testing.T, path string)
		wantErr string
	}{
		{name: "missing file", make: func(t *testing.T, path string) {}, wantErr: "no such file"},
		{name: "directory", make: func(t *testing.T, path string) {
			require.NoError(t, os.Mkdir(path, 0o700))
		}, wantErr: "is a directory"},
		{name: "not SQLite", make: func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("slug: not-a-database\ntitle: YAML, not SQLite, and long enough to read a header from it\n"), 0o600))
		}, wantErr: "is not an SQLite database"},
		{name: "empty file", make: func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
		}, wantErr: "no schema_migrations table"},
		{name: "another program's database", make: func(t *testing.T, path string) {
			execRaw(t, path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
		}, wantErr: "no schema_migrations table"},
		{name: "no recorded migrations", make: func(t *testing.T, path string) {
			require.NoError(t, source.Backup(ctx, path))
			execRaw(t, path, "DELETE FROM schema_migrations")
		}, wantErr: "records no schema version"},
		{name: "newer schema", make: func(t *testing.T, path string) {
			require.NoError(t, source.Backup(ctx, path))
			execRaw(t, path, fmt.Sprintf("INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, 'from_the_future.sql', '2030-01-01T00:00:00.000Z')", SchemaVersion()+1))
		}, wantErr: "newer than this onsite binary knows"},
		{name: "fails integrity_check", make: func(t *testing.T, path string) {
			require.NoError(t, source.Backup(ctx, path))
			execRaw(t, path, corruptIndex...)
		}, wantErr: "fails SQLite's integrity check"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			db := openTestDBAt(t, path)
			createUser(t, db, "ada@example.com")
			require.NoError(t, db.Close())

			backup := filepath.Join(t.TempDir(), "backup.db")
			tc.make(t, backup)
			err := Restore(ctx, backup, path)
			require.Error(t, err)
			assert.Contains(t, onsite.ErrorMessage(err)+err.Error(), tc.wantErr)
			assert.NoFileExists(t, path+".before-restore", "the database was moved aside")
			assert.Equal(t, []string{"ada@example.com"}, userEmails(t, path), "the database changed")
		})
	}
}

// corruptIndex makes an index disagree with its table without breaking the
// file's structure: the schema claims the index is on another column, so
// integrity_check finds rows missing from it.
var corruptIndex = []string{
	"CREATE TABLE planted (a TEXT, b TEXT)",
	"CREATE INDEX planted_a ON planted (a)",
	"INSERT INTO planted VALUES ('x', 'y'), ('z', 'w')",
	"PRAGMA writable_schema = ON",
	"UPDATE sqlite_master SET sql = 'CREATE INDEX planted_a ON planted (b)' WHERE name = 'planted_a'",
}

// TestCheck plants damage in a database and checks that Check reports it,
// one readable line per problem.
func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		plant []string
		want  []string // each a prefix of one line, in order
	}{
		{name: "healthy"},
		{name: "foreign key violation", plant: []string{
			`INSERT INTO reviews (id, card_id, user_id, rating, reviewed_at, day, state, elapsed_days, scheduled_days, source, stability, difficulty)
			 VALUES (12, 999, 1, 3, '2025-01-01T00:00:00.000Z', 1, 0, 0, 0, 'drill', 1, 5)`,
		}, want: []string{"foreign key: table reviews row 12 refers to cards, missing"}},
		{name: "foreign key violation without rowid", plant: []string{
			`INSERT INTO review_days (user_id, day, kind) VALUES (77, 1, 'concept')`,
		}, want: []string{"foreign key: table review_days a row refers to users, missing"}},
		{name: "index disagrees with its table", plant: corruptIndex, want: []string{"integrity: ", "integrity: "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			db := openTestDBAt(t, path)
			createUser(t, db, "ada@example.com")
			require.NoError(t, db.Close())
			execRaw(t, path, tc.plant...)

			db = openTestDBAt(t, path)
			problems, err := db.Check(context.Background())
			require.NoError(t, err)
			require.Len(t, problems, len(tc.want), "got problems %q", problems)
			for i, want := range tc.want {
				assert.True(t, strings.HasPrefix(problems[i], want), "problem %d: got %q, want it to start with %q", i, problems[i], want)
			}
		})
	}
}

// TestOpenWaitsForRestore: while a restore holds the lock file, Open waits
// rather than opening the file being replaced, and opens once it is done.
func TestOpenWaitsForRestore(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	lock, err := openLockFile(path)
	require.NoError(t, err)
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB), "lock as Restore does")

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	db := NewDB(path)
	err = db.Open(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "Open during a restore")
	assert.NoFileExists(t, path, "Open created the database during a restore")

	require.NoError(t, lock.Close())
	db = openTestDBAt(t, path)
	require.NoError(t, db.Ping(context.Background()))
}
