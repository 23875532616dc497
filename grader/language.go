package grader

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Language is how the grader compiles and runs one programming language.
// The definitions are data (Languages); Discover fills in the binaries and
// version found on this machine.
//
// Argv templates may hold placeholders, replaced when a command is built:
// {TOOL} (a name from Tools, e.g. {python3}) is that tool's resolved binary,
// {main} the file to run or compile, and {memory_mb} the task's memory limit
// in MiB (for runtimes that size their own heap, as Node and Java do).
type Language struct {
	// Name is the API's name ("python"); Title the one people read.
	Name  string `json:"name"`
	Title string `json:"title"`
	// Version is what the version probe printed, e.g. "3.11.2".
	Version string `json:"version"`
	// Modes lists the task modes this language can answer.
	Modes []Mode `json:"modes"`

	// Tools names the programs the commands need, in the order they are
	// looked for; Tools[0] answers the version probe.
	Tools []Tool `json:"-"`
	// Paths maps each tool's name to its real binary (symlinks and shims
	// resolved), once Discover found it.
	Paths map[string]string `json:"-"`
	// Probe is the version probe's argv.
	Probe []string `json:"-"`

	// Source is the file the candidate's program goes into in stdio mode.
	Source string `json:"-"`
	// Compile builds {main} into ./prog, nil for interpreted languages.
	Compile []string `json:"-"`
	// Run starts the program: an interpreter on {main}, or ./prog.
	Run []string `json:"-"`
	// FunctionRun, when set, replaces Run in function mode, where {main}
	// is onsite's own driver.
	FunctionRun []string `json:"-"`
	// DriverCompile, when set, compiles the function-mode driver once, in
	// Discover, on the host: it reads the driver's source on stdin and
	// writes the compiled driver, which runs as DriverFile. Only onsite's
	// own driver is compiled this way, never a submission. Python's .pyc
	// spares every run compiling the driver (about 3 ms and 120 page
	// faults of a 30 ms start).
	DriverCompile []string `json:"-"`
	DriverFile    string   `json:"-"`
	// Driver is what DriverCompile wrote, once Discover ran it; when it is
	// nil, runs use the driver's source.
	Driver []byte `json:"-"`
	// Env is the whole environment of compiles and runs; {gocache} is the
	// grader's shared Go build cache.
	Env []string `json:"-"`

	// CompileTime bounds a compile; CompileMemory its memory and
	// CompileProcs its processes and threads.
	CompileTime   time.Duration `json:"-"`
	CompileMemory int64         `json:"-"`
	CompileProcs  int           `json:"-"`
	// ExtraMemory is added to a task's memory limit for the runtime itself
	// (a JIT, a garbage collector's headroom), so that the limit the
	// question states is what the candidate's data may use. The grader
	// never limits address space (RLIMIT_AS): Go and Node reserve far more
	// than they use.
	ExtraMemory int64 `json:"-"`
	// RunProcs bounds processes and threads of a run: runtimes start
	// helper threads (Node about ten, the JVM twenty or more).
	RunProcs int `json:"-"`
	// OutOfMemory are what the runtime writes to stderr when it fails for
	// want of memory: a program that failed so gets Memory Limit Exceeded.
	OutOfMemory []string `json:"-"`
	// Startup is the time the runtime takes to start, added to the wall
	// clock limit of a run so that a slow start never counts as TLE.
	Startup time.Duration `json:"-"`
}

// Tool is one program a language needs.
type Tool struct {
	// Name is the placeholder's name and the program looked up on PATH.
	Name string
	// Prefer lists absolute paths tried before PATH, e.g. Debian's
	// /usr/bin/python3, which starts 2.6x faster than a pyenv build.
	Prefer []string
	// Self, when set, asks the program for its own real path: the way
	// through a shim script (pyenv, asdf) to the binary it would exec.
	Self []string
}

// ranOutOfMemory says whether stderr holds one of l.OutOfMemory.
func (l Language) ranOutOfMemory(stderr []byte) bool {
	for _, m := range l.OutOfMemory {
		if bytes.Contains(stderr, []byte(m)) {
			return true
		}
	}
	return false
}

// Supports reports whether l can answer a task in mode m.
func (l Language) Supports(m Mode) bool { return slices.Contains(l.Modes, m) }

// The memory units.
const (
	mib = 1 << 20
	gib = 1 << 30
)

