package questions_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/onsite-dev/onsite/questions"
)

// The tests here give ParseApkg a collection directly, through an
// AnkiReader that returns it: they are about turning notes into questions.
// store/anki_test.go reads real packages with store.ReadAnkiCollection.

const (
	basicType = 1001
	clozeType = 1002
)

var ankiTypes = map[int64]questions.AnkiNoteType{
	basicType: {ID: basicType, Name: "Basic", Fields: []string{"Front", "Back"}},
	clozeType: {ID: clozeType, Name: "Cloze", Cloze: true, Fields: []string{"Text", "Back Extra"}},
}

// parseNotes runs ParseApkg on a package whose collection holds notes, all
// in the deck "Deck".
func parseNotes(t testing.TB, notes ...questions.AnkiNote) (*questions.Set, error) {
	t.Helper()
	col := &questions.AnkiCollection{Notes: notes, NoteTypes: ankiTypes, Decks: map[int64]string{1: "Default", 7: "Deck"}}
	for i := range col.Notes {
		if col.Notes[i].DeckID == 0 {
			col.Notes[i].DeckID = 7
		}
	}
	fsys := fstest.MapFS{"collection.anki21": {Data: []byte("SQLite format 3\x00")}}
	read := func(context.Context, string) (*questions.AnkiCollection, error) { return col, nil }
	set, media, err := questions.ParseApkg(context.Background(), fsys, "deck.apkg", read)
	assert.Zero(t, media)
	return set, err
}

func TestParseApkgNotes(t *testing.T) {
	tests := []struct {
		name                string
		note                questions.AnkiNote
		prompt, answer, ttl string
		topics              []string
	}{
		{"basic with HTML", questions.AnkiNote{NoteTypeID: basicType, Fields: []string{"What is <b>AUC</b>?<br>Briefly.", "<div>Area&nbsp;under the curve</div><div><i>ROC</i></div>"}},
			"What is **AUC**?\nBriefly.", "Area under the curve\n\n*ROC*", "What is AUC?", nil},
		{"scripts, styles, handlers, images and sounds dropped", questions.AnkiNote{NoteTypeID: basicType, Fields: []string{
			`Q<script>alert(1)</script><style>b{}</style><img src="x.png" onerror="alert(1)">[sound:q.mp3]`, `<span onclick="alert(1)">A</span>`}},
			"Q", "A", "Q", nil},
		{"entities are text, not tags", questions.AnkiNote{NoteTypeID: basicType, Fields: []string{"Define &lt;script&gt; &amp;amp;", `C:\path &lt;b&gt;`}},
			`Define \<script> \&amp;`, `C:\\path \<b>`, "Define <script> &amp;", nil},
		{"code spans are left as written", questions.AnkiNote{NoteTypeID: basicType, Fields: []string{"What does <code>a&lt;b</code> do?", "Compares"}},
			"What does `a<b` do?", "Compares", "What does `a<b` do?", nil},
		{"cloze", questions.AnkiNote{NoteTypeID: clozeType, Fields: []string{"{{c1::Gradient descent}} minimises {{c2::loss::what?}}", "See <i>SGD</i>"}},
			"[...] minimises [what?]", "**Gradient descent** minimises **loss**\n\nSee *SGD*", "[...] minimises [what?]", nil},
		{"nested cloze", questions.AnkiNote{NoteTypeID: clozeType, Fields: []string{"A {{c1::big {{c2::red}} ball}} rolls", ""}},
			"A [...] rolls", "A **big red ball** rolls", "A [...] rolls", nil},
		{"unclosed cloze is text", questions.AnkiNote{NoteTypeID: clozeType, Fields: []string{"{{c1::open {{c2::x}} and done }", ""}},
			"{{c1::open [...] and done }", "{{c1::open **x** and done }", "{{c1::open [...] and done }", nil},
		{"tags become topics", questions.AnkiNote{NoteTypeID: basicType, Tags: []string{"ML::Metrics", "ml-metrics", "leech", "日本"}, Fields: []string{"Q", "A"}},
			"Q", "A", "Q", []string{"ml-metrics", "leech"}},
		{"note type unknown: first two fields", questions.AnkiNote{NoteTypeID: 99, Fields: []string{"Q", "A", "extra"}},
			"Q", "A", "Q", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.note.ID, tc.note.GUID = 1234, "guid-1234"
			set, err := parseNotes(t, tc.note)
			require.NoError(t, err)
			require.Len(t, set.Questions, 1)
			q := set.Questions[0]
			assert.Equal(t, tc.prompt, q.Prompt, "prompt")
			assert.Equal(t, tc.answer, q.Answer, "answer")
			assert.Equal(t, tc.ttl, q.Title, "title")
			assert.Equal(t, tc.topics, q.Topics, "topics")
			assert.Equal(t, questions.KindConcept, q.Kind)
			assert.Equal(t, questions.Medium, q.Difficulty)
			assert.Equal(t, "deck", set.Slug)
			assert.Equal(t, "Deck", set.Title)
			assert.Equal(t, questions.FormatAnki, set.Format)
			assert.Regexp(t, `^deck-[0-9a-f]{10}$`, q.Slug)
		})
	}
}

