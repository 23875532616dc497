package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/questions"
)

// Paging of question lists.
const (
	defaultPerPage = 50
	maxPerPage     = 200
)

// questionSummary is a question as lists show it.
type questionSummary struct {
	ID               int64                `json:"id"`
	Slug             string               `json:"slug"`
	Set              string               `json:"set"`
	Kind             questions.Kind       `json:"kind"`
	Title            string               `json:"title"`
	Difficulty       questions.Difficulty `json:"difficulty"`
	Topics           []string             `json:"topics"`
	EstimatedMinutes int                  `json:"estimated_minutes"`
}

func summarize(q *questions.Question) questionSummary {
	topics := q.Topics
	if topics == nil {
		topics = []string{}
	}
	return questionSummary{ID: q.ID, Slug: q.Slug, Set: q.Set, Kind: q.Kind, Title: q.Title,
		Difficulty: q.Difficulty, Topics: topics, EstimatedMinutes: q.EstimatedMinutes}
}

// questionQuery is the filter and page a list request asks for.
type questionQuery struct {
	Kind       string
	Difficulty string
	Tag        string
	Q          string
	Set        string
	Page       int
	PerPage    int
}

// parseQuestionQuery reads kind, difficulty, tag, q, set, page and per_page,
// rejecting values that would silently match nothing.
func parseQuestionQuery(c echo.Context) (questionQuery, questions.Filter, error) {
	qq := questionQuery{
		Kind:       strings.TrimSpace(c.QueryParam("kind")),
		Difficulty: strings.TrimSpace(c.QueryParam("difficulty")),
		Tag:        strings.TrimSpace(c.QueryParam("tag")),
		Q:          strings.TrimSpace(c.QueryParam("q")),
		Set:        strings.TrimSpace(c.QueryParam("set")),
		Page:       1,
		PerPage:    defaultPerPage,
	}
	var f questions.Filter
	if qq.Kind != "" {
		k := questions.Kind(qq.Kind)
		if !k.Valid() {
			return qq, f, onsite.Errorf(onsite.EINVALID, "kind %q is not a kind; use coding, concept, behavioral or system_design.", qq.Kind)
		}
		f.Kind = &k
	}
	if qq.Difficulty != "" {
		d := questions.Difficulty(qq.Difficulty)
		if !d.Valid() {
			return qq, f, onsite.Errorf(onsite.EINVALID, "difficulty %q is not a difficulty; use easy, medium or hard.", qq.Difficulty)
		}
		f.Difficulty = &d
	}
	if qq.Tag != "" {
		f.Tag = &qq.Tag
	}
	if qq.Q != "" {
		f.Query = &qq.Q
	}
	if qq.Set != "" {
		f.Set = &qq.Set
	}
	if v := c.QueryParam("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return qq, f, onsite.Errorf(onsite.EINVALID, "page %q is not a page number; pages start at 1.", v)
		}
		qq.Page = n
	}
	if v := c.QueryParam("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPerPage {
			return qq, f, onsite.Errorf(onsite.EINVALID, "per_page %q is out of range; use 1 to %d.", v, maxPerPage)
		}
		qq.PerPage = n
	}
	f.Limit, f.Offset = qq.PerPage, (qq.Page-1)*qq.PerPage
	return qq, f, nil
}

type questionList struct {
	Items   []questionSummary `json:"items"`
	Total   int               `json:"total"`
	Page    int               `json:"page"`
	PerPage int               `json:"per_page"`
}

