package questions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// FormatMarkdown names the Markdown folder format in a set's Format field.
const FormatMarkdown = "md"

// Bounds on a Markdown folder. A question file holds its texts and usually
// its tests; a quarter of a megabyte is far more than any of the bank's, and
// larger tests belong in tests/<slug>/. The whole folder is bounded like a
// YAML set file.
const (
	mdMaxFileBytes = MaxPromptBytes * 4
	mdMaxFiles     = 5000
	// mdMaxYAMLValues bounds the values a front matter or set.yaml may
	// expand to through aliases (*name): a few lines of nested aliases
	// would otherwise expand to billions.
	mdMaxYAMLValues = 1 << 18
	mdMaxYAMLDepth  = 1000
)

// mdSection is a level-2 section a question file may have and the Question
// field, by its YAML name, that it holds. Every prose field is here, in the
// order MarshalMarkdown writes them; code (solutions, starter code) and
// short values stay in the front matter.
type mdSection struct {
	heading, field string
}

var mdSections = []mdSection{
	{"Hints", "hints"},
	{"Answer", "answer"},
	{"Key points", "key_points"},
	{"Strong answer", "strong_answer"},
	{"Red flags", "red_flags"},
	{"Clarifying questions", "clarifying_questions"},
	{"Requirements", "requirements"},
	{"Outline", "outline"},
	{"Rubric", "rubric"},
	{"Editorial", "editorial"},
	{"Common mistakes", "common_mistakes"},
	{"Follow-ups", "follow_ups"},
}

// mdSampleSuffix marks a sample test in tests/<slug>/: 01-sample.in and
// 01-sample.out, or 01-sample.json.
const mdSampleSuffix = "-sample"