func TestParseApkgNoteProblems(t *testing.T) {
	long := strings.Repeat("x", questions.MaxPromptBytes+1)
	tests := []struct {
		name  string
		notes []questions.AnkiNote
		want  []string
	}{
		{"empty front and back", []questions.AnkiNote{
			{ID: 1, GUID: "a", NoteTypeID: basicType, Fields: []string{"<br>", "A"}},
			{ID: 2, GUID: "b", NoteTypeID: basicType, Fields: []string{"Q", "<img src=a.png>"}},
		}, []string{
			"deck.apkg: notes id 1, field Front: is empty; every note needs a question on its front",
			"deck.apkg: notes id 2, field Back: is empty once its images and sounds are left out (onsite imports text only)",
		}},
		{"one field", []questions.AnkiNote{{ID: 3, GUID: "c", NoteTypeID: 99, Fields: []string{"Q"}}},
			[]string{"notes id 3: has one field"}},
		{"invalid UTF-8", []questions.AnkiNote{{ID: 4, GUID: "d", NoteTypeID: basicType, Fields: []string{"Q", "A\xff"}}},
			[]string{"notes id 4, field Back: is not valid UTF-8 (at byte 1)"}},
		{"too long", []questions.AnkiNote{{ID: 5, GUID: "e", NoteTypeID: basicType, Fields: []string{long, "A"}}},
			[]string{"notes id 5, field Front: is 65537 bytes; keep it under 65536"}},
		{"cloze without a deletion", []questions.AnkiNote{{ID: 6, GUID: "f", NoteTypeID: clozeType, Fields: []string{"No deletion", ""}}},
			[]string{"notes id 6, field Text: has no cloze deletion"}},
		{"image occlusion", []questions.AnkiNote{{ID: 7, GUID: "g", NoteTypeID: clozeType, Fields: []string{"{{c1::image-occlusion:rect:left=.1:top=.2}}", ""}}},
			[]string{"notes id 7, field Text: is an Image Occlusion note"}},
		{"same GUID twice", []questions.AnkiNote{
			{ID: 8, GUID: "h", NoteTypeID: basicType, Fields: []string{"Q", "A"}},
			{ID: 9, GUID: "h", NoteTypeID: basicType, Fields: []string{"Q2", "A2"}},
		}, []string{"notes id 9: has the same GUID as notes id 8"}},
		{"a cloze answer too long once Back Extra is added", []questions.AnkiNote{{ID: 10, GUID: "i", NoteTypeID: clozeType,
			Fields: []string{"{{c1::x}}" + strings.Repeat("y", questions.MaxPromptBytes-20), strings.Repeat("z", 40)}}},
			[]string{"notes id 10, answer: is 65"}},
		{"no notes", nil, []string{"deck.apkg: the package holds no notes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := parseNotes(t, tc.notes...)
			require.Nil(t, set)
			var verr *questions.ValidationError
			require.ErrorAs(t, err, &verr)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Len(t, verr.Problems, len(tc.want), "got problems:\n%s", err)
		})
	}
}

func TestParseApkgSetName(t *testing.T) {
	note := func(id, deck int64) questions.AnkiNote {
		return questions.AnkiNote{ID: id, GUID: string(rune('a' + id)), NoteTypeID: basicType, Fields: []string{"Q", "A"}, DeckID: deck}
	}
	decks := map[int64]string{1: "Default", 2: "ML Interview", 3: "ML Interview::Metrics", 4: "Statistics"}
	tests := []struct {
		name        string
		notes       []questions.AnkiNote
		slug, title string
	}{
		{"one top-level deck", []questions.AnkiNote{note(1, 2), note(2, 3)}, "ml-interview", "ML Interview"},
		{"Default is ignored beside others", []questions.AnkiNote{note(1, 1), note(2, 3)}, "ml-interview", "ML Interview"},
		{"two decks: the file name", []questions.AnkiNote{note(1, 2), note(2, 4)}, "my-cards", "My Cards"},
		{"Default alone: the file name", []questions.AnkiNote{note(1, 1)}, "my-cards", "My Cards"},
		{"no cards: the file name", []questions.AnkiNote{note(1, 0)}, "my-cards", "My Cards"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			col := &questions.AnkiCollection{Notes: tc.notes, NoteTypes: ankiTypes, Decks: decks}
			read := func(context.Context, string) (*questions.AnkiCollection, error) { return col, nil }
			fsys := fstest.MapFS{"collection.anki2": {Data: []byte("x")}}
			set, _, err := questions.ParseApkg(context.Background(), fsys, "uploads/My Cards.apkg", read)
			require.NoError(t, err)
			assert.Equal(t, tc.slug, set.Slug)
			assert.Equal(t, tc.title, set.Title)
			for _, q := range set.Questions {
				assert.True(t, strings.HasPrefix(q.Slug, tc.slug+"-"), "question slug %q, want prefix %q", q.Slug, tc.slug+"-")
			}
		})
	}
}

