package store

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/questions"
)

// ankiFixture describes an Anki collection for buildAnkiCollection to write
// as Anki would: schema 11 (note types and decks as JSON in the col table,
// what every "Support older Anki versions" export holds) or schema 18
// (notetypes, fields and decks tables).
type ankiFixture struct {
	schema18 bool
	types    []questions.AnkiNoteType
	decks    map[int64]string
	notes    []ankiFixtureNote
}

// ankiFixtureNote is a note and the decks of its cards, one card per deck
// in order of ord.
type ankiFixtureNote struct {
	id     int64
	guid   string
	mid    int64
	fields []string
	tags   string
	cards  []int64
}

const (
	ankiBasic    = 1342697561419
	ankiReversed = 1342697561420
	ankiCloze    = 1342697561421
	ankiDefault  = 1
	ankiML       = 1700000000001
	ankiMetrics  = 1700000000002
)

var ankiStandardTypes = []questions.AnkiNoteType{
	{ID: ankiBasic, Name: "Basic", Fields: []string{"Front", "Back"}},
	{ID: ankiReversed, Name: "Basic (and reversed card)", Fields: []string{"Front", "Back"}},
	{ID: ankiCloze, Name: "Cloze", Cloze: true, Fields: []string{"Text", "Back Extra"}},
}

// mlFixture is a small deck with the note types people use, HTML as Anki's
// editor writes it, and some that no page should run.
func mlFixture() ankiFixture {
	return ankiFixture{
		types: ankiStandardTypes,
		decks: map[int64]string{ankiDefault: "Default", ankiML: "ML Interview", ankiMetrics: "ML Interview::Metrics"},
		notes: []ankiFixtureNote{
			{id: 1600000000001, guid: "f#Kj2<lM9q", mid: ankiBasic, tags: " metrics ML::Evaluation metrics ", cards: []int64{ankiMetrics},
				fields: []string{"What does <b>AUC</b> measure?<script>alert(1)</script>",
					`The chance a positive<br>outranks a negative &amp; ties count half.<img src="x.png" onerror="alert(1)">`}},
			{id: 1600000000002, guid: "Bz.5x}9wQa", mid: ankiReversed, cards: []int64{ankiML, ankiDefault},
				fields: []string{"Define &lt;b&gt;recall&lt;/b&gt;", "TP / (TP + FN)[sound:recall.mp3]"}},
			{id: 1600000000003, guid: "n0T-a/gU1d", mid: ankiCloze, tags: "optimisation", cards: []int64{ankiML, ankiML},
				fields: []string{"{{c1::Gradient descent}} minimises {{c2::loss::what?}}", "See <i>SGD</i>"}},
		},
	}
}

// ankiSchema11 is the schema of collection.anki2 and collection.anki21.
const ankiSchema11 = `
CREATE TABLE col (id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL, scm integer NOT NULL,
  ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL, ls integer NOT NULL, conf text NOT NULL,
  models text NOT NULL, decks text NOT NULL, dconf text NOT NULL, tags text NOT NULL);
CREATE TABLE notes (id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL, mod integer NOT NULL,
  usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL, sfld integer NOT NULL, csum integer NOT NULL,
  flags integer NOT NULL, data text NOT NULL);
CREATE TABLE cards (id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL, queue integer NOT NULL, due integer NOT NULL,
  ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL, lapses integer NOT NULL, left integer NOT NULL,
  odue integer NOT NULL, odid integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
CREATE TABLE revlog (id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL, ease integer NOT NULL,
  ivl integer NOT NULL, lastIvl integer NOT NULL, factor integer NOT NULL, time integer NOT NULL, type integer NOT NULL);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
CREATE UNIQUE INDEX ix_notes_guid ON notes (guid);
CREATE INDEX ix_cards_nid ON cards (nid);
`