// ParseMarkdownDir reads a set written as a folder of Markdown files at dir
// inside fsys ("." for the root) and validates it; name is how messages name
// the folder. The folder holds set.yaml (the set's slug, title, description,
// version, license and source) and one NAME.md per question, read in file
// name order; README.md, hidden files and other files and folders are
// ignored, except tests/<slug>/, which holds a question's tests as files.
// Without set.yaml the set's slug is the folder's base name slugified, its
// title the base name and its version 1, so that a folder of notes imports
// as it is.
//
// A question file is YAML front matter between two --- lines, holding any
// question field (the slug defaults to NAME), then the prompt in Markdown,
// then level-2 sections (## Answer, ## Hints, ...) holding the other texts.
// Every problem comes back in a *ValidationError as file:line: field:
// problem, with the file and line where the author fixes it; an error that
// is not a *ValidationError means the folder itself could not be read.
func ParseMarkdownDir(fsys fs.FS, dir, name string) (*Set, error) {
	r := newMDReader(fsys, dir, name)
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", r.display(""), err)
	}
	r.rank(r.display(""))
	r.rank(r.display("set.yaml"))
	var mdFiles []fs.DirEntry
	var setFile, testsDir fs.DirEntry
	for _, e := range entries {
		n := e.Name()
		if n != "tests" {
			r.rank(r.display(n))
		}
		switch {
		case strings.HasPrefix(n, "."):
		case e.Type()&fs.ModeSymlink != 0 && (n == "set.yaml" || n == "tests" || mdIsQuestionFile(n)):
			r.add(n, 0, "", "is a symbolic link; onsite does not follow links in a set folder, so copy the file in instead")
		case n == "set.yaml" && !e.IsDir():
			setFile = e
		case n == "tests" && e.IsDir():
			testsDir = e
		case mdIsQuestionFile(n) && !e.IsDir():
			mdFiles = append(mdFiles, e)
		}
	}

	set := &Set{}
	var setRoot *yaml.Node
	if setFile != nil {
		if data, ok := r.read(setFile, setFile.Name(), mdMaxFileBytes); ok {
			setRoot = r.setHeader(data, set)
		}
	} else {
		base := path.Base(strings.ReplaceAll(strings.TrimRight(name, `/\`), `\`, "/"))
		if name == "" {
			base = path.Base(dir)
		}
		if base == "." || base == "/" {
			base = ""
		}
		set.Slug, set.Title, set.Version = slugify(base, MaxSlugLength), base, 1
	}

	if len(mdFiles) > mdMaxFiles {
		r.add("", 0, "", "holds %d question files; split it into sets of at most %d", len(mdFiles), mdMaxFiles)
		mdFiles = nil
	}
	var origins []*mdOrigin
	for _, e := range mdFiles {
		data, ok := r.read(e, e.Name(), mdMaxFileBytes)
		if !ok {
			continue
		}
		q, o := r.questionFile(e.Name(), data)
		if q != nil {
			set.Questions = append(set.Questions, *q)
			origins = append(origins, o)
		}
	}
	if testsDir != nil && !r.full {
		r.testsFolder(set.Questions, origins)
	}

	for _, p := range set.Validate() {
		if p.Path == "questions" && len(mdFiles) > 0 {
			continue // every question file has its own problem
		}
		r.place(p, setFile != nil, setRoot, origins)
	}
	if len(r.problems) > 0 {
		sort.SliceStable(r.problems, func(i, j int) bool {
			a, b := r.problems[i], r.problems[j]
			if ra, rb := r.ranks[a.File], r.ranks[b.File]; ra != rb {
				return ra < rb
			}
			return a.Line < b.Line
		})
		return nil, &ValidationError{Problems: r.problems}
	}
	set.Format = FormatMarkdown
	return set, nil
}

func mdIsQuestionFile(name string) bool {
	return strings.HasSuffix(name, ".md") && !strings.EqualFold(name, "README.md")
}

// mdReader collects the problems of one folder, each with the file it is
// in, and remembers the order files were read in to list problems by it.
type mdReader struct {
	fsys      fs.FS
	dir, name string
	problems  []Problem
	ranks     map[string]int
	bytesRead int
	// setDecoder read set.yaml; validation problems it already
	// reported are not repeated.
	setDecoder *decoder
	full       bool // the folder's byte budget is spent; stop reading
}

func newMDReader(fsys fs.FS, dir, name string) *mdReader {
	return &mdReader{fsys: fsys, dir: dir, name: strings.TrimRight(name, "/"), ranks: map[string]int{}}
}

// display names a file inside the folder as messages show it.
func (r *mdReader) display(rel string) string {
	switch {
	case rel == "" && r.name == "":
		return "."
	case rel == "":
		return r.name
	case r.name == "":
		return rel
	}
	return r.name + "/" + rel
}

func (r *mdReader) rank(file string) {
	if _, ok := r.ranks[file]; !ok {
		r.ranks[file] = len(r.ranks)
	}
}

// add records a problem in the file at rel, a path inside the folder.
func (r *mdReader) add(rel string, line int, path, format string, args ...any) {
	file := r.display(rel)
	r.rank(file)
	r.problems = append(r.problems, Problem{File: file, Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// read reads one regular file of the folder, bounded by limit and by what is
// left of the folder's budget, and checks that it is UTF-8.
func (r *mdReader) read(e fs.DirEntry, rel string, limit int) ([]byte, bool) {
	r.rank(r.display(rel))
	if r.full {
		return nil, false
	}
	if !e.Type().IsRegular() {
		r.add(rel, 0, "", "is not a regular file; onsite reads only plain files in a set folder")
		return nil, false
	}
	f, err := r.fsys.Open(path.Join(r.dir, rel))
	if err != nil {
		r.add(rel, 0, "", "cannot be read: %v", mdPathless(err))
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		r.add(rel, 0, "", "cannot be read: %v", mdPathless(err))
		return nil, false
	}
	if len(data) > limit {
		r.add(rel, 0, "", "is larger than %s; keep each file under that (tests can go in tests/<slug>/ as files)", mdSize(limit))
		return nil, false
	}
	r.bytesRead += len(data)
	if r.bytesRead > MaxSetBytes {
		r.add(rel, 0, "", "the folder holds more than %s; split it into smaller sets", mdSize(MaxSetBytes))
		r.full = true
		return nil, false
	}
	if !utf8.Valid(data) {
		at := firstInvalidUTF8(data)
		r.add(rel, 1+bytes.Count(data[:at], []byte("\n")), "", "is not valid UTF-8 (at byte %d); save the file as UTF-8", at)
		return nil, false
	}
	return data, true
}

func mdSize(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// mdPathless drops the path from a file system error: the problem already
// names the file.
func mdPathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseYAML reads one YAML document into a node tree, refusing a second
// document and aliases that expand too much. It returns the document's top
// node (nil when empty); offset is added to the lines of its problems, the
// lines of the file before the YAML.
func (r *mdReader) parseYAML(rel string, data []byte, offset int) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if err == io.EOF {
			return nil, true
		}
		p := syntaxProblem(data, err)
		r.add(rel, max(p.Line, 1)+offset, "", "%s", p.Message)
		return nil, false
	}
	var second yaml.Node
	if err := dec.Decode(&second); err != io.EOF {
		line := second.Line
		if err != nil {
			line = syntaxProblem(data, err).Line
		}
		r.add(rel, max(line, 1)+offset, "", "holds a second YAML document (after a --- or ... line); keep one")
		return nil, false
	}
	if len(root.Content) == 0 {
		return nil, true
	}
	doc := root.Content[0]
	if at, ok := mdAliasesBounded(doc); !ok {
		if at == nil {
			r.add(rel, doc.Line+offset, "", "the values nest more than %d levels deep", mdMaxYAMLDepth)
		} else {
			r.add(rel, at.Line+offset, "", "excessive aliasing: the aliases (*name) here expand to more than %d values; write the values out", mdMaxYAMLValues)
		}
		return nil, false
	}
	if isNull(doc) {
		return nil, true
	}
	return doc, true
}

// mdAliasesBounded walks a node tree as the decoder will, following aliases,
// and reports whether it stays within mdMaxYAMLValues values and
// mdMaxYAMLDepth levels; an alias inside its own anchor never does. It
// returns the outermost alias being expanded when the walk gave up, nil
// when none was.
func mdAliasesBounded(n *yaml.Node) (*yaml.Node, bool) {
	count := 0
	var at *yaml.Node
	// outer is the outermost alias on the way down to n.
	var walk func(n *yaml.Node, depth int, outer *yaml.Node) bool
	walk = func(n *yaml.Node, depth int, outer *yaml.Node) bool {
		count++
		if count > mdMaxYAMLValues || depth > mdMaxYAMLDepth {
			at = outer
			return false
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			if outer == nil {
				outer = n
			}
			return walk(n.Alias, depth+1, outer)
		}
		for _, c := range n.Content {
			if !walk(c, depth+1, outer) {
				return false
			}
		}
		return true
	}
	ok := walk(n, 0, nil)
	return at, ok
}

// setHeader reads set.yaml into set and returns its top node for locating
// validation problems.
func (r *mdReader) setHeader(data []byte, set *Set) *yaml.Node {
	const rel = "set.yaml"
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	doc, ok := r.parseYAML(rel, data, 0)
	if !ok || doc == nil {
		if ok {
			r.add(rel, 1, "", "is empty; give the set's slug:, title: and version:")
		}
		return nil
	}
	if doc.Kind != yaml.MappingNode {
		r.add(rel, doc.Line, "", "is %s, but set.yaml is a mapping with slug:, title: and version:", describe(doc))
		return nil
	}
	header := *doc
	header.Content = nil
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if k := doc.Content[i]; k.Value == "questions" {
			r.add(rel, k.Line, "questions", "the questions of a Markdown folder are the .md files beside set.yaml; remove questions: from set.yaml")
			continue
		}
		header.Content = append(header.Content, doc.Content[i], doc.Content[i+1])
	}
	d := newDecoder()
	r.setDecoder = d
	d.decode(&header, reflect.ValueOf(set).Elem(), "", header.Line)
	for _, p := range d.problems {
		r.add(rel, p.Line, p.Path, "%s", p.Message)
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}
}

// mdOrigin is where a question's fields were written, to put validation
// problems where the author fixes them.
type mdOrigin struct {
	file         string     // the .md file, relative to the folder
	frontMatter  *yaml.Node // a document node holding the front matter, nil when empty
	keys         map[string]int
	bodyLine     int            // the first line of the prompt, or of the text after the front matter
	sections     map[string]int // a field written as a section: the heading's line
	items        map[string][]int
	slugFromFile bool
	slug         string
	dec          *decoder
	testsDir     string // tests/<slug> when the tests are files
	tests        []mdTestOrigin
}

// mdTestOrigin is the file one test was read from; node and dec are set for
// a JSON test.
type mdTestOrigin struct {
	file string
	node *yaml.Node
	dec  *decoder
}

var mdQuestionType = reflect.TypeOf(Question{})

// questionFile reads one question file. It returns no question when the
// file cannot be read as one at all (no front matter, a YAML syntax error),
// since every validation problem would only repeat that.
func (r *mdReader) questionFile(rel string, data []byte) (*Question, *mdOrigin) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if strings.TrimRight(lines[0], " \t") != "---" {
		r.add(rel, 1, "", "a question file starts with front matter: a --- line, the question's fields such as kind: and difficulty:, and another --- line")
		return nil, nil
	}
	end := 0
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == "---" {
			end = i
			break
		}
	}
	if end == 0 {
		r.add(rel, 1, "", "the front matter opened here is never closed; end it with a --- line")
		return nil, nil
	}
	o := &mdOrigin{file: rel, keys: map[string]int{}, sections: map[string]int{}, items: map[string][]int{}, dec: newDecoder()}
	q := &Question{}
	fm := strings.Join(lines[1:end], "\n") + "\n"
	doc, ok := r.parseYAML(rel, []byte(fm), 1)
	if !ok {
		return nil, nil
	}
	if doc != nil {
		if doc.Kind != yaml.MappingNode {
			r.add(rel, doc.Line+1, "", "the front matter is %s; write the question's fields as key: value lines, such as kind: concept", describe(doc))
			return nil, nil
		}
		o.frontMatter = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}
		o.dec.decode(doc, reflect.ValueOf(q).Elem(), "", doc.Line)
		for _, p := range o.dec.problems {
			r.add(rel, p.Line+1, p.Path, "%s", p.Message)
		}
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if k := doc.Content[i]; o.keys[k.Value] == 0 {
				o.keys[k.Value] = k.Line + 1
			}
		}
	}
	if _, ok := o.keys["slug"]; !ok {
		q.Slug = strings.TrimSuffix(rel, ".md")
		o.slugFromFile = true
	}

	parts := mdSplit(lines[end+1:], end+2)
	body, bodyLine := mdText(parts[0].lines, parts[0].first)
	o.bodyLine = bodyLine
	if bodyLine == 0 {
		o.bodyLine = end + 2
	}
	if body != "" {
		if line, ok := o.keys["prompt"]; ok {
			r.add(rel, bodyLine, "prompt", "is given both in the front matter (line %d) and as the text after it; keep one", line)
			o.dec.failed["prompt"] = true
		} else {
			q.Prompt = body
		}
	}
	fields := fieldsOf(mdQuestionType)
	v := reflect.ValueOf(q).Elem()
	for _, part := range parts[1:] {
		sec, ok := mdSectionNamed(part.heading)
		if !ok {
			r.add(rel, part.line, "", "%s", mdUnknownSection(part.heading))
			continue
		}
		if first, dup := o.sections[sec.field]; dup {
			r.add(rel, part.line, sec.field, "## %s appears twice (first on line %d); keep one", sec.heading, first)
			continue
		}
		o.sections[sec.field] = part.line
		if line, ok := o.keys[sec.field]; ok {
			r.add(rel, part.line, sec.field, "is given both in the front matter (line %d) and as ## %s; keep one", line, sec.heading)
			o.dec.failed[sec.field] = true
			continue
		}
		f := v.FieldByIndex(fields.index[sec.field])
		if f.Kind() == reflect.String {
			text, _ := mdText(part.lines, part.first)
			f.SetString(text)
			continue
		}
		items, itemLines, stray := mdItems(part.lines, part.first)
		if stray > 0 {
			r.add(rel, stray, sec.field, "## %s is a list: start each item with \"- \" (an item may go on over the following lines)", sec.heading)
			o.dec.failed[sec.field] = true
		}
		if len(items) > 0 {
			f.Set(reflect.ValueOf(items))
		}
		o.items[sec.field] = itemLines
	}
	o.slug = q.Slug
	return q, o
}

// mdPart is the prompt (the text before the first level-2 heading) or one
// section of a question file.
type mdPart struct {
	heading string
	line    int // the heading's line
	first   int // the line of lines[0]
	lines   []string
}

// mdSplit cuts the text after the front matter at its level-2 headings,
// "## " at the start of a line outside fenced code blocks (``` or ~~~).
// parts[0] is the text before the first heading; first is the line number
// of lines[0].
func mdSplit(lines []string, first int) []mdPart {
	parts := []mdPart{{first: first}}
	var fence byte
	var fenceLen int
	for i, l := range lines {
		cur := &parts[len(parts)-1]
		if fenceLen > 0 {
			if c, n, rest := mdFence(l); c == fence && n >= fenceLen && strings.TrimSpace(rest) == "" {
				fenceLen = 0
			}
			cur.lines = append(cur.lines, l)
			continue
		}
		if c, n, rest := mdFence(l); n > 0 && !(c == '`' && strings.Contains(rest, "`")) {
			fence, fenceLen = c, n
			cur.lines = append(cur.lines, l)
			continue
		}
		if heading, ok := mdHeading2(l); ok {
			parts = append(parts, mdPart{heading: heading, line: first + i, first: first + i + 1})
			continue
		}
		cur.lines = append(cur.lines, l)
	}
	return parts
}

// mdFence returns the fence character and length a line starts with (after
// any indentation), 0 when it starts no fence, and the rest of the line.
func mdFence(line string) (byte, int, string) {
	t := strings.TrimLeft(line, " \t")
	if t == "" || (t[0] != '`' && t[0] != '~') {
		return 0, 0, ""
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 {
		return 0, 0, ""
	}
	return t[0], n, t[n:]
}

// mdHeading2 reports whether a line is a level-2 ATX heading and returns its
// text without a closing run of #.
func mdHeading2(line string) (string, bool) {
	if line != "##" && !strings.HasPrefix(line, "## ") && !strings.HasPrefix(line, "##\t") {
		return "", false
	}
	t := strings.TrimSpace(line[2:])
	if strings.HasSuffix(t, "#") {
		if u := strings.TrimRight(t, "#"); u == "" || strings.HasSuffix(u, " ") || strings.HasSuffix(u, "\t") {
			t = strings.TrimSpace(u)
		}
	}
	return t, true
}

// mdText is a Markdown text from its lines without the blank lines around
// them, ending in a newline as a YAML literal block does ("" when there is
// no text), and the line number of its first line (0 when none).
func mdText(lines []string, first int) (string, int) {
	start, end := 0, len(lines)
	for start < end && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	for end > start && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	if start == end {
		return "", 0
	}
	return strings.Join(lines[start:end], "\n") + "\n", first + start
}

// mdItems reads a list section: each item starts with "- " at the start of
// a line and goes on over the following lines, two spaces of indentation
// removed, up to the next item. It returns the items, the line each starts
// on, and the line of any text before the first item (0 when none).
func mdItems(lines []string, first int) (items []string, at []int, stray int) {
	var cur []string
	flush := func() {
		if cur != nil {
			items = append(items, strings.TrimSpace(strings.Join(cur, "\n")))
		}
	}
	for i, l := range lines {
		if l == "-" || strings.HasPrefix(l, "- ") {
			flush()
			cur = []string{strings.TrimPrefix(l[1:], " ")}
			at = append(at, first+i)
			continue
		}
		if cur == nil {
			if strings.TrimSpace(l) != "" && stray == 0 {
				stray = first + i
			}
			continue
		}
		cur = append(cur, strings.TrimPrefix(l, "  "))
	}
	flush()
	return items, at, stray
}

// mdSectionKey is how headings are matched: case, hyphens, underscores and
// repeated spaces do not matter, so ## Follow-ups, ## follow ups and
// ## follow_ups are one section.
func mdSectionKey(heading string) string {
	h := strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(heading))
	return strings.Join(strings.Fields(h), " ")
}

func mdSectionNamed(heading string) (mdSection, bool) {
	key := mdSectionKey(heading)
	for _, s := range mdSections {
		if mdSectionKey(s.heading) == key {
			return s, true
		}
	}
	return mdSection{}, false
}

func mdUnknownSection(heading string) string {
	names := make([]string, len(mdSections))
	keys := make([]string, len(mdSections))
	for i, s := range mdSections {
		names[i] = s.heading
		keys[i] = mdSectionKey(s.heading)
	}
	if guess := closest(mdSectionKey(heading), keys); guess != "" {
		for i, k := range keys {
			if k == guess {
				return fmt.Sprintf("unknown section ## %s; did you mean ## %s?", heading, names[i])
			}
		}
	}
	return fmt.Sprintf("unknown section ## %s; use ### for a heading inside the prompt or a section, or one of the sections: %s",
		heading, strings.Join(names, ", "))
}

// testsFolder reads tests/<slug>/ for each question that has one.
func (r *mdReader) testsFolder(qs []Question, origins []*mdOrigin) {
	entries, err := fs.ReadDir(r.fsys, path.Join(r.dir, "tests"))
	if err != nil {
		r.add("tests", 0, "", "cannot be read: %v", mdPathless(err))
		return
	}
	bySlug := map[string]int{}
	var slugs []string
	for i := range qs {
		if _, ok := bySlug[qs[i].Slug]; !ok {
			bySlug[qs[i].Slug] = i
			slugs = append(slugs, qs[i].Slug)
		}
	}
	for _, e := range entries {
		rel := "tests/" + e.Name()
		i, ok := bySlug[e.Name()]
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.Type()&fs.ModeSymlink != 0:
			r.add(rel, 0, "", "is a symbolic link; onsite does not follow links in a set folder, so copy the folder in instead")
		case !e.IsDir():
			r.add(rel, 0, "", "is a file; put each question's tests in a folder named after its slug, tests/<slug>/")
		case !ok:
			msg := "matches no question's slug; name the folder after the question whose tests it holds"
			if guess := closest(e.Name(), slugs); guess != "" {
				msg = fmt.Sprintf("matches no question's slug; did you mean tests/%s/?", guess)
			}
			r.add(rel, 0, "", "%s", msg)
		default:
			r.questionTests(rel, &qs[i], origins[i])
		}
		if r.full {
			return
		}
	}
}

// questionTests reads one question's tests/<slug>/: NAME.in with NAME.out
// (stdio mode) or NAME.json (any test, as JSON), in file name order; a NAME
// ending in -sample marks a sample.
func (r *mdReader) questionTests(dir string, q *Question, o *mdOrigin) {
	r.rank(r.display(dir))
	if line, ok := o.keys["tests"]; ok {
		r.add(o.file, line, "tests", "is given both in the front matter and as files in %s/; keep one", dir)
		o.dec.failed["tests"] = true
		return
	}
	entries, err := fs.ReadDir(r.fsys, path.Join(r.dir, dir))
	if err != nil {
		r.add(dir, 0, "", "cannot be read: %v", mdPathless(err))
		return
	}
	type files struct{ in, out, json fs.DirEntry }
	byStem := map[string]*files{}
	var stems []string
	kinds := map[string]bool{}
	for _, e := range entries {
		n, rel := e.Name(), dir+"/"+e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		r.rank(r.display(rel))
		if e.Type()&fs.ModeSymlink != 0 {
			r.add(rel, 0, "", "is a symbolic link; onsite does not follow links in a set folder, so copy the file in instead")
			continue
		}
		ext := path.Ext(n)
		stem := strings.TrimSuffix(n, ext)
		if e.IsDir() || stem == "" || (ext != ".in" && ext != ".out" && ext != ".json") {
			r.add(rel, 0, "", "is not a test file; name tests NAME.in with NAME.out (stdio mode) or NAME.json (function mode), NAME ending in %s for a sample", mdSampleSuffix)
			continue
		}
		f := byStem[stem]
		if f == nil {
			f = &files{}
			byStem[stem] = f
			stems = append(stems, stem)
		}
		switch ext {
		case ".in":
			f.in = e
			kinds["stdio"] = true
		case ".out":
			f.out = e
			kinds["stdio"] = true
		case ".json":
			f.json = e
			kinds["json"] = true
		}
	}
	if kinds["stdio"] && kinds["json"] {
		r.add(dir, 0, "", "mixes NAME.json tests (function mode) with NAME.in and NAME.out tests (stdio mode); use one kind")
		return
	}
	if len(stems) > mdMaxFiles {
		r.add(dir, 0, "", "holds %d tests; keep a question under %d", len(stems), mdMaxFiles)
		return
	}
	sort.Strings(stems)
	o.testsDir = dir
	var tests []Test
	for _, stem := range stems {
		f := byStem[stem]
		t := Test{Name: strings.TrimSuffix(stem, mdSampleSuffix)}
		t.Sample = stem == "sample" || strings.HasSuffix(stem, mdSampleSuffix)
		if f.json != nil {
			rel := dir + "/" + f.json.Name()
			data, ok := r.read(f.json, rel, MaxSetBytes)
			if !ok {
				continue
			}
			to, ok := r.jsonTest(rel, data, &t)
			if !ok {
				continue
			}
			tests = append(tests, t)
			o.tests = append(o.tests, to)
			continue
		}
		switch {
		case f.out == nil:
			r.add(dir+"/"+f.in.Name(), 0, "", "has no %s.out beside it; every input needs the output it expects", stem)
			continue
		case f.in == nil:
			r.add(dir+"/"+f.out.Name(), 0, "", "has no %s.in beside it; every expected output needs its input", stem)
			continue
		}
		in, okIn := r.read(f.in, dir+"/"+f.in.Name(), MaxSetBytes)
		out, okOut := r.read(f.out, dir+"/"+f.out.Name(), MaxSetBytes)
		if !okIn || !okOut {
			continue
		}
		t.Input, t.Output = string(in), string(out)
		tests = append(tests, t)
		o.tests = append(o.tests, mdTestOrigin{file: dir + "/" + f.in.Name()})
	}
	q.Tests = tests
}

// jsonTest reads a test written as JSON: {"args": [...], "expected": ...},
// or any other Test field. Its name and sample flag, when not given, come
// from the file name already in t.
func (r *mdReader) jsonTest(rel string, data []byte, t *Test) (mdTestOrigin, bool) {
	if err := json.Unmarshal(data, new(any)); err != nil {
		line := 1
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		}
		r.add(rel, line, "", "is not valid JSON: %v", err)
		return mdTestOrigin{}, false
	}
	doc, ok := r.parseYAML(rel, data, 0)
	if !ok {
		return mdTestOrigin{}, false
	}
	if doc == nil || doc.Kind != yaml.MappingNode {
		what := "nothing"
		line := 1
		if doc != nil {
			what, line = describe(doc), doc.Line
		}
		r.add(rel, line, "", "is %s, but a test is a JSON object such as {\"args\": [1, 2], \"expected\": 3}", what)
		return mdTestOrigin{}, false
	}
	name, sample := t.Name, t.Sample
	d := newDecoder()
	d.decode(doc, reflect.ValueOf(t).Elem(), "", doc.Line)
	for _, p := range d.problems {
		r.add(rel, p.Line, p.Path, "%s", p.Message)
	}
	if t.Name == "" {
		t.Name = name
	}
	t.Sample = t.Sample || sample
	return mdTestOrigin{file: rel, node: &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}, dec: d}, true
}

