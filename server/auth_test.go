package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAuthFlow walks a browser through sign-up, sign-out, a wrong password
// and sign-in over real HTTP with a cookie jar.
func TestAuthFlow(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)

	r := b.get("/")
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/signup", r.Location, "with no account yet, the home page leads to sign-up")
	assert.Contains(t, b.get("/signup").Body, "it will be the admin")

	r = b.get("/questions")
	assert.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/signin?next=%2Fquestions", r.Location, "pages need a signed-in user")

	r = b.submit("/signup", "/signup", url.Values{"email": {"ada@example.com"}, "password": {"password123"}, "password_confirm": {"password123"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, "/questions", r.Location)
	var cookie string
	for _, c := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "onsite_session=") {
			cookie = c
		}
	}
	assert.Contains(t, cookie, "onsite_session=")
	assert.Contains(t, cookie, "HttpOnly")
	assert.Contains(t, cookie, "SameSite=Lax")
	assert.NotContains(t, cookie, "Secure", "plain HTTP gets no Secure cookie")

	r = b.get("/questions")
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Body, "ada@example.com")
	assert.Contains(t, r.Body, "Accounts", "the first account is an admin and sees the accounts page")

	r = b.submit("/questions", "/signout", url.Values{})
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/signin", r.Location)
	assert.Equal(t, http.StatusSeeOther, b.get("/questions").Status, "signed out: the session is gone")

	r = b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"wrong-password"}})
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	assert.Contains(t, r.Body, "Wrong email or password.")
	assert.Contains(t, r.Body, `value="ada@example.com"`, "the email stays in the form")

	r = b.submit("/signin?next=/questions/bias-variance-tradeoff", "/signin",
		url.Values{"email": {"ADA@example.com"}, "password": {"password123"}, "next": {"/questions/bias-variance-tradeoff"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, "/questions/bias-variance-tradeoff", r.Location, "sign-in returns to where the user was going")
	assert.Equal(t, http.StatusOK, b.get("/questions/bias-variance-tradeoff").Status)
}

func TestSignupErrors(t *testing.T) {
	tests := []struct {
		name       string
		email      string
		password   string
		confirm    string
		wantStatus int
		wantText   string
	}{
		{"bad email", "not-an-email", "password123", "password123", http.StatusBadRequest, "is not an email address"},
		{"short password", "ada@example.com", "short", "short", http.StatusBadRequest, "Password is too short"},
		{"passwords differ", "ada@example.com", "password123", "password124", http.StatusBadRequest, "The two passwords differ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			b := newBrowser(t, ts.URL)
			r := b.submit("/signup", "/signup", url.Values{"email": {tc.email}, "password": {tc.password}, "password_confirm": {tc.confirm}})
			assert.Equal(t, tc.wantStatus, r.Status)
			assert.Contains(t, r.Body, tc.wantText)
			n, err := ts.Users.CountUsers(t.Context())
			require.NoError(t, err)
			assert.Equal(t, 0, n, "no account is created")
		})
	}
}

// TestRegistration: the first account is always open; after it, sign-up is
// closed unless the server opens it, and admins add accounts.
func TestRegistration(t *testing.T) {
	signup := func(b *browser, email string) int {
		return b.submit("/signup", "/signup", url.Values{"email": {email}, "password": {"password123"}, "password_confirm": {"password123"}}).Status
	}
	t.Run("closed by default", func(t *testing.T) {
		ts := newTestServer(t)
		require.Equal(t, http.StatusSeeOther, signup(newBrowser(t, ts.URL), "first@example.com"))
		b := newBrowser(t, ts.URL)
		assert.Contains(t, b.get("/signup").Body, "Registration is closed")
		r := b.post("/signup", url.Values{"email": {"second@example.com"}, "password": {"password123"}, "password_confirm": {"password123"}})
		assert.Equal(t, http.StatusForbidden, r.Status, "a closed server refuses the form even without the page")
		users, err := ts.Users.FindUsers(t.Context())
		require.NoError(t, err)
		require.Len(t, users, 1)
		assert.True(t, users[0].IsAdmin)
	})
	t.Run("open by flag", func(t *testing.T) {
		ts := newTestServer(t, func(s *server.Server, _ *store.DB) { s.OpenRegistration = true })
		require.Equal(t, http.StatusSeeOther, signup(newBrowser(t, ts.URL), "first@example.com"))
		require.Equal(t, http.StatusSeeOther, signup(newBrowser(t, ts.URL), "second@example.com"))
		u, err := ts.Users.FindUserByEmail(t.Context(), "second@example.com")
		require.NoError(t, err)
		assert.False(t, u.IsAdmin, "only the first account is an admin")
		assert.Equal(t, http.StatusConflict, signup(newBrowser(t, ts.URL), "SECOND@example.com"), "emails are unique whatever their case")
	})
	t.Run("admin creates accounts", func(t *testing.T) {
		ts := newTestServer(t)
		admin := newBrowser(t, ts.URL)
		require.Equal(t, http.StatusSeeOther, signup(admin, "admin@example.com"))
		r := admin.submit("/admin/users", "/admin/users", url.Values{"email": {"cand@example.com"}, "password": {"password123"}})
		require.Equal(t, http.StatusCreated, r.Status, r.Body)
		assert.Contains(t, r.Body, "cand@example.com created")

		cand := newBrowser(t, ts.URL)
		r = cand.submit("/signin", "/signin", url.Values{"email": {"cand@example.com"}, "password": {"password123"}})
		require.Equal(t, http.StatusSeeOther, r.Status)
		assert.Equal(t, http.StatusForbidden, cand.get("/admin/users").Status, "a candidate cannot manage accounts")
		assert.NotContains(t, cand.get("/questions").Body, "/admin/users", "nor sees the link")
	})
}

