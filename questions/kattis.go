package questions

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// FormatKattis names Kattis / ICPC problem packages in a set's Format field.
const FormatKattis = "kattis"

// Limits on a Kattis problem package, so that a package cannot make the
// import read without end: one test file, all of one problem's test data,
// and the files looked at in one import.
const (
	MaxKattisTestBytes = 16 << 20
	MaxKattisDataBytes = 256 << 20
	MaxKattisFiles     = 50_000
)

// Limits on the other files of a package, which are text a person wrote.
const (
	kattisYAMLBytes      = 1 << 20
	kattisStatementBytes = 1 << 20
	kattisSolutionBytes  = 256 << 10
)

// kattisUngradable is why an imported problem with its own output
// validator cannot be judged.
const kattisUngradable = "This problem checks answers with its own output validator, which onsite cannot run yet; read it and practise, but submissions are not judged."

// kattisUngradableNote opens the prompt of such a problem.
const kattisUngradableNote = "> **Note:** this problem checks answers with its own output validator, which onsite cannot run yet. Read it and practise, but submissions are not judged."

// kattisLanguages maps the extensions of accepted submissions to onsite's
// languages.
var kattisLanguages = map[string]string{
	".py": "python", ".py3": "python", ".js": "javascript", ".go": "go", ".java": "java",
	".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".c++": "cpp", ".c": "c", ".rs": "rust", ".ts": "typescript",
}

// kattisLicenses maps the package format's license values to the names
// onsite's sets use.
var kattisLicenses = map[string]string{
	"public domain": "public domain", "cc0": "CC0-1.0", "cc by": "CC-BY-4.0", "cc by-sa": "CC-BY-SA-4.0",
	"educational": "educational use", "permission": "used with permission", "unknown": "unknown",
}

// ParseKattis reads a Kattis / ICPC problem package, or a directory of them,
// rooted at dir inside fsys ("." for the root). name is how problems name the
// source in messages (the path or file name the user gave).
//
// Both the legacy layout (problem_statement/, validator_flags) and the
// 2023-07 and 2025-09 layouts (statement/, output_validator_args) are read.
// Each package becomes a stdio coding question: the statement (Markdown, or
// LaTeX turned into Markdown), data/sample and data/secret as sample and
// hidden tests, the default output validator's flags as the comparator,
// the limits, and one accepted submission per language as solutions. A
// problem with its own output validator is imported but marked ungradable;
// an interactive one is refused. Every problem in every package is
// reported at once, as name/path:line: field: problem; what was read but
// left out is listed in the set's description.
//
// The notes say what it read but left out, or changed on the way in, one
// sentence each, for the import's report.
func ParseKattis(fsys fs.FS, dir, name string) (*Set, []string, error) {
	k := &kattisImport{fsys: fsys, name: name}
	set := k.read(dir)
	if len(k.problems) > 0 {
		return nil, nil, &ValidationError{Problems: k.problems}
	}
	return set, k.notes, nil
}

// kattisImport collects the problems and notes of one import.
type kattisImport struct {
	fsys     fs.FS
	name     string
	problems []Problem
	notes    []string
	walked   int
}

// kattisPackage is one problem package being read.
type kattisPackage struct {
	dir    string // in fsys
	prefix string // before paths in messages: "" or "hello/"
	short  string // the short name, from the folder
	files  map[string]bool
	dirs   map[string]bool
	before int // len(problems) when reading began
}

// file names path (relative to the package) in messages.
func (k *kattisImport) file(p *kattisPackage, rel string) string {
	rel = p.prefix + rel
	switch {
	case k.name == "":
		return rel
	case rel == "":
		return k.name
	}
	return strings.TrimSuffix(k.name, "/") + "/" + rel
}

func (k *kattisImport) bad(file string, line int, field, format string, args ...any) {
	k.problems = append(k.problems, Problem{File: file, Line: line, Path: field, Message: fmt.Sprintf(format, args...)})
}

func (k *kattisImport) note(p *kattisPackage, format string, args ...any) {
	k.notes = append(k.notes, p.short+": "+fmt.Sprintf(format, args...))
}

