package questions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FormatAnki names Anki packages (.apkg, .colpkg) in a set's Format field.
const FormatAnki = "apkg"

// Limits on an Anki package.
const (
	// MaxAnkiNotes bounds the notes of one package; a reader may stop
	// after MaxAnkiNotes+1, which is enough to say the package is too big.
	MaxAnkiNotes = 100_000
	// MaxAnkiCollectionBytes bounds the collection once unzipped, which is
	// copied to a temporary file for SQLite to read.
	MaxAnkiCollectionBytes = 512 << 20

	maxAnkiMediaListBytes = 16 << 20
	maxAnkiProblems       = 1000
)

// AnkiCollection is what an Anki collection file holds that onsite imports.
type AnkiCollection struct {
	Notes     []AnkiNote
	NoteTypes map[int64]AnkiNoteType
	Decks     map[int64]string // deck id → full name ("Parent::Child")
}

// AnkiNote is one note of a collection: its fields in the order of its note
// type's fields, still HTML, and the deck its first card is in.
type AnkiNote struct {
	ID         int64
	GUID       string
	NoteTypeID int64
	Fields     []string
	Tags       []string
	DeckID     int64 // deck of its first card; 0 when it has none
}

// AnkiNoteType is what onsite needs of a note type: whether it makes cloze
// cards, and its field names for messages.
type AnkiNoteType struct {
	ID     int64
	Name   string
	Cloze  bool
	Fields []string
}

// AnkiReader reads the collection in an SQLite file at path
// (store.ReadAnkiCollection); package questions does no SQL.
type AnkiReader func(ctx context.Context, path string) (*AnkiCollection, error)

// The collection files a package may hold, by Anki version.
const (
	ankiLegacy1 = "collection.anki2"   // Anki 2.0, and the placeholder in newer packages
	ankiLegacy2 = "collection.anki21"  // Anki 2.1 with "Support older Anki versions"
	ankiLatest  = "collection.anki21b" // Anki 2.1.50 and later: zstd-compressed
)

// ParseApkg reads an Anki package whose zip entries are in fsys (an
// *zip.Reader or any fs.FS), name being how messages name it. Every note
// becomes a concept question: the first field of a basic note is the
// prompt and the second the answer; a cloze note hides its deletions in the
// prompt and shows them in bold in the answer. A question's slug comes from
// its note's GUID, so importing a newer export of the same deck updates the
// same questions. It returns the set and how many media files the package
// holds (onsite does not import them), or a *ValidationError listing every
// problem. Only failures of the machine (no temporary file, a cancelled ctx)
// are other errors.
func ParseApkg(ctx context.Context, fsys fs.FS, name string, read AnkiReader) (*Set, int, error) {
	invalid := func(path, format string, args ...any) error {
		return &ValidationError{Problems: []Problem{{File: name, Path: path, Message: fmt.Sprintf(format, args...)}}}
	}
	entry, msg := ankiCollectionEntry(fsys)
	if msg != "" {
		return nil, 0, invalid("", "%s", msg)
	}
	media := countAnkiMedia(fsys)

	tmp, err := os.CreateTemp("", "onsite-anki-*.db")
	if err != nil {
		return nil, 0, fmt.Errorf("import %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	n, err := copyAnkiEntry(tmp, fsys, entry)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		return nil, 0, fmt.Errorf("import %s: %w", name, cerr)
	}
	switch {
	case n > MaxAnkiCollectionBytes:
		return nil, 0, invalid(entry, "the collection is over %d MiB unzipped; export fewer decks at once", MaxAnkiCollectionBytes>>20)
	case err != nil && isAnkiWriteError(err):
		return nil, 0, fmt.Errorf("import %s: %w", name, err)
	case err != nil:
		return nil, 0, invalid(entry, "cannot be read from the package (%v); the file may be damaged: export it from Anki again", err)
	}

	col, err := read(ctx, tmp.Name())
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("import %s: %w", name, ctx.Err())
		}
		return nil, 0, invalid(entry, "%v", err)
	}
	set, problems := ankiSet(col, name)
	if len(problems) > 0 {
		return nil, 0, &ValidationError{Problems: problems}
	}
	return set, media, nil
}

