// The spawner, in C, run from a constructor before the Go runtime starts.
//
// The server starts it once (the onsite binary with ONSITE_SPAWNER_ARG as
// its first argument, the server's socket at ONSITE_FD_SPAWNER) and asks it
// for helpers: a helper lives in new user and pid namespaces, which Go can
// only make with a real fork, and a fork of the server, with its large heap,
// costs tens of milliseconds of CPU. The spawner is small: it forks itself
// into the new namespaces, and the child becomes the helper without
// executing anything (onsite_run_helper is in this binary already).
//
// Requests (package boxhelper's SpawnRequest.Encode) are SOCK_SEQPACKET
// messages holding one frame of NUL-terminated fields:
//
//	start, id, clone flags, uid_map, gid_map, setgroups ("allow"/"deny")
//	  with ONSITE_SPAWN_FILES descriptors: stdin, stdout, stderr, the
//	  helper's config and status pipes;
//	kill, id.
//
// Replies are JSON objects, one per message: {"id":N,"pid":P} once started,
// {"id":N,"err":"..."} when the start failed, and {"id":N,"exited":true,
// "status":S,"cpu_ns":C} when the helper exited. When the server's end
// closes, the spawner kills its helpers and exits.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"

#define MAX_REQUEST (64 * 1024)

// child is a helper the spawner started and has not reaped.
struct child {
	unsigned long long id;
	pid_t pid;
};

static struct child *children;
static size_t nchildren, capchildren;

static void reply(const char *buf, size_t len) {
	ssize_t r;
	do
		r = send(ONSITE_FD_SPAWNER, buf, len, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
}

static void reply_err(unsigned long long id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reply_err(unsigned long long id, const char *fmt, ...) {
	char msg[512], out[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int n = snprintf(out, sizeof out, "{\"id\":%llu,\"err\":", id);
	n += (int)onsite_json_string(out + n, sizeof out - (size_t)n - 2, msg);
	out[n++] = '}';
	reply(out, (size_t)n);
}

// fields splits a request into its NUL-terminated fields after checking
// the frame's length prefix; it returns how many, at most max.
static int fields(char *buf, size_t len, char **out, int max) {
	if (len < 4)
		return -1;
	uint32_t n = onsite_frame_len((const unsigned char *)buf);
	if (n != len - 4 || n == 0 || buf[len - 1] != 0)
		return -1;
	int k = 0;
	for (size_t pos = 4; pos < len && k < max; k++) {
		out[k] = buf + pos;
		pos += strlen(buf + pos) + 1;
	}
	return k;
}

static int parse_num(const char *s, unsigned long long *v) {
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *s != 0 && *end == 0 ? 0 : -1;
}

// write_proc writes text to /proc/<pid>/<name>.
static int write_proc(pid_t pid, const char *name, const char *text) {
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t w = write(fd, text, len);
	int err = errno;
	close(fd);
	if (w != (ssize_t)len) {
		errno = w < 0 ? err : EIO;
		return -1;
	}
	return 0;
}

// become_helper runs in the new child: it waits until the spawner has
// written its id maps, takes the helper's descriptors and runs the helper.
static void become_helper(int sync_r, const int *fds) {
	// Die with the spawner; if it is gone already, the read below sees
	// the end of the pipe.
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	char go;
	ssize_t r;
	do
		r = read(sync_r, &go, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		_exit(127);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	// Move the descriptors out of the way of 0-4 first, then into place;
	// everything else (the server's socket, the signalfd) is closed.
	int high[ONSITE_SPAWN_FILES];
	for (int i = 0; i < ONSITE_SPAWN_FILES; i++)
		if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 64)) < 0)
			_exit(127);
	for (int i = 0; i < ONSITE_SPAWN_FILES; i++)
		if (dup2(high[i], i) < 0)
			_exit(127);
	if (syscall(SYS_close_range, (unsigned)ONSITE_SPAWN_FILES, ~0U, 0U) < 0)
		for (int fd = ONSITE_SPAWN_FILES; fd < 1024; fd++)
			close(fd);
	onsite_run_helper();
	_exit(127);
}

// start forks a helper into new namespaces and answers the request.
static void start(unsigned long long id, char **f, int nf, const int *fds, int nfds) {
	if (nf != 6 || nfds != ONSITE_SPAWN_FILES) {
		reply_err(id, "spawner: a start request needs 6 fields and %d descriptors, got %d and %d",
			  ONSITE_SPAWN_FILES, nf, nfds);
		return;
	}
	unsigned long long flags;
	if (parse_num(f[2], &flags) < 0 || (flags & (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_FILES))) {
		reply_err(id, "spawner: bad clone flags %.40s", f[2]);
		return;
	}
	if (nchildren == capchildren) {
		size_t n = capchildren ? 2 * capchildren : 16;
		struct child *c = realloc(children, n * sizeof *c);
		if (c == NULL) {
			reply_err(id, "spawner: out of memory");
			return;
		}
		children = c;
		capchildren = n;
	}
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) < 0) {
		reply_err(id, "spawner: pipe: %s", strerror(errno));
		return;
	}
	// A fork in all but name: clone's flags make the namespaces. The child
	// gets a copy of this small process, not of the server.
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		int err = errno;
		close(sync[0]);
		close(sync[1]);
		reply_err(id, "spawner: clone: %s", strerror(err));
		return;
	}
	if (pid == 0) {
		close(sync[1]);
		become_helper(sync[0], fds);
	}
	close(sync[0]);
	const char *step = NULL;
	if (*f[3] && write_proc(pid, "uid_map", f[3]) < 0)
		step = "uid_map";
	else if (*f[4] && write_proc(pid, "setgroups", f[5]) < 0)
		step = "setgroups";
	else if (*f[4] && write_proc(pid, "gid_map", f[4]) < 0)
		step = "gid_map";
	if (step != NULL) {
		int err = errno;
		// Closing the pipe unwritten makes the child exit; the reaper
		// finds no request for it.
		close(sync[1]);
		kill(pid, SIGKILL);
		reply_err(id, "spawner: write %s: %s", step, strerror(err));
		return;
	}
	ssize_t w;
	do
		w = write(sync[1], "g", 1);
	while (w < 0 && errno == EINTR);
	close(sync[1]);
	children[nchildren++] = (struct child){id, pid};
	char out[96];
	int n = snprintf(out, sizeof out, "{\"id\":%llu,\"pid\":%d}", id, (int)pid);
	reply(out, (size_t)n);
}

