// The sandbox helper, in C: a helper lives for one run, and starting the Go
// runtime and initialising the onsite binary's packages would cost it tens of
// milliseconds of CPU per run, more than the mounts and the program's own
// start together.
//
// The spawner (spawner.c) forks itself into new user, pid, mount, network,
// ipc and uts namespaces and the child calls onsite_run_helper, which
// (helper.go documents the protocol) reads the root frame and the seccomp
// program and builds the new root; the run frame is its go-ahead: it binds
// the work directory, pivots into the new root, sets the limits, drops what
// it may not keep and starts the program, reaps every process until the
// program exits, and writes its status as JSON.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define MAX_FRAME (1 << 20)
#define PATH_BUF 4096

// fail writes the error as the run's status and exits.
static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

// onsite_json_string appends s to out as a JSON string; out has room for cap bytes.
size_t onsite_json_string(char *out, size_t cap, const char *s) {
	size_t n = 0;
	if (cap < 8)
		return 0;
	out[n++] = '"';
	for (; *s && n + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = c;
		} else if (c < 0x20) {
			n += snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = c;
		}
	}
	out[n++] = '"';
	return n;
}

void onsite_write_all(int fd, const char *buf, size_t len) {
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

static void fail(const char *fmt, ...) {
	char msg[1024], out[4200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t n = (size_t)snprintf(out, sizeof out, "{\"err\":");
	n += onsite_json_string(out + n, sizeof out - n - 3, msg);
	out[n++] = '}';
	out[n++] = '\n';
	onsite_write_all(ONSITE_FD_STATUS, out, n);
	_exit(125);
}

// frame is one message from the parent: NUL-terminated strings, read in
// order with next().
struct frame {
	char *buf;
	uint32_t len, pos;
	const char *what;
};

static void read_full(int fd, void *p, size_t len, const char *what) {
	char *b = p;
	while (len > 0) {
		ssize_t r = read(fd, b, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail("read %s: %s", what, strerror(errno));
		if (r == 0)
			fail("read %s: unexpected end of input", what);
		b += r;
		len -= (size_t)r;
	}
}

static void read_frame(struct frame *f, const char *what) {
	unsigned char hdr[4];
	read_full(ONSITE_FD_CONFIG, hdr, 4, what);
	f->len = onsite_frame_len(hdr);
	if (f->len > MAX_FRAME)
		fail("read %s: frame of %u bytes", what, f->len);
	f->buf = malloc(f->len + 1);
	if (f->buf == NULL)
		fail("read %s: out of memory", what);
	read_full(ONSITE_FD_CONFIG, f->buf, f->len, what);
	f->buf[f->len] = 0;
	f->pos = 0;
	f->what = what;
}

static const char *next(struct frame *f) {
	if (f->pos >= f->len)
		fail("read %s: too few fields", f->what);
	const char *s = f->buf + f->pos;
	size_t n = strnlen(s, f->len - f->pos);
	if (f->pos + n >= f->len)
		fail("read %s: unterminated field", f->what);
	f->pos += (uint32_t)n + 1;
	return s;
}

static unsigned long long next_num(struct frame *f) {
	const char *s = next(f);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *s == 0 || *end != 0)
		fail("read %s: bad number %.40s", f->what, s);
	return v;
}

static void join(char *out, const char *a, const char *b) {
	if (snprintf(out, PATH_BUF, "%s%s", a, b) >= PATH_BUF)
		fail("path too long: %.100s%.100s", a, b);
}

// mkdir_p makes path and its missing parents.
static void mkdir_p(const char *path, mode_t mode) {
	char p[PATH_BUF];
	join(p, path, "");
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			fail("mkdir %s: %s", p, strerror(errno));
		*s = c;
		if (c == 0)
			return;
	}
}

static void mkdir_parent(const char *path) {
	char p[PATH_BUF];
	join(p, path, "");
	char *slash = strrchr(p, '/');
	if (slash != NULL && slash != p) {
		*slash = 0;
		mkdir_p(p, 0755);
	}
}

static void must_mount(const char *src, const char *target, const char *type, unsigned long flags,
		       const char *data, const char *what) {
	if (mount(src, target, type, flags, data) < 0)
		fail("%s: %s", what, strerror(errno));
}

// locked_flags maps statfs flags onto the mount flags a remount in a user
// namespace must keep.
static unsigned long locked_flags(long f) {
	static const long pairs[][2] = {
		{ST_RDONLY, MS_RDONLY},	    {ST_NOSUID, MS_NOSUID},	    {ST_NODEV, MS_NODEV},
		{ST_NOEXEC, MS_NOEXEC},	    {ST_NOATIME, MS_NOATIME},	    {ST_NODIRATIME, MS_NODIRATIME},
		{ST_RELATIME, MS_RELATIME},
	};
	unsigned long out = 0;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if (f & pairs[i][0])
			out |= (unsigned long)pairs[i][1];
	return out;
}

// dev_tmpfs says whether the new root's /dev is a tmpfs of ours, to be
// made read-only once filled.
static int dev_tmpfs;

static void ensure_dev_tmpfs(const char *root) {
	char dev[PATH_BUF];
	struct stat st;
	join(dev, root, "/dev");
	if (stat(dev, &st) == 0)
		return;
	if (mkdir(dev, 0755) < 0)
		fail("mkdir /dev: %s", strerror(errno));
	must_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755", "mount /dev");
	dev_tmpfs = 1;
}

// mount_one makes one path of the new root: a symlink, or a bind mount,
// read-only unless writable.
static void mount_one(const char *root, const char *path, const char *source, const char *symlink_to,
		      const char *flags) {
	char target[PATH_BUF], what[PATH_BUF + 32];
	join(target, root, path);
	if (*symlink_to) {
		mkdir_parent(target);
		if (symlink(symlink_to, target) < 0)
			fail("symlink %s: %s", path, strerror(errno));
		return;
	}
	int dir = strchr(flags, 'd') != NULL, writable = strchr(flags, 'w') != NULL,
	    dev = strchr(flags, 'v') != NULL;
	if (strncmp(path, "/dev/", 5) == 0 || strcmp(path, "/dev") == 0)
		ensure_dev_tmpfs(root);
	if (dir) {
		mkdir_p(target, 0755);
	} else {
		struct stat st;
		mkdir_parent(target);
		if (lstat(target, &st) < 0) {
			int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
			if (fd < 0)
				fail("create %s: %s", path, strerror(errno));
			close(fd);
		}
	}
	snprintf(what, sizeof what, "bind %s", path);
	must_mount(source, target, NULL, MS_BIND | MS_REC, NULL, what);
	struct statfs sfs;
	if (statfs(target, &sfs) < 0)
		fail("statfs %s: %s", path, strerror(errno));
	unsigned long mf = MS_BIND | MS_REMOUNT | MS_NOSUID | locked_flags(sfs.f_flags);
	if (!writable)
		mf |= MS_RDONLY;
	if (!dev)
		mf |= MS_NODEV;
	snprintf(what, sizeof what, "remount %s", path);
	must_mount("", target, NULL, mf, NULL, what);
}

// build_root builds the new root on a tmpfs, everything but the work
// directory, before the run is known.
static void build_root(struct frame *f, int *setuid_inside, const char **new_root) {
	if (strcmp(next(f), "root") != 0)
		fail("read root config: not a root frame");
	*setuid_inside = next_num(f) != 0;
	const char *root = next(f);
	*new_root = root;
	unsigned long long tmp_size = next_num(f);
	must_mount("", "/", NULL, MS_REC | MS_PRIVATE, NULL, "make mounts private");
	must_mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755", "mount root tmpfs");
	for (unsigned long long n = next_num(f); n > 0; n--) {
		const char *path = next(f), *source = next(f), *sym = next(f), *flags = next(f);
		mount_one(root, path, source, sym, flags);
	}
	static const char *const links[][2] = {
		{"/proc/self/fd", "/dev/fd"},
		{"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"},
		{"/proc/self/fd/2", "/dev/stderr"},
	};
	char p[PATH_BUF], base[PATH_BUF], opts[3 * PATH_BUF];
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		join(p, root, links[i][1]);
		if (symlink(links[i][0], p) < 0 && errno != EEXIST)
			fail("symlink %s: %s", links[i][1], strerror(errno));
	}
	// The program may use the devices, not add to /dev: where the helper
	// runs as the user inside, that tmpfs is the program's user's.
	if (dev_tmpfs) {
		join(p, root, "/dev");
		must_mount("", p, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL, "remount /dev read-only");
	}
	join(p, root, "/tmp");
	mkdir_p(p, 0755);
	snprintf(opts, sizeof opts, "size=%llu,mode=1777", tmp_size);
	must_mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, opts, "mount /tmp");
	// Overlays: the host directory below, a private upper layer in the
	// box's /tmp, so nothing the program writes reaches the host or
	// another box.
	unsigned long long overlays = next_num(f);
	for (unsigned long long i = 0; i < overlays; i++) {
		const char *lower = next(f);
		snprintf(base, sizeof base, "%s/tmp/.overlay-%llu", root, i);
		const char *sub[] = {"/upper", "/work"};
		for (int k = 0; k < 2; k++) {
			join(p, base, sub[k]);
			mkdir_p(p, 0755);
			if (*setuid_inside && chown(p, ONSITE_INSIDE_ID, ONSITE_INSIDE_ID) < 0)
				fail("chown %s: %s", p, strerror(errno));
		}
		join(p, root, lower);
		mkdir_p(p, 0755);
		snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work,userxattr", lower, base,
			 base);
		char what[PATH_BUF + 32];
		snprintf(what, sizeof what, "mount overlay on %s", lower);
		must_mount("overlay", p, "overlay", MS_NOSUID | MS_NODEV, opts, what);
	}
	join(p, root, "/proc");
	mkdir_p(p, 0755);
	must_mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "mount /proc");
}