// ankiSchema18 adds what schema 15 to 18 moved out of the col table, with
// Anki's unicase collation.
const ankiSchema18 = `
CREATE TABLE notetypes (id integer NOT NULL PRIMARY KEY, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL);
CREATE UNIQUE INDEX idx_notetypes_name ON notetypes (name);
CREATE TABLE fields (ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL COLLATE unicase,
  config blob NOT NULL, PRIMARY KEY (ntid, ord)) WITHOUT ROWID;
CREATE UNIQUE INDEX idx_fields_name_ntid ON fields (name, ntid);
CREATE TABLE templates (ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL, PRIMARY KEY (ntid, ord)) WITHOUT ROWID;
CREATE TABLE decks (id integer PRIMARY KEY NOT NULL, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, common blob NOT NULL, kind blob NOT NULL);
CREATE UNIQUE INDEX idx_decks_name ON decks (name);
`

// buildAnkiCollection writes fx as an SQLite file and returns its bytes.
func buildAnkiCollection(t testing.TB, fx ankiFixture) []byte {
	t.Helper()
	useAnkiDriver()
	path := filepath.Join(t.TempDir(), "collection.anki2")
	db, err := sql.Open(ankiDriver, "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec := func(query string, args ...any) {
		t.Helper()
		_, err := db.Exec(query, args...)
		require.NoError(t, err, "%s", query)
	}
	// Small pages keep fuzz seeds small, as Anki does for its placeholder.
	exec(`PRAGMA page_size = 512`)
	exec(`PRAGMA synchronous = OFF`)
	exec(`PRAGMA journal_mode = MEMORY`)
	exec(ankiSchema11)
	models, decks := "{}", "{}"
	if fx.schema18 {
		exec(ankiSchema18)
		for _, nt := range fx.types {
			// Notetype.Config: field 1 is the kind (1 cloze), left out
			// when 0; field 3 the CSS.
			config := []byte{0x1a, 0x04, '.', 'c', '{', '}'}
			if nt.Cloze {
				config = append([]byte{0x08, 0x01}, config...)
			}
			exec(`INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)`, nt.ID, nt.Name, config)
			for ord, f := range nt.Fields {
				exec(`INSERT INTO fields VALUES (?, ?, ?, x'')`, nt.ID, ord, f)
			}
		}
		for id, name := range fx.decks {
			exec(`INSERT INTO decks VALUES (?, ?, 0, 0, x'', x'')`, id, strings.ReplaceAll(name, "::", "\x1f"))
		}
	} else {
		m := map[string]any{}
		for _, nt := range fx.types {
			var flds []map[string]any
			for ord, f := range nt.Fields {
				flds = append(flds, map[string]any{"name": f, "ord": ord, "sticky": false, "rtl": false, "font": "Arial", "size": 20})
			}
			typ := 0
			if nt.Cloze {
				typ = 1
			}
			m[fmt.Sprint(nt.ID)] = map[string]any{"id": nt.ID, "name": nt.Name, "type": typ, "flds": flds, "css": ".card {}",
				"tmpls": []map[string]any{{"name": "Card 1", "ord": 0, "qfmt": "{{Front}}", "afmt": "{{Back}}"}}}
		}
		b, err := json.Marshal(m)
		require.NoError(t, err)
		models = string(b)
		d := map[string]any{}
		for id, name := range fx.decks {
			d[fmt.Sprint(id)] = map[string]any{"id": id, "name": name, "desc": "", "dyn": 0}
		}
		b, err = json.Marshal(d)
		require.NoError(t, err)
		decks = string(b)
	}
	ver := 11
	if fx.schema18 {
		ver = 18
	}
	exec(`INSERT INTO col VALUES (1, 1700000000, 1700000000000, 1700000000000, ?, 0, 0, 0, '{}', ?, ?, '{}', '{}')`, ver, models, decks)
	tx, err := db.Begin()
	require.NoError(t, err)
	cardID := int64(1)
	for _, n := range fx.notes {
		flds := strings.Join(n.fields, "\x1f")
		_, err := tx.Exec(`INSERT INTO notes VALUES (?, ?, ?, 0, -1, ?, ?, ?, 0, 0, '')`, n.id, n.guid, n.mid, n.tags, flds, n.fields[0])
		require.NoError(t, err)
		for ord, did := range n.cards {
			_, err := tx.Exec(`INSERT INTO cards VALUES (?, ?, ?, ?, 0, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')`, cardID, n.id, did, ord, cardID)
			require.NoError(t, err)
			cardID++
		}
	}
	require.NoError(t, tx.Commit())
	require.NoError(t, db.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// zipEntry is a file of a package.
type zipEntry struct {
	name string
	data []byte
}

// buildZip writes entries as a zip file, deflated as Anki's legacy
// exports are.
func buildZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		f, err := w.Create(e.name)
		require.NoError(t, err)
		_, err = f.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// buildApkg writes a legacy package of fx with a media list and two media
// files, its collection under the given entry name.
func buildApkg(t testing.TB, entry string, fx ankiFixture) []byte {
	t.Helper()
	return buildZip(t,
		zipEntry{entry, buildAnkiCollection(t, fx)},
		zipEntry{"media", []byte(`{"0": "recall.mp3", "1": "x.png"}`)},
		zipEntry{"0", []byte("ID3 not really an mp3")},
		zipEntry{"1", []byte("\x89PNG not really a png")},
	)
}

// parseApkg runs questions.ParseApkg on a package with ReadAnkiCollection.
func parseApkg(t testing.TB, name string, data []byte) (*questions.Set, int, error) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	return questions.ParseApkg(context.Background(), zr, name, ReadAnkiCollection)
}

func TestParseApkg(t *testing.T) {
	// placeholder is the collection.anki2 that newer Ankis put beside the
	// real collection, for older ones to show.
	placeholder := ankiFixture{types: ankiStandardTypes[:1], decks: map[int64]string{ankiDefault: "Default"},
		notes: []ankiFixtureNote{{id: 1, guid: "dummy", mid: ankiBasic, cards: []int64{ankiDefault},
			fields: []string{"Please update to the latest Anki version, then import the .colpkg/.apkg file again.", ""}}}}
	schema18 := mlFixture()
	schema18.schema18 = true

	tests := []struct {
		name string
		data func(t *testing.T) []byte
	}{
		{"Anki 2.0 package (collection.anki2)", func(t *testing.T) []byte { return buildApkg(t, "collection.anki2", mlFixture()) }},
		{"Anki 2.1 legacy package (collection.anki21 beside a placeholder)", func(t *testing.T) []byte {
			return buildZip(t,
				zipEntry{"meta", []byte{0x08, 0x02}},
				zipEntry{"collection.anki21", buildAnkiCollection(t, mlFixture())},
				zipEntry{"collection.anki2", buildAnkiCollection(t, placeholder)},
				zipEntry{"media", []byte(`{"0": "recall.mp3", "1": "x.png"}`)},
				zipEntry{"0", []byte("a")}, zipEntry{"1", []byte("b")})
		}},
		{"schema 18 collection", func(t *testing.T) []byte { return buildApkg(t, "collection.anki21", schema18) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data(t)
			set, media, err := parseApkg(t, "ml.apkg", data)
			require.NoError(t, err)
			assert.Equal(t, 2, media, "media files")
			assert.Equal(t, "ml-interview", set.Slug)
			assert.Equal(t, "ML Interview", set.Title)
			assert.Equal(t, questions.FormatAnki, set.Format)
			assert.Equal(t, 1, set.Version)
			require.Len(t, set.Questions, 3)

			auc, recall, cloze := set.Questions[0], set.Questions[1], set.Questions[2]
			assert.Equal(t, "What does **AUC** measure?", auc.Prompt)
			assert.Equal(t, "What does AUC measure?", auc.Title)
			assert.Equal(t, "The chance a positive\noutranks a negative & ties count half.", auc.Answer)
			assert.Equal(t, []string{"metrics", "ml-evaluation"}, auc.Topics)
			assert.Equal(t, `Define \<b>recall\</b>`, recall.Prompt, "an entity is text, escaped for Markdown")
			assert.Equal(t, "TP / (TP + FN)", recall.Answer)
			assert.Equal(t, "[...] minimises [what?]", cloze.Prompt)
			assert.Equal(t, "**Gradient descent** minimises **loss**\n\nSee *SGD*", cloze.Answer)
			assert.Equal(t, []string{"optimisation"}, cloze.Topics)
			for _, q := range set.Questions {
				assert.Equal(t, questions.KindConcept, q.Kind)
				assert.Equal(t, questions.Medium, q.Difficulty)
				for _, text := range []string{q.Prompt, q.Answer, q.Title} {
					assert.NotContains(t, strings.ToLower(text), "alert")
					assert.NotContains(t, text, "onerror")
					assert.NotContains(t, text, "[sound:")
				}
			}
			assert.Empty(t, set.Validate())

			again, _, err := parseApkg(t, "renamed.apkg", data)
			require.NoError(t, err)
			for i := range set.Questions {
				assert.Equal(t, set.Questions[i].Slug, again.Questions[i].Slug, "slugs are stable across parses")
			}
		})
	}
}

func TestParseApkgSlugsFollowGUIDs(t *testing.T) {
	fx := mlFixture()
	set, _, err := parseApkg(t, "ml.apkg", buildApkg(t, "collection.anki2", fx))
	require.NoError(t, err)

	// A later export: a note edited, one deleted, one added.
	fx.notes[0].fields[0] = "What does <b>ROC AUC</b> measure?"
	fx.notes = fx.notes[:1:1]
	fx.notes = append(fx.notes, ankiFixtureNote{id: 1600000000009, guid: "new", mid: ankiBasic, cards: []int64{ankiML}, fields: []string{"Q", "A"}})
	later, _, err := parseApkg(t, "ml.apkg", buildApkg(t, "collection.anki2", fx))
	require.NoError(t, err)
	require.Len(t, later.Questions, 2)
	assert.Equal(t, set.Questions[0].Slug, later.Questions[0].Slug, "an edited note keeps its slug")
	assert.NotEqual(t, set.Questions[1].Slug, later.Questions[1].Slug)
	assert.Equal(t, "ml-interview-"+questionsDigest("new"), later.Questions[1].Slug)
}

// questionsDigest is the GUID part of a question's slug.
func questionsDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x", sum[:5])
}

