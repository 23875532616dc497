package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
)

// accountPage shows the signed-in user's account and the password form.
type accountPage struct {
	Error   string
	Changed bool
}

func (s *Server) handleAccountPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "account", "Your account", accountPage{})
}

// handleAccountPassword changes the password after checking the current one,
// then signs the user out of every other browser.
func (s *Server) handleAccountPassword(c echo.Context) error {
	ctx := c.Request().Context()
	user := currentUser(c)
	fail := func(status int, msg string) error {
		return s.render(c, status, "account", "Your account", accountPage{Error: msg})
	}
	accountKey := "account:" + strings.ToLower(user.Email)
	now := time.Now()
	if s.loginByAccount.wait(accountKey, now) > 0 {
		return fail(http.StatusTooManyRequests, "Too many wrong passwords. Wait a few minutes and try again.")
	}
	if _, err := s.Users.Authenticate(ctx, user.Email, c.FormValue("current_password")); onsite.ErrorCode(err) == onsite.EUNAUTHORIZED {
		s.loginByAccount.spend(accountKey, now)
		return fail(http.StatusUnauthorized, "Your current password is not right.")
	} else if err != nil {
		return err
	}
	password := c.FormValue("password")
	if password != c.FormValue("password_confirm") {
		return fail(http.StatusBadRequest, "The two new passwords differ; type the same password twice.")
	}
	if err := s.Users.SetPassword(ctx, user.ID, password); onsite.ErrorCode(err) == onsite.EINVALID {
		return fail(http.StatusBadRequest, onsite.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	keep := ""
	if cookie, err := c.Cookie(sessionCookie); err == nil {
		keep = cookie.Value
	}
	if err := s.Sessions.DeleteUserSessions(ctx, user.ID, keep); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "account", "Your account", accountPage{Changed: true})
}