// Languages are the definitions the grader knows, whether or not they are
// installed here. Discover returns those that are.
var Languages = []Language{
	{
		Name: "python", Title: "Python 3", Modes: []Mode{ModeFunction, ModeStdio},
		Tools: []Tool{{
			Name:   "python3",
			Prefer: []string{"/usr/bin/python3"},
			Self:   []string{"-I", "-c", "import os, sys; print(os.path.realpath(sys.executable))"},
		}},
		Probe:  []string{"{python3}", "--version"},
		Source: "solution.py",
		// -I: no user site, no PYTHON* variables, no script directory on
		// sys.path. The standard library (json included) still imports.
		Run: []string{"{python3}", "-I", "{main}"},
		// -S as well for the function-mode driver: the site module's .pth
		// files import setuptools' and certifi's hooks at every start
		// (about a fifth of a small submission's CPU); the driver puts the
		// site-packages directories on sys.path itself, so installed
		// packages (numpy from python3-numpy) still import.
		FunctionRun: []string{"{python3}", "-I", "-S", "{main}"},
		// The interpreter runs a .pyc named on its command line once the
		// magic number matches; the rest of the 16-byte header is unused.
		DriverCompile: []string{"{python3}", "-I", "-S", "-c", "import importlib.util, marshal, sys\n" +
			"code = compile(sys.stdin.buffer.read(), 'driver.py', 'exec', dont_inherit=True)\n" +
			"sys.stdout.buffer.write(importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(code))\n"},
		DriverFile:  "driver.pyc",
		Env:         []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		OutOfMemory: []string{"MemoryError"},
		ExtraMemory: 32 * mib, RunProcs: 16, Startup: 500 * time.Millisecond,
	},
	{
		Name: "javascript", Title: "JavaScript (Node.js)", Modes: []Mode{ModeFunction, ModeStdio},
		Tools: []Tool{{
			Name: "node",
			Self: []string{"-p", "require('fs').realpathSync(process.execPath)"},
		}},
		Probe:       []string{"{node}", "--version"},
		Source:      "solution.js",
		Run:         []string{"{node}", "--max-old-space-size={memory_mb}", "{main}"},
		Env:         []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		OutOfMemory: []string{"JavaScript heap out of memory", "Array buffer allocation failed"},
		ExtraMemory: 96 * mib, RunProcs: 32, Startup: time.Second,
	},
	{
		Name: "go", Title: "Go", Modes: []Mode{ModeFunction, ModeStdio},
		Tools:   []Tool{{Name: "go", Prefer: []string{"/usr/local/go/bin/go"}}},
		Probe:   []string{"{go}", "version"},
		Source:  "main.go",
		Compile: []string{"{go}", "build", "-o", "prog", "{main}"},
		Run:     []string{"./prog"},
		// A single-package build of files named on the command line needs
		// no module, GOPATH or HOME; the cache is shared so that the
		// standard library is compiled once, not per submission.
		Env: []string{
			"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "GOCACHE={gocache}", "GOENV=off",
			"GOTOOLCHAIN=local", "CGO_ENABLED=0",
		},
		CompileTime: 60 * time.Second, CompileMemory: 2 * gib, CompileProcs: 256,
		OutOfMemory: []string{"runtime: out of memory"},
		ExtraMemory: 32 * mib, RunProcs: 32, Startup: 200 * time.Millisecond,
	},
	{
		Name: "c", Title: "C (GCC)", Modes: []Mode{ModeStdio},
		Tools:       []Tool{{Name: "gcc"}},
		Probe:       []string{"{gcc}", "--version"},
		Source:      "main.c",
		Compile:     []string{"{gcc}", "-O2", "-std=gnu17", "-pipe", "-o", "prog", "{main}", "-lm"},
		Run:         []string{"./prog"},
		Env:         []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		CompileTime: 30 * time.Second, CompileMemory: gib, CompileProcs: 64,
		ExtraMemory: 8 * mib, RunProcs: 8, Startup: 100 * time.Millisecond,
	},
	{
		Name: "cpp", Title: "C++ (GCC)", Modes: []Mode{ModeStdio},
		Tools:       []Tool{{Name: "g++"}},
		Probe:       []string{"{g++}", "--version"},
		Source:      "main.cpp",
		Compile:     []string{"{g++}", "-O2", "-std=gnu++17", "-pipe", "-o", "prog", "{main}"},
		Run:         []string{"./prog"},
		Env:         []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		CompileTime: 30 * time.Second, CompileMemory: gib, CompileProcs: 64,
		OutOfMemory: []string{"std::bad_alloc"},
		ExtraMemory: 8 * mib, RunProcs: 8, Startup: 100 * time.Millisecond,
	},
	{
		Name: "java", Title: "Java (OpenJDK)", Modes: []Mode{ModeStdio},
		Tools: []Tool{{Name: "java"}, {Name: "javac"}},
		Probe: []string{"{java}", "-version"},
		// javac wants a public class Main in Main.java.
		Source:  "Main.java",
		Compile: []string{"{javac}", "-J-Xmx512m", "-J-XX:+UseSerialGC", "-encoding", "UTF-8", "-d", ".", "{main}"},
		// A small code cache and class space keep the JVM's footprint low;
		// the heap is the task's memory limit.
		Run: []string{
			"{java}", "-Xmx{memory_mb}m", "-Xss64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
			"-XX:ReservedCodeCacheSize=64m", "-XX:CompressedClassSpaceSize=64m", "-Xshare:auto",
			"-cp", ".", "Main",
		},
		Env:         []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		CompileTime: 60 * time.Second, CompileMemory: gib, CompileProcs: 128,
		OutOfMemory: []string{"java.lang.OutOfMemoryError"},
		ExtraMemory: 192 * mib, RunProcs: 64, Startup: 2 * time.Second,
	},
}