// read finds the packages at dir and reads each into a question.
func (k *kattisImport) read(dir string) *Set {
	if dir == "" {
		dir = "."
	}
	dir = path.Clean(dir)
	if !fs.ValidPath(dir) {
		k.bad(k.name, 0, "", "%q is not a folder inside the package; name a folder such as . or hello", dir)
		return nil
	}
	entries, err := fs.ReadDir(k.fsys, dir)
	if err != nil {
		k.bad(k.name, 0, "", "cannot be read as a folder: %v", kattisError(err))
		return nil
	}
	var packages []*kattisPackage
	if kattisHas(entries, "problem.yaml") {
		short := path.Base(dir)
		if dir == "." {
			short = kattisBaseName(k.name)
		}
		packages = append(packages, &kattisPackage{dir: dir, short: short})
	} else {
		for _, e := range entries {
			n := e.Name()
			if strings.HasPrefix(n, ".") || n == "__MACOSX" {
				continue
			}
			if e.Type()&fs.ModeSymlink != 0 {
				k.bad(k.file(&kattisPackage{}, n), 0, "", "is a symbolic link; onsite does not follow links in a package: put the folder itself here")
				continue
			}
			if !e.IsDir() {
				continue
			}
			sub, err := fs.ReadDir(k.fsys, path.Join(dir, n))
			if err == nil && kattisHas(sub, "problem.yaml") {
				packages = append(packages, &kattisPackage{dir: path.Join(dir, n), prefix: n + "/", short: n})
			}
		}
		if len(packages) == 0 && len(k.problems) == 0 {
			k.bad(k.name, 0, "", "holds no problem.yaml: a Kattis problem package has problem.yaml at its top, and a contest folder holds one package per subfolder")
		}
	}
	var qs []Question
	var from []string
	for _, p := range packages {
		if q := k.readPackage(p); q != nil {
			qs = append(qs, *q)
			from = append(from, strings.TrimSuffix(p.prefix, "/"))
		}
	}
	if len(qs) == 0 {
		return nil // every package has problems, reported
	}

	set := &Set{Version: 1, Format: FormatKattis, Questions: qs}
	if len(packages) == 1 && packages[0].prefix == "" {
		if len(qs) == 1 {
			set.Slug, set.Title = qs[0].Slug, qs[0].Title
		}
		set.Description = "Imported from the Kattis problem package " + packages[0].short + "."
	} else {
		base := path.Base(dir)
		if dir == "." {
			base = kattisBaseName(k.name)
		}
		set.Title = firstNonEmpty(base, "Kattis problems")
		set.Slug = firstNonEmpty(slugify(base, 60), "kattis")
		set.Description = fmt.Sprintf("Imported from %s, a folder of %s.", set.Title, count(len(packages), "Kattis problem package"))
	}
	for _, pr := range set.Validate() {
		pr.File = k.name
		if i, ok := kattisQuestionIndex(pr.Path); ok && i < len(from) && from[i] != "" {
			pr.File = k.file(&kattisPackage{}, from[i])
		}
		k.problems = append(k.problems, pr)
	}
	return set
}

var kattisIndexPattern = regexp.MustCompile(`^questions\[(\d+)\]`)

// kattisQuestionIndex is the question a validation problem's path is in.
func kattisQuestionIndex(p string) (int, bool) {
	m := kattisIndexPattern.FindStringSubmatch(p)
	if m == nil {
		return 0, false
	}
	i, err := strconv.Atoi(m[1])
	return i, err == nil
}

// kattisBaseName is the last element of a path the user gave, without a
// .zip or .kpp extension: the short name of a package given as an archive.
func kattisBaseName(name string) string {
	base := path.Base(strings.TrimRight(filepath.ToSlash(name), "/"))
	if base == "." || base == "/" {
		return ""
	}
	for _, ext := range []string{".zip", ".kpp"} {
		if len(base) > len(ext) && strings.EqualFold(base[len(base)-len(ext):], ext) {
			return base[:len(base)-len(ext)]
		}
	}
	return base
}

func kattisHas(entries []fs.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name {
			return true
		}
	}
	return false
}

// kattisError drops the operation and path from a file system error, which
// the problem's file already names.
func kattisError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// kattisWalked are the parts of a package onsite reads; everything else
// (input validators, generators, attachments) is left alone.
var kattisWalked = []string{"data", "statement", "problem_statement", "submissions", "output_validator", "output_validators"}

// walk lists the files of the parts of the package onsite reads, refusing
// symbolic links, and skipping hidden files as the format says.
func (k *kattisImport) walk(p *kattisPackage) {
	p.files, p.dirs = map[string]bool{}, map[string]bool{}
	top, err := fs.ReadDir(k.fsys, p.dir)
	if err != nil {
		k.bad(k.file(p, ""), 0, "", "cannot be read as a folder: %v", kattisError(err))
		return
	}
	for _, e := range top {
		n := e.Name()
		switch {
		case n == "problem.yaml":
			k.record(p, n, e)
		case slices.Contains(kattisWalked, n):
			if e.Type()&fs.ModeSymlink != 0 {
				k.record(p, n, e) // reported; WalkDir would follow it
				continue
			}
			k.walkTree(p, n)
		}
	}
}

// walkTree records the files under rel.
func (k *kattisImport) walkTree(p *kattisPackage, rel string) {
	root := path.Join(p.dir, rel)
	_ = fs.WalkDir(k.fsys, root, func(full string, d fs.DirEntry, err error) error {
		r := rel
		if full != root {
			r = rel + "/" + strings.TrimPrefix(full, root+"/")
		}
		if err != nil {
			k.bad(k.file(p, r), 0, "", "cannot be read: %v", kattisError(err))
			return nil
		}
		if full != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() && kattisSkipped(r) {
			return fs.SkipDir
		}
		if !k.record(p, r, d) {
			return fs.SkipAll
		}
		return nil
	})
}

// kattisSkipped reports whether a folder holds nothing onsite reads: test
// data for validators, rejected submissions, statement subfolders.
func kattisSkipped(rel string) bool {
	parts := strings.Split(rel, "/")
	switch parts[0] {
	case "data":
		return len(parts) >= 2 && parts[1] != "sample" && parts[1] != "secret"
	case "submissions":
		return len(parts) >= 2 && parts[1] != "accepted"
	case "statement", "problem_statement":
		return len(parts) >= 2
	}
	return false
}

