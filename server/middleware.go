package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/onsite-dev/onsite"
)

// logRequests writes one structured line per request.
func (s *Server) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus:    true,
		LogURI:       true,
		LogMethod:    true,
		LogLatency:   true,
		LogRequestID: true,
		LogRemoteIP:  true,
		// Let the error handler write the response first, so the logged
		// status is the one the client got.
		HandleError: true,
		Skipper: func(c echo.Context) bool {
			return c.Path() == "/healthz" || c.Path() == "/static/:hash/*"
		},
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			s.Logger.LogAttrs(context.Background(), slog.LevelInfo, "request",
				slog.String("method", v.Method),
				slog.String("uri", v.URI),
				slog.Int("status", v.Status),
				slog.Float64("latency_ms", float64(v.Latency.Microseconds())/1000),
				slog.String("request_id", v.RequestID),
				slog.String("remote_ip", v.RemoteIP),
				slog.Int64("user_id", onsite.UserIDFromContext(c.Request().Context())),
			)
			return nil
		},
	})
}

// recoverPanics turns a panic in a handler into a logged internal error, so
// one bad request never takes the server down.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.Logger.Error("panic", slog.String("request_id", requestID(c)), slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}
