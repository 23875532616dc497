package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/require"
)

// benchQuestions is how many generated questions the benchmarks add to the
// built-in bank.
const benchQuestions = 1000

// openBenchDB loads the built-in bank and benchQuestions generated questions
// and returns the service and every question slug.
func openBenchDB(b *testing.B) (*QuestionService, []string) {
	b.Helper()
	db := openTestDB(b)
	qs := NewQuestionService(db)
	sets, err := questions.BuiltinSets()
	require.NoError(b, err)

	kinds := questions.Kinds
	topics := []string{"arrays", "graphs", "metrics", "ranking", "ownership", "pipelines", "probability"}
	var text strings.Builder
	fmt.Fprintf(&text, "slug: bench\ntitle: Benchmark set\nversion: 1\nquestions:\n")
	for i := range benchQuestions {
		text.WriteString(qspec{
			slug:       fmt.Sprintf("bench-%04d", i),
			kind:       kinds[i%len(kinds)],
			difficulty: questions.Difficulties[i%len(questions.Difficulties)],
			title:      fmt.Sprintf("Generated question %04d", i),
			topics:     []string{topics[i%len(topics)], topics[(i/7)%len(topics)]},
			prompt:     strings.Repeat("A prompt of ordinary length for a generated question. ", 8),
		}.yaml())
	}
	sets = append(sets, parseSet(b, text.String()))
	_, err = qs.ImportSets(context.Background(), 0, sets)
	require.NoError(b, err)

	var slugs []string
	for _, s := range sets {
		for _, q := range s.Questions {
			slugs = append(slugs, q.Slug)
		}
	}
	return qs, slugs
}

func BenchmarkFindQuestions(b *testing.B) {
	qs, slugs := openBenchDB(b)
	ctx := context.Background()
	offset := 0
	for b.Loop() {
		page, _, err := qs.FindQuestions(ctx, questions.Filter{Limit: 50, Offset: offset})
		if err != nil || len(page) == 0 {
			b.Fatalf("page at offset %d: got %d questions, error %v", offset, len(page), err)
		}
		offset = (offset + 50) % (len(slugs) - 50)
	}
}

func BenchmarkFindQuestionBySlug(b *testing.B) {
	qs, slugs := openBenchDB(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := qs.FindQuestionBySlug(ctx, slugs[i%len(slugs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
