package boxhelper

import (
	"encoding/binary"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fields splits a config frame back into its fields.
func fields(t *testing.T, b []byte) []string {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 4)
	n := binary.LittleEndian.Uint32(b)
	require.Equal(t, int(n), len(b)-4, "length prefix")
	body := string(b[4:])
	require.True(t, strings.HasSuffix(body, "\x00"), "every field NUL-terminated")
	return strings.Split(strings.TrimSuffix(body, "\x00"), "\x00")
}

func TestFrames(t *testing.T) {
	tests := []struct {
		name    string
		encode  func() ([]byte, error)
		want    []string
		wantErr string
	}{
		{
			name: "root",
			encode: (&RootConfig{SetUID: true, NewRoot: "/tmp/r", TmpSize: 64, Overlays: []string{"/cache"},
				Mounts: []MountSpec{{Path: "/usr", Source: "/usr", Dir: true}, {Path: "/lib", Symlink: "usr/lib"},
					{Path: "/dev/null", Source: "/dev/null", Writable: true, Dev: true}}}).Encode,
			want: []string{"root", "1", "/tmp/r", "64", "3", "/usr", "/usr", "", "d", "/lib", "", "usr/lib", "",
				"/dev/null", "/dev/null", "", "wv", "1", "/cache"},
		},
		{
			name: "run",
			encode: (&RunConfig{Argv: []string{"/usr/bin/python3", "-I", "main.py"}, Env: []string{"A=1"}, Box: "/tmp/b",
				CPUSeconds: 2, FileSize: 3, NoFile: 4, Stack: 5}).Encode,
			want: []string{"run", "/tmp/b", "2", "3", "4", "5", "3", "/usr/bin/python3", "-I", "main.py", "1", "A=1"},
		},
		{
			name:   "empty env",
			encode: (&RunConfig{Argv: []string{"/bin/true"}, Box: "/b"}).Encode,
			want:   []string{"run", "/b", "0", "0", "0", "0", "1", "/bin/true", "0"},
		},
		{
			name: "start a helper",
			encode: SpawnRequest{ID: 7, Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID,
				UIDMap: "1000 65534 1\n0 0 1\n", GIDMap: "1000 65534 1\n", Setgroups: "deny"}.Encode,
			want: []string{"start", "7", fmt.Sprint(syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID), "1000 65534 1\n0 0 1\n", "1000 65534 1\n", "deny"},
		},
		{
			name:   "kill",
			encode: SpawnRequest{ID: 9, Kill: true}.Encode,
			want:   []string{"kill", "9"},
		},
		{
			name:    "NUL in a field",
			encode:  (&RunConfig{Argv: []string{"/bin/echo", "a\x00b"}, Box: "/b"}).Encode,
			wantErr: "contains a NUL byte",
		},
		{
			name:    "too large",
			encode:  (&RunConfig{Argv: []string{"/bin/echo", strings.Repeat("x", maxFrame)}, Box: "/b"}).Encode,
			wantErr: "is over",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.encode()
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, fields(t, b))
		})
	}
}

func TestSeccompFrame(t *testing.T) {
	b, err := SeccompFrame()
	require.NoError(t, err)
	n := binary.LittleEndian.Uint32(b)
	assert.Equal(t, int(n), len(b)-4, "length prefix")
	assert.Zero(t, n%8, "whole struct sock_filter entries")
	assert.Greater(t, n/8, uint32(len(deniedSyscalls)), "an instruction or more per denied call")
}
