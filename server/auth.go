package server

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
)

const (
	sessionCookie = "onsite_session"
	csrfCookie    = "onsite_csrf"
)

// authenticate puts the user of a bearer token or a session cookie into the
// request's context. A bad token is an error; a stale cookie is dropped and
// the request goes on anonymously.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" {
			return next(c)
		}
		var user *onsite.User
		if v := r.Header.Get("Authorization"); v != "" {
			token, ok := strings.CutPrefix(v, "Bearer ")
			if !ok || token == "" {
				return onsite.Errorf(onsite.EUNAUTHORIZED, "Send the API token as: Authorization: Bearer <token>.")
			}
			var err error
			if user, err = s.Tokens.FindUserByToken(r.Context(), token); err != nil {
				return err
			}
		} else if cookie, err := r.Cookie(sessionCookie); err == nil {
			user, err = s.Sessions.FindUserBySession(r.Context(), cookie.Value)
			if onsite.ErrorCode(err) == onsite.EUNAUTHORIZED {
				s.clearSessionCookie(c)
			} else if err != nil {
				return err
			}
		}
		if user != nil {
			c.SetRequest(r.WithContext(onsite.NewContextWithUser(r.Context(), user)))
		}
		return next(c)
	}
}

func currentUser(c echo.Context) *onsite.User {
	return onsite.UserFromContext(c.Request().Context())
}

// requirePageUser sends anonymous browsers to the sign-in page and back.
func (s *Server) requirePageUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) != nil {
			return next(c)
		}
		if c.Request().Method != http.MethodGet {
			return onsite.Errorf(onsite.EUNAUTHORIZED, "Your session has ended; sign in again.")
		}
		return c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
}

// requireAPIUser answers anonymous API calls with 401.
func (s *Server) requireAPIUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			return onsite.Errorf(onsite.EUNAUTHORIZED, "Sign in, or send an API token as: Authorization: Bearer <token>.")
		}
		return next(c)
	}
}

// requireAdmin lets only admins through.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := currentUser(c); u == nil || !u.IsAdmin {
			return onsite.Errorf(onsite.EFORBIDDEN, "Only an admin can do this.")
		}
		return next(c)
	}
}

func (s *Server) secure(c echo.Context) bool {
	return s.SecureCookies || c.Scheme() == "https"
}

func (s *Server) setSessionCookie(c echo.Context, sess *onsite.Session) {
	c.SetCookie(&http.Cookie{
		Name:     sessionCookie,
		Value:    sess.Token,
		Path:     "/",
		Expires:  sess.ExpiresAt,
		HttpOnly: true,
		Secure:   s.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
}

// registrationOpen says whether an anonymous visitor may create an account:
// always for the first account, then only when the server allows it.
func (s *Server) registrationOpen(c echo.Context) (bool, error) {
	if s.OpenRegistration {
		return true, nil
	}
	n, err := s.Users.CountUsers(c.Request().Context())
	return n == 0, err
}

type authForm struct {
	Email     string
	Next      string
	Error     string
	FirstUser bool
	Closed    bool
}

func (s *Server) handleHome(c echo.Context) error {
	if currentUser(c) == nil {
		n, err := s.Users.CountUsers(c.Request().Context())
		if err != nil {
			return err
		}
		if n == 0 {
			return c.Redirect(http.StatusSeeOther, "/signup")
		}
		return c.Redirect(http.StatusSeeOther, "/signin")
	}
	if s.Drill != nil {
		return c.Redirect(http.StatusSeeOther, "/dashboard")
	}
	return c.Redirect(http.StatusSeeOther, "/questions")
}

func (s *Server) handleSignupPage(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/questions")
	}
	open, err := s.registrationOpen(c)
	if err != nil {
		return err
	}
	n, err := s.Users.CountUsers(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "signup", "Create your account", authForm{Closed: !open, FirstUser: n == 0})
}

func (s *Server) handleSignup(c echo.Context) error {
	ctx := c.Request().Context()
	form := authForm{Email: strings.TrimSpace(c.FormValue("email"))}
	open, err := s.registrationOpen(c)
	if err != nil {
		return err
	}
	if !open {
		form.Closed = true
		form.Error = "Registration is closed on this server: ask an admin to create your account."
		return s.render(c, http.StatusForbidden, "signup", "Create your account", form)
	}
	password := c.FormValue("password")
	if password != c.FormValue("password_confirm") {
		form.Error = "The two passwords differ; type the same password twice."
		return s.render(c, http.StatusBadRequest, "signup", "Create your account", form)
	}
	user, err := s.Users.CreateUser(ctx, onsite.NewUser{Email: form.Email, Password: password})
	if code := onsite.ErrorCode(err); code == onsite.EINVALID || code == onsite.ECONFLICT {
		form.Error = onsite.ErrorMessage(err)
		return s.render(c, codes[code], "signup", "Create your account", form)
	} else if err != nil {
		return err
	}
	sess, err := s.Sessions.CreateSession(ctx, user.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, sess)
	return c.Redirect(http.StatusSeeOther, "/questions")
}

func (s *Server) handleSigninPage(c echo.Context) error {
	next := localPath(c.QueryParam("next"))
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	open, err := s.registrationOpen(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "signin", "Sign in", authForm{Next: next, Closed: !open})
}

func (s *Server) handleSignin(c echo.Context) error {
	ctx := c.Request().Context()
	form := authForm{Email: strings.TrimSpace(c.FormValue("email")), Next: localPath(c.FormValue("next"))}
	ipKey, accountKey := "ip:"+c.RealIP(), "account:"+strings.ToLower(form.Email)
	now := time.Now()
	if wait := max(s.loginByIP.wait(ipKey, now), s.loginByAccount.wait(accountKey, now)); wait > 0 {
		minutes := int(math.Ceil(wait.Minutes()))
		return &retryAfterError{
			err:     onsite.Errorf(onsite.ETOOMANY, "Too many sign-in attempts. Wait %d minute(s) and try again.", minutes),
			seconds: int(math.Ceil(wait.Seconds())),
		}
	}
	s.loginByIP.spend(ipKey, now)
	user, err := s.Users.Authenticate(ctx, form.Email, c.FormValue("password"))
	if onsite.ErrorCode(err) == onsite.EUNAUTHORIZED {
		s.loginByAccount.spend(accountKey, now)
		form.Error = onsite.ErrorMessage(err)
		return s.render(c, http.StatusUnauthorized, "signin", "Sign in", form)
	} else if err != nil {
		return err
	}
	s.loginByAccount.reset(accountKey)
	sess, err := s.Sessions.CreateSession(ctx, user.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, sess)
	return c.Redirect(http.StatusSeeOther, form.Next)
}

func (s *Server) handleSignout(c echo.Context) error {
	if cookie, err := c.Cookie(sessionCookie); err == nil {
		if err := s.Sessions.DeleteSession(c.Request().Context(), cookie.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/signin")
}

// localPath keeps a redirect target on this site; anything else goes to the
// question browser.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/questions"
	}
	return next
}
