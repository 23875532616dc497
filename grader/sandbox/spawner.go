package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/onsite-dev/onsite/grader/sandbox/boxhelper"
	"golang.org/x/sys/unix"
)

// spawner is the small process that starts helpers for us (see
// boxhelper.SpawnerArg); its replies come back on one socket.
type spawner struct {
	fd      int
	pid     int
	write   sync.Mutex
	mu      sync.Mutex
	next    uint64
	pending map[uint64]*spawned
	dead    error
	closing sync.Once
	// closed is set, under write, once the reader has closed fd.
	closed bool
}

// spawnTimeout bounds the wait for the spawner to start a helper.
const spawnTimeout = 30 * time.Second

// spawned is a helper the spawner started.
type spawned struct {
	sp      *spawner
	id      uint64
	pid     int
	started chan boxhelper.SpawnReply
	exited  chan boxhelper.SpawnReply
	cpu     time.Duration
}

// startSpawner starts the spawner from a thread kept for it alone: the
// spawner dies with the thread that started it (Pdeathsig), and so, in
// turn, do the helpers it started.
func startSpawner(exe *os.File) (*spawner, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	theirs := os.NewFile(uintptr(fds[1]), "spawner")
	started, pid := make(chan error, 1), make(chan int, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread lives as long as the spawner
		c := &exec.Cmd{
			Path:        fmt.Sprintf("/proc/self/fd/%d", boxhelper.FDSpawner+1),
			Args:        []string{"onsite-spawner", boxhelper.SpawnerArg},
			Env:         []string{},
			ExtraFiles:  []*os.File{theirs, exe},
			SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
		}
		err := c.Start()
		theirs.Close()
		if err != nil {
			started <- err
			return
		}
		pid <- c.Process.Pid
		started <- nil
		// Once the spawner is gone the thread may go too: returning
		// while locked ends it.
		_ = c.Wait()
	}()
	if err := <-started; err != nil {
		unix.Close(fds[0])
		return nil, fmt.Errorf("sandbox: start spawner: %w", err)
	}
	sp := &spawner{fd: fds[0], pid: <-pid, pending: map[uint64]*spawned{}}
	go sp.read()
	return sp, nil
}

// read dispatches the spawner's replies to the helpers they are about.
func (sp *spawner) read() {
	buf := make([]byte, 4096)
	for {
		n, _, _, _, err := unix.Recvmsg(sp.fd, buf, nil, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			sp.fail(fmt.Errorf("%w (%v)", errSpawnerGone, err))
			// Only this goroutine closes the socket, and only once no
			// send can use its number again.
			sp.write.Lock()
			sp.closed = true
			unix.Close(sp.fd)
			sp.write.Unlock()
			return
		}
		var r boxhelper.SpawnReply
		if json.Unmarshal(buf[:n], &r) != nil {
			continue
		}
		sp.mu.Lock()
		h := sp.pending[r.ID]
		if r.Exited || r.Err != "" {
			delete(sp.pending, r.ID)
		}
		sp.mu.Unlock()
		if h == nil {
			continue
		}
		if r.Exited {
			h.exited <- r
		} else {
			h.started <- r
		}
	}
}

// errSpawnerGone is the error of helpers whose spawner died or was closed.
var errSpawnerGone = errors.New("sandbox: the spawner is gone")

// alive reports whether the spawner still takes requests.
func (sp *spawner) alive() bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.dead == nil
}

// fail ends every pending helper: the spawner died.
func (sp *spawner) fail(err error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.dead = err
	for id, h := range sp.pending {
		r := boxhelper.SpawnReply{ID: id, Err: err.Error(), Exited: true, Status: int(syscall.WaitStatus(9))}
		select {
		case h.started <- r:
		default:
		}
		select {
		case h.exited <- r:
		default:
		}
		delete(sp.pending, id)
	}
}

func (sp *spawner) send(req boxhelper.SpawnRequest, files []*os.File) error {
	b, err := req.Encode()
	if err != nil {
		return err
	}
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, f := range files {
			fds[i] = int(f.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	sp.write.Lock()
	defer sp.write.Unlock()
	if sp.closed {
		return fmt.Errorf("%w: closed", errSpawnerGone)
	}
	return unix.Sendmsg(sp.fd, b, oob, nil, 0)
}

// start asks the spawner for a helper with these files (stdin, stdout,
// stderr, then the helper's config and status); req's ID is set here.
func (sp *spawner) start(req boxhelper.SpawnRequest, files []*os.File) (*spawned, error) {
	sp.mu.Lock()
	if err := sp.dead; err != nil {
		sp.mu.Unlock()
		return nil, err
	}
	sp.next++
	h := &spawned{sp: sp, id: sp.next, started: make(chan boxhelper.SpawnReply, 1), exited: make(chan boxhelper.SpawnReply, 1)}
	sp.pending[h.id] = h
	sp.mu.Unlock()
	req.ID = h.id
	if err := sp.send(req, files); err != nil {
		sp.mu.Lock()
		delete(sp.pending, h.id)
		sp.mu.Unlock()
		return nil, fmt.Errorf("sandbox: ask the spawner: %w", err)
	}
	var r boxhelper.SpawnReply
	select {
	case r = <-h.started:
	case <-time.After(spawnTimeout):
		sp.mu.Lock()
		delete(sp.pending, h.id)
		sp.mu.Unlock()
		return nil, fmt.Errorf("sandbox: the spawner did not start a helper within %s", spawnTimeout)
	}
	if r.Err != "" {
		return nil, errors.New(r.Err)
	}
	h.pid = r.Pid
	return h, nil
}

// close stops the spawner (it kills the helpers it still has); once.
func (sp *spawner) close() {
	sp.closing.Do(func() {
		sp.mu.Lock()
		if sp.dead == nil {
			sp.dead = fmt.Errorf("%w: closed", errSpawnerGone)
		}
		sp.mu.Unlock()
		// Shutting the socket down wakes the reader, which closes it, and
		// tells the spawner to kill its helpers and exit.
		sp.write.Lock()
		if !sp.closed {
			unix.Shutdown(sp.fd, unix.SHUT_RDWR)
		}
		sp.write.Unlock()
	})
}

func (h *spawned) Pid() int { return h.pid }

func (h *spawned) Kill() { _ = h.sp.send(boxhelper.SpawnRequest{ID: h.id, Kill: true}, nil) }

func (h *spawned) Wait() error {
	r := <-h.exited
	h.cpu = time.Duration(r.CPUNS)
	ws := syscall.WaitStatus(r.Status)
	switch {
	case r.Err != "":
		return errors.New(r.Err)
	case ws.Signaled():
		return fmt.Errorf("signal: %v", ws.Signal())
	case ws.ExitStatus() != 0:
		return fmt.Errorf("exit status %d", ws.ExitStatus())
	}
	return nil
}

func (h *spawned) CPUTime() time.Duration { return h.cpu }
