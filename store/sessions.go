package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/onsite-dev/onsite"
)

var _ onsite.SessionService = (*SessionService)(nil)

// SessionService keeps browser sessions; only token hashes are stored, so a
// copy of the database does not sign anyone in.
type SessionService struct {
	db *DB
}

// NewSessionService returns a SessionService over db.
func NewSessionService(db *DB) *SessionService {
	return &SessionService{db: db}
}

// newSecret returns 32 random bytes as URL-safe text.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateSession signs a user in and removes expired sessions.
func (s *SessionService) CreateSession(ctx context.Context, userID int64) (*onsite.Session, error) {
	sess := &onsite.Session{UserID: userID, Token: newSecret()}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		sess.CreatedAt, sess.ExpiresAt = tx.now, tx.now.Add(onsite.SessionLifetime)
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, formatTime(tx.now)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, userID, hashSecret(sess.Token), formatTime(tx.now), formatTime(tx.now), formatTime(sess.ExpiresAt))
		if err != nil {
			return err
		}
		sess.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// sessionTouchEvery limits how often a session's expiry is pushed back, so
// that reads do not each cost a write.
const sessionTouchEvery = time.Hour

// FindUserBySession returns the user of a live session.
func (s *SessionService) FindUserBySession(ctx context.Context, token string) (*onsite.User, error) {
	if token == "" {
		return nil, onsite.Errorf(onsite.EUNAUTHORIZED, "Sign in first.")
	}
	now := s.db.Now().UTC()
	var id int64
	var lastSeen time.Time
	row := s.db.db.QueryRowContext(ctx, `SELECT s.id, s.last_seen_at, u.id, u.email, u.is_admin, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, hashSecret(token), formatTime(now))
	var u onsite.User
	err := row.Scan(&id, timeValue{&lastSeen}, &u.ID, &u.Email, &u.IsAdmin, timeValue{&u.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, onsite.Errorf(onsite.EUNAUTHORIZED, "Your session has ended; sign in again.")
	} else if err != nil {
		return nil, err
	}
	if now.Sub(lastSeen) > sessionTouchEvery {
		if _, err := s.db.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`,
			formatTime(now), formatTime(now.Add(onsite.SessionLifetime)), id); err != nil {
			return nil, err
		}
	}
	return &u, nil
}

// DeleteSession signs a browser out; an unknown token is not an error.
func (s *SessionService) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashSecret(token))
	return err
}

// DeleteUserSessions signs a user out of every browser but one.
func (s *SessionService) DeleteUserSessions(ctx context.Context, userID int64, keepToken string) error {
	_, err := s.db.w.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, hashSecret(keepToken))
	return err
}