// record notes one entry of the package; it returns false when the
// package holds too many files to go on.
func (k *kattisImport) record(p *kattisPackage, rel string, d fs.DirEntry) bool {
	k.walked++
	if k.walked > MaxKattisFiles {
		if k.walked == MaxKattisFiles+1 {
			k.bad(k.file(p, ""), 0, "", "holds more than %d files in its data, statement and submissions; split it", MaxKattisFiles)
		}
		return false
	}
	switch t := d.Type(); {
	case t&fs.ModeSymlink != 0:
		k.bad(k.file(p, rel), 0, "", "is a symbolic link; onsite does not follow links in a package: put the file itself here")
	case d.IsDir():
		p.dirs[rel] = true
	case t.IsRegular():
		p.files[rel] = true
	default:
		k.bad(k.file(p, rel), 0, "", "is not a regular file (%v); a package holds only files and folders", t)
	}
	return true
}

// readFile reads a file of the package, up to limit bytes; big reports
// that it holds more.
func (k *kattisImport) readFile(p *kattisPackage, rel string, limit int64) (data []byte, big bool, err error) {
	f, err := k.fsys.Open(path.Join(p.dir, rel))
	if err != nil {
		return nil, false, kattisError(err)
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, false, kattisError(err)
	}
	if int64(len(data)) > limit {
		return nil, true, nil
	}
	return data, false, nil
}

// kattisMeta is what problem.yaml says that onsite uses.
type kattisMeta struct {
	legacy     bool
	name       string
	source     string
	license    string
	keywords   []string
	timeMS     int
	memoryMB   int
	custom     bool
	refused    bool
	constants  map[string]string
	validators []kattisArgs
}

// kattisArgs are output validator arguments and where they were given.
type kattisArgs struct {
	file  string // as in messages
	line  int
	field string
	args  []string
}

// readPackage reads one package; it returns nil when the package has
// problems.
func (k *kattisImport) readPackage(p *kattisPackage) *Question {
	p.before = len(k.problems)
	k.walk(p)
	if !p.files["problem.yaml"] {
		return nil // a symbolic link or an unreadable folder, reported
	}
	meta := k.readMeta(p)
	if meta == nil || meta.refused {
		return nil // one problem says why
	}
	q := &Question{Kind: KindCoding, Difficulty: Medium, Coding: Coding{Mode: ModeStdio}}
	q.Slug = p.short
	if checkSlug(q.Slug) != "" {
		q.Slug = firstNonEmpty(slugify(p.short, MaxSlugLength), "problem")
		k.note(p, "the folder name %q is not a Kattis short name (lowercase letters and digits); the question's slug is %q", p.short, q.Slug)
	}
	statement, statementName := k.readStatement(p, meta)
	q.Title = oneLine(firstNonEmpty(meta.name, statementName, p.short))
	q.Prompt = statement
	q.Topics = meta.keywords
	q.Source = meta.source
	q.License = meta.license
	if meta.timeMS > 0 || meta.memoryMB > 0 {
		q.Limits = &Limits{TimeMS: meta.timeMS, MemoryMB: meta.memoryMB}
	}
	if meta.custom || k.hasContent(p, "output_validator") || k.hasContent(p, "output_validators") {
		q.Ungradable = kattisUngradable
		q.Prompt = kattisUngradableNote + "\n\n" + q.Prompt
		k.note(p, "checks answers with its own output validator; it was imported to read and practise, but submissions are not judged")
	}
	q.Tests = k.readTests(p)
	if q.Ungradable == "" {
		q.Comparator = k.comparator(p, meta, q.Tests)
	}
	q.Solutions = k.readSolutions(p)
	if len(k.problems) > p.before {
		// By file and line, as an author fixes them.
		slices.SortStableFunc(k.problems[p.before:], func(a, b Problem) int {
			if c := strings.Compare(a.File, b.File); c != 0 {
				return c
			}
			return a.Line - b.Line
		})
		return nil
	}
	return q
}

// hasContent reports whether the package has a file under dir.
func (k *kattisImport) hasContent(p *kattisPackage, dir string) bool {
	for f := range p.files {
		if strings.HasPrefix(f, dir+"/") {
			return true
		}
	}
	return false
}

// readYAML reads and parses a small YAML file of a package (problem.yaml,
// testdata.yaml), reporting why it cannot; ok is false then.
func (k *kattisImport) readYAML(p *kattisPackage, rel string) (root yaml.Node, ok bool) {
	file := k.file(p, rel)
	data, big, err := k.readFile(p, rel, kattisYAMLBytes)
	switch {
	case err != nil:
		k.bad(file, 0, "", "cannot be read: %v", err)
		return root, false
	case big:
		k.bad(file, 0, "", "is larger than %s; it holds a few settings", byteSize(kattisYAMLBytes))
		return root, false
	case !utf8.Valid(data):
		k.bad(file, 0, "", "is not valid UTF-8 (byte offset %d); save it as UTF-8", firstInvalidUTF8(data))
		return root, false
	}
	if err := yaml.Unmarshal(data, &root); err != nil {
		pr := syntaxProblem(data, err)
		if strings.Contains(err.Error(), "excessive aliasing") {
			pr.Message = "YAML aliases expand too far (a \"billion laughs\"); write the values out instead of repeating anchors"
		}
		k.bad(file, pr.Line, "", "%s", pr.Message)
		return root, false
	}
	return root, true
}

