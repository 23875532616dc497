package grader

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// warmPackages are the standard packages Go answers commonly import, built
// into the shared cache ahead of time so no submission compiles them.
var warmPackages = []string{
	"bufio", "container/heap", "container/list", "encoding/json", "errors", "fmt", "math", "math/big",
	"math/bits", "math/rand", "os", "slices", "maps", "sort", "strconv", "strings", "time", "unicode",
}

// WarmGoCache fills the shared Go build cache with the standard packages
// answers use and with the function-mode driver, by building them on the
// host: only onsite's own code runs here, never a submission's. Boxes then
// see the cache through a private overlay, so a submission can read it but
// never change what the next one reads.
func (g *Grader) WarmGoCache(ctx context.Context) error {
	lang, ok := g.byName["go"]
	if !ok {
		return nil
	}
	if err := os.MkdirAll(g.cfg.GoCache, 0o755); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "onsite-warm-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	prog, err := FunctionProgram("go", &Signature{Name: "warm", Params: []Param{{Name: "xs", Type: "int[]"}}, Returns: "int"},
		"package main\n\nfunc warm(xs []int) int { return len(xs) }\n")
	if err != nil {
		return err
	}
	for _, f := range prog.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return err
		}
	}
	env := lang.expand(lang.Env, map[string]string{"gocache": g.cfg.GoCache})
	run := func(args ...string) error {
		cmd := exec.CommandContext(ctx, lang.Paths["go"], args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run(append([]string{"build"}, warmPackages...)...); err != nil {
		return err
	}
	return run(append([]string{"build", "-o", "prog"}, prog.Sources...)...)
}
