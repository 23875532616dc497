package store

import (
	"context"
	"strings"
	"testing"

	"github.com/onsite-dev/onsite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateUserAdmin(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	s := newUserService(db)
	ctx := context.Background()

	// In order: the first account is an admin whatever it asks for.
	tests := []struct {
		name      string
		email     string
		admin     bool
		wantAdmin bool
	}{
		{name: "first account, not asking", email: "first@example.com", admin: false, wantAdmin: true},
		{name: "second account, not asking", email: "second@example.com", admin: false, wantAdmin: false},
		{name: "third account, asking", email: "third@example.com", admin: true, wantAdmin: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := s.CreateUser(ctx, onsite.NewUser{Email: tc.email, Password: testPassword, Admin: tc.admin})
			require.NoError(t, err)
			assert.Positive(t, u.ID, "got ID %d", u.ID)
			assert.Equal(t, tc.email, u.Email)
			assert.Equal(t, tc.wantAdmin, u.IsAdmin, "got IsAdmin %v, want %v", u.IsAdmin, tc.wantAdmin)
			assert.Equal(t, clock.Now(), u.CreatedAt, "got CreatedAt %v, want the clock's %v", u.CreatedAt, clock.Now())

			got, err := s.FindUserByID(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, u, got, "got the stored user different from the one CreateUser returned")
		})
	}

	n, err := s.CountUsers(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(tests), n, "got CountUsers %d, want %d", n, len(tests))
	users, err := s.FindUsers(ctx)
	require.NoError(t, err)
	var emails []string
	for _, u := range users {
		emails = append(emails, u.Email)
	}
	assert.Equal(t, []string{"first@example.com", "second@example.com", "third@example.com"}, emails, "FindUsers, oldest first")
}

func TestCreateUserEmailTaken(t *testing.T) {
	db := openTestDB(t)
	s := newUserService(db)
	ctx := context.Background()
	createUser(t, db, "Ada@Example.com")

	tests := []struct {
		name  string
		email string
	}{
		{name: "same", email: "Ada@Example.com"},
		{name: "lower case", email: "ada@example.com"},
		{name: "upper case", email: "ADA@EXAMPLE.COM"},
		{name: "surrounding spaces", email: "  ada@example.com "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, onsite.NewUser{Email: tc.email, Password: testPassword})
			requireCode(t, err, onsite.ECONFLICT)
		})
	}
	n, err := s.CountUsers(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "got %d accounts after the conflicts, want 1", n)
}

func TestCreateUserInvalid(t *testing.T) {
	db := openTestDB(t)
	s := newUserService(db)
	ctx := context.Background()

	tests := []struct {
		name     string
		email    string
		password string
	}{
		{name: "no email", email: "", password: testPassword},
		{name: "blank email", email: "   ", password: testPassword},
		{name: "not an email", email: "ada", password: testPassword},
		{name: "email with a display name", email: "Ada <ada@example.com>", password: testPassword},
		{name: "no password", email: "ada@example.com", password: ""},
		{name: "short password", email: "ada@example.com", password: strings.Repeat("x", onsite.MinPasswordLength-1)},
		{name: "password longer than bcrypt takes", email: "ada@example.com", password: strings.Repeat("x", onsite.MaxPasswordLength+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, onsite.NewUser{Email: tc.email, Password: tc.password})
			requireCode(t, err, onsite.EINVALID)
		})
	}
	n, err := s.CountUsers(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "got %d accounts after invalid sign-ups, want 0", n)
}

func TestAuthenticate(t *testing.T) {
	db := openTestDB(t)
	s := newUserService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")
	createUser(t, db, "bob@example.com")

	tests := []struct {
		name     string
		email    string
		password string
		want     *onsite.User // nil: EUNAUTHORIZED
	}{
		{name: "right password", email: "ada@example.com", password: testPassword, want: ada},
		{name: "email in another case", email: "ADA@example.com", password: testPassword, want: ada},
		{name: "email with spaces", email: " ada@example.com ", password: testPassword, want: ada},
		{name: "wrong password", email: "ada@example.com", password: testPassword + "!"},
		{name: "empty password", email: "ada@example.com", password: ""},
		{name: "unknown email", email: "eve@example.com", password: testPassword},
	}
	var messages []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Authenticate(ctx, tc.email, tc.password)
			if tc.want != nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			requireCode(t, err, onsite.EUNAUTHORIZED)
			assert.Nil(t, got, "got a user with the error")
			messages = append(messages, onsite.ErrorMessage(err))
		})
	}
	// Neither the wrong password nor the unknown email may tell which it was.
	for i := 1; i < len(messages); i++ {
		assert.Equal(t, messages[0], messages[i], "got different messages for failed sign-ins, want one message for all")
	}
}

func TestFindUser(t *testing.T) {
	db := openTestDB(t)
	s := newUserService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")

	t.Run("by ID", func(t *testing.T) {
		got, err := s.FindUserByID(ctx, ada.ID)
		require.NoError(t, err)
		assert.Equal(t, ada, got)
	})
	t.Run("missing ID", func(t *testing.T) {
		got, err := s.FindUserByID(ctx, ada.ID+1)
		requireCode(t, err, onsite.ENOTFOUND)
		assert.Nil(t, got)
	})
	t.Run("by email in another case", func(t *testing.T) {
		got, err := s.FindUserByEmail(ctx, "Ada@Example.COM")
		require.NoError(t, err)
		assert.Equal(t, ada, got)
	})
	t.Run("missing email", func(t *testing.T) {
		got, err := s.FindUserByEmail(ctx, "eve@example.com")
		requireCode(t, err, onsite.ENOTFOUND)
		assert.Nil(t, got)
	})
}
