package server_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type sessionBody struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Rounds []struct {
		Title     string  `json:"title"`
		Kind      string  `json:"kind"`
		Deadline  *string `json:"deadline"`
		Submitted *string `json:"submitted_at"`
		Answers   []struct {
			Question   string `json:"question"`
			RubricSize int    `json:"rubric_size"`
			Text       string `json:"text"`
		} `json:"answers"`
	} `json:"rounds"`
	Scorecard *struct {
		Overall string `json:"overall"`
		Rounds  []struct {
			Signal string `json:"signal"`
			Reason string `json:"reason"`
		} `json:"rounds"`
	} `json:"scorecard"`
}

type errorBody struct {
	Error struct {
		Message string `json:"message"`
	} `json:"error"`
}

// TestInterviewAPI runs an "ML breadth" session through the API: start,
// autosave, hand in, tick the rubric, finish, and read the scorecard; and
// the errors a client can make.
func TestInterviewAPI(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "ada@example.com", false)
	var formats struct {
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
		Rules []string `json:"rules"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/interview-formats", token, "", &formats))
	assert.Len(t, formats.Items, 5)
	assert.NotEmpty(t, formats.Rules)

	var sess sessionBody
	require.Equal(t, http.StatusCreated, api(t, http.MethodPost, ts.URL+"/api/v1/interviews", token, `{"format": "ml-breadth"}`, &sess))
	require.Len(t, sess.Rounds, 1)
	require.Len(t, sess.Rounds[0].Answers, 12)
	assert.Equal(t, "created", sess.Status)
	base := ts.URL + "/api/v1/interviews/" + sess.ID

	require.Equal(t, http.StatusOK, api(t, http.MethodPost, base+"/start", token, "", &sess))
	assert.Equal(t, "in_progress", sess.Status)
	require.NotNil(t, sess.Rounds[0].Deadline)
	a0 := sess.Rounds[0].Answers[0]
	require.Positive(t, a0.RubricSize)
	require.Equal(t, http.StatusOK, api(t, http.MethodPut, base+"/rounds/0/answers/0", token, `{"text": "Bias is the error of the assumptions..."}`, nil))
	require.Equal(t, http.StatusOK, api(t, http.MethodPost, base+"/rounds/0/submit", token, "", &sess))
	require.NotNil(t, sess.Rounds[0].Submitted)
	assert.Equal(t, "Bias is the error of the assumptions...", sess.Rounds[0].Answers[0].Text)
	var e errorBody
	assert.Equal(t, http.StatusConflict, api(t, http.MethodPut, base+"/rounds/0/answers/0", token, `{"text": "later"}`, &e))
	assert.Contains(t, e.Error.Message, "Round 1 is over")
	require.Equal(t, http.StatusOK, api(t, http.MethodPut, base+"/rounds/0/answers/0", token, `{"covered": [0, 1, 2], "self_rating": "good"}`, nil))

	require.Equal(t, http.StatusOK, api(t, http.MethodPost, base+"/finish", token, "", &sess))
	assert.Equal(t, "finished", sess.Status)
	require.NotNil(t, sess.Scorecard)
	assert.Equal(t, "strong_no_hire", sess.Scorecard.Overall, "one answer of twelve: %s", sess.Scorecard.Rounds[0].Reason)
	var today todayBody
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/drill/today", token, "", &today))
	assert.Equal(t, 1, today.Reviewed, "the answered question went into the drill")

	var list struct {
		Items []sessionBody `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/interviews", token, "", &list))
	assert.Len(t, list.Items, 1)

	custom := "title: Quick\nrounds:\n  - {kind: concept, count: 2, minutes: 4, topics: [nlp]}\n"
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/interviews", strings.NewReader(custom))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode, "a custom format as YAML")

	tests := []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		{"unknown format", http.MethodPost, "/api/v1/interviews", `{"format": "marathon"}`, http.StatusBadRequest, `"marathon" is not a built-in format; use one of ml-engineer-onsite`},
		{"custom format with a bad kind", http.MethodPost, "/api/v1/interviews", `{"format": {"title": "X", "rounds": [{"kind": "poetry", "count": 1, "minutes": 5}]}}`, http.StatusBadRequest, `rounds[0].kind: "poetry" is not a kind`},
		{"too many questions", http.MethodPost, "/api/v1/interviews", `{"format": {"title": "X", "rounds": [{"kind": "system_design", "count": 20, "minutes": 5}, {"kind": "system_design", "count": 20, "minutes": 5}]}}`, http.StatusBadRequest, "asks for 20 questions but only"},
		{"no body", http.MethodPost, "/api/v1/interviews", `{}`, http.StatusBadRequest, "Send JSON such as"},
		{"someone else's", http.MethodGet, "/api/v1/interviews/00000000-0000-0000-0000-000000000000", ``, http.StatusNotFound, "Interview not found."},
		{"finished stays finished", http.MethodPost, "/api/v1/interviews/" + sess.ID + "/start", ``, http.StatusConflict, "This interview is finished."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e errorBody
			assert.Equal(t, tc.status, api(t, tc.method, ts.URL+tc.path, token, tc.body, &e))
			assert.Contains(t, e.Error.Message, tc.message)
		})
	}
}