// ankiWriteError marks a failure to write the temporary copy, which is the
// machine's fault rather than the package's.
type ankiWriteError struct{ err error }

func (e ankiWriteError) Error() string { return e.err.Error() }
func (e ankiWriteError) Unwrap() error { return e.err }

func isAnkiWriteError(err error) bool {
	var we ankiWriteError
	return errors.As(err, &we)
}

// copyAnkiEntry copies the collection entry to w, stopping one byte past
// the limit; it returns how many bytes it copied.
func copyAnkiEntry(w io.Writer, fsys fs.FS, entry string) (int64, error) {
	if info, err := fs.Stat(fsys, entry); err == nil && info.Size() > MaxAnkiCollectionBytes {
		return info.Size(), nil
	}
	f, err := fsys.Open(entry)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(ankiTempWriter{w}, io.LimitReader(f, MaxAnkiCollectionBytes+1))
}

// ankiTempWriter marks the errors of the writer it wraps and hides any
// ReadFrom, so that io.Copy reports which side failed.
type ankiTempWriter struct{ w io.Writer }

func (w ankiTempWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		err = ankiWriteError{err}
	}
	return n, err
}

// ankiCollectionEntry picks the collection file of a package, or says why
// there is none that onsite can read.
func ankiCollectionEntry(fsys fs.FS) (entry, problem string) {
	// What the package lists, even if it cannot be opened: a damaged
	// entry is then reported as damaged rather than as missing.
	entries, _ := fs.ReadDir(fsys, ".")
	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.Name()] = !e.IsDir()
	}
	has := func(name string) bool {
		if listed[name] {
			return true
		}
		info, err := fs.Stat(fsys, name)
		return err == nil && !info.IsDir()
	}
	meta := ankiMetaVersion(fsys)
	switch {
	// Packages in the newest format hold collection.anki21b and, for older
	// Ankis, a collection.anki2 whose only note says to update Anki.
	case meta > 2 || has(ankiLatest) && !has(ankiLegacy2):
		return "", "the package uses Anki's newest format (" + ankiLatest + "), which onsite cannot read yet; " +
			"export the deck again from Anki with File → Export, Anki Deck Package, and tick \"Support older Anki versions\""
	case has(ankiLegacy2):
		return ankiLegacy2, ""
	case has(ankiLegacy1):
		return ankiLegacy1, ""
	}
	var found []string
	for _, e := range entries {
		if len(found) == 8 {
			found = append(found, fmt.Sprintf("and %d more", len(entries)-8))
			break
		}
		found = append(found, strconv.Quote(e.Name()))
	}
	what := "nothing"
	if len(found) > 0 {
		what = strings.Join(found, ", ")
	}
	return "", fmt.Sprintf("is not an Anki package: it holds no %s or %s (found %s); export the deck from Anki with File → Export, Anki Deck Package (.apkg)",
		ankiLegacy2, ankiLegacy1, what)
}

// ankiMetaVersion is the package version in the "meta" entry that Anki
// 2.1.50 and later write (1 and 2 legacy, 3 the newest), 0 without one.
func ankiMetaVersion(fsys fs.FS) uint64 {
	f, err := fsys.Open("meta")
	if err != nil {
		return 0
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return 0
	}
	v, ok := ankiProtoVarint(b, 1)
	if !ok {
		return 0
	}
	if v == 0 {
		return 99 // "unknown": written by an Anki newer than this code
	}
	return v
}

// ankiProtoVarint finds the last varint value of a field in a protobuf message,
// as proto3 reads it; ok is false when the field is absent or the message
// is malformed.
func ankiProtoVarint(b []byte, field uint64) (v uint64, ok bool) {
	err := WalkProtobuf(b, func(f, wire, x uint64) {
		if f == field && wire == 0 {
			v, ok = x, true
		}
	})
	if err != nil {
		return 0, false
	}
	return v, ok
}

