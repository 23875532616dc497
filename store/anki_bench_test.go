package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

// ankiBenchFixture is a deck of n notes as people make them: mostly basic
// notes with some HTML, a third cloze, some reversed, tagged, in subdecks.
func ankiBenchFixture(n int) ankiFixture {
	fx := ankiFixture{types: ankiStandardTypes, decks: map[int64]string{ankiDefault: "Default"}}
	for d := range 10 {
		fx.decks[int64(100+d)] = fmt.Sprintf("ML Interview::Topic %d", d)
	}
	body := strings.Repeat("A sentence about <b>bias</b>, <i>variance</i> &amp; regularisation. ", 4)
	for i := range n {
		note := ankiFixtureNote{id: int64(1600000000000 + i), guid: fmt.Sprintf("g%08d", i),
			tags:  fmt.Sprintf("topic%d ML::Level%d", i%37, i%5),
			cards: []int64{int64(100 + i%10)}}
		switch i % 10 {
		case 0, 1, 2:
			note.mid = ankiCloze
			note.fields = []string{fmt.Sprintf("Note %d: {{c1::Gradient descent}} minimises {{c2::the loss::what?}}.<br>%s", i, body), "<div>Extra</div>"}
		case 3:
			note.mid = ankiReversed
			note.cards = append(note.cards, ankiDefault)
			note.fields = []string{fmt.Sprintf("Term %d", i), body}
		default:
			note.mid = ankiBasic
			note.fields = []string{fmt.Sprintf("<div>Question %d: what is <code>x &lt; y</code>?</div>", i), body + `<img src="a.png">[sound:a.mp3]`}
		}
		fx.notes = append(fx.notes, note)
	}
	return fx
}

// BenchmarkImportApkg5000 times the whole import of a 5 000-note package
// into an empty database: checking the zip, unzipping the collection to a
// temporary file, reading it with SQLite, converting and validating the
// notes, and writing the questions. The baseline is the same questions
// imported from onsite's own YAML format in the same run; the target is
// 5 s, and x-target is the time as a fraction of it.
//
//	go test ./store/ -run '^$' -bench ImportApkg5000
func BenchmarkImportApkg5000(b *testing.B) {
	data := buildApkg(b, "collection.anki21", ankiBenchFixture(5000))
	im := &questions.Importer{Limits: questions.DefaultArchiveLimits, ReadAnki: ReadAnkiCollection}
	ctx := context.Background()
	load := func(name string, data []byte) []*questions.Set {
		loaded, err := im.Load(ctx, []questions.Source{{Name: name, Data: data}}, "auto")
		require.NoError(b, err)
		require.Len(b, loaded.Sets[0].Questions, 5000)
		return loaded.Sets
	}
	native, err := questions.MarshalYAML(load("bench.apkg", data)[0])
	require.NoError(b, err)
	var apkg, base time.Duration
	for b.Loop() {
		for _, run := range []struct {
			name  string
			data  []byte
			total *time.Duration
		}{{"bench.apkg", data, &apkg}, {"bench.yaml", native, &base}} {
			b.StopTimer()
			qs := NewQuestionService(openTestDB(b))
			b.StartTimer()
			start := time.Now()
			r, err := qs.ImportSets(ctx, 0, load(run.name, run.data))
			require.NoError(b, err)
			require.Len(b, r.Created, 5000)
			*run.total += time.Since(start)
		}
	}
	b.ReportMetric(apkg.Seconds()/float64(b.N), "import-s")
	b.ReportMetric(apkg.Seconds()/base.Seconds(), "x-baseline")
	b.ReportMetric(apkg.Seconds()/float64(b.N)/5, "x-target")
}