var mdQuestionRef = regexp.MustCompile(`questions\[(\d+)\]`)

// place puts a validation problem in the file and at the line where its
// field was written.
func (r *mdReader) place(p Problem, haveSetFile bool, setRoot *yaml.Node, origins []*mdOrigin) {
	refs := func(msg string) string {
		return mdQuestionRef.ReplaceAllStringFunc(msg, func(m string) string {
			i, _ := strconv.Atoi(mdQuestionRef.FindStringSubmatch(m)[1])
			if i < len(origins) {
				return r.display(origins[i].file)
			}
			return m
		})
	}
	rest, ok := strings.CutPrefix(p.Path, "questions[")
	if !ok {
		switch {
		case p.Path == "questions":
			r.add("", 0, "", "the folder has no questions; add one .md file per question")
		case haveSetFile && setRoot != nil && r.setDecoder.covers(p.Path):
		case haveSetFile && setRoot != nil:
			r.add("set.yaml", lineOf(setRoot, p.Path), p.Path, "%s", p.Message)
		case haveSetFile:
			// set.yaml could not be read; its problem is already listed.
		default:
			r.add("", 0, p.Path, "%s (there is no set.yaml, so the set is named after the folder; add a set.yaml with slug:, title: and version:)", p.Message)
		}
		return
	}
	end := strings.Index(rest, "]")
	i, err := strconv.Atoi(rest[:max(end, 0)])
	if end < 0 || err != nil || i >= len(origins) {
		r.add("", 0, p.Path, "%s", p.Message)
		return
	}
	o := origins[i]
	field := strings.TrimPrefix(rest[end+1:], ".")
	if o.dec.covers(field) {
		return
	}
	msg := refs(p.Message)
	top := field
	if j := strings.IndexAny(top, ".["); j >= 0 {
		top = top[:j]
	}
	if top == "tests" && o.testsDir != "" {
		r.placeTest(o, field, msg)
		return
	}
	line := 0
	if n, ok := o.sections[top]; ok {
		line = n
		if k, err := mdIndex(field, top); err == nil && k < len(o.items[top]) {
			line = o.items[top][k]
		}
	} else if _, ok := o.keys[top]; ok {
		line = lineOf(o.frontMatter, field) + 1
	} else if top == "prompt" || mdIsSectionField(top) {
		line = o.bodyLine
		if top != "prompt" {
			sec, _ := mdSectionForField(top)
			msg += fmt.Sprintf(" (write it under ## %s)", sec.heading)
		}
	} else if top == "tests" {
		line = mdFirstLine(o)
		msg += fmt.Sprintf(" (give tests: in the front matter, or files in tests/%s/)", o.slug)
	} else if top == "slug" && o.slugFromFile {
		msg += " (the slug is the file name; rename the file or give slug: in the front matter)"
	} else {
		line = mdFirstLine(o)
	}
	r.add(o.file, line, field, "%s", msg)
}