func TestParseApkgReaderError(t *testing.T) {
	fsys := fstest.MapFS{"collection.anki2": {Data: []byte("x")}}
	read := func(context.Context, string) (*questions.AnkiCollection, error) {
		return nil, errors.New("not an Anki collection: no notes table")
	}
	_, _, err := questions.ParseApkg(context.Background(), fsys, "d.apkg", read)
	var verr *questions.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "d.apkg: collection.anki2: not an Anki collection: no notes table", err.Error())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = questions.ParseApkg(ctx, fsys, "d.apkg", func(ctx context.Context, _ string) (*questions.AnkiCollection, error) {
		return nil, ctx.Err()
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.As(err, &verr), "a cancelled import is not the package's fault")
}

// markup finds the tags of rendered HTML.
var markup = regexp.MustCompile(`<(/?)([A-Za-z][A-Za-z0-9]*)`)

// markdownTags are what goldmark makes of Markdown without any raw HTML.
var markdownTags = map[string]bool{"p": true, "strong": true, "em": true, "code": true, "pre": true, "ul": true, "ol": true,
	"li": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "a": true, "img": true,
	"blockquote": true, "hr": true, "br": true}

// FuzzAnkiCloze feeds a cloze note and a basic note arbitrary field text.
// Whatever the text, ParseApkg must not panic, must return a set that
// validates or a *ValidationError, and the Markdown it writes must hold no
// raw HTML: rendered as the server renders it (raw HTML allowed, then
// sanitised), only the tags Markdown itself makes appear.
func FuzzAnkiCloze(f *testing.F) {
	for _, seed := range [][2]string{
		{"{{c1::Gradient descent}} minimises {{c2::loss::what?}}", "See <i>SGD</i>"},
		{"A {{c1::big {{c2::red}} ball}}", "<script>alert(1)</script>"},
		{"{{c1::open <b>and</b> }}}} {{c2::", "&lt;img src=x onerror=alert(1)&gt;"},
		{"<<b>script>alert(1)<</b>/script> {{c1::x}}", "`code <b>` & &amp;lt;"},
		{"\\(x^2\\) {{c1::\\<i>}}", "[sound:a.mp3]<img src=a.png>"},
	} {
		f.Add(seed[0], seed[1])
	}
	// The server renders with raw HTML allowed and sanitises afterwards.
	md := goldmark.New(goldmark.WithRendererOptions(html.WithUnsafe()))
	f.Fuzz(func(t *testing.T, text, extra string) {
		set, err := parseNotes(t,
			questions.AnkiNote{ID: 1, GUID: "c", NoteTypeID: clozeType, Fields: []string{text, extra}},
			questions.AnkiNote{ID: 2, GUID: "b", NoteTypeID: basicType, Fields: []string{text, extra}},
		)
		if err != nil {
			require.Nil(t, set)
			var verr *questions.ValidationError
			require.ErrorAs(t, err, &verr)
			for _, p := range verr.Problems {
				require.Equal(t, "deck.apkg", p.File)
				require.True(t, strings.HasPrefix(p.Path, "notes id "), "problem %q does not name its note", p)
			}
			return
		}
		require.Empty(t, set.Validate())
		for _, q := range set.Questions {
			for _, text := range []string{q.Prompt, q.Answer, q.Title} {
				require.True(t, utf8.ValidString(text), "not UTF-8: %q", text)
			}
			for _, text := range []string{q.Prompt, q.Answer} {
				var out bytes.Buffer
				require.NoError(t, md.Convert([]byte(text), &out))
				for _, m := range markup.FindAllStringSubmatch(out.String(), -1) {
					require.True(t, markdownTags[strings.ToLower(m[2])], "Markdown %q renders raw HTML <%s%s>:\n%s", text, m[1], m[2], out.String())
				}
			}
		}
	})
}
