package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateToken(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	s := NewTokenService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")

	tok, err := s.CreateToken(ctx, ada.ID, "  laptop cron ")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(tok.Token, TokenPrefix), "got token %q, want it to start with %q", tok.Token, TokenPrefix)
	assert.Greater(t, len(tok.Token), len(TokenPrefix)+32, "got token %q, want a long secret after the prefix", tok.Token)
	assert.True(t, strings.HasPrefix(tok.Token, tok.Prefix), "got Prefix %q, want the start of the token %q", tok.Prefix, tok.Token)
	assert.Greater(t, len(tok.Prefix), len(TokenPrefix), "got Prefix %q, want a few characters of the secret too", tok.Prefix)
	assert.Equal(t, "laptop cron", tok.Name, "got the name untrimmed")
	assert.Equal(t, ada.ID, tok.UserID)
	assert.Equal(t, clock.Now(), tok.CreatedAt)
	assert.Nil(t, tok.LastUsedAt)

	list, err := s.FindTokens(ctx, ada.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	want := *tok
	want.Token = ""
	assert.Equal(t, &want, list[0], "got FindTokens different from the created token without its secret")
	assert.Empty(t, list[0].Token, "got the secret from FindTokens, want it shown only at creation")

	assert.False(t, tableContains(t, db, "api_tokens", tok.Token), "got the raw token in the api_tokens table, want only its hash")
	assert.False(t, filesContain(t, db, tok.Token), "got the raw token in the database files")
}

func TestCreateTokenInvalidName(t *testing.T) {
	db := openTestDB(t)
	s := NewTokenService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")

	tests := []struct {
		name      string
		tokenName string
	}{
		{name: "empty", tokenName: ""},
		{name: "blank", tokenName: " \t "},
		{name: "too long", tokenName: strings.Repeat("n", 101)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CreateToken(ctx, ada.ID, tc.tokenName)
			requireCode(t, err, onsite.EINVALID)
			assert.Nil(t, got)
		})
	}
	list, err := s.FindTokens(ctx, ada.ID)
	require.NoError(t, err)
	assert.Empty(t, list, "got tokens created from invalid names")
}

func TestFindUserByToken(t *testing.T) {
	db := openTestDB(t)
	clock := useFakeClock(db)
	s := NewTokenService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")
	tok, err := s.CreateToken(ctx, ada.ID, "laptop")
	require.NoError(t, err)

	lastUsed := func() *time.Time {
		t.Helper()
		list, err := s.FindTokens(ctx, ada.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		return list[0].LastUsedAt
	}

	clock.Advance(time.Hour)
	firstUse := clock.Now()
	got, err := s.FindUserByToken(ctx, tok.Token)
	require.NoError(t, err)
	assert.Equal(t, ada, got)
	if lu := lastUsed(); assert.NotNil(t, lu, "got no last_used_at after a use") {
		assert.Equal(t, firstUse, *lu, "got last_used_at %v, want the time of use %v", *lu, firstUse)
	}

	clock.Advance(2 * time.Hour)
	_, err = s.FindUserByToken(ctx, tok.Token)
	require.NoError(t, err)
	if lu := lastUsed(); assert.NotNil(t, lu) {
		assert.Equal(t, clock.Now(), *lu, "got last_used_at %v after a later use, want %v", *lu, clock.Now())
	}

	tests := []struct {
		name  string
		token string
	}{
		{name: "empty", token: ""},
		{name: "prefix only", token: tok.Prefix},
		{name: "made up", token: TokenPrefix + "madeup"},
		{name: "the token's hash", token: hashSecret(tok.Token)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.FindUserByToken(ctx, tc.token)
			requireCode(t, err, onsite.EUNAUTHORIZED)
			assert.Nil(t, got)
		})
	}
}

func TestDeleteToken(t *testing.T) {
	db := openTestDB(t)
	s := NewTokenService(db)
	ctx := context.Background()
	ada := createUser(t, db, "ada@example.com")
	bob := createUser(t, db, "bob@example.com")
	adaTok, err := s.CreateToken(ctx, ada.ID, "laptop")
	require.NoError(t, err)
	bobTok, err := s.CreateToken(ctx, bob.ID, "ci")
	require.NoError(t, err)

	t.Run("other users see none of ada's tokens", func(t *testing.T) {
		list, err := s.FindTokens(ctx, bob.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, bobTok.ID, list[0].ID, "got another user's token listed for bob")
	})

	t.Run("by another user", func(t *testing.T) {
		err := s.DeleteToken(ctx, bob.ID, adaTok.ID)
		requireCode(t, err, onsite.ENOTFOUND)
		got, err := s.FindUserByToken(ctx, adaTok.Token)
		require.NoError(t, err, "got ada's token revoked by bob")
		assert.Equal(t, ada.ID, got.ID)
	})

	t.Run("missing", func(t *testing.T) {
		err := s.DeleteToken(ctx, ada.ID, bobTok.ID+100)
		requireCode(t, err, onsite.ENOTFOUND)
	})

	t.Run("by its owner", func(t *testing.T) {
		require.NoError(t, s.DeleteToken(ctx, ada.ID, adaTok.ID))
		_, err := s.FindUserByToken(ctx, adaTok.Token)
		requireCode(t, err, onsite.EUNAUTHORIZED)
		list, err := s.FindTokens(ctx, ada.ID)
		require.NoError(t, err)
		assert.NotNil(t, list, "got a nil list, want an empty one")
		assert.Empty(t, list, "got tokens left after deleting the only one")

		err = s.DeleteToken(ctx, ada.ID, adaTok.ID)
		requireCode(t, err, onsite.ENOTFOUND)
	})

	t.Run("the other user's token still works", func(t *testing.T) {
		got, err := s.FindUserByToken(ctx, bobTok.Token)
		require.NoError(t, err)
		assert.Equal(t, bob.ID, got.ID)
	})
}

// TestCreateTokenNameLengthInCharacters: the limit and its message speak of
// characters, so a name of 60 accented letters is within it.
func TestCreateTokenNameLengthInCharacters(t *testing.T) {
	db := openTestDB(t)
	ada := createUser(t, db, "ada@example.com")
	name := strings.Repeat("é", 60)
	tok, err := NewTokenService(db).CreateToken(context.Background(), ada.ID, name)
	require.NoError(t, err, "got a 60-character name refused")
	assert.Equal(t, name, tok.Name)
}
