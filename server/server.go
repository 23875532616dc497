package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/interview"
	"github.com/onsite-dev/onsite/questions"
)

// Server serves the pages and the API. Fill in the services, then Open.
type Server struct {
	ln     net.Listener
	server *http.Server
	echo   *echo.Echo
	pages  *pages

	// Metrics are served at /metrics; the wiring feeds them grading,
	// reminder and database events.
	Metrics *Metrics
	// Addr is the address to listen on, such as 127.0.0.1:8080 or :0.
	Addr   string
	Logger *slog.Logger

	Users     onsite.UserService
	Sessions  onsite.SessionService
	Tokens    onsite.TokenService
	Questions questions.Service
	// Importer reads uploaded question sets; without it imports answer
	// 503.
	Importer *questions.Importer
	// Drill schedules practice; without it the drill pages and API answer
	// 503.
	Drill drill.Service
	// Interviews runs mock interviews; without it their pages and API
	// answer 503.
	Interviews interview.Service
	// Reminders stores reminder settings and Reminder sends them (the
	// test button); without Reminders the reminder pages answer 503.
	Reminders drill.ReminderService
	Reminder  *drill.Reminders
	// BaseURL is the address people reach the server at, for links in
	// reminders and the calendar feed; empty takes it from each request.
	BaseURL string
	// Submissions, Queue and Waiter grade code; Languages lists what the
	// grader found installed. Without a Queue the grading API answers 503.
	Submissions grader.SubmissionService
	Queue       grader.Queue
	Waiter      Waiter
	Languages   []Language
	// Ready reports whether the server can do its work (the database
	// takes writes); /readyz calls it.
	Ready func(ctx context.Context) error
	// RequireGrader makes /readyz fail while grading is unavailable or
	// no language is installed.
	RequireGrader bool

	// OpenRegistration lets anyone create an account. The first account
	// can always be created; after that only admins add accounts unless
	// this is set.
	OpenRegistration bool
	// SecureCookies marks cookies Secure even when the request itself did
	// not arrive over TLS (behind a proxy that terminates it).
	SecureCookies bool

	// TrustProxy takes the client's address from X-Forwarded-For (set it
	// behind a reverse proxy); otherwise the connection's address counts,
	// and a client cannot pick its own to dodge the rate limits.
	TrustProxy bool
	// Limits bound submissions and imports per account and address.
	Limits RateLimits

	loginByIP      *limiter
	loginByAccount *limiter
	submitByUser   *limiter
	submitByIP     *limiter
	importByUser   *limiter
	importByIP     *limiter
}

// Timeouts for every connection: slow clients cannot hold a worker forever.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 120 * time.Second
	idleTimeout       = 120 * time.Second
	// ShutdownTimeout is how long Close waits for in-flight requests.
	ShutdownTimeout = 20 * time.Second
)

// New returns a Server with its router built; set the services before Open.
func New() *Server {
	s := &Server{
		Metrics:        NewMetrics(),
		Logger:         slog.Default(),
		echo:           echo.New(),
		loginByIP:      newLimiter(20, 10*time.Minute),
		loginByAccount: newLimiter(10, 15*time.Minute),
		Limits:         DefaultRateLimits,
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	return s
}

// Open builds the routes and starts serving on Addr in the background.
func (s *Server) Open() error {
	if s.Users == nil || s.Sessions == nil || s.Tokens == nil || s.Questions == nil {
		return errors.New("server: every service must be set before Open")
	}
	var err error
	if s.pages, err = loadPages(); err != nil {
		return err
	}
	s.routes()
	if s.Queue != nil {
		s.Metrics.watchQueue(s.Queue)
	}
	if s.ln, err = net.Listen("tcp", s.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", s.Addr, err)
	}
	s.server = &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.server.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Logger.Error("serve", slog.Any("error", err))
		}
	}()
	return nil
}

// URL is the address the server answers on, for tests and the start-up log.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	addr := s.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Close stops accepting connections and waits for in-flight requests to
// finish, at most ShutdownTimeout.
func (s *Server) Close() error {
	if s.server == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	return s.server.Shutdown(ctx)
}