// mdFirstLine is where a problem about a field missing from the front
// matter goes: the front matter's first line.
func mdFirstLine(o *mdOrigin) int {
	if o.frontMatter == nil {
		return 1
	}
	return lineOf(o.frontMatter, "") + 1
}

// placeTest puts a validation problem about a test read from tests/<slug>/
// in that test's file.
func (r *mdReader) placeTest(o *mdOrigin, field, msg string) {
	k, err := mdIndex(field, "tests")
	if err != nil || k >= len(o.tests) {
		if field == "tests" && strings.Contains(msg, "sample") {
			msg += fmt.Sprintf(" (in %s/, name a sample test NAME%s.in and NAME%s.out, or NAME%s.json)", o.testsDir, mdSampleSuffix, mdSampleSuffix, mdSampleSuffix)
		}
		r.add(o.testsDir, 0, field, "%s", msg)
		return
	}
	t := o.tests[k]
	sub := strings.TrimPrefix(strings.TrimPrefix(field, fmt.Sprintf("tests[%d]", k)), ".")
	if t.dec != nil && t.dec.covers(sub) {
		return
	}
	line := 0
	if t.node != nil {
		line = lineOf(t.node, sub)
	}
	r.add(t.file, line, sub, "%s", msg)
}

// mdIndex reads k from a path such as hints[k] or tests[k].args.
func mdIndex(path, field string) (int, error) {
	rest, ok := strings.CutPrefix(path, field+"[")
	end := strings.Index(rest, "]")
	if !ok || end < 0 {
		return 0, errors.New("no index")
	}
	return strconv.Atoi(rest[:end])
}