// probeTimeout bounds each program Discover runs.
const probeTimeout = 10 * time.Second

// Discover returns the languages of Languages installed on this machine,
// each with its tools resolved to their real binaries and its version
// probed. Languages are probed in parallel; one that fails to answer is
// left out, since the grader could not run it either.
func Discover(ctx context.Context) []Language {
	found := make([]*Language, len(Languages))
	var wg sync.WaitGroup
	for i, def := range Languages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l, ok := discover(ctx, def); ok {
				found[i] = &l
			}
		}()
	}
	wg.Wait()
	var langs []Language
	for _, l := range found {
		if l != nil {
			langs = append(langs, *l)
		}
	}
	return langs
}

// discover resolves one language's tools and probes its version.
func discover(ctx context.Context, def Language) (Language, bool) {
	l := def
	l.Paths = make(map[string]string, len(def.Tools))
	for _, tool := range def.Tools {
		p, ok := resolveTool(ctx, tool)
		if !ok {
			return Language{}, false
		}
		l.Paths[tool.Name] = p
	}
	out, err := probe(ctx, l.expand(l.Probe, nil))
	if err != nil {
		return Language{}, false
	}
	l.Version = parseVersion(out)
	if l.DriverCompile != nil {
		// A driver that does not compile is slower, not broken: the
		// source still runs.
		l.Driver, _ = compileDriver(ctx, l)
	}
	return l, true
}

// compileDriver runs the language's DriverCompile on its driver's source.
func compileDriver(ctx context.Context, l Language) ([]byte, error) {
	src, err := driverSource(l.Name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	argv := l.expand(l.DriverCompile, nil)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = l.Env
	cmd.Stdin = bytes.NewReader(src)
	out, err := cmd.Output()
	if err != nil || len(out) == 0 {
		return nil, fmt.Errorf("compile the %s driver: %v", l.Name, err)
	}
	return out, nil
}

// resolveTool finds a tool's real binary: a preferred path, else PATH;
// symlinks evaluated; a shim script asked for the binary it runs.
func resolveTool(ctx context.Context, tool Tool) (string, bool) {
	var p string
	for _, cand := range tool.Prefer {
		if isExecutable(cand) {
			p = cand
			break
		}
	}
	if p == "" {
		var err error
		if p, err = exec.LookPath(tool.Name); err != nil {
			return "", false
		}
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	if p, err = filepath.EvalSymlinks(p); err != nil {
		return "", false
	}
	if isScript(p) && tool.Self != nil {
		out, err := probe(ctx, append([]string{p}, tool.Self...))
		if err != nil {
			return "", false
		}
		self := strings.TrimSpace(out)
		if !filepath.IsAbs(self) || !isExecutable(self) {
			return "", false
		}
		p = self
	}
	return p, true
}

// isExecutable reports whether p is a regular file someone may execute.
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// isScript reports whether p starts with "#!", as version-manager shims do.
func isScript(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 2)
	n, _ := f.Read(head)
	return n == 2 && string(head) == "#!"
}

// probe runs argv with a timeout and returns its stdout and stderr (java
// -version writes to stderr).
func probe(ctx context.Context, argv []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "GOTOOLCHAIN=local"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// versionPattern finds a dotted version number.
var versionPattern = regexp.MustCompile(`\d+(?:\.\d+)+`)

// parseVersion takes the first dotted number on the probe's first line
// ("Python 3.11.2", "go version go1.26.8 linux/amd64", "v20.20.2",
// "gcc (Debian 12.2.0-14) 12.2.0", `openjdk version "17.0.13"`), or the
// whole line when there is none.
func parseVersion(out string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	if v := versionPattern.FindString(line); v != "" {
		return v
	}
	return strings.TrimSpace(line)
}

// expand replaces the placeholders of argv or env entries: the tools'
// paths, and vars (main, memory_mb, gocache).
func (l Language) expand(argv []string, vars map[string]string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		for name, p := range l.Paths {
			a = strings.ReplaceAll(a, "{"+name+"}", p)
		}
		for name, v := range vars {
			a = strings.ReplaceAll(a, "{"+name+"}", v)
		}
		out[i] = a
	}
	return out
}

// memoryMB formats a byte count as whole MiB for {memory_mb}.
func memoryMB(b int64) string { return strconv.FormatInt(max(b/mib, 16), 10) }