func TestParseApkgProblems(t *testing.T) {
	emptyFront := mlFixture()
	emptyFront.notes[1].fields[0] = "<div><br></div>"
	emptyFront.notes[2].fields[0] = "no deletion here"
	noNotes := mlFixture()
	noNotes.notes = nil
	oneField := mlFixture()
	oneField.types = append(oneField.types, questions.AnkiNoteType{ID: 77, Name: "Single", Fields: []string{"Only"}})
	oneField.notes[0].mid, oneField.notes[0].fields = 77, []string{"lonely"}

	tests := []struct {
		name string
		data func(t *testing.T) []byte
		want []string
	}{
		{"newest format only", func(t *testing.T) []byte {
			return buildZip(t, zipEntry{"meta", []byte{0x08, 0x03}}, zipEntry{"collection.anki21b", []byte("\x28\xb5\x2f\xfd zstd")})
		}, []string{"deck.apkg: the package uses Anki's newest format (collection.anki21b), which onsite cannot read yet; " +
			`export the deck again from Anki with File → Export, Anki Deck Package, and tick "Support older Anki versions"`}},
		{"newest format beside the placeholder", func(t *testing.T) []byte {
			return buildZip(t, zipEntry{"collection.anki21b", []byte("zstd")}, zipEntry{"collection.anki2", buildAnkiCollection(t, mlFixture())})
		}, []string{"the package uses Anki's newest format"}},
		{"a zip without a collection", func(t *testing.T) []byte {
			return buildZip(t, zipEntry{"notes.txt", []byte("hi")}, zipEntry{"media", []byte("{}")})
		}, []string{`deck.apkg: is not an Anki package: it holds no collection.anki21 or collection.anki2 (found "media", "notes.txt")`}},
		{"an empty zip", func(t *testing.T) []byte { return buildZip(t) }, []string{"(found nothing)"}},
		{"a collection that is not SQLite", func(t *testing.T) []byte {
			return buildZip(t, zipEntry{"collection.anki2", []byte("hello, not a database at all, but long enough to have a header......................................................")})
		}, []string{"deck.apkg: collection.anki2: not an Anki collection: file is not a database"}},
		{"SQLite without notes", func(t *testing.T) []byte {
			path := filepath.Join(t.TempDir(), "other.db")
			db, err := sql.Open("sqlite3", path)
			require.NoError(t, err)
			_, err = db.Exec(`CREATE TABLE things (id integer)`)
			require.NoError(t, err)
			require.NoError(t, db.Close())
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			return buildZip(t, zipEntry{"collection.anki21", data})
		}, []string{"deck.apkg: collection.anki21: not an Anki collection: no notes table"}},
		{"empty front, cloze without a deletion", func(t *testing.T) []byte { return buildApkg(t, "collection.anki2", emptyFront) }, []string{
			"deck.apkg: notes id 1600000000002, field Front: is empty; every note needs a question on its front",
			"deck.apkg: notes id 1600000000003, field Text: has no cloze deletion such as {{c1::answer}}",
		}},
		{"no notes", func(t *testing.T) []byte { return buildApkg(t, "collection.anki2", noNotes) }, []string{"deck.apkg: the package holds no notes"}},
		{"a note type with one field", func(t *testing.T) []byte { return buildApkg(t, "collection.anki2", oneField) },
			[]string{"deck.apkg: notes id 1600000000001: has one field; onsite needs a question and an answer"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, media, err := parseApkg(t, "deck.apkg", tc.data(t))
			require.Nil(t, set)
			assert.Zero(t, media)
			var verr *questions.ValidationError
			require.ErrorAs(t, err, &verr, "got %v", err)
			assert.Len(t, verr.Problems, len(tc.want), "got problems:\n%s", err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestReadAnkiCollectionLeavesFileAlone: the collection is opened read-only
// and immutable, so neither it nor its directory changes.
func TestReadAnkiCollectionLeavesFileAlone(t *testing.T) {
	for _, schema18 := range []bool{false, true} {
		t.Run(fmt.Sprintf("schema18=%v", schema18), func(t *testing.T) {
			fx := mlFixture()
			fx.schema18 = schema18
			dir := t.TempDir()
			path := filepath.Join(dir, "col?#%.anki2")
			data := buildAnkiCollection(t, fx)
			require.NoError(t, os.WriteFile(path, data, 0o400))

			col, err := ReadAnkiCollection(context.Background(), path)
			require.NoError(t, err)
			require.Len(t, col.Notes, 3)
			n := col.Notes[1]
			assert.Equal(t, int64(1600000000002), n.ID)
			assert.Equal(t, "Bz.5x}9wQa", n.GUID)
			assert.Equal(t, int64(ankiReversed), n.NoteTypeID)
			assert.Equal(t, []string{"Define &lt;b&gt;recall&lt;/b&gt;", "TP / (TP + FN)[sound:recall.mp3]"}, n.Fields)
			assert.Equal(t, int64(ankiML), n.DeckID, "the deck of the first card")
			assert.Equal(t, []string{"metrics", "ML::Evaluation", "metrics"}, col.Notes[0].Tags)
			assert.Equal(t, "ML Interview::Metrics", col.Decks[ankiMetrics])
			assert.Equal(t, questions.AnkiNoteType{ID: ankiCloze, Name: "Cloze", Cloze: true, Fields: []string{"Text", "Back Extra"}}, col.NoteTypes[ankiCloze])
			assert.False(t, col.NoteTypes[ankiReversed].Cloze)

			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, sha256.Sum256(data), sha256.Sum256(after), "the file changed")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "files appeared beside the collection")
		})
	}
}

func TestReadAnkiCollectionCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.anki2")
	require.NoError(t, os.WriteFile(path, buildAnkiCollection(t, mlFixture()), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ReadAnkiCollection(ctx, path)
	require.ErrorIs(t, err, context.Canceled)
}

// storedZip writes entries uncompressed and without checksums (a CRC-32 of
// 0 means none to archive/zip), so that a fuzzer mutating the package
// reaches the collection inside rather than stopping at a checksum.
func storedZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		f, err := w.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Store,
			CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data))})
		require.NoError(t, err)
		_, err = f.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// FuzzParseApkg feeds ParseApkg and ReadAnkiCollection arbitrary zip files,