func mdIsSectionField(field string) bool {
	_, ok := mdSectionForField(field)
	return ok
}

func mdSectionForField(field string) (mdSection, bool) {
	for _, s := range mdSections {
		if s.field == field {
			return s, true
		}
	}
	return mdSection{}, false
}

// MarshalMarkdown writes a set as a Markdown folder, the inverse of
// ParseMarkdownDir: file contents keyed by slash-separated paths relative to
// the folder, set.yaml and one <slug>.md per question. When the slugs do not
// sort in the set's order the files are numbered (01-<slug>.md, with the
// slug in the front matter) so that reading them back keeps the order.
//
// The prompt becomes the text after the front matter and every other prose
// field a section, except a text that would not read back exactly (one
// holding a level-2 heading, or without the single final newline a YAML |
// block has): that one stays in the front matter, as do tests, code and
// every other field. Each file is read back before it is returned, so the
// export loses nothing or fails.
func MarshalMarkdown(s *Set) (map[string][]byte, error) {
	head, err := mdNode(s)
	if err != nil {
		return nil, fmt.Errorf("encode set %s: %w", s.Slug, err)
	}
	mdDropKey(head, "questions")
	setYAML, err := mdEncodeYAML(head)
	if err != nil {
		return nil, fmt.Errorf("encode set %s: %w", s.Slug, err)
	}
	files := map[string][]byte{"set.yaml": setYAML}

	stems, err := mdStems(s.Questions)
	if err != nil {
		return nil, fmt.Errorf("export set %s: %w", s.Slug, err)
	}
	for i := range s.Questions {
		data, err := mdQuestionMarkdown(&s.Questions[i], stems[i])
		if err != nil {
			return nil, fmt.Errorf("export set %s: question %s: %w", s.Slug, s.Questions[i].Slug, err)
		}
		files[stems[i]+".md"] = data
	}
	return files, nil
}

