package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
)

func (s *Server) handleSetIndex(c echo.Context) error {
	sets, err := s.Questions.FindSets(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": sets})
}

// handleSetImport imports a set sent as the request body: the native YAML
// or JSON format, or flashcards with Content-Type text/csv or
// text/tab-separated-values. The set is private to the caller; an admin may
// add ?public=true to share it with everyone. POST /api/v1/imports takes
// files of every format.
func (s *Server) handleSetImport(c echo.Context) error {
	user := currentUser(c)
	data, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	owner := user.ID
	if c.QueryParam("public") == "true" {
		if !user.IsAdmin {
			return onsite.Errorf(onsite.EFORBIDDEN, "Only an admin can import a public set; leave out public=true to import it for yourself.")
		}
		owner = 0
	}
	name := c.QueryParam("filename")
	if name == "" {
		name = "request body"
	}
	parse := questions.ParseYAML
	if ct := c.Request().Header.Get("Content-Type"); strings.Contains(ct, "csv") || strings.Contains(ct, "tab-separated") {
		parse = questions.ParseCSV
	}
	set, err := parse(name, data)
	if err != nil {
		return err
	}
	report, err := s.Questions.ImportSets(c.Request().Context(), owner, []*questions.Set{set})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, report)
}

// handleSetExport answers a set in the native format, YAML, JSON
// (?format=json) or a zipped Markdown folder (?format=md), as a file to
// download.
func (s *Server) handleSetExport(c echo.Context) error {
	set, err := s.Questions.ExportSet(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	var data []byte
	var ctype string
	switch format {
	case "", "yaml":
		format, ctype = "yaml", "application/yaml; charset=utf-8"
		data, err = questions.MarshalYAML(set)
	case "json":
		ctype = "application/json; charset=utf-8"
		data, err = questions.MarshalJSON(set)
	case "md":
		var files map[string][]byte
		if files, err = questions.MarshalMarkdown(set); err == nil {
			format, ctype = "zip", "application/zip"
			data, err = questions.ZipFolder(set.Slug, files)
		}
	default:
		return onsite.Errorf(onsite.EINVALID, "format %q: use yaml, json or md.", format)
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, set.Slug, format))
	return c.Blob(http.StatusOK, ctype, data)
}