static void kill_child(unsigned long long id) {
	for (size_t i = 0; i < nchildren; i++)
		if (children[i].id == id)
			kill(children[i].pid, SIGKILL);
}

// reap answers for every helper that exited.
static void reap(void) {
	for (;;) {
		int ws;
		struct rusage ru;
		pid_t pid = wait4(-1, &ws, WNOHANG, &ru);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return;
		for (size_t i = 0; i < nchildren; i++) {
			if (children[i].pid != pid)
				continue;
			long long ns = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
				       ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
			char out[160];
			int n = snprintf(out, sizeof out, "{\"id\":%llu,\"exited\":true,\"status\":%d,\"cpu_ns\":%lld}",
					 children[i].id, ws, ns);
			reply(out, (size_t)n);
			children[i] = children[--nchildren];
			break;
		}
	}
}

// handle reads one request; it returns -1 once the server is gone.
static int handle(char *buf) {
	int fds[8], nfds = 0;
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} cmsg;
	struct iovec iov = {buf, MAX_REQUEST};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cmsg.buf, .msg_controllen = sizeof cmsg.buf};
	ssize_t n = recvmsg(ONSITE_FD_SPAWNER, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k && nfds < 8; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	char *f[8];
	unsigned long long id = 0;
	int nf = (msg.msg_flags & MSG_TRUNC) ? -1 : fields(buf, (size_t)n, f, 8);
	if (nf >= 2 && parse_num(f[1], &id) == 0) {
		if (strcmp(f[0], "kill") == 0)
			kill_child(id);
		else if (strcmp(f[0], "start") == 0)
			start(id, f, nf, fds, nfds);
		else
			reply_err(id, "spawner: unknown request %.20s", f[0]);
	}
	// The helper has its copies once started: ours go either way.
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return 0;
}

void onsite_run_spawner(void) {
	// Everything but the server's socket is closed (the binary's
	// descriptor the server exec'd us through included).
	if (syscall(SYS_close_range, (unsigned)ONSITE_FD_SPAWNER + 1, ~0U, 0U) < 0)
		for (int fd = ONSITE_FD_SPAWNER + 1; fd < 1024; fd++)
			close(fd);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	char *buf = malloc(MAX_REQUEST);
	if (sfd < 0 || buf == NULL)
		_exit(1);
	for (;;) {
		struct pollfd p[2] = {{.fd = ONSITE_FD_SPAWNER, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == sizeof si) {
			}
			reap();
		}
		if (p[0].revents && handle(buf) < 0)
			break;
	}
	for (size_t i = 0; i < nchildren; i++)
		kill(children[i].pid, SIGKILL);
	_exit(0);
}

__attribute__((constructor)) static void onsite_spawner(int argc, char **argv, char **envp) {
	(void)envp;
	if (argc >= 2 && argv != NULL && strcmp(argv[1], ONSITE_SPAWNER_ARG) == 0)
		onsite_run_spawner();
}
