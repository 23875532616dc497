package questions

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// ArchiveLimits bound what an imported archive may hold, so that a zip bomb
// or a package with a million files is refused before anything is unpacked.
type ArchiveLimits struct {
	// ArchiveBytes bounds the archive file itself.
	ArchiveBytes int64
	// TotalBytes bounds the sum of its entries' uncompressed sizes.
	TotalBytes int64
	// FileBytes bounds one entry's uncompressed size.
	FileBytes int64
	// Entries bounds the number of entries, directories included.
	Entries int
}

// DefaultArchiveLimits fit the largest Anki collections and contest
// packages people import, and nothing a server should unpack into memory
// beyond that.
var DefaultArchiveLimits = ArchiveLimits{
	ArchiveBytes: 256 << 20,
	TotalBytes:   1 << 30,
	FileBytes:    512 << 20,
	Entries:      50_000,
}

// OpenZip checks an archive's table of contents against the limits and
// returns its entries as a file system. Every entry is checked before any
// is read: its name must be valid UTF-8, relative and inside the archive (no
// "..", no leading "/", no backslashes or drive letters), not a symlink or
// device, and not a duplicate; declared sizes must fit the limits. Reading
// an entry fails if it inflates beyond its declared size (archive/zip
// checks), so the declared sizes bound the work. Problems name the archive
// and the entry.
func OpenZip(name string, data []byte, lim ArchiveLimits) (*zip.Reader, error) {
	fail := func(entry, format string, args ...any) (*zip.Reader, error) {
		file := name
		if entry != "" {
			file = name + ": " + entry
		}
		return nil, &ValidationError{Problems: []Problem{{File: file, Message: fmt.Sprintf(format, args...)}}}
	}
	if int64(len(data)) > lim.ArchiveBytes {
		return fail("", "the archive is %s; the limit is %s", byteSize(int64(len(data))), byteSize(lim.ArchiveBytes))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if errors.Is(err, zip.ErrInsecurePath) {
		err = nil // each name is checked below, with a message that says which
	}
	if err != nil {
		return fail("", "is not a readable zip archive (%v); export it again or zip the folder again", err)
	}
	if len(zr.File) > lim.Entries {
		return fail("", "holds %d entries; the limit is %d", len(zr.File), lim.Entries)
	}
	var problems []Problem
	bad := func(entry, format string, args ...any) {
		problems = append(problems, Problem{File: name + ": " + printable(entry), Message: fmt.Sprintf(format, args...)})
	}
	seen := map[string]bool{}
	var total uint64
	for _, f := range zr.File {
		entry := f.Name
		if msg := entryNameProblem(entry); msg != "" {
			bad(entry, "%s", msg)
			continue
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			bad(entry, "is a symbolic link; archives may hold only files and folders (replace the link with the file it points to)")
			continue
		case mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0:
			bad(entry, "is a special file (%v); archives may hold only files and folders", mode.Type())
			continue
		}
		clean := strings.TrimSuffix(entry, "/")
		if seen[clean] {
			bad(entry, "appears twice in the archive; keep one")
			continue
		}
		seen[clean] = true
		if f.UncompressedSize64 > uint64(lim.FileBytes) {
			bad(entry, "is %s uncompressed; the limit for one file is %s", byteSize(int64(min(f.UncompressedSize64, 1<<62))), byteSize(lim.FileBytes))
			continue
		}
		total += f.UncompressedSize64
	}
	if total > uint64(lim.TotalBytes) {
		problems = append(problems, Problem{File: name, Message: fmt.Sprintf("unpacks to %s; the limit is %s (is it a zip bomb?)", byteSize(int64(min(total, 1<<62))), byteSize(lim.TotalBytes))})
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return zr, nil
}

// entryNameProblem says what is wrong with an archive entry's name, or "".
func entryNameProblem(entry string) string {
	switch {
	case !utf8.ValidString(entry):
		return "has a name that is not valid UTF-8; rename it and zip it again"
	case entry == "":
		return "has an empty name"
	case strings.ContainsRune(entry, '\\'):
		return "has a backslash in its name; zip it on a system that writes / between folders"
	case strings.HasPrefix(entry, "/") || (len(entry) > 1 && entry[1] == ':'):
		return "has an absolute path; entries must be relative to the archive"
	case strings.ContainsRune(entry, 0):
		return "has a NUL byte in its name"
	}
	clean := strings.TrimSuffix(entry, "/")
	for _, elem := range strings.Split(clean, "/") {
		if elem == ".." {
			return "points outside the archive (..); entries must stay inside it"
		}
	}
	if !fs.ValidPath(clean) {
		return "has a path with empty or . elements; zip the folder again"
	}
	return ""
}

// printable quotes a name that is not valid UTF-8 or holds control
// characters, so that messages stay readable.
func printable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return s
	}
	return fmt.Sprintf("%q", s)
}

// byteSize formats a size for people: 512 B, 3.2 MB, 1.0 GB.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}

// packageRoot is the directory of fsys where a package or set starts: the
// root, or the single top-level folder most zip tools wrap a folder in
// (my-set.zip holding my-set/...), when the root holds nothing else.
func packageRoot(fsys fs.FS) string {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "."
	}
	var dirs []string
	for _, e := range entries {
		switch {
		case e.IsDir() && e.Name() != "__MACOSX":
			dirs = append(dirs, e.Name())
		case !e.IsDir() && e.Name() != ".DS_Store":
			return "."
		}
	}
	if len(dirs) == 1 {
		return dirs[0]
	}
	return "."
}

// hasFile reports whether dir in fsys holds a regular file called name.
func hasFile(fsys fs.FS, dir, name string) bool {
	info, err := fs.Stat(fsys, path.Join(dir, name))
	return err == nil && info.Mode().IsRegular()
}

// ZipFolder packs files (contents keyed by slash-separated relative paths)
// into a zip archive under the folder root, in path order, so that the
// same files always make the same archive.
func ZipFolder(root string, files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: path.Join(root, n), Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
