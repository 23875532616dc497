package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/require"
)

// benchSetFile writes a generated native set of n questions, of every kind
// but coding, with prompts and answers of a realistic length.
func benchSetFile(b *testing.B, n int) string {
	set := &questions.Set{Slug: "bench", Title: "Bench", Version: 1}
	body := strings.Repeat("A sentence of an answer that explains one idea in plain words. ", 12)
	for i := range n {
		q := questions.Question{Slug: fmt.Sprintf("bench-%05d", i), Title: fmt.Sprintf("Generated question %d", i),
			Prompt: fmt.Sprintf("Question %d: %s", i, body[:200]), Difficulty: questions.Medium, Topics: []string{"metrics", "regularization"}}
		switch i % 4 {
		case 0, 1:
			q.Kind, q.Answer, q.KeyPoints = questions.KindConcept, body, []string{"one point", "another point"}
		case 2:
			q.Kind, q.Competency, q.StrongAnswer = questions.KindBehavioral, "ownership", []string{"names the stakes", "owns the result"}
		case 3:
			q.Kind, q.Rubric, q.Requirements = questions.KindSystemDesign, []string{"clarifies scale", "designs the data path"}, []string{"10k QPS"}
		}
		set.Questions = append(set.Questions, q)
	}
	data, err := questions.MarshalYAML(set)
	require.NoError(b, err)
	file := filepath.Join(b.TempDir(), "bench.yaml")
	require.NoError(b, os.WriteFile(file, data, 0o600))
	return file
}

// BenchmarkImportNative10k imports a generated native set of 10 000
// questions from its file into an empty database, then imports it again
// unchanged; both include reading and checking the file. The baseline is
// SQLite's floor for the same amount of data: the questions' rows
// inserted into a bare table in one transaction. Targets: import ≤ 3 s,
// re-import ≤ 1.5 s.
func BenchmarkImportNative10k(b *testing.B) {
	const n = 10_000
	file := benchSetFile(b, n)
	im := &questions.Importer{Limits: questions.DefaultArchiveLimits}
	ctx := context.Background()
	load := func() []*questions.Set {
		loaded, err := im.Load(ctx, []questions.Source{{Name: file, Path: file}}, "auto")
		require.NoError(b, err)
		require.Len(b, loaded.Sets[0].Questions, n)
		return loaded.Sets
	}
	var importTime, reimportTime, baseTime time.Duration
	for b.Loop() {
		b.StopTimer()
		db := openTestDB(b)
		qs := NewQuestionService(db)
		sets := load()
		start := time.Now()
		_, err := db.db.ExecContext(ctx, `CREATE TABLE bare (slug TEXT PRIMARY KEY, title TEXT, prompt TEXT, data TEXT)`)
		require.NoError(b, err)
		tx, err := db.db.BeginTx(ctx, nil)
		require.NoError(b, err)
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO bare VALUES (?, ?, ?, ?)`)
		require.NoError(b, err)
		for _, q := range sets[0].Questions {
			data, _ := kindData(&q)
			_, err := stmt.ExecContext(ctx, q.Slug, q.Title, q.Prompt, string(data))
			require.NoError(b, err)
		}
		require.NoError(b, tx.Commit())
		baseTime += time.Since(start)
		b.StartTimer()

		start = time.Now()
		r, err := qs.ImportSets(ctx, 0, load())
		require.NoError(b, err)
		require.Len(b, r.Created, n)
		importTime += time.Since(start)

		start = time.Now()
		r, err = qs.ImportSets(ctx, 0, load())
		require.NoError(b, err)
		require.Equal(b, n, r.Unchanged)
		reimportTime += time.Since(start)
		b.StopTimer()
		require.NoError(b, db.Close())
		b.StartTimer()
	}
	runs := float64(b.N)
	b.ReportMetric(importTime.Seconds()/runs, "import-s")
	b.ReportMetric(reimportTime.Seconds()/runs, "reimport-s")
	b.ReportMetric(importTime.Seconds()/baseTime.Seconds(), "import-x-baseline")
	b.ReportMetric(importTime.Seconds()/runs/3, "import-x-target")
	b.ReportMetric(reimportTime.Seconds()/runs/1.5, "reimport-x-target")
}
