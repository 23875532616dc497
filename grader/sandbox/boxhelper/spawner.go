package boxhelper

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// SpawnerArg is the first argument that turns the binary into the spawner:
// a small process that starts helpers for the server. A helper lives in a
// new user namespace, so starting one is a real fork (Go cannot vfork
// then), and a fork copies the parent's page tables and makes its memory
// copy-on-write; from the server, with its large heap, that costs tens of
// milliseconds of CPU per run and stalls its other threads. From this
// process it costs next to nothing.
const SpawnerArg = "__onsite_sandbox_spawner"

// FDSpawner is the spawner's socket (SOCK_SEQPACKET) to the server.
const FDSpawner = 3

// SpawnFiles is how many descriptors a spawn request carries, in the order
// the helper gets them: stdin, stdout, stderr, then FDConfig, FDStatus and
// FDExe.
const SpawnFiles = 6

// SpawnRequest asks the spawner to start a helper (or, with Kill, to kill
// the one with this ID). A start request carries the helper's SpawnFiles
// descriptors with SCM_RIGHTS.
type SpawnRequest struct {
	ID   uint64               `json:"id"`
	Kill bool                 `json:"kill,omitempty"`
	Env  []string             `json:"env,omitempty"`
	Attr *syscall.SysProcAttr `json:"attr,omitempty"`
}

// SpawnReply answers a request: the helper's pid once started, then, when
// it exits, its wait status and the CPU time it used.
type SpawnReply struct {
	ID     uint64 `json:"id"`
	Pid    int    `json:"pid,omitempty"`
	Err    string `json:"err,omitempty"`
	Exited bool   `json:"exited,omitempty"`
	Status int    `json:"status,omitempty"`
	CPUNS  int64  `json:"cpu_ns,omitempty"`
}

// runSpawner serves spawn requests until the server closes the socket,
// then kills what it started and exits.
func runSpawner() {

	var (
		mu      sync.Mutex
		running = map[uint64]*exec.Cmd{}
		write   sync.Mutex
	)
	reply := func(r SpawnReply) {
		b, _ := json.Marshal(r)
		write.Lock()
		defer write.Unlock()
		_ = unix.Sendmsg(FDSpawner, b, nil, nil, 0)
	}
	buf := make([]byte, 1<<16)
	oob := make([]byte, unix.CmsgSpace(SpawnFiles*4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(FDSpawner, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			break
		}
		var fds []int
		if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
			for _, m := range msgs {
				if got, err := unix.ParseUnixRights(&m); err == nil {
					fds = append(fds, got...)
				}
			}
		}
		var req SpawnRequest
		if err := json.Unmarshal(buf[:n], &req); err != nil {
			closeAll(fds)
			continue
		}
		if req.Kill {
			mu.Lock()
			if c := running[req.ID]; c != nil {
				_ = c.Process.Kill()
			}
			mu.Unlock()
			continue
		}
		c, err := startSpawned(req, fds)
		if err != nil {
			reply(SpawnReply{ID: req.ID, Err: err.Error()})
			continue
		}
		mu.Lock()
		running[req.ID] = c
		mu.Unlock()
		reply(SpawnReply{ID: req.ID, Pid: c.Process.Pid})
		go func() {
			_ = c.Wait()
			mu.Lock()
			delete(running, req.ID)
			mu.Unlock()
			r := SpawnReply{ID: req.ID, Exited: true}
			if ps := c.ProcessState; ps != nil {
				r.Status = int(ps.Sys().(syscall.WaitStatus))
				r.CPUNS = int64(ps.UserTime() + ps.SystemTime())
			}
			reply(r)
		}()
	}
	mu.Lock()
	for _, c := range running {
		_ = c.Process.Kill()
	}
	mu.Unlock()
	os.Exit(0)
}

func startSpawned(req SpawnRequest, fds []int) (*exec.Cmd, error) {
	if len(fds) != SpawnFiles || req.Attr == nil {
		closeAll(fds)
		return nil, fmt.Errorf("spawner: a request needs %d descriptors and attributes, got %d", SpawnFiles, len(fds))
	}
	files := make([]*os.File, len(fds))
	for i, fd := range fds {
		files[i] = os.NewFile(uintptr(fd), fmt.Sprintf("fd%d", i))
	}
	// The helper has its copies once started: ours go either way.
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	// The helper must not outlive this process, nor this one the server.
	req.Attr.Pdeathsig = syscall.SIGKILL
	c := &exec.Cmd{
		Path:        fmt.Sprintf("/proc/self/fd/%d", FDExe),
		Args:        []string{"onsite-sandbox", Arg},
		Env:         req.Env,
		Stdin:       files[0],
		Stdout:      files[1],
		Stderr:      files[2],
		ExtraFiles:  files[3:],
		SysProcAttr: req.Attr,
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	return c, nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		_ = unix.Close(fd)
	}
}