// enter_root binds the run's work directory at /box and pivots into the
// new root.
static void enter_root(const char *root, const char *box) {
	mount_one(root, "/box", box, "", "dw");
	if (chdir(root) < 0)
		fail("chdir new root: %s", strerror(errno));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root: %s", strerror(errno));
	if (umount2(".", MNT_DETACH) < 0)
		fail("detach old root: %s", strerror(errno));
	must_mount("", "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL, "remount root read-only");
	if (sethostname("box", 3) < 0)
		fail("sethostname: %s", strerror(errno));
	if (chdir("/box") < 0)
		fail("chdir /box: %s", strerror(errno));
}

static void set_limit(int res, rlim_t cur, rlim_t max) {
	struct rlimit rl = {cur, max};
	if (setrlimit(res, &rl) < 0)
		fail("setrlimit %d: %s", res, strerror(errno));
}

static void on_signal(int sig) { (void)sig; }

static long long now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void onsite_run_helper(void) {
	// The sandbox starts the helper as pid 1 of a new pid namespace; run
	// any other way (by hand, as root) it would remount the host's mounts.
	if (getpid() != 1)
		fail("the sandbox helper must be started by the sandbox, in a new pid namespace");
	// Graded code runs at a lower priority than the server: when
	// submissions keep every core busy, pages still answer promptly.
	setpriority(PRIO_PROCESS, 0, ONSITE_NICENESS);
	// Nothing the parent passed may reach the program.
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);

	struct frame rootf, filterf, runf;
	const char *root;
	int setuid_inside;
	read_frame(&rootf, "root config");
	build_root(&rootf, &setuid_inside, &root);
	read_frame(&filterf, "seccomp filter");
	if (filterf.len == 0 || filterf.len % sizeof(struct sock_filter) != 0 ||
	    filterf.len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		fail("read seccomp filter: %u bytes", filterf.len);
	// The parent sends the run once we are in our cgroups: this read is
	// also the go-ahead.
	read_frame(&runf, "run config");
	close(ONSITE_FD_CONFIG);
	if (strcmp(next(&runf), "run") != 0)
		fail("read run config: not a run frame");
	const char *box = next(&runf);
	unsigned long long cpu = next_num(&runf), fsize = next_num(&runf), nofile = next_num(&runf),
			   stack = next_num(&runf);
	unsigned long long argc = next_num(&runf);
	if (argc == 0 || argc > 4096)
		fail("argv of %llu arguments", argc);
	char **argv = calloc(argc + 1, sizeof *argv);
	for (unsigned long long i = 0; i < argc; i++)
		argv[i] = (char *)next(&runf);
	unsigned long long envc = next_num(&runf);
	if (envc > 4096)
		fail("env of %llu entries", envc);
	char **envp = calloc(envc + 1, sizeof *envp);
	for (unsigned long long i = 0; i < envc; i++)
		envp[i] = (char *)next(&runf);
	if (argv == NULL || envp == NULL)
		fail("out of memory");

	enter_root(root, box);
	set_limit(RLIMIT_CORE, 0, 0);
	set_limit(RLIMIT_NOFILE, nofile, nofile);
	set_limit(RLIMIT_STACK, stack, stack);
	if (cpu > 0)
		set_limit(RLIMIT_CPU, cpu, cpu + 1);
	if (fsize > 0)
		set_limit(RLIMIT_FSIZE, fsize, fsize);

	// Signals sent from inside the box must not end the helper by
	// surprise; handled, not ignored, so the program starts with defaults.
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail("prctl dumpable: %s", strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		fail("clear ambient capabilities: %s", strerror(errno));
	struct sock_fprog prog = {
		.len = (unsigned short)(filterf.len / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)filterf.buf,
	};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("prctl no_new_privs: %s", strerror(errno));
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		fail("load seccomp filter: %s", strerror(errno));

	int errp[2];
	if (pipe2(errp, O_CLOEXEC) < 0)
		fail("pipe: %s", strerror(errno));
	long long start = now_ns();
	// vfork: the child shares our memory until it execs, so no page table
	// is copied and no page faulted in twice. It only makes system calls
	// (raw ones: no libc state is touched) and execs or exits.
	pid_t pid = vfork();
	if (pid < 0)
		fail("start %s: fork: %s", argv[0], strerror(errno));
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(unsigned long));
		// Leaving root inside drops every capability.
		if (setuid_inside && (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setgid, ONSITE_INSIDE_ID) < 0 ||
				      syscall(SYS_setuid, ONSITE_INSIDE_ID) < 0)) {
			int err = errno;
			syscall(SYS_write, errp[1], &err, sizeof err);
			syscall(SYS_exit, 127);
		}
		syscall(SYS_execve, argv[0], argv, envp);
		int err = errno;
		syscall(SYS_write, errp[1], &err, sizeof err);
		syscall(SYS_exit, 127);
	}
	close(errp[1]);
	int err = 0;
	ssize_t n;
	do
		n = read(errp[0], &err, sizeof err);
	while (n < 0 && errno == EINTR);
	if (n == sizeof err)
		fail("start %s: %s", argv[0], strerror(err));
	close(0);
	close(1);
	close(2);

	// Reap everything (we are pid 1) until the program exits; the rest of
	// the namespace dies with us.
	long long user = 0, sys = 0;
	for (;;) {
		int ws;
		struct rusage ru;
		pid_t w = wait4(-1, &ws, 0, &ru);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			fail("wait: %s", strerror(errno));
		user += (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
		sys += (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
		if (w == pid) {
			char out[256];
			int len = snprintf(out, sizeof out,
					   "{\"status\":%u,\"user_usec\":%lld,\"sys_usec\":%lld,\"wall_ns\":%lld}\n",
					   (unsigned)ws, user, sys, now_ns() - start);
			onsite_write_all(ONSITE_FD_STATUS, out, (size_t)len);
			_exit(0);
		}
	}
}