// seeded with small packages and broken ones. Whatever the bytes, nothing
// panics, the temporary copy of the collection is always removed, and the
// result is a set that validates or a *ValidationError naming the package.
func FuzzParseApkg(f *testing.F) {
	small := ankiFixture{types: ankiStandardTypes, decks: map[int64]string{ankiDefault: "Default", ankiML: "ML"},
		notes: []ankiFixtureNote{
			{id: 1, guid: "a", mid: ankiBasic, tags: "t", cards: []int64{ankiML}, fields: []string{"<b>Q</b>", "A<br>B"}},
			{id: 2, guid: "b", mid: ankiCloze, cards: []int64{ankiML}, fields: []string{"{{c1::x::h}} y", "e"}},
		}}
	small18 := small
	small18.schema18 = true
	col := buildAnkiCollection(f, small)
	f.Add(storedZip(f, zipEntry{"collection.anki2", col}, zipEntry{"media", []byte(`{"0":"a.png"}`)}, zipEntry{"0", []byte("png")}))
	f.Add(storedZip(f, zipEntry{"collection.anki21", buildAnkiCollection(f, small18)}))
	f.Add(buildApkg(f, "collection.anki21", small))
	f.Add(storedZip(f, zipEntry{"meta", []byte{0x08, 0x03}}, zipEntry{"collection.anki21b", []byte("\x28\xb5\x2f\xfd")}))
	f.Add(storedZip(f, zipEntry{"collection.anki2", col[:len(col)/2]}))
	f.Add(storedZip(f, zipEntry{"collection.anki2", []byte("SQLite format 3\x00")}))
	f.Add(storedZip(f, zipEntry{"notes.txt", []byte("hi")}))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))

	// Every worker gets its own temporary directory, so that what is left
	// in it was left by this worker's ParseApkg.
	tmp := f.TempDir()
	f.Setenv("TMPDIR", tmp)
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		set, media, err := questions.ParseApkg(context.Background(), zr, "fuzz.apkg", ReadAnkiCollection)
		left, globErr := filepath.Glob(filepath.Join(tmp, "onsite-anki-*"))
		require.NoError(t, globErr)
		require.Empty(t, left, "ParseApkg left temporary files behind")
		if err != nil {
			require.Nil(t, set, "got a set and an error")
			var verr *questions.ValidationError
			require.ErrorAs(t, err, &verr, "got %T (%v), want *questions.ValidationError", err, err)
			require.NotEmpty(t, verr.Problems)
			for _, p := range verr.Problems {
				require.NotEmpty(t, strings.TrimSpace(p.Message), "a problem with no message: %+v", p)
				require.Equal(t, "fuzz.apkg", p.File, "a problem without the package's name: %+v", p)
			}
			return
		}
		require.NotNil(t, set)
		require.GreaterOrEqual(t, media, 0)
		require.Empty(t, set.Validate(), "ParseApkg returned a set that Validate rejects")
	})
}

