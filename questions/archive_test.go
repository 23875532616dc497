package questions_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zipEntry is one entry of a test archive.
type zipEntry struct {
	name string
	data []byte
	mode fs.FileMode
	// size, when set, is the uncompressed size the header claims.
	size uint64
}

// makeZip builds an archive in memory; entries with a claimed size are
// written raw so that the header can lie.
func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		if e.size != 0 {
			h.Method = zip.Store
			h.UncompressedSize64, h.CompressedSize64 = e.size, uint64(len(e.data))
			w, err := zw.CreateRaw(h)
			require.NoError(t, err)
			_, err = w.Write(e.data)
			require.NoError(t, err)
			continue
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestOpenZipRefusesHostileArchives(t *testing.T) {
	small := questions.ArchiveLimits{ArchiveBytes: 1 << 20, TotalBytes: 1 << 20, FileBytes: 512 << 10, Entries: 10}
	zeros := make([]byte, 600<<10)
	tests := []struct {
		name    string
		entries []zipEntry
		raw     []byte
		want    []string
	}{
		{name: "parent path", entries: []zipEntry{{name: "../../etc/cron.d/x", data: []byte("x")}},
			want: []string{"up.zip: ../../etc/cron.d/x: points outside the archive (..)"}},
		{name: "parent inside", entries: []zipEntry{{name: "set/../../x", data: []byte("x")}},
			want: []string{"up.zip: set/../../x: points outside the archive (..)"}},
		{name: "absolute", entries: []zipEntry{{name: "/etc/passwd", data: []byte("x")}},
			want: []string{"up.zip: /etc/passwd: has an absolute path"}},
		{name: "backslash", entries: []zipEntry{{name: `..\evil`, data: []byte("x")}},
			want: []string{`up.zip: ..\evil: has a backslash in its name`}},
		{name: "symlink", entries: []zipEntry{{name: "set/problem.yaml", data: []byte("/etc/shadow"), mode: fs.ModeSymlink | 0o777}},
			want: []string{"up.zip: set/problem.yaml: is a symbolic link"}},
		{name: "invalid UTF-8 name", entries: []zipEntry{{name: "bad\xff.yaml", data: []byte("x")}},
			want: []string{`up.zip: "bad\xff.yaml": has a name that is not valid UTF-8`}},
		{name: "duplicate", entries: []zipEntry{{name: "a.yaml", data: []byte("x")}, {name: "a.yaml", data: []byte("y")}},
			want: []string{"up.zip: a.yaml: appears twice"}},
		{name: "too many entries", entries: func() []zipEntry {
			var e []zipEntry
			for i := range 11 {
				e = append(e, zipEntry{name: strings.Repeat("a", i+1), data: []byte("x")})
			}
			return e
		}(), want: []string{"up.zip: holds 11 entries; the limit is 10"}},
		{name: "file too big", entries: []zipEntry{{name: "big.yaml", data: zeros}},
			want: []string{"up.zip: big.yaml: is 600.0 KB uncompressed; the limit for one file is 512.0 KB"}},
		{name: "zip bomb", entries: []zipEntry{{name: "a", data: zeros[:400<<10]}, {name: "b", data: zeros[:400<<10]}, {name: "c", data: zeros[:400<<10]}},
			want: []string{"up.zip: unpacks to 1.2 MB; the limit is 1.0 MB (is it a zip bomb?)"}},
		{name: "not a zip", raw: []byte("PK\x03\x04 not really"),
			want: []string{"up.zip: is not a readable zip archive"}},
		{name: "archive too big", raw: make([]byte, 2<<20),
			want: []string{"up.zip: the archive is 2.0 MB; the limit is 1.0 MB"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.raw
			if data == nil {
				data = makeZip(t, tc.entries...)
			}
			_, err := questions.OpenZip("up.zip", data, small)
			var ve *questions.ValidationError
			require.True(t, errors.As(err, &ve), "got %v, want a ValidationError", err)
			require.Len(t, ve.Problems, len(tc.want), "got %v", ve.Problems)
			for i, w := range tc.want {
				assert.Contains(t, ve.Problems[i].String(), w)
			}
		})
	}
}

// TestOpenZipCatchesLyingSizes: an entry that inflates beyond the size its
// header claims fails when read, so the claimed sizes bound the work.
func TestOpenZipCatchesLyingSizes(t *testing.T) {
	data := makeZip(t, zipEntry{name: "set.yaml", data: bytes.Repeat([]byte("a"), 4096), size: 10})
	zr, err := questions.OpenZip("lie.zip", data, questions.DefaultArchiveLimits)
	require.NoError(t, err)
	f, err := zr.Open("set.yaml")
	require.NoError(t, err)
	defer f.Close()
	got, err := io.ReadAll(f)
	require.Error(t, err, "read %d bytes of an entry that claims 10", len(got))
	assert.LessOrEqual(t, len(got), 4096)
}

func TestOpenZipAcceptsAFolder(t *testing.T) {
	data := makeZip(t, zipEntry{name: "my-set/", mode: fs.ModeDir | 0o755}, zipEntry{name: "my-set/set.yaml", data: []byte("slug: x\n")})
	zr, err := questions.OpenZip("my-set.zip", data, questions.DefaultArchiveLimits)
	require.NoError(t, err)
	got, err := fs.ReadFile(zr, "my-set/set.yaml")
	require.NoError(t, err)
	assert.Equal(t, "slug: x\n", string(got))
}

func TestZipFolderIsDeterministic(t *testing.T) {
	files := map[string][]byte{"set.yaml": []byte("a"), "b.md": []byte("b"), "tests/b/1.in": []byte("1")}
	a, err := questions.ZipFolder("s", files)
	require.NoError(t, err)
	b, err := questions.ZipFolder("s", files)
	require.NoError(t, err)
	assert.Equal(t, a, b, "the same files must make the same archive")
	zr, err := questions.OpenZip("s.zip", a, questions.DefaultArchiveLimits)
	require.NoError(t, err)
	got, err := fs.ReadFile(zr, "s/tests/b/1.in")
	require.NoError(t, err)
	assert.Equal(t, "1", string(got))
}

// FuzzOpenZip: no archive makes OpenZip panic, and every archive it accepts
// has only names inside it, no links, and reads within the limits.
func FuzzOpenZip(f *testing.F) {
	f.Add(makeZip(f, zipEntry{name: "set/set.yaml", data: []byte("slug: a\n")}))
	f.Add(makeZip(f, zipEntry{name: "../x", data: []byte("x")}))
	f.Add(makeZip(f, zipEntry{name: "l", data: []byte("/etc"), mode: fs.ModeSymlink | 0o777}))
	f.Add(makeZip(f, zipEntry{name: "lie", data: []byte("aaaaaaaa"), size: 2}))
	f.Add([]byte("PK\x03\x04"))
	lim := questions.ArchiveLimits{ArchiveBytes: 1 << 20, TotalBytes: 1 << 20, FileBytes: 1 << 19, Entries: 100}
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := questions.OpenZip("f.zip", data, lim)
		if err != nil {
			return
		}
		var total int64
		for _, file := range zr.File {
			require.NotContains(t, "/"+file.Name+"/", "/../")
			require.Zero(t, file.Mode()&fs.ModeSymlink, "%s is a link", file.Name)
			rc, err := file.Open()
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, rc)
			rc.Close()
			total += n
		}
		require.LessOrEqual(t, total, lim.TotalBytes)
	})
}
