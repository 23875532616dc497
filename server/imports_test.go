package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// upload posts files as multipart/form-data with the given fields and
// returns the status and body.
func upload(t *testing.T, client *http.Client, target, token string, fields map[string]string, files map[string]string) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	for name, content := range files {
		w, err := mw.CreateFormFile("file", name)
		require.NoError(t, err)
		_, err = io.WriteString(w, content)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, target, &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
}

const uploadSet = `slug: team-questions
title: Team questions
version: 1
questions:
  - slug: team-why-auc
    kind: concept
    title: Why AUC
    difficulty: easy
    prompt: When is ROC AUC misleading for the quokka team?
    answer: Under heavy class imbalance the false positive rate hides many false positives.
`

const uploadCards = "#separator:tab\n#html:false\nWhat is dropout?\tRandomly zeroing activations during training.\tdeep-learning\n"

// TestImportsAPI: a dry run names what would change and writes nothing;
// the import writes it; importing again changes nothing; a file with
// problems answers 422 listing them, and nothing is written.
func TestImportsAPI(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "admin@example.com", true)
	_, token := ts.createUser(t, "ada@example.com", false)
	files := map[string]string{"team.yaml": uploadSet, "cards.txt": uploadCards}
	var plan struct {
		DryRun    bool     `json:"dry_run"`
		Sets      []string `json:"sets"`
		Added     []string `json:"added"`
		Unchanged []string `json:"unchanged"`
		Errors    []string `json:"errors"`
	}
	decode := func(body string) {
		plan.Added, plan.Unchanged, plan.Errors = nil, nil, nil
		require.NoError(t, json.Unmarshal([]byte(body), &plan), body)
	}

	status, body := upload(t, nil, ts.URL+"/api/v1/imports", token, map[string]string{"dry_run": "true"}, files)
	require.Equal(t, http.StatusOK, status, body)
	decode(body)
	assert.True(t, plan.DryRun)
	assert.Len(t, plan.Added, 2, "the plan names both questions")
	assert.Contains(t, plan.Added, "team-why-auc")
	var list listBody
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions?set=team-questions", token, "", &list))
	assert.Zero(t, list.Total, "a dry run writes nothing")

	status, body = upload(t, nil, ts.URL+"/api/v1/imports", token, nil, files)
	require.Equal(t, http.StatusCreated, status, body)
	decode(body)
	assert.ElementsMatch(t, []string{"team-questions", "cards"}, plan.Sets)
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions?set=team-questions", token, "", &list))
	assert.Equal(t, 1, list.Total)

	status, body = upload(t, nil, ts.URL+"/api/v1/imports", token, nil, files)
	require.Equal(t, http.StatusOK, status, body)
	decode(body)
	assert.Empty(t, plan.Added)
	assert.Len(t, plan.Unchanged, 2, "importing again changes nothing")

	broken := strings.Replace(uploadSet, "difficulty: easy", "difficulty: brutal", 1)
	status, body = upload(t, nil, ts.URL+"/api/v1/imports", token, nil, map[string]string{"team.yaml": broken, "more.yaml": strings.ReplaceAll(uploadSet, "team-", "more-")})
	require.Equal(t, http.StatusUnprocessableEntity, status, body)
	decode(body)
	require.Len(t, plan.Errors, 1)
	assert.Contains(t, plan.Errors[0], `team.yaml:8: questions[0].difficulty: "brutal" is not a difficulty`)
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions?set=more-questions", token, "", &list))
	assert.Zero(t, list.Total, "one bad file stops the whole import")

	tests := []struct {
		name   string
		fields map[string]string
		files  map[string]string
		status int
		want   string
	}{
		{"no file", nil, nil, http.StatusBadRequest, "Choose at least one file"},
		{"public without admin", map[string]string{"public": "true"}, files, http.StatusForbidden, "Only an admin"},
		{"unknown format", map[string]string{"format": "docx"}, files, http.StatusBadRequest, `format \"docx\": use one of auto, yaml`},
		{"markdown file alone", nil, map[string]string{"q.md": "# Hi"}, http.StatusUnprocessableEntity, "import the folder (or a zip of it)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := upload(t, nil, ts.URL+"/api/v1/imports", token, tc.fields, tc.files)
			assert.Equal(t, tc.status, status, body)
			assert.Contains(t, body, tc.want)
		})
	}
}

