package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tableContains reports whether any column of any row of table holds secret.
func tableContains(t *testing.T, db *DB, table, secret string) bool {
	t.Helper()
	rows, err := db.db.Query(`SELECT * FROM ` + table)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	found := false
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if strings.Contains(fmt.Sprint(v), secret) {
				found = true
			}
		}
	}
	require.NoError(t, rows.Err())
	return found
}

// filesContain reports whether the database's files on disk (the main file
// and the write-ahead log) hold secret anywhere.
func filesContain(t *testing.T, db *DB, secret string) bool {
	t.Helper()
	for _, path := range []string{db.Path, db.Path + "-wal"} {
		data, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		if bytes.Contains(data, []byte(secret)) {
			return true
		}
	}
	return false
}

func TestSessionCreateAndFind(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	s := NewSessionService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")
	bob := createUser(t, db, "bob@example.com")

	sess, err := s.CreateSession(ctx, ada.ID)
	require.NoError(t, err)
	assert.Positive(t, sess.ID)
	assert.Equal(t, ada.ID, sess.UserID)
	assert.GreaterOrEqual(t, len(sess.Token), 32, "got token %q, want at least 32 characters", sess.Token)
	assert.Equal(t, clock.Now(), sess.CreatedAt)
	assert.Equal(t, clock.Now().Add(onsite.SessionLifetime), sess.ExpiresAt, "got ExpiresAt %v, want CreatedAt + SessionLifetime", sess.ExpiresAt)

	other, err := s.CreateSession(ctx, bob.ID)
	require.NoError(t, err)
	assert.NotEqual(t, sess.Token, other.Token, "got two sessions with one token")

	got, err := s.FindUserBySession(ctx, sess.Token)
	require.NoError(t, err)
	assert.Equal(t, ada, got, "got the session's user")
	got, err = s.FindUserBySession(ctx, other.Token)
	require.NoError(t, err)
	assert.Equal(t, bob, got, "got the other session's user")
}

func TestSessionUnknownToken(t *testing.T) {
	db := openTestDB(t)
	s := NewSessionService(db)
	ada := createUser(t, db, "ada@example.com")
	sess, err := s.CreateSession(context.Background(), ada.ID)
	require.NoError(t, err)

	tests := []struct {
		name  string
		token string
	}{
		{name: "empty", token: ""},
		{name: "made up", token: "not-a-session"},
		{name: "the token's hash", token: hashSecret(sess.Token)},
		{name: "the token with a character changed", token: sess.Token[:len(sess.Token)-1] + flip(sess.Token[len(sess.Token)-1])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.FindUserBySession(context.Background(), tc.token)
			requireCode(t, err, onsite.EUNAUTHORIZED)
			assert.Nil(t, got)
		})
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestSessionTokenStoredAsHash(t *testing.T) {
	db := openTestDB(t)
	s := NewSessionService(db)
	ada := createUser(t, db, "ada@example.com")
	sess, err := s.CreateSession(context.Background(), ada.ID)
	require.NoError(t, err)

	assert.False(t, tableContains(t, db, "sessions", sess.Token), "got the raw session token in the sessions table, want only its hash")
	assert.True(t, tableContains(t, db, "sessions", hashSecret(sess.Token)), "got no hash of the token in the sessions table")
	assert.False(t, filesContain(t, db, sess.Token), "got the raw session token in the database files")
}

func TestSessionExpires(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	s := NewSessionService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")
	sess, err := s.CreateSession(ctx, ada.ID)
	require.NoError(t, err)

	clock.Advance(onsite.SessionLifetime + time.Second)
	got, err := s.FindUserBySession(ctx, sess.Token)
	requireCode(t, err, onsite.EUNAUTHORIZED)
	assert.Nil(t, got)

	// Signing in again sweeps the expired session away.
	_, err = s.CreateSession(ctx, ada.ID)
	require.NoError(t, err)
	var n int
	require.NoError(t, db.db.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n))
	assert.Equal(t, 1, n, "got %d sessions after a new sign-in, want the expired one removed", n)
}

func TestSessionActivityExtendsExpiry(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	s := NewSessionService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")
	sess, err := s.CreateSession(ctx, ada.ID)
	require.NoError(t, err)

	// Used every 20 days, the session outlives its first 30-day lifetime.
	step := onsite.SessionLifetime * 2 / 3
	for i := 1; i <= 3; i++ {
		clock.Advance(step)
		got, err := s.FindUserBySession(ctx, sess.Token)
		require.NoError(t, err, "use %d, %v after sign-in: got the session ended, want it extended by the previous use", i, time.Duration(i)*step)
		assert.Equal(t, ada.ID, got.ID)
	}

	// Left alone for a whole lifetime after the last use, it ends.
	clock.Advance(onsite.SessionLifetime + time.Second)
	_, err = s.FindUserBySession(ctx, sess.Token)
	requireCode(t, err, onsite.EUNAUTHORIZED)
}

func TestSessionDelete(t *testing.T) {
	db := openTestDB(t)
	s := NewSessionService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")
	laptop, err := s.CreateSession(ctx, ada.ID)
	require.NoError(t, err)
	phone, err := s.CreateSession(ctx, ada.ID)
	require.NoError(t, err)

	require.NoError(t, s.DeleteSession(ctx, laptop.Token))
	_, err = s.FindUserBySession(ctx, laptop.Token)
	requireCode(t, err, onsite.EUNAUTHORIZED)

	got, err := s.FindUserBySession(ctx, phone.Token)
	require.NoError(t, err, "got the user's other session ended by signing out one browser")
	assert.Equal(t, ada.ID, got.ID)

	assert.NoError(t, s.DeleteSession(ctx, laptop.Token), "deleting a deleted session")
	assert.NoError(t, s.DeleteSession(ctx, "never-issued"), "deleting an unknown session")
}
