package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

// screenshot saves the tab as name.png under ONSITE_SCREENSHOTS, or a
// folder in the temporary directory, for a person to review the pages.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ONSITE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "onsite-screenshots")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	file := filepath.Join(dir, name+".png")
	require.NoError(t, os.WriteFile(file, png, 0o644))
	t.Logf("screenshot: %s", file)
}

// signIn signs the account gradingServe creates in.
func signIn(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), "password123"),
	)
	clickAndLoad(t, ctx, `main form button[type=submit]`)
}

// referenceSolution is the bank's reference solution to a question.
func referenceSolution(t *testing.T, slug, lang string) string {
	t.Helper()
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	for _, s := range sets {
		for _, q := range s.Questions {
			if q.Slug == slug {
				return q.Solutions[lang]
			}
		}
	}
	t.Fatalf("no question %s", slug)
	return ""
}

// TestBrowserInterviewCodingScreen runs the "Coding phone screen": start it,
// put a correct solution into the editor, run the samples, submit and see
// Accepted, reload mid-round and find the code and the timer as they were,
// hand in and finish, and read the expected figures on the scorecard.
func TestBrowserInterviewCodingScreen(t *testing.T) {
	ctx := newBrowser(t)
	srv, _, _ := gradingServe(t)
	signIn(t, ctx, srv.URL)
	do(t, ctx, chromedp.Navigate(srv.URL+"/interviews"))
	screenshot(t, ctx, "interviews")
	clickAndLoad(t, ctx, `form:has(input[value="coding-phone-screen"]) button`)
	require.True(t, strings.HasPrefix(pagePath(t, ctx), "/interviews/"))
	clickAndLoad(t, ctx, `main form[action$="/start"] button`)
	deadline := js[string](t, ctx, `document.querySelector(".timer").dataset.deadline`)
	assert.Regexp(t, `\d+:\d\d left`, js[string](t, ctx, `document.querySelector(".timer").textContent`))
	require.Equal(t, 2, js[int](t, ctx, `document.querySelectorAll(".practice-form[data-interview]").length`))
	assert.False(t, js[bool](t, ctx, `document.body.innerText.includes("Show the editorial")`), "no editorial during the round")

	form := `document.querySelectorAll(".practice-form[data-interview]")[0]`
	slug := js[string](t, ctx, form+`.dataset.question`)
	code := form + `.querySelector("textarea[name=code]")`
	// Into the editor as the browser delivers text: select the starter
	// code and insert the solution over it (as a paste would, so the
	// editor's auto-indent does not re-indent it).
	do(t, ctx,
		chromedp.Evaluate[chromedp.Void](form+`.querySelector("select[name=language]").value = "python"; `+form+`.querySelector("select[name=language]").dispatchEvent(new Event("change"))`),
		chromedp.Click(chromedp.CSS(`.practice-form[data-interview] .cm-content`)),
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
				ev := input.DispatchKeyEventParams{Type: typ, Key: "a", Code: "KeyA", WindowsVirtualKeyCode: 65, Modifiers: 2 /* Ctrl */, Commands: []string{"selectAll"}}
				if _, err := cdp.Call(ctx, target, input.DispatchKeyEvent, ev); err != nil {
					return err
				}
			}
			_, err := cdp.Call(ctx, target, input.InsertText, input.InsertTextParams{Text: referenceSolution(t, slug, "python")})
			return err
		}),
	)
	require.Equal(t, strings.TrimSpace(referenceSolution(t, slug, "python")), strings.TrimSpace(js[string](t, ctx, code+`.value`)), "the editor holds the solution, and the form sees it")
	do(t, ctx,
		chromedp.Evaluate[chromedp.Void](form+`.querySelector("button[value=run]").click()`),
		chromedp.WaitVisible(chromedp.CSS(`article:first-of-type .results .verdict`)),
	)
	assert.Equal(t, "Accepted", js[string](t, ctx, `document.querySelector("article .results .verdict strong").textContent`),
		"the samples pass: %s", js[string](t, ctx, `document.querySelector("article .results").innerText`))
	do(t, ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector("article .results").replaceChildren()`),
		chromedp.Evaluate[chromedp.Void](form+`.querySelector("button[value=submit]").click()`),
		chromedp.WaitVisible(chromedp.CSS(`article .results .verdict`)),
	)
	assert.Equal(t, "Accepted", js[string](t, ctx, `document.querySelector("article .results .verdict strong").textContent`),
		"results: %s", js[string](t, ctx, `document.querySelector("article .results").innerText`))
	assert.Contains(t, js[string](t, ctx, `document.querySelector("article .results").innerText`), "(hidden)", "submit ran the hidden tests")
	// The graded submit and the code reach the server before the reload.
	require.Eventually(t, func() bool {
		return strings.Contains(js[string](t, ctx, `[...document.querySelectorAll(".save-status")].map(s => s.textContent).join(" ")`), "Saved at")
	}, 10*time.Second, 100*time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	screenshot(t, ctx, "interview-coding-round")

	do(t, ctx, chromedp.Reload())
	assert.Equal(t, deadline, js[string](t, ctx, `document.querySelector(".timer").dataset.deadline`), "the deadline survives a reload")
	assert.Contains(t, js[string](t, ctx, code+`.value`), strings.Split(referenceSolution(t, slug, "python"), "\n")[0], "the code survives a reload")
	assert.Contains(t, js[string](t, ctx, `document.querySelector("article .last-verdict").textContent`), "Accepted")

	// Hand the round in (confirming the dialog) and finish.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	clickAndLoad(t, ctx, `main form[action$="/submit"] button`)
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	clickAndLoad(t, ctx, `form[action$="/finish"] button`)
	body := js[string](t, ctx, `document.querySelector("main").innerText`)
	assert.Contains(t, body, "Scorecard: Coding phone screen")
	assert.Contains(t, body, "1 of 2 accepted", "one of the two problems was solved")
	assert.Contains(t, body, "Lean no hire", "half the problems accepted is a lean no hire")
	screenshot(t, ctx, "scorecard")
}

// TestBrowserInterviewConceptRound answers a one-minute concept round: the
// answer is saved as typed and survives a reload, the clock hands the round
// in, the rubric is ticked and rated, and the scorecard counts the ticks.
func TestBrowserInterviewConceptRound(t *testing.T) {
	t.Parallel() // most of it is waiting for the minute to pass
	ctx := newBrowser(t)
	srv := startServe(t, t.TempDir())
	signUp(t, ctx, srv.URL)
	do(t, ctx, chromedp.Navigate(srv.URL+"/interviews"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("details.custom-format").open = true`),
		chromedp.SetValue(chromedp.ID("yaml"), "title: Quick concepts\nrounds:\n  - {kind: concept, count: 2, minutes: 1}\n"),
	)
	clickAndLoad(t, ctx, `details.custom-format button`)
	clickAndLoad(t, ctx, `main form[action$="/start"] button`)
	answer := "Precision is TP / (TP + FP): of what we flagged, how much was right."
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`textarea.answer-text`), answer))
	require.Eventually(t, func() bool {
		return strings.HasPrefix(js[string](t, ctx, `document.querySelector(".save-status").textContent`), "Saved at")
	}, 10*time.Second, 100*time.Millisecond, "the answer is saved as typed")
	screenshot(t, ctx, "interview-concept-round")
	deadline := js[string](t, ctx, `document.querySelector(".timer").dataset.deadline`)
	do(t, ctx, chromedp.Reload())
	assert.Equal(t, answer, js[string](t, ctx, `document.querySelector("textarea.answer-text").value`), "the answer survives a reload")
	assert.Equal(t, deadline, js[string](t, ctx, `document.querySelector(".timer").dataset.deadline`))

	// The page reloads itself when the minute is up, and the round is in.
	require.Eventually(t, func() bool {
		// The page may be between documents: an error is "not yet".
		in, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("form.self-score")`))
		return err == nil && in
	}, 90*time.Second, 500*time.Millisecond, "the round was handed in by the clock: %s", func() string {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		return text
	}())
	assert.Contains(t, js[string](t, ctx, `document.querySelector(".rounds-progress").innerText`), "time ran out")
	assert.Contains(t, js[string](t, ctx, `document.querySelector(".review").innerText`), answer, "the answer was handed in as it stood")

	first := `document.querySelector("form.self-score")`
	items := js[int](t, ctx, first+`.querySelectorAll("input[name=covered]").length`)
	require.GreaterOrEqual(t, items, 3)
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`form.self-score input[name=covered][value="0"]`)),
		chromedp.Click(chromedp.CSS(`form.self-score input[name=covered][value="1"]`)),
		chromedp.Click(chromedp.CSS(`form.self-score input[name=self_rating][value="3"]`)),
	)
	require.Eventually(t, func() bool {
		return strings.HasPrefix(js[string](t, ctx, first+`.querySelector(".save-status").textContent`), "Saved at")
	}, 10*time.Second, 100*time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	screenshot(t, ctx, "interview-review")
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	clickAndLoad(t, ctx, `form[action$="/finish"] button`)
	body := js[string](t, ctx, `document.querySelector("main").innerText`)
	assert.Contains(t, body, "Scorecard: Quick concepts")
	// Two of the first question's items ticked, the second unanswered.
	assert.Contains(t, body, fmt.Sprintf("Covered %.0f%% of the rubric", 100*2/float64(items)/2))
	assert.Contains(t, body, "Time ran out.")
}

// TestInterviewSurvivesRestart stops the server in the middle of a round
// and starts it again on the same data: the round, its deadline and the
// answer typed so far are where they were.
func TestInterviewSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv := startServe(t, dir)
	token := createAccount(t, dir)
	call := func(base, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var got map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&got)
		return resp.StatusCode, got
	}
	status, sess := call(srv.URL, http.MethodPost, "/api/v1/interviews", `{"format": "system-design-round"}`)
	require.Equal(t, http.StatusCreated, status)
	id := sess["id"].(string)
	status, sess = call(srv.URL, http.MethodPost, "/api/v1/interviews/"+id+"/start", "")
	require.Equal(t, http.StatusOK, status)
	deadline := sess["rounds"].([]any)[0].(map[string]any)["deadline"]
	status, _ = call(srv.URL, http.MethodPut, "/api/v1/interviews/"+id+"/rounds/0/answers/0", `{"text": "Start from the business goal: fewer chargebacks."}`)
	require.Equal(t, http.StatusOK, status)

	require.Equal(t, 0, srv.Stop(t))
	again := startServe(t, dir)
	status, sess = call(again.URL, http.MethodGet, "/api/v1/interviews/"+id, "")
	require.Equal(t, http.StatusOK, status)
	round := sess["rounds"].([]any)[0].(map[string]any)
	assert.Equal(t, "in_progress", sess["status"])
	assert.Equal(t, deadline, round["deadline"], "the same deadline after the restart")
	assert.Nil(t, round["submitted_at"], "the round is still running")
	assert.Equal(t, "Start from the business goal: fewer chargebacks.", round["answers"].([]any)[0].(map[string]any)["text"])
}