// TestPrivateSetsStayPrivate: a set one account imports for itself is
// invisible to another account everywhere: the set list, the set page,
// its export, its questions.
func TestPrivateSetsStayPrivate(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "admin@example.com", true)
	_, ada := ts.createUser(t, "ada@example.com", false)
	_, bob := ts.createUser(t, "bob@example.com", false)
	status, body := upload(t, nil, ts.URL+"/api/v1/imports", ada, nil, map[string]string{"team.yaml": uploadSet})
	require.Equal(t, http.StatusCreated, status, body)

	var sets struct {
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
	}
	slugs := func(token string) []string {
		require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/sets", token, "", &sets))
		var out []string
		for _, s := range sets.Items {
			out = append(out, s.Slug)
		}
		return out
	}
	assert.Contains(t, slugs(ada), "team-questions")
	assert.NotContains(t, slugs(bob), "team-questions")
	for _, path := range []string{"/api/v1/sets/team-questions/export", "/api/v1/questions/team-why-auc"} {
		assert.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+path, ada, "", nil), path)
		assert.Equal(t, http.StatusNotFound, api(t, http.MethodGet, ts.URL+path, bob, "", nil), path)
	}
	var list listBody
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/questions?q=quokka", bob, "", &list))
	assert.Zero(t, list.Total, "search does not find another account's questions")

	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"bob@example.com"}, "password": {"password123"}}).Status)
	assert.Equal(t, http.StatusNotFound, b.get("/sets/team-questions").Status)
	assert.NotContains(t, b.get("/sets").Body, "team-questions")
	// Bob cannot take the slug over either: importing his own set under it
	// is a conflict, and Ada's set is untouched.
	status, body = upload(t, nil, ts.URL+"/api/v1/imports", bob, nil, map[string]string{"team.yaml": uploadSet})
	assert.Equal(t, http.StatusConflict, status, body)
}

// TestImportPageAndSetPage: without JavaScript the import form shows the
// plan, then imports; the set page lists the questions with export links,
// and the Markdown export imports back unchanged.
func TestImportPageAndSetPage(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "admin@example.com", true)
	_, token := ts.createUser(t, "ada@example.com", false)
	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}}).Status)
	page := b.get("/import")
	require.Equal(t, http.StatusOK, page.Status)
	m := csrfInput.FindStringSubmatch(page.Body)
	require.NotNil(t, m)

	status, body := upload(t, b.c, ts.URL+"/import", "", map[string]string{"_csrf": m[1], "action": "preview"}, map[string]string{"team.yaml": uploadSet})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Preview: nothing written yet.")
	assert.Contains(t, body, "<code>team-why-auc</code>")
	assert.Equal(t, http.StatusNotFound, b.get("/sets/team-questions").Status, "a preview writes nothing")

	status, body = upload(t, b.c, ts.URL+"/import", "", map[string]string{"_csrf": m[1], "action": "import"}, map[string]string{"team.yaml": uploadSet})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Imported.")
	assert.Contains(t, body, `<a href="/sets/team-questions">team-questions</a>`)

	set := b.get("/sets/team-questions")
	require.Equal(t, http.StatusOK, set.Status)
	assert.Contains(t, set.Body, `<a href="/questions/team-why-auc">Why AUC</a>`)
	assert.Contains(t, set.Body, `/api/v1/sets/team-questions/export?format=md`)
	assert.Contains(t, set.Body, "private to you")

	for _, builtin := range []string{"team-questions", "ml-concepts", "coding-core"} {
		export := b.get("/api/v1/sets/" + builtin + "/export?format=md")
		require.Equal(t, http.StatusOK, export.Status, builtin)
		assert.Equal(t, "application/zip", export.Header.Get("Content-Type"))
		owner := map[string]string{}
		if builtin != "team-questions" {
			// Built-in sets are public: only an admin may import them back.
			_, admin := ts.createUser(t, builtin+"@example.com", true)
			token, owner = admin, map[string]string{"public": "true"}
		}
		status, body := upload(t, nil, ts.URL+"/api/v1/imports", token, owner, map[string]string{builtin + ".zip": export.Body})
		require.Equal(t, http.StatusOK, status, body)
		var got struct{ Added, Updated, Retired, Unchanged []string }
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		assert.Empty(t, got.Added, builtin)
		assert.Empty(t, got.Updated, "%s: export then import must change nothing", builtin)
		assert.Empty(t, got.Retired, builtin)
		assert.NotEmpty(t, got.Unchanged, builtin)
	}
}