// readMeta reads problem.yaml; it returns nil when the file cannot be read
// at all.
func (k *kattisImport) readMeta(p *kattisPackage) *kattisMeta {
	file := k.file(p, "problem.yaml")
	root, ok := k.readYAML(p, "problem.yaml")
	if !ok {
		return nil
	}
	doc := &yaml.Node{Kind: yaml.MappingNode}
	if len(root.Content) > 0 {
		doc = kattisResolve(root.Content[0])
	}
	if isNull(doc) {
		doc = &yaml.Node{Kind: yaml.MappingNode}
	}
	if doc.Kind != yaml.MappingNode {
		k.bad(file, doc.Line, "", "problem.yaml holds keys such as name: and limits:, not %s", describe(doc))
		return nil
	}
	m := &kattisMeta{constants: map[string]string{}}
	get := func(key string) (*yaml.Node, *yaml.Node) { return kattisGet(doc, key) }

	version := ""
	if kn, v := get("problem_format_version"); v != nil {
		s, ok := kattisScalar(v)
		if !ok {
			k.bad(file, kn.Line, "problem_format_version", "is %s; use a version such as 2023-07 or legacy", describe(v))
		}
		version = s
	}
	m.legacy = version == "" || strings.HasPrefix(version, "legacy")

	if kn, v := get("name"); v != nil {
		m.name = k.metaName(file, kn, v)
	}
	if _, v := get("constants"); v != nil && v.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(v.Content); i += 2 {
			if s, ok := kattisScalar(kattisResolve(v.Content[i+1])); ok {
				m.constants[v.Content[i].Value] = s
			}
		}
	}
	k.metaType(p, file, m, doc)
	if m.refused {
		return m
	}
	m.source = k.metaSource(file, doc)
	if _, v := get("license"); v != nil {
		if s, ok := kattisScalar(v); ok && s != "" {
			m.license = s
			if l, ok := kattisLicenses[strings.ToLower(s)]; ok {
				m.license = l
			}
		}
	}
	if _, v := get("rights_owner"); v != nil {
		if s, ok := kattisScalar(v); ok && strings.TrimSpace(s) != "" {
			m.license = strings.TrimSpace(firstNonEmpty(m.license, "unknown license") + " (rights owner: " + oneLine(s) + ")")
		}
	}
	if kn, v := get("keywords"); v != nil {
		m.keywords = k.metaKeywords(file, kn, v)
	}
	if kn, v := get("limits"); v != nil {
		k.metaLimits(p, file, kn, v, m)
	}
	for _, key := range []string{"validator_flags", "output_validator_args", "output_validator_flags"} {
		if kn, v := get(key); v != nil {
			if args, ok := k.argList(file, kn, key, v); ok {
				m.validators = append(m.validators, kattisArgs{file: file, line: kn.Line, field: key, args: args})
			}
		}
	}
	return m
}

// metaName reads name: a string, or a map from language codes to names
// (English preferred).
func (k *kattisImport) metaName(file string, kn, v *yaml.Node) string {
	if s, ok := kattisScalar(v); ok {
		return strings.TrimSpace(s)
	}
	if v.Kind != yaml.MappingNode {
		k.bad(file, kn.Line, "name", "is %s; use the problem's name, or a map from language codes to names (en: Hello World)", describe(v))
		return ""
	}
	var first, english string
	for i := 0; i+1 < len(v.Content); i += 2 {
		lang := v.Content[i].Value
		s, ok := kattisScalar(kattisResolve(v.Content[i+1]))
		if !ok {
			k.bad(file, v.Content[i].Line, "name."+lang, "is %s; use the problem's name in that language", describe(kattisResolve(v.Content[i+1])))
			continue
		}
		if first == "" {
			first = s
		}
		if english == "" && (lang == "en" || strings.HasPrefix(lang, "en-")) {
			english = s
		}
	}
	return strings.TrimSpace(firstNonEmpty(english, first))
}

// metaType reads type (2023-07 and later) and validation (legacy): how the
// problem is judged.
func (k *kattisImport) metaType(p *kattisPackage, file string, m *kattisMeta, doc *yaml.Node) {
	refuse := func(line int, field, kind, why string) {
		k.bad(file, line, field, "%s problems cannot be imported: %s", kind, why)
		m.refused = true
	}
	const interactive = "onsite runs a submission on fixed input and compares its output; it has no program to talk to it"
	if kn, v := kattisGet(doc, "type"); v != nil {
		var types []string
		if s, ok := kattisScalar(v); ok {
			types = strings.Fields(s)
		} else if v.Kind == yaml.SequenceNode {
			for _, item := range v.Content {
				if s, ok := kattisScalar(kattisResolve(item)); ok {
					types = append(types, s)
				}
			}
		} else {
			k.bad(file, kn.Line, "type", "is %s; use pass-fail, scoring, or a list of types", describe(v))
		}
		for _, t := range types {
			switch t {
			case "pass-fail":
			case "scoring":
				k.note(p, "is a scoring problem; onsite judges it pass or fail, all tests or nothing")
			case "interactive":
				refuse(kn.Line, "type", "interactive", interactive)
			case "multi-pass":
				refuse(kn.Line, "type", "multi-pass", "onsite runs a submission once per test, with no validator to feed it the next pass")
			case "submit-answer":
				refuse(kn.Line, "type", "submit-answer", "onsite judges programs, not answer files")
			default:
				k.bad(file, kn.Line, "type", "%q is not a problem type; use pass-fail or scoring", t)
			}
		}
	}
	kn, v := kattisGet(doc, "validation")
	if v == nil {
		return
	}
	if s, ok := kattisScalar(v); ok {
		words := strings.Fields(s)
		switch {
		case len(words) == 0 || words[0] == "default":
		case words[0] == "custom":
			m.custom = true
			if slices.Contains(words, "interactive") {
				refuse(kn.Line, "validation", "interactive", interactive)
			}
		default:
			k.bad(file, kn.Line, "validation", "%q is not a validation; use default or custom", s)
		}
		return
	}
	if v.Kind == yaml.MappingNode {
		// A draft of the format: validation: {interactive: true, ...}.
		m.custom = true
		for i := 0; i+1 < len(v.Content); i += 2 {
			key, val := v.Content[i].Value, kattisResolve(v.Content[i+1])
			if (key == "interactive" || key == "interaction") && val.Value == "true" {
				refuse(v.Content[i].Line, "validation."+key, "interactive", interactive)
			}
		}
		return
	}
	k.bad(file, kn.Line, "validation", "is %s; use default or custom", describe(v))
}

