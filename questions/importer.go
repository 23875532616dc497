package questions

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ImportFormats are the formats an import may name; "auto" tells them
// apart by file name and content.
var ImportFormats = []string{"auto", "yaml", "json", "md", "csv", "apkg", "kattis"}

// Importer reads question sets in every format onsite imports: the native
// YAML or JSON file, a Markdown folder, Anki-style text flashcards, Anki
// packages and Kattis/ICPC problem packages, from files and folders on disk
// or from uploaded files (zip archives included). It checks everything and
// writes nothing: the caller hands the sets to Service.ImportSets.
type Importer struct {
	Limits ArchiveLimits
	// ReadAnki reads an Anki collection file (store.ReadAnkiCollection);
	// without it, Anki packages are refused.
	ReadAnki AnkiReader
}

// Source is one thing to import: a path on disk, or an uploaded file's name
// and content.
type Source struct {
	Name string
	Path string
	Data []byte
}

// Loaded is what an import read: its sets, and notes for the report (media
// ignored, problems that cannot be judged).
type Loaded struct {
	Sets  []*Set
	Notes []string
}

// Load reads every source in the given format ("auto" or one of
// ImportFormats). Every problem in every source is reported at once, in a
// *ValidationError; then nothing may be imported.
func (im *Importer) Load(ctx context.Context, sources []Source, format string) (*Loaded, error) {
	if !slices.Contains(ImportFormats, format) {
		return nil, fmt.Errorf("format %q: use one of %s", format, strings.Join(ImportFormats, ", "))
	}
	l := &loader{im: im, ctx: ctx, format: format, out: &Loaded{}}
	for _, src := range sources {
		if src.Path != "" {
			l.path(src.Path)
		} else {
			l.file(src.Name, src.Data)
		}
	}
	if len(l.problems) > 0 {
		return nil, &ValidationError{Problems: l.problems}
	}
	if len(l.out.Sets) == 0 {
		return nil, &ValidationError{Problems: []Problem{{Message: "found no question set to import"}}}
	}
	seen := map[string]string{}
	for _, s := range l.out.Sets {
		if prev, ok := seen[s.Slug]; ok {
			l.problems = append(l.problems, Problem{File: s.origin, Path: "slug", Message: fmt.Sprintf("%q is also the slug of the set in %s; import one of them, or give one another slug", s.Slug, prev)})
		}
		seen[s.Slug] = s.origin
		for _, q := range s.Questions {
			if q.Ungradable != "" {
				l.out.Notes = append(l.out.Notes, fmt.Sprintf("%s: imported, but submissions cannot be judged: %s", q.Slug, q.Ungradable))
			}
		}
	}
	if len(l.problems) > 0 {
		return nil, &ValidationError{Problems: l.problems}
	}
	return l.out, nil
}

// loader gathers sets and problems across the sources of one import.
type loader struct {
	im       *Importer
	ctx      context.Context
	format   string
	out      *Loaded
	problems []Problem
}

func (l *loader) fail(err error, file string) {
	if ve, ok := err.(*ValidationError); ok {
		l.problems = append(l.problems, ve.Problems...)
		return
	}
	l.problems = append(l.problems, Problem{File: file, Message: err.Error()})
}

func (l *loader) add(set *Set, origin string, err error) {
	if err != nil {
		l.fail(err, origin)
		return
	}
	set.origin = origin
	l.out.Sets = append(l.out.Sets, set)
}

// path reads a file or a folder on disk.
func (l *loader) path(p string) {
	info, err := os.Lstat(p)
	if err != nil {
		l.problems = append(l.problems, Problem{File: p, Message: "cannot be read: " + pathError(err)})
		return
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if info, err = os.Stat(p); err != nil {
			l.problems = append(l.problems, Problem{File: p, Message: "is a broken link: " + pathError(err)})
			return
		}
	}
	if info.IsDir() {
		l.dir(os.DirFS(p), ".", p)
		return
	}
	if info.Size() > l.im.Limits.ArchiveBytes {
		l.problems = append(l.problems, Problem{File: p, Message: fmt.Sprintf("is %s; the limit is %s", byteSize(info.Size()), byteSize(l.im.Limits.ArchiveBytes))})
		return
	}
	data, err := os.ReadFile(p)
	if err != nil {
		l.problems = append(l.problems, Problem{File: p, Message: "cannot be read: " + pathError(err)})
		return
	}
	l.file(p, data)
}

// file reads one file by its name and content.
func (l *loader) file(name string, data []byte) {
	format := l.format
	ext := strings.ToLower(path.Ext(filepath.ToSlash(name)))
	isZip := len(data) >= 4 && string(data[:4]) == "PK\x03\x04"
	if format == "auto" {
		switch {
		case ext == ".yaml" || ext == ".yml" || ext == ".json":
			format = "yaml"
		case ext == ".csv" || ext == ".tsv" || ext == ".txt":
			format = "csv"
		case ext == ".apkg" || ext == ".colpkg":
			format = "apkg"
		case ext == ".md":
			l.problems = append(l.problems, Problem{File: name, Message: "a Markdown question lives in a folder with the set's other questions; import the folder (or a zip of it)"})
			return
		case isZip:
			format = "zip"
		default:
			format = "yaml"
		}
	}
	switch format {
	case "yaml", "json":
		set, err := ParseYAML(name, data)
		l.add(set, name, err)
	case "csv":
		set, err := ParseCSV(name, data)
		l.add(set, name, err)
	case "apkg", "md", "kattis", "zip":
		zr, err := OpenZip(name, data, l.im.Limits)
		if err != nil {
			l.fail(err, name)
			return
		}
		if format == "zip" {
			format = "auto"
		}
		l.archive(zr, name, format)
	}
}

