package grader

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/onsite-dev/onsite"
)

// Defaults for a task that names no limits, and the grader's own caps.
const (
	DefaultTimeLimit   = 2 * time.Second
	DefaultMemoryBytes = 256 << 20
	// DefaultMaxOutput caps a run's stdout and stderr: in function mode
	// stdout carries every test's return value.
	DefaultMaxOutput = 16 << 20
	// callOutputLimit is how much one call may print before it is OLE.
	callOutputLimit = 1 << 20
	// sampleCap caps each text shown for a sample test, compileCap the
	// compiler's message and messageCap the run's message.
	sampleCap  = 1 << 10
	compileCap = 8 << 10
	messageCap = 2 << 10
	// fileSizeLimit caps any file a program writes.
	fileSizeLimit = 64 << 20
)

// Config is what a Grader needs besides the sandbox and the languages.
type Config struct {
	// GoCache is Go's build cache, shared by every Go compile so that the
	// standard library is built once; the sandbox must let compiles write
	// it. Empty means DefaultGoCache().
	GoCache string
	// MaxOutput caps a run's stdout and stderr; 0 is DefaultMaxOutput.
	MaxOutput int64
}

// Grader grades tasks in boxes of its Sandbox, with the languages found on
// this machine.
type Grader struct {
	sandbox Sandbox
	byName  map[string]Language
	cfg     Config
}

// DefaultGoCache is where Go's shared build cache lives unless configured:
// under the temporary directory, so it survives restarts but not reboots.
func DefaultGoCache() string { return filepath.Join(os.TempDir(), "onsite-gocache") }

// New returns a Grader running programs in sb with langs, usually what
// Discover found.
func New(sb Sandbox, langs []Language, cfg Config) *Grader {
	if cfg.GoCache == "" {
		cfg.GoCache = DefaultGoCache()
	}
	if cfg.MaxOutput <= 0 {
		cfg.MaxOutput = DefaultMaxOutput
	}
	g := &Grader{sandbox: sb, byName: make(map[string]Language, len(langs)), cfg: cfg}
	for _, l := range langs {
		g.byName[l.Name] = l
	}
	return g
}

// Language returns the language called name, if this grader runs it.
func (g *Grader) Language(name string) (Language, bool) {
	l, ok := g.byName[name]
	return l, ok
}

// Grade runs task's code against its tests and returns the verdicts. A task
// the grader cannot take (unknown language, a mode the language lacks, no
// tests) is an EINVALID error; a sandbox failure is returned as an error;
// whatever the code does is a verdict. A driver's output that makes no
// sense is an InternalError result with a Message, never the candidate's
// fault.
func (g *Grader) Grade(ctx context.Context, task Task) (*Result, error) {
	lang, ok := g.byName[task.Language]
	if !ok {
		return nil, onsite.Errorf(onsite.EINVALID, "Language %q is not available here.", task.Language)
	}
	if !lang.Supports(task.Mode) {
		return nil, onsite.Errorf(onsite.EINVALID, "%s cannot answer %s-mode questions here.", lang.Title, task.Mode)
	}
	if len(task.Tests) == 0 {
		return nil, onsite.Errorf(onsite.EINVALID, "The task has no tests.")
	}
	if task.TimeLimit <= 0 {
		task.TimeLimit = DefaultTimeLimit
	}
	if task.MemoryBytes <= 0 {
		task.MemoryBytes = DefaultMemoryBytes
	}
	var prog *Program
	if task.Mode == ModeFunction {
		p, err := FunctionProgram(lang.Name, task.Function, task.Code)
		if err != nil {
			return nil, err
		}
		compiledDriver(lang, p)
		prog = p
	} else {
		prog = StdioProgram(lang, task.Code)
	}

	box, err := g.sandbox.NewBox(ctx)
	if err != nil {
		return nil, fmt.Errorf("grade: new box: %w", err)
	}
	defer box.Close()
	for _, f := range prog.Files {
		if err := box.WriteFile(f.Name, f.Data, f.Executable); err != nil {
			return nil, fmt.Errorf("grade: write %s: %w", f.Name, err)
		}
	}
	r := &run{g: g, lang: lang, task: task, prog: prog, box: box, res: &Result{Total: len(task.Tests), Tests: []TestResult{}}}
	if lang.Compile != nil {
		ok, err := r.compile(ctx)
		if err != nil || !ok {
			return r.res, err
		}
	}
	if task.Mode == ModeFunction {
		err = r.runFunction(ctx)
	} else {
		err = r.runStdio(ctx)
	}
	if err != nil {
		return nil, err
	}
	r.finish()
	return r.res, nil
}

// run is one task being graded.
type run struct {
	g    *Grader
	lang Language
	task Task
	prog *Program
	box  Box
	res  *Result
}

