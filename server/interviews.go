package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/interview"
	"github.com/onsite-dev/onsite/questions"
)

// requireInterviews answers 503 when this server runs without mock
// interviews.
func (s *Server) requireInterviews(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Interviews == nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "mock interviews are not set up on this server")
		}
		return next(c)
	}
}

func (s *Server) handleFormatIndex(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"items": interview.BuiltinFormats, "rules": interview.Rules})
}

// formatFrom reads the format of a new interview: a built-in format's slug,
// a custom format as JSON, or a custom format as YAML (text).
func formatFrom(raw json.RawMessage, yamlText string) (interview.Format, error) {
	if strings.TrimSpace(yamlText) != "" {
		f, err := interview.ParseFormatYAML([]byte(yamlText))
		if err != nil {
			return interview.Format{}, onsite.Errorf(onsite.EINVALID, "%s.", err.Error())
		}
		return *f, nil
	}
	var slug string
	if err := json.Unmarshal(raw, &slug); err == nil {
		f, ok := interview.FindFormat(slug)
		if !ok {
			names := make([]string, len(interview.BuiltinFormats))
			for i, f := range interview.BuiltinFormats {
				names[i] = f.Slug
			}
			return interview.Format{}, onsite.Errorf(onsite.EINVALID, "format %q is not a built-in format; use one of %s, or send a custom format.", slug, strings.Join(names, ", "))
		}
		return f, nil
	}
	var f interview.Format
	if err := json.Unmarshal(raw, &f); err != nil {
		return f, onsite.Errorf(onsite.EINVALID, `format must be a built-in format's slug such as "coding-phone-screen" or a format object: %v.`, err)
	}
	if bad := f.Validate(); len(bad) > 0 {
		return f, onsite.Errorf(onsite.EINVALID, "format: %s.", strings.Join(bad, "; "))
	}
	return f, nil
}