// TestKattisCustomValidatorIsNotJudged: a problem that checks answers with
// its own output validator imports, says so on its page instead of
// offering Run and Submit, and the API refuses submissions with the
// reason.
func TestKattisCustomValidatorIsNotJudged(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "ada@example.com", true)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string]string{
		"anyroot/problem.yaml":                     "name: Any Root\nvalidation: custom\n",
		"anyroot/problem_statement/problem.en.md":  "Print any root of $x^2 = n$.\n",
		"anyroot/output_validators/check/check.py": "import sys\n",
		"anyroot/data/sample/1.in":                 "4\n",
		"anyroot/data/sample/1.ans":                "2\n",
		"anyroot/data/secret/1.in":                 "9\n",
		"anyroot/data/secret/1.ans":                "3\n",
		"anyroot/submissions/accepted/root.py":     "print(int(int(input()) ** 0.5))\n",
	} {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, _ = io.WriteString(w, data)
	}
	require.NoError(t, zw.Close())
	status, body := upload(t, nil, ts.URL+"/api/v1/imports", token, nil, map[string]string{"anyroot.zip": buf.String()})
	require.Equal(t, http.StatusCreated, status, body)
	assert.Contains(t, body, "anyroot: imported, but submissions cannot be judged", "the report notes it")

	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}}).Status)
	page := b.get("/questions/anyroot")
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, "Submissions to this problem are not judged")
	assert.NotContains(t, page.Body, `class="practice-form"`)

	q, err := ts.QS.FindQuestionBySlug(onsite.NewContextWithUser(context.Background(), &onsite.User{ID: 1}), "anyroot")
	require.NoError(t, err)
	python := server.Language{Name: "python", Title: "Python", Modes: []grader.Mode{grader.ModeFunction, grader.ModeStdio}}
	_, err = server.TaskFor(q, python, grader.SubmitSubmit)
	require.Error(t, err, "a problem with a custom validator is never graded by the default comparison")
	assert.Contains(t, err.Error(), `"anyroot" cannot be graded here: This problem checks answers with its own output validator`)
}

// TestImportRateLimits: an account that imports too often gets 429 with
// Retry-After while others go on; an address gets ten times an account's
// share, and a forged X-Forwarded-For does not give it more.
func TestImportRateLimits(t *testing.T) {
	ts := newTestServer(t, func(s *server.Server, _ *store.DB) {
		s.Limits = server.RateLimits{ImportsPerHour: 1}
	})
	n := 0
	post := func(token, forwarded string) *http.Response {
		n++
		body := fmt.Sprintf("#deck:Deck %d\n", n) + uploadCards
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/sets?filename=cards.txt", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "text/csv")
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	_, ada := ts.createUser(t, "ada@example.com", false)
	assert.Equal(t, http.StatusOK, post(ada, "").StatusCode)
	resp := post(ada, "")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	for i := range 9 {
		_, tok := ts.createUser(t, fmt.Sprintf("user%d@example.com", i), false)
		assert.Equal(t, http.StatusOK, post(tok, "").StatusCode, "another account goes on")
	}
	_, last := ts.createUser(t, "last@example.com", false)
	assert.Equal(t, http.StatusTooManyRequests, post(last, "203.0.113.9").StatusCode, "the address's share is spent, whatever X-Forwarded-For says")
}