// vars are the placeholders of the language's commands.
func (r *run) vars(memory int64) map[string]string {
	return map[string]string{"memory_mb": memoryMB(memory), "gocache": r.g.cfg.GoCache, "main": r.prog.Main}
}

// env is the language's environment for this run.
func (r *run) env() []string { return r.lang.expand(r.lang.Env, r.vars(r.task.MemoryBytes)) }

// compile builds the program; false means a compilation error, recorded
// in the result.
func (r *run) compile(ctx context.Context) (bool, error) {
	var argv []string
	for _, a := range r.lang.Compile {
		if a == "{main}" {
			argv = append(argv, r.prog.Sources...)
			continue
		}
		argv = append(argv, a)
	}
	out, err := r.box.Run(ctx, Cmd{
		Argv:        r.lang.expand(argv, r.vars(r.task.MemoryBytes)),
		Env:         r.env(),
		CPUTime:     r.lang.CompileTime,
		WallTime:    r.lang.CompileTime,
		MemoryBytes: r.lang.CompileMemory,
		MaxProcs:    r.lang.CompileProcs,
		MaxOutput:   compileCap * 8,
		FileSize:    r.lang.CompileMemory,
	})
	if err != nil {
		return false, fmt.Errorf("grade: compile: %w", err)
	}
	if out.ExitCode == 0 && out.Signal == 0 && !out.TimedOut && !out.MemoryExceeded {
		return true, nil
	}
	msg := strings.TrimSpace(string(out.Stderr) + string(out.Stdout))
	switch {
	case out.TimedOut:
		msg = fmt.Sprintf("Compilation took longer than %s.\n%s", r.lang.CompileTime, msg)
	case out.MemoryExceeded:
		msg = fmt.Sprintf("Compilation used more than %d MiB.\n%s", r.lang.CompileMemory/mib, msg)
	}
	r.res.Verdict = CompilationError
	r.res.CompileOutput = capText(msg, compileCap)
	return false, nil
}

// runCmd is the Cmd of a run of the program, without stdin.
func (r *run) runCmd(wall time.Duration, stdin []byte) Cmd {
	mem := r.task.MemoryBytes + r.lang.ExtraMemory
	argv := r.lang.Run
	if r.task.Mode == ModeFunction && r.lang.FunctionRun != nil {
		argv = r.lang.FunctionRun
	}
	return Cmd{
		Argv:        r.lang.expand(argv, r.vars(r.task.MemoryBytes)),
		Env:         r.env(),
		Stdin:       stdin,
		WallTime:    wall,
		CPUTime:     2 * wall, // runtimes collect garbage on other threads
		MemoryBytes: mem,
		MaxProcs:    r.lang.RunProcs,
		MaxOutput:   r.g.cfg.MaxOutput,
		FileSize:    fileSizeLimit,
	}
}

// runFunction runs every test in one process through the driver.
func (r *run) runFunction(ctx context.Context) error {
	task := r.task
	req := driverRequest{
		Nonce:    newNonce(),
		Names:    functionNames(r.lang.Name, task.Function),
		File:     r.prog.Files[len(r.prog.Files)-1].Name,
		LimitMS:  float64(task.TimeLimit) / float64(time.Millisecond),
		OutLimit: callOutputLimit,
		Tests:    make([][]json.RawMessage, len(task.Tests)),
	}
	for i, t := range task.Tests {
		req.Tests[i] = t.Args
		if req.Tests[i] == nil {
			req.Tests[i] = []json.RawMessage{}
		}
	}
	stdin, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("grade: driver request: %w", err)
	}
	wall := time.Duration(len(task.Tests))*task.TimeLimit + r.lang.Startup + time.Second
	out, err := r.box.Run(ctx, r.runCmd(wall, stdin))
	if err != nil {
		return fmt.Errorf("grade: run: %w", err)
	}
	r.res.MemoryBytes = out.PeakMemory
	r.readDriver(req.Nonce, out)
	return nil
}

// functionNames are the names a driver looks the function up by: the
// language's own first, then the signature's.
func functionNames(lang string, sig *Signature) []string {
	names := []string{FunctionName(lang, sig)}
	if sig.Name != names[0] {
		names = append(names, sig.Name)
	}
	return names
}

// errMalformed is driver output the grader cannot account for.
var errMalformed = errors.New("malformed driver output")