func (s *Server) handleQuestionIndex(c echo.Context) error {
	qq, f, err := parseQuestionQuery(c)
	if err != nil {
		return err
	}
	list, total, err := s.Questions.FindQuestions(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := questionList{Items: make([]questionSummary, len(list)), Total: total, Page: qq.Page, PerPage: qq.PerPage}
	for i, q := range list {
		out.Items[i] = summarize(q)
	}
	return c.JSON(http.StatusOK, out)
}

// viewFor hides hidden tests and reference solutions from everyone but
// admins and the owner of the question's set, and reports whether it did
// not (full). A coding question's view carries starter code for every
// installed language, generated from the signature where the author wrote
// none.
func (s *Server) viewFor(user *onsite.User, q *questions.Question) (view *questions.Question, full bool) {
	full = user != nil && (user.IsAdmin || (q.OwnerID != 0 && q.OwnerID == user.ID))
	if full {
		c := *q
		view = &c
	} else {
		view = q.PublicView()
	}
	if q.Kind == questions.KindCoding {
		view.Starter = s.starters(q)
	}
	return view, full
}

// starters returns q's starter code in each installed language that can
// answer it: the author's, or one generated from the signature.
func (s *Server) starters(q *questions.Question) map[string]string {
	out := map[string]string{}
	for k, v := range q.Starter {
		out[k] = v
	}
	for _, l := range s.Languages {
		if _, ok := out[l.Name]; ok || !slices.Contains(l.Modes, grader.Mode(q.Mode)) {
			continue
		}
		if code := grader.Starter(l.Name, graderSignature(q.Function)); code != "" {
			out[l.Name] = code
		}
	}
	return out
}

func (s *Server) handleQuestionView(c echo.Context) error {
	q, err := s.Questions.FindQuestionBySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	view, _ := s.viewFor(currentUser(c), q)
	return c.JSON(http.StatusOK, view)
}

func (s *Server) handleTopicIndex(c echo.Context) error {
	topics, err := s.Questions.FindTopics(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": topics})
}

// questionIndexPage is the question browser's data.
type questionIndexPage struct {
	Query        questionQuery
	Items        []*questions.Question
	Total        int
	First, Last  int
	PrevURL      string
	NextURL      string
	Topics       []questions.Topic
	Kinds        []questions.Kind
	Difficulties []questions.Difficulty
	Error        string
}

func (s *Server) handleQuestionIndexPage(c echo.Context) error {
	ctx := c.Request().Context()
	page := questionIndexPage{Kinds: questions.Kinds, Difficulties: questions.Difficulties}
	topics, err := s.Questions.FindTopics(ctx)
	if err != nil {
		return err
	}
	page.Topics = topics
	qq, f, err := parseQuestionQuery(c)
	page.Query = qq
	status := http.StatusOK
	if err != nil {
		if onsite.ErrorCode(err) != onsite.EINVALID {
			return err
		}
		page.Error, status = onsite.ErrorMessage(err), http.StatusBadRequest
		return s.render(c, status, "questions", "Questions", page)
	}
	page.Items, page.Total, err = s.Questions.FindQuestions(ctx, f)
	if err != nil {
		return err
	}
	if len(page.Items) > 0 {
		page.First = f.Offset + 1
		page.Last = f.Offset + len(page.Items)
	}
	link := func(p int) string {
		v := url.Values{}
		for k, val := range map[string]string{"kind": qq.Kind, "difficulty": qq.Difficulty, "tag": qq.Tag, "q": qq.Q, "set": qq.Set} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		if len(v) == 0 {
			return "/questions"
		}
		return "/questions?" + v.Encode()
	}
	if qq.Page > 1 {
		page.PrevURL = link(qq.Page - 1)
	}
	if f.Offset+len(page.Items) < page.Total {
		page.NextURL = link(qq.Page + 1)
	}
	return s.render(c, status, "questions", "Questions", page)
}

// questionPage is one question's data; Full is set for those who may see
// hidden tests and solutions. Languages are those that can answer it here.
type questionPage struct {
	Q         *questions.Question
	Full      bool
	Tests     []questions.Test
	Languages []Language
	Grading   bool
	SignedIn  bool
	// Interview is set when the question is asked in a mock interview:
	// the answer and rubric stay hidden, and the answer form saves to the
	// session's question (Round, Position).
	Interview   bool
	InterviewID string
	Round       int
	Position    int
}

func (s *Server) handleQuestionPage(c echo.Context) error {
	q, err := s.Questions.FindQuestionBySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	v, full := s.viewFor(currentUser(c), q)
	return s.render(c, http.StatusOK, "question", q.Title, s.questionPageFor(c, q, v, full))
}

// questionPageFor is what the question template shows of q: its view, and
// the languages that can answer it on this server.
func (s *Server) questionPageFor(c echo.Context, q, v *questions.Question, full bool) questionPage {
	page := questionPage{Q: v, Full: full, Tests: v.Tests, Grading: s.Queue != nil, SignedIn: currentUser(c) != nil}
	for _, l := range s.Languages {
		if _, ok := v.Starter[l.Name]; ok || (q.Kind == questions.KindCoding && q.Mode == questions.ModeStdio && slices.Contains(l.Modes, grader.ModeStdio)) {
			page.Languages = append(page.Languages, l)
		}
	}
	return page
}