// WalkProtobuf calls fn with each field of a protobuf message (its number,
// wire type and, for varints, value), skipping over the others' bytes; it
// is all newer Anki files need read of protobuf. A malformed message is an
// error.
func WalkProtobuf(b []byte, fn func(field, wire, value uint64)) error {
	bad := errors.New("malformed protobuf")
	varint := func() (uint64, bool) {
		var x uint64
		for i := 0; i < 10 && len(b) > 0; i++ {
			c := b[0]
			b = b[1:]
			x |= uint64(c&0x7f) << (7 * i)
			if c < 0x80 {
				return x, true
			}
		}
		return 0, false
	}
	for len(b) > 0 {
		key, ok := varint()
		if !ok {
			return bad
		}
		var x uint64
		switch key & 7 {
		case 0:
			if x, ok = varint(); !ok {
				return bad
			}
		case 1, 5:
			size := 8
			if key&7 == 5 {
				size = 4
			}
			if len(b) < size {
				return bad
			}
			b = b[size:]
		case 2:
			n, ok := varint()
			if !ok || n > uint64(len(b)) {
				return bad
			}
			b = b[n:]
		default:
			return bad
		}
		fn(key>>3, key&7, x)
	}
	return nil
}

var reAnkiMediaName = regexp.MustCompile(`^[0-9]+$`)

// countAnkiMedia counts the media files of a package: the entries of the
// "media" JSON map of a legacy package, else the entries named by a number,
// which is how every package stores its media files.
func countAnkiMedia(fsys fs.FS) int {
	if f, err := fsys.Open("media"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, maxAnkiMediaListBytes))
		f.Close()
		var m map[string]string
		if err == nil && json.Unmarshal(b, &m) == nil {
			return len(m)
		}
	}
	entries, _ := fs.ReadDir(fsys, ".")
	n := 0
	for _, e := range entries {
		if !e.IsDir() && reAnkiMediaName.MatchString(e.Name()) {
			n++
		}
	}
	return n
}

