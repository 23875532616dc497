package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
)

func tokenID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, onsite.Errorf(onsite.ENOTFOUND, "API token not found.")
	}
	return id, nil
}

func (s *Server) handleTokenIndex(c echo.Context) error {
	tokens, err := s.Tokens.FindTokens(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": tokens})
}

func (s *Server) handleTokenCreate(c echo.Context) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := c.Bind(&req); err != nil {
		return onsite.Errorf(onsite.EINVALID, "Send JSON such as {\"name\": \"laptop\"}.")
	}
	t, err := s.Tokens.CreateToken(c.Request().Context(), currentUser(c).ID, req.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) handleTokenDelete(c echo.Context) error {
	id, err := tokenID(c)
	if err != nil {
		return err
	}
	if err := s.Tokens.DeleteToken(c.Request().Context(), currentUser(c).ID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// tokensPage lists the user's tokens; Created is a token just made, shown
// this once.
type tokensPage struct {
	Tokens  []*onsite.APIToken
	Created *onsite.APIToken
	Error   string
}

func (s *Server) tokensPage(c echo.Context, status int, page tokensPage) error {
	tokens, err := s.Tokens.FindTokens(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	page.Tokens = tokens
	return s.render(c, status, "tokens", "API tokens", page)
}

func (s *Server) handleTokensPage(c echo.Context) error {
	return s.tokensPage(c, http.StatusOK, tokensPage{})
}

func (s *Server) handleTokenCreatePage(c echo.Context) error {
	t, err := s.Tokens.CreateToken(c.Request().Context(), currentUser(c).ID, c.FormValue("name"))
	if onsite.ErrorCode(err) == onsite.EINVALID {
		return s.tokensPage(c, http.StatusBadRequest, tokensPage{Error: onsite.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	return s.tokensPage(c, http.StatusCreated, tokensPage{Created: t})
}

func (s *Server) handleTokenDeletePage(c echo.Context) error {
	id, err := tokenID(c)
	if err != nil {
		return err
	}
	if err := s.Tokens.DeleteToken(c.Request().Context(), currentUser(c).ID, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/tokens")
}
