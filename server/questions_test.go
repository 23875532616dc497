package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
)

type listBody struct {
	Items []struct {
		Slug       string   `json:"slug"`
		Kind       string   `json:"kind"`
		Difficulty string   `json:"difficulty"`
		Topics     []string `json:"topics"`
		Title      string   `json:"title"`
	} `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

func TestQuestionAPIFilters(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "ada@example.com", false)
	// listAll follows the pages of a query to the end.
	listAll := func(t *testing.T, query string) listBody {
		t.Helper()
		var out listBody
		for page := 1; ; page++ {
			var got listBody
			require.Equal(t, http.StatusOK, api(t, http.MethodGet, fmt.Sprintf("%s/api/v1/questions?per_page=200&page=%d&%s", ts.URL, page, query), token, "", &got))
			out.Total = got.Total
			if page == 1 {
				out.Items = got.Items // [] stays [], not nil
			} else {
				out.Items = append(out.Items, got.Items...)
			}
			if len(got.Items) < 200 {
				return out
			}
		}
	}
	all := listAll(t, "")
	require.GreaterOrEqual(t, all.Total, 20)
	require.Len(t, all.Items, all.Total)

	count := func(keep func(kind, difficulty string, topics []string, title string) bool) int {
		n := 0
		for _, q := range all.Items {
			if keep(q.Kind, q.Difficulty, q.Topics, q.Title) {
				n++
			}
		}
		return n
	}
	has := func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	}
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"kind", "kind=concept", count(func(k, _ string, _ []string, _ string) bool { return k == "concept" })},
		{"difficulty", "difficulty=hard", count(func(_, d string, _ []string, _ string) bool { return d == "hard" })},
		{"kind and difficulty", "kind=coding&difficulty=medium", count(func(k, d string, _ []string, _ string) bool { return k == "coding" && d == "medium" })},
		{"tag", "tag=evaluation", count(func(_, _ string, tp []string, _ string) bool { return has(tp, "evaluation") })},
		{"text", "q=ROC", 0},
		{"nothing matches", "q=zzzz-no-such-words", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := listAll(t, tc.query)
			if tc.name == "text" {
				require.NotZero(t, got.Total, "some question mentions ROC")
				for _, q := range got.Items {
					assert.NotEmpty(t, q.Slug)
				}
				return
			}
			assert.Equal(t, tc.want, got.Total, "total for %s", tc.query)
			assert.Len(t, got.Items, tc.want)
			assert.NotNil(t, got.Items, "an empty result is [] not null")
		})
	}

	t.Run("pagination", func(t *testing.T) {
		seen := map[string]bool{}
		for page := 1; ; page++ {
			var got listBody
			require.Equal(t, http.StatusOK, api(t, http.MethodGet, fmt.Sprintf("%s/api/v1/questions?per_page=7&page=%d", ts.URL, page), token, "", &got))
			assert.Equal(t, all.Total, got.Total)
			assert.Equal(t, page, got.Page)
			assert.Equal(t, 7, got.PerPage)
			if len(got.Items) == 0 {
				break
			}
			for i, q := range got.Items {
				assert.False(t, seen[q.Slug], "%s appears on two pages", q.Slug)
				seen[q.Slug] = true
				assert.Equal(t, all.Items[(page-1)*7+i].Slug, q.Slug, "pages follow the full list's order")
			}
		}
		assert.Len(t, seen, all.Total, "the pages together hold every question")
	})

	bad := []struct{ name, query, want string }{
		{"unknown kind", "kind=puzzle", `kind "puzzle" is not a kind`},
		{"unknown difficulty", "difficulty=brutal", `difficulty "brutal" is not a difficulty`},
		{"per_page too large", "per_page=201", "use 1 to 200"},
		{"page zero", "page=0", "pages start at 1"},
		{"page not a number", "page=two", "pages start at 1"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var body apiErrorBody
			assert.Equal(t, http.StatusBadRequest, api(t, http.MethodGet, ts.URL+"/api/v1/questions?"+tc.query, token, "", &body))
			assert.Equal(t, "invalid", body.Error.Code)
			assert.Contains(t, body.Error.Message, tc.want)
		})
	}
}

func TestQuestionAPIHidesHiddenTests(t *testing.T) {
	ts := newTestServer(t)
	_, adminToken := ts.createUser(t, "admin@example.com", true)
	_, token := ts.createUser(t, "cand@example.com", false)

	type detail struct {
		Slug string `json:"slug"`

		Solutions map[string]string `json:"solutions"`
		Tests     []struct {
			Sample bool `json:"sample"`
		} `json:"tests"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	var cand, admin detail
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions/roc-auc-with-ties", token, "", &cand))
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions/roc-auc-with-ties", adminToken, "", &admin))

	assert.NotEmpty(t, cand.Function.Name)
	assert.Nil(t, cand.Solutions, "candidates never get reference solutions")
	require.NotEmpty(t, cand.Tests)
	for _, tc := range cand.Tests {
		assert.True(t, tc.Sample, "candidates only get sample tests")
	}
	assert.NotEmpty(t, admin.Solutions, "admins get reference solutions")
	assert.Greater(t, len(admin.Tests), len(cand.Tests), "admins get hidden tests too")

	var body apiErrorBody
	assert.Equal(t, http.StatusNotFound, api(t, http.MethodGet, ts.URL+"/api/v1/questions/no-such-question", token, "", &body))
	assert.Equal(t, "not_found", body.Error.Code)
	assert.Equal(t, "Question not found.", body.Error.Message)
}