// ankiSet turns a collection's notes into a set, with every problem found.
func ankiSet(col *AnkiCollection, name string) (*Set, []Problem) {
	var problems []Problem
	bad := func(path, format string, args ...any) {
		problems = append(problems, Problem{File: name, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if col == nil || len(col.Notes) == 0 {
		bad("", "the package holds no notes")
		return nil, problems
	}
	if len(col.Notes) > MaxAnkiNotes {
		bad("", "the package holds more than %d notes; export fewer decks at once", MaxAnkiNotes)
		return nil, problems
	}
	set := &Set{Version: 1, Format: FormatAnki, Questions: make([]Question, 0, len(col.Notes))}
	base := strings.ToValidUTF8(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)), "")
	deck := ankiTopDeck(col)
	set.Title = firstNonEmpty(deck, base, "Anki")
	set.Slug = firstNonEmpty(slugify(deck, 60), slugify(base, 60), "anki")

	seen := map[string]int64{}
	noteOf := make([]int64, 0, len(col.Notes)) // the note of each question, for Validate's problems
	for i := range col.Notes {
		n := &col.Notes[i]
		q, ok := ankiQuestion(n, col.NoteTypes, bad)
		if !ok {
			continue
		}
		guid := n.GUID
		if guid == "" {
			guid = "note-" + strconv.FormatInt(n.ID, 10)
		}
		q.Slug = set.Slug + "-" + shortDigest(guid)
		if prev, dup := seen[q.Slug]; dup {
			bad(fmt.Sprintf("notes id %d", n.ID), "has the same GUID as notes id %d; remove one of them in Anki", prev)
			continue
		}
		seen[q.Slug] = n.ID
		set.Questions = append(set.Questions, q)
		noteOf = append(noteOf, n.ID)
	}
	if len(problems) > 0 {
		return nil, ankiCapProblems(problems)
	}
	for _, p := range set.Validate() {
		p.File = name
		if rest, ok := strings.CutPrefix(p.Path, "questions["); ok {
			if end := strings.IndexByte(rest, ']'); end > 0 {
				if i, err := strconv.Atoi(rest[:end]); err == nil && i < len(noteOf) {
					p.Path = fmt.Sprintf("notes id %d", noteOf[i])
					if field := strings.TrimPrefix(rest[end+1:], "."); field != "" {
						p.Path += ", " + field
					}
				}
			}
		}
		problems = append(problems, p)
	}
	if len(problems) > 0 {
		return nil, ankiCapProblems(problems)
	}
	return set, nil
}

// ankiCapProblems keeps an error readable when a whole deck is wrong in the
// same way.
func ankiCapProblems(problems []Problem) []Problem {
	if len(problems) <= maxAnkiProblems {
		return problems
	}
	rest := len(problems) - maxAnkiProblems
	problems = problems[:maxAnkiProblems:maxAnkiProblems]
	return append(problems, Problem{File: problems[0].File, Message: fmt.Sprintf("and %d more problems", rest)})
}

// ankiTopDeck is the top-level deck every note is in ("" when they are in
// several), Anki's Default deck counting only when it is the only one.
func ankiTopDeck(col *AnkiCollection) string {
	tops := map[string]bool{}
	for _, n := range col.Notes {
		full, ok := col.Decks[n.DeckID]
		if !ok {
			continue
		}
		top, _, _ := strings.Cut(full, "::")
		if top = strings.TrimSpace(strings.ToValidUTF8(top, "")); top != "" {
			tops[top] = true
		}
	}
	if len(tops) > 1 {
		delete(tops, "Default")
	}
	if len(tops) != 1 {
		return ""
	}
	for top := range tops {
		// A package of the Default deck alone is named after its file: every
		// such package would otherwise become the same set.
		if top != "Default" {
			return top
		}
	}
	return ""
}

// ankiQuestion turns a note into a concept question, reporting through bad
// why it cannot; the slug is left to the caller.
func ankiQuestion(n *AnkiNote, types map[int64]AnkiNoteType, bad func(path, format string, args ...any)) (Question, bool) {
	at := fmt.Sprintf("notes id %d", n.ID)
	nt, known := types[n.NoteTypeID]
	fieldName := func(i int) string {
		if i < len(nt.Fields) && strings.TrimSpace(nt.Fields[i]) != "" {
			return strings.ToValidUTF8(nt.Fields[i], "?")
		}
		switch {
		case nt.Cloze && i == 0:
			return "Text"
		case nt.Cloze:
			return "Back Extra"
		case i == 0:
			return "Front"
		case i == 1:
			return "Back"
		}
		return strconv.Itoa(i + 1)
	}
	fieldPath := func(i int) string { return at + ", field " + fieldName(i) }
	// field returns field i, checked; ok is false when it was reported.
	field := func(i int) (string, bool) {
		if i >= len(n.Fields) {
			return "", true
		}
		f := n.Fields[i]
		if !utf8.ValidString(f) {
			bad(fieldPath(i), "is not valid UTF-8 (at byte %d); fix the note in Anki", firstInvalidUTF8([]byte(f)))
			return "", false
		}
		if len(f) > MaxPromptBytes {
			bad(fieldPath(i), "is %d bytes; keep it under %d", len(f), MaxPromptBytes)
			return "", false
		}
		return f, true
	}

	q := Question{Kind: KindConcept, Difficulty: Medium}
	var title string
	if nt.Cloze {
		text, ok := field(0)
		extraAt := ankiBackExtra(nt, len(n.Fields))
		extra, okExtra := "", true
		if extraAt > 0 {
			extra, okExtra = field(extraAt)
		}
		if !ok || !okExtra {
			return q, false
		}
		front, back, deletions, occlusion := ankiCloze(ankiStripMedia(text))
		switch {
		case occlusion:
			bad(fieldPath(0), "is an Image Occlusion note, which needs its image; onsite imports text only: move it to another deck before exporting")
			return q, false
		case deletions == 0 && strings.TrimSpace(htmlToMarkdown(ankiStripMedia(text))) != "":
			bad(fieldPath(0), "has no cloze deletion such as {{c1::answer}}; add one in Anki or change the note type to Basic")
			return q, false
		}
		front = htmlToMarkdown(front)
		back = htmlToMarkdown(back)
		if extra = htmlToMarkdown(ankiStripMedia(extra)); extra != "" {
			back += "\n\n" + extra
		}
		title = ankiTitle(front)
		q.Prompt, q.Answer = ankiEscapeMarkdown(front), ankiEscapeMarkdown(back)
		if strings.TrimSpace(q.Prompt) == "" {
			bad(fieldPath(0), "is empty%s; every note needs text with a cloze deletion", ankiOnlyMedia(text))
			return q, false
		}
	} else {
		if known && len(nt.Fields) < 2 || len(n.Fields) < 2 {
			bad(at, "has one field; onsite needs a question and an answer: use a note type such as Basic")
			return q, false
		}
		front, okFront := field(0)
		back, okBack := field(1)
		if !okFront || !okBack {
			return q, false
		}
		promptMD := htmlToMarkdown(ankiStripMedia(front))
		title = ankiTitle(promptMD)
		q.Prompt = ankiEscapeMarkdown(promptMD)
		q.Answer = ankiEscapeMarkdown(htmlToMarkdown(ankiStripMedia(back)))
		ok := true
		if strings.TrimSpace(q.Prompt) == "" {
			bad(fieldPath(0), "is empty%s; every note needs a question on its front", ankiOnlyMedia(front))
			ok = false
		}
		if strings.TrimSpace(q.Answer) == "" {
			bad(fieldPath(1), "is empty%s; a concept question needs the answer on the back", ankiOnlyMedia(back))
			ok = false
		}
		if !ok {
			return q, false
		}
	}
	q.Title = title
	for _, tag := range n.Tags {
		t := slugify(strings.ReplaceAll(tag, "::", "-"), 60)
		if t != "" && !slices.Contains(q.Topics, t) {
			q.Topics = append(q.Topics, t)
		}
	}
	return q, true
}

// ankiTitle is a title from a prompt's first line, without its bold.
func ankiTitle(prompt string) string {
	return titleFrom(strings.ReplaceAll(prompt, "**", ""))
}

// ankiBackExtra is the index of the field a cloze note shows below the
// answer: the one named Back Extra (or Extra), else the second; 0 for none.
func ankiBackExtra(nt AnkiNoteType, fields int) int {
	for i, f := range nt.Fields {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "back extra", "extra":
			if i > 0 && i < fields {
				return i
			}
		}
	}
	if fields >= 2 {
		return 1
	}
	return 0
}

