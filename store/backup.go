package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/onsite-dev/onsite"
)

// Backups, restores and the lock that keeps a restore from pulling the file
// out from under a running onsite.
//
// Every DB holds a shared flock(2) on LockFileName next to the database for
// as long as it is open (serve for its whole life, CLI commands while they
// run); Restore takes it exclusively without waiting, so it refuses while any
// onsite process has the database open, even an idle serve, and new opens
// wait for the restore to finish. flock locks belong to the open file, not
// the process, so two DBs in one process see each other too. SQLite's own
// locks are checked as well, for the programs that do not know the lock file
// (the sqlite3 shell, an older onsite): see checkNotInUse.

// lockSuffix names the lock file: onsite.db.lock next to onsite.db.
const lockSuffix = ".lock"

// lockWait is how long Open waits for a restore to finish.
const lockWait = 30 * time.Second

// lockShared takes the shared lock an open DB holds on its lock file. While
// a restore holds the exclusive lock it retries, so a serve started during a
// restore opens the restored database.
func lockShared(ctx context.Context, dbPath string) (*os.File, error) {
	f, err := openLockFile(dbPath)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(lockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		retry := errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EINTR)
		if !retry || time.Now().After(deadline) {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, onsite.Errorf(onsite.ECONFLICT, "%s is being restored (onsite restore holds %s): try again when it has finished", dbPath, f.Name())
			}
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// openLockFile opens (creating) the lock file of the database at dbPath.
// It is opened read-only, which is enough for flock, so that a lock file
// created by another account can still be locked.
func openLockFile(dbPath string) (*os.File, error) {
	f, err := os.OpenFile(dbPath+lockSuffix, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	return f, nil
}

// unlock releases the lock file; closing the file releases the flock.
func (db *DB) unlock() {
	if db.lock != nil {
		db.lock.Close()
		db.lock = nil
	}
}

// ErrInUse is the error Restore returns while something has the database
// open.
var ErrInUse = errors.New("the database is in use: stop onsite serve first")

// Backup writes a consistent copy of the database to path while the server
// keeps running, with SQLite's online backup API. The copy is written to
// path+".tmp", checked with PRAGMA integrity_check, synced and renamed, so
// path never holds half a backup. An existing file at path is refused unless
// it is empty. The copy is a single file (rollback journal mode), ready to
// be copied elsewhere or given to Restore.
func (db *DB) Backup(ctx context.Context, path string) error {
	if err := checkBackupTarget(path); err != nil {
		return err
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	tmp := path + ".tmp"
	err = conn.Raw(func(dc any) error {
		src, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("backup: driver connection is %T, not SQLite", dc)
		}
		return writeCopy(ctx, src, tmp)
	})
	if err != nil {
		return fmt.Errorf("back up %s to %s: %w", db.Path, path, err)
	}
	// Someone may have created the file while we copied.
	if err := checkBackupTarget(path); err != nil {
		removeDatabaseFiles(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		removeDatabaseFiles(tmp)
		return fmt.Errorf("back up %s: %w", db.Path, err)
	}
	return syncDir(filepath.Dir(path))
}

// checkBackupTarget refuses to overwrite anything but an empty file.
func checkBackupTarget(path string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("backup: %w", err)
	case info.IsDir():
		return onsite.Errorf(onsite.EINVALID, "%s is a directory: name the backup file, such as %s", path, filepath.Join(path, "onsite-backup.db"))
	case info.Size() > 0:
		return onsite.Errorf(onsite.ECONFLICT, "%s already exists: choose another name or remove it first; a backup never overwrites a file", path)
	}
	return nil
}

// writeCopy copies the database behind src into a new file at tmp, turns
// it into a single self-contained file, checks its integrity and syncs it.
// On failure tmp is removed.
//
// It steps the backup in one go (Step(-1)): on a WAL database that holds a
// read snapshot, which does not block writers, and the copy is that
// snapshot. Copying in chunks would release the snapshot between chunks,
// and SQLite restarts a backup whenever another connection writes, so under
// a steady stream of writes a chunked backup might never finish.
func writeCopy(ctx context.Context, src *sqlite3.SQLiteConn, tmp string) (err error) {
	removeDatabaseFiles(tmp) // left by a crash
	defer func() {
		if err != nil {
			removeDatabaseFiles(tmp)
		}
	}()
	// A backup holds password hashes and sessions: only its owner reads it.
	// SQLite opens the empty file as a new database.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	dc, err := (&sqlite3.SQLiteDriver{}).Open(fileURI(tmp, nil))
	if err != nil {
		return err
	}
	dest := dc.(*sqlite3.SQLiteConn)
	defer func() {
		if cerr := dest.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	b, err := dest.Backup("main", src, "main")
	if err != nil {
		return err
	}
	for {
		// Step reports SQLITE_BUSY and SQLITE_LOCKED as not done, no error:
		// wait a little and try again.
		done, err := b.Step(-1)
		if err != nil {
			b.Finish()
			return err
		}
		if done {
			break
		}
		select {
		case <-ctx.Done():
			b.Finish()
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := b.Finish(); err != nil {
		return err
	}
	// The copy has the source's WAL flag in its header; a rollback journal
	// makes it one file with nothing beside it. Opening it with Open turns
	// WAL back on.
	if _, err := dest.Exec("PRAGMA journal_mode=DELETE", nil); err != nil {
		return fmt.Errorf("leave WAL mode: %w", err)
	}
	if err := dest.Close(); err != nil {
		return err
	}
	problems, err := integrityCheck(ctx, tmp)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("the copy fails the integrity check: %s", strings.Join(problems, "; "))
	}
	return syncFile(tmp)
}

// Restore replaces the database at dbPath with the backup at backupPath. It
// checks the backup first: an SQLite file that passes integrity_check, with
// schema_migrations at a version this binary knows (an older one is
// migrated by the next Open). It refuses with ErrInUse while any onsite
// process has the database open (the lock file) or any other program has it
// open (SQLite's locks; see checkNotInUse). The backup is copied to
// dbPath+".restore-tmp", checked and synced, the old database is kept as
// dbPath+".before-restore", and the copy is renamed over dbPath, so at every
// moment dbPath is either the old database or the restored one. An existing
// .before-restore file is refused rather than overwritten: it may be the
// only copy of the data from before an earlier restore.
func Restore(ctx context.Context, backupPath, dbPath string) error {
	if sameFileNoErr(backupPath, dbPath) {
		return onsite.Errorf(onsite.EINVALID, "%s is the live database itself: name a backup file", backupPath)
	}
	if err := checkBackup(ctx, backupPath); err != nil {
		return err
	}
	before := dbPath + ".before-restore"
	if _, err := os.Lstat(before); err == nil {
		return onsite.Errorf(onsite.ECONFLICT, "%s exists from an earlier restore: move it somewhere safe (or delete it) and run restore again", before)
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	lock, err := openLockFile(dbPath)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("cannot restore over %s: %w (an onsite process, serve or another command, holds %s)", dbPath, ErrInUse, lock.Name())
		}
		return fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	_, err = os.Stat(dbPath)
	exists := err == nil
	if exists {
		if err := checkNotInUse(ctx, dbPath); err != nil {
			return err
		}
	}

	tmp := dbPath + ".restore-tmp"
	if err := copyBackup(ctx, backupPath, tmp); err != nil {
		return fmt.Errorf("restore %s: %w", backupPath, err)
	}
	if exists {
		old, err := os.Stat(dbPath)
		if err == nil {
			matchOwner(tmp, old)
		}
		if err := keepOld(dbPath, before); err != nil {
			removeDatabaseFiles(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		removeDatabaseFiles(tmp)
		if exists && sameFileNoErr(dbPath, before) {
			os.Remove(before) // only the link: dbPath is still the old database
		}
		return fmt.Errorf("restore %s: %w", backupPath, err)
	}
	return syncDir(filepath.Dir(dbPath))
}

// matchOwner gives the restored file the mode, and when allowed the owner,
// of the database it replaces, so that serve, running as its own account,
// can open a database restored by root. Failing to chown is not an error:
// only root may.
func matchOwner(path string, old os.FileInfo) {
	os.Chmod(path, old.Mode().Perm())
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		os.Chown(path, int(st.Uid), int(st.Gid))
	}
}

// checkNotInUse refuses when another connection has the database open,
// whatever program it belongs to. In WAL mode every open connection keeps a
// shared lock on the database file (not only during transactions), and
// leaving WAL mode needs an exclusive one: switching to journal_mode=DELETE
// with no busy timeout fails while any other connection is open, even idle,
// and when it succeeds it has checkpointed the WAL into the main file, so the
// old database kept aside is one self-contained file. In rollback mode
// (a database never opened by serve since a restore) BEGIN EXCLUSIVE fails
// while another connection reads or writes. A database SQLite cannot open
// (corrupt, perhaps the reason for the restore) is not checked here: the
// lock file still keeps onsite away, and it is kept aside unchanged.
func checkNotInUse(ctx context.Context, dbPath string) error {
	sdb, err := sql.Open("sqlite3", fileURI(dbPath, url.Values{"_busy_timeout": {"0"}}))
	if err != nil {
		return err
	}
	defer sdb.Close()
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return checkInUseErr(dbPath, err)
	}
	defer conn.Close()
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		return checkInUseErr(dbPath, err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		return checkInUseErr(dbPath, err)
	}
	_, err = conn.ExecContext(ctx, "ROLLBACK")
	return err
}

// checkInUseErr turns SQLite's "database is locked" into ErrInUse and lets
// other failures pass, as checkNotInUse explains.
func checkInUseErr(dbPath string, err error) error {
	if isBusy(err) {
		return fmt.Errorf("cannot restore over %s: %w (another program has it open)", dbPath, ErrInUse)
	}
	return nil
}

// keepOld moves the database and any journal beside it aside as before: a
// hard link first, so that the rename that follows replaces dbPath in one
// step; on a file system without hard links, a rename.
func keepOld(dbPath, before string) error {
	if err := os.Link(dbPath, before); err != nil {
		if err := os.Rename(dbPath, before); err != nil {
			return fmt.Errorf("keep the old database: %w", err)
		}
	}
	// A journal belongs to its database; the restored file must not find
	// the old one's.
	for _, suffix := range []string{"-wal", "-journal"} {
		if _, err := os.Lstat(dbPath + suffix); err == nil {
			if err := os.Rename(dbPath+suffix, before+suffix); err != nil {
				return fmt.Errorf("keep the old database's %s: %w", suffix, err)
			}
		}
	}
	if err := os.Remove(dbPath + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the old database's -shm: %w", err)
	}
	return syncFile(before)
}

// checkBackup opens the file at path read-only and refuses it unless it is
// an SQLite database that passes integrity_check and has a schema this
// binary knows.
func checkBackup(ctx context.Context, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if info.IsDir() {
		return onsite.Errorf(onsite.EINVALID, "%s is a directory: name the backup file", path)
	}
	problems, err := integrityCheck(ctx, path)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return onsite.Errorf(onsite.EINVALID, "%s fails SQLite's integrity check, so it is not restored: %s", path, strings.Join(problems, "; "))
	}
	sdb, err := sql.Open("sqlite3", fileURI(path, url.Values{"mode": {"ro"}}))
	if err != nil {
		return err
	}
	defer sdb.Close()
	var n int
	if err := sdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if n == 0 {
		return onsite.Errorf(onsite.EINVALID, "%s is an SQLite database but not an onsite one: it has no schema_migrations table", path)
	}
	var version int
	if err := sdb.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return fmt.Errorf("read the schema version of %s: %w", path, err)
	}
	if version < 1 {
		return onsite.Errorf(onsite.EINVALID, "%s records no schema version in schema_migrations: it is not an onsite backup", path)
	}
	if known := SchemaVersion(); version > known {
		return onsite.Errorf(onsite.EINVALID, "%s has schema version %d, newer than this onsite binary knows (%d): restore it with a newer onsite", path, version, known)
	}
	return nil
}

// copyBackup copies the backup at backupPath to tmp with the backup API,
// which reads a consistent snapshot of it (with its WAL, if it has one).
func copyBackup(ctx context.Context, backupPath, tmp string) error {
	sdb, err := sql.Open("sqlite3", fileURI(backupPath, url.Values{"mode": {"ro"}}))
	if err != nil {
		return err
	}
	defer sdb.Close()
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		return writeCopy(ctx, dc.(*sqlite3.SQLiteConn), tmp)
	})
}