// mdStems names the question files (without .md): the slugs when they sort
// in the set's order, otherwise the slugs numbered from 01.
func mdStems(qs []Question) ([]string, error) {
	seen := map[string]bool{}
	ordered := true
	for i := range qs {
		slug := qs[i].Slug
		if msg := checkSlug(slug); msg != "" {
			return nil, fmt.Errorf("questions[%d]: the slug names its file, but it %s", i, msg)
		}
		if seen[slug] {
			return nil, fmt.Errorf("questions[%d]: two questions have the slug %q", i, slug)
		}
		seen[slug] = true
		if (i > 0 && slug+".md" <= qs[i-1].Slug+".md") || strings.EqualFold(slug, "readme") {
			ordered = false
		}
	}
	stems := make([]string, len(qs))
	width := max(2, len(strconv.Itoa(len(qs))))
	for i := range qs {
		stems[i] = qs[i].Slug
		if !ordered {
			stems[i] = fmt.Sprintf("%0*d-%s", width, i+1, qs[i].Slug)
		}
	}
	return stems, nil
}

// mdQuestionMarkdown writes one question file and checks that it reads back
// as the same question; when the sections do not, it writes every field in
// the front matter instead.
func mdQuestionMarkdown(q *Question, stem string) ([]byte, error) {
	want := mdComparable(q)
	for _, sections := range []bool{true, false} {
		data, err := mdRenderQuestion(q, stem, sections)
		if err != nil {
			return nil, err
		}
		r := newMDReader(nil, ".", "")
		back, _ := r.questionFile(stem+".md", data)
		if back != nil && len(r.problems) == 0 && mdComparable(back) == want {
			return data, nil
		}
	}
	return nil, errors.New("it cannot be written as Markdown and read back unchanged")
}

