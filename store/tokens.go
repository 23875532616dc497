package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/onsite-dev/onsite"
)

var _ onsite.TokenService = (*TokenService)(nil)

// TokenService stores API tokens as hashes; the token itself is shown once.
type TokenService struct {
	db *DB
}

// NewTokenService returns a TokenService over db.
func NewTokenService(db *DB) *TokenService {
	return &TokenService{db: db}
}

// TokenPrefix starts every API token, so that secret scanners and people
// recognise one.
const TokenPrefix = "onsite_"

// CreateToken makes a new token for a user.
func (s *TokenService) CreateToken(ctx context.Context, userID int64, name string) (*onsite.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, onsite.Errorf(onsite.EINVALID, "Give the token a name that says where it is used, such as \"laptop cron\".")
	} else if n := utf8.RuneCountInString(name); n > 100 {
		return nil, onsite.Errorf(onsite.EINVALID, "The token name is %d characters long; use at most 100.", n)
	}
	secret := TokenPrefix + newSecret()
	t := &onsite.APIToken{UserID: userID, Name: name, Token: secret, Prefix: secret[:len(TokenPrefix)+6]}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		t.CreatedAt = tx.now.Truncate(1e6)
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at)
			VALUES (?, ?, ?, ?, ?)`, userID, name, t.Prefix, hashSecret(secret), formatTime(tx.now))
		if err != nil {
			return err
		}
		t.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// FindTokens lists a user's tokens, newest first, without their secrets.
func (s *TokenService) FindTokens(ctx context.Context, userID int64) ([]*onsite.APIToken, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, user_id, name, prefix, created_at, last_used_at
		FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tokens := []*onsite.APIToken{}
	for rows.Next() {
		var t onsite.APIToken
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, timeValue{&t.CreatedAt}, timeText{&t.LastUsedAt}); err != nil {
			return nil, err
		}
		tokens = append(tokens, &t)
	}
	return tokens, rows.Err()
}

// DeleteToken revokes one of the user's tokens.
func (s *TokenService) DeleteToken(ctx context.Context, userID, id int64) error {
	res, err := s.db.w.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("API token")
	}
	return nil
}

// FindUserByToken returns the owner of a token and records its use.
func (s *TokenService) FindUserByToken(ctx context.Context, token string) (*onsite.User, error) {
	now := s.db.Now().UTC()
	var id int64
	var u onsite.User
	row := s.db.db.QueryRowContext(ctx, `SELECT t.id, u.id, u.email, u.is_admin, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hashSecret(token))
	err := row.Scan(&id, &u.ID, &u.Email, &u.IsAdmin, timeValue{&u.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, onsite.Errorf(onsite.EUNAUTHORIZED, "The API token is not valid; create one with `onsite tokens create` or on the Tokens page.")
	} else if err != nil {
		return nil, err
	}
	// Recording the last use at minute precision keeps bursts of API calls
	// from each writing.
	if _, err := s.db.w.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		formatTime(now), id, formatTime(now.Add(-time.Minute))); err != nil {
		return nil, err
	}
	return &u, nil
}