const privateSet = `slug: ada-private
title: Ada's questions
version: 1
questions:
  - slug: ada-secret-question
    kind: coding
    title: Ada's secret
    difficulty: easy
    topics: [ada-only]
    estimated_minutes: 5
    prompt: Return the sum.
    function: {name: add, params: [{name: a, type: int}, {name: b, type: int}], returns: int}
    tests:
      - {sample: true, args: [1, 2], expected: 3}
      - {args: [5, 5], expected: 10}
    solutions:
      python: "def add(a, b):\n    return a + b\n"
`

// TestUserIsolation: user B gets 404, never 403 and never the data, for
// user A's private set, its questions and A's tokens.
func TestUserIsolation(t *testing.T) {
	ts := newTestServer(t)
	_, tokenA := ts.createUser(t, "a@example.com", false)
	_, tokenB := ts.createUser(t, "b@example.com", false)

	var report struct {
		Created []string `json:"created"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodPost, ts.URL+"/api/v1/sets", tokenA, privateSet, &report))
	assert.Equal(t, []string{"ada-secret-question"}, report.Created)

	var q struct {
		Solutions map[string]string `json:"solutions"`
		Tests     []any             `json:"tests"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions/ada-secret-question", tokenA, "", &q))
	assert.NotEmpty(t, q.Solutions, "the owner of a set sees its solutions")
	assert.Len(t, q.Tests, 2, "and its hidden tests")

	var body apiErrorBody
	assert.Equal(t, http.StatusNotFound, api(t, http.MethodGet, ts.URL+"/api/v1/questions/ada-secret-question", tokenB, "", &body))
	assert.Equal(t, "Question not found.", body.Error.Message)

	var list listBody
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions?q=secret&per_page=200", tokenB, "", &list))
	assert.Zero(t, list.Total, "B's search does not find A's question")
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions?tag=ada-only", tokenB, "", &list))
	assert.Zero(t, list.Total)

	var sets struct {
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/sets", tokenB, "", &sets))
	for _, s := range sets.Items {
		assert.NotEqual(t, "ada-private", s.Slug, "B does not see A's set")
	}
	var topics struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/topics", tokenB, "", &topics))
	for _, tp := range topics.Items {
		assert.NotEqual(t, "ada-only", tp.Name, "B does not see A's topics")
	}

	var tokensA struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/tokens", tokenA, "", &tokensA))
	require.NotEmpty(t, tokensA.Items)
	assert.Equal(t, http.StatusNotFound, api(t, http.MethodDelete, ts.URL+"/api/v1/tokens/"+itoa(tokensA.Items[0].ID), tokenB, "", nil))
	assert.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/me", tokenA, "", nil), "A's token still works")

	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"b@example.com"}, "password": {"password123"}}).Status)
	r := b.get("/questions/ada-secret-question")
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.NotContains(t, r.Body, "Ada&#39;s secret")
	r = b.submit("/tokens", "/tokens/"+itoa(tokensA.Items[0].ID)+"/delete", url.Values{})
	assert.Equal(t, http.StatusNotFound, r.Status, "B cannot revoke A's token from the page either")

	assert.Equal(t, http.StatusForbidden, api(t, http.MethodPost, ts.URL+"/api/v1/sets?public=true", tokenB, strings.Replace(privateSet, "ada-", "b-", -1), nil),
		"only admins import public sets")
	assert.Equal(t, http.StatusConflict, api(t, http.MethodPost, ts.URL+"/api/v1/sets", tokenB, privateSet, nil),
		"B cannot take over A's set slug")
}

