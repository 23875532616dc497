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
	// FindQuestions returns one page of matching questions and the total.
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
