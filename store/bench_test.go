package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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

// baselineNs times the cheapest read of the same shape in this run, on this
// machine, so a benchmark can report itself as a multiple of it: these
// machines are too noisy for absolute times to compare across runs.
func baselineNs(query func()) float64 {
	// testing.Benchmark cannot run inside a benchmark, so time a fixed
	// stretch by hand: at least 100 runs and 200 ms.
	start, n := time.Now(), 0
	for n < 100 || time.Since(start) < 200*time.Millisecond {
		query()
		n++
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// reportRatio adds the benchmark's time per operation as a multiple of base.
func reportRatio(b *testing.B, base float64) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/base, "x-baseline")
}

// BenchmarkFindQuestions reads pages of 50 in browser order, against a
// baseline of 50 rows read by primary key.
func BenchmarkFindQuestions(b *testing.B) {
	qs, slugs := openBenchDB(b)
	ctx := context.Background()
	base := baselineNs(func() {
		rows, err := qs.db.db.QueryContext(ctx, `SELECT id, slug, title, prompt FROM questions ORDER BY id LIMIT 50`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	})
	offset := 0
	b.ResetTimer()
	for b.Loop() {
		page, _, err := qs.FindQuestions(ctx, questions.Filter{Limit: 50, Offset: offset})
		if err != nil || len(page) == 0 {
			b.Fatalf("page at offset %d: got %d questions, error %v", offset, len(page), err)
		}
		offset = (offset + 50) % (len(slugs) - 50)
	}
	reportRatio(b, base)
}

// BenchmarkFindQuestionBySlug reads one question, against a baseline of one
// row read by its unique slug.
func BenchmarkFindQuestionBySlug(b *testing.B) {
	qs, slugs := openBenchDB(b)
	ctx := context.Background()
	base := baselineNs(func() {
		var id int64
		if err := qs.db.db.QueryRowContext(ctx, `SELECT id FROM questions WHERE slug = ?`, slugs[0]).Scan(&id); err != nil {
			b.Fatal(err)
		}
	})
	i := 0
	b.ResetTimer()
	for b.Loop() {
		if _, err := qs.FindQuestionBySlug(ctx, slugs[i%len(slugs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportRatio(b, base)
}