// TestInterviewPages: start a format from the page, the round's questions
// come without their answers, handing in reveals the rubric, finishing
// shows the scorecard; a peer link opens the interviewer's page for anyone
// holding it.
func TestInterviewPages(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "ada@example.com", false)
	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}}).Status)

	page := b.get("/interviews")
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, "Start “ML engineer onsite”")
	r := b.submit("/interviews", "/interviews", url.Values{"format": {"behavioral-round"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	session := r.Location
	require.True(t, strings.HasPrefix(session, "/interviews/"), session)

	page = b.get(session)
	assert.Contains(t, page.Body, "Start round 1")
	require.Equal(t, http.StatusSeeOther, b.submit(session, session+"/start", url.Values{}).Status)
	page = b.get(session)
	assert.Regexp(t, `class="timer" role="timer" data-deadline="\d+" data-now="\d+"`, page.Body)
	assert.Equal(t, 4, strings.Count(page.Body, `class="answer-text"`), "four answer boxes")
	assert.NotContains(t, page.Body, "Show what interviewers look for", "no peeking at the rubric during the round")

	require.Equal(t, http.StatusSeeOther, b.submit(session, session+"/submit", url.Values{"round": {"0"}}).Status)
	page = b.get(session)
	assert.Contains(t, page.Body, "Review: round 1")
	assert.Contains(t, page.Body, `name="covered"`, "the STAR rubric is there to tick")
	assert.Contains(t, page.Body, "Every round is in")

	r = b.submit(session, session+"/peer", url.Values{})
	require.Equal(t, http.StatusOK, r.Status)
	link := regexp.MustCompile(`value="https?://[^/]+(/peer/[A-Za-z0-9_-]+)"`).FindStringSubmatch(r.Body)
	require.NotNil(t, link, "the page shows the interviewer link")
	peer := newBrowser(t, ts.URL)
	pp := peer.get(link[1])
	require.Equal(t, http.StatusOK, pp.Status, "anyone with the link, signed in or not")
	assert.Contains(t, pp.Body, "You are interviewing")
	assert.Contains(t, pp.Body, "What a strong answer shows")
	assert.Equal(t, http.StatusNotFound, peer.get("/peer/not-the-token").Status)
	// The interviewer's scorecard saves through the page's CSRF token.
	csrfToken := csrfInput.FindStringSubmatch(pp.Body)
	require.NotNil(t, csrfToken)
	req, err := http.NewRequest(http.MethodPut, ts.URL+link[1]+"/rounds/0/answers/1", strings.NewReader(`{"covered": [0, 1], "signal": "lean_hire", "notes": "Concrete example, weak result"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrfToken[1])
	assert.Equal(t, http.StatusNoContent, peer.do(req).Status)
	req, err = http.NewRequest(http.MethodPut, ts.URL+link[1]+"/rounds/0/answers/1", strings.NewReader(`{"signal": "maybe"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrfToken[1])
	assert.Equal(t, http.StatusBadRequest, peer.do(req).Status)

	require.Equal(t, http.StatusSeeOther, b.submit(session, session+"/finish", url.Values{}).Status)
	page = b.get(session)
	assert.Contains(t, page.Body, "Scorecard: Behavioral round")
	assert.Contains(t, page.Body, "Lean hire", "the interviewer's signal scores the round")
	assert.Contains(t, page.Body, "Concrete example, weak result", "the interviewer's notes are on the scorecard")
	assert.Contains(t, page.Body, "How the signals are decided")
	history := b.get("/interviews")
	assert.Contains(t, history.Body, "Behavioral round")
	assert.Contains(t, history.Body, "Signals per kind")
}

// TestInterviewFormatUpload starts a custom format uploaded as a YAML file,
// and shows what is wrong with a bad one.
func TestInterviewFormatUpload(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser(t, "ada@example.com", false)
	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}}).Status)
	upload := func(content string) response {
		t.Helper()
		m := csrfInput.FindStringSubmatch(b.get("/interviews").Body)
		require.NotNil(t, m)
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		require.NoError(t, w.WriteField("_csrf", m[1]))
		part, err := w.CreateFormFile("file", "friday.yaml")
		require.NoError(t, err)
		_, err = part.Write([]byte(content))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/interviews", &body)
		require.NoError(t, err)
		req.Header.Set("Content-Type", w.FormDataContentType())
		return b.do(req)
	}
	r := upload("title: Friday\nrounds:\n  - {kind: system_design, count: 1, minutes: 30}\n")
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Contains(t, b.get(r.Location).Body, "Friday")
	r = upload("title: Friday\nrounds:\n  - {kind: system_design, count: 1, minuets: 30}\n")
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "field minuets not found")
	assert.Contains(t, r.Body, "minuets: 30", "the form shows the uploaded text to fix")
}