var (
	reAnkiSound = regexp.MustCompile(`\[sound:[^\]]*\]`)
	reAnkiImage = regexp.MustCompile(`(?i)<img\b[^>]*>`)
	// reAnkiMedia finds what ankiStripMedia drops, to explain an empty field.
	reAnkiMedia = regexp.MustCompile(`(?i)<img\b|\[sound:`)
)

// ankiStripMedia drops images and sounds, which onsite does not import.
func ankiStripMedia(s string) string {
	if !strings.Contains(s, "[sound:") && !strings.Contains(s, "<") {
		return s
	}
	return reAnkiImage.ReplaceAllString(reAnkiSound.ReplaceAllString(s, ""), "")
}

// ankiOnlyMedia explains a field that is empty once its media are dropped.
func ankiOnlyMedia(field string) string {
	if reAnkiMedia.MatchString(field) {
		return " once its images and sounds are left out (onsite imports text only)"
	}
	return ""
}

// maxAnkiClozeDepth bounds how deeply deletions nest; deeper openers are text.
const maxAnkiClozeDepth = 32

// ankiCloze reads the cloze deletions of a note's text, {{c1::answer}} or
// {{c1::answer::hint}}, nested as Anki allows: front hides each outermost
// deletion as [...] or [hint], back shows its text in bold. Braces that do
// not form a deletion stay as they are. It reads the text in one pass,
// however the braces nest.
func ankiCloze(text string) (front, back string, deletions int, occlusion bool) {
	// cloze is an open deletion: its text as a nested deletion shows it
	// (plain), and as the front and back show it should it turn out to be
	// unclosed, and so text.
	type cloze struct {
		opener                 string
		plain, asFront, asBack strings.Builder
		hint                   string
		hasHint                bool
	}
	var top struct{ front, back strings.Builder }
	var open []*cloze
	// emit adds text to the innermost open deletion, or to the top: plain
	// as a nested deletion shows it, front and back as the top shows it.
	emit := func(plain, front, back string) {
		if len(open) == 0 {
			top.front.WriteString(front)
			top.back.WriteString(back)
			return
		}
		c := open[len(open)-1]
		c.plain.WriteString(plain)
		c.asFront.WriteString(front)
		c.asBack.WriteString(back)
	}
	closer := func(i int) bool { return len(open) > 0 && strings.HasPrefix(text[i:], "}}") }
	for i := 0; i < len(text); {
		if n := ankiClozeOpenAt(text, i); n > 0 && len(open) < maxAnkiClozeDepth {
			open = append(open, &cloze{opener: text[i : i+n]})
			i += n
			continue
		}
		if closer(i) {
			c := open[len(open)-1]
			open = open[:len(open)-1]
			deletions++
			inner := c.plain.String()
			if strings.HasPrefix(strings.TrimSpace(inner), "image-occlusion:") {
				occlusion = true
			}
			hidden := "[...]"
			if h := strings.TrimSpace(c.hint); c.hasHint && h != "" {
				hidden = "[" + h + "]"
			}
			shown := inner
			if strings.TrimSpace(inner) != "" {
				shown = "<b>" + inner + "</b>"
			}
			emit(inner, hidden, shown)
			i += 2
			continue
		}
		// A text token runs to the next opener or closer; inside a
		// deletion, its "::" starts the deletion's hint, as in Anki.
		j := i + 1
		for j < len(text) && !(text[j] == '{' && ankiClozeOpenAt(text, j) > 0) && !(text[j] == '}' && closer(j)) {
			j++
		}
		tok := text[i:j]
		if len(open) > 0 {
			if before, hint, ok := strings.Cut(tok, "::"); ok {
				c := open[len(open)-1]
				c.hint, c.hasHint = hint, true
				tok = before
			}
		}
		emit(tok, tok, tok)
		i = j
	}
	// Unclosed deletions are text, as written.
	for len(open) > 0 {
		c := open[len(open)-1]
		open = open[:len(open)-1]
		hint := ""
		if c.hasHint {
			hint = "::" + c.hint
		}
		emit(c.opener+c.plain.String()+hint, c.opener+c.asFront.String()+hint, c.opener+c.asBack.String()+hint)
	}
	return top.front.String(), top.back.String(), deletions, occlusion
}