// mdComparable is what a question's author wrote, for comparing a question
// with what its file reads back as.
func mdComparable(q *Question) string {
	c := *q
	if c.Function != nil {
		f := *c.Function
		c.Function = &f
	}
	c.normalize()
	return c.Hash()
}

func mdRenderQuestion(q *Question, stem string, sections bool) ([]byte, error) {
	fm, err := mdNode(q)
	if err != nil {
		return nil, err
	}
	if q.Slug == stem {
		mdDropKey(fm, "slug")
	}
	var body strings.Builder
	if sections && mdBodySafe(q.Prompt) {
		mdDropKey(fm, "prompt")
		if q.Prompt != "" {
			body.WriteString("\n")
			body.WriteString(q.Prompt)
		}
	}
	if sections {
		v := reflect.ValueOf(q).Elem()
		fields := fieldsOf(mdQuestionType)
		for _, sec := range mdSections {
			f := v.FieldByIndex(fields.index[sec.field])
			if f.Len() == 0 {
				continue
			}
			content := mdSectionContent(f)
			if !mdSectionSafe(sec, f, content) {
				continue
			}
			mdDropKey(fm, sec.field)
			body.WriteString("\n## " + sec.heading + "\n\n")
			body.WriteString(content)
		}
	}
	front, err := mdEncodeYAML(fm)
	if err != nil {
		return nil, err
	}
	return []byte("---\n" + string(front) + "---\n" + body.String()), nil
}

