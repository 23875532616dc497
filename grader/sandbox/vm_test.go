package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This machine, like many, has the hybrid cgroup layout (v1 memory and
// pids), so the cgroup v2 code would go untested on it. TestCgroupV2InVM
// boots Debian's kernel under QEMU with cgroup v2 alone, the host's root
// shared read-only, and runs this test binary there three times: as root
// outside any service manager (limits under the root cgroup), as root in a
// cgroup marked delegated the way systemd's Delegate=yes marks it, and as
// an unprivileged user given its cgroup the way systemd gives a service's
// User= one.

// vmKernelEnv names the directory holding a Debian linux-image package
// unpacked (boot/vmlinuz-* and lib/modules/*); .ci/vm-kernel makes it.
const vmKernelEnv = "ONSITE_VM_KERNEL"

// vmDefaultKernel is where .ci/vm-kernel unpacks the kernel by default.
const vmDefaultKernel = "/var/cache/onsite-vm"

// inVMEnv is set inside the guest, where cgroups must work.
const inVMEnv = "ONSITE_SANDBOX_IN_VM"

// vmModules are the kernel modules the guest needs, loaded in passes so
// that each one's dependencies come first.
var vmModules = []string{
	"drivers/virtio/virtio.ko", "drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio_pci_modern_dev.ko",
	"drivers/virtio/virtio_pci_legacy_dev.ko", "drivers/virtio/virtio_pci.ko", "fs/fscache/fscache.ko",
	"fs/netfs/netfs.ko", "net/9p/9pnet.ko", "net/9p/9pnet_virtio.ko", "fs/9p/9p.ko", "fs/overlayfs/overlay.ko",
}

// vmInit is the guest's /init: it mounts the host's root (read-only) and
// the work directory over 9p, cgroup v2 alone, and switches to the host's
// root to run /mnt/run.sh (switch_root, not chroot: a chrooted process may
// not make user namespaces).
const vmInit = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for pass in 1 2 3 4 5; do
  for m in /mods/*.ko; do
    name=$(basename $m .ko)
    grep -q "^$name " /proc/modules || insmod $m 2>/dev/null
  done
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host || echo "VM: mount host root failed"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 work /host/mnt || echo "VM: mount work failed"
exec switch_root /host /bin/sh /mnt/run.sh
echo "VM: switch_root failed"
poweroff -f
`

// vmRun is the guest's run.sh: the tests that use cgroups, as root at the
// root cgroup, then in a delegated cgroup.
const vmRun = `cd /tmp
export PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp ` + inVMEnv + `=1
tests='^(TestHostile|TestSandboxesShareTheirParentCgroup|TestRunCorrectness)$'
echo "cgroup: $(cat /proc/self/cgroup)" > /mnt/root.log
echo "controllers: $(cat /sys/fs/cgroup/cgroup.controllers)" >> /mnt/root.log
/mnt/sandbox.test -test.v -test.count=1 -test.timeout 10m -test.run "$tests" >> /mnt/root.log 2>&1
echo $? > /mnt/root.exit
echo "+memory +pids" > /sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/svc
python3 -I -c "import os; os.setxattr('/sys/fs/cgroup/svc', 'trusted.delegate', b'1')"
echo $$ > /sys/fs/cgroup/svc/cgroup.procs
echo "cgroup: $(cat /proc/self/cgroup)" > /mnt/delegated.log
/mnt/sandbox.test -test.v -test.count=1 -test.timeout 10m -test.run "$tests" >> /mnt/delegated.log 2>&1
echo $? > /mnt/delegated.exit
echo "children of svc: $(ls /sys/fs/cgroup/svc | grep -v '\.' | tr '\n' ' ')" >> /mnt/delegated.log
# A service's User= gets its cgroup's directory and the files that move
# processes and hand controllers down, as systemd's Delegate=yes gives them.
mkdir /sys/fs/cgroup/user-svc
chown 65534:65534 /sys/fs/cgroup/user-svc /sys/fs/cgroup/user-svc/cgroup.procs \
  /sys/fs/cgroup/user-svc/cgroup.subtree_control /sys/fs/cgroup/user-svc/cgroup.threads
echo $$ > /sys/fs/cgroup/user-svc/cgroup.procs
echo "cgroup: $(cat /proc/self/cgroup)" > /mnt/nonroot.log
setpriv --reuid 65534 --regid 65534 --clear-groups /mnt/sandbox.test -test.v -test.count=1 -test.timeout 10m -test.run "$tests" >> /mnt/nonroot.log 2>&1
echo $? > /mnt/nonroot.exit
echo "children of user-svc: $(ls /sys/fs/cgroup/user-svc | grep -v '\.' | tr '\n' ' ')" >> /mnt/nonroot.log
sync
/mnt/busybox poweroff -f
`

func TestCgroupV2InVM(t *testing.T) {
	if os.Getenv(inVMEnv) != "" {
		t.Skip("inside the VM already")
	}
	requireNamespaces(t)
	qemu, err := exec.LookPath("qemu-system-x86_64")
	missing := func(what string) {
		msg := fmt.Sprintf("SKIP: %s; cgroup v2 is not tested (.ci/vm-kernel installs what this test needs)", what)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err != nil {
		missing("qemu-system-x86_64 is not installed")
	}
	busybox := "/bin/busybox"
	if out, err := exec.Command("file", "-L", busybox).Output(); err != nil || !bytes.Contains(out, []byte("statically linked")) {
		missing("no static /bin/busybox (busybox-static)")
	}
	dir := os.Getenv(vmKernelEnv)
	if dir == "" {
		dir = vmDefaultKernel
	}
	kernels, _ := filepath.Glob(filepath.Join(dir, "boot", "vmlinuz-*"))
	if len(kernels) == 0 {
		missing("no kernel under " + dir)
	}
	kernel := kernels[0]
	modDir := filepath.Join(dir, "lib", "modules", strings.TrimPrefix(filepath.Base(kernel), "vmlinuz-"), "kernel")

	work := t.TempDir()
	initrd := filepath.Join(t.TempDir(), "initrd")
	files := []cpioFile{{Name: "bin", Mode: 0o40755}, {Name: "dev", Mode: 0o40755}, {Name: "proc", Mode: 0o40755},
		{Name: "sys", Mode: 0o40755}, {Name: "host", Mode: 0o40755}, {Name: "mods", Mode: 0o40755},
		{Name: "init", Mode: 0o100755, Data: []byte(vmInit)}}
	bb, err := os.ReadFile(busybox)
	require.NoError(t, err)
	files = append(files, cpioFile{Name: "bin/busybox", Mode: 0o100755, Data: bb})
	for _, m := range vmModules {
		data, err := os.ReadFile(filepath.Join(modDir, m))
		if err != nil {
			missing(fmt.Sprintf("kernel module %s missing: %v", m, err))
		}
		files = append(files, cpioFile{Name: "mods/" + filepath.Base(m), Mode: 0o100644, Data: data})
	}
	require.NoError(t, os.WriteFile(initrd, newcArchive(files), 0o644))
	self, err := os.Executable()
	require.NoError(t, err)
	for name, src := range map[string]string{"sandbox.test": self, "busybox": busybox} {
		data, err := os.ReadFile(src)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(work, name), data, 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(work, "run.sh"), []byte(vmRun), 0o755))
	require.NoError(t, os.Chmod(work, 0o755))

	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, qemu, "-machine", "q35", "-accel", "tcg,thread=multi", "-smp", "2",
		"-m", "4096", "-nographic", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
		"-append", "console=ttyS0 quiet panic=-1 cgroup_no_v1=all",
		"-fsdev", "local,id=hr,path=/,security_model=passthrough,readonly=on,multidevs=remap",
		"-device", "virtio-9p-pci,fsdev=hr,mount_tag=hostroot",
		"-fsdev", "local,id=wk,path="+work+",security_model=passthrough,multidevs=remap",
		"-device", "virtio-9p-pci,fsdev=wk,mount_tag=work")
	console, err := cmd.CombinedOutput()
	require.NoError(t, err, "qemu: %s", tail(console))

	for _, setup := range []struct{ name, cgroup string }{{"root", "0::/\n"}, {"delegated", "0::/svc\n"}, {"nonroot", "0::/user-svc\n"}} {
		t.Run(setup.name, func(t *testing.T) {
			log, _ := os.ReadFile(filepath.Join(work, setup.name+".log"))
			exit, err := os.ReadFile(filepath.Join(work, setup.name+".exit"))
			require.NoError(t, err, "the guest did not run the tests; console:\n%s", tail(console))
			require.Equal(t, "0", strings.TrimSpace(string(exit)), "tests in the VM failed:\n%s", tail(log))
			assert.Contains(t, string(log), "cgroup: "+setup.cgroup)
			assert.Contains(t, string(log), "mle=true", "the 8 GiB allocation met memory.max")
			assert.Contains(t, string(log), "--- PASS: TestSandboxesShareTheirParentCgroup")
			if setup.name != "root" {
				assert.Regexp(t, "children of (user-)?svc: server ", string(log), "our processes moved to a leaf")
			}
		})
	}
}

// requireCgroupsInVM fails the test inside TestCgroupV2InVM's guest, where
// cgroups must work, when they do not.
func requireCgroupsInVM(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(inVMEnv) != "" {
		t.Fatalf("cgroups unusable in the VM: %v", err)
	}
}

// tail is the end of a long output, for failure messages.
func tail(b []byte) string {
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	return string(b)
}

// cpioFile is one entry of an initramfs.
type cpioFile struct {
	Name string
	Mode uint32 // type and permission bits, as in stat
	Data []byte
}

// newcArchive writes files as a cpio archive in the "newc" format the
// kernel unpacks as an initramfs.
func newcArchive(files []cpioFile) []byte {
	var b bytes.Buffer
	pad := func() {
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	entry := func(ino int, f cpioFile) {
		nlink := 1
		if f.Mode&0o40000 != 0 {
			nlink = 2
		}
		fmt.Fprintf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, f.Mode, 0, 0, nlink, 0, len(f.Data), 0, 0, 0, 0, len(f.Name)+1, 0)
		b.WriteString(f.Name)
		b.WriteByte(0)
		pad()
		b.Write(f.Data)
		pad()
	}
	for i, f := range files {
		entry(i+1, f)
	}
	entry(0, cpioFile{Name: "TRAILER!!!"})
	return b.Bytes()
}
