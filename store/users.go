package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"

	"github.com/onsite-dev/onsite"
	"golang.org/x/crypto/bcrypt"
)

// Ensure the service implements the domain interface.
var _ onsite.UserService = (*UserService)(nil)

// UserService stores accounts with bcrypt-hashed passwords.
type UserService struct {
	db *DB
	// Cost is bcrypt's work factor; tests lower it.
	Cost int
	// dummyHash is compared against when an email is unknown, so that a
	// failed sign-in takes as long either way.
	dummyOnce sync.Once
	dummyHash []byte
}

// NewUserService returns a UserService over db.
func NewUserService(db *DB) *UserService {
	return &UserService{db: db, Cost: bcrypt.DefaultCost}
}

// CreateUser creates an account; the first one is an admin.
func (s *UserService) CreateUser(ctx context.Context, nu onsite.NewUser) (*onsite.User, error) {
	if err := nu.Validate(); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(nu.Password), s.Cost)
	if err != nil {
		return nil, err
	}
	var user *onsite.User
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		user = &onsite.User{Email: nu.Email, IsAdmin: nu.Admin || n == 0, CreatedAt: tx.now}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, password_hash, is_admin, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)`, user.Email, string(hash), user.IsAdmin, formatTime(tx.now), formatTime(tx.now))
		if isUniqueViolation(err) {
			return onsite.Errorf(onsite.ECONFLICT, "An account with the email %s already exists; sign in instead.", nu.Email)
		} else if err != nil {
			return err
		}
		user.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	user.CreatedAt = user.CreatedAt.Truncate(1e6)
	return user, nil
}

// SetPassword replaces a user's password.
func (s *UserService) SetPassword(ctx context.Context, id int64, password string) error {
	if err := onsite.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.Cost)
	if err != nil {
		return err
	}
	res, err := s.db.w.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`,
		string(hash), formatTime(s.db.Now()), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("User")
	}
	return nil
}

// CountUsers counts the accounts.
func (s *UserService) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

const userColumns = `id, email, is_admin, created_at`

func scanUser(row interface{ Scan(...any) error }) (*onsite.User, error) {
	var u onsite.User
	if err := row.Scan(&u.ID, &u.Email, &u.IsAdmin, timeValue{&u.CreatedAt}); err != nil {
		return nil, err
	}
	return &u, nil
}

// FindUserByID returns an account or ENOTFOUND.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*onsite.User, error) {
	u, err := scanUser(s.db.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("User")
	}
	return u, err
}

// FindUserByEmail returns an account or ENOTFOUND; case does not matter.
func (s *UserService) FindUserByEmail(ctx context.Context, email string) (*onsite.User, error) {
	u, err := scanUser(s.db.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, strings.TrimSpace(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, onsite.Errorf(onsite.ENOTFOUND, "No account has the email %s.", email)
	}
	return u, err
}

// FindUsers returns every account, oldest first.
func (s *UserService) FindUsers(ctx context.Context) ([]*onsite.User, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var users []*onsite.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// Authenticate checks a password.
func (s *UserService) Authenticate(ctx context.Context, email, password string) (*onsite.User, error) {
	wrong := onsite.Errorf(onsite.EUNAUTHORIZED, "Wrong email or password.")
	var hash string
	row := s.db.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, strings.TrimSpace(email))
	var u onsite.User
	err := row.Scan(&u.ID, &u.Email, &u.IsAdmin, timeValue{&u.CreatedAt}, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		s.dummyOnce.Do(func() {
			s.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such account"), s.Cost)
		})
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return nil, wrong
	} else if err != nil {
		return nil, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return nil, wrong
	}
	return &u, nil
}
