package onsite

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// User is an account: a candidate, or an admin who also manages the server.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	IsAdmin   bool      `json:"is_admin"`
	CreatedAt time.Time `json:"created_at"`
}

// MinPasswordLength is the shortest password accepted for an account.
const MinPasswordLength = 8

// MaxPasswordLength is bcrypt's limit: longer passwords would be silently cut.
const MaxPasswordLength = 72

// NewUser is what it takes to create an account.
type NewUser struct {
	Email    string
	Password string
	// Admin asks for an admin account. The first account is always an admin.
	Admin bool
}

// Validate checks the email and the password and returns an EINVALID error
// that says what to change.
func (u *NewUser) Validate() error {
	u.Email = strings.TrimSpace(u.Email)
	if err := ValidateEmail(u.Email); err != nil {
		return err
	}
	return ValidatePassword(u.Password)
}

// ValidateEmail accepts a bare address such as ada@example.com.
func ValidateEmail(email string) error {
	if email == "" {
		return Errorf(EINVALID, "Email is required.")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return Errorf(EINVALID, "%q is not an email address; use the form name@example.com.", email)
	}
	return nil
}

// ValidatePassword checks the length limits of a new password.
func ValidatePassword(password string) error {
	if n := len(password); n < MinPasswordLength {
		return Errorf(EINVALID, "Password is too short: use at least %d characters.", MinPasswordLength)
	} else if n > MaxPasswordLength {
		return Errorf(EINVALID, "Password is too long: use at most %d bytes.", MaxPasswordLength)
	}
	return nil
}

// UserService manages accounts and how they sign in.
type UserService interface {
	// CreateUser creates an account. The first account ever created is an
	// admin whatever NewUser.Admin says. A taken email is ECONFLICT.
	CreateUser(ctx context.Context, nu NewUser) (*User, error)
	// CountUsers reports how many accounts exist, so that the server knows
	// whether the first sign-up is open.
	CountUsers(ctx context.Context) (int, error)
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error)
	// SetPassword replaces a user's password.
	SetPassword(ctx context.Context, id int64, password string) error
	// Authenticate checks an email and password; any mismatch is
	// EUNAUTHORIZED with the same message, so it does not tell which was wrong.
	Authenticate(ctx context.Context, email, password string) (*User, error)
}

// Session is a signed-in browser. Token is only known when the session is
// created; the store keeps its hash.
type Session struct {
	ID        int64
	UserID    int64
	Token     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionLifetime is how long a browser stays signed in without activity.
const SessionLifetime = 30 * 24 * time.Hour

// SessionService keeps the browsers' server-side sessions.
type SessionService interface {
	CreateSession(ctx context.Context, userID int64) (*Session, error)
	// FindUserBySession returns the user of an unexpired session token and
	// extends the session; an unknown or expired token is EUNAUTHORIZED.
	FindUserBySession(ctx context.Context, token string) (*User, error)
	DeleteSession(ctx context.Context, token string) error
	// DeleteUserSessions signs a user out everywhere except the session
	// with keepToken (empty to keep none), after a password change.
	DeleteUserSessions(ctx context.Context, userID int64, keepToken string) error
}

// APIToken is a named secret for the JSON API. Token is only set when the
// token is created: it is shown once and only its hash is stored.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"-"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Token      string     `json:"token,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// TokenService manages API tokens. Every method is scoped to one user.
type TokenService interface {
	CreateToken(ctx context.Context, userID int64, name string) (*APIToken, error)
	FindTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// DeleteToken revokes a token of the user; another user's token is
	// ENOTFOUND, exactly like a missing one.
	DeleteToken(ctx context.Context, userID, id int64) error
	// FindUserByToken returns the owner of a bearer token or EUNAUTHORIZED.
	FindUserByToken(ctx context.Context, token string) (*User, error)
}
