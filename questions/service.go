package questions

import (
	"context"
	"time"
)

var zeroTime time.Time

// Filter selects questions. Nil fields match everything; results are scoped to
// the public sets and the sets of the user in the context.
type Filter struct {
	Kind       *Kind
	Difficulty *Difficulty
	Tag        *string
	Query      *string
	Set        *string
	// Offset and Limit page through the results; Limit 0 means all.
	Offset int
	Limit  int
}

// ImportReport says what an import changed, question by question.
type ImportReport struct {
	Sets      []string `json:"sets"`
	Created   []string `json:"created"`
	Updated   []string `json:"updated"`
	Unchanged int      `json:"unchanged"`
	Retired   []string `json:"retired"`
	// UnchangedSlugs lists the unchanged questions, for reports that
	// name every question (onsite import --json).
	UnchangedSlugs []string `json:"-"`
	// Notes are what the import read but did not take (media files) or
	// took with a caveat (problems that cannot be judged).
	Notes []string `json:"notes,omitempty"`
}

// ImportPlan is an import's report naming every question, as `onsite
// import --json` prints it and POST /api/v1/imports answers it: with
// dry_run, what the import would do.
type ImportPlan struct {
	DryRun    bool     `json:"dry_run"`
	Sets      []string `json:"sets"`
	Added     []string `json:"added"`
	Updated   []string `json:"updated"`
	Unchanged []string `json:"unchanged"`
	Retired   []string `json:"retired"`
	Errors    []string `json:"errors"`
	Notes     []string `json:"notes"`
}

// Plan returns the report as an ImportPlan; r may be nil when the import
// failed with errs.
func (r *ImportReport) Plan(dryRun bool, errs []Problem) ImportPlan {
	list := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	p := ImportPlan{DryRun: dryRun, Errors: []string{}}
	for _, e := range errs {
		p.Errors = append(p.Errors, e.String())
	}
	if r == nil {
		r = &ImportReport{}
	}
	p.Sets, p.Added, p.Updated, p.Unchanged, p.Retired, p.Notes = list(r.Sets), list(r.Created), list(r.Updated), list(r.UnchangedSlugs), list(r.Retired), list(r.Notes)
	return p
}

// Changed reports whether the import wrote anything.
func (r *ImportReport) Changed() bool {
	return len(r.Created)+len(r.Updated)+len(r.Retired) > 0
}

// Topic is a tag with the number of visible questions carrying it.
type Topic struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Service stores and finds questions.
type Service interface {
	// ImportSets writes validated sets in one transaction: new questions are
	// created, changed ones updated in place (same ID), unchanged ones left
	// alone, and questions dropped from a set retired. ownerID 0 makes the
	// sets public. A slug taken by another owner's set is ECONFLICT.
	ImportSets(ctx context.Context, ownerID int64, sets []*Set) (*ImportReport, error)
	// PreviewImport reports what ImportSets would change, and changes
	// nothing.
	PreviewImport(ctx context.Context, ownerID int64, sets []*Set) (*ImportReport, error)
	// FindQuestions returns one page of matching questions and the total,
	// as a list shows them: without prompts and kind-specific parts
	// (FindQuestionBySlug returns a whole question).
	FindQuestions(ctx context.Context, filter Filter) ([]*Question, int, error)
	// FindQuestionBySlug returns a visible question or ENOTFOUND.
	FindQuestionBySlug(ctx context.Context, slug string) (*Question, error)
	// FindSets returns the visible sets.
	FindSets(ctx context.Context) ([]*Set, error)
	// ExportSet returns a visible set with its live questions, ready to
	// write in the native format.
	ExportSet(ctx context.Context, slug string) (*Set, error)
	// FindTopics returns the visible questions' topics, most used first.
	FindTopics(ctx context.Context) ([]Topic, error)
}