// readDriver turns the driver's result lines and the way the process ended
// into test results.
func (r *run) readDriver(nonce string, out *Outcome) {
	lines, ready, done, err := parseDriverOutput(nonce, out.Stdout)
	if err != nil && !out.OutputTruncated {
		r.internal(fmt.Sprintf("%v: %v", errMalformed, err), out)
		return
	}
	for _, l := range lines {
		if l.I == nil {
			switch l.Kind {
			case kindCompile, kindMissing:
				r.res.Verdict = CompilationError
				r.res.CompileOutput = capText(l.Error, compileCap)
			case kindLoad:
				r.add(0, RuntimeError, l.MS, "", "", l.Error)
			default:
				r.internal(fmt.Sprintf("%v: unexpected line kind %q", errMalformed, l.Kind), out)
			}
			return
		}
		i := *l.I
		if i != len(r.res.Tests) || i >= len(r.task.Tests) {
			r.internal(fmt.Sprintf("%v: result for test %d out of order", errMalformed, i), out)
			return
		}
		t := r.task.Tests[i]
		switch l.Kind {
		case "":
			ok, err := CompareJSON(r.task.Comparator, t.Expected, l.Value)
			if err != nil && strings.HasPrefix(err.Error(), "expected") && !t.Custom {
				r.internal(fmt.Sprintf("test %d: %v", i, err), out)
				return
			}
			v := WrongAnswer
			if ok || t.Custom {
				v = Accepted
			}
			if time.Duration(l.MS*float64(time.Millisecond)) > r.task.TimeLimit {
				v = TimeLimitExceeded
			}
			r.add(i, v, l.MS, string(l.Value), l.Stdout, "")
		case kindException:
			r.add(i, RuntimeError, l.MS, "", l.Stdout, l.Error)
		case kindMemory:
			r.add(i, MemoryLimitExceeded, l.MS, "", l.Stdout, l.Error)
		case kindUnencodable:
			r.add(i, WrongAnswer, l.MS, "", l.Stdout, "The return value cannot be encoded as JSON: "+l.Error)
		case kindTimeout:
			r.add(i, TimeLimitExceeded, l.MS, "", "", "")
			return
		case kindOutputLimit:
			r.add(i, OutputLimitExceeded, l.MS, "", "", "")
			return
		case kindBadArgs:
			r.internal(fmt.Sprintf("test %d: the arguments do not fit the signature: %s", i, l.Error), out)
			return
		default:
			r.internal(fmt.Sprintf("%v: unexpected line kind %q", errMalformed, l.Kind), out)
			return
		}
	}
	if done && len(r.res.Tests) == len(r.task.Tests) {
		return
	}
	if done {
		r.internal(fmt.Sprintf("%v: %d results for %d tests", errMalformed, len(r.res.Tests), len(r.task.Tests)), out)
		return
	}
	// The process ended in the middle of a test: that test gets the
	// verdict of how it ended, and later tests do not run.
	i := len(r.res.Tests)
	if i >= len(r.task.Tests) {
		i = len(r.task.Tests) - 1
	}
	ms := float64(out.WallTime) / float64(time.Millisecond)
	switch v := r.endVerdict(out); {
	case v != "":
		r.add(i, v, ms, "", "", string(out.Stderr))
	case !ready && r.lang.Compile == nil:
		// The interpreter died before the candidate's code was loaded.
		r.internal("the driver exited before it started", out)
	case out.ExitCode != 0 || out.Signal != 0:
		r.add(i, RuntimeError, ms, "", "", exitText(out))
	default:
		r.add(i, RuntimeError, ms, "", "", strings.TrimSpace("The program exited before the function returned.\n"+string(out.Stderr)))
	}
}

// endVerdict is the verdict a process's limits give it, "" if it hit none.
// Running out of memory is the cgroup's kill, or a failure the runtime
// reports itself (an allocation larger than the machine allows fails before
// the cgroup sees it; Node and Java stop at their own heap limit).
func (r *run) endVerdict(out *Outcome) Verdict {
	switch {
	case out.MemoryExceeded:
		return MemoryLimitExceeded
	case out.TimedOut:
		return TimeLimitExceeded
	case out.OutputTruncated:
		return OutputLimitExceeded
	case (out.ExitCode != 0 || out.Signal != 0) && r.lang.ranOutOfMemory(out.Stderr):
		return MemoryLimitExceeded
	}
	return ""
}

// exitText describes a crash: the program's stderr, or how it ended.
func exitText(out *Outcome) string {
	s := strings.TrimSpace(string(out.Stderr))
	if out.Signal != 0 {
		return strings.TrimSpace(fmt.Sprintf("%s\nKilled by signal %d.", s, out.Signal))
	}
	return strings.TrimSpace(fmt.Sprintf("%s\nExit code %d.", s, out.ExitCode))
}