// TestCSRF: a state-changing form without the right token is refused and
// changes nothing; bearer-token API calls need no token.
func TestCSRF(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signup", "/signup",
		url.Values{"email": {"ada@example.com"}, "password": {"password123"}, "password_confirm": {"password123"}}).Status)

	tests := []struct {
		name   string
		fields url.Values
	}{
		{"missing token", url.Values{"name": {"forged"}}},
		{"wrong token", url.Values{"name": {"forged"}, "_csrf": {"not-the-token"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := b.post("/tokens", tc.fields)
			assert.Contains(t, []int{http.StatusForbidden, http.StatusBadRequest}, r.Status, "got %d", r.Status)
			assert.NotContains(t, b.get("/tokens").Body, "forged", "no token was created")
		})
	}
	t.Run("cross-site fetch metadata", func(t *testing.T) {
		m := csrfInput.FindStringSubmatch(b.get("/tokens").Body)
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/signout", strings.NewReader(""))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("X-CSRF-Token", "wrong")
		r := b.do(req)
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.NotNil(t, m)
		assert.Equal(t, http.StatusOK, b.get("/questions").Status, "still signed in")
	})
	t.Run("sign-in form is protected too", func(t *testing.T) {
		anon := newBrowser(t, ts.URL)
		r := anon.post("/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}})
		assert.NotEqual(t, http.StatusSeeOther, r.Status, "login CSRF is refused")
	})
	t.Run("bearer token needs no CSRF token", func(t *testing.T) {
		_, token := ts.createUser(t, "api@example.com", false)
		var created struct {
			Token string `json:"token"`
		}
		assert.Equal(t, http.StatusCreated, api(t, http.MethodPost, ts.URL+"/api/v1/tokens", token, `{"name":"script"}`, &created))
		assert.NotEmpty(t, created.Token)
	})
}

func TestBearerToken(t *testing.T) {
	ts := newTestServer(t)
	u, token := ts.createUser(t, "ada@example.com", false)

	var me struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/me", token, "", &me))
	assert.Equal(t, u.ID, me.ID)

	tests := []struct {
		name   string
		header string
	}{
		{"no credentials", ""},
		{"unknown token", "Bearer onsite_nope"},
		{"wrong scheme", "Basic YWRhOnB3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/questions", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t, "application/json", strings.Split(resp.Header.Get("Content-Type"), ";")[0])
		})
	}

	t.Run("revoked token stops working", func(t *testing.T) {
		var list struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/tokens", token, "", &list))
		require.Len(t, list.Items, 1)
		require.Equal(t, http.StatusNoContent, api(t, http.MethodDelete, ts.URL+"/api/v1/tokens/"+itoa(list.Items[0].ID), token, "", nil))
		assert.Equal(t, http.StatusUnauthorized, api(t, http.MethodGet, ts.URL+"/api/v1/me", token, "", nil))
	})
}

// TestLoginRateLimit: repeated wrong passwords for one account get 429 with
// Retry-After, even with the right password, until the window refills.
func TestLoginRateLimit(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "ada@example.com", false)
	b := newBrowser(t, ts.URL)
	m := csrfInput.FindStringSubmatch(b.get("/signin").Body)
	require.NotNil(t, m)
	attempt := func(password string) response {
		return b.post("/signin", url.Values{"_csrf": {m[1]}, "email": {"ada@example.com"}, "password": {password}})
	}
	for i := range 10 {
		require.Equal(t, http.StatusUnauthorized, attempt("wrong").Status, "attempt %d", i+1)
	}
	r := attempt("password123")
	assert.Equal(t, http.StatusTooManyRequests, r.Status)
	assert.NotEmpty(t, r.Header.Get("Retry-After"))
	assert.Contains(t, r.Body, "Too many sign-in attempts")
}

// TestChangePassword: the current password is checked, the new one works,
// and other browsers are signed out.
func TestChangePassword(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "ada@example.com", false)
	signin := func(b *browser, password string) int {
		return b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {password}}).Status
	}
	laptop, phone := newBrowser(t, ts.URL), newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, signin(laptop, "password123"))
	require.Equal(t, http.StatusSeeOther, signin(phone, "password123"))

	tests := []struct {
		name       string
		current    string
		password   string
		confirm    string
		wantStatus int
		wantText   string
	}{
		{"wrong current password", "nope-nope", "new-password-1", "new-password-1", http.StatusUnauthorized, "current password is not right"},
		{"new passwords differ", "password123", "new-password-1", "new-password-2", http.StatusBadRequest, "two new passwords differ"},
		{"too short", "password123", "short", "short", http.StatusBadRequest, "Password is too short"},
		{"changed", "password123", "new-password-1", "new-password-1", http.StatusOK, "Password changed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := laptop.submit("/account", "/account/password", url.Values{
				"current_password": {tc.current}, "password": {tc.password}, "password_confirm": {tc.confirm}})
			assert.Equal(t, tc.wantStatus, r.Status)
			assert.Contains(t, r.Body, tc.wantText)
		})
	}
	assert.Equal(t, http.StatusOK, laptop.get("/questions").Status, "the browser that changed it stays signed in")
	assert.Equal(t, http.StatusSeeOther, phone.get("/questions").Status, "other browsers are signed out")
	assert.Equal(t, http.StatusUnauthorized, signin(newBrowser(t, ts.URL), "password123"), "the old password no longer works")
	assert.Equal(t, http.StatusSeeOther, signin(newBrowser(t, ts.URL), "new-password-1"))
}