func TestSetImportErrors(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "ada@example.com", false)
	bad := "slug: bad\ntitle: Bad\nversion: 1\nquestions:\n  - slug: q\n    kind: concept\n    title: No answer\n    difficulty: easy\n    prompt: Why?\n"
	var body apiErrorBody
	require.Equal(t, http.StatusBadRequest, api(t, http.MethodPost, ts.URL+"/api/v1/sets?filename=bad.yaml", token, bad, &body))
	assert.Equal(t, "invalid", body.Error.Code)
	assert.Contains(t, body.Error.Message, "bad.yaml:5: questions[0].answer: is required")
	require.Len(t, body.Error.Problems, 1)
	assert.Equal(t, 5, body.Error.Problems[0].Line)
	assert.Equal(t, "questions[0].answer", body.Error.Problems[0].Field)

	var list listBody
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions?set=bad", token, "", &list))
	assert.Zero(t, list.Total, "nothing was imported")
}

// TestQuestionPages renders every built-in question and checks each kind's
// page shows its parts.
func TestQuestionPages(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "admin@example.com", true)
	ts.createUser(t, "ada@example.com", false)
	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}}).Status)

	r := b.get("/questions")
	require.Equal(t, http.StatusOK, r.Status)
	links := regexp.MustCompile(`<td><a href="/questions/([a-z0-9-]+)">`).FindAllStringSubmatch(r.Body, -1)
	require.GreaterOrEqual(t, len(links), 20)
	for _, l := range links {
		page := b.get("/questions/" + l[1])
		require.Equal(t, http.StatusOK, page.Status, l[1])
		assert.Contains(t, page.Body, `class="prose prompt"`)
	}

	tests := []struct {
		name string
		path string
		want []string
	}{
		{"concept", "/questions/bias-variance-tradeoff", []string{"Show the model answer", "Key points"}},
		{"behavioral", "/questions/influence-without-authority", []string{"Competency:", "A strong answer shows", "Red flags", "Follow-up questions"}},
		{"system design", "/questions/design-churn-prediction", []string{"Clarifying questions", "Rubric", "Reference outline"}},
		{"coding", "/questions/roc-auc-with-ties", []string{"Your answer", "The grader is not running", "Examples", "ms and"}},
		{"filtered list", "/questions?kind=behavioral", []string{"Behavioral", "Showing 1–"}},
		{"bad filter", "/questions?difficulty=brutal", []string{"is not a difficulty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := b.get(tc.path)
			for _, w := range tc.want {
				assert.Contains(t, r.Body, w)
			}
		})
	}
	coding := b.get("/questions/roc-auc-with-ties").Body
	assert.NotContains(t, coding, "Reference solutions", "a candidate's page has no solutions")
	assert.NotContains(t, coding, ">hidden<")

	r = b.get("/questions/no-such-question")
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Contains(t, r.Body, "<!doctype html>", "browsers get an error page, not JSON")
	assert.Contains(t, r.Body, "Question not found.")
}

// TestMarkdownIsSanitized: a question's text can never inject script.
func TestMarkdownIsSanitized(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "ada@example.com", false)
	hostile := `slug: hostile
title: Hostile
version: 1
questions:
  - slug: hostile-question
    kind: concept
    title: Hostile
    difficulty: easy
    prompt: |
      Hello <script>alert(1)</script> <img src=x onerror="alert(2)">
      [click](javascript:alert(3)) <a href="#" onclick="alert(4)">x</a>
      <iframe src="javascript:alert(5)"></iframe>

      **bold** and ` + "`code`" + `
    answer: "<svg onload=alert(6)>"
    key_points: ["<b onmouseover=alert(7)>x</b>"]
`
	require.Equal(t, http.StatusOK, api(t, http.MethodPost, ts.URL+"/api/v1/sets", token, hostile, nil))
	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}}).Status)
	r := b.get("/questions/hostile-question")
	require.Equal(t, http.StatusOK, r.Status)
	main := r.Body[strings.Index(r.Body, "<main"):]
	for _, bad := range []string{"<script", "onerror", "onclick", "onload", "onmouseover", "javascript:", "<iframe", "<svg"} {
		assert.NotContains(t, strings.ToLower(main), bad)
	}
	assert.Contains(t, main, "<strong>bold</strong>", "Markdown itself still renders")
	assert.Contains(t, main, "<code>code</code>")
	assert.Contains(t, r.Header.Get("Content-Security-Policy"), "script-src 'self'")
}

