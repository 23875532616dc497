package server

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/questions"
)

// importRequest is one import as the API and the import page receive it.
type importRequest struct {
	sources []questions.Source
	format  string
	dryRun  bool
	owner   int64
}

// readImportRequest reads the uploaded files and the options of a
// multipart import: file (one or more), format, dry_run and public, as form
// fields or query parameters.
func (s *Server) readImportRequest(c echo.Context) (*importRequest, error) {
	if s.Importer == nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "importing is not set up on this server")
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, onsite.Errorf(onsite.EINVALID, "Send the files as multipart/form-data, in fields named file (%v).", err)
	}
	defer form.RemoveAll()
	value := func(name string) string {
		if v := form.Value[name]; len(v) > 0 {
			return v[0]
		}
		return c.QueryParam(name)
	}
	req := &importRequest{format: value("format"), dryRun: isTrue(value("dry_run"))}
	if req.format == "" {
		req.format = "auto"
	}
	user := currentUser(c)
	req.owner = user.ID
	if isTrue(value("public")) {
		if !user.IsAdmin {
			return nil, onsite.Errorf(onsite.EFORBIDDEN, "Only an admin can import public sets; leave public out to import them for yourself.")
		}
		req.owner = 0
	}
	files := form.File["file"]
	if len(files) == 0 {
		return nil, onsite.Errorf(onsite.EINVALID, "Choose at least one file to import (a field named file).")
	}
	for _, fh := range files {
		data, err := readUpload(fh, s.Importer.Limits.ArchiveBytes)
		if err != nil {
			return nil, err
		}
		req.sources = append(req.sources, questions.Source{Name: uploadName(fh.Filename), Data: data})
	}
	return req, nil
}

// readUpload reads one uploaded file, refusing one over limit bytes.
func readUpload(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	if fh.Size > limit {
		return nil, onsite.Errorf(onsite.EINVALID, "%s is %d MB; the limit is %d MB.", uploadName(fh.Filename), fh.Size>>20, limit>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// uploadName is the base name of an uploaded file, as browsers may send a
// path.
func uploadName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return "upload"
	}
	return name
}

func isTrue(v string) bool {
	return v == "true" || v == "1" || v == "on"
}

// runImport loads and checks the request's files and imports them, or
// with dryRun reports what importing them would change. Problems in the
// files come back as the plan's errors, with a nil error.
func (s *Server) runImport(c echo.Context, req *importRequest) (questions.ImportPlan, error) {
	ctx := c.Request().Context()
	loaded, err := s.Importer.Load(ctx, req.sources, req.format)
	var ve *questions.ValidationError
	if errors.As(err, &ve) {
		return (*questions.ImportReport)(nil).Plan(req.dryRun, ve.Problems), nil
	} else if err != nil {
		return questions.ImportPlan{}, onsite.Errorf(onsite.EINVALID, "%s.", err)
	}
	var report *questions.ImportReport
	if req.dryRun {
		report, err = s.Questions.PreviewImport(ctx, req.owner, loaded.Sets)
	} else {
		report, err = s.Questions.ImportSets(ctx, req.owner, loaded.Sets)
	}
	if err != nil {
		return questions.ImportPlan{}, err
	}
	report.Notes = loaded.Notes
	return report.Plan(req.dryRun, nil), nil
}

// handleImportCreate imports uploaded files: POST /api/v1/imports
// (multipart; dry_run=true reports the plan and writes nothing). The
// answer is the plan; problems in the files answer 422 with the plan's
// errors and nothing imported.
func (s *Server) handleImportCreate(c echo.Context) error {
	req, err := s.readImportRequest(c)
	if err != nil {
		return err
	}
	plan, err := s.runImport(c, req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(plan.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	} else if !req.dryRun && len(plan.Added) > 0 {
		status = http.StatusCreated
	}
	return c.JSON(status, plan)
}

// importPage is what the import page shows.
type importPage struct {
	Formats []string
	Plan    *questions.ImportPlan
	Error   string
}

func (s *Server) handleImportPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "import", "Import questions", importPage{Formats: questions.ImportFormats})
}

// handleImportPagePost is the import form without JavaScript: it shows the
// plan (Preview) or imports (Import) and shows what changed.
func (s *Server) handleImportPagePost(c echo.Context) error {
	page := importPage{Formats: questions.ImportFormats}
	req, err := s.readImportRequest(c)
	if err == nil {
		req.dryRun = c.FormValue("action") != "import"
		var plan questions.ImportPlan
		if plan, err = s.runImport(c, req); err == nil {
			page.Plan = &plan
		}
	}
	if err != nil {
		if onsite.ErrorCode(err) == onsite.EINTERNAL {
			return err
		}
		page.Error = onsite.ErrorMessage(err)
	}
	return s.render(c, http.StatusOK, "import", "Import questions", page)
}

// setPage is what a set's page shows.
type setPage struct {
	Set       *questions.Set
	Questions []*questions.Question
	Mine      bool
}

// handleSetPage lists a visible set's questions with its export links.
func (s *Server) handleSetPage(c echo.Context) error {
	ctx := c.Request().Context()
	set, err := s.Questions.ExportSet(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	slug := set.Slug
	list, _, err := s.Questions.FindQuestions(ctx, questions.Filter{Set: &slug})
	if err != nil {
		return err
	}
	user := currentUser(c)
	return s.render(c, http.StatusOK, "set", fmt.Sprintf("Set %s", set.Title), setPage{Set: set, Questions: list, Mine: set.OwnerID != 0 && set.OwnerID == user.ID})
}

// handleSetsPage lists the sets the user can see.
func (s *Server) handleSetsPage(c echo.Context) error {
	sets, err := s.Questions.FindSets(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "sets", "Question sets", sets)
}
