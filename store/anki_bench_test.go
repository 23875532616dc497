package store

import (
	"archive/zip"
	"bytes"
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

// BenchmarkParseApkg5000 times the whole import of a 5 000-note package
// short of storing it: unzipping the collection to a temporary file,
// reading it with SQLite, converting and validating the notes. The target
// is 5 s; x-target is the time as a fraction of it.
//
//	go test ./store/ -run '^$' -bench ParseApkg5000
func BenchmarkParseApkg5000(b *testing.B) {
	data := buildApkg(b, "collection.anki21", ankiBenchFixture(5000))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		require.NoError(b, err)
		set, _, err := questions.ParseApkg(context.Background(), zr, "bench.apkg", ReadAnkiCollection)
		require.NoError(b, err)
		require.Len(b, set.Questions, 5000)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(5*time.Second), "x-target")
}
