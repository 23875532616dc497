package questions

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a flashcard file.
const (
	MaxCSVRows  = 50_000
	MaxCSVBytes = 32 << 20
)

// csvHeader is what a flashcard file's header lines say, as Anki's text
// import reads them.
type csvHeader struct {
	sep       rune
	sepSet    bool
	html      bool
	columns   []string
	tagsCol   int // 1-based; 0 when absent
	guidCol   int
	deck      string
	bodyStart int // the line the records start on
}

var separatorNames = map[string]rune{
	"comma": ',', "semicolon": ';', "tab": '\t', "space": ' ', "pipe": '|', "colon": ':',
}

// ParseCSV reads flashcards in the text format Anki imports and exports:
// optional header lines (#separator:, #html:, #columns:, #tags column:,
// #deck:, #guid column:), then one record per note, fields quoted when they
// hold the separator, quotes or line breaks. Without #columns the fields
// are front, back and tags. Each record becomes a concept question (or the
// kind a "kind" column names); HTML is turned into Markdown where simple.
// Every problem is reported with its row and column.
func ParseCSV(name string, data []byte) (*Set, error) {
	if len(data) > MaxCSVBytes {
		return nil, &ValidationError{Problems: []Problem{{File: name, Message: fmt.Sprintf("the file is %d MB; import at most %d MB at once", len(data)>>20, MaxCSVBytes>>20)}}}
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		return nil, &ValidationError{Problems: []Problem{{File: name, Line: line, Message: "is not valid UTF-8; save the file as UTF-8"}}}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var problems []Problem
	bad := func(line int, path, format string, args ...any) {
		problems = append(problems, Problem{File: name, Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	h := readCSVHeader(data, bad)
	body := data
	for range h.bodyStart - 1 {
		_, body, _ = bytes.Cut(body, []byte("\n"))
	}
	if !h.sepSet {
		h.sep = sniffSeparator(body)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = h.sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	cols := h.columns
	if len(cols) == 0 {
		cols = []string{"front", "back", "tags"}
	}
	roleOf := map[int]string{}
	for i, c := range cols {
		role := columnRole(c)
		if role == "" {
			bad(h.bodyStart-1, "columns", "column %d %q is not one onsite knows; use front, back, tags, kind, title, difficulty or guid", i+1, c)
			continue
		}
		roleOf[i] = role
	}
	if h.tagsCol > 0 {
		roleOf[h.tagsCol-1] = "tags"
	}
	if h.guidCol > 0 {
		roleOf[h.guidCol-1] = "guid"
	}
	set := &Set{Version: 1, Format: "csv"}
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	set.Title = firstNonEmpty(h.deck, base)
	set.Slug = slugify(set.Title, 60)
	if set.Slug == "" {
		set.Slug = "flashcards"
	}
	seen := map[string]int{}
	row := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				bad(h.bodyStart, "separator", "%s; choose another separator", err)
				break
			}
			bad(pe.StartLine+h.bodyStart-1, fmt.Sprintf("row %d", row+1), "%s (line %d); put fields that hold the separator, quotes or line breaks in double quotes, and double the quotes inside", pe.Err, pe.Line+h.bodyStart-1)
			break
		}
		line, _ := r.FieldPos(0)
		line += h.bodyStart - 1
		row++
		if row > MaxCSVRows {
			bad(line, fmt.Sprintf("row %d", row), "the file has more than %d notes; split it", MaxCSVRows)
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		at := fmt.Sprintf("row %d", row)
		field := map[string]string{}
		for i, v := range rec {
			role := roleOf[i]
			if role == "" {
				if len(h.columns) > 0 || i >= 3 {
					bad(line, fmt.Sprintf("%s, column %d", at, i+1), "has a field beyond the file's %d columns; quote fields that hold the separator %q", len(cols), string(h.sep))
				}
				continue
			}
			if len(v) > MaxPromptBytes {
				bad(line, fmt.Sprintf("%s, column %s", at, role), "is %d bytes; keep it under %d", len(v), MaxPromptBytes)
				continue
			}
			if h.html && role != "tags" && role != "guid" && role != "kind" && role != "difficulty" {
				v = htmlToMarkdown(v)
			}
			field[role] = strings.TrimSpace(v)
		}
		q := Question{Kind: KindConcept, Difficulty: Medium, Prompt: field["front"]}
		if q.Prompt == "" {
			bad(line, at+", column front", "is empty; every note needs a front (the question)")
			continue
		}
		if k := field["kind"]; k != "" {
			q.Kind = Kind(strings.ToLower(k))
			if q.Kind == "system design" {
				q.Kind = KindSystemDesign
			}
			switch q.Kind {
			case KindConcept, KindBehavioral, KindSystemDesign:
			case KindCoding:
				bad(line, at+", column kind", "coding questions need typed tests and solutions; write them in the YAML format")
				continue
			default:
				bad(line, at+", column kind", "%q is not a kind; use concept, behavioral or system_design", k)
				continue
			}
		}
		if d := field["difficulty"]; d != "" {
			q.Difficulty = Difficulty(strings.ToLower(d))
			if !q.Difficulty.Valid() {
				bad(line, at+", column difficulty", "%q is not a difficulty; use easy, medium or hard", d)
				continue
			}
		}
		back := field["back"]
		switch q.Kind {
		case KindConcept:
			q.Answer = back
			if q.Answer == "" {
				bad(line, at+", column back", "is empty; a concept question needs the answer on the back")
				continue
			}
		case KindBehavioral:
			q.Competency = "general"
			q.StrongAnswer = nonEmptyLines(back)
			if len(q.StrongAnswer) == 0 {
				bad(line, at+", column back", "is empty; list what a strong answer shows, one point per line")
				continue
			}
		case KindSystemDesign:
			q.Rubric = nonEmptyLines(back)
			if len(q.Rubric) == 0 {
				bad(line, at+", column back", "is empty; list the rubric, one point per line")
				continue
			}
		}
		q.Title = firstNonEmpty(field["title"], titleFrom(q.Prompt))
		for _, t := range strings.Fields(field["tags"]) {
			if tag := slugify(strings.ReplaceAll(t, "::", "-"), 60); tag != "" {
				q.Topics = append(q.Topics, tag)
			}
		}
		// The slug is the note's stable key: its GUID when the file has
		// one, else a digest of the front, so that importing the file
		// again updates the same questions.
		if g := field["guid"]; g != "" {
			q.Slug = set.Slug + "-" + shortDigest(g)
		} else {
			q.Slug = set.Slug + "-" + slugify(q.Title, 40) + "-" + shortDigest(q.Prompt)[:6]
		}
		q.Slug = strings.Trim(q.Slug, "-")
		if prev, ok := seen[q.Slug]; ok {
			bad(line, at, "is the same note as row %d (same GUID or same front); remove one", prev)
			continue
		}
		seen[q.Slug] = row
		set.Questions = append(set.Questions, q)
	}
	if len(problems) == 0 && len(set.Questions) == 0 {
		bad(h.bodyStart, "", "holds no notes")
	}
	if len(problems) == 0 {
		for _, p := range set.Validate() {
			p.File = name
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return set, nil
}

// readCSVHeader reads the header lines at the top of a flashcard file.
func readCSVHeader(data []byte, bad func(line int, path, format string, args ...any)) csvHeader {
	h := csvHeader{sep: ',', html: true, bodyStart: 1}
	rest := data
	for {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		text := strings.TrimRight(string(line), "\r")
		if !strings.HasPrefix(text, "#") {
			return h
		}
		key, value, ok := strings.Cut(text[1:], ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok {
			bad(h.bodyStart, "header", "%q is not a header line; header lines look like #separator:Tab", text)
		}
		switch key {
		case "separator":
			v := strings.TrimSpace(value)
			if r, ok := separatorNames[strings.ToLower(v)]; ok {
				h.sep = r
			} else if utf8.RuneCountInString(v) == 1 {
				h.sep, _ = utf8.DecodeRuneInString(v)
			} else if value == " " {
				h.sep = ' '
			} else {
				bad(h.bodyStart, "separator", "%q is not a separator; use Comma, Semicolon, Tab, Space, Pipe, Colon or one character", v)
			}
			if h.sep == '"' || h.sep == '\r' || h.sep == '\n' || h.sep == utf8.RuneError || unicode.IsControl(h.sep) && h.sep != '\t' {
				bad(h.bodyStart, "separator", "%q cannot separate fields; use Comma, Semicolon, Tab, Space, Pipe or Colon", string(h.sep))
				h.sep = ','
			}
			h.sepSet = true
		case "html":
			switch strings.ToLower(strings.TrimSpace(value)) {
			case "true":
				h.html = true
			case "false":
				h.html = false
			default:
				bad(h.bodyStart, "html", "%q is not true or false", strings.TrimSpace(value))
			}
		case "columns":
			sep := string(h.sep)
			if !h.sepSet && strings.Contains(value, "\t") {
				sep = "\t"
			}
			for _, c := range strings.Split(value, sep) {
				h.columns = append(h.columns, strings.TrimSpace(c))
			}
		case "tags column", "guid column":
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 1 {
				bad(h.bodyStart, key, "%q is not a column number (1 is the first)", strings.TrimSpace(value))
			} else if key == "tags column" {
				h.tagsCol = n
			} else {
				h.guidCol = n
			}
		case "deck":
			h.deck = strings.TrimSpace(value)
		case "notetype", "notetype column", "deck column":
			// Every note becomes a question whatever its note type or
			// deck; the file's questions form one set.
		default:
			bad(h.bodyStart, "header", "#%s is not a header onsite reads; use #separator, #html, #columns, #tags column, #guid column or #deck", key)
		}
		h.bodyStart++
		if !found {
			return h
		}
		rest = after
	}
}

// sniffSeparator guesses the separator from the first record: a tab, then
// a semicolon, else a comma, as Anki does when the file does not say.
func sniffSeparator(body []byte) rune {
	first, _, _ := bytes.Cut(body, []byte("\n"))
	switch {
	case bytes.ContainsRune(first, '\t'):
		return '\t'
	case bytes.ContainsRune(first, ';') && !bytes.ContainsRune(first, ','):
		return ';'
	}
	return ','
}

func columnRole(name string) string {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "front", "question", "prompt", "text":
		return "front"
	case "back", "answer", "back extra", "extra":
		return "back"
	case "tags":
		return "tags"
	case "kind", "type":
		return "kind"
	case "title":
		return "title"
	case "difficulty":
		return "difficulty"
	case "guid":
		return "guid"
	case "deck", "notetype", "note type":
		return "ignored"
	}
	return ""
}

var (
	reBreak     = regexp.MustCompile(`(?i)<br\s*/?>`)
	reBlockEnd  = regexp.MustCompile(`(?i)</(p|div|h[1-6]|ul|ol|pre|blockquote)>`)
	reItem      = regexp.MustCompile(`(?i)<li[^>]*>`)
	reBold      = regexp.MustCompile(`(?i)</?(b|strong)>`)
	reItalic    = regexp.MustCompile(`(?i)</?(i|em)>`)
	reCode      = regexp.MustCompile(`(?i)</?code>`)
	reDropped   = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>`)
	reTag       = regexp.MustCompile(`(?s)<[^>]*>`)
	reCloze     = regexp.MustCompile(`\{\{c\d+::(.*?)(::[^}]*)?\}\}`)
	reManyBlank = regexp.MustCompile(`\n{3,}`)
)

// htmlToMarkdown turns the simple HTML of flashcards into Markdown: line
// breaks, paragraphs, bold, italics, code and list items; scripts and
// styles are dropped, other tags stripped, entities decoded, and Anki cloze
// deletions written as their text in bold. Pages sanitise Markdown again
// when they render it.
func htmlToMarkdown(s string) string {
	if !strings.ContainsAny(s, "<&{") {
		return s
	}
	s = reDropped.ReplaceAllString(s, "")
	s = reCloze.ReplaceAllString(s, "**$1**")
	s = reBreak.ReplaceAllString(s, "\n")
	s = reBlockEnd.ReplaceAllString(s, "\n\n")
	s = reItem.ReplaceAllString(s, "\n- ")
	s = reBold.ReplaceAllString(s, "**")
	s = reItalic.ReplaceAllString(s, "*")
	s = reCode.ReplaceAllString(s, "`")
	s = reTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.TrimSpace(reManyBlank.ReplaceAllString(s, "\n\n"))
}

// slugify makes a slug of at most n characters from text.
func slugify(text string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(text) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= n {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// titleFrom is a title from the first line of a prompt, cut at a word.
func titleFrom(prompt string) string {
	first, _, _ := strings.Cut(prompt, "\n")
	first = strings.TrimSpace(strings.Trim(first, "#*` "))
	if len(first) <= 80 {
		return firstNonEmpty(first, "Flashcard")
	}
	cut := strings.LastIndexByte(first[:80], ' ')
	if cut < 20 {
		cut = 80
	}
	return strings.TrimSpace(first[:cut]) + "…"
}

func shortDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:5])
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- ")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
