package sandbox

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// This machine has cgroup v1 (hybrid): the v2 code below runs on files that
// stand in for a cgroup2 mount, laid out as the kernel would make them.

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
}

func TestOwnCgroupV2(t *testing.T) {
	tests := []struct {
		name          string
		self          string
		files         map[string]string
		xattr         string
		owner, uid    int
		wantOwn       string
		wantDelegated bool
	}{
		{name: "systemd service with Delegate=yes", self: "0::/system.slice/onsite.service\n",
			files: map[string]string{"system.slice/onsite.service/cgroup.type": "domain\n"}, xattr: "system.slice/onsite.service",
			wantOwn: "system.slice/onsite.service", wantDelegated: true},
		{name: "service without delegation", self: "0::/system.slice/onsite.service\n",
			files:   map[string]string{"system.slice/onsite.service/cgroup.type": "domain\n"},
			wantOwn: "system.slice/onsite.service"},
		{name: "non-root service given its cgroup", self: "0::/system.slice/onsite.service\n",
			files: map[string]string{"system.slice/onsite.service/cgroup.type": "domain\n"}, owner: 1234, uid: 1234,
			wantOwn: "system.slice/onsite.service", wantDelegated: true},
		{name: "non-root service in a cgroup of another user", self: "0::/system.slice/onsite.service\n",
			files: map[string]string{"system.slice/onsite.service/cgroup.type": "domain\n"}, owner: 0, uid: 1234,
			wantOwn: "system.slice/onsite.service"},
		{name: "container with its own cgroup namespace", self: "0::/\n",
			files: map[string]string{"cgroup.type": "domain\n"}, wantOwn: "", wantDelegated: true},
		{name: "the host's root cgroup is never ours", self: "0::/\n",
			files: map[string]string{"cgroup.controllers": "memory pids\n"}, wantOwn: ""},
		{name: "hybrid host: v1 lines are skipped", self: "12:pids:/user.slice\n3:memory:/user.slice\n0::/user.slice/session-1.scope\n",
			files: map[string]string{"user.slice/session-1.scope/cgroup.type": "domain\n"}, wantOwn: "user.slice/session-1.scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tc.files)
			if tc.xattr != "" {
				if err := unix.Setxattr(filepath.Join(root, tc.xattr), "user.delegate", []byte("1"), 0); err != nil {
					t.Skipf("SKIP: %s takes no user extended attributes: %v", root, err)
				}
			}
			if tc.owner != 0 {
				require.NoError(t, os.Chown(filepath.Join(root, tc.wantOwn), tc.owner, tc.owner))
			}
			self := filepath.Join(t.TempDir(), "cgroup")
			require.NoError(t, os.WriteFile(self, []byte(tc.self), 0o644))
			own, delegated := ownCgroupV2(root, self, tc.uid)
			assert.Equal(t, filepath.Join(root, tc.wantOwn), own)
			assert.Equal(t, tc.wantDelegated, delegated)
		})
	}
}

func TestSetupDelegated(t *testing.T) {
	own := t.TempDir()
	// What the kernel shows in the delegated cgroup, and in the children
	// it makes there (mkdir on cgroupfs fills them in).
	writeFiles(t, own, map[string]string{
		"cgroup.controllers":            "cpu io memory pids\n",
		"cgroup.subtree_control":        "",
		"cgroup.procs":                  "4242\n",
		"server/cgroup.procs":           "",
		"onsite/cgroup.controllers":     "memory pids\n",
		"onsite/cgroup.subtree_control": "",
	})
	c, err := setupDelegated(own, "onsite")
	require.NoError(t, err)
	assert.Equal(t, &cgroups{v2: true, memParent: filepath.Join(own, "onsite"), pidsParent: filepath.Join(own, "onsite")}, c)
	for file, want := range map[string]string{
		"server/cgroup.procs":           "4242",
		"cgroup.subtree_control":        "+memory +pids",
		"onsite/cgroup.subtree_control": "+memory +pids",
	} {
		got, err := os.ReadFile(filepath.Join(own, file))
		require.NoError(t, err)
		assert.Equal(t, want, string(got), file)
	}

	t.Run("controllers not delegated", func(t *testing.T) {
		own := t.TempDir()
		writeFiles(t, own, map[string]string{"cgroup.controllers": "cpu io\n", "cgroup.subtree_control": ""})
		_, err := setupDelegated(own, "onsite")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "memory and pids controllers not available")
	})
}
