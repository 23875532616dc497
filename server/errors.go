package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
)

// codes maps each error code to its HTTP status.
var codes = map[string]int{
	onsite.ECONFLICT:     http.StatusConflict,
	onsite.EINVALID:      http.StatusBadRequest,
	onsite.ENOTFOUND:     http.StatusNotFound,
	onsite.EUNAUTHORIZED: http.StatusUnauthorized,
	onsite.EFORBIDDEN:    http.StatusForbidden,
	onsite.ETOOMANY:      http.StatusTooManyRequests,
	onsite.EINTERNAL:     http.StatusInternalServerError,
}

// statusCodes is the reverse of codes, for echo's own errors (404 for an
// unknown route, 413 for a body over the limit, ...).
var statusCodes = map[int]string{
	http.StatusBadRequest:            onsite.EINVALID,
	http.StatusUnauthorized:          onsite.EUNAUTHORIZED,
	http.StatusForbidden:             onsite.EFORBIDDEN,
	http.StatusNotFound:              onsite.ENOTFOUND,
	http.StatusMethodNotAllowed:      onsite.ENOTFOUND,
	http.StatusConflict:              onsite.ECONFLICT,
	http.StatusRequestEntityTooLarge: onsite.EINVALID,
	http.StatusUnsupportedMediaType:  onsite.EINVALID,
	http.StatusTooManyRequests:       onsite.ETOOMANY,
}

var errCSRF = onsite.Errorf(onsite.EFORBIDDEN, "This form has expired or was sent from another site. Reload the page and try again.")

// retryAfterError is a rate-limit error that tells the client when to retry.
type retryAfterError struct {
	err     *onsite.Error
	seconds int
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// apiError is the one JSON error shape: {"error":{"code","message"}}, plus
// the list of problems for an invalid question set.
type apiError struct {
	Code     string              `json:"code"`
	Message  string              `json:"message"`
	Problems []questions.Problem `json:"problems,omitempty"`
}

// handleError is echo's error handler: it turns any error into a status, a
// code and a message, logs only internal errors, and answers in JSON for the
// API and with an error page for browsers.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, message, status := onsite.ErrorCode(err), onsite.ErrorMessage(err), statusOf(err)
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = statusCodes[status]
		message = httpErrorMessage(he)
	}
	if code == "" {
		code = onsite.EINTERNAL
	}
	if status == http.StatusInternalServerError {
		code, message = onsite.EINTERNAL, "Internal error."
		s.Logger.ErrorContext(c.Request().Context(), "request failed",
			slog.String("request_id", requestID(c)), slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path), slog.Any("error", err))
	}
	var ra *retryAfterError
	if errors.As(err, &ra) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(ra.seconds))
	}
	body := apiError{Code: code, Message: message}
	var ve *questions.ValidationError
	if errors.As(err, &ve) {
		body.Problems = ve.Problems
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else if wantsJSON(c) {
		err = c.JSON(status, map[string]apiError{"error": body})
	} else {
		err = s.renderError(c, status, message)
	}
	if err != nil {
		s.Logger.Warn("write error response", slog.Any("error", err))
	}
}

// statusOf is the status an error is answered with: echo's own, or the
// one its code maps to, else 500. The metrics count it too.
func statusOf(err error) int {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code
	}
	if status, ok := codes[onsite.ErrorCode(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

func httpErrorMessage(he *echo.HTTPError) string {
	switch he.Code {
	case http.StatusNotFound:
		return "Page not found."
	case http.StatusMethodNotAllowed:
		return "Page not found."
	case http.StatusRequestEntityTooLarge:
		return "The request is too large."
	}
	if m, ok := he.Message.(string); ok {
		return strings.ToUpper(m[:1]) + m[1:] + "."
	}
	return http.StatusText(he.Code) + "."
}

// wantsJSON is true for the API and for clients that ask for JSON.
func wantsJSON(c echo.Context) bool {
	r := c.Request()
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
