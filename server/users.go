package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
)

func (s *Server) handleMe(c echo.Context) error {
	return c.JSON(http.StatusOK, currentUser(c))
}

func (s *Server) handleUserIndex(c echo.Context) error {
	users, err := s.Users.FindUsers(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": users})
}

func (s *Server) handleUserCreate(c echo.Context) error {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Admin    bool   `json:"admin"`
	}
	if err := c.Bind(&req); err != nil {
		return onsite.Errorf(onsite.EINVALID, "Send JSON such as {\"email\": \"ada@example.com\", \"password\": \"...\", \"admin\": false}.")
	}
	u, err := s.Users.CreateUser(c.Request().Context(), onsite.NewUser{Email: req.Email, Password: req.Password, Admin: req.Admin})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

type usersPage struct {
	Users   []*onsite.User
	Email   string
	Created *onsite.User
	Error   string
}

func (s *Server) usersPage(c echo.Context, status int, page usersPage) error {
	users, err := s.Users.FindUsers(c.Request().Context())
	if err != nil {
		return err
	}
	page.Users = users
	return s.render(c, status, "users", "Accounts", page)
}

func (s *Server) handleUsersPage(c echo.Context) error {
	return s.usersPage(c, http.StatusOK, usersPage{})
}

func (s *Server) handleUserCreatePage(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	u, err := s.Users.CreateUser(c.Request().Context(), onsite.NewUser{
		Email: email, Password: c.FormValue("password"), Admin: c.FormValue("admin") == "on",
	})
	if code := onsite.ErrorCode(err); code == onsite.EINVALID || code == onsite.ECONFLICT {
		return s.usersPage(c, codes[code], usersPage{Email: email, Error: onsite.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	return s.usersPage(c, http.StatusCreated, usersPage{Created: u})
}