// ankiClozeOpenAt is the length of the {{cN:: at text[i:], or 0.
func ankiClozeOpenAt(text string, i int) int {
	if !strings.HasPrefix(text[i:], "{{c") {
		return 0
	}
	j := i + 3
	for j < len(text) && text[j] >= '0' && text[j] <= '9' {
		j++
	}
	if j == i+3 || !strings.HasPrefix(text[j:], "::") {
		return 0
	}
	return j + 2 - i
}

var reAnkiEntity = regexp.MustCompile(`^&#?[A-Za-z0-9]+;`)

// ankiEscapeMarkdown escapes what Markdown would read as markup in text that
// htmlToMarkdown made from a card: decoded entities such as &lt;script&gt;
// are text the card shows, a tag that stripping left behind (<<b>b>) must
// not become one, and a backslash is a backslash (as in MathJax's \(x\)).
// Code spans are left alone: Markdown shows them as written. Spans are
// found as CommonMark finds them: a run of backticks up to the next run of
// the same length.
func ankiEscapeMarkdown(s string) string {
	if !strings.ContainsAny(s, "<&\\") {
		return s
	}
	run := func(i int) int {
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		return n
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '`':
			n := run(i)
			end := -1
			for j := i + n; j < len(s); {
				if s[j] != '`' {
					j++
					continue
				}
				m := run(j)
				if m == n {
					end = j + m
					break
				}
				j += m
			}
			if end < 0 {
				end = i + n // no closing run: the backticks are text
			}
			b.WriteString(s[i:end])
			i = end
			continue
		case c == '\\':
			b.WriteString(`\\`)
		case c == '<' && i+1 < len(s) && ankiTagStart(s[i+1]):
			b.WriteString(`\<`)
		case c == '&' && reAnkiEntity.MatchString(s[i:min(len(s), i+34)]):
			b.WriteString(`\&`)
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

func ankiTagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}