// ankiFixtureFile is a package built by buildApkg, kept for the CLI's
// end-to-end tests (cmd/onsite), which cannot build one themselves.
const ankiFixtureFile = "../cmd/onsite/testdata/ml-deck.apkg"

var updateAnkiFixture = flag.Bool("update-anki", false, "rewrite "+ankiFixtureFile)

// TestAnkiFixtureFile holds the committed package to what buildApkg makes
// now: the same questions and media count. -update-anki rewrites it.
func TestAnkiFixtureFile(t *testing.T) {
	want := buildApkg(t, "collection.anki21", mlFixture())
	if *updateAnkiFixture {
		require.NoError(t, os.MkdirAll(filepath.Dir(ankiFixtureFile), 0o755))
		require.NoError(t, os.WriteFile(ankiFixtureFile, want, 0o644))
	}
	got, err := os.ReadFile(ankiFixtureFile)
	require.NoError(t, err, "run go test ./store -run TestAnkiFixtureFile -update-anki")
	wantSet, wantMedia, err := parseApkg(t, "ml-deck.apkg", want)
	require.NoError(t, err)
	gotSet, gotMedia, err := parseApkg(t, "ml-deck.apkg", got)
	require.NoError(t, err)
	assert.Equal(t, wantMedia, gotMedia)
	assert.Equal(t, wantSet.Questions, gotSet.Questions, "the fixture is stale: run go test ./store -run TestAnkiFixtureFile -update-anki")
}