// parseDriverOutput picks the driver's lines out of stdout: those holding
// the nonce (anywhere, in case the code wrote a partial line to fd 1 just
// before), each a JSON object. Lines without the nonce are the code's own.
func parseDriverOutput(nonce string, stdout []byte) (lines []driverLine, ready, done bool, err error) {
	mark := []byte(nonce + " ")
	for len(stdout) > 0 {
		var line []byte
		line, stdout, _ = bytes.Cut(stdout, []byte("\n"))
		k := bytes.Index(line, mark)
		if k < 0 {
			continue
		}
		if done {
			return nil, false, false, errors.New("a line after done")
		}
		var l driverLine
		dec := json.NewDecoder(bytes.NewReader(line[k+len(mark):]))
		if err := dec.Decode(&l); err != nil {
			return nil, false, false, fmt.Errorf("line %q: %w", capText(string(line), 200), err)
		}
		switch {
		case l.Kind == kindReady && l.I == nil:
			ready = true
		case l.Kind == kindDone && l.I == nil:
			done = true
		default:
			lines = append(lines, l)
		}
	}
	return lines, ready, done, nil
}

// runStdio runs the program once per test with its input on stdin. It
// stops after a TLE or MLE, each of which costs a whole time limit.
func (r *run) runStdio(ctx context.Context) error {
	wall := r.task.TimeLimit + r.lang.Startup
	for i, t := range r.task.Tests {
		out, err := r.box.Run(ctx, r.runCmd(wall, []byte(t.Input)))
		if err != nil {
			return fmt.Errorf("grade: run test %d: %w", i, err)
		}
		r.res.MemoryBytes = max(r.res.MemoryBytes, out.PeakMemory)
		ms := float64(out.WallTime) / float64(time.Millisecond)
		v := r.endVerdict(out)
		switch {
		case v != "":
		case out.ExitCode != 0 || out.Signal != 0:
			v = RuntimeError
		case t.Custom || CompareText(r.task.Comparator, t.Output, string(out.Stdout)):
			v = Accepted
		default:
			v = WrongAnswer
		}
		stderr := string(out.Stderr)
		if v == RuntimeError {
			stderr = exitText(out)
		}
		r.add(i, v, ms, string(out.Stdout), "", stderr)
		if v == TimeLimitExceeded || v == MemoryLimitExceeded {
			break
		}
	}
	return nil
}

// add records test i's result; what a sample test shows is capped, and a
// hidden test shows nothing but its verdict and time.
func (r *run) add(i int, v Verdict, ms float64, actual, stdout, stderr string) {
	t := r.task.Tests[i]
	tr := TestResult{Index: i, Name: t.Name, Sample: t.Sample, Custom: t.Custom, Passed: v == Accepted, Verdict: v, TimeMS: ms}
	if t.Sample || t.Custom {
		if r.task.Mode == ModeFunction {
			args := make([]string, len(t.Args))
			for k, a := range t.Args {
				args[k] = string(a)
			}
			tr.Input = capText(strings.Join(args, "\n"), sampleCap)
			tr.Expected = capText(string(t.Expected), sampleCap)
		} else {
			tr.Input = capText(t.Input, sampleCap)
			tr.Expected = capText(t.Output, sampleCap)
		}
		tr.Actual = capText(actual, sampleCap)
		tr.Stdout = capText(stdout, sampleCap)
		tr.Stderr = capText(stderr, sampleCap)
	}
	if v == RuntimeError && r.res.Message == "" {
		// A judge shows the error of the first crash even on a hidden
		// test: without it the candidate could not debug.
		r.res.Message = capText(stderr, messageCap)
	}
	r.res.Tests = append(r.res.Tests, tr)
}

// internal records the grader's own failure; the candidate is not blamed,
// and the run's stderr goes into the message to help find the cause.
func (r *run) internal(msg string, out *Outcome) {
	if s := strings.TrimSpace(string(out.Stderr)); s != "" {
		msg += "\n" + s
	}
	r.res.Verdict = InternalError
	r.res.Message = capText(msg, messageCap)
	r.res.Tests = []TestResult{}
	r.res.FirstFailure = nil
	r.res.Passed = 0
}

// finish sets the overall verdict: the first failing test's, Accepted when
// every test ran and passed.
func (r *run) finish() {
	res := r.res
	if res.Verdict != "" {
		return
	}
	res.Verdict = Accepted
	for i, t := range res.Tests {
		res.TimeMS += t.TimeMS
		if t.Passed {
			res.Passed++
		} else if res.FirstFailure == nil {
			k := i
			res.FirstFailure = &k
			res.Verdict = t.Verdict
		}
	}
	if res.FirstFailure == nil && len(res.Tests) < res.Total {
		// Cannot happen: every path that stops early records a failure.
		res.Verdict = InternalError
		res.Message = "not every test ran"
	}
}

// capText cuts s to at most n bytes on a rune boundary, marking the cut.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "\n[truncated]"
}
