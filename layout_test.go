package onsite_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDependencyDirection holds the layout of STYLE.md: the root package
// uses only the standard library, domain packages know no technology, the
// server never reaches for the store or the sandbox, and only cmd wires
// them together.
func TestDependencyDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("SKIP: the go command is not on PATH; cannot list package dependencies")
	}
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Deps,Standard", "./...").Output()
	require.NoError(t, err)
	const mod = "github.com/onsite-dev/onsite"
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Deps       []string
			Standard   bool
		}
		require.NoError(t, dec.Decode(&p))
		if strings.HasPrefix(p.ImportPath, mod) {
			deps[p.ImportPath] = p.Deps
		}
	}
	isStd := func(path string) bool {
		return !strings.Contains(strings.Split(path, "/")[0], ".")
	}
	tests := []struct {
		pkg     string
		allowed func(dep string) bool
	}{
		{mod, isStd},
		{mod + "/questions", func(d string) bool { return isStd(d) || d == mod || strings.HasPrefix(d, "go.yaml.in/") }},
		// drill and interview may use questions, and so what it uses.
		{mod + "/drill", func(d string) bool {
			return isStd(d) || d == mod || d == mod+"/questions" || strings.HasPrefix(d, "go.yaml.in/")
		}},
		{mod + "/interview", func(d string) bool {
			return isStd(d) || d == mod || d == mod+"/questions" || d == mod+"/drill" || strings.HasPrefix(d, "go.yaml.in/")
		}},
		{mod + "/grader", func(d string) bool {
			return !strings.HasPrefix(d, mod+"/questions") && !strings.HasPrefix(d, mod+"/store") && !strings.HasPrefix(d, mod+"/server")
		}},
		{mod + "/server", func(d string) bool {
			return d != mod+"/store" && !strings.HasPrefix(d, mod+"/grader/sandbox") && !strings.HasPrefix(d, mod+"/drill/notify") && d != "github.com/mattn/go-sqlite3"
		}},
		{mod + "/store", func(d string) bool { return d != mod+"/server" && !strings.HasPrefix(d, "github.com/labstack/echo") }},
	}
	for _, tc := range tests {
		t.Run(strings.TrimPrefix(tc.pkg, mod), func(t *testing.T) {
			list, ok := deps[tc.pkg]
			require.True(t, ok, "package %s not found", tc.pkg)
			for _, d := range list {
				if strings.HasPrefix(d, "vendor/") || strings.HasPrefix(d, "internal/") {
					continue
				}
				// Whatever the allowed dependencies themselves import is
				// judged at their own level, so only direct module or
				// third-party imports matter here.
				if strings.HasPrefix(d, "golang.org/x/") && tc.pkg != mod {
					continue
				}
				assert.True(t, tc.allowed(d), "%s must not depend on %s", tc.pkg, d)
			}
		})
	}
}
