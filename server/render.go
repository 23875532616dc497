package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/microcosm-cc/bluemonday"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/interview"
	"github.com/onsite-dev/onsite/questions"
	"github.com/onsite-dev/onsite/web"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// pages holds one parsed template set per page and the static assets with
// their content hashes.
type pages struct {
	templates map[string]*template.Template
	assets    map[string]asset
}

type asset struct {
	hash string
	data []byte
}

func loadPages() (*pages, error) {
	p := &pages{templates: map[string]*template.Template{}, assets: map[string]asset{}}
	err := fs.WalkDir(web.FS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(web.FS, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		p.assets[strings.TrimPrefix(name, "static/")] = asset{hash: hex.EncodeToString(sum[:6]), data: data}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assets: %w", err)
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			a, ok := p.assets[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return "/static/" + a.hash + "/" + name, nil
		},
		"markdown": renderMarkdown,
		"kindLabel": func(k questions.Kind) string {
			return k.Label()
		},
		"add":     func(a, b int) int { return a + b },
		"percent": func(f float64) float64 { return 100 * f },
		// json shows a test's values as the candidate writes them: [1, 2],
		// not Go's [1 2].
		"json": func(v any) string {
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Sprint(v)
			}
			return strings.ReplaceAll(string(b), ",", ", ")
		},
		"byLanguage": byLanguage,
		"has":        slices.Contains[[]int],
		"verdictLabel": func(v string) string {
			return verdictLabels[grader.Verdict(v)]
		},
		"rubricItems": rubricItems,
		"signals":     func() []interview.Signal { return interview.Signals },
		"ratingValue": func(r drill.Rating) string { return strconv.Itoa(int(r)) },
		"ratingNames": func() map[string]string {
			return map[string]string{"1": "1 Again", "2": "2 Hard", "3": "3 Good", "4": "4 Easy"}
		},
		// checklist passes a legend, items and the ticked indices to the
		// checklist template.
		"checklist": func(legend string, items []string, checked []int) map[string]any {
			return map[string]any{"Legend": legend, "Items": items, "Checked": checked}
		},
		"hasPrefix": strings.HasPrefix,
		"hasDay":    slices.Contains[[]time.Weekday],
		"join":      strings.Join,
	}
	names, err := fs.Glob(web.FS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		page := strings.TrimSuffix(path.Base(name), ".html")
		t, err := template.New(page).Funcs(funcs).ParseFS(web.FS, "templates/layout.html", "templates/partials/*.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", page, err)
		}
		p.templates[page] = t
	}
	return p, nil
}

// verdictLabels are verdicts as judges write them.
var verdictLabels = map[grader.Verdict]string{
	grader.Accepted: "Accepted", grader.WrongAnswer: "Wrong Answer", grader.TimeLimitExceeded: "Time Limit Exceeded",
	grader.MemoryLimitExceeded: "Memory Limit Exceeded", grader.RuntimeError: "Runtime Error",
	grader.CompilationError: "Compilation Error", grader.OutputLimitExceeded: "Output Limit Exceeded", grader.InternalError: "Internal Error",
}

// rubricItems are what an answer to q is checked against: a concept's key
// points, a behavioral question's STAR rubric (or strong-answer signals), a
// design prompt's rubric. The store counts the same lists.
func rubricItems(q *questions.Question) []string {
	switch q.Kind {
	case questions.KindConcept:
		return q.KeyPoints
	case questions.KindBehavioral:
		if len(q.Rubric) > 0 {
			return q.Rubric
		}
		return q.StrongAnswer
	case questions.KindSystemDesign:
		return q.Rubric
	}
	return nil
}

// languageCode is one language's code, for pages that list them.
type languageCode struct {
	Language string
	Code     string
}

// byLanguage orders code by questions.Languages (Python first), so every
// page lists languages the same way.
func byLanguage(code map[string]string) []languageCode {
	var out []languageCode
	for _, lang := range questions.Languages {
		if c, ok := code[lang]; ok {
			out = append(out, languageCode{lang, c})
		}
	}
	return out
}

// view is what every page template gets: the layout's needs plus the page's
// own Data.
type view struct {
	Title string
	User  *onsite.User
	CSRF  string
	Path  string
	Data  any
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(c echo.Context, status int, page, title string, data any) error {
	t, ok := s.pages.templates[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	csrf, _ := c.Get("csrf").(string)
	v := view{Title: title, User: currentUser(c), CSRF: csrf, Path: c.Request().URL.Path, Data: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

type errorPage struct {
	Status  int
	Message string
}

func (s *Server) renderError(c echo.Context, status int, message string) error {
	if s.pages == nil {
		return c.String(status, message)
	}
	return s.render(c, status, "error", http.StatusText(status), errorPage{Status: status, Message: message})
}

// handleAsset serves an embedded file. With the current hash in the URL the
// file never changes, so browsers may keep it for a year.
func (s *Server) handleAsset(c echo.Context) error {
	name := c.Param("*")
	a, ok := s.pages.assets[name]
	if !ok {
		return echo.ErrNotFound
	}
	if c.Param("hash") == a.hash {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return c.Blob(http.StatusOK, ctype, a.data)
}

func (s *Server) handleFavicon(c echo.Context) error {
	a := s.pages.assets["favicon.svg"]
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/svg+xml", a.data)
}

var (
	// markdown passes raw HTML through, as GitHub does, so that authors'
	// <sub>, <br> or <kbd> survive; the sanitizer is what makes it safe.
	markdown = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	// sanitizer keeps Markdown's output and drops anything that could run:
	// scripts, event handlers, javascript: and data: URLs, frames, forms.
	sanitizer = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+-]+$`)).OnElements("code")
		return p
	}()
)

// renderMarkdown turns question text into safe HTML.
func renderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes()))
}