func TestHealthAndAssets(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts.URL)
	assert.Equal(t, http.StatusOK, b.get("/healthz").Status)
	assert.Equal(t, http.StatusOK, b.get("/readyz").Status)

	page := b.get("/signin").Body
	m := regexp.MustCompile(`href="(/static/[0-9a-f]+/app\.css)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "the stylesheet URL carries its content hash")
	r := b.get(m[1])
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Header.Get("Cache-Control"), "immutable")
	assert.Contains(t, r.Header.Get("Content-Type"), "text/css")
	assert.Contains(t, r.Body, "prefers-color-scheme: dark")

	r = b.get("/static/0000/app.css")
	assert.Equal(t, http.StatusOK, r.Status, "an old hash still gets the file")
	assert.Equal(t, "no-cache", r.Header.Get("Cache-Control"))
	assert.Equal(t, http.StatusNotFound, b.get("/static/0000/nope.js").Status)

	var body apiErrorBody
	assert.Equal(t, http.StatusUnauthorized, api(t, http.MethodGet, ts.URL+"/api/v1/nope", "", "", &body), "anonymous API calls get 401")
	_, token := ts.createUser(t, "ada@example.com", false)
	assert.Equal(t, http.StatusNotFound, api(t, http.MethodGet, ts.URL+"/api/v1/nope", token, "", &body))
	assert.Equal(t, "not_found", body.Error.Code)
	assert.Equal(t, "Page not found.", body.Error.Message)
}

// TestStarterCode: a coding question without starter code of its own gets
// one generated from its signature in each installed language that can
// answer it, in the API and on the page.
func TestStarterCode(t *testing.T) {
	ts := newTestServer(t, func(s *server.Server, _ *store.DB) {
		s.Languages = []server.Language{
			{Name: "python", Title: "Python", Modes: []grader.Mode{grader.ModeFunction, grader.ModeStdio}},
			{Name: "go", Title: "Go", Modes: []grader.Mode{grader.ModeFunction, grader.ModeStdio}},
			{Name: "c", Title: "C", Modes: []grader.Mode{grader.ModeStdio}},
		}
	})
	_, token := ts.createUser(t, "ada@example.com", false)
	var q struct {
		Starter map[string]string `json:"starter_code"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions/roc-auc-with-ties", token, "", &q))
	tests := []struct {
		lang, want string
	}{
		{"python", "def roc_auc(labels: list[int], scores: list[float]) -> float:"},
		{"go", "func rocAuc(labels []int, scores []float64) float64 {"},
		{"c", ""},
	}
	for _, tc := range tests {
		if tc.want == "" {
			assert.NotContains(t, q.Starter, tc.lang, "%s cannot answer a function-mode question", tc.lang)
			continue
		}
		assert.Contains(t, q.Starter[tc.lang], tc.want)
	}
}

// TestSetExportAPI downloads a set as YAML and as JSON; each imports back
// unchanged, and another user's private set stays invisible.
func TestSetExportAPI(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "ada@example.com", false)
	_, bobToken := ts.createUser(t, "bob@example.com", false)
	private := "slug: ada-private\ntitle: Ada's\nversion: 1\nquestions:\n  - slug: ada-q\n    kind: concept\n    title: Q\n    prompt: Why is the sky blue?\n    difficulty: easy\n    answer: Rayleigh scattering.\n"
	var first map[string]any
	require.Equal(t, http.StatusOK, api(t, http.MethodPost, ts.URL+"/api/v1/sets", token, private, &first), "%v", first)
	tests := []struct {
		name, query, ctype string
	}{
		{"yaml", "", "application/yaml"},
		{"json", "?format=json", "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/sets/ada-private/export"+tc.query, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.Contains(t, resp.Header.Get("Content-Type"), tc.ctype)
			assert.Contains(t, resp.Header.Get("Content-Disposition"), "ada-private.")
			var report struct {
				Created   []string `json:"created"`
				Updated   []string `json:"updated"`
				Unchanged int      `json:"unchanged"`
			}
			require.Equal(t, http.StatusOK, api(t, http.MethodPost, ts.URL+"/api/v1/sets", token, string(body), &report))
			assert.Empty(t, report.Created)
			assert.Empty(t, report.Updated)
			assert.Equal(t, 1, report.Unchanged)
		})
	}
	assert.Equal(t, http.StatusNotFound, api(t, http.MethodGet, ts.URL+"/api/v1/sets/ada-private/export", bobToken, "", nil), "another user's private set")
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	assert.Equal(t, http.StatusBadRequest, api(t, http.MethodGet, ts.URL+"/api/v1/sets/ada-private/export?format=xml", token, "", &e))
	assert.Contains(t, e.Error.Message, `format "xml": use yaml, json or md`)
}