// mdSectionContent writes a section's text, or its list one "- " item at a
// time with the item's further lines indented by two spaces.
func mdSectionContent(f reflect.Value) string {
	if f.Kind() == reflect.String {
		return f.String()
	}
	var b strings.Builder
	for _, item := range f.Interface().([]string) {
		for j, l := range strings.Split(item, "\n") {
			switch {
			case j == 0 && l == "":
				b.WriteString("-\n")
			case j == 0:
				b.WriteString("- " + l + "\n")
			case l == "":
				b.WriteString("\n")
			default:
				b.WriteString("  " + l + "\n")
			}
		}
	}
	return b.String()
}

// mdSentinel follows a text being checked: the text reads back whole only
// if the sentinel is still seen as the next section (no code fence left
// open, no level-2 heading of its own).
const mdSentinel = "## \x00sentinel\n"

// mdReadBack splits a text as questionFile does.
func mdReadBack(text string) []mdPart {
	return mdSplit(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), 1)
}

func mdBodySafe(prompt string) bool {
	parts := mdReadBack(prompt + "\n" + mdSentinel)
	text, _ := mdText(parts[0].lines, 1)
	return len(parts) == 2 && text == prompt
}

func mdSectionSafe(sec mdSection, f reflect.Value, content string) bool {
	parts := mdReadBack("## " + sec.heading + "\n\n" + content + "\n" + mdSentinel)
	if len(parts) != 3 {
		return false
	}
	if f.Kind() == reflect.String {
		text, _ := mdText(parts[1].lines, 1)
		return text == f.String()
	}
	items, _, stray := mdItems(parts[1].lines, 1)
	return stray == 0 && reflect.DeepEqual(items, f.Interface())
}

// mdNode encodes a value as MarshalYAML does and returns its node tree
// to edit. yaml.Node.Encode is not used: it indents by four spaces, and
// yaml.v3 cannot read back some of the literal blocks it writes that way.
func mdNode(v any) (*yaml.Node, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &root); err != nil {
		return nil, err
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a mapping")
	}
	return root.Content[0], nil
}

// mdDropKey removes a key and its value from a mapping node.
func mdDropKey(n *yaml.Node, key string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			return
		}
	}
}

func mdEncodeYAML(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
