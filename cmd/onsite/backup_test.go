package main

import (
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBackupRestoreCheck backs up while serve runs, restore is refused until
// serve stops, and then brings back the backup's accounts; check finds the
// restored database healthy and serve starts on it.
func TestBackupRestoreCheck(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "onsite.db")
	srv := startServe(t, dir)
	code, _, stderr := run(t, "correct horse battery\n", "users", "create", "--email", "ada@example.com", "--password-stdin", "--data", dir)
	require.Equal(t, 0, code, stderr)

	backup := filepath.Join(t.TempDir(), "onsite-backup.db")
	code, out, stderr := run(t, "", "backup", "--data", dir, backup)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "wrote a consistent copy of "+dbPath+" to "+backup+" (")
	assert.Contains(t, out, " MB, integrity ok)")
	require.FileExists(t, backup)

	code, _, stderr = run(t, "", "backup", "--data", dir, backup)
	assert.Equal(t, 1, code, "a backup never overwrites a file")
	assert.Contains(t, stderr, "already exists")

	code, _, stderr = run(t, "correct horse battery\n", "users", "create", "--email", "grace@example.com", "--password-stdin", "--data", dir)
	require.Equal(t, 0, code, stderr)

	code, out, stderr = run(t, "", "restore", "--data", dir, backup)
	assert.Equal(t, 1, code, "restore while serve runs; stdout: %s", out)
	assert.Contains(t, stderr, "the database is in use: stop onsite serve first")
	assert.Equal(t, http.StatusOK, apiGet(t, srv.URL+"/healthz", "", nil), "serve still runs")

	require.Equal(t, 0, srv.Stop(t), "serve's exit code; log:\n%s", srv.Log.String())
	code, out, stderr = run(t, "", "restore", "--data", dir, backup)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "replaced "+dbPath)
	assert.Contains(t, out, "the previous database is kept as "+dbPath+".before-restore")
	require.FileExists(t, dbPath+".before-restore")

	code, out, _ = run(t, "", "users", "list", "--data", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "ada@example.com")
	assert.NotContains(t, out, "grace@example.com", "an account created after the backup")

	code, out, stderr = run(t, "", "check", "--data", dir)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "ok: integrity and foreign keys\n", out)

	srv = startServe(t, dir)
	assert.Equal(t, http.StatusOK, apiGet(t, srv.URL+"/healthz", "", nil), "serve starts on the restored database")
}

// TestCheckReportsProblems: check prints each problem and exits 1.
func TestCheckReportsProblems(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, "correct horse battery\n", "users", "create", "--email", "ada@example.com", "--password-stdin", "--data", dir)
	require.Equal(t, 0, code, stderr)
	// Damage only another program could do: onsite enforces foreign keys on
	// every write.
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "onsite.db"))
	require.NoError(t, err)
	_, err = raw.Exec(`INSERT INTO reviews (id, card_id, user_id, rating, reviewed_at, day, state, elapsed_days, scheduled_days, source, stability, difficulty)
		VALUES (12, 999, 1, 3, '2025-01-01T00:00:00.000Z', 1, 0, 0, 0, 'drill', 1, 5)`)
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	code, out, stderr := run(t, "", "check", "--data", dir)
	assert.Equal(t, 1, code)
	assert.Equal(t, "foreign key: table reviews row 12 refers to cards, missing\n", out)
	assert.Contains(t, stderr, "1 problem(s)")
}

// TestBackupCommandsUsage covers the three commands' mistakes and help.
func TestBackupCommandsUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string // --data DIR is added
		withDB     bool     // create the database first
		wantCode   int
		wantStderr string
	}{
		{name: "backup help", args: []string{"backup", "--help"}, wantStderr: "never overwritten"},
		{name: "restore help", args: []string{"restore", "--help"}, wantStderr: "Stop onsite serve first"},
		{name: "check help", args: []string{"check", "--help"}, wantStderr: "integrity"},
		{name: "backup without a path", args: []string{"backup"}, wantCode: 2, wantStderr: "name the backup file"},
		{name: "restore without a path", args: []string{"restore"}, wantCode: 2, wantStderr: "name the backup file"},
		{name: "check with an argument", args: []string{"check", "extra"}, wantCode: 2, wantStderr: `unexpected argument "extra"`},
		{name: "backup without a database", args: []string{"backup", "BACKUP"}, wantCode: 1, wantStderr: "no database at"},
		{name: "check without a database", args: []string{"check"}, wantCode: 1, wantStderr: "no database at"},
		{name: "restore a missing file", args: []string{"restore", "BACKUP"}, withDB: true, wantCode: 1, wantStderr: "no such file"},
		{name: "restore a file that is not a database", args: []string{"restore", "NOTES"}, withDB: true, wantCode: 1, wantStderr: "is not an SQLite database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, files := t.TempDir(), t.TempDir()
			notes := filepath.Join(files, "notes.txt")
			require.NoError(t, os.WriteFile(notes, []byte("these are notes, not a database backup, as any header shows\n"), 0o600))
			if tc.withDB {
				code, _, stderr := run(t, "", "users", "list", "--data", dir)
				require.Equal(t, 0, code, stderr)
			}
			var args []string
			for _, a := range tc.args {
				switch a {
				case "BACKUP":
					a = filepath.Join(files, "backup.db")
				case "NOTES":
					a = notes
				}
				args = append(args, a)
			}
			args = append(args[:1], append([]string{"--data", dir}, args[1:]...)...)
			code, _, stderr := run(t, "", args...)
			assert.Equal(t, tc.wantCode, code, "exit code; stderr:\n%s", stderr)
			assert.Contains(t, stderr, tc.wantStderr)
			if !tc.withDB {
				assert.NoFileExists(t, filepath.Join(dir, "onsite.db"), "a mistyped --data creates no database")
			}
		})
	}
}