// metaSource reads source (a string, a map with name and url, or a list of
// those), source_url, author and credits into one line of credit.
func (k *kattisImport) metaSource(file string, doc *yaml.Node) string {
	var parts []string
	entry := func(n *yaml.Node) {
		n = kattisResolve(n)
		if s, ok := kattisScalar(n); ok && strings.TrimSpace(s) != "" {
			parts = append(parts, oneLine(s))
			return
		}
		if n.Kind == yaml.MappingNode {
			_, name := kattisGet(n, "name")
			_, url := kattisGet(n, "url")
			s, _ := kattisScalar(name)
			u, _ := kattisScalar(url)
			if s = oneLine(s); s != "" && u != "" {
				s += " (" + strings.TrimSpace(u) + ")"
			}
			if s = firstNonEmpty(s, strings.TrimSpace(u)); s != "" {
				parts = append(parts, s)
			}
		}
	}
	if _, v := kattisGet(doc, "source"); v != nil {
		if v.Kind == yaml.SequenceNode {
			for _, item := range v.Content {
				entry(item)
			}
		} else {
			entry(v)
		}
	}
	if _, v := kattisGet(doc, "source_url"); v != nil && len(parts) == 1 {
		if u, ok := kattisScalar(v); ok && strings.TrimSpace(u) != "" {
			parts[0] += " (" + strings.TrimSpace(u) + ")"
		}
	}
	var authors []string
	if _, v := kattisGet(doc, "author"); v != nil {
		if s, ok := kattisScalar(v); ok && strings.TrimSpace(s) != "" {
			authors = append(authors, oneLine(s))
		}
	}
	if _, v := kattisGet(doc, "credits"); v != nil {
		if s, ok := kattisScalar(v); ok {
			authors = append(authors, kattisPersons(&yaml.Node{Kind: yaml.ScalarNode, Value: s})...)
		} else if v.Kind == yaml.MappingNode {
			_, a := kattisGet(v, "authors")
			authors = append(authors, kattisPersons(a)...)
		}
	}
	if len(authors) > 0 {
		parts = append(parts, "by "+strings.Join(authors, ", "))
	}
	return strings.Join(parts, ", ")
}

