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
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/onsite-dev/onsite"
)

// FileName is the database's file name inside the data directory.
const FileName = "onsite.db"

// DB is the SQLite database behind every service in this package.
type DB struct {
	// db reads; w writes, through one connection: writers wait their turn
	// in Go, in order, instead of polling SQLite's lock with growing
	// sleeps (its busy handler waits up to 100 ms between tries, which
	// under a stream of writes turns a 2 ms write into a half-second one).
	db, w *sql.DB
	// lock is the lock file, held shared while the database is open so that
	// Restore can tell (see backup.go).
	lock *os.File
	// Path is the database file.
	Path string
	// Now returns the current time; tests replace it to move the clock.
	Now func() time.Time
	// OnError hears every error SQLite returns in a transaction (the
	// metrics count them).
	OnError func(err error)
}

// NewDB returns a DB for the file at path; Open opens it.
func NewDB(path string) *DB {
	return &DB{Path: path, Now: time.Now}
}

// driverName is go-sqlite3 with each connection reading the file through
// a memory map: every commit makes the other connections drop their page
// caches (WAL), and reading pages back from a map costs a fraction of
// reading them with pread.
const driverName = "sqlite3_onsite"

// mmapBytes is how much of the file each connection maps.
const mmapBytes = 256 << 20

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", mmapBytes), nil)
		return err
	}})
}

// maxConns bounds the open connections, all kept open between requests:
// opening one parses the schema and runs its pragmas, and past a few dozen
// more connections only wait on SQLite's single writer and each other.
const maxConns = 24

// dsn sets the pragmas in the connection string so that every pooled
// connection gets them, not only the first.
func dsn(path string) string {
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "FULL")
	// In a file: URI ?, # and % would end or escape the path.
	escaped := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	return "file:" + escaped + "?" + q.Encode()
}

// Open creates the file's directory if needed, opens the database and brings
// its schema up to date. A schema newer than this binary is refused. Until
// Close it holds a shared lock on Path+".lock", which keeps Restore away; it
// waits for a restore in progress to finish.
func (db *DB) Open(ctx context.Context) error {
	if db.Path == "" {
		return errors.New("store: database path required")
	}
	if err := os.MkdirAll(filepath.Dir(db.Path), 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	var err error
	if db.lock, err = lockShared(ctx, db.Path); err != nil {
		return err
	}
	if db.db, err = sql.Open(driverName, dsn(db.Path)); err != nil {
		db.unlock()
		return err
	}
	// Opening a connection runs its pragmas and loses its statement
	// cache; with database/sql's default of two idle connections, a burst
	// of requests opens and closes connections for every query.
	db.db.SetMaxIdleConns(maxConns)
	db.db.SetMaxOpenConns(maxConns)
	if db.w, err = sql.Open(driverName, dsn(db.Path)); err != nil {
		db.db.Close()
		db.unlock()
		return err
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	if err := db.connect(ctx); err != nil {
		db.Close()
		return fmt.Errorf("open %s: %w", db.Path, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return fmt.Errorf("migrate %s: %w", db.Path, err)
	}
	return nil
}

// connect makes the first connection. Switching a new file to WAL takes an
// exclusive lock that SQLite does not wait for, so when two processes (serve
// and a CLI command) open a new file at once one of them sees "database is
// locked"; it retries until the other has finished. The mode is stored in the
// file, so later connections find it set and need no such lock.
func (db *DB) connect(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func isBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return strings.Contains(err.Error(), "database is locked")
}

// Close closes the database; WAL contents are checkpointed into the main
// file by SQLite when the last connection closes. The lock file is released
// after the connections are closed.
func (db *DB) Close() error {
	defer db.unlock()
	if db.db == nil {
		return nil
	}
	if db.w != nil {
		db.w.Close()
	}
	return db.db.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.db.PingContext(ctx)
}

// CheckWritable reports whether the database takes writes: it takes the
// write lock (an immediate transaction) and lets it go, writing nothing.
func (db *DB) CheckWritable(ctx context.Context) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return fmt.Errorf("the database takes no writes: %w", err)
	}
	return tx.Rollback()
}

// Tx is a write transaction with the time it started, so every row it writes
// carries the same timestamp.
type Tx struct {
	*sql.Tx
	now time.Time
}

// BeginTx starts an immediate (write-locking) transaction.
func (db *DB) BeginTx(ctx context.Context) (*Tx, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		db.noteError(err)
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{Tx: tx, now: db.Now().UTC()}, nil
}

// inTx runs fn in a transaction and commits it when fn succeeds.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		db.noteError(err)
		return err
	}
	return db.noteError(tx.Commit())
}

// noteError tells OnError about an error that came from SQLite itself (not
// a domain error such as not found), and returns err.
func (db *DB) noteError(err error) error {
	var se sqlite3.Error
	if err != nil && db.OnError != nil && errors.As(err, &se) {
		db.OnError(err)
	}
	return err
}

// timeFormat sorts lexically in time order, which queries rely on.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// timeText scans a stored time; NULL leaves the pointer nil.
type timeText struct{ t **time.Time }

func (s timeText) Scan(v any) error {
	if v == nil {
		*s.t = nil
		return nil
	}
	var str string
	switch v := v.(type) {
	case string:
		str = v
	case []byte:
		str = string(v)
	default:
		return fmt.Errorf("time column holds %T", v)
	}
	t, err := time.Parse(timeFormat, str)
	if err != nil {
		return err
	}
	*s.t = &t
	return nil
}

// timeValue scans a NOT NULL time.
type timeValue struct{ t *time.Time }

func (s timeValue) Scan(v any) error {
	var p *time.Time
	if err := (timeText{&p}).Scan(v); err != nil {
		return err
	}
	if p == nil {
		return errors.New("time column is NULL")
	}
	*s.t = *p
	return nil
}

// isUniqueViolation reports a UNIQUE constraint failure.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

// notFound is the error every Find method returns for a missing row.
func notFound(what string) error {
	return onsite.Errorf(onsite.ENOTFOUND, "%s not found.", what)
}