func (s *Server) handleInterviewCreate(c echo.Context) error {
	var req struct {
		Format json.RawMessage `json:"format"`
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	var f interview.Format
	if ct := c.Request().Header.Get("Content-Type"); strings.Contains(ct, "yaml") {
		f, err = formatFrom(nil, string(body))
	} else if err = json.Unmarshal(body, &req); err != nil || req.Format == nil {
		return onsite.Errorf(onsite.EINVALID, `Send JSON such as {"format": "coding-phone-screen"}, or a custom format as YAML with Content-Type: application/yaml.`)
	} else {
		f, err = formatFrom(req.Format, "")
	}
	if err != nil {
		return err
	}
	sess, err := s.Interviews.CreateSession(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, sess)
}

func (s *Server) handleInterviewIndex(c echo.Context) error {
	list, err := s.Interviews.FindSessions(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": list})
}

func (s *Server) handleInterviewView(c echo.Context) error {
	sess, err := s.Interviews.FindSession(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

// interviewAction runs one of the session's state changes for the API.
func (s *Server) interviewAction(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	var sess *interview.Session
	var err error
	switch c.Param("action") {
	case "start":
		sess, err = s.Interviews.StartRound(ctx, id)
	case "finish":
		sess, err = s.Interviews.FinishSession(ctx, id)
	case "abandon":
		sess, err = s.Interviews.AbandonSession(ctx, id)
	default:
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

func intParam(c echo.Context, name string) (int, error) {
	v, err := strconv.Atoi(c.Param(name))
	if err != nil {
		return 0, onsite.Errorf(onsite.EINVALID, "%s %q is not a number.", name, c.Param(name))
	}
	return v, nil
}

// roundPosition reads the round and position parameters of an answer's
// path.
func roundPosition(c echo.Context) (round, pos int, err error) {
	if round, err = intParam(c, "round"); err != nil {
		return 0, 0, err
	}
	pos, err = intParam(c, "position")
	return round, pos, err
}

func (s *Server) handleRoundSubmit(c echo.Context) error {
	round, err := intParam(c, "round")
	if err != nil {
		return err
	}
	sess, err := s.Interviews.SubmitRound(c.Request().Context(), c.Param("id"), round)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

func (s *Server) handleAnswerSave(c echo.Context) error {
	round, pos, err := roundPosition(c)
	if err != nil {
		return err
	}
	var in interview.AnswerInput
	if err := json.NewDecoder(c.Request().Body).Decode(&in); err != nil {
		return onsite.Errorf(onsite.EINVALID, `Send JSON such as {"text": "...", "covered": [0, 2], "self_rating": "good"}: %v.`, err)
	}
	a, err := s.Interviews.SaveAnswer(c.Request().Context(), c.Param("id"), round, pos, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

// handleAnswerGraded attaches a finished "submit" of the candidate's own to
// a coding answer of the interview.
func (s *Server) handleAnswerGraded(c echo.Context) error {
	ctx := c.Request().Context()
	round, pos, err := roundPosition(c)
	if err != nil {
		return err
	}
	var req struct {
		Submission string `json:"submission"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil || req.Submission == "" {
		return onsite.Errorf(onsite.EINVALID, `Send {"submission": "<id of a finished submit>"}.`)
	}
	sess, err := s.Interviews.FindSession(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if round < 0 || round >= len(sess.Rounds) || pos < 0 || pos >= len(sess.Rounds[round].Answers) {
		return onsite.Errorf(onsite.ENOTFOUND, "This interview has no question %d in round %d.", pos+1, round+1)
	}
	sub, err := s.Submissions.FindSubmissionByID(ctx, req.Submission)
	if err != nil {
		return err
	}
	if sub.Question != sess.Rounds[round].Answers[pos].Question || sub.Mode != grader.SubmitSubmit || sub.Status != grader.StatusDone || sub.Result == nil {
		return onsite.Errorf(onsite.EINVALID, "That submission is not a finished submit of this question.")
	}
	if err := s.Interviews.RecordSubmission(ctx, sess.ID, round, pos, sub.ID, string(sub.Verdict), sub.Result.Passed, sub.Result.Total); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) handlePeerLink(c echo.Context) error {
	token, err := s.Interviews.PeerLink(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"url": "/peer/" + token})
}

func (s *Server) handlePeerScore(c echo.Context) error {
	round, pos, err := roundPosition(c)
	if err != nil {
		return err
	}
	var in interview.PeerInput
	if err := json.NewDecoder(c.Request().Body).Decode(&in); err != nil {
		return onsite.Errorf(onsite.EINVALID, `Send JSON such as {"covered": [0, 1], "signal": "lean_hire", "notes": "..."}.`)
	}
	if err := s.Interviews.SavePeerScore(c.Request().Context(), c.Param("token"), round, pos, in); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// Pages.

// interviewsPage lists the formats to start and the history.
type interviewsPage struct {
	Formats []interview.Format
	History []*interview.Session
	Trends  []trendRow
	Error   string
	YAML    string
}

// trendRow is one kind's signals over the candidate's finished sessions,
// oldest first.
type trendRow struct {
	Kind    questions.Kind
	Signals []interview.Signal
}

const customExample = `title: Friday mock
rounds:
  - {kind: coding, count: 1, minutes: 30, difficulty: medium}
  - {kind: concept, count: 4, minutes: 12, topics: [evaluation, metrics]}
`

func (s *Server) handleInterviewsPage(c echo.Context) error {
	return s.renderInterviews(c, http.StatusOK, "", customExample)
}

func (s *Server) renderInterviews(c echo.Context, status int, errMsg, yamlText string) error {
	list, err := s.Interviews.FindSessions(c.Request().Context())
	if err != nil {
		return err
	}
	page := interviewsPage{Formats: interview.BuiltinFormats, History: list, Error: errMsg, YAML: yamlText}
	perKind := map[questions.Kind][]interview.Signal{}
	for i := len(list) - 1; i >= 0; i-- {
		if sc := list[i].Scorecard; sc != nil {
			for _, r := range sc.Rounds {
				perKind[r.Kind] = append(perKind[r.Kind], r.Signal)
			}
		}
	}
	for _, k := range questions.Kinds {
		if sig := perKind[k]; len(sig) > 0 {
			page.Trends = append(page.Trends, trendRow{Kind: k, Signals: sig[max(0, len(sig)-8):]})
		}
	}
	return s.render(c, status, "interviews", "Mock interviews", page)
}

func (s *Server) handleInterviewStartPage(c echo.Context) error {
	yamlText := c.FormValue("yaml")
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		// A format uploaded as a YAML file replaces the text box.
		if fh.Size > 64<<10 {
			return s.renderInterviews(c, http.StatusBadRequest, "The format file is over 64 KiB; a format is a few lines.", yamlText)
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return err
		}
		yamlText = string(data)
	}
	raw, _ := json.Marshal(c.FormValue("format"))
	f, err := formatFrom(raw, yamlText)
	if err != nil {
		return s.renderInterviews(c, http.StatusBadRequest, onsite.ErrorMessage(err), yamlText)
	}
	sess, err := s.Interviews.CreateSession(c.Request().Context(), f)
	if err != nil {
		if onsite.ErrorCode(err) == onsite.EINVALID {
			return s.renderInterviews(c, http.StatusBadRequest, onsite.ErrorMessage(err), yamlText)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/interviews/"+sess.ID)
}

// answerView is one question of the session page: the question as the
// candidate sees it, and their answer.
type answerView struct {
	Question questionPage
	Full     *questions.Question
	Answer   interview.Answer
	Round    int
	Review   bool
}

// sessionPage is the session as the candidate (or a peer) sees it.
type sessionPage struct {
	Session  *interview.Session
	Current  *interview.Round
	Answers  []answerView
	Reviews  [][]answerView
	Peer     bool
	Token    string
	PeerURL  string
	Rules    []string
	Deadline int64
	Now      int64
}

func (s *Server) sessionPageFor(c echo.Context, sess *interview.Session, peer bool) (sessionPage, error) {
	ctx := c.Request().Context()
	page := sessionPage{Session: sess, Current: sess.Current(), Peer: peer, Rules: interview.Rules, Now: sess.Now.UnixMilli()}
	view := func(round int, a interview.Answer, review bool) (answerView, error) {
		q, err := s.Questions.FindQuestionBySlug(ctx, a.Question)
		if err != nil {
			return answerView{}, err
		}
		v, full := s.viewFor(currentUser(c), q)
		qp := s.questionPageFor(c, q, v, full)
		qp.Interview, qp.InterviewID, qp.Round, qp.Position = !peer, sess.ID, round, a.Position
		return answerView{Question: qp, Full: q, Answer: a, Round: round, Review: review}, nil
	}
	for _, r := range sess.Rounds {
		var list []answerView
		for _, a := range r.Answers {
			av, err := view(r.Index, a, r.Submitted != nil || peer)
			if err != nil {
				return page, err
			}
			list = append(list, av)
		}
		page.Reviews = append(page.Reviews, list)
	}
	if cur := page.Current; cur != nil && cur.Started != nil {
		page.Answers = page.Reviews[cur.Index]
		page.Deadline = cur.Deadline.UnixMilli()
	}
	return page, nil
}

func (s *Server) handleSessionPage(c echo.Context) error {
	sess, err := s.Interviews.FindSession(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	page, err := s.sessionPageFor(c, sess, false)
	if err != nil {
		return err
	}
	if sess.Status == interview.Finished {
		return s.render(c, http.StatusOK, "scorecard", "Scorecard: "+sess.Format.Title, page)
	}
	return s.render(c, http.StatusOK, "interview", sess.Format.Title, page)
}

// handleSessionAction runs a form button of the session page and comes
// back to it.
func (s *Server) handleSessionAction(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	var err error
	switch c.Param("action") {
	case "start":
		_, err = s.Interviews.StartRound(ctx, id)
	case "submit":
		var round int
		if round, err = strconv.Atoi(c.FormValue("round")); err == nil {
			_, err = s.Interviews.SubmitRound(ctx, id, round)
		}
	case "finish":
		_, err = s.Interviews.FinishSession(ctx, id)
	case "abandon":
		_, err = s.Interviews.AbandonSession(ctx, id)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/interviews")
		}
	case "peer":
		var token string
		if token, err = s.Interviews.PeerLink(ctx, id); err == nil {
			sess, ferr := s.Interviews.FindSession(ctx, id)
			if ferr != nil {
				return ferr
			}
			page, perr := s.sessionPageFor(c, sess, false)
			if perr != nil {
				return perr
			}
			page.PeerURL = fmt.Sprintf("%s://%s/peer/%s", c.Scheme(), c.Request().Host, token)
			return s.render(c, http.StatusOK, "interview", sess.Format.Title, page)
		}
	default:
		return echo.ErrNotFound
	}
	if err != nil && onsite.ErrorCode(err) != onsite.ECONFLICT {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/interviews/"+id)
}

// handlePeerPage is the interviewer's view through the secret link: the
// questions with hints, reference answers and rubrics, the candidate's
// answers, and the scorecard form.
func (s *Server) handlePeerPage(c echo.Context) error {
	token := c.Param("token")
	sess, err := s.Interviews.FindSessionByPeerToken(c.Request().Context(), token)
	if err != nil {
		return err
	}
	page, err := s.sessionPageFor(c, sess, true)
	if err != nil {
		return err
	}
	page.Token = token
	return s.render(c, http.StatusOK, "peer", "Interviewer: "+sess.Format.Title, page)
}