// kattisPersons reads a person or a list of persons: "Name <email>", or a
// map with name.
func kattisPersons(n *yaml.Node) []string {
	n = kattisResolve(n)
	if n == nil {
		return nil
	}
	var items []*yaml.Node
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	} else {
		items = []*yaml.Node{n}
	}
	var out []string
	for _, item := range items {
		item = kattisResolve(item)
		s, ok := kattisScalar(item)
		if !ok && item.Kind == yaml.MappingNode {
			_, name := kattisGet(item, "name")
			s, _ = kattisScalar(name)
		}
		if i := strings.Index(s, "<"); i > 0 {
			s = s[:i] // the email is not credit
		}
		if s = oneLine(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// metaKeywords reads keywords (a space-separated string in the legacy
// layout, a list later) as topic slugs.
func (k *kattisImport) metaKeywords(file string, kn, v *yaml.Node) []string {
	var words []string
	if s, ok := kattisScalar(v); ok {
		words = strings.Fields(s)
	} else if v.Kind == yaml.SequenceNode {
		for i, item := range v.Content {
			s, ok := kattisScalar(kattisResolve(item))
			if !ok {
				k.bad(file, item.Line, fmt.Sprintf("keywords[%d]", i), "is %s; a keyword is a word or two", describe(kattisResolve(item)))
				break
			}
			words = append(words, s)
		}
	} else {
		k.bad(file, kn.Line, "keywords", "is %s; use a list of words", describe(v))
	}
	var topics []string
	for _, w := range words {
		if t := slugify(w, 60); t != "" && !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	return topics
}

// metaLimits reads limits: time_limit (seconds) and memory (MiB), clamped
// to what onsite runs.
func (k *kattisImport) metaLimits(p *kattisPackage, file string, kn, v *yaml.Node, m *kattisMeta) {
	if v.Kind != yaml.MappingNode {
		if !isNull(v) {
			k.bad(file, kn.Line, "limits", "is %s; use a map such as {time_limit: 2, memory: 512}", describe(v))
		}
		return
	}
	number := func(key, unit string) (float64, bool) {
		tk, tv := kattisGet(v, key)
		if tv == nil {
			return 0, false
		}
		s, _ := kattisScalar(tv)
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if tv.Kind != yaml.ScalarNode || err != nil || !(x > 0) {
			k.bad(file, tk.Line, "limits."+key, "is %s; use a number of %s above 0", describe(tv), unit)
			return 0, false
		}
		return x, true
	}
	if s, ok := number("time_limit", "seconds"); ok {
		ms := int(math.Round(math.Min(s, 3600) * 1000))
		switch {
		case ms < 100:
			k.note(p, "the time limit of %g s is below onsite's least, 0.1 s; it is 0.1 s here", s)
			ms = 100
		case ms > 60000:
			k.note(p, "the time limit of %g s is above onsite's most, 60 s; it is 60 s here", s)
			ms = 60000
		}
		m.timeMS = ms
	}
	if mb, ok := number("memory", "MiB"); ok {
		n := int(math.Ceil(math.Min(mb, 1<<20)))
		switch {
		case n < 16:
			k.note(p, "the memory limit of %g MiB is below onsite's least, 16 MB; it is 16 MB here", mb)
			n = 16
		case n > 4096:
			k.note(p, "the memory limit of %g MiB is above onsite's most, 4096 MB; it is 4096 MB here", mb)
			n = 4096
		}
		m.memoryMB = n
	}
}

// argList reads validator arguments: a string of words or a list.
func (k *kattisImport) argList(file string, kn *yaml.Node, field string, v *yaml.Node) ([]string, bool) {
	if isNull(v) {
		return nil, true
	}
	if s, ok := kattisScalar(v); ok {
		return strings.Fields(s), true
	}
	if v.Kind == yaml.SequenceNode {
		var args []string
		for i, item := range v.Content {
			s, ok := kattisScalar(kattisResolve(item))
			if !ok {
				k.bad(file, item.Line, fmt.Sprintf("%s[%d]", field, i), "is %s; an argument is a word or a number", describe(kattisResolve(item)))
				return nil, false
			}
			args = append(args, strings.Fields(s)...)
		}
		return args, true
	}
	k.bad(file, kn.Line, field, "is %s; use the flags as a string or a list, such as float_tolerance 1e-6", describe(v))
	return nil, false
}

// readStatement reads the problem statement: Markdown as it is, LaTeX
// turned into Markdown. It returns the Markdown and the name the statement
// gives, if any.
func (k *kattisImport) readStatement(p *kattisPackage, meta *kattisMeta) (string, string) {
	dirs := []string{"statement", "problem_statement"}
	if meta.legacy {
		dirs = []string{"problem_statement", "statement"}
	}
	var rel string
	for _, d := range dirs {
		for _, n := range []string{"problem.en.md", "problem.md", "problem.en.tex", "problem.tex"} {
			if rel == "" && p.files[d+"/"+n] {
				rel = d + "/" + n
			}
		}
	}
	var others []string
	for _, d := range dirs {
		for f := range p.files {
			if dir, n, _ := strings.Cut(f, "/"); dir == d && strings.HasPrefix(n, "problem.") && !strings.Contains(n, "/") {
				others = append(others, f)
			}
		}
	}
	slices.Sort(others)
	if rel == "" {
		for _, f := range others {
			if rel == "" && (strings.HasSuffix(f, ".md") || strings.HasSuffix(f, ".tex")) {
				rel = f
				k.note(p, "has no English statement; the question uses %s", f)
			}
		}
	}
	if rel == "" {
		where := dirs[0] + "/"
		if len(others) > 0 {
			k.bad(k.file(p, others[0]), 0, "", "is the only statement, and onsite reads statements in Markdown (.md) or LaTeX (.tex); add %sproblem.en.md", where)
		} else {
			k.bad(k.file(p, where), 0, "", "holds no problem statement; add %sproblem.en.md (Markdown) or %sproblem.en.tex (LaTeX)", where, where)
		}
		return "", ""
	}
	data, big, err := k.readFile(p, rel, kattisStatementBytes)
	switch {
	case err != nil:
		k.bad(k.file(p, rel), 0, "", "cannot be read: %v", err)
		return "", ""
	case big:
		k.bad(k.file(p, rel), 0, "", "is larger than %s; a statement is a page or two", byteSize(kattisStatementBytes))
		return "", ""
	case !utf8.Valid(data):
		k.bad(k.file(p, rel), 0, "", "is not valid UTF-8 (byte offset %d); save it as UTF-8", firstInvalidUTF8(data))
		return "", ""
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	if strings.HasSuffix(rel, ".md") {
		return kattisMarkdown(text, meta.constants), ""
	}
	text = kattisConstant.ReplaceAllStringFunc(text, func(c string) string {
		name := kattisConstant.FindStringSubmatch(c)[1]
		if v, ok := meta.constants[name]; ok {
			return v
		}
		return name
	})
	return latexToMarkdown(text), latexProblemName(text)
}

var (
	kattisConstant    = regexp.MustCompile(`\\constant\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	kattisPlaceholder = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)
	kattisImage       = regexp.MustCompile(`!\[([^\]]*)\]\(([^)\s]+)[^)]*\)`)
)

// kattisMarkdown settles a Markdown statement: the sample placeholders go
// (onsite shows the samples itself), constants are filled in, and images
// stored in the package, which onsite does not serve, become a note.
func kattisMarkdown(text string, constants map[string]string) string {
	text = kattisPlaceholder.ReplaceAllStringFunc(text, func(s string) string {
		name := kattisPlaceholder.FindStringSubmatch(s)[1]
		if name == "nextsample" || name == "remainingsamples" {
			return ""
		}
		if v, ok := constants[name]; ok {
			return v
		}
		return s
	})
	text = kattisImage.ReplaceAllStringFunc(text, func(s string) string {
		m := kattisImage.FindStringSubmatch(s)
		if strings.HasPrefix(m[2], "http://") || strings.HasPrefix(m[2], "https://") {
			return s
		}
		note := "*(A figure, " + codeSpan(m[2]) + ", is left out here"
		if alt := strings.TrimSpace(m[1]); alt != "" {
			note += ": " + alt
		}
		return note + ".)*"
	})
	return strings.TrimSpace(text)
}

// readTests reads data/sample and data/secret: each .in with its .ans.
func (k *kattisImport) readTests(p *kattisPackage) []Test {
	var inputs []string
	for f := range p.files {
		if strings.HasSuffix(f, ".in") && (strings.HasPrefix(f, "data/sample/") || strings.HasPrefix(f, "data/secret/")) {
			inputs = append(inputs, f)
		}
	}
	slices.Sort(inputs)
	var tests []Test
	var total int64
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".in")
		ans := base + ".ans"
		if !p.files[ans] {
			k.bad(k.file(p, in), 0, "", "has no answer file %s; every test needs its expected output next to its input", path.Base(ans))
			continue
		}
		if p.dirs[base+".files"] {
			k.bad(k.file(p, base+".files"), 0, "", "gives the test input files, which onsite cannot give a submission; it reads standard input only")
			continue
		}
		t := Test{Name: strings.TrimPrefix(base, "data/"), Sample: strings.HasPrefix(base, "data/sample/")}
		ok := true
		for _, f := range []struct {
			rel string
			to  *string
		}{{in, &t.Input}, {ans, &t.Output}} {
			data, big, err := k.readFile(p, f.rel, MaxKattisTestBytes)
			switch {
			case err != nil:
				k.bad(k.file(p, f.rel), 0, "", "cannot be read: %v", err)
				ok = false
				continue
			case big:
				k.bad(k.file(p, f.rel), 0, "", "is larger than %s; onsite keeps each test file under that", byteSize(MaxKattisTestBytes))
				ok = false
				continue
			case !utf8.Valid(data):
				k.bad(k.file(p, f.rel), 0, "", "is not valid UTF-8 (byte offset %d); onsite keeps tests as text", firstInvalidUTF8(data))
				ok = false
				continue
			}
			total += int64(len(data))
			if total > MaxKattisDataBytes {
				k.bad(k.file(p, "data"), 0, "", "the tests add up to more than %s; onsite keeps one problem's tests under that", byteSize(MaxKattisDataBytes))
				return nil
			}
			*f.to = string(data)
		}
		if ok {
			tests = append(tests, t)
		}
	}
	if !slices.ContainsFunc(inputs, func(in string) bool { return strings.HasPrefix(in, "data/sample/") }) {
		k.bad(k.file(p, "data/sample"), 0, "", "holds no sample test (an .in file with its .ans); onsite shows at least one sample to the candidate")
	}
	return tests
}

// comparator turns the default output validator's arguments into the
// question's comparator. Every test must be compared the same way.
func (k *kattisImport) comparator(p *kattisPackage, meta *kattisMeta, tests []Test) *Comparator {
	before := len(k.problems)
	var base []string
	for _, a := range meta.validators {
		k.checkArgs(a)
		base = append(base, a.args...)
	}
	groups := map[string]*kattisArgs{}
	group := func(dir string) *kattisArgs {
		if a, ok := groups[dir]; ok {
			return a
		}
		var found *kattisArgs
		for _, n := range []string{"test_group.yaml", "testdata.yaml"} {
			if found == nil && p.files[dir+"/"+n] {
				found = k.readArgsFile(p, dir+"/"+n)
			}
		}
		groups[dir] = found
		return found
	}
	type use struct {
		args []string
		test string
	}
	var uses []use
	for _, t := range tests {
		var own *kattisArgs
		if yml := "data/" + t.Name + ".yaml"; p.files[yml] {
			own = k.readArgsFile(p, yml)
		}
		for dir := path.Dir("data/" + t.Name); own == nil && dir != "." && dir != "/"; dir = path.Dir(dir) {
			own = group(dir)
		}
		args := slices.Clone(base)
		if own != nil {
			args = append(args, own.args...)
		}
		if !slices.ContainsFunc(uses, func(u use) bool { return slices.Equal(u.args, args) }) {
			uses = append(uses, use{args, t.Name})
		}
	}
	if len(k.problems) > before {
		return nil // a file could not be read, or has wrong flags: reported
	}
	if len(uses) > 1 {
		var ways []string
		for _, u := range uses {
			ways = append(ways, fmt.Sprintf("%s with [%s]", u.test, strings.Join(u.args, " ")))
		}
		k.bad(k.file(p, "data"), 0, "", "the tests give the output validator different arguments (%s); onsite compares every test of a question the same way", strings.Join(ways, ", "))
		return nil
	}
	if len(uses) == 0 {
		return nil
	}
	c, _ := kattisFlags(uses[0].args)
	return c
}

// readArgsFile reads output_validator_args (or the legacy
// output_validator_flags) from a test_group.yaml, testdata.yaml or a
// test's own .yaml; it returns nil when the file sets neither.
func (k *kattisImport) readArgsFile(p *kattisPackage, rel string) *kattisArgs {
	file := k.file(p, rel)
	root, ok := k.readYAML(p, rel)
	if !ok {
		return nil
	}
	if len(root.Content) == 0 {
		return nil
	}
	doc := kattisResolve(root.Content[0])
	if doc.Kind != yaml.MappingNode {
		if !isNull(doc) {
			k.bad(file, doc.Line, "", "holds settings such as output_validator_args:, not %s", describe(doc))
		}
		return nil
	}
	for _, key := range []string{"output_validator_args", "output_validator_flags"} {
		if kn, v := kattisGet(doc, key); v != nil {
			args, ok := k.argList(file, kn, key, v)
			if !ok {
				return nil
			}
			a := &kattisArgs{file: file, line: kn.Line, field: key, args: args}
			k.checkArgs(*a)
			return a
		}
	}
	return nil
}

// checkArgs reports what in a list of arguments the default output
// validator does not take.
func (k *kattisImport) checkArgs(a kattisArgs) {
	_, msgs := kattisFlags(a.args)
	for _, msg := range msgs {
		k.bad(a.file, a.line, a.field, "%s", msg)
	}
}

// kattisFlags reads the default output validator's flags into a
// comparator, with what is wrong with them.
func kattisFlags(args []string) (*Comparator, []string) {
	c := &Comparator{Type: CompareExact}
	var msgs []string
	for i := 0; i < len(args); i++ {
		switch flag := args[i]; flag {
		case "case_sensitive":
			c.CaseSensitive = true
		case "space_change_sensitive":
			c.SpaceSensitive = true
		case "float_tolerance", "float_relative_tolerance", "float_absolute_tolerance":
			if i+1 >= len(args) {
				msgs = append(msgs, fmt.Sprintf("%s needs a number after it, such as %s 1e-6", flag, flag))
				continue
			}
			i++
			eps, err := strconv.ParseFloat(args[i], 64)
			switch {
			case err != nil && !errors.Is(err, strconv.ErrRange):
				msgs = append(msgs, fmt.Sprintf("%s needs a number after it, and %q is not one; use a number such as 1e-6", flag, args[i]))
			case !(eps > 0 && eps < 1):
				msgs = append(msgs, fmt.Sprintf("%s %s is out of range; onsite takes a tolerance above 0 and below 1, such as 1e-6", flag, args[i]))
			default:
				// onsite accepts a number within the tolerance absolutely
				// or relatively, as float_tolerance does; of two given
				// tolerances the larger applies.
				c.Type = CompareFloat
				c.Tolerance = max(c.Tolerance, eps)
			}
		default:
			msgs = append(msgs, fmt.Sprintf("%q is not a flag of the default output validator; use float_tolerance, case_sensitive or space_change_sensitive", flag))
		}
	}
	return c, msgs
}

// readSolutions reads the accepted submissions: the first file by name in
// each language onsite knows.
func (k *kattisImport) readSolutions(p *kattisPackage) map[string]string {
	const dir = "submissions/accepted/"
	var files, dirs []string
	for f := range p.files {
		if rest, ok := strings.CutPrefix(f, dir); ok && !strings.Contains(rest, "/") {
			files = append(files, f)
		}
	}
	for d := range p.dirs {
		if rest, ok := strings.CutPrefix(d, dir); ok && !strings.Contains(rest, "/") {
			dirs = append(dirs, d)
		}
	}
	slices.Sort(files)
	slices.Sort(dirs)
	for _, d := range dirs {
		k.note(p, "%s/ is a submission in several files; onsite keeps single-file solutions, so it was left out", d)
	}
	solutions := map[string]string{}
	for _, f := range files {
		lang, ok := kattisLanguages[strings.ToLower(path.Ext(f))]
		if !ok || solutions[lang] != "" {
			continue
		}
		data, big, err := k.readFile(p, f, kattisSolutionBytes)
		switch {
		case err != nil:
			k.bad(k.file(p, f), 0, "", "cannot be read: %v", err)
			continue
		case big:
			k.note(p, "%s is larger than %s; it was left out", f, byteSize(kattisSolutionBytes))
			continue
		case !utf8.Valid(data):
			k.note(p, "%s is not valid UTF-8; it was left out", f)
			continue
		}
		code := string(data)
		if first, _, _ := strings.Cut(code, "\n"); lang == "python" && strings.HasPrefix(first, "#!") && strings.Contains(first, "python2") {
			k.note(p, "%s is Python 2, which onsite does not run; it was left out", f)
			continue
		}
		if strings.TrimSpace(code) != "" {
			solutions[lang] = code
		}
	}
	if len(solutions) == 0 {
		return nil
	}
	return solutions
}

// kattisResolve follows an alias to the node it names. Aliases are
// followed one step at a time where a value is read, never expanded as a
// whole, so a "billion laughs" document costs no more than its size.
func kattisResolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind == yaml.AliasNode {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

// kattisGet returns the key and the value of key in mapping m.
func kattisGet(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	m = kattisResolve(m)
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kattisResolve(m.Content[i]).Value == key {
			return m.Content[i], kattisResolve(m.Content[i+1])
		}
	}
	return nil, nil
}

// kattisScalar is the text of a scalar that is not null.
func kattisScalar(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		return "", false
	}
	return n.Value, true
}