// archive reads a zip's entries as the given format, or tells it apart.
func (l *loader) archive(fsys fs.FS, name, format string) {
	if format == "apkg" || (format == "auto" && isAnki(fsys)) {
		l.anki(fsys, name)
		return
	}
	root := packageRoot(fsys)
	switch format {
	case "md":
		set, err := ParseMarkdownDir(fsys, root, trimExt(name))
		l.add(set, name, err)
	case "kattis":
		l.kattis(fsys, root, name)
	default:
		l.dir(fsys, root, trimExt(name))
	}
}

// kattis reads a problem package or a folder of them, keeping its notes
// (limits clamped, files ignored) for the report.
func (l *loader) kattis(fsys fs.FS, dir, name string) {
	set, notes, err := ParseKattis(fsys, dir, name)
	l.add(set, name, err)
	if err == nil {
		for _, n := range notes {
			l.out.Notes = append(l.out.Notes, name+": "+n)
		}
	}
}

// anki reads an Anki package's entries.
func (l *loader) anki(fsys fs.FS, name string) {
	if l.im.ReadAnki == nil {
		l.problems = append(l.problems, Problem{File: name, Message: "Anki packages cannot be imported here"})
		return
	}
	set, media, err := ParseApkg(l.ctx, fsys, name, l.im.ReadAnki)
	l.add(set, name, err)
	if err == nil && media > 0 {
		l.out.Notes = append(l.out.Notes, fmt.Sprintf("%s: %d media file(s) ignored; onsite imports the notes' text", name, media))
	}
}

// dir reads a folder: a Kattis package or a folder of them, a Markdown
// set, or else every set file and such folder inside it.
func (l *loader) dir(fsys fs.FS, dir, name string) {
	switch {
	case l.format == "kattis" || (l.format == "auto" && isKattis(fsys, dir)):
		l.kattis(fsys, dir, name)
		return
	case l.format == "md" || (l.format == "auto" && isMarkdownSet(fsys, dir)):
		set, err := ParseMarkdownDir(fsys, dir, name)
		l.add(set, name, err)
		return
	}
	found := 0
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		display := name
		if rel != "" && p != "." {
			display = name + "/" + rel
		}
		if d.Type()&fs.ModeSymlink != 0 {
			l.problems = append(l.problems, Problem{File: display, Message: "is a symbolic link; onsite imports only regular files and folders"})
			return nil
		}
		if d.IsDir() {
			if p == dir {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "__MACOSX" {
				return fs.SkipDir
			}
			if isKattis(fsys, p) || isMarkdownSet(fsys, p) {
				found++
				l.dir(fsys, p, display)
				return fs.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(path.Ext(p))
		if !slices.Contains([]string{".yaml", ".yml", ".json", ".csv", ".tsv", ".apkg", ".colpkg", ".zip"}, ext) {
			return nil
		}
		found++
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > l.im.Limits.ArchiveBytes {
			l.problems = append(l.problems, Problem{File: display, Message: fmt.Sprintf("is %s; the limit is %s", byteSize(info.Size()), byteSize(l.im.Limits.ArchiveBytes))})
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		l.file(display, data)
		return nil
	})
	if err != nil {
		l.problems = append(l.problems, Problem{File: name, Message: "cannot be read: " + pathError(err)})
		return
	}
	if found == 0 {
		l.problems = append(l.problems, Problem{File: name, Message: "holds no question set: no .yaml, .json, .csv, .tsv, .apkg or .zip file, no Markdown set (set.yaml or .md files) and no Kattis package (problem.yaml)"})
	}
}

// isAnki reports whether an archive holds an Anki collection.
func isAnki(fsys fs.FS) bool {
	for _, n := range []string{"collection.anki21b", "collection.anki21", "collection.anki2"} {
		if hasFile(fsys, ".", n) {
			return true
		}
	}
	return false
}

// isKattis reports whether dir is a problem package or a folder of them.
func isKattis(fsys fs.FS, dir string) bool {
	if hasFile(fsys, dir, "problem.yaml") {
		return true
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() && hasFile(fsys, path.Join(dir, e.Name()), "problem.yaml") {
			return true
		}
	}
	return false
}

// isMarkdownSet reports whether dir is a Markdown set: a set.yaml, or .md
// questions other than a README.
func isMarkdownSet(fsys fs.FS, dir string) bool {
	if hasFile(fsys, dir, "set.yaml") {
		return true
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(strings.ToLower(e.Name()), ".md") && !strings.EqualFold(e.Name(), "README.md") {
			return true
		}
	}
	return false
}

// trimExt drops a .zip extension: messages name the folder inside.
func trimExt(name string) string {
	if strings.EqualFold(path.Ext(name), ".zip") {
		return name[:len(name)-len(".zip")]
	}
	return name
}

// pathError is an error's text without Go's operation prefix.
func pathError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
