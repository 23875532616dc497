package sandbox

import (
	"fmt"
	"os"
	"sync"
)

// helperProc is a helper already started in its namespaces, its root built,
// blocked until its run config arrives. The Sandbox keeps spares ready so
// that a run pays only for binding its work directory and the program.
type helperProc struct {
	p                            *spawned
	cfgW, statR, inW, outR, errR *os.File
}

// close releases the parent's ends of the pipes.
func (h *helperProc) close() {
	for _, f := range []*os.File{h.cfgW, h.statR, h.inW, h.outR, h.errR} {
		if f != nil {
			f.Close()
		}
	}
}

// discard kills an unused spare.
func (h *helperProc) discard() {
	h.p.Kill()
	h.close()
	_ = h.p.Wait()
}

// startHelper starts a helper that waits for its config on boxhelper.FDConfig.
func (s *Sandbox) startHelper() (*helperProc, error) {
	var files []*os.File
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err == nil {
			files = append(files, r, w)
		}
		return r, w, err
	}
	h := &helperProc{}
	var cfgR, statW, inR, outW, errW *os.File
	var err error
	for _, p := range []struct{ r, w **os.File }{{&cfgR, &h.cfgW}, {&h.statR, &statW}, {&inR, &h.inW}, {&h.outR, &outW}, {&h.errR, &errW}} {
		if *p.r, *p.w, err = pipe(); err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, fmt.Errorf("sandbox: pipe: %w", err)
		}
	}
	files = []*os.File{inR, outW, errW, cfgR, statW}
	// A spawner that died (killed, out of memory) is replaced once.
	for try := 0; try < 2; try++ {
		var sp *spawner
		if sp, err = s.spawner(); err != nil {
			break
		}
		if h.p, err = sp.start(s.spawnRequest(), files); err == nil || sp.alive() {
			break
		}
	}
	for _, f := range files {
		f.Close()
	}
	if err != nil {
		h.close()
		return nil, fmt.Errorf("sandbox: start helper: %w", err)
	}
	// The root is the same for every run: the helper builds it now, while
	// it waits for a run.
	if _, err := h.cfgW.Write(s.rootFrames); err != nil {
		h.discard()
		return nil, fmt.Errorf("sandbox: send root config: %w", err)
	}
	return h, nil
}

// spares holds helpers started ahead of need.
type spares struct {
	mu      sync.Mutex
	ready   []*helperProc
	want    int
	filling int
	closed  bool
	// starting counts the background starts, which Close waits for: they
	// use the binary's descriptor it closes.
	starting sync.WaitGroup
}

// takeHelper returns a spare if one is ready, or starts one now. The caller
// refills after its run, so that starting a spare (a fork, new namespaces
// and a dozen mounts) does not compete with the program being timed. A
// spare whose spawner died died with it and is discarded.
func (s *Sandbox) takeHelper() (*helperProc, error) {
	for {
		s.spares.mu.Lock()
		var h *helperProc
		if n := len(s.spares.ready); n > 0 {
			h, s.spares.ready = s.spares.ready[n-1], s.spares.ready[:n-1]
		}
		s.spares.mu.Unlock()
		if h == nil {
			return s.startHelper()
		}
		if h.p.sp.alive() {
			return h, nil
		}
		// Its spawner died, and it with it.
		h.discard()
	}
}

// refill starts spares up to the number wanted.
func (s *Sandbox) refill() {
	s.spares.mu.Lock()
	defer s.spares.mu.Unlock()
	for !s.spares.closed && len(s.spares.ready)+s.spares.filling < s.spares.want {
		s.spares.filling++
		s.spares.starting.Add(1)
		go func() {
			defer s.spares.starting.Done()
			h, err := s.startHelper()
			s.spares.mu.Lock()
			defer s.spares.mu.Unlock()
			s.spares.filling--
			if err != nil {
				s.log.Warn("sandbox: start a spare helper", "error", err)
				return
			}
			if s.spares.closed {
				h.discard()
				return
			}
			s.spares.ready = append(s.spares.ready, h)
		}()
	}
}

// closeSpares kills the spares; no more are started.
func (s *Sandbox) closeSpares() {
	s.spares.mu.Lock()
	ready := s.spares.ready
	s.spares.ready, s.spares.closed = nil, true
	s.spares.mu.Unlock()
	s.spares.starting.Wait()
	for _, h := range ready {
		h.discard()
	}
}

// settle waits until the background starts are done, so that a benchmark
// times runs on a quiet machine.
func (s *Sandbox) settle() {
	s.spares.starting.Wait()
}
