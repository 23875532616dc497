package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// testServer is a real server on a loopback port over a real SQLite file,
// with the built-in bank loaded.
type testServer struct {
	*server.Server
	URL    string
	DB     *store.DB
	Users  *store.UserService
	Tokens *store.TokenService
	QS     *store.QuestionService
}

// newTestServer starts a server; configure may change it, with its
// database at hand, before it opens.
func newTestServer(t *testing.T, configure ...func(*server.Server, *store.DB)) *testServer {
	t.Helper()
	db := store.NewDB(filepath.Join(t.TempDir(), "onsite.db"))
	require.NoError(t, db.Open(context.Background()))
	t.Cleanup(func() { db.Close() })
	users := store.NewUserService(db)
	users.Cost = bcrypt.MinCost
	qs := store.NewQuestionService(db)
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	_, err = qs.ImportSets(context.Background(), 0, sets)
	require.NoError(t, err)

	s := server.New()
	s.Addr = "127.0.0.1:0"
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s.Users = users
	s.Sessions = store.NewSessionService(db)
	s.Tokens = store.NewTokenService(db)
	s.Questions = qs
	s.Importer = &questions.Importer{Limits: questions.DefaultArchiveLimits, ReadAnki: store.ReadAnkiCollection}
	s.Drill = store.NewDrillService(db)
	s.Interviews = store.NewInterviewService(db)
	s.Ready = db.Ping
	for _, f := range configure {
		f(s, db)
	}
	require.NoError(t, s.Open())
	t.Cleanup(func() { s.Close() })
	return &testServer{Server: s, URL: s.URL(), DB: db, Users: users, Tokens: s.Tokens.(*store.TokenService), QS: qs}
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see where each response points.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, base: base, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return response{Status: resp.StatusCode, Body: string(body), Location: resp.Header.Get("Location"), Header: resp.Header}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// submit loads the page holding a form, copies its CSRF token like a browser
// would, and posts the fields.
func (b *browser) submit(page, action string, fields url.Values) response {
	b.t.Helper()
	m := csrfInput.FindStringSubmatch(b.get(page).Body)
	require.NotNil(b.t, m, "no CSRF field on %s", page)
	fields.Set("_csrf", m[1])
	return b.post(action, fields)
}

func (b *browser) post(action string, fields url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+action, strings.NewReader(fields.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// api calls the JSON API with a bearer token and decodes the answer.
func api(t *testing.T, method, url, token, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		if strings.HasPrefix(body, "slug:") {
			req.Header.Set("Content-Type", "application/yaml")
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), "body: %s", data)
	}
	return resp.StatusCode
}

// createUser makes an account and an API token for it.
func (ts *testServer) createUser(t *testing.T, email string, admin bool) (*onsite.User, string) {
	t.Helper()
	ctx := context.Background()
	u, err := ts.Users.CreateUser(ctx, onsite.NewUser{Email: email, Password: "password123", Admin: admin})
	require.NoError(t, err)
	tok, err := ts.Tokens.CreateToken(ctx, u.ID, "test")
	require.NoError(t, err)
	return u, tok.Token
}

type apiErrorBody struct {
	Error struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Problems []struct {
			Line    int    `json:"line"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"problems"`
	} `json:"error"`
}

// TestAssetsAreCompressed: a browser that accepts gzip gets the editor
// bundle compressed, and long-cached under its hashed URL.
func TestAssetsAreCompressed(t *testing.T) {
	ts := newTestServer(t)
	page := newBrowser(t, ts.URL).get("/signin")
	m := regexp.MustCompile(`src="(/static/[0-9a-f]+/editor\.js)"`).FindStringSubmatch(page.Body)
	require.NotNil(t, m, "the layout loads the editor")
	req, err := http.NewRequest(http.MethodGet, ts.URL+m[1], nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	assert.Contains(t, resp.Header.Get("Cache-Control"), "immutable")
	assert.Less(t, len(body), 300_000, "compressed")
}