// integrityCheck runs PRAGMA integrity_check on the file at path, opened
// read-only, and returns its complaints; none means healthy.
func integrityCheck(ctx context.Context, path string) ([]string, error) {
	sdb, err := sql.Open("sqlite3", fileURI(path, url.Values{"mode": {"ro"}}))
	if err != nil {
		return nil, err
	}
	defer sdb.Close()
	problems, err := queryIntegrity(ctx, sdb)
	if err != nil {
		var se sqlite3.Error
		if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
			return nil, onsite.Errorf(onsite.EINVALID, "%s is not an SQLite database (or is damaged beyond checking): %v", path, err)
		}
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	return problems, nil
}

// queryIntegrity returns the lines of PRAGMA integrity_check other than its
// single "ok".
func queryIntegrity(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			lines = append(lines, line)
		}
	}
	return lines, rows.Err()
}

// Check runs SQLite's integrity_check and foreign_key_check and returns
// each problem as a line ("integrity: ...", "foreign key: table reviews
// row 12 refers to cards, missing"); none means healthy. Foreign keys are
// enforced on every write, so a violation means the file was changed
// outside onsite or restored from a damaged copy.
func (db *DB) Check(ctx context.Context) ([]string, error) {
	lines, err := queryIntegrity(ctx, db.db)
	if err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	problems := make([]string, 0, len(lines))
	for _, line := range lines {
		problems = append(problems, "integrity: "+line)
	}
	rows, err := db.db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return nil, fmt.Errorf("foreign key check: %w", err)
		}
		row := "a row"
		if rowid.Valid {
			row = fmt.Sprintf("row %d", rowid.Int64)
		}
		problems = append(problems, fmt.Sprintf("foreign key: table %s %s refers to %s, missing", table, row, parent))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("foreign key check: %w", err)
	}
	return problems, nil
}

// fileURI is an SQLite URI for path with params. The path is escaped, since
// '?', '#' and '%' have meanings in a URI and a backup may be named anything.
func fileURI(path string, params url.Values) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if len(params) == 0 {
		return "file:" + escaped
	}
	return "file:" + escaped + "?" + params.Encode()
}

// removeDatabaseFiles removes an unfinished copy and its journals.
func removeDatabaseFiles(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) (bool, error) {
	ai, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	bi, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(ai, bi), nil
}

// sameFileNoErr is sameFile, false on any error.
func sameFileNoErr(a, b string) bool {
	same, err := sameFile(a, b)
	return err == nil && same
}

// syncFile flushes the file at path to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// syncDir flushes a directory, so that a rename in it survives a crash.
func syncDir(dir string) error {
	return syncFile(dir)
}
