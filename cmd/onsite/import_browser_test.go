package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileCards are Anki-style flashcards with HTML fields full of script.
const hostileCards = "#separator:tab\n#html:true\n#deck:Hostile deck\n" +
	"CARD-MARKER What is <b>dropout</b>?<script>window.__pwned=1</script><img src=x onerror='window.__pwned=1'>\t" +
	"Zeroing activations at random <a href='javascript:window.__pwned=1'>during training</a><svg onload='window.__pwned=1'></svg>\tdeep-learning\n"

// hostileMarkdown is a Markdown set whose prompt and answer carry raw HTML
// with script.
var hostileMarkdown = map[string][]byte{
	"set.yaml": []byte("slug: hostile-md\ntitle: Hostile <img src=x onerror=\"window.__pwned=1\">\nversion: 1\n"),
	"hostile-md-q.md": []byte("---\nkind: concept\ntitle: MD-MARKER <script>window.__pwned=1</script>\ndifficulty: easy\n---\n" +
		"Explain precision. <img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>\n\n" +
		"## Answer\n\nTrue positives over predicted positives. <iframe src=\"javascript:window.__pwned=1\"></iframe>\n"),
}

// TestBrowserImportPage uploads hostile files through the import page:
// the problems and the plan show as text, the import writes the sets, and
// neither the page, the set page nor the questions run any of the script
// the files carry.
func TestBrowserImportPage(t *testing.T) {
	files := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(files, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		return p
	}
	cards := write("hostile-cards.txt", []byte(hostileCards))
	zipped, err := questions.ZipFolder("hostile-md", hostileMarkdown)
	require.NoError(t, err)
	md := write("hostile-md.zip", zipped)
	bad := write("bad.yaml", []byte("slug: bad\ntitle: Bad\nversion: 1\nquestions:\n  - slug: bad-q\n    kind: concept\n    title: T\n    prompt: P\n    answer: A\n    difficulty: \"<img src=x onerror=window.__pwned=1>\"\n"))

	ctx := newBrowser(t)
	srv := startServe(t, t.TempDir())
	signUp(t, ctx, srv.URL)
	do(t, ctx, chromedp.Navigate(srv.URL+"/import"))
	safe := func(where string) {
		t.Helper()
		assert.Equal(t, "undefined", js[string](t, ctx, `typeof window.__pwned`), "%s: script from an imported file ran", where)
		assert.Zero(t, js[int](t, ctx, `document.querySelectorAll("#import-result script, #import-result img, #import-result iframe, #import-result svg, #import-result [onerror], #import-result [onload]").length`), where)
	}

	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{bad, cards}),
		chromedp.Click(chromedp.CSS("#import-preview")), chromedp.WaitVisible(chromedp.CSS("#import-result .alert")))
	errs := js[string](t, ctx, `document.querySelector("#import-result").innerText`)
	assert.Contains(t, errs, `bad.yaml:10: questions[0].difficulty: "<img src=x onerror=window.__pwned=1>" is not a difficulty`, "the problem shows the file's text as text")
	safe("errors")

	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{cards, md}),
		chromedp.Click(chromedp.CSS("#import-preview")), chromedp.WaitVisible(chromedp.CSS("#import-result .alert")))
	plan := js[string](t, ctx, `document.querySelector("#import-result").innerText`)
	assert.Contains(t, plan, "Preview: nothing written yet.")
	assert.Contains(t, plan, "2 added")
	safe("preview")
	screenshot(t, ctx, "import-preview")

	do(t, ctx, chromedp.Click(chromedp.CSS("#import-confirm")),
		chromedp.WaitVisible(chromedp.CSS(`#import-result .alert:not(.alert-info)`)))
	assert.Contains(t, js[string](t, ctx, `document.querySelector("#import-result").innerText`), "Imported.")
	safe("import")

	for _, set := range []string{"hostile-deck", "hostile-md"} {
		do(t, ctx, chromedp.Navigate(srv.URL+"/sets/"+set))
		main := js[string](t, ctx, `document.querySelector("main").innerText`)
		require.Contains(t, main, "Export", set)
		assert.Empty(t, js[[]string](t, ctx, domDanger), set)
		links := js[[]string](t, ctx, `[...document.querySelectorAll("main td a[href^='/questions/']")].map(a => a.href)`)
		require.Len(t, links, 1, set)
		do(t, ctx, chromedp.Navigate(links[0]))
		main = js[string](t, ctx, `document.querySelector("main").innerText`)
		assert.True(t, strings.Contains(main, "CARD-MARKER") || strings.Contains(main, "MD-MARKER"), "%s: the question shows: %s", set, main)
		assert.Empty(t, js[[]string](t, ctx, domDanger), set)
		assert.Equal(t, "undefined", js[string](t, ctx, `typeof window.__pwned`), "%s: script from an imported question ran", set)
	}
}
