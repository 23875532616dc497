package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/onsite-dev/onsite"
)

// Body limits: forms and JSON are small; question sets may be large.
const (
	bodyLimit       = "1M"
	importBodyLimit = "16M"
	// uploadBodyLimit fits questions.DefaultArchiveLimits.ArchiveBytes and
	// the multipart framing around it.
	uploadBodyLimit = "260M"
)

func (s *Server) routes() {
	e := s.echo
	e.IPExtractor = echo.ExtractIPDirect()
	if s.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s.submitByUser, s.submitByIP = limitPair(s.Limits.SubmissionsPerMinute, time.Minute)
	s.importByUser, s.importByIP = limitPair(s.Limits.ImportsPerHour, time.Hour)
	submitLimit := s.rateLimit("submissions", s.submitByUser, s.submitByIP)
	importLimit := s.rateLimit("imports", s.importByUser, s.importByIP)
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {
			// Work done for the request (grading, storage) logs its ID.
			c.SetRequest(c.Request().WithContext(onsite.NewContextWithRequestID(c.Request().Context(), id)))
		},
	}))
	e.Use(s.Metrics.measure)
	e.Use(s.recoverPanics)
	e.Use(s.logRequests())
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
	}))
	e.Use(s.authenticate)
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		// API clients with a bearer token carry no ambient credentials, so
		// cross-site forgery cannot ride on them.
		Skipper: func(c echo.Context) bool {
			return strings.HasPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		},
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     csrfCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
		CookieSecure:   s.SecureCookies,
		ErrorHandler: func(err error, c echo.Context) error {
			return errCSRF
		},
	}))

	e.GET("/healthz", s.handleHealthz)
	e.GET("/metrics", s.handleMetrics())
	e.GET("/readyz", s.handleReadyz)
	// Assets are compressed: the code editor is 630 KB, about 215 KB
	// gzipped, fetched once and then cached for a year.
	e.GET("/static/:hash/*", s.handleAsset, middleware.Gzip())
	e.GET("/favicon.ico", s.handleFavicon)

	small := middleware.BodyLimit(bodyLimit)
	e.GET("/", s.handleHome)
	e.GET("/signup", s.handleSignupPage)
	e.POST("/signup", s.handleSignup, small)
	e.GET("/signin", s.handleSigninPage)
	e.POST("/signin", s.handleSignin, small)
	e.POST("/signout", s.handleSignout, small)

	pages := e.Group("", s.requirePageUser, small)
	pages.GET("/questions", s.handleQuestionIndexPage)
	pages.GET("/questions/:slug", s.handleQuestionPage)
	pages.GET("/sets", s.handleSetsPage)
	pages.GET("/sets/:slug", s.handleSetPage)
	pages.GET("/import", s.handleImportPage)
	pages.POST("/import", s.handleImportPagePost, importLimit, middleware.BodyLimit(uploadBodyLimit))
	pages.GET("/dashboard", s.handleDashboardPage, s.requireDrill)
	pages.GET("/drill", s.handleDrillPage, s.requireDrill)
	pages.POST("/drill/review", s.handleDrillReview, s.requireDrill)
	pages.POST("/drill/undo", s.handleDrillUndo, s.requireDrill)
	pages.GET("/settings/drill", s.handleDrillSettingsPage, s.requireDrill)
	pages.GET("/settings/reminders", s.handleReminderPage, s.requireReminders)
	pages.POST("/settings/reminders", s.handleReminderPageSave, s.requireReminders)
	pages.POST("/settings/drill", s.handleDrillSettingsSave, s.requireDrill)
	pages.GET("/interviews", s.handleInterviewsPage, s.requireInterviews)
	pages.POST("/interviews", s.handleInterviewStartPage, s.requireInterviews)
	pages.GET("/interviews/:id", s.handleSessionPage, s.requireInterviews)
	pages.POST("/interviews/:id/:action", s.handleSessionAction, s.requireInterviews)
	pages.GET("/account", s.handleAccountPage)
	pages.POST("/account/password", s.handleAccountPassword)
	pages.GET("/tokens", s.handleTokensPage)
	pages.POST("/tokens", s.handleTokenCreatePage)
	pages.POST("/tokens/:id/delete", s.handleTokenDeletePage)
	pages.GET("/admin/users", s.handleUsersPage, s.requireAdmin)
	pages.POST("/admin/users", s.handleUserCreatePage, s.requireAdmin)

	// A peer interviewer has the secret link, not an account.
	e.GET("/peer/:token", s.handlePeerPage, s.requireInterviews)
	// A calendar app fetches the feed with the secret in its URL, not a
	// session.
	e.GET("/calendar/:token", s.handleCalendarFeed, s.requireReminders)
	e.PUT("/peer/:token/rounds/:round/answers/:position", s.handlePeerScore, s.requireInterviews, small)

	api := e.Group("/api/v1", s.requireAPIUser)
	api.GET("/me", s.handleMe)
	api.GET("/questions", s.handleQuestionIndex)
	api.GET("/questions/:slug", s.handleQuestionView)
	api.GET("/topics", s.handleTopicIndex)
	api.GET("/sets", s.handleSetIndex)
	api.GET("/sets/:slug/export", s.handleSetExport)
	api.POST("/sets", s.handleSetImport, importLimit, middleware.BodyLimit(importBodyLimit))
	api.POST("/imports", s.handleImportCreate, importLimit, middleware.BodyLimit(uploadBodyLimit))
	api.GET("/languages", s.handleLanguageIndex)
	api.POST("/submissions", s.handleSubmissionCreate, s.requireGrader, submitLimit, middleware.BodyLimit("256K"))
	api.GET("/submissions/:id", s.handleSubmissionView, s.requireGrader)
	api.GET("/drill/today", s.handleDrillToday, s.requireDrill)
	api.GET("/drill/settings", s.handleDrillSettings, s.requireDrill)
	api.PUT("/drill/settings", s.handleDrillSettingsUpdate, s.requireDrill, small)
	api.POST("/drill/suggest", s.handleSuggest, small)
	api.POST("/reviews", s.handleReviewCreate, s.requireDrill, small)
	api.POST("/reviews/undo", s.handleReviewUndo, s.requireDrill)
	api.GET("/stats", s.handleStats, s.requireDrill)
	api.GET("/reminders/settings", s.handleReminderSettings, s.requireReminders)
	api.PUT("/reminders/settings", s.handleReminderSettingsUpdate, s.requireReminders, small)
	api.POST("/reminders/test", s.handleReminderTest, s.requireReminders, small)
	api.POST("/reminders/calendar/reset", s.handleCalendarReset, s.requireReminders)
	api.GET("/reminders/browser", s.handleBrowserNext, s.requireReminders)
	api.POST("/reminders/browser/claim", s.handleBrowserClaim, s.requireReminders)
	api.GET("/interview-formats", s.handleFormatIndex)
	api.POST("/interviews", s.handleInterviewCreate, s.requireInterviews, small)
	api.GET("/interviews", s.handleInterviewIndex, s.requireInterviews)
	api.GET("/interviews/:id", s.handleInterviewView, s.requireInterviews)
	api.POST("/interviews/:id/:action", s.interviewAction, s.requireInterviews)
	api.POST("/interviews/:id/peer-link", s.handlePeerLink, s.requireInterviews)
	api.POST("/interviews/:id/rounds/:round/submit", s.handleRoundSubmit, s.requireInterviews)
	api.PUT("/interviews/:id/rounds/:round/answers/:position", s.handleAnswerSave, s.requireInterviews, middleware.BodyLimit("256K"))
	api.POST("/interviews/:id/rounds/:round/answers/:position/graded", s.handleAnswerGraded, s.requireInterviews, s.requireGrader, small)
	api.GET("/tokens", s.handleTokenIndex)
	api.POST("/tokens", s.handleTokenCreate, small)
	api.DELETE("/tokens/:id", s.handleTokenDelete)
	api.GET("/users", s.handleUserIndex, s.requireAdmin)
	api.POST("/users", s.handleUserCreate, s.requireAdmin, small)
}
