package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
)

// handleHealthz says the process is alive; it touches nothing else.
func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": onsite.Version})
}

// handleReadyz says whether the server can serve: the database answers.
func (s *Server) handleReadyz(c echo.Context) error {
	checks := map[string]string{"database": "ok"}
	ready := true
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.Logger.Warn("not ready", "error", err)
			checks["database"], ready = err.Error(), false
		}
	}
	if s.RequireGrader {
		switch {
		case s.Queue == nil:
			checks["grader"], ready = "disabled: the sandbox cannot run here (see the log's grading disabled line)", false
		case len(s.Languages) == 0:
			checks["grader"], ready = "no language found installed", false
		default:
			names := make([]string, len(s.Languages))
			for i, l := range s.Languages {
				names[i] = l.Name
			}
			checks["grader"] = "ok: " + strings.Join(names, ", ")
		}
	}
	if !ready {
		checks["status"] = "unavailable"
		return c.JSON(http.StatusServiceUnavailable, checks)
	}
	checks["status"] = "ok"
	return c.JSON(http.StatusOK, checks)
}
